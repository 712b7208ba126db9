/**
 * DocNumber → ids, per entity type of a company, so a duplicate check does not scan every invoice (a
 * large push made that quadratic). Built lazily from the entity map, then kept current by Books.
 */
import type { Entity } from '../model.js';

const indexes = new WeakMap<Map<string, Entity>, Map<string, Set<string>>>();

export function docIndex(entities: Map<string, Entity>): Map<string, Set<string>> {
  let index = indexes.get(entities);
  if (!index) {
    index = new Map();
    for (const e of entities.values()) add(index, e);
    indexes.set(entities, index);
  }
  return index;
}

function add(index: Map<string, Set<string>>, e: Entity): void {
  if (e.DocNumber === undefined || e.DocNumber === null) return;
  const key = String(e.DocNumber);
  const ids = index.get(key) ?? new Set<string>();
  index.set(key, ids);
  ids.add(String(e.Id));
}

/** Call after every write of an entity of this map (before: the old version, after: the new one). */
export function reindex(
  entities: Map<string, Entity>,
  before: Entity | undefined,
  after: Entity | undefined,
): void {
  const index = indexes.get(entities);
  if (!index) return;
  if (before?.DocNumber !== undefined && before?.DocNumber !== null) {
    const ids = index.get(String(before.DocNumber));
    ids?.delete(String(before.Id));
    if (ids && ids.size === 0) index.delete(String(before.DocNumber));
  }
  if (after) add(index, after);
}
