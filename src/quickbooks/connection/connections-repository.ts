/** The stored QuickBooks connections (one row per company ever connected) and their sealed tokens. */
import type { Knex } from 'knex';
import { nowIso } from '../../db/index.js';
import { QuickBooksTokensUnreadableError } from '../intuit/errors.js';
import type { TokenCipher } from '../intuit/token-cipher.js';
import {
  CLEARED_CREDENTIALS,
  type ConnectionRow,
  toConnection,
  toCredentials,
  tokenColumns,
} from './connection-row.js';
import type { Connection, Credentials, TokenSet } from './connection-types.js';

/** Where a connection stands, as every instance follows it (decision 010). */
export interface ConnectionState {
  realmId: string;
  status: Connection['status'];
  generation: number;
}

/** Statuses whose credentials may be used for calls. */
const LIVE = ['connected', 'pending_switch'] as const;

export class ConnectionsRepository {
  constructor(
    private readonly db: Knex,
    private readonly cipher: TokenCipher,
  ) {}

  /** The company currently connected (at most one), if any. */
  async active(trx: Knex = this.db): Promise<Connection | undefined> {
    const row = await trx<ConnectionRow>('qbo_connections').where({ status: 'connected' }).first();
    return row ? toConnection(row) : undefined;
  }

  async pendingSwitch(): Promise<Connection | undefined> {
    const row = await this.db<ConnectionRow>('qbo_connections').where({ status: 'pending_switch' }).first();
    return row ? toConnection(row) : undefined;
  }

  async findByRealm(realmId: string, trx: Knex = this.db): Promise<Connection | undefined> {
    const row = await trx<ConnectionRow>('qbo_connections').where({ realm_id: realmId }).first();
    return row ? toConnection(row) : undefined;
  }

  /** The most recently connected company, whatever its status (for "same company?" and the banner). */
  async latest(trx: Knex = this.db): Promise<Connection | undefined> {
    const row = await trx<ConnectionRow>('qbo_connections')
      .orderBy([
        { column: 'connected_at', order: 'desc', nulls: 'last' },
        { column: 'id', order: 'desc' },
      ])
      .first();
    return row ? toConnection(row) : undefined;
  }

  async all(): Promise<Connection[]> {
    return (await this.db<ConnectionRow>('qbo_connections').orderBy('id')).map(toConnection);
  }

  /** One more than every generation stored: a state change is seen by every instance as new. */
  private nextGeneration(trx: Knex) {
    return trx.raw('(select coalesce(max(generation), 0) + 1 from qbo_connections)');
  }

  /** Every company's state and generation: what the instances poll (a tiny read). */
  async states(): Promise<ConnectionState[]> {
    const rows = await this.db('qbo_connections').select('realm_id', 'status', 'generation');
    return rows.map((r: { realm_id: string; status: Connection['status']; generation: number }) => ({
      realmId: r.realm_id,
      status: r.status,
      generation: Number(r.generation),
    }));
  }

  /** The credentials for calls: only while the company is connected (or its switch awaits confirmation). */
  async credentials(realmId: string, trx: Knex = this.db): Promise<Credentials | undefined> {
    const row = await trx<ConnectionRow>('qbo_connections')
      .where({ realm_id: realmId })
      .whereIn('status', LIVE)
      .first();
    return row ? this.open(row) : undefined;
  }

  /** Decrypted, or a typed error naming the settings to check (never a bare crypto error, never a 500). */
  private open(row: ConnectionRow): Credentials | undefined {
    try {
      return toCredentials(row, this.cipher);
    } catch {
      throw new QuickBooksTokensUnreadableError(row.realm_id);
    }
  }

  /** Companies holding tokens this instance cannot decrypt (the wrong TOKEN_ENCRYPTION_KEY). */
  async unreadable(): Promise<Connection[]> {
    const rows = await this.db<ConnectionRow>('qbo_connections').whereNotNull('refresh_token_enc');
    return rows
      .filter(
        (r) =>
          !this.cipher.canOpen(r.refresh_token_enc!) ||
          (r.access_token_enc !== null && !this.cipher.canOpen(r.access_token_enc)),
      )
      .map(toConnection);
  }

  /** The credentials whatever the status (a disconnect in progress revokes with them). */
  async heldCredentials(realmId: string, trx: Knex = this.db): Promise<Credentials | undefined> {
    const row = await trx<ConnectionRow>('qbo_connections').where({ realm_id: realmId }).first();
    return row ? this.open(row) : undefined;
  }

  /**
   * First step of a disconnect: no instance starts a call for the company from now on (credentials() no
   * longer hands them out), while the tokens stay for the revoke. False if it was not connected.
   */
  async markDisconnecting(realmId: string, trx: Knex = this.db): Promise<number | undefined> {
    const updated = await trx('qbo_connections')
      .where({ realm_id: realmId, status: 'connected' })
      .update({ status: 'disconnecting', generation: this.nextGeneration(trx), updated_at: nowIso() });
    if (Number(updated) !== 1) return undefined;
    return (await this.findByRealm(realmId, trx))?.generation;
  }

  /** Stores a new connection (or re-activates a known realm) with fresh credentials. */
  async saveConnected(
    input: {
      realmId: string;
      companyName: string | null;
      environment: string;
      status: 'connected' | 'pending_switch';
      user: { id: number; email: string };
      tokens: TokenSet;
    },
    trx: Knex = this.db,
  ): Promise<Connection> {
    const now = new Date();
    const columns = {
      company_name: input.companyName,
      environment: input.environment,
      status: input.status,
      connected_at: now.toISOString(),
      connected_by_user_id: input.user.id,
      connected_by_email: input.user.email,
      disconnected_at: null,
      disconnect_reason: null,
      refresh_hard_expires_at: null,
      ...tokenColumns(this.cipher, input.tokens, now),
      refresh_token_issued_at: now.toISOString(),
      last_refresh_at: now.toISOString(),
      updated_at: now.toISOString(),
      generation: this.nextGeneration(trx),
    };
    const existing = await this.findByRealm(input.realmId, trx);
    if (existing) {
      await trx('qbo_connections')
        .where({ id: existing.id })
        .update({ ...columns, token_version: existing.tokenVersion + 1 });
    } else {
      await trx('qbo_connections').insert({
        realm_id: input.realmId,
        ...columns,
        token_version: 1,
        created_at: now.toISOString(),
      });
    }
    return (await this.findByRealm(input.realmId, trx))!;
  }

  /**
   * Stores refreshed tokens only if nobody else wrote since `expectedVersion` (compare-and-swap), and only
   * while the connection is still live. Returns false when the write lost.
   */
  async saveRefreshed(
    realmId: string,
    expectedVersion: number,
    tokens: TokenSet,
    rotated: boolean,
  ): Promise<boolean> {
    const now = new Date();
    const updated = await this.db('qbo_connections')
      .where({ realm_id: realmId, token_version: expectedVersion })
      // A disconnect in progress still keeps a rotated refresh token: it is the one its revoke must use.
      .whereIn('status', [...LIVE, 'disconnecting'])
      .whereNotNull('refresh_token_enc')
      .update({
        ...tokenColumns(this.cipher, tokens, now),
        ...(rotated ? { refresh_token_issued_at: now.toISOString() } : {}),
        last_refresh_at: now.toISOString(),
        token_version: expectedVersion + 1,
        updated_at: now.toISOString(),
      });
    return Number(updated) === 1;
  }

  /** Deletes the credentials and marks why. The row (realm, company name, history) stays. */
  async clearCredentials(
    realmId: string,
    status: 'disconnected' | 'revoked',
    reason: string,
    trx: Knex = this.db,
  ): Promise<boolean> {
    const now = nowIso();
    const updated = await trx('qbo_connections')
      .where({ realm_id: realmId })
      .update({
        ...CLEARED_CREDENTIALS,
        status,
        disconnect_reason: reason,
        disconnected_at: now,
        token_version: this.db.raw('token_version + 1'),
        generation: this.nextGeneration(trx),
        updated_at: now,
      });
    return Number(updated) === 1;
  }

  async markSynced(realmId: string, at: string = nowIso()): Promise<void> {
    await this.db('qbo_connections')
      .where({ realm_id: realmId })
      .update({ last_sync_at: at, updated_at: nowIso() });
  }

  async activate(realmId: string, trx: Knex = this.db): Promise<void> {
    await trx('qbo_connections')
      .where({ realm_id: realmId })
      .update({ status: 'connected', generation: this.nextGeneration(trx), updated_at: nowIso() });
  }

  /** Archives every company but this one (a confirmed switch); returns the realms archived. */
  async archiveOthers(keepRealmId: string, trx: Knex = this.db): Promise<string[]> {
    const others = (
      await trx('qbo_connections')
        .whereNot({ realm_id: keepRealmId })
        .whereNot({ status: 'archived' })
        .select('realm_id')
    ).map((r: { realm_id: string }) => r.realm_id);
    if (others.length) {
      await trx('qbo_connections')
        .whereIn('realm_id', others)
        .update({
          status: 'archived',
          access_token_enc: null,
          refresh_token_enc: null,
          access_expires_at: null,
          refresh_expires_at: null,
          refresh_hard_expires_at: null,
          generation: this.nextGeneration(trx),
          updated_at: nowIso(),
        });
    }
    return others;
  }

  /** Forgets a company entirely (a cancelled switch to a company never connected before). */
  async remove(realmId: string, trx: Knex = this.db): Promise<void> {
    await trx('qbo_connections').where({ realm_id: realmId }).del();
  }

  async rename(realmId: string, companyName: string, trx: Knex = this.db): Promise<void> {
    await trx('qbo_connections').where({ realm_id: realmId }).update({ company_name: companyName });
  }
}
