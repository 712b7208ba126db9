/** What a record's page shows about its QuickBooks links (the LinkLookup of records/hooks.ts). */
import type { LinkLookup, LinkSummary, RecordType } from '../../records/hooks.js';
import type { ConnectionsRepository } from '../connection/connections-repository.js';
import type { LinksRepository } from '../sync/links-repository.js';
import type { OutboxRepository } from './outbox-repository.js';

export function linkSummaries(deps: {
  connections: ConnectionsRepository;
  links: LinksRepository;
  outbox: OutboxRepository;
  openUrl?: (type: RecordType, qboId: string, realmId: string) => string;
}): LinkLookup {
  return async (type, id) => {
    const [all, active, pending] = await Promise.all([
      deps.links.forRecord(type, id),
      deps.connections.active(),
      deps.outbox.pendingFor(type, id),
    ]);
    const names = new Map((await deps.connections.all()).map((c) => [c.realmId, c.companyName]));
    if (!all.length && active && pending?.status === 'failed') {
      // Never in QuickBooks, and stopped (e.g. no item chosen): the page must say why and how to fix it.
      return [
        {
          realmId: active.realmId,
          companyName: active.companyName ?? null,
          qboId: '',
          syncToken: null,
          lastSyncedAt: null,
          readOnly: false,
          state: 'not-linked',
          pending: `failed: ${pending.lastError ?? ''}`,
        },
      ];
    }
    return all.map(
      (l): LinkSummary => ({
        realmId: l.realmId,
        companyName: names.get(l.realmId) ?? null,
        qboId: l.qboId,
        syncToken: l.syncToken,
        lastSyncedAt: l.lastSyncedAt,
        // A link of a company that is not (or no longer) connected is shown, never used.
        readOnly: !active || active.realmId !== l.realmId || l.state !== 'linked',
        state: l.state,
        qboTotalCents: l.qboTotalCents,
        qboTaxCents: l.qboTaxCents,
        openUrl: deps.openUrl?.(type, l.qboId, l.realmId),
        pending: pending
          ? pending.status === 'failed'
            ? `failed: ${pending.lastError ?? ''}`
            : 'queued'
          : null,
      }),
    );
  };
}
