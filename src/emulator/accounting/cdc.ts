import type { Company, Entity, EntityName } from '../model.js';
import { entityName } from '../model.js';
import { faults } from './faults.js';

const MAX_PER_ENTITY = 1000;
const LOOKBACK_MS = 30 * 86_400_000;

/**
 * `GET /cdc?entities=…&changedSince=…`: entities changed at or after `changedSince` (inclusive, so a
 * caller resuming from the last LastUpdatedTime it saw never misses a same-second change), deleted ones as
 * `{domain, status: "Deleted", Id, MetaData: {LastUpdatedTime}}`, oldest first, at most 1000 per entity.
 * Shape: fixtures/qbo/cdc/response-estimate.qbo_api.json.
 */
export function runCdc(company: Company, entitiesParam: unknown, changedSinceParam: unknown, nowMs: number) {
  if (typeof entitiesParam !== 'string' || !entitiesParam.trim()) throw faults.requiredParam('entities');
  if (typeof changedSinceParam !== 'string' || !changedSinceParam.trim())
    throw faults.requiredParam('changedSince');
  const since = Date.parse(changedSinceParam.replace(/([+-]\d{2})(\d{2})$/, '$1:$2').replace(' ', '+'));
  if (Number.isNaN(since))
    throw faults.invalidProperty(`changedSince is not a valid date time: ${changedSinceParam}`);
  if (since < nowMs - LOOKBACK_MS) {
    throw faults.invalidProperty('changedSince must be within the last 30 days');
  }
  const names: EntityName[] = [];
  for (const raw of entitiesParam.split(',')) {
    const name = entityName(raw.trim());
    if (!name) throw faults.invalidProperty(`Invalid entity for CDC: ${raw.trim()}`);
    if (!names.includes(name)) names.push(name);
  }
  const queryResponses = names.map((name) => {
    const changed: { at: number; row: Entity }[] = [];
    for (const e of company.entities[name].values()) {
      const at = Date.parse(e.MetaData.LastUpdatedTime);
      if (at >= since) changed.push({ at, row: e });
    }
    for (const t of company.tombstones[name].values()) {
      const at = Date.parse(t.LastUpdatedTime);
      if (at >= since) {
        changed.push({
          at,
          row: {
            domain: 'QBO',
            status: 'Deleted',
            Id: t.Id,
            MetaData: { LastUpdatedTime: t.LastUpdatedTime },
          },
        });
      }
    }
    if (changed.length === 0) return {};
    changed.sort((a, b) => a.at - b.at || Number(a.row.Id) - Number(b.row.Id));
    const rows = changed.slice(0, MAX_PER_ENTITY).map((c) => c.row);
    return { [name]: rows, startPosition: 1, maxResults: rows.length };
  });
  return { CDCResponse: [{ QueryResponse: queryResponses }] };
}
