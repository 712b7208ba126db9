/**
 * The life of the QuickBooks connection: connect (OAuth), switch company, disconnect from Heavy AV,
 * verify a disconnect that Intuit reports through the browser, and handle a revocation found by a call.
 */
import { randomBytes } from 'node:crypto';
import type { AuditRepository } from '../../audit/audit-repository.js';
import type { Actor } from '../../auth/actor.js';
import type { Transactor } from '../../db/transaction.js';
import { ConflictError } from '../../http/errors.js';
import type { Logger } from '../../logger.js';
import type { QboClient } from '../intuit/client.js';
import {
  QuickBooksError,
  QuickBooksNotConnectedError,
  QuickBooksRevokedError,
  QuickBooksUnavailableError,
} from '../intuit/errors.js';
import type { IntuitOAuth } from '../intuit/intuit-oauth.js';
import type { Connection, ConnectionsRepository } from './connections-repository.js';
import type { ConnectionLifecycle } from './lifecycle.js';
import type { OAuthStatesRepository } from './oauth-states-repository.js';

export type CallbackOutcome =
  | { kind: 'connected'; connection: Connection; reconnect: boolean }
  | { kind: 'needs_switch_confirmation'; connection: Connection; previous: Connection }
  | { kind: 'failed'; message: string };

export type DisconnectOutcome = { realmId: string; revoke: 'revoked' | 'already_revoked' | 'unreachable' };

export type LandingOutcome = 'cleared' | 'still_connected' | 'not_connected' | 'unverified';

export interface ConnectionServiceDeps {
  /** Opens the transactions that span two repositories (decision 007). */
  transaction: Transactor;
  connections: ConnectionsRepository;
  states: OAuthStatesRepository;
  audit: AuditRepository;
  oauth: IntuitOAuth;
  client: QboClient;
  lifecycle: ConnectionLifecycle;
  logger: Logger;
  environment: string;
}

const MESSAGES = {
  refused: 'You chose not to connect at Intuit. Nothing was changed; you can connect whenever you are ready.',
  badState:
    'That sign-in link from Intuit was not valid for this session (it may have expired, been used already, or been started in another browser). Nothing was changed. Please click "Connect to QuickBooks" again.',
  noRealm: 'Intuit did not say which QuickBooks company to connect. Nothing was changed. Please try again.',
  exchange: 'Intuit did not complete the connection. Nothing was changed. Please try again in a few minutes.',
  alreadyConnected: 'QuickBooks is already connected. Disconnect first to connect a different company.',
};

export class ConnectionService {
  /** Realms whose Disconnect URL landing is being verified: a revocation found then was the admin's own. */
  private readonly verifyingDisconnect = new Set<string>();

  constructor(private readonly deps: ConnectionServiceDeps) {}

  async startConnect(actor: Actor, sessionId: string): Promise<string> {
    if (await this.deps.connections.active()) throw new ConflictError(MESSAGES.alreadyConnected);
    const state = randomBytes(32).toString('base64url');
    await this.deps.states.create(state, sessionId, actor.id);
    return this.deps.oauth.authorizeUri(state);
  }

  async handleCallback(input: {
    query: Record<string, unknown>;
    callbackUrl: string;
    sessionId: string;
    actor: Actor;
  }): Promise<CallbackOutcome> {
    const q = (k: string) => (typeof input.query[k] === 'string' ? (input.query[k] as string) : undefined);
    const state = q('state');
    // Burn the state whatever happens next: a callback URL is good for one try only.
    const stateCheck = state ? await this.deps.states.consume(state, input.sessionId) : 'unknown';
    if (q('error')) {
      this.deps.logger.info({ error: q('error'), stateCheck }, 'QuickBooks connect refused at Intuit');
      return {
        kind: 'failed',
        message: q('error') === 'access_denied' ? MESSAGES.refused : MESSAGES.exchange,
      };
    }
    if (stateCheck !== 'ok') {
      this.deps.logger.warn({ stateCheck }, 'QuickBooks callback with a bad state');
      return { kind: 'failed', message: MESSAGES.badState };
    }
    const realmId = q('realmId');
    if (!realmId || !/^\d{1,32}$/.test(realmId) || !q('code'))
      return { kind: 'failed', message: MESSAGES.noRealm };
    if (await this.deps.connections.active()) return { kind: 'failed', message: MESSAGES.alreadyConnected };

    let tokens: Awaited<ReturnType<IntuitOAuth['exchangeCode']>>;
    let companyName: string | null = null;
    try {
      tokens = await this.deps.oauth.exchangeCode(input.callbackUrl);
      this.deps.client.reopen(realmId);
      const info = await this.deps.client.companyInfo(realmId, { accessToken: tokens.accessToken });
      companyName = info?.CompanyName ?? info?.LegalName ?? null;
    } catch (err) {
      if (!(err instanceof QuickBooksError)) throw err;
      this.deps.logger.warn({ code: err.code, intuitTid: err.intuitTid }, 'QuickBooks connect failed');
      return { kind: 'failed', message: MESSAGES.exchange };
    }

    const previous = await this.deps.connections.latest();
    const known = await this.deps.connections.findByRealm(realmId);
    const otherCompany =
      previous && previous.realmId !== realmId && previous.status !== 'archived' ? previous : undefined;
    const status = otherCompany ? 'pending_switch' : 'connected';
    const connection = await this.deps.transaction(async (trx) => {
      const saved = await this.deps.connections.saveConnected(
        { realmId, companyName, environment: this.deps.environment, status, user: input.actor, tokens },
        trx,
      );
      if (status === 'connected') {
        await this.deps.audit.record(
          {
            action: known ? 'quickbooks.reconnected' : 'quickbooks.connected',
            summary: `${known ? 'Reconnected' : 'Connected'} QuickBooks company ${companyName ?? realmId}`,
            actor: input.actor,
            realmId,
            intuitTid: tokens.intuitTid,
          },
          trx,
        );
      }
      return saved;
    });
    this.deps.logger.info({ realmId, status, intuitTid: tokens.intuitTid }, 'QuickBooks company connected');
    if (otherCompany) return { kind: 'needs_switch_confirmation', connection, previous: otherCompany };
    await this.deps.lifecycle.connected(realmId, { reconnect: Boolean(known) });
    return { kind: 'connected', connection, reconnect: Boolean(known) };
  }

  /** The admin confirmed (or refused) switching to another company than the one linked before. */
  async resolveSwitch(actor: Actor, confirm: boolean): Promise<Connection | undefined> {
    const pending = await this.deps.connections.pendingSwitch();
    if (!pending) return undefined;
    if (!confirm) {
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
      return undefined;
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
    return this.deps.connections.findByRealm(pending.realmId);
  }

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
    let revoke: DisconnectOutcome['revoke'] = 'unreachable';
    let intuitTid: string | null = null;
    if (creds) {
      try {
        const res = await this.deps.oauth.revoke(creds.refreshToken);
        revoke = res.outcome;
        intuitTid = res.intuitTid;
      } catch (err) {
        if (!(err instanceof QuickBooksError)) throw err;
        intuitTid = err.intuitTid;
        this.deps.logger.warn(
          { realmId, code: err.code },
          'revoke at Intuit failed; credentials deleted anyway',
        );
      }
    }
    const answer = {
      revoked: 'Intuit confirmed the revocation',
      already_revoked: 'Intuit said the access was already revoked',
      unreachable: 'Intuit could not be reached; finish at Intuit’s My Apps page',
    }[revoke];
    await this.deps.audit.record({
      action: 'quickbooks.disconnected',
      summary: `Disconnected QuickBooks company ${active.companyName ?? realmId} from Heavy AV (${answer})`,
      actor,
      realmId,
      intuitTid,
      details: { how: 'heavy-av', revoke },
    });
    return { realmId, revoke };
  }

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
    const name = connection.companyName ?? realmId;
    await this.deps.audit.record(
      viaMyApps
        ? {
            action: 'quickbooks.disconnected',
            summary: `Disconnected QuickBooks company ${name} from Intuit's My Apps page (Intuit confirmed the revocation)`,
            realmId,
            intuitTid: err.intuitTid,
            details: { how: 'intuit-my-apps', revoke: 'confirmed' },
          }
        : {
            action: 'quickbooks.revocation_detected',
            summary: `Intuit reported that Heavy AV's access to ${name} was revoked; credentials deleted and syncing stopped`,
            realmId,
            intuitTid: err.intuitTid,
          },
    );
    // Not awaited: this runs inside a worker's own call, and stopping waits for workers to finish.
    this.deps.lifecycle
      .stopping(realmId)
      .catch((e) => this.deps.logger.error({ err: e }, 'stopping sync failed'));
  }

  /** "Sync now", first step: prove the connection works by reading CompanyInfo. */
  async check(): Promise<Connection> {
    const active = await this.deps.connections.active();
    if (!active) throw new QuickBooksNotConnectedError();
    const info = await this.deps.client.companyInfo(active.realmId);
    await this.deps.connections.markSynced(active.realmId);
    const name = info?.CompanyName;
    if (name && name !== active.companyName) await this.deps.connections.rename(active.realmId, name);
    return (await this.deps.connections.active())!;
  }

  private async revokeQuietly(token: string): Promise<void> {
    try {
      await this.deps.oauth.revoke(token);
    } catch (err) {
      this.deps.logger.warn({ err }, 'revoke failed');
    }
  }
}
