import type { DocumentBase } from '../documents/types.js';

export interface Estimate extends DocumentBase {
  /** YYYY-MM-DD or null */
  expirationDate: string | null;
}
