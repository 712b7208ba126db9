/**
 * Where each record stands with the connected company, for the lists' QuickBooks column and filter.
 * One order of precedence, the same in the column and in the filter's SQL: conflict (an open conflict,
 * or work held for one), then failed (QuickBooks refused it), then waiting (a change queued), then in step
 * (linked, nothing to send), else not syncing (no company connected, or never sent to this one).
 */
import type { Knex } from 'knex';
import type { RecordType, SyncCondition, SyncState, SyncStates } from '../../records/hooks.js';
import type { ConnectionsRepository } from '../connection/connections-repository.js';
import { delayReason } from '../connection/status.js';

type Clause = { sql: string; bindings: (string | number)[] };

/** The four facts about a record, as SQL over its id column. */
function facts(
  type: RecordType,
  realmId: string,
  id: string,
): Record<'conflict' | 'failed' | 'waiting' | 'linked', Clause> {
  const outbox = (status: string, orUnassigned = false) => ({
    sql: `exists (select 1 from qbo_outbox qo where qo.record_type = ? and qo.record_id = ${id} and qo.status = ? and (qo.realm_id = ?${orUnassigned ? ' or qo.realm_id is null' : ''}))`,
    bindings: [type, status, realmId],
  });
  const conflictOutbox = outbox('conflict');
  return {
    conflict: {
      sql: `(exists (select 1 from qbo_conflicts qc where qc.record_type = ? and qc.record_id = ${id} and qc.realm_id = ? and qc.state = 'open') or ${conflictOutbox.sql})`,
      bindings: [type, realmId, ...conflictOutbox.bindings],
    },
    failed: outbox('failed'),
    waiting: outbox('pending', true),
    linked: {
      sql: `exists (select 1 from qbo_links ql where ql.record_type = ? and ql.record_id = ${id} and ql.realm_id = ? and ql.state = 'linked')`,
      bindings: [type, realmId],
    },
  };
}

const ORDER = ['conflict', 'failed', 'waiting', 'linked'] as const;
const STATE_OF: Record<(typeof ORDER)[number], SyncState> = {
  conflict: 'conflict',
  failed: 'failed',
  waiting: 'waiting',
  linked: 'in-step',
};

export function syncStates(deps: { db: Knex; connections: ConnectionsRepository }): SyncStates {
  const { db } = deps;
  return {
    async of(type, ids) {
      const states = new Map<number, SyncState>(ids.map((id) => [id, 'not-syncing']));
      const active = await deps.connections.active();
      if (!active || !ids.length) return states;
      const f = facts(type, active.realmId, 'r.id');
      // One query: each fact as a 0/1 column over the page's ids.
      const columns = ORDER.map((k) =>
        db.raw(`case when ${f[k].sql} then 1 else 0 end as ${k}`, f[k].bindings),
      );
      const rows = await db
        .from(
          db.raw(`(select ${ids.map(() => 'cast(? as integer) as id').join(' union all select ')}) r`, ids),
        )
        .select('r.id', ...columns);
      for (const row of rows as Record<string, number | string>[]) {
        const first = ORDER.find((k) => Number(row[k]) === 1);
        if (first) states.set(Number(row.id), STATE_OF[first]);
      }
      return states;
    },

    async only(type, state, idColumn): Promise<SyncCondition> {
      const active = await deps.connections.active();
      if (!active)
        return state === 'not-syncing' ? { sql: '1 = 1', bindings: [] } : { sql: '1 = 0', bindings: [] };
      const f = facts(type, active.realmId, idColumn);
      const not = (k: (typeof ORDER)[number]) => ({ sql: `not ${f[k].sql}`, bindings: f[k].bindings });
      const parts: Clause[] =
        state === 'not-syncing'
          ? ORDER.map(not)
          : (() => {
              const key = ORDER.find((k) => STATE_OF[k] === state)!;
              const before = ORDER.slice(0, ORDER.indexOf(key));
              return [f[key], ...before.map(not)];
            })();
      return {
        sql: parts.map((p) => `(${p.sql})`).join(' and '),
        bindings: parts.flatMap((p) => p.bindings),
      };
    },
  };
}

/** What a record's page says about its state, in plain words (the badge says the state itself). */
export function recordStateReason(
  state: SyncState,
  facts: {
    companyName: string | null;
    connected: boolean;
    waiting?: { lastError: string | null; lastErrorCode: string | null; nextAttemptAt: string };
    now?: number;
  },
): string {
  switch (state) {
    case 'in-step':
      return `Heavy AV and ${facts.companyName ?? 'QuickBooks'} agree; nothing waits to be sent.`;
    case 'waiting': {
      const w = facts.waiting;
      if (!w?.lastErrorCode) return 'A change waits to be sent; it goes out within seconds.';
      const seconds = Math.max(
        0,
        Math.ceil((Date.parse(w.nextAttemptAt) - (facts.now ?? Date.now())) / 1000),
      );
      return `Not sent yet — ${delayReason(w.lastErrorCode, w.lastError ?? '')}; next try in ${seconds} s.`;
    }
    case 'failed':
      return 'QuickBooks refused this record; fix what it says below, then retry.';
    case 'conflict':
      return 'Held until an admin decides (below); nothing of QuickBooks is changed until then.';
    case 'not-syncing':
      return facts.connected
        ? 'Nothing has been sent to this company for it yet.'
        : 'No QuickBooks company is connected: edits are kept and wait for a reconnect to the same company.';
  }
}
