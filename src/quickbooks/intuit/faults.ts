/**
 * Intuit's Fault JSON → typed errors (STYLE.md 7). The only place that reads a Fault envelope: callers get
 * `QuickBooks…Error`s from a call, and `FaultItem`s in the per-item results of a batch.
 */
import {
  QuickBooksAuthError,
  type QuickBooksError,
  QuickBooksStaleObjectError,
  QuickBooksThrottledError,
  QuickBooksUnavailableError,
  QuickBooksValidationError,
} from './errors.js';
import { isObject, textOf } from './parse.js';
import type { FaultItem } from './types.js';

/** Fault 5010: the SyncToken sent was not the current one. */
export const STALE_OBJECT = '5010';
/** Fault 610: Object Not Found (deleted, or made inactive). */
export const OBJECT_NOT_FOUND = '610';

/** Both envelopes Intuit uses: `Fault.Error[]` (data services) and `fault.error[]` (the gateway). */
export function faultsOf(body: unknown): FaultItem[] {
  if (!isObject(body)) return [];
  const fault = body.Fault ?? body.fault;
  const errors = isObject(fault) ? (fault.Error ?? fault.error) : undefined;
  if (!Array.isArray(errors)) return [];
  return errors.map((e: unknown) => {
    const o = isObject(e) ? e : {};
    return {
      code: textOf(o.code ?? o.Code) ?? '',
      message: textOf(o.Message ?? o.message) ?? '',
      detail: textOf(o.Detail ?? o.detail),
      element: textOf(o.element),
    };
  });
}

/** Some business Faults come back inside a 200. */
export function hasFault(body: unknown): boolean {
  return isObject(body) && Boolean(body.Fault);
}

export function isStale(faults: FaultItem[]): boolean {
  return faults.some((f) => f.code === STALE_OBJECT);
}

/** "Message (Detail)", as the history shows a refusal. */
export function describeFault(f: FaultItem | undefined): string {
  return f ? `${f.message}${f.detail ? ` (${f.detail})` : ''}` : 'no answer for this item';
}

/** The error a Fault answer (4xx, or a 200 carrying a Fault) stands for. */
export function faultError(status: number, body: unknown, intuitTid: string | null): QuickBooksError {
  const faults = faultsOf(body);
  const details = { intuitTid, status, code: faults[0]?.code };
  if (isStale(faults)) return new QuickBooksStaleObjectError(details);
  if (faults.length === 0) {
    return new QuickBooksUnavailableError(`QuickBooks answered ${status} without a Fault.`, details);
  }
  return new QuickBooksValidationError(
    `QuickBooks refused the request: ${describeFault(faults[0])}`,
    faults,
    details,
  );
}

/** What an answer that is not a success means; undefined for a success. */
export function answerError(
  status: number,
  body: unknown,
  intuitTid: string | null,
): QuickBooksError | undefined {
  if (status >= 200 && status < 300) return hasFault(body) ? faultError(status, body, intuitTid) : undefined;
  if (status === 429) return new QuickBooksThrottledError({ intuitTid, status: 429, code: '3001' });
  if (status >= 500) {
    return new QuickBooksUnavailableError(`QuickBooks answered ${status}.`, { intuitTid, status });
  }
  if (status === 401 || status === 403) {
    return new QuickBooksAuthError(
      status === 403
        ? 'QuickBooks refused access (permissions).'
        : 'QuickBooks did not accept the access token.',
      { intuitTid, status, code: faultsOf(body)[0]?.code },
    );
  }
  return faultError(status, body, intuitTid);
}

/** The Faults a typed error carries, for a per-item result: what a batch item would have answered. */
export function faultsOfError(err: unknown): FaultItem[] | undefined {
  if (err instanceof QuickBooksValidationError) return err.faults;
  if (err instanceof QuickBooksStaleObjectError) return [{ code: STALE_OBJECT, message: err.message }];
  return undefined;
}
