import type { DocumentBase } from '../documents/types.js';

export interface Invoice extends DocumentBase {
  /** YYYY-MM-DD or null */
  dueDate: string | null;
  /** The estimate this invoice was made from, if any. */
  estimateId: number | null;
  /** What QuickBooks says is still owed; null until QuickBooks has told us. */
  balanceCents: number | null;
}
