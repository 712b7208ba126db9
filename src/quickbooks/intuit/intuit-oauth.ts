/**
 * Intuit's OAuth 2.0 through Intuit's own client, `intuit-oauth`, with its sharp edges filed off:
 * - its endpoints are static, process-wide properties: we set ours right before each call (the library
 *   reads them synchronously when it builds the request), so the configured Intuit is always the one used;
 * - its built-in retries (~7 s of 1/2/4 s back-off) are off: our callers decide when to try again;
 * - its failures are plain Errors: we turn them into typed errors, and only a 400 `invalid_grant` means revoked;
 * - a 200 without tokens (malformed body) is refused instead of storing `undefined` tokens.
 */
import axios from 'axios';
import OAuthClient from 'intuit-oauth';
import type { TokenSet } from '../connection/connection-types.js';
import type { IntuitEndpoints } from './endpoints.js';
import {
  QuickBooksAuthError,
  QuickBooksError,
  QuickBooksRevokedError,
  QuickBooksThrottledError,
  QuickBooksUnavailableError,
} from './errors.js';

export const SCOPES = ['com.intuit.quickbooks.accounting'];

export interface IntuitOAuthOptions {
  endpoints: IntuitEndpoints;
  clientId: string;
  clientSecret: string;
  redirectUri: string;
  timeoutMs: number;
}

interface IntuitOAuthErrorShape {
  error?: string;
  error_description?: string;
  intuit_tid?: string;
  originalMessage?: string;
  authResponse?: { response?: { status?: number } | string; getIntuitTid?: () => string };
}

/** What intuit-oauth's token calls resolve to (the parts read here). */
interface TokenResponse {
  json?: unknown;
  getJson?: () => unknown;
  getIntuitTid?: () => string;
}

export type RevokeOutcome = 'revoked' | 'already_revoked';

function statusOf(err: IntuitOAuthErrorShape): number | undefined {
  const response = err.authResponse?.response;
  if (response && typeof response === 'object' && typeof response.status === 'number') return response.status;
  const m = /status code (\d{3})/.exec(err.originalMessage ?? '');
  return m ? Number(m[1]) : undefined;
}

function toTokenSet(body: unknown): TokenSet {
  const json = body && typeof body === 'object' ? (body as Record<string, unknown>) : {};
  if (typeof json.access_token !== 'string' || typeof json.refresh_token !== 'string') {
    throw new QuickBooksUnavailableError('Intuit answered without tokens (malformed response).');
  }
  const num = (v: unknown) =>
    v === undefined || v === null || v === '' || Number(v) === 0 ? undefined : Number(v);
  return {
    accessToken: json.access_token,
    refreshToken: json.refresh_token,
    expiresIn: num(json.expires_in) ?? 3600,
    refreshExpiresIn: num(json.x_refresh_token_expires_in),
    refreshHardExpiresIn: num(json.x_refresh_token_hard_expires_in),
  };
}

export class IntuitOAuth {
  private readonly client: InstanceType<typeof OAuthClient>;

  constructor(private readonly options: IntuitOAuthOptions) {
    this.client = new OAuthClient({
      clientId: options.clientId,
      clientSecret: options.clientSecret,
      environment: options.endpoints.environment === 'production' ? 'production' : 'sandbox',
      redirectUri: options.redirectUri,
      // Ask Intuit for the 5-year hard expiry so the card can show it.
      includeRefreshTokenHardExpiresIn: true,
    });
  }

  /** Points intuit-oauth's process-wide endpoints at our Intuit, just before a call. */
  private point(): void {
    const e = this.options.endpoints;
    const C = OAuthClient;
    C.authorizeEndpoint = e.authorize;
    C.tokenEndpoint = e.token;
    C.revokeEndpoint = e.revoke;
    C.userinfo_endpoint_sandbox = e.userinfo;
    C.userinfo_endpoint_production = e.userinfo;
    C.retryConfig.maxRetries = 0;
    // intuit-oauth gives axios no timeout; a hung Intuit must not hang a request (or a lock) forever.
    axios.defaults.timeout = this.options.timeoutMs;
  }

  authorizeUri(state: string): string {
    this.point();
    return this.client.authorizeUri({ scope: SCOPES, state });
  }

  exchangeCode(callbackUrl: string): Promise<TokenSet & { intuitTid: string | null }> {
    return this.tokenCall('exchange', () => this.client.createToken(callbackUrl));
  }

  refresh(refreshToken: string): Promise<TokenSet & { intuitTid: string | null }> {
    return this.tokenCall('refresh', () => this.client.refreshUsingToken(refreshToken));
  }

  /** A call that answers with a token set (code exchange, refresh), its failures classified. */
  private async tokenCall(
    what: string,
    call: () => Promise<TokenResponse>,
  ): Promise<TokenSet & { intuitTid: string | null }> {
    this.point();
    try {
      const res = await call();
      return { ...toTokenSet(res?.json ?? res?.getJson?.()), intuitTid: res?.getIntuitTid?.() || null };
    } catch (err) {
      throw this.classify(err, what);
    }
  }

  /** Revokes the grant. Intuit answers 400 (often with an empty body) for a token that is already dead. */
  async revoke(token: string): Promise<{ outcome: RevokeOutcome; intuitTid: string | null }> {
    this.point();
    try {
      const res = await this.client.revoke({ refresh_token: token });
      return { outcome: 'revoked', intuitTid: res?.getIntuitTid?.() || null };
    } catch (err) {
      const e = err as IntuitOAuthErrorShape;
      const status = statusOf(e);
      // A 400 only: a 5xx whose body says invalid_grant did not revoke anything (it is retried).
      if (status === 400) {
        return { outcome: 'already_revoked', intuitTid: e.intuit_tid || null };
      }
      throw this.classify(err, 'revoke');
    }
  }

  private classify(err: unknown, what: string): QuickBooksError {
    if (err instanceof QuickBooksError) return err;
    const e = (err ?? {}) as IntuitOAuthErrorShape;
    const intuitTid = e.intuit_tid || null;
    const status = statusOf(e);
    // SPEC: only a 400 invalid_grant means revoked. A 5xx (or no answer) whose body happens to say
    // invalid_grant is an outage like any other: the connection stays and the call is tried again later.
    if (e.error === 'invalid_grant' && status === 400)
      return new QuickBooksRevokedError({ intuitTid, status, code: 'invalid_grant' });
    if (e.error === 'invalid_client' || status === 401) {
      return new QuickBooksAuthError(
        `Intuit refused Heavy AV's client id or secret (${what}). Check INTUIT_CLIENT_ID/SECRET.`,
        {
          intuitTid,
          status,
          code: 'invalid_client',
        },
      );
    }
    if (status === 429) return new QuickBooksThrottledError({ intuitTid, status });
    if (status === 400 && what === 'exchange') {
      return new QuickBooksAuthError('Intuit did not accept the authorization code (it may have expired).', {
        intuitTid,
        status,
        code: e.error || 'invalid_request',
      });
    }
    // 5xx, timeouts, refused or dropped connections, and any other surprise: Intuit may be down. Not a
    // revocation; the caller keeps the connection and tries again later.
    return new QuickBooksUnavailableError(
      `Intuit could not be reached for the token ${what} (${status ?? e.originalMessage ?? 'no answer'}).`,
      {
        intuitTid,
        status,
        cause: err,
      },
    );
  }
}
