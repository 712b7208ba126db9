/**
 * Estimates: everything shared with invoices lives in documents/service.ts. Estimates are numbered like
 * invoices (1001, 1002, … when the form leaves the number blank; QuickBooks numbers each kind on its
 * own). Estimates numbered E-1001… before this stay as they are and keep their numbers.
 */
import type { CustomersRepository } from '../customers/repository.js';
import { type DocumentKind, DocumentsService } from '../documents/service.js';
import type { CompanySettings } from '../locale/settings.js';
import type { RecordServiceDeps } from '../records/deps.js';
import type { EstimatesRepository } from './repository.js';
import type { Estimate } from './types.js';

export const ESTIMATE_KIND: DocumentKind = {
  type: 'estimate',
  noun: 'estimate',
  closingField: 'expirationDate',
  closingName: 'The expiration date',
  docNumberPrefix: '',
  firstDocNumber: 1001,
};

export class EstimatesService extends DocumentsService<Estimate> {
  constructor(
    deps: RecordServiceDeps & {
      estimates: EstimatesRepository;
      customers: CustomersRepository;
      company?: CompanySettings;
    },
  ) {
    super({ ...deps, documents: deps.estimates }, ESTIMATE_KIND);
  }
}
