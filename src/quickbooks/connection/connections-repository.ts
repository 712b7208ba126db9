import type { Knex } from 'knex';
import { nowIso } from '../../db/index.js';
import type { TokenCipher } from '../intuit/token-cipher.js';

export type ConnectionStatus = 'connected' | 'pending_switch' | 'disconnected' | 'revoked' | 'archived';

export interface Connection {
  id: number;
  realmId: string;
  companyName: string | null;
  environment: string;
  status: ConnectionStatus;
  connectedAt: string | null;
  connectedByUserId: number | null;
  connectedByEmail: string | null;
  disconnectedAt: string | null;
  disconnectReason: string | null;
  hasCredentials: boolean;
  accessExpiresAt: string | null;
  refreshExpiresAt: string | null;
  refreshHardExpiresAt: string | null;
  refreshTokenIssuedAt: string | null;
  lastRefreshAt: string | null;
  lastSyncAt: string | null;
  tokenVersion: number;
}

/** Decrypted credentials: only ever in memory, only inside quickbooks/. */
export interface Credentials {
  accessToken: string;
  refreshToken: string;
  accessExpiresAt: string;
  refreshExpiresAt: string | null;
  refreshHardExpiresAt: string | null;
  refreshTokenIssuedAt: string | null;
  tokenVersion: number;
}

export interface TokenSet {
  accessToken: string;
  refreshToken: string;
  /** seconds */
  expiresIn: number;
  refreshExpiresIn?: number;
  refreshHardExpiresIn?: number;
}

interface ConnectionRow {
  id: number;
  realm_id: string;
  company_name: string | null;
  environment: string;
  status: ConnectionStatus;
  connected_at: string | null;
  connected_by_user_id: number | null;
  connected_by_email: string | null;
  disconnected_at: string | null;
  disconnect_reason: string | null;
  access_token_enc: string | null;
  refresh_token_enc: string | null;
  access_expires_at: string | null;
  refresh_expires_at: string | null;
  refresh_hard_expires_at: string | null;
  refresh_token_issued_at: string | null;
  last_refresh_at: string | null;
  last_sync_at: string | null;
  token_version: number;
}

function toConnection(row: ConnectionRow): Connection {
  return {
    id: Number(row.id),
    realmId: row.realm_id,
    companyName: row.company_name,
    environment: row.environment,
    status: row.status,
    connectedAt: row.connected_at,
    connectedByUserId: row.connected_by_user_id === null ? null : Number(row.connected_by_user_id),
    connectedByEmail: row.connected_by_email,
    disconnectedAt: row.disconnected_at,
    disconnectReason: row.disconnect_reason,
    hasCredentials: Boolean(row.refresh_token_enc),
    accessExpiresAt: row.access_expires_at,
    refreshExpiresAt: row.refresh_expires_at,
    refreshHardExpiresAt: row.refresh_hard_expires_at,
    refreshTokenIssuedAt: row.refresh_token_issued_at,
    lastRefreshAt: row.last_refresh_at,
    lastSyncAt: row.last_sync_at,
    tokenVersion: Number(row.token_version),
  };
}

const CLEARED_CREDENTIALS = {
  access_token_enc: null,
  refresh_token_enc: null,
  access_expires_at: null,
  refresh_expires_at: null,
  refresh_hard_expires_at: null,
  refresh_token_issued_at: null,
};

function plusSeconds(now: Date, seconds: number | undefined): string | null {
  return seconds === undefined || !Number.isFinite(seconds)
    ? null
    : new Date(now.getTime() + seconds * 1000).toISOString();
}

export class ConnectionsRepository {
  constructor(
    private readonly db: Knex,
    private readonly cipher: TokenCipher,
  ) {}

  private tokenColumns(tokens: TokenSet, now: Date) {
    return {
      access_token_enc: this.cipher.seal(tokens.accessToken),
      refresh_token_enc: this.cipher.seal(tokens.refreshToken),
      access_expires_at: plusSeconds(now, tokens.expiresIn),
      refresh_expires_at: plusSeconds(now, tokens.refreshExpiresIn),
      // Intuit reports the 5-year cap only when asked; a refresh without it keeps the known value.
      ...(tokens.refreshHardExpiresIn === undefined
        ? {}
        : { refresh_hard_expires_at: plusSeconds(now, tokens.refreshHardExpiresIn) }),
    };
  }

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

  async credentials(realmId: string, trx: Knex = this.db): Promise<Credentials | undefined> {
    const row = await trx<ConnectionRow>('qbo_connections').where({ realm_id: realmId }).first();
    if (!row?.access_token_enc || !row.refresh_token_enc || !row.access_expires_at) return undefined;
    return {
      accessToken: this.cipher.open(row.access_token_enc),
      refreshToken: this.cipher.open(row.refresh_token_enc),
      accessExpiresAt: row.access_expires_at,
      refreshExpiresAt: row.refresh_expires_at,
      refreshHardExpiresAt: row.refresh_hard_expires_at,
      refreshTokenIssuedAt: row.refresh_token_issued_at,
      tokenVersion: Number(row.token_version),
    };
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
      ...this.tokenColumns(input.tokens, now),
      refresh_token_issued_at: now.toISOString(),
      last_refresh_at: now.toISOString(),
      updated_at: now.toISOString(),
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
      .whereIn('status', ['connected', 'pending_switch'])
      .whereNotNull('refresh_token_enc')
      .update({
        ...this.tokenColumns(tokens, now),
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
      .update({ status: 'connected', updated_at: nowIso() });
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
      await trx('qbo_connections').whereIn('realm_id', others).update({
        status: 'archived',
        access_token_enc: null,
        refresh_token_enc: null,
        access_expires_at: null,
        refresh_expires_at: null,
        refresh_hard_expires_at: null,
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
