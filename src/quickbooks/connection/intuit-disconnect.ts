/**
 * Disconnects that Intuit reports: the browser landing on the Disconnect URL after the admin disconnected
 * at Intuit's My Apps page, and an invalid_grant found by any call (the token manager reports it through
 * revocations.ts). The two meet here: a revocation found while verifying a landing was the admin's own.
 */
import type { AuditRepository } from '../../audit/audit-repository.js';
import type { Logger } from '../../logger.js';
import type { QboClient } from '../intuit/client.js';
import {
  QuickBooksError,
  QuickBooksNotConnectedError,
  QuickBooksRevokedError,
  QuickBooksUnavailableError,
} from '../intuit/errors.js';
import type { ConnectionsRepository } from './connections-repository.js';
import type { ConnectionLifecycle } from './lifecycle.js';
import type { RevocationHandler } from './revocations.js';

export type LandingOutcome = 'cleared' | 'still_connected' | 'not_connected' | 'unverified';

export interface IntuitDisconnectDeps {
  connections: ConnectionsRepository;
  audit: AuditRepository;
  client: QboClient;
  lifecycle: ConnectionLifecycle;
  logger: Logger;
}

export class IntuitDisconnects implements RevocationHandler {
  /** Realms whose Disconnect URL landing is being verified: a revocation found then was the admin's own. */
  private readonly verifyingDisconnect = new Set<string>();

  constructor(private readonly deps: IntuitDisconnectDeps) {}

  /**
   * Intuit's Disconnect URL landing. Anyone can link here, so the hit proves nothing: ask Intuit. A call
   * with our tokens answers 401 → refresh → invalid_grant when the grant is gone, and the token manager
   * then clears the record (handleRevoked). If Intuit vouches for the grant, or cannot be reached,
   * nothing changes.
   */
  async verifyDisconnect(realmIdHint: string | undefined): Promise<LandingOutcome> {
    const active = await this.deps.connections.active();
    if (!active || (realmIdHint && realmIdHint !== active.realmId)) return 'not_connected';
    this.verifyingDisconnect.add(active.realmId);
    try {
      await this.deps.client.companyInfo(active.realmId);
      return 'still_connected';
    } catch (err) {
      if (err instanceof QuickBooksRevokedError) return 'cleared';
      if (err instanceof QuickBooksNotConnectedError) return 'cleared';
      if (err instanceof QuickBooksUnavailableError || err instanceof QuickBooksError) return 'unverified';
      throw err;
    } finally {
      this.verifyingDisconnect.delete(active.realmId);
    }
  }

  /** Called by the token manager when Intuit answers invalid_grant: the app's access is gone. */
  async handleRevoked(realmId: string, err: QuickBooksRevokedError): Promise<void> {
    const connection = await this.deps.connections.findByRealm(realmId);
    if (!connection?.hasCredentials) return;
    // Found while verifying Intuit's Disconnect URL redirect: the admin disconnected at Intuit's My Apps
    // page on purpose. Otherwise Intuit revoked the access without telling us (password change, Intuit).
    const viaMyApps = this.verifyingDisconnect.has(realmId);
    // Credentials first: every later call (in any process) then stops at the token step.
    const cleared = await this.deps.connections.clearCredentials(
      realmId,
      viaMyApps ? 'disconnected' : 'revoked',
      viaMyApps ? 'intuit_my_apps' : 'invalid_grant',
    );
    if (!cleared) return;
    // Not awaited: this runs inside a token refresh, which close() waits for. Intuit has revoked the
    // access anyway, so nothing sent now can act on the company.
    void this.deps.client.close(realmId);
    await this.audit(realmId, connection.companyName ?? realmId, viaMyApps, err.intuitTid);
    // Not awaited: this runs inside a worker's own call, and stopping waits for workers to finish.
    this.deps.lifecycle
      .stopping(realmId)
      .catch((e) => this.deps.logger.error({ err: e }, 'stopping sync failed'));
  }

  private async audit(realmId: string, name: string, viaMyApps: boolean, intuitTid: string | null) {
    await this.deps.audit.record(
      viaMyApps
        ? {
            action: 'quickbooks.disconnected',
            summary: `Disconnected QuickBooks company ${name} from Intuit's My Apps page (Intuit confirmed the revocation)`,
            realmId,
            intuitTid,
            details: { how: 'intuit-my-apps', revoke: 'confirmed' },
          }
        : {
            action: 'quickbooks.revocation_detected',
            summary: `Intuit reported that Heavy AV's access to ${name} was revoked; credentials deleted and syncing stopped`,
            realmId,
            intuitTid,
          },
    );
  }
}
