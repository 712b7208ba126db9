/**
 * The lists' QuickBooks column and filter (`?quickbooks=in-step|waiting|failed|conflict|not-syncing`).
 * The sync gives the states and the filter's condition through the hooks (records never import quickbooks/);
 * without those hooks the lists simply have no column.
 */
import type { RecordHooks, RecordType, SyncCondition, SyncState } from './hooks.js';
import { syncStateOf } from './hooks.js';
import type { Page } from './paging.js';

export interface SyncColumn {
  /** The filter asked for ('' for none, or when the value is not a state). */
  quickbooks: SyncState | '';
  /** Each listed record's state by id; null when the sync gives none (no column). */
  states: Record<number, SyncState> | null;
}

export async function listWithSyncStates<T extends { id: number }>(
  hooks: RecordHooks,
  type: RecordType,
  query: { quickbooks?: unknown },
  idColumn: string,
  list: (where: SyncCondition | undefined) => Promise<Page<T>>,
): Promise<Page<T> & SyncColumn> {
  const sync = hooks.syncStates;
  const wanted = sync ? syncStateOf(query.quickbooks) : undefined;
  const where = wanted && sync ? await sync.only(type, wanted, idColumn) : undefined;
  const page = await list(where);
  if (!sync) return { ...page, quickbooks: '', states: null };
  const states = await sync.of(
    type,
    page.items.map((i) => i.id),
  );
  return { ...page, quickbooks: wanted ?? '', states: Object.fromEntries(states) };
}
