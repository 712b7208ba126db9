/**
 * After a pull: what QuickBooks now holds, in Heavy AV's terms, kept on the link (the snapshot a later
 * push compares with, so that only what changed in Heavy AV is sent), and QuickBooks' total and tax.
 * Read inside the pull's transaction: the record as just written is what QuickBooks holds.
 */
import type { Transaction } from '../../db/transaction.js';
import type { RecordType } from '../../records/hooks.js';
import type { SalesDocument } from '../intuit/types.js';
import { qboTotalsOf } from '../mapping/from-quickbooks.js';
import { customerPayload, documentPayload, type LineSetup } from '../mapping/to-quickbooks.js';
import { RecordsReader } from '../push/records-reader.js';

/**
 * Lines pulled from QuickBooks carry their own item and tax code (or are managed in QuickBooks), so the
 * company's defaults never fill in anything here: a push builds the same lines with the real defaults.
 */
const PULLED: LineSetup = { defaultItemId: null, defaultTaxCodeId: null, taxMode: 'none' };

export async function snapshotIn(
  trx: Transaction,
  type: RecordType,
  recordId: number,
  customerQboId: string,
): Promise<string | null> {
  const reader = new RecordsReader(trx);
  if (type === 'customer') {
    const c = (await reader.customers([recordId])).get(recordId);
    return c ? JSON.stringify(customerPayload(c)) : null;
  }
  const d = (await reader.documents(type, [recordId])).get(recordId);
  if (!d) return null;
  try {
    return JSON.stringify(documentPayload(type, d, customerQboId, PULLED));
  } catch {
    // A line without an item (a record of ours never pushed): not known, the next push reads QuickBooks.
    return null;
  }
}

export function totalsOf(qbo: Partial<SalesDocument>): {
  qboTotalCents: number | null;
  qboTaxCents: number | null;
} {
  const { totalCents, taxCents } = qboTotalsOf(qbo);
  return { qboTotalCents: totalCents, qboTaxCents: taxCents };
}
