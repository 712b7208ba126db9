/**
 * The properties Intuit's schema knows, per entity. Anything else is refused with 2010 and a Jackson
 * message naming the field, exactly as fixtures/qbo/faults/unsupported-property-2010-http400 shows
 * (Intuit deserialises with Jackson and "not marked as ignorable" fields fail the whole request).
 */
import type { EntityName } from '../model.js';
import { QboFault } from './faults.js';

const SYSTEM = ['Id', 'SyncToken', 'MetaData', 'domain', 'sparse', 'status'];
const PERSON = [
  'Title',
  'GivenName',
  'MiddleName',
  'FamilyName',
  'Suffix',
  'DisplayName',
  'PrintOnCheckName',
];
const CONTACT = [
  'PrimaryPhone',
  'AlternatePhone',
  'Mobile',
  'Fax',
  'PrimaryEmailAddr',
  'WebAddr',
  'OtherContactInfo',
];
const TXN = [
  'DocNumber',
  'TxnDate',
  'PrivateNote',
  'LinkedTxn',
  'Line',
  'TxnTaxDetail',
  'CustomerRef',
  'CustomerMemo',
  'BillAddr',
  'ShipAddr',
  'ShipFromAddr',
  'FreeFormAddress',
  'ClassRef',
  'SalesTermRef',
  'DepartmentRef',
  'CurrencyRef',
  'ExchangeRate',
  'GlobalTaxCalculation',
  'TotalAmt',
  'HomeTotalAmt',
  'ApplyTaxAfterDiscount',
  'PrintStatus',
  'EmailStatus',
  'BillEmail',
  'BillEmailCc',
  'BillEmailBcc',
  'DeliveryInfo',
  'CustomField',
  'ShipMethodRef',
  'ShipDate',
  'TrackingNum',
  'TxnSource',
  'TransactionLocationType',
  'TaxExemptionRef',
  'ProjectRef',
  'RecurDataRef',
  'Tag',
  'TxnStatus',
  'SalesRepRef',
  'PONumber',
  'FOB',
  'AutoDocNumber',
  'TaxFormType',
  'TaxFormNum',
  'DiscountRate',
  'DiscountAmt',
];

const KNOWN: Record<EntityName, readonly string[]> = {
  Customer: [
    ...SYSTEM,
    ...PERSON,
    ...CONTACT,
    'FullyQualifiedName',
    'CompanyName',
    'Active',
    'Taxable',
    'BillAddr',
    'ShipAddr',
    'OtherAddr',
    'Notes',
    'Job',
    'BillWithParent',
    'ParentRef',
    'Level',
    'SalesTermRef',
    'PaymentMethodRef',
    'Balance',
    'OpenBalanceDate',
    'BalanceWithJobs',
    'CurrencyRef',
    'PreferredDeliveryMethod',
    'ResaleNum',
    'ARAccountRef',
    'DefaultTaxCodeRef',
    'TaxExemptionReasonId',
    'PrimaryTaxIdentifier',
    'SecondaryTaxIdentifier',
    'BusinessNumber',
    'GSTIN',
    'GSTRegistrationType',
    'IsProject',
    'CustomerTypeRef',
    'ClientEntityId',
    'Source',
    'V4IDPseudonym',
  ],
  Vendor: [
    ...SYSTEM,
    ...PERSON,
    ...CONTACT,
    'CompanyName',
    'Active',
    'BillAddr',
    'OtherAddr',
    'TaxIdentifier',
    'TermRef',
    'Balance',
    'AcctNum',
    'Vendor1099',
    'CurrencyRef',
    'APAccountRef',
    'BillRate',
    'CostRate',
    'BusinessNumber',
    'GSTIN',
    'GSTRegistrationType',
    'HasTPAR',
    'T4AEligible',
    'T5018Eligible',
    'TaxReportingBasis',
    'VendorPaymentBankDetail',
    'Source',
    'V4IDPseudonym',
  ],
  Employee: [
    ...SYSTEM,
    ...PERSON,
    'PrimaryPhone',
    'Mobile',
    'PrimaryEmailAddr',
    'PrimaryAddr',
    'EmployeeNumber',
    'SSN',
    'Active',
    'BillableTime',
    'BillRate',
    'CostRate',
    'BirthDate',
    'Gender',
    'HiredDate',
    'ReleasedDate',
    'Organization',
    'V4IDPseudonym',
  ],
  Item: [
    ...SYSTEM,
    'Name',
    'Description',
    'Active',
    'SubItem',
    'ParentRef',
    'Level',
    'FullyQualifiedName',
    'Taxable',
    'SalesTaxIncluded',
    'UnitPrice',
    'RatePercent',
    'Type',
    'PaymentMethodRef',
    'UOMSetRef',
    'IncomeAccountRef',
    'PurchaseDesc',
    'PurchaseTaxIncluded',
    'PurchaseCost',
    'ExpenseAccountRef',
    'AssetAccountRef',
    'PrefVendorRef',
    'AvgCost',
    'TrackQtyOnHand',
    'QtyOnHand',
    'QtyOnPurchaseOrder',
    'QtyOnSalesOrder',
    'InvStartDate',
    'ReorderPoint',
    'ManPartNum',
    'Sku',
    'SalesTaxCodeRef',
    'PurchaseTaxCodeRef',
    'ClassRef',
    'Source',
    'ItemCategoryType',
    'TaxClassificationRef',
  ],
  TaxCode: [
    ...SYSTEM,
    'Name',
    'Description',
    'Active',
    'Hidden',
    'Taxable',
    'TaxGroup',
    'SalesTaxRateList',
    'PurchaseTaxRateList',
    'TaxCodeConfigType',
  ],
  TaxRate: [
    ...SYSTEM,
    'Name',
    'Description',
    'Active',
    'RateValue',
    'AgencyRef',
    'TaxReturnLineRef',
    'SpecialTaxType',
    'DisplayType',
    'EffectiveTaxRate',
  ],
  Estimate: [...SYSTEM, ...TXN, 'ExpirationDate', 'AcceptedBy', 'AcceptedDate'],
  Invoice: [
    ...SYSTEM,
    ...TXN,
    'DueDate',
    'Balance',
    'HomeBalance',
    'Deposit',
    'DepositToAccountRef',
    'AllowIPNPayment',
    'AllowOnlinePayment',
    'AllowOnlineCreditCardPayment',
    'AllowOnlineACHPayment',
    'InvoiceLink',
    'EInvoiceStatus',
    'ECloudStatusTimeStamp',
    'PaymentMethodRef',
    'PaymentRefNum',
    'ConvenienceFeeDetail',
    'RemitToRef',
    'TxnApprovalInfo',
    'LessCIS',
    'InvoiceEx',
    'RecurringInfo',
  ],
  Payment: [
    ...SYSTEM,
    'TxnDate',
    'CustomerRef',
    'TotalAmt',
    'UnappliedAmt',
    'ProcessPayment',
    'Line',
    'LinkedTxn',
    'DepositToAccountRef',
    'PaymentMethodRef',
    'PaymentRefNum',
    'ARAccountRef',
    'CurrencyRef',
    'ExchangeRate',
    'PrivateNote',
    'TxnSource',
    'CreditCardPayment',
    'TxnStatus',
    'TaxExemptionRef',
    'ProjectRef',
    'DocNumber',
  ],
};

const LINE = [
  'Id',
  'LineNum',
  'Description',
  'Amount',
  'DetailType',
  'LinkedTxn',
  'LineEx',
  'ProjectRef',
  'CustomField',
];
export const SALES_LINE_TYPES = [
  'SalesItemLineDetail',
  'GroupLineDetail',
  'DescriptionOnly',
  'DiscountLineDetail',
  'SubTotalLineDetail',
] as const;
const LINE_DETAILS: Record<string, readonly string[]> = {
  SalesItemLineDetail: [
    'ItemRef',
    'ClassRef',
    'UnitPrice',
    'RatePercent',
    'PriceLevelRef',
    'MarkupInfo',
    'Qty',
    'UOMRef',
    'ItemAccountRef',
    'TaxCodeRef',
    'ServiceDate',
    'TaxInclusiveAmt',
    'DiscountRate',
    'DiscountAmt',
    'TaxClassificationRef',
  ],
  DiscountLineDetail: [
    'PercentBased',
    'DiscountPercent',
    'DiscountAccountRef',
    'ClassRef',
    'TaxCodeRef',
    'Discount',
  ],
  SubTotalLineDetail: ['ItemRef'],
  DescriptionOnly: ['ServiceDate', 'TaxCodeRef'],
  GroupLineDetail: ['GroupItemRef', 'Quantity', 'Line'],
};

const SETS = new Map<string, Set<string>>();
function known(key: string, list: readonly string[]): Set<string> {
  let set = SETS.get(key);
  if (!set) {
    set = new Set(list);
    SETS.set(key, set);
  }
  return set;
}

export function unrecognized(field: string, schemaClass: string, knownCount: number): QboFault {
  return new QboFault(
    '2010',
    'Request has invalid or unsupported property',
    `Property Name:Unrecognized field "${field}" (class com.intuit.schema.finance.v3.${schemaClass}), not marked as ignorable (${knownCount} known properties) specified is unsupported or invalid`,
  );
}

/** Throws 2010 for a property Intuit's schema does not know (top level, lines and line details). */
export function checkProperties(name: EntityName, input: Record<string, unknown>): void {
  const props = known(name, KNOWN[name]);
  for (const key of Object.keys(input)) if (!props.has(key)) throw unrecognized(key, name, props.size);
  if (!Array.isArray(input.Line)) return;
  const lineProps = known('Line', [...LINE, ...Object.keys(LINE_DETAILS)]);
  for (const line of input.Line) {
    if (typeof line !== 'object' || line === null) continue;
    for (const [key, value] of Object.entries(line)) {
      if (!lineProps.has(key)) throw unrecognized(key, 'Line', lineProps.size);
      const detail = LINE_DETAILS[key];
      if (detail && typeof value === 'object' && value !== null) {
        const detailProps = known(key, detail);
        for (const k of Object.keys(value))
          if (!detailProps.has(k)) throw unrecognized(k, key, detailProps.size);
      }
    }
  }
}

/** A DetailType outside Intuit's LineDetailTypeEnum fails deserialisation, like any bad enum value. */
export function unknownDetailType(value: unknown): QboFault {
  return new QboFault(
    '2010',
    'Request has invalid or unsupported property',
    `Property Name:Can not construct instance of com.intuit.schema.finance.v3.LineDetailTypeEnum from String value '${String(value)}': value not one of declared Enum instance names specified is unsupported or invalid`,
  );
}
