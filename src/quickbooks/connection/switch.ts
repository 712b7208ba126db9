/**
 * Switching company: Intuit's callback brought a company other than the one linked before, stored as
 * `pending_switch` (connect.ts). The admin confirms (the earlier companies' links are archived, never used
 * again) or cancels (the new grant is revoked, and a company never seen before is forgotten).
 */
import type { AuditRepository } from '../../audit/audit-repository.js';
import type { Actor } from '../../auth/actor.js';
import type { Transactor } from '../../db/transaction.js';
import type { Logger } from '../../logger.js';
import type { IntuitOAuth } from '../intuit/intuit-oauth.js';
import type { Connection } from './connection-types.js';
import type { ConnectionsRepository } from './connections-repository.js';
import type { ConnectionLifecycle } from './lifecycle.js';

export interface SwitchServiceDeps {
  /** Opens the transactions that span two repositories (decision 007). */
  transaction: Transactor;
  connections: ConnectionsRepository;
  audit: AuditRepository;
  oauth: IntuitOAuth;
  lifecycle: ConnectionLifecycle;
  logger: Logger;
}

export class SwitchService {
  constructor(private readonly deps: SwitchServiceDeps) {}

  /** The admin confirmed (or refused) switching to another company than the one linked before. */
  async resolveSwitch(actor: Actor, confirm: boolean): Promise<Connection | undefined> {
    const pending = await this.deps.connections.pendingSwitch();
    if (!pending) return undefined;
    if (!confirm) {
      await this.cancel(pending, actor);
      return undefined;
    }
    await this.confirm(pending, actor);
    return this.deps.connections.findByRealm(pending.realmId);
  }

  private async cancel(pending: Connection, actor: Actor): Promise<void> {
    const creds = await this.deps.connections.credentials(pending.realmId);
    const wasNew = !(await this.deps.audit.mentions(pending.realmId));
    if (wasNew) await this.deps.connections.remove(pending.realmId);
    else await this.deps.connections.clearCredentials(pending.realmId, 'disconnected', 'switch_cancelled');
    if (creds) await this.revokeQuietly(creds.refreshToken);
    await this.deps.audit.record({
      action: 'quickbooks.switch_cancelled',
      summary: `Cancelled switching to QuickBooks company ${pending.companyName ?? pending.realmId}; its access was revoked`,
      actor,
      realmId: pending.realmId,
    });
  }

  private async confirm(pending: Connection, actor: Actor): Promise<void> {
    const archived = await this.deps.transaction(async (trx) => {
      const realms = await this.deps.connections.archiveOthers(pending.realmId, trx);
      await this.deps.connections.activate(pending.realmId, trx);
      await this.deps.audit.record(
        {
          action: 'quickbooks.company_switched',
          summary: `Switched to QuickBooks company ${pending.companyName ?? pending.realmId}; links to ${realms.join(', ') || 'no earlier company'} archived`,
          actor,
          realmId: pending.realmId,
          details: { archivedRealms: realms },
        },
        trx,
      );
      return realms;
    });
    await this.deps.lifecycle.archived(archived);
    await this.deps.lifecycle.connected(pending.realmId, { reconnect: false });
  }

  private async revokeQuietly(token: string): Promise<void> {
    try {
      await this.deps.oauth.revoke(token);
    } catch (err) {
      this.deps.logger.warn({ err }, 'revoke failed');
    }
  }
}
