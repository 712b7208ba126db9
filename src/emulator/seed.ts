/**
 * The emulated companies (SPEC.md "The local Intuit emulator"): generated from seed/catalog.ts by a seeded
 * PRNG at start-up, so every run holds the same customers, items, tax setup and history.
 */
import type { Company } from './model.js';
import { COMPANY_SPECS } from './seed/catalog.js';
import { generateCompany } from './seed/generate.js';

export type { Company, Entity, EntityName, StoredAnswer, Tombstone } from './model.js';
export { ENTITY_NAMES, entityName } from './model.js';

/** Realm ids and names, in the order the consent page offers them (the full US company first). */
export const SEED_COMPANIES = COMPANY_SPECS.map((s) => ({
  realmId: s.realmId,
  name: s.name,
  country: s.country,
  taxModel: s.taxModel,
}));

const DAY_MS = 86_400_000;
/** Generated once per process and day, then cloned: tests start hundreds of emulators (clone ~5 ms, build ~30). */
let template: { day: number; companies: Map<string, Company> } | undefined;

export function seedCompanies(nowMs: number): Map<string, Company> {
  const day = Math.floor(nowMs / DAY_MS);
  if (template?.day !== day) {
    const companies = new Map<string, Company>();
    for (const spec of COMPANY_SPECS) companies.set(spec.realmId, generateCompany(spec, nowMs));
    template = { day, companies };
  }
  return structuredClone(template.companies);
}
