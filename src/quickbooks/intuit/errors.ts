/** What Intuit's answers mean to Heavy AV. Only QuickBooksRevokedError ever clears a connection. */
import { AppError } from '../../http/errors.js';

interface Details {
  intuitTid?: string | null;
  code?: string;
  status?: number;
  cause?: unknown;
}

export class QuickBooksError extends AppError {
  readonly intuitTid: string | null;
  readonly faultCode: string | undefined;
  readonly httpStatus: number | undefined;
  constructor(message: string, code: string, status: number, details: Details = {}) {
    super(message, { status, code, expose: true, cause: details.cause });
    this.intuitTid = details.intuitTid ?? null;
    this.faultCode = details.code;
    this.httpStatus = details.status;
  }
}

/** Intuit answered invalid_grant to a refresh: the app's access was revoked (or expired for good). */
export class QuickBooksRevokedError extends QuickBooksError {
  constructor(details: Details = {}) {
    super(
      'QuickBooks access was revoked. An admin needs to connect again.',
      'quickbooks_revoked',
      409,
      details,
    );
  }
}

/** No live connection for this company (never connected, disconnected, or revoked). */
export class QuickBooksNotConnectedError extends QuickBooksError {
  constructor(realmId?: string) {
    super(
      `QuickBooks is not connected${realmId ? ` (company ${realmId})` : ''}.`,
      'quickbooks_not_connected',
      409,
    );
  }
}

/** The settings that decide whether stored tokens can be decrypted. */
export const TOKEN_KEY_SETTINGS = 'TOKEN_ENCRYPTION_KEY and TOKEN_ENCRYPTION_PREVIOUS_KEYS';

/**
 * The stored tokens were sealed with a key this instance does not have (TOKEN_ENCRYPTION_KEY changed and
 * the old one is not among the previous keys): no call can be made. Work waits as for a disconnect.
 */
export class QuickBooksTokensUnreadableError extends QuickBooksError {
  constructor(realmId: string) {
    super(
      `Heavy AV cannot decrypt its stored QuickBooks tokens for company ${realmId}. Check ${TOKEN_KEY_SETTINGS} (the same on every instance), or forget the connection on the QuickBooks page and connect again.`,
      'quickbooks_tokens_unreadable',
      409,
    );
  }
}

/** 5xx, timeout, refused or dropped connection: try again later. Never a revocation. */
export class QuickBooksUnavailableError extends QuickBooksError {
  constructor(message: string, details: Details = {}) {
    super(message, 'quickbooks_unavailable', 503, details);
  }
}

/** 429 ThrottleExceeded (or our own limiter giving up): back off. */
export class QuickBooksThrottledError extends QuickBooksError {
  constructor(details: Details = {}) {
    super(
      'QuickBooks asked us to slow down. The work will be retried.',
      'quickbooks_throttled',
      503,
      details,
    );
  }
}

/** Fault 5010: the SyncToken we sent is old. Re-read, re-apply, retry. */
export class QuickBooksStaleObjectError extends QuickBooksError {
  constructor(details: Details = {}) {
    super('The record changed in QuickBooks since we last read it.', 'quickbooks_stale_object', 409, details);
  }
}

/** A validation or business Fault (2xxx, 6xxx, 610 …): the request itself must change. */
export class QuickBooksValidationError extends QuickBooksError {
  readonly faults: { code: string; message: string; detail?: string; element?: string }[];
  constructor(
    message: string,
    faults: { code: string; message: string; detail?: string; element?: string }[],
    details: Details = {},
  ) {
    super(message, 'quickbooks_validation', 422, details);
    this.faults = faults;
  }
}

/** 401/403 that a refresh did not cure, or a permissions problem (403 AuthorizationFailed). */
export class QuickBooksAuthError extends QuickBooksError {
  constructor(message: string, details: Details = {}) {
    super(message, 'quickbooks_auth', 502, details);
  }
}

/** The company is not connected (any more): work for it waits for a reconnect instead of being retried. */
export function isDisconnected(err: unknown): boolean {
  return (
    err instanceof QuickBooksError &&
    ['quickbooks_not_connected', 'quickbooks_revoked', 'quickbooks_tokens_unreadable'].includes(err.code)
  );
}

/** Intuit's Fault code of a typed error, else the error's own code (ours, or a Node system error's). */
export function errorCodeOf(err: unknown): string | undefined {
  if (err instanceof QuickBooksError) return err.faultCode ?? err.code;
  const code = err && typeof err === 'object' && 'code' in err ? err.code : undefined;
  return typeof code === 'string' ? code : undefined;
}
