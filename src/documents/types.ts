/** What estimates and invoices share: a customer, a number, dates, a memo and lines. */
import type { DocumentStage } from './stage.js';

export type DocumentStatus = 'open' | 'voided' | 'deleted_in_quickbooks';
export const DOCUMENT_STATUSES: readonly DocumentStatus[] = ['open', 'voided', 'deleted_in_quickbooks'];

export interface Line {
  /** 1-based order on the document. */
  position: number;
  description: string;
  /** Exact quantity in thousandths: 1.5 → 1500. */
  quantityThousandths: number;
  unitPriceCents: number;
  /** round(quantity × unit price) to the cent, half away from zero; computed on the server. */
  amountCents: number;
}

/**
 * What a line carries for the accounting system it is kept in step with (QuickBooks ids; the domain only
 * stores them). Null: not chosen (the default chosen on the QuickBooks card applies).
 */
export interface LineAccounting {
  itemId: string | null;
  itemName: string | null;
  taxCodeId: string | null;
  /** US automated sales tax: whether the line is taxed; null when not said. */
  taxable: boolean | null;
  /** YYYY-MM-DD */
  serviceDate: string | null;
  /** The line's id in QuickBooks, so that an update keeps the line rather than replacing it. */
  externalLineId: string | null;
}

export type StoredLine = Line & LineAccounting;

/** A line as it is written: the amount is always recomputed from quantity and price. */
export interface LineValues extends Partial<LineAccounting> {
  description: string;
  quantityThousandths: number;
  unitPriceCents: number;
}

/**
 * The fields of an estimate or invoice as a form or QuickBooks sets them. `closingDate` is the
 * estimate's expiration date or the invoice's due date.
 */
export interface DocumentFields {
  customerId: number;
  /** Blank or null: the next free number is assigned. */
  docNumber?: string | null;
  /** YYYY-MM-DD */
  txnDate: string;
  closingDate: string | null;
  memo: string;
  lines: LineValues[];
  /**
   * Invoices, from QuickBooks only: Invoice.Balance in cents (what is still owed). Undefined leaves the
   * stored balance as it is; a person's edit never sets it.
   */
  balanceCents?: number | null;
  /**
   * From QuickBooks only: lines Heavy AV cannot model exactly (discounts, credits, sub-cent prices…), kept
   * as QuickBooks has them (its Line array), shown read-only and never sent back; `lines` is then empty and
   * `managedTotalCents` is the document's total before tax. Null: the lines are Heavy AV's own again.
   */
  managedLines?: unknown[] | null;
  managedTotalCents?: number;
}

/** Columns every document has, as a repository returns them (camelCase). */
export interface DocumentBase {
  id: number;
  customerId: number;
  customerName: string;
  docNumber: string;
  txnDate: string;
  memo: string;
  totalCents: number;
  status: DocumentStatus;
  /** Draft/sent/accepted/expired or open/partly paid/paid/overdue (documents/stage.ts). */
  stage: DocumentStage;
  /** QuickBooks' Line array when the lines are managed in QuickBooks (read-only here); else null. */
  managedLines: unknown[] | null;
  createdAt: string;
  updatedAt: string;
}

/** The raw text of one line row of a form, kept to re-render it after a failed validation. */
export interface LineRow {
  description: string;
  quantity: string;
  unitPrice: string;
  /** Absent: not on the form (an edit keeps the line's stored choice); '' : the default. */
  itemId?: string;
  taxCodeId?: string;
  /** 'on' | 'off' (or absent) */
  taxable?: string;
}

/** The raw text of a document form. */
export interface DocumentFormValues {
  customerId: string;
  docNumber: string;
  txnDate: string;
  closingDate: string;
  memo: string;
  lines: LineRow[];
}

/** QuickBooks' limits on what a document carries; the form refuses more and the pull cuts to them. */
export const DOCUMENT_LIMITS = {
  docNumber: 21, // QuickBooks' DocNumber limit
  description: 4000, // QuickBooks' line Description limit
  memo: 1000,
} as const;
