/**
 * Estimates: everything shared with invoices lives in documents/service.ts. Estimate numbers are
 * E-1001, E-1002, … when the form leaves the number blank.
 */
import type { CustomersRepository } from '../customers/repository.js';
import { type DocumentKind, DocumentsService } from '../documents/service.js';
import type { RecordServiceDeps } from '../records/deps.js';
import type { EstimatesRepository } from './repository.js';
import type { Estimate } from './types.js';

export const ESTIMATE_KIND: DocumentKind = {
  type: 'estimate',
  noun: 'estimate',
  closingField: 'expirationDate',
  closingName: 'The expiration date',
  docNumberPrefix: 'E-',
  firstDocNumber: 1001,
};

export class EstimatesService extends DocumentsService<Estimate> {
  constructor(deps: RecordServiceDeps & { estimates: EstimatesRepository; customers: CustomersRepository }) {
    super({ ...deps, documents: deps.estimates }, ESTIMATE_KIND);
  }
}
