/** A QuickBooks connection and its tokens, as the rest of the wing sees them (plain objects, camelCase). */

/**
 * `disconnecting`: a disconnect has begun (no instance starts a call; the instances' calls already sent are
 * being answered); the credentials are still held, for the revoke that follows.
 */
export type ConnectionStatus =
  | 'connected'
  | 'pending_switch'
  | 'disconnecting'
  | 'disconnected'
  | 'revoked'
  | 'archived';

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
  /** Bumped at every change of state, to above every other row's: what each instance follows (decision 010). */
  generation: number;
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

/** What Intuit hands over on a code exchange or a refresh. */
export interface TokenSet {
  accessToken: string;
  refreshToken: string;
  /** seconds */
  expiresIn: number;
  refreshExpiresIn?: number;
  refreshHardExpiresIn?: number;
}
