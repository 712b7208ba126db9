/**
 * The HTTP side of the one QuickBooks client (`client.ts` speaks entities on top of it). A chain of
 * outbound middleware, outermost first:
 *   gate        no request for a company that is being disconnected; calls not yet sent are stopped, and
 *               close() waits (briefly) for the answers to calls already sent
 *   record      intuit_tid, status and timing of every call, to the log and the caller's recorder
 *   faults      Intuit's answers → typed errors (stale object, throttled, unavailable, validation …)
 *   auth        access token (refreshed when near expiry); a 401 → one refresh → one retry
 *   limit       per-company limiter under Intuit's throttles
 *   transport   fetch with a timeout, minorversion, JSON
 * The token is fetched before the limiter lets the request go, not after: a request that holds one of the
 * ten concurrent slots should be on its way to Intuit, not waiting for the database (decision 014).
 */
import type { Logger } from '../../logger.js';
import {
  errorCodeOf,
  QuickBooksError,
  QuickBooksNotConnectedError,
  QuickBooksThrottledError,
} from './errors.js';
import { answerError } from './faults.js';
import type { Limiters } from './limiter.js';
import type { TokenManager } from './token-manager.js';
import { exchange } from './transport.js';

export const MINOR_VERSION = '75';

export interface QboRequest {
  realmId: string;
  method: 'GET' | 'POST';
  /** Path below /v3/company/{realmId}/, e.g. `invoice`, `invoice/12`, `query`, `batch`. */
  path: string;
  query?: Record<string, string>;
  body?: unknown;
  /** Intuit's idempotency key for writes: a repeat gets the original answer instead of a second write. */
  requestId?: string;
  signal?: AbortSignal;
  /** Use this token as it is (no refresh): only for the first call right after the code exchange. */
  accessToken?: string;
}

export interface QboResponse {
  status: number;
  body: unknown;
  intuitTid: string | null;
}

export interface CallRecord {
  realmId: string;
  method: string;
  path: string;
  status: number | null;
  intuitTid: string | null;
  requestId?: string;
  durationMs: number;
  errorCode?: string;
}

type Ctx = QboRequest & {
  /** The caller's own signal; `signal` (set by the gate) also fires when the company is closed. */
  callerSignal?: AbortSignal;
};
type Handler = (ctx: Ctx) => Promise<QboResponse>;
export type Middleware = (ctx: Ctx, next: Handler) => Promise<QboResponse>;

export interface QboClientDeps {
  apiBase: string;
  tokens: TokenManager;
  limiters: Limiters;
  logger: Logger;
  timeoutMs: number;
  onCall?: (record: CallRecord) => void;
  /** Back-off after a 429, in ms. */
  throttleBackoffMs?: number;
  /** How long close() waits for calls already sent to be answered (default: the timeout, at most 5 s). */
  closeGraceMs?: number;
}

/** A call whose request may already be on its way to Intuit. */
interface Sent {
  /** Aborts the fetch: the caller gets no answer, but what was sent may still reach Intuit. */
  controller: AbortController;
  /** Settles when the exchange is over (answer read, or failed). */
  over: Promise<void>;
}

export class QboHttp {
  private readonly closed = new Set<string>();
  /** Every call past the gate, per company: close() aborts them, so that none is sent from then on. */
  private readonly calls = new Map<string, Set<AbortController>>();
  /** Calls sent (fetch started) and not yet answered, per company. */
  private readonly sent = new Map<string, Set<Sent>>();
  private readonly chain: Handler;

  constructor(private readonly deps: QboClientDeps) {
    const middleware: Middleware[] = [this.gate, this.record, this.faults, this.auth, this.limit];
    this.chain = middleware.reduceRight<Handler>((next, mw) => (ctx) => mw(ctx, next), this.transport);
  }

  request(req: QboRequest): Promise<QboResponse> {
    return this.chain({ ...req });
  }

  /**
   * Stops every call for the company, so that nothing reaches Intuit for it once the disconnect has answered.
   * New calls fail at once, and so do calls not sent yet (waiting for the limiter, a token or a connection).
   * A call already sent cannot be taken back: aborting its fetch only drops our side of the connection,
   * while the request is on its way and Intuit acts on it when it gets there (after the revoke, perhaps).
   * So close() resolves once those calls are answered (and a token refresh running for the company is
   * over); whatever is still out after `closeGraceMs` is aborted and logged. Never rejects.
   */
  async close(realmId: string): Promise<void> {
    this.closed.add(realmId);
    const reason = new QuickBooksNotConnectedError(realmId);
    for (const controller of this.calls.get(realmId) ?? []) controller.abort(reason);
    const sent = [...(this.sent.get(realmId) ?? [])];
    const over = Promise.all([...sent.map((s) => s.over), this.deps.tokens.settled(realmId)]);
    const grace = this.deps.closeGraceMs ?? Math.min(this.deps.timeoutMs, 5_000);
    let timer: NodeJS.Timeout | undefined;
    const late = await Promise.race([
      over.then(() => false),
      new Promise<boolean>((resolve) => {
        timer = setTimeout(() => resolve(true), grace);
      }),
    ]);
    clearTimeout(timer);
    if (!late) return;
    const unanswered = sent.filter((s) => this.sent.get(realmId)?.has(s));
    this.deps.logger.warn(
      { realmId, unanswered: unanswered.length, graceMs: grace },
      'QuickBooks calls still unanswered when the company was closed: aborted (Intuit may still get them)',
    );
    for (const s of unanswered) s.controller.abort(reason);
  }

  reopen(realmId: string): void {
    this.closed.delete(realmId);
  }

  // ---- the chain ----
  private gate: Middleware = async (ctx, next) => {
    if (this.closed.has(ctx.realmId)) throw new QuickBooksNotConnectedError(ctx.realmId);
    const controller = new AbortController();
    const signals = ctx.signal ? [ctx.signal, controller.signal] : [controller.signal];
    const set = this.calls.get(ctx.realmId) ?? new Set<AbortController>();
    this.calls.set(ctx.realmId, set);
    set.add(controller);
    try {
      return await next({ ...ctx, callerSignal: ctx.signal, signal: AbortSignal.any(signals) });
    } finally {
      set.delete(controller);
    }
  };

  private record: Middleware = async (ctx, next) => {
    const started = Date.now();
    const base = {
      realmId: ctx.realmId,
      method: ctx.method,
      path: ctx.path.split('/')[0],
      requestId: ctx.requestId,
    };
    try {
      const res = await next(ctx);
      const rec = { ...base, status: res.status, intuitTid: res.intuitTid, durationMs: Date.now() - started };
      this.deps.logger.debug(rec, 'QuickBooks call');
      this.deps.onCall?.(rec);
      return res;
    } catch (err) {
      const rec: CallRecord = { ...base, ...failureOf(err), durationMs: Date.now() - started };
      this.deps.logger.info(rec, 'QuickBooks call failed');
      this.deps.onCall?.(rec);
      throw err;
    }
  };

  private faults: Middleware = async (ctx, next) => {
    const res = await next(ctx);
    const err = answerError(res.status, res.body, res.intuitTid);
    if (!err) return res;
    if (err instanceof QuickBooksThrottledError) {
      this.deps.limiters.for(ctx.realmId).pause(this.deps.throttleBackoffMs ?? 10_000);
    }
    throw err;
  };

  private limit: Middleware = (ctx, next) =>
    this.deps.limiters
      .for(ctx.realmId)
      .run(() => next(ctx), { batch: ctx.path === 'batch', signal: ctx.signal });

  private auth: Middleware = async (ctx, next) => {
    if (ctx.accessToken) return next(ctx);
    // A stopped call starts no token refresh either: that too would reach Intuit.
    if (ctx.signal?.aborted) throw ctx.signal.reason;
    const first = await this.deps.tokens.accessToken(ctx.realmId, ctx.signal);
    const res = await next({ ...ctx, accessToken: first.token });
    if (res.status !== 401) return res;
    if (ctx.signal?.aborted) throw ctx.signal.reason;
    // A 401 alone means "refresh and retry once"; only invalid_grant on that refresh proves revocation
    // (the token manager reports it and the connection is cleared).
    const renewed = await this.deps.tokens.refresh(ctx.realmId, {
      staleVersion: first.version,
      rejected: true,
    });
    if (ctx.signal?.aborted) throw ctx.signal.reason;
    return next({ ...ctx, accessToken: renewed.accessToken });
  };

  private transport: Handler = async (ctx) => {
    const url = new URL(`${this.deps.apiBase}/v3/company/${encodeURIComponent(ctx.realmId)}/${ctx.path}`);
    for (const [k, v] of Object.entries(ctx.query ?? {})) url.searchParams.set(k, v);
    if (ctx.requestId) url.searchParams.set('requestid', ctx.requestId);
    url.searchParams.set('minorversion', MINOR_VERSION);
    // Last moment to stop a call cheaply: nothing of it has left yet.
    if (ctx.signal?.aborted) throw ctx.signal.reason;
    // From here on the request may be on its way: closing the company no longer aborts it (see close()),
    // the timeout and the caller's own signal still do.
    let finish = () => {};
    const over = new Promise<void>((resolve) => {
      finish = resolve;
    });
    const sent: Sent = { controller: new AbortController(), over };
    const set = this.sent.get(ctx.realmId) ?? new Set<Sent>();
    this.sent.set(ctx.realmId, set);
    set.add(sent);
    try {
      return await exchange({
        url,
        method: ctx.method,
        accessToken: ctx.accessToken,
        body: ctx.body,
        requestId: ctx.requestId,
        signals: [sent.controller.signal, ...(ctx.callerSignal ? [ctx.callerSignal] : [])],
        gate: ctx.signal,
        timeoutMs: this.deps.timeoutMs,
      });
    } finally {
      set.delete(sent);
      finish();
    }
  };
}

/** What the call record says of a failed call. */
function failureOf(err: unknown): Pick<CallRecord, 'status' | 'intuitTid' | 'errorCode'> {
  const errorCode = errorCodeOf(err);
  if (err instanceof QuickBooksError)
    return { status: err.httpStatus ?? null, intuitTid: err.intuitTid, errorCode };
  return { status: null, intuitTid: null, errorCode };
}
