/**
 * The company's Preferences entity (`GET /v3/company/:realmId/preferences`, read-only here), shaped like
 * Intuit's: the parts a client reads for money and forms. Heavy AV reads `CurrencyPrefs.HomeCurrency` to
 * print every amount in the company's currency. Built from the company on each read (nothing here changes).
 */
import type { Company, Entity } from '../model.js';

export function preferencesOf(company: Company): Entity {
  const meta = (company.companyInfo.MetaData ?? {}) as Record<string, unknown>;
  const canadian = company.country === 'CA';
  return {
    AccountingInfoPrefs: {
      TrackDepartments: false,
      DepartmentTerminology: 'Location',
      ClassTrackingPerTxn: false,
      ClassTrackingPerTxnLine: false,
      CustomerTerminology: 'Customers',
    },
    ProductAndServicesPrefs: {
      ForSales: true,
      ForPurchase: true,
      QuantityWithPriceAndRate: true,
      QuantityOnHand: true,
    },
    SalesFormsPrefs: {
      CustomTxnNumbers: true,
      AllowDeposit: true,
      AllowDiscount: true,
      DefaultDiscountAccount: '86',
      AllowEstimates: true,
      EstimateMessage: 'Thank you for your business and have a great day!',
      ETransactionEnabledStatus: 'NotApplicable',
      ETransactionAttachPDF: false,
      ETransactionPaymentEnabled: false,
      IPNSupportEnabled: false,
      AllowServiceDate: false,
      AllowShipping: false,
      DefaultCustomerMessage: 'Thank you for your business and have a great day!',
    },
    EmailMessagesPrefs: {
      InvoiceMessage: { Subject: 'Invoice from {COMPANY NAME}', Message: 'Your invoice is attached.' },
      EstimateMessage: { Subject: 'Estimate from {COMPANY NAME}', Message: 'Please review the estimate.' },
    },
    VendorAndPurchasesPrefs: { TrackingByCustomer: true, BillableExpenseTracking: true },
    TimeTrackingPrefs: {
      UseServices: true,
      BillCustomers: true,
      ShowBillRateToAll: false,
      WorkWeekStartDate: 'Monday',
      MarkTimeEntriesBillable: true,
    },
    TaxPrefs: { UsingSalesTax: company.taxModel !== 'none', PartnerTaxEnabled: !canadian },
    CurrencyPrefs: {
      MultiCurrencyEnabled: false,
      HomeCurrency: { value: company.currency.value },
    },
    ReportPrefs: { ReportBasis: 'Accrual', CalcAgingReportFromTxnDate: false },
    OtherPrefs: {
      NameValue: [
        { Name: 'SalesFormsPrefs.DefaultCustomerMessage', Value: 'Thank you for your business.' },
        { Name: 'DTXCopyMemo', Value: 'false' },
        { Name: 'UncategorizedAssetAccountId', Value: '32' },
      ],
    },
    domain: 'QBO',
    sparse: false,
    Id: '1',
    SyncToken: '0',
    MetaData: { CreateTime: meta.CreateTime, LastUpdatedTime: meta.LastUpdatedTime },
  };
}
