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

export interface Customer extends CustomerFields {
  id: number;
  active: boolean;
  createdAt: string;
  updatedAt: string;
}

/** The raw text of the customer form, kept to re-render it after a failed validation. */
export type CustomerFormValues = CustomerFields;

export const CUSTOMER_FIELDS: readonly (keyof CustomerFields)[] = [
  'displayName',
  'companyName',
  'email',
  'phone',
  'billingLine1',
  'billingCity',
  'billingPostalCode',
  'billingCountry',
];

/**
 * Longest value kept per field (QuickBooks' own limits, or ours where tighter). The form refuses longer
 * values; the pull (src/quickbooks/mapping/from-quickbooks.ts) cuts QuickBooks' values to them.
 */
export const CUSTOMER_LIMITS: Readonly<Record<keyof CustomerFields, number>> = {
  displayName: 100,
  companyName: 100,
  email: 100,
  phone: 30,
  billingLine1: 500,
  billingCity: 255,
  billingPostalCode: 30,
  billingCountry: 255,
};
