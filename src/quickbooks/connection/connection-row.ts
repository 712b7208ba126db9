/**
 * A qbo_connections row and the two ways it is read (the connection; its decrypted credentials) and its
 * token columns written (sealed by the cipher, expiry times from Intuit's lifetimes in seconds).
 */
import type { TokenCipher } from '../intuit/token-cipher.js';
import type { Connection, ConnectionStatus, Credentials, TokenSet } from './connection-types.js';

export interface ConnectionRow {
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
  generation: number;
}

export function toConnection(row: ConnectionRow): Connection {
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
    generation: Number(row.generation ?? 0),
  };
}

/** The row's credentials, decrypted; nothing when they were deleted. */
export function toCredentials(row: ConnectionRow, cipher: TokenCipher): Credentials | undefined {
  if (!row.access_token_enc || !row.refresh_token_enc || !row.access_expires_at) return undefined;
  return {
    accessToken: cipher.open(row.access_token_enc),
    refreshToken: cipher.open(row.refresh_token_enc),
    accessExpiresAt: row.access_expires_at,
    refreshExpiresAt: row.refresh_expires_at,
    refreshHardExpiresAt: row.refresh_hard_expires_at,
    refreshTokenIssuedAt: row.refresh_token_issued_at,
    tokenVersion: Number(row.token_version),
  };
}

export const CLEARED_CREDENTIALS = {
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

/** The token columns for a fresh token set, sealed. */
export function tokenColumns(cipher: TokenCipher, tokens: TokenSet, now: Date) {
  return {
    access_token_enc: cipher.seal(tokens.accessToken),
    refresh_token_enc: cipher.seal(tokens.refreshToken),
    access_expires_at: plusSeconds(now, tokens.expiresIn),
    refresh_expires_at: plusSeconds(now, tokens.refreshExpiresIn),
    // Intuit reports the 5-year cap only when asked; a refresh without it keeps the known value.
    ...(tokens.refreshHardExpiresIn === undefined
      ? {}
      : { refresh_hard_expires_at: plusSeconds(now, tokens.refreshHardExpiresIn) }),
  };
}
