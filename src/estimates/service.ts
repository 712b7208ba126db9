/**
 * Estimates: everything shared with invoices lives in documents/service.ts. Estimate numbers are
 * E-1001, E-1002, … when the form leaves the number blank.
 */
import { type DocumentKind, DocumentsService } from '../documents/service.js';
import type { RecordServiceDeps } from '../records/deps.js';
import { EstimatesRepository } from './repository.js';
import type { Estimate } from './types.js';

export const ESTIMATE_KIND: DocumentKind<Estimate> = {
  type: 'estimate',
  noun: 'estimate',
  closingField: 'expirationDate',
  closingName: 'The expiration date',
  docNumberPrefix: 'E-',
  firstDocNumber: 1001,
  repository: (db) => new EstimatesRepository(db),
};

export class EstimatesService extends DocumentsService<Estimate> {
  constructor(deps: RecordServiceDeps) {
    super(deps, ESTIMATE_KIND);
  }
}
