/**
 * Connect a QuickBooks company: hand the admin to Intuit's consent page with a single-use state, then take
 * Intuit's callback (check the state, exchange the code, read the company's name) and store the tokens. A
 * company other than the one linked before waits for the admin to confirm the switch (switch.ts).
 */
import { randomBytes } from 'node:crypto';
import type { AuditRepository } from '../../audit/audit-repository.js';
import type { Actor } from '../../auth/actor.js';
import type { Locks } from '../../db/locks.js';
import type { Transactor } from '../../db/transaction.js';
import { ConflictError } from '../../http/errors.js';
import type { Logger } from '../../logger.js';
import type { QboClient } from '../intuit/client.js';
import { QuickBooksError } from '../intuit/errors.js';
import type { IntuitOAuth } from '../intuit/intuit-oauth.js';
import type { Connection } from './connection-types.js';
import type { ConnectionsRepository } from './connections-repository.js';
import type { ConnectionLifecycle } from './lifecycle.js';
import type { OAuthStatesRepository } from './oauth-states-repository.js';
import type { RevokeRetries } from './revoke-retries.js';

export type CallbackOutcome =
  | { kind: 'connected'; connection: Connection; reconnect: boolean }
  | { kind: 'needs_switch_confirmation'; connection: Connection; previous: Connection }
  | { kind: 'failed'; message: string };

export interface CallbackInput {
  query: Record<string, unknown>;
  callbackUrl: string;
  sessionId: string;
  actor: Actor;
}

export interface ConnectServiceDeps {
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
  /** Revokes a grant this callback obtained but may not keep (another connect won the race). */
  revokes: RevokeRetries;
  /** Serialises the "connected or switching?" decision across instances (two callbacks at once). */
  locks: Locks;
}

const MESSAGES = {
  refused: 'You chose not to connect at Intuit. Nothing was changed; you can connect whenever you are ready.',
  badState:
    'That sign-in link from Intuit was not valid for this session (it may have expired, been used already, or been started in another browser). Nothing was changed. Please click "Connect to QuickBooks" again.',
  noRealm: 'Intuit did not say which QuickBooks company to connect. Nothing was changed. Please try again.',
  exchange: 'Intuit did not complete the connection. Nothing was changed. Please try again in a few minutes.',
  alreadyConnected: 'QuickBooks is already connected. Disconnect first to connect a different company.',
  switchPending: (name: string) =>
    `A switch to QuickBooks company ${name} is waiting for your confirmation below. Confirm or cancel it before connecting again.`,
};

type Tokens = Awaited<ReturnType<IntuitOAuth['exchangeCode']>>;
type Failed = Extract<CallbackOutcome, { kind: 'failed' }>;
const failed = (message: string): Failed => ({ kind: 'failed', message });

export class ConnectService {
  constructor(private readonly deps: ConnectServiceDeps) {}

  async startConnect(actor: Actor, sessionId: string): Promise<string> {
    if (await this.deps.connections.active()) throw new ConflictError(MESSAGES.alreadyConnected);
    const pending = await this.deps.connections.pendingSwitch();
    if (pending) throw new ConflictError(MESSAGES.switchPending(pending.companyName ?? pending.realmId));
    const state = randomBytes(32).toString('base64url');
    await this.deps.states.create(state, sessionId, actor.id);
    return this.deps.oauth.authorizeUri(state);
  }

  async handleCallback(input: CallbackInput): Promise<CallbackOutcome> {
    const realmId = await this.checkCallback(input);
    if (typeof realmId !== 'string') return realmId;
    const granted = await this.exchange(realmId, input.callbackUrl);
    if ('kind' in granted) return granted;
    return this.store(realmId, granted, input.actor);
  }

  /** The callback's query, checked: the realm to connect, or why nothing happens. */
  private async checkCallback(input: CallbackInput): Promise<string | Failed> {
    const q = (k: string) => (typeof input.query[k] === 'string' ? (input.query[k] as string) : undefined);
    const state = q('state');
    // Burn the state whatever happens next: a callback URL is good for one try only.
    const stateCheck = state ? await this.deps.states.consume(state, input.sessionId) : 'unknown';
    if (q('error')) {
      this.deps.logger.info({ error: q('error'), stateCheck }, 'QuickBooks connect refused at Intuit');
      return failed(q('error') === 'access_denied' ? MESSAGES.refused : MESSAGES.exchange);
    }
    if (stateCheck !== 'ok') {
      this.deps.logger.warn({ stateCheck }, 'QuickBooks callback with a bad state');
      return failed(MESSAGES.badState);
    }
    const realmId = q('realmId');
    if (!realmId || !/^\d{1,32}$/.test(realmId) || !q('code')) return failed(MESSAGES.noRealm);
    const blocked = await this.blocked();
    if (blocked) return failed(blocked);
    return realmId;
  }

  /** Why no connect may go ahead now: a company is connected, or a switch awaits the admin's answer. */
  private async blocked(): Promise<string | undefined> {
    if (await this.deps.connections.active()) return MESSAGES.alreadyConnected;
    const pending = await this.deps.connections.pendingSwitch();
    return pending ? MESSAGES.switchPending(pending.companyName ?? pending.realmId) : undefined;
  }

  /** The code for tokens, and the company's name read with the new access token. */
  private async exchange(
    realmId: string,
    callbackUrl: string,
  ): Promise<{ tokens: Tokens; companyName: string | null } | Failed> {
    try {
      const tokens = await this.deps.oauth.exchangeCode(callbackUrl);
      this.deps.client.reopen(realmId);
      const info = await this.deps.client.companyInfo(realmId, { accessToken: tokens.accessToken });
      return { tokens, companyName: info?.CompanyName ?? info?.LegalName ?? null };
    } catch (err) {
      if (!(err instanceof QuickBooksError)) throw err;
      this.deps.logger.warn({ code: err.code, intuitTid: err.intuitTid }, 'QuickBooks connect failed');
      return failed(MESSAGES.exchange);
    }
  }

  /** Stores the tokens: connected, or pending a switch when another company was linked before. */
  private async store(
    realmId: string,
    granted: { tokens: Tokens; companyName: string | null },
    actor: Actor,
  ): Promise<CallbackOutcome> {
    const stored = await this.deps.locks.withLock('qbo-connection-change', async () => {
      // Checked again under the lease: another callback (on any instance) may have stored meanwhile.
      const blocked = await this.blocked();
      return blocked ? failed(blocked) : this.save(realmId, granted, actor);
    });
    if (stored.kind === 'failed') {
      // The grant this callback obtained is not kept: give it back to Intuit.
      await this.deps.revokes.revoke(
        { realmId, companyName: granted.companyName, refreshToken: granted.tokens.refreshToken },
        'switch_cancelled',
      );
      return stored;
    }
    if (stored.kind === 'connected')
      await this.deps.lifecycle.connected(realmId, { reconnect: stored.reconnect });
    return stored;
  }

  private async save(
    realmId: string,
    { tokens, companyName }: { tokens: Tokens; companyName: string | null },
    actor: Actor,
  ): Promise<CallbackOutcome> {
    const previous = await this.deps.connections.latest();
    const known = await this.deps.connections.findByRealm(realmId);
    const otherCompany =
      previous && previous.realmId !== realmId && previous.status !== 'archived' ? previous : undefined;
    const status = otherCompany ? 'pending_switch' : 'connected';
    const connection = await this.deps.transaction(async (trx) => {
      const saved = await this.deps.connections.saveConnected(
        { realmId, companyName, environment: this.deps.environment, status, user: actor, tokens },
        trx,
      );
      if (status === 'connected') {
        const verb = known ? 'Reconnected' : 'Connected';
        await this.deps.audit.record(
          {
            action: known ? 'quickbooks.reconnected' : 'quickbooks.connected',
            summary: `${verb} QuickBooks company ${companyName ?? realmId}`,
            actor,
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
    return { kind: 'connected', connection, reconnect: Boolean(known) };
  }
}
