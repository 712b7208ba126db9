/**
 * Switching company: Intuit's callback brought a company other than the one linked before, stored as
 * `pending_switch` (connect.ts). The admin confirms (the earlier companies' links are archived, never used
 * again, and any grant they still held is revoked) or cancels (the new grant is revoked, and a company
 * never seen before is forgotten). A revoke Intuit does not answer is kept and retried (revoke-retries.ts)
 * and the admin is told so, never that it was revoked.
 */
import type { AuditRepository } from '../../audit/audit-repository.js';
import type { Actor } from '../../auth/actor.js';
import type { Transactor } from '../../db/transaction.js';
import type { Logger } from '../../logger.js';
import type { IntuitOAuth } from '../intuit/intuit-oauth.js';
import type { Connection } from './connection-types.js';
import type { ConnectionsRepository } from './connections-repository.js';
import type { ConnectionLifecycle } from './lifecycle.js';
import type { RevokeRetries } from './revoke-retries.js';

/** What a switch did: the company now connected (if confirmed), and whether a revoke is still waiting. */
export interface SwitchOutcome {
  connection?: Connection;
  unrevoked: boolean;
}

export interface SwitchServiceDeps {
  /** Opens the transactions that span two repositories (decision 007). */
  transaction: Transactor;
  connections: ConnectionsRepository;
  audit: AuditRepository;
  oauth: IntuitOAuth;
  lifecycle: ConnectionLifecycle;
  logger: Logger;
  revokes: RevokeRetries;
}

export class SwitchService {
  constructor(private readonly deps: SwitchServiceDeps) {}

  /** The admin confirmed (or refused) switching to another company than the one linked before. */
  async resolveSwitch(actor: Actor, confirm: boolean): Promise<SwitchOutcome> {
    const pending = await this.deps.connections.pendingSwitch();
    if (!pending) return { unrevoked: false };
    if (!confirm) return { unrevoked: await this.cancel(pending, actor) };
    const unrevoked = await this.confirm(pending, actor);
    return { connection: await this.deps.connections.findByRealm(pending.realmId), unrevoked };
  }

  /** Cancels; true when the new grant could not be revoked yet (kept for a retry, said on the card). */
  private async cancel(pending: Connection, actor: Actor): Promise<boolean> {
    const creds = await this.deps.connections.heldCredentials(pending.realmId);
    const wasNew = !(await this.deps.audit.mentions(pending.realmId));
    if (wasNew) await this.deps.connections.remove(pending.realmId);
    else await this.deps.connections.clearCredentials(pending.realmId, 'disconnected', 'switch_cancelled');
    const name = pending.companyName ?? pending.realmId;
    const { revoke, intuitTid } = creds
      ? await this.deps.revokes.revoke(
          { realmId: pending.realmId, companyName: pending.companyName, refreshToken: creds.refreshToken },
          'switch_cancelled',
        )
      : { revoke: 'already_revoked' as const, intuitTid: null };
    await this.deps.audit.record({
      action: 'quickbooks.switch_cancelled',
      summary:
        revoke === 'unreachable'
          ? `Cancelled switching to QuickBooks company ${name}; Intuit could not be reached to revoke its access (kept for a retry)`
          : `Cancelled switching to QuickBooks company ${name}; its access was revoked`,
      actor,
      realmId: pending.realmId,
      intuitTid,
      details: { revoke },
    });
    return revoke === 'unreachable';
  }

  /** Confirms; the archived companies' live grants are revoked. True when one could not be yet. */
  private async confirm(pending: Connection, actor: Actor): Promise<boolean> {
    // Read before archiving deletes them: every earlier company that still holds a grant gives it up.
    const others = (await this.deps.connections.all()).filter(
      (c) => c.realmId !== pending.realmId && c.hasCredentials,
    );
    const grants = [];
    for (const c of others) {
      // Tokens sealed with a key this instance lacks cannot be revoked from here (the card says so).
      const creds = await this.deps.connections.heldCredentials(c.realmId).catch(() => undefined);
      if (creds)
        grants.push({ realmId: c.realmId, companyName: c.companyName, refreshToken: creds.refreshToken });
    }
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
    let unrevoked = false;
    for (const grant of grants) {
      const { revoke } = await this.deps.revokes.revoke(grant, 'archived');
      if (revoke === 'unreachable') unrevoked = true;
    }
    return unrevoked;
  }
}
