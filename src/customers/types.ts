export interface Customer {
  id: number;
  displayName: string;
  companyName: string;
  email: string;
  phone: string;
  billingLine1: string;
  billingCity: string;
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
