/** The order an import reads in: customers first (documents name them), then estimates, then invoices. */
import type { ImportPhase } from './imports-repository.js';

export type WorkPhase = Exclude<ImportPhase, 'done'>;

const ORDER: WorkPhase[] = ['customers', 'estimates', 'invoices'];

interface Chosen {
  customers: boolean;
  documentsSince: string | null;
}

function wanted(choice: Chosen, phase: WorkPhase): boolean {
  return phase === 'customers' ? choice.customers : choice.documentsSince !== null;
}

/** The first phase of what the admin chose ('done' when nothing was chosen). */
export function firstPhase(choice: Chosen): ImportPhase {
  return ORDER.find((p) => wanted(choice, p)) ?? 'done';
}

/** The phase after `phase` among those chosen. */
export function nextPhase(choice: Chosen, phase: WorkPhase): ImportPhase {
  return ORDER.slice(ORDER.indexOf(phase) + 1).find((p) => wanted(choice, p)) ?? 'done';
}

/** The phases an import goes through, for the card. */
export function phasesOf(choice: Chosen): WorkPhase[] {
  return ORDER.filter((p) => wanted(choice, p));
}
