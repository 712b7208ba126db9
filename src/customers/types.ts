/** What a form (or QuickBooks) sets on a customer; every value already trimmed and checked. */
export interface CustomerFields {
  displayName: string;
  companyName: string;
  email: string;
  phone: string;
  billingLine1: string;
  billingCity: string;
  billingPostalCode: string;
  billingCountry: string;
}

/**
 * What may be written: the fields, and the region. The region is optional for callers written before it
 * existed (the QuickBooks inbound mapper): absent, the stored value stays as it is. Forms always send it.
 */
export type CustomerInput = CustomerFields & { billingRegion?: string };

export interface Customer extends CustomerFields {
  id: number;
  /** State, province or county: QuickBooks' BillAddr.CountrySubDivisionCode. */
  billingRegion: string;
  active: boolean;
  createdAt: string;
  updatedAt: string;
}

/** The raw text of the customer form, kept to re-render it after a failed validation. */
export type CustomerFormValues = Required<CustomerInput>;

export const CUSTOMER_FIELDS: readonly (keyof CustomerInput)[] = [
  'displayName',
  'companyName',
  'email',
  'phone',
  'billingLine1',
  'billingCity',
  'billingRegion',
  'billingPostalCode',
  'billingCountry',
];

/**
 * Longest value kept per field (QuickBooks' own limits, or ours where tighter). The form refuses longer
 * values; the pull (src/quickbooks/mapping/from-quickbooks.ts) cuts QuickBooks' values to them.
 */
export const CUSTOMER_LIMITS: Readonly<Record<keyof CustomerFormValues, number>> = {
  displayName: 100,
  companyName: 100,
  email: 100,
  phone: 30,
  billingLine1: 500,
  billingCity: 255,
  billingRegion: 100,
  billingPostalCode: 30,
  billingCountry: 255,
};
