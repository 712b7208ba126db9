/**
 * Reading and checking an estimate or invoice form. Pure functions: no database, no request. The
 * service adds the checks that need the database (the customer exists, the number is free).
 */
import type { FieldErrors } from '../http/errors.js';
import { parseMoneyIn, parseQuantityIn } from '../locale/numbers.js';
import { parseId } from '../records/params.js';
import { formatMoney, lineAmountCents, MAX_AMOUNT_CENTS } from './money.js';
import {
  DOCUMENT_LIMITS,
  type DocumentFields,
  type DocumentFormValues,
  type LineRow,
  type LineValues,
} from './types.js';

export const MAX_LINES = 100;
export const MAX_DOC_NUMBER_LENGTH = DOCUMENT_LIMITS.docNumber;
export const MAX_DESCRIPTION_LENGTH = DOCUMENT_LIMITS.description;
export const MAX_MEMO_LENGTH = DOCUMENT_LIMITS.memo;

function text(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

/**
 * `lines` from express.urlencoded({ extended: true }) is an array for small indexes and an object
 * keyed by index beyond qs's arrayLimit (or when indexes have gaps): both become rows in index order.
 */
export function lineRowsFrom(value: unknown): LineRow[] {
  let entries: [number, unknown][] = [];
  if (Array.isArray(value)) {
    entries = value.map((row, index) => [index, row]);
  } else if (value && typeof value === 'object') {
    entries = Object.entries(value)
      .filter(([key]) => /^\d+$/.test(key))
      .map(([key, row]) => [Number(key), row] as [number, unknown])
      .sort((a, b) => a[0] - b[0]);
  }
  return entries
    .slice(0, MAX_LINES + 1)
    .map(([, row]) => (row && typeof row === 'object' ? row : {}) as Record<string, unknown>)
    .filter((r) => text(r.remove) !== '1') // the line editor's "Remove" checkbox
    .map((r) => ({
      description: text(r.description),
      quantity: text(r.quantity),
      unitPrice: text(r.unitPrice),
      // Only when the form has them: an edit without them keeps the line's stored choices.
      ...(r.itemId === undefined ? {} : { itemId: text(r.itemId).trim() }),
      ...(r.taxCodeId === undefined ? {} : { taxCodeId: text(r.taxCodeId).trim() }),
      ...(r.taxable === undefined ? {} : { taxable: text(r.taxable).trim() }),
    }));
}

/** A checkbox or a yes/no select: 'on', 'true', '1', 'yes' are yes; anything else sent is no. */
function yes(value: string): boolean {
  return ['on', 'true', '1', 'yes'].includes(value.toLowerCase());
}

/** The accounting choices a row names (QuickBooks ids; '' is "the default"); absent ones stay absent. */
function accountingOf(row: LineRow): Partial<LineValues> {
  const out: Partial<LineValues> = {};
  if (row.itemId !== undefined) {
    out.itemId = row.itemId || null;
    out.itemName = null;
  }
  if (row.taxCodeId !== undefined) out.taxCodeId = row.taxCodeId || null;
  if (row.taxable !== undefined) out.taxable = yes(row.taxable);
  return out;
}

/** The form's text, whatever shape the body has. `closingField` is 'dueDate' or 'expirationDate'. */
export function documentFormValues(body: unknown, closingField: string): DocumentFormValues {
  const b = (body && typeof body === 'object' ? body : {}) as Record<string, unknown>;
  return {
    customerId: text(b.customerId).trim(),
    docNumber: text(b.docNumber).trim(),
    txnDate: text(b.txnDate).trim(),
    closingDate: text(b[closingField]).trim(),
    memo: text(b.memo),
    lines: lineRowsFrom(b.lines),
  };
}

function isBlank(row: LineRow): boolean {
  // An item or tax choice alone (the selects always send one) does not make a row.
  return !row.description.trim() && !row.quantity.trim() && !row.unitPrice.trim();
}

/** Checks the line rows; blank rows are skipped. Errors are keyed by the field name of the row. */
export function parseLineRows(rows: LineRow[], errors: FieldErrors, locale = 'en-US'): LineValues[] {
  const lines: LineValues[] = [];
  if (rows.length > MAX_LINES) {
    errors.lines = `A document can have at most ${MAX_LINES} lines.`;
    return lines;
  }
  rows.forEach((row, i) => {
    if (isBlank(row)) return;
    const key = (name: string) => `lines[${i}][${name}]`;
    const description = row.description.trim();
    if (!description) errors[key('description')] = 'Describe this line.';
    else if (description.length > MAX_DESCRIPTION_LENGTH)
      errors[key('description')] = `Use at most ${MAX_DESCRIPTION_LENGTH} characters.`;
    const quantity = parseQuantityIn(row.quantity, locale);
    if (!quantity.ok) errors[key('quantity')] = quantity.error;
    else if (quantity.value === 0) errors[key('quantity')] = 'Enter a quantity greater than zero.';
    const price = parseMoneyIn(row.unitPrice, locale);
    if (!price.ok) errors[key('unitPrice')] = price.error;
    if (quantity.ok && price.ok && lineAmountCents(quantity.value, price.value) > MAX_AMOUNT_CENTS) {
      errors[key('unitPrice')] =
        `This line comes to more than ${formatMoney(MAX_AMOUNT_CENTS)}, the most one line can be.`;
    } else if (description && quantity.ok && price.ok) {
      lines.push({
        description,
        quantityThousandths: quantity.value,
        unitPriceCents: price.value,
        ...accountingOf(row),
      });
    }
  });
  const anyLineError = Object.keys(errors).some((k) => k.startsWith('lines['));
  if (!lines.length && !anyLineError) errors.lines = 'Add at least one line.';
  // Each line is at most MAX_AMOUNT_CENTS and there are at most MAX_LINES: the sum is exact.
  const total = lines.reduce((sum, l) => sum + lineAmountCents(l.quantityThousandths, l.unitPriceCents), 0);
  if (total > MAX_AMOUNT_CENTS && !anyLineError)
    errors.lines = `These lines add up to more than ${formatMoney(MAX_AMOUNT_CENTS)}, the most one document can total. Split it into several documents.`;
  return lines;
}

/** A real calendar date written YYYY-MM-DD (what <input type="date"> sends). */
export function isIsoDate(value: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) return false;
  const date = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === value;
}

export interface DocumentFormLabels {
  /** 'dueDate' or 'expirationDate': where a closing-date error is shown. */
  closingField: string;
  /** e.g. 'The due date' */
  closingName: string;
  /** The company's locale: how amounts are typed ("1,250.00", "1 250,00"). */
  locale?: string;
  /** The document's lines are managed in QuickBooks: the form has none, and sent ones are ignored. */
  linesManaged?: boolean;
}

/**
 * Turns the form's text into fields to store, collecting every message at once. Returns the errors
 * (empty when all is well) and the fields (meaningful only without errors).
 */
export function checkDocumentForm(
  values: DocumentFormValues,
  labels: DocumentFormLabels,
): { fields: DocumentFields; errors: FieldErrors } {
  const errors: FieldErrors = {};
  const customerId = parseId(values.customerId) ?? 0;
  if (!values.customerId) errors.customerId = 'Choose a customer.';
  else if (!customerId) errors.customerId = 'Choose a customer from the list.';
  if (values.docNumber.length > MAX_DOC_NUMBER_LENGTH)
    errors.docNumber = `Use at most ${MAX_DOC_NUMBER_LENGTH} characters.`;
  if (!values.txnDate) errors.txnDate = 'Enter a date.';
  else if (!isIsoDate(values.txnDate)) errors.txnDate = 'Enter a date as YYYY-MM-DD.';
  if (values.closingDate && !isIsoDate(values.closingDate))
    errors[labels.closingField] = 'Enter a date as YYYY-MM-DD.';
  else if (values.closingDate && isIsoDate(values.txnDate) && values.closingDate < values.txnDate)
    errors[labels.closingField] = `${labels.closingName} cannot be before the document date.`;
  if (values.memo.length > MAX_MEMO_LENGTH) errors.memo = `Use at most ${MAX_MEMO_LENGTH} characters.`;
  const lines = labels.linesManaged ? [] : parseLineRows(values.lines, errors, labels.locale);
  return {
    errors,
    fields: {
      customerId,
      docNumber: values.docNumber || null,
      txnDate: values.txnDate,
      closingDate: values.closingDate || null,
      memo: values.memo.trim(),
      lines,
    },
  };
}
