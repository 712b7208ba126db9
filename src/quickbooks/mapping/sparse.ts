/**
 * Sparse updates: what QuickBooks holds, in Heavy AV's terms (the payload last sent or pulled, kept on the
 * link as a snapshot), against what Heavy AV would send now. Only top-level fields that differ are sent;
 * `Line` only when the lines changed; nothing differs, nothing is sent. A field Heavy AV cleared is sent
 * blank (a sparse update leaves out what it does not name); dates are never cleared (QuickBooks needs them).
 */

type Json = Record<string, unknown>;

/** JSON with keys in order: two payloads built in different orders compare equal. */
export function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Json)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

const NEVER_CLEARED = new Set(['TxnDate', 'DueDate', 'ExpirationDate', 'CustomerRef', 'DisplayName', 'Line']);

/** A blank version of a value: '' for text, each field blank for an object (an address, a memo). */
function blank(value: unknown): unknown {
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    return Object.fromEntries(Object.keys(value as Json).map((k) => [k, blank((value as Json)[k])]));
  }
  return '';
}

/** The top-level fields of `payload` that differ from `snapshot` (empty: nothing to send). */
export function changedFields(payload: Json, snapshot: Json): Json {
  const out: Json = {};
  for (const [key, value] of Object.entries(payload)) {
    if (canonical(value) !== canonical(snapshot[key])) out[key] = value;
  }
  for (const [key, value] of Object.entries(snapshot)) {
    if (key in payload || NEVER_CLEARED.has(key)) continue;
    out[key] = blank(value);
  }
  return out;
}

export function parseSnapshot(text: string | null | undefined): Json | null {
  if (!text) return null;
  try {
    const parsed = JSON.parse(text);
    return parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? parsed : null;
  } catch {
    return null;
  }
}
