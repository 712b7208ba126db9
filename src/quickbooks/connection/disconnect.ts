/**
 * Disconnect from Heavy AV's side (the settings card's button). A disconnect that Intuit reports (its My
 * Apps page, or a revocation found by a call) is intuit-disconnect.ts.
 */
import type { AuditRepository } from '../../audit/audit-repository.js';
import type { Actor } from '../../auth/actor.js';
import type { Logger } from '../../logger.js';
import type { QboClient } from '../intuit/client.js';
import { QuickBooksNotConnectedError, QuickBooksTokensUnreadableError } from '../intuit/errors.js';
import type { IntuitOAuth } from '../intuit/intuit-oauth.js';
import type { ConnectionsRepository } from './connections-repository.js';
import type { InstancesRepository } from './instances-repository.js';
import type { ConnectionLifecycle } from './lifecycle.js';
import type { RevokeRetries } from './revoke-retries.js';

export type DisconnectOutcome = {
  realmId: string;
  /** `unreadable`: the stored tokens could not be decrypted, so nothing could be revoked (forgotten). */
  revoke: 'revoked' | 'already_revoked' | 'unreachable' | 'unreadable';
};

export interface DisconnectServiceDeps {
  connections: ConnectionsRepository;
  audit: AuditRepository;
  oauth: IntuitOAuth;
  client: QboClient;
  lifecycle: ConnectionLifecycle;
  logger: Logger;
  revokes: RevokeRetries;
  /** The other instances on the database, and how long a disconnect waits for them (decision 010). */
  peers?: { instances: InstancesRepository; owner: string; aliveMs: number; waitMs: number };
}

/** What the audit line says Intuit answered to the revoke. */
const REVOKE_ANSWER: Record<DisconnectOutcome['revoke'], string> = {
  revoked: 'Intuit confirmed the revocation',
  already_revoked: 'Intuit said the access was already revoked',
  unreachable: 'Intuit could not be reached; Heavy AV keeps trying, or finish at Intuit’s My Apps page',
  unreadable:
    'the stored tokens could not be decrypted, so nothing was revoked; finish at Intuit’s My Apps page',
};

export class DisconnectService {
  constructor(private readonly deps: DisconnectServiceDeps) {}

  /**
   * Disconnect from Heavy AV. Order matters (decision 010):
   * 1. the database says "disconnecting": from then on no instance starts a call for the company (the
   *    client's token step finds no credentials), while the tokens stay for the revoke;
   * 2. this instance closes the company in its client (calls sent are waited for) and stops its workers;
   * 3. the other live instances do the same when their connection watch sees the new generation: this
   *    waits until each has said so (or for a bounded time, logged), so nothing they sent reaches Intuit
   *    after the revoke;
   * 4. the credentials are deleted and the grant revoked with the newest refresh token (a refresh that
   *    was running meanwhile stored its rotated token).
   */
  async disconnect(actor: Actor): Promise<DisconnectOutcome> {
    const active = await this.deps.connections.active();
    if (!active) throw new QuickBooksNotConnectedError();
    const realmId = active.realmId;
    const generation = await this.deps.connections.markDisconnecting(realmId);
    // Another instance's disconnect got there first.
    if (generation === undefined) throw new QuickBooksNotConnectedError(realmId);
    await this.deps.client.close(realmId);
    await this.deps.lifecycle.stopping(realmId);
    await this.othersStopped(realmId, generation);
    const creds = await this.deps.connections.heldCredentials(realmId).catch((err) => {
      // Sealed with a key this instance lacks: the connection can still be forgotten here (the admin is
      // told to finish at Intuit's My Apps page).
      if (err instanceof QuickBooksTokensUnreadableError) return 'unreadable' as const;
      throw err;
    });
    await this.deps.connections.clearCredentials(
      realmId,
      'disconnected',
      creds === 'unreadable' ? 'tokens_unreadable' : 'admin',
    );
    // A revoke Intuit does not answer is kept and tried again (revoke-retries.ts); the admin is told.
    const { revoke, intuitTid } =
      creds === 'unreadable'
        ? { revoke: 'unreadable' as const, intuitTid: null }
        : creds
          ? await this.deps.revokes.revoke(
              { realmId, companyName: active.companyName, refreshToken: creds.refreshToken },
              'disconnect',
            )
          : { revoke: 'unreachable' as const, intuitTid: null };
    await this.deps.audit.record({
      action: 'quickbooks.disconnected',
      summary: `Disconnected QuickBooks company ${active.companyName ?? realmId} from Heavy AV (${REVOKE_ANSWER[revoke]})`,
      actor,
      realmId,
      intuitTid,
      details: { how: 'heavy-av', revoke },
    });
    return { realmId, revoke };
  }

  /** Waits until every other live instance has applied `generation` (stopped its calls), within a bound. */
  private async othersStopped(realmId: string, generation: number): Promise<void> {
    const peers = this.deps.peers;
    if (!peers) return;
    const deadline = Date.now() + peers.waitMs;
    for (;;) {
      const behind = await peers.instances.behind(generation, peers.owner, peers.aliveMs);
      if (!behind.length) return;
      if (Date.now() > deadline) {
        this.deps.logger.warn(
          { realmId, instances: behind.length, waitedMs: peers.waitMs },
          'instances did not confirm they stopped calling QuickBooks before the revoke',
        );
        return;
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}
