/**
 * Disconnect from Heavy AV's side (the settings card's button). A disconnect that Intuit reports (its My
 * Apps page, or a revocation found by a call) is intuit-disconnect.ts.
 */
import type { AuditRepository } from '../../audit/audit-repository.js';
import type { Actor } from '../../auth/actor.js';
import type { Logger } from '../../logger.js';
import type { QboClient } from '../intuit/client.js';
import { QuickBooksError, QuickBooksNotConnectedError } from '../intuit/errors.js';
import type { IntuitOAuth } from '../intuit/intuit-oauth.js';
import type { ConnectionsRepository } from './connections-repository.js';
import type { ConnectionLifecycle } from './lifecycle.js';

export type DisconnectOutcome = { realmId: string; revoke: 'revoked' | 'already_revoked' | 'unreachable' };

export interface DisconnectServiceDeps {
  connections: ConnectionsRepository;
  audit: AuditRepository;
  oauth: IntuitOAuth;
  client: QboClient;
  lifecycle: ConnectionLifecycle;
  logger: Logger;
}

/** What the audit line says Intuit answered to the revoke. */
const REVOKE_ANSWER: Record<DisconnectOutcome['revoke'], string> = {
  revoked: 'Intuit confirmed the revocation',
  already_revoked: 'Intuit said the access was already revoked',
  unreachable: 'Intuit could not be reached; finish at Intuit’s My Apps page',
};

export class DisconnectService {
  constructor(private readonly deps: DisconnectServiceDeps) {}

  /**
   * Disconnect from Heavy AV. Order matters: stop every call for the company first and wait for the
   * answers to those already sent (so nothing else reaches Intuit once this returns, and nothing reaches
   * it after the revoke), delete the credentials (so other processes stop too), then revoke at Intuit with
   * the refresh token held in memory.
   */
  async disconnect(actor: Actor): Promise<DisconnectOutcome> {
    const active = await this.deps.connections.active();
    if (!active) throw new QuickBooksNotConnectedError();
    const realmId = active.realmId;
    const before = await this.deps.connections.credentials(realmId);
    await this.deps.client.close(realmId);
    // Read again: a token refresh that was running may have rotated the refresh token meanwhile.
    const creds = (await this.deps.connections.credentials(realmId)) ?? before;
    await this.deps.lifecycle.stopping(realmId);
    await this.deps.connections.clearCredentials(realmId, 'disconnected', 'admin');
    const { revoke, intuitTid } = creds
      ? await this.revoke(realmId, creds.refreshToken)
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

  /** Revokes at Intuit; the credentials are already deleted, so a failure only changes what the admin is told. */
  private async revoke(
    realmId: string,
    refreshToken: string,
  ): Promise<{ revoke: DisconnectOutcome['revoke']; intuitTid: string | null }> {
    try {
      const res = await this.deps.oauth.revoke(refreshToken);
      return { revoke: res.outcome, intuitTid: res.intuitTid };
    } catch (err) {
      if (!(err instanceof QuickBooksError)) throw err;
      this.deps.logger.warn(
        { realmId, code: err.code },
        'revoke at Intuit failed; credentials deleted anyway',
      );
      return { revoke: 'unreachable', intuitTid: err.intuitTid };
    }
  }
}
