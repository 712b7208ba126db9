import { randomBytes, randomUUID } from 'node:crypto';
import type { Clock } from './clock.js';
import type { EmulatorConfig } from './config.js';

/** One app's authorization for one company: what My Apps lists and what revocation kills. */
export interface Grant {
  id: string;
  realmId: string;
  clientId: string;
  scope: string[];
  /** Intuit time of the consent. */
  createdAt: number;
  revokedAt?: number;
  /** The 5-year cap counts from the original consent, not from the latest refresh. */
  hardExpiresAt: number;
  currentRefresh: string;
  sub: string;
}

interface RefreshRecord {
  grant: Grant;
  expiresAt: number;
  supersededAt?: number;
}

interface AccessRecord {
  grant: Grant;
  expiresAt: number;
}

interface CodeRecord {
  clientId: string;
  redirectUri: string;
  realmId: string;
  scope: string[];
  expiresAt: number;
  used: boolean;
}

export type AccessCheck = { ok: true; grant: Grant } | { ok: false; detail: string };
export type GrantResult =
  | { ok: true; grant: Grant; accessToken: string }
  | { ok: false; description: string };

const CODE_TTL_MS = 10 * 60_000;

/**
 * Token bookkeeping. Tokens are opaque random strings mapped to records; nothing is encoded in them, so a
 * client can only learn a token's fate by asking, exactly as with Intuit.
 */
export class GrantStore {
  private readonly codes = new Map<string, CodeRecord>();
  private readonly refresh = new Map<string, RefreshRecord>();
  private readonly access = new Map<string, AccessRecord>();
  private readonly grants: Grant[] = [];

  constructor(
    private readonly clock: Clock,
    private readonly config: EmulatorConfig,
  ) {}

  issueCode(clientId: string, redirectUri: string, realmId: string, scope: string[]): string {
    // Intuit's codes look like "AB11…"; length well under the documented 512-char ceiling.
    const code = `AB11${randomBytes(24).toString('base64url')}`;
    this.codes.set(code, {
      clientId,
      redirectUri,
      realmId,
      scope,
      expiresAt: this.clock.now() + CODE_TTL_MS,
      used: false,
    });
    return code;
  }

  /** authorization_code grant: single use, 10 minutes, bound to the client and the redirect_uri. */
  redeemCode(code: string, clientId: string, redirectUri: string): GrantResult {
    const record = this.codes.get(code);
    if (!record) return { ok: false, description: 'Invalid authorization code' };
    if (record.used) return { ok: false, description: 'Authorization code has already been used' };
    record.used = true;
    if (this.clock.now() >= record.expiresAt) return { ok: false, description: 'Authorization code expired' };
    if (record.clientId !== clientId)
      return { ok: false, description: 'Authorization code issued to another client' };
    if (record.redirectUri !== redirectUri) return { ok: false, description: 'redirect_uri mismatch' };
    const now = this.clock.now();
    const grant: Grant = {
      id: randomUUID(),
      realmId: record.realmId,
      clientId,
      scope: record.scope,
      createdAt: now,
      hardExpiresAt: now + this.config.refreshTokenHardTtlSeconds * 1000,
      currentRefresh: '',
      sub: randomUUID(),
    };
    this.grants.push(grant);
    this.rotate(grant);
    return { ok: true, grant, accessToken: this.issueAccess(grant) };
  }

  /**
   * refresh_token grant. The current token rotates (a new one is issued, the old one is superseded and lives
   * on for `refreshGraceSeconds`); a superseded token used during its grace gets the grant's current refresh
   * token back with a fresh access token, so a client that lost the newest token can still recover.
   */
  refreshGrant(token: string, clientId: string): GrantResult {
    const record = this.refresh.get(token);
    if (!record) return { ok: false, description: 'Token invalid' };
    const { grant } = record;
    const now = this.clock.now();
    if (grant.clientId !== clientId) return { ok: false, description: 'Token invalid' };
    if (grant.revokedAt !== undefined) return { ok: false, description: 'Token revoked' };
    if (now >= record.expiresAt || now >= grant.hardExpiresAt)
      return { ok: false, description: 'Token expired' };
    if (record.supersededAt !== undefined) {
      if (now >= record.supersededAt + this.config.refreshGraceSeconds * 1000) {
        return { ok: false, description: 'Token invalid' };
      }
      return { ok: true, grant, accessToken: this.issueAccess(grant) };
    }
    this.rotate(grant);
    return { ok: true, grant, accessToken: this.issueAccess(grant) };
  }

  /** The token endpoint's JSON, with Intuit's member names. */
  tokenResponse(grant: Grant, accessToken: string, includeHardExpiry: boolean): Record<string, unknown> {
    const now = this.clock.now();
    const rt = this.refresh.get(grant.currentRefresh)!;
    const body: Record<string, unknown> = {
      token_type: 'bearer',
      access_token: accessToken,
      expires_in: Math.round(this.config.accessTokenTtlSeconds),
      refresh_token: grant.currentRefresh,
      x_refresh_token_expires_in: Math.max(0, Math.round((rt.expiresAt - now) / 1000)),
    };
    if (includeHardExpiry) {
      body.x_refresh_token_hard_expires_in = Math.max(0, Math.round((grant.hardExpiresAt - now) / 1000));
    }
    return body;
  }

  checkAccess(token: string): AccessCheck {
    const record = this.access.get(token);
    if (!record) return { ok: false, detail: `Token invalid: ${abbreviate(token)}` };
    if (record.grant.revokedAt !== undefined)
      return { ok: false, detail: `Token revoked: ${abbreviate(token)}` };
    if (this.clock.now() >= record.expiresAt)
      return { ok: false, detail: `Token expired: ${abbreviate(token)}` };
    return { ok: true, grant: record.grant };
  }

  /**
   * Revoke endpoint: any token (refresh or access, even an expired one) of a live grant revokes the whole
   * grant. Unknown tokens and tokens of an already revoked grant report false (Intuit: 400, empty body).
   */
  revokeByToken(token: string, clientId: string): boolean {
    const grant = this.refresh.get(token)?.grant ?? this.access.get(token)?.grant;
    if (!grant || grant.clientId !== clientId || grant.revokedAt !== undefined) return false;
    grant.revokedAt = this.clock.now();
    return true;
  }

  /** Revokes every live grant of a company (My Apps Disconnect, or a silent revoke via the control API). */
  revokeRealm(realmId: string, clientId?: string): number {
    let count = 0;
    for (const grant of this.liveGrants()) {
      if (grant.realmId !== realmId || (clientId && grant.clientId !== clientId)) continue;
      grant.revokedAt = this.clock.now();
      count += 1;
    }
    return count;
  }

  /** Grants that are neither revoked nor past their refresh token's lifetime. */
  liveGrants(): Grant[] {
    const now = this.clock.now();
    return this.grants.filter((g) => {
      if (g.revokedAt !== undefined || now >= g.hardExpiresAt) return false;
      const rt = this.refresh.get(g.currentRefresh);
      return rt !== undefined && now < rt.expiresAt;
    });
  }

  hasLiveGrant(realmId: string): boolean {
    return this.liveGrants().some((g) => g.realmId === realmId);
  }

  private rotate(grant: Grant): void {
    const now = this.clock.now();
    const previous = this.refresh.get(grant.currentRefresh);
    if (previous) previous.supersededAt = now;
    const token = `RT1-${Math.floor(Math.random() * 90) + 10}-H0-${randomBytes(20).toString('base64url')}`;
    const expiresAt = Math.min(now + this.config.refreshTokenTtlSeconds * 1000, grant.hardExpiresAt);
    this.refresh.set(token, { grant, expiresAt });
    grant.currentRefresh = token;
  }

  private issueAccess(grant: Grant): string {
    // Shaped like Intuit's JWE access tokens (alg "dir", so the key segment is empty) but opaque.
    const token = [
      'eyJlbmMiOiJBMTI4Q0JDLUhTMjU2IiwiYWxnIjoiZGlyIn0',
      '',
      randomBytes(16).toString('base64url'),
      randomBytes(96).toString('base64url'),
      randomBytes(16).toString('base64url'),
    ].join('.');
    this.access.set(token, { grant, expiresAt: this.clock.now() + this.config.accessTokenTtlSeconds * 1000 });
    return token;
  }
}

function abbreviate(token: string): string {
  return token.length > 24 ? `${token.slice(0, 12)}…${token.slice(-8)}` : token;
}
