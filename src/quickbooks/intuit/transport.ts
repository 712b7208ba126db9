/**
 * The last link of the client's chain: one HTTP exchange with Intuit (fetch with a timeout, JSON both
 * ways, one retry of a request that a stale kept-alive connection refused before anything was sent).
 */
import { QuickBooksUnavailableError } from './errors.js';

export interface Exchange {
  url: URL;
  method: 'GET' | 'POST';
  accessToken?: string;
  body?: unknown;
  /** Carried by idempotent writes: repeating such a write is harmless. */
  requestId?: string;
  /** Stops our side of the exchange (timeout, the caller, a company closed too long). */
  signals: AbortSignal[];
  /** The gate's signal: when it fired, its reason is what the caller gets. */
  gate?: AbortSignal;
  timeoutMs: number;
}

export interface Answer {
  status: number;
  /** The parsed JSON, or null for an empty (or, on an error status, unreadable) body. */
  body: unknown;
  intuitTid: string | null;
}

function errorCode(err: unknown): string | undefined {
  const cause = err instanceof Error ? err.cause : undefined;
  const code = cause && typeof cause === 'object' && 'code' in cause ? cause.code : undefined;
  return typeof code === 'string' ? code : undefined;
}

async function send(x: Exchange, signal: AbortSignal): Promise<Response> {
  const post = () =>
    fetch(x.url, {
      method: x.method,
      headers: {
        Authorization: `Bearer ${x.accessToken}`,
        Accept: 'application/json',
        ...(x.body === undefined ? {} : { 'Content-Type': 'application/json' }),
      },
      body: x.body === undefined ? undefined : JSON.stringify(x.body),
      signal,
    });
  try {
    return await post();
  } catch (err) {
    // A kept-alive connection that the server closed while idle fails before anything was sent.
    // Retry once where repeating is harmless: reads, and writes that carry a requestid.
    const stale = ['UND_ERR_SOCKET', 'ECONNRESET', 'EPIPE'].includes(errorCode(err) ?? '');
    if (!stale || signal.aborted || x.gate?.aborted || !(x.method === 'GET' || x.requestId)) throw err;
    return post();
  }
}

async function bodyOf(response: Response, intuitTid: string | null): Promise<unknown> {
  let text: string;
  try {
    text = await response.text();
  } catch (err) {
    throw new QuickBooksUnavailableError('QuickBooks closed the connection mid-answer.', {
      intuitTid,
      cause: err,
    });
  }
  if (!text) return null;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    if (response.status < 300) {
      throw new QuickBooksUnavailableError('QuickBooks sent an answer that is not JSON.', {
        intuitTid,
        status: response.status,
      });
    }
    return null;
  }
}

export async function exchange(x: Exchange): Promise<Answer> {
  const signal = AbortSignal.any([AbortSignal.timeout(x.timeoutMs), ...x.signals]);
  let response: Response;
  try {
    response = await send(x, signal);
  } catch (err) {
    if (x.gate?.aborted) throw x.gate.reason ?? err;
    const what =
      err instanceof Error && err.name === 'TimeoutError'
        ? `no answer within ${x.timeoutMs} ms`
        : (errorCode(err) ?? (err instanceof Error ? err.message : String(err)));
    throw new QuickBooksUnavailableError(`QuickBooks could not be reached (${what}).`, { cause: err });
  }
  const intuitTid = response.headers.get('intuit_tid');
  return { status: response.status, body: await bodyOf(response, intuitTid), intuitTid };
}
