/**
 * QuickBooks' entities as Heavy AV reads and writes them (Accounting API v3, minorversion 75). Only the
 * fields the app uses are named; an entity carries more (see the shared fixtures, fixtures/qbo/entities/). What
 * comes off the wire is narrowed by `parse.ts` before it gets one of these types: Id and SyncToken are
 * always strings there, whatever JSON type Intuit used.
 */

/** A reference to another entity: `{"value": "<Id>", "name": "<display name>"}`. */
export interface Ref {
  value: string;
  name?: string;
}

export interface MetaData {
  CreateTime?: string;
  LastUpdatedTime?: string;
}

/** Fields every stored entity has. */
export interface EntityBase {
  Id: string;
  /** The optimistic-lock version: an update must send the current one (else Fault 5010). */
  SyncToken: string;
  MetaData?: MetaData;
  domain?: string;
  sparse?: boolean;
}

export interface PhysicalAddress {
  Id?: string;
  Line1?: string;
  City?: string;
  CountrySubDivisionCode?: string;
  PostalCode?: string;
  Country?: string;
}

export interface Customer extends EntityBase {
  DisplayName?: string;
  CompanyName?: string;
  PrimaryEmailAddr?: { Address?: string };
  PrimaryPhone?: { FreeFormNumber?: string };
  BillAddr?: PhysicalAddress;
  /** QuickBooks never deletes a customer: it makes it inactive. */
  Active?: boolean;
}

/** A vendor or an employee: only what tells that it holds a display name. */
export interface NameHolder extends EntityBase {
  DisplayName?: string;
  Active?: boolean;
}

/** A decimal as Intuit sends it: usually a JSON number, sometimes a string. */
export type Decimal = number | string;

export interface SalesItemLine {
  Id?: string;
  LineNum?: number;
  DetailType: 'SalesItemLineDetail';
  Amount?: Decimal;
  Description?: string;
  SalesItemLineDetail: {
    ItemRef?: Ref;
    Qty?: Decimal;
    UnitPrice?: Decimal;
    TaxCodeRef?: Ref;
    /** YYYY-MM-DD */
    ServiceDate?: string;
  };
}

export interface SubTotalLine {
  Id?: string;
  DetailType: 'SubTotalLineDetail';
  Amount?: Decimal;
  SubTotalLineDetail: Record<string, unknown>;
}

export interface DiscountLine {
  Id?: string;
  DetailType: 'DiscountLineDetail';
  Amount?: Decimal;
  DiscountLineDetail: { PercentBased?: boolean; DiscountPercent?: Decimal };
}

export interface DescriptionOnlyLine {
  Id?: string;
  DetailType: 'DescriptionOnly';
  Amount?: Decimal;
  Description?: string;
  DescriptionLineDetail?: Record<string, unknown>;
}

export interface GroupLine {
  Id?: string;
  DetailType: 'GroupLineDetail';
  Amount?: Decimal;
  Description?: string;
  GroupLineDetail: { GroupItemRef?: Ref; Quantity?: Decimal; Line?: Line[] };
}

/** A sales document's line; `DetailType` says which detail object it carries. */
export type Line = SalesItemLine | SubTotalLine | DiscountLine | DescriptionOnlyLine | GroupLine;

/** What estimates and invoices share. */
export interface SalesDocument extends EntityBase {
  DocNumber?: string;
  TxnDate?: string;
  CustomerRef?: Ref;
  /** `{"value": "..."}` on the wire; older answers have a bare string. */
  CustomerMemo?: { value?: string } | string;
  PrivateNote?: string;
  Line?: Line[];
  TotalAmt?: Decimal;
  /** QuickBooks' tax on the document (computed by QuickBooks for automated sales tax). */
  TxnTaxDetail?: { TotalTax?: Decimal };
}

export interface Estimate extends SalesDocument {
  ExpirationDate?: string;
  TxnStatus?: string;
}

export interface Invoice extends SalesDocument {
  DueDate?: string;
  Balance?: Decimal;
}

export interface Item extends EntityBase {
  Name?: string;
  Type?: string;
  Active?: boolean;
}

export interface TaxCode extends EntityBase {
  Name?: string;
  Description?: string;
  Active?: boolean;
}

export interface CompanyInfo extends EntityBase {
  CompanyName?: string;
  LegalName?: string;
  /** Where the company is registered ("US", "CA"): a hint at its currency when Preferences says nothing. */
  Country?: string;
}

/** The company's Preferences: only what the app reads (the home currency every amount is in). */
export interface Preferences extends EntityBase {
  CurrencyPrefs?: {
    MultiCurrencyEnabled?: boolean;
    /** ISO 4217, e.g. USD, CAD. */
    HomeCurrency?: { value?: string; name?: string };
  };
  /** Whether the company charges sales tax, and whether QuickBooks computes it (US automated sales tax). */
  TaxPrefs?: { UsingSalesTax?: boolean; PartnerTaxEnabled?: boolean };
}

/** The entities the client reads, finds, writes and follows through CDC. */
export interface Entities {
  Customer: Customer;
  Estimate: Estimate;
  Invoice: Invoice;
  Item: Item;
  TaxCode: TaxCode;
  Vendor: NameHolder;
  Employee: NameHolder;
}
export type EntityName = keyof Entities;

/** What a create sends: the entity without what QuickBooks assigns. */
export type Draft<E extends EntityName> = E extends EntityName ? Omit<Entities[E], keyof EntityBase> : never;
/** What an update sends: the changed fields, the Id and the SyncToken it was read with. */
export type Update<E extends EntityName> = Draft<E> & Pick<EntityBase, 'Id' | 'SyncToken'>;

/** One error of a Fault. Intuit spells the keys `Message`/`Detail` (data services) or lower case (gateway). */
export interface FaultItem {
  code: string;
  message: string;
  detail?: string;
  element?: string;
}

/** One write of a batch (or of its single-call stand-in). */
export type WriteOp<E extends EntityName = EntityName> = (
  | { bId: string; operation: 'create'; entity: E; body: Draft<E> }
  | { bId: string; operation: 'update'; entity: E; body: Update<E>; sparse?: boolean }
) & {
  /**
   * Part of the requestid, never sent: a new key makes a new request (a retry after a refusal), the same
   * key the same request (a retry after a lost answer, which Intuit answers from its first answer).
   */
  requestKey?: string | null;
};

/** The answer to one write of a batch. */
export type ItemResult<E extends EntityName = EntityName> =
  /** Written: the entity as QuickBooks now has it. */
  | { kind: 'entity'; entity: Entities[E] }
  /** Refused: the item must change (a validation Fault) or be re-read (5010). */
  | { kind: 'fault'; faults: FaultItem[] }
  /** Not answered (throttled, outage; single calls only): the same write may be sent again later. */
  | { kind: 'unanswered'; code: string; message: string };

export interface BatchAnswer<E extends EntityName = EntityName> {
  /** intuit_tid of the batch request (of the last single call answered, for single calls). */
  intuitTid: string | null;
  /** Per bId; a bId QuickBooks did not answer is absent. */
  results: Map<string, ItemResult<E>>;
}

/** One object of a CDC answer: changed (as QuickBooks has it now) or deleted (only its Id remains). */
export type Changed<E extends EntityName = EntityName> = { id: string; lastUpdatedTime?: string } & (
  | { deleted: false; entity: Entities[E] }
  | { deleted: true }
);

/** The entities Heavy AV keeps in step with its own records. */
export type SyncedName = 'Customer' | 'Estimate' | 'Invoice';
export type SyncedEntity = Entities[SyncedName];
