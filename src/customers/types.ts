export interface Customer {
  id: number;
  displayName: string;
  companyName: string;
  email: string;
  phone: string;
  billingLine1: string;
  billingCity: string;
  /** State, province or county: QuickBooks' BillAddr.CountrySubDivisionCode. */
  billingRegion: string;
  billingPostalCode: string;
  billingCountry: string;
  active: boolean;
  createdAt: string;
  updatedAt: string;
}

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
