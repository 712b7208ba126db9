/** How the estimates and invoices lists can be sorted: `?sort=number|date|customer|total|status&dir=asc|desc`. */

export const SORT_KEYS = ['number', 'date', 'customer', 'total', 'status'] as const;
export type SortKey = (typeof SORT_KEYS)[number];
export type SortDirection = 'asc' | 'desc';

export interface Sort {
  /** null: the default order (newest first). */
  key: SortKey | null;
  dir: SortDirection;
}

/** Reads `?sort=` and `?dir=` leniently: anything unknown means the default order. */
export function sortRequest(query: { sort?: unknown; dir?: unknown }): Sort {
  const key = SORT_KEYS.find((k) => k === query.sort) ?? null;
  const dir: SortDirection =
    query.dir === 'desc' ? 'desc' : query.dir === 'asc' ? 'asc' : key ? 'asc' : 'desc';
  return { key, dir };
}

/** The query string of a list page (search, sort, page), without empty parts: "?q=acme&sort=total&dir=desc". */
export function listQuery(parts: { q?: string; sort?: Sort; page?: number; quickbooks?: string }): string {
  const params = new URLSearchParams();
  if (parts.q) params.set('q', parts.q);
  if (parts.quickbooks) params.set('quickbooks', parts.quickbooks);
  if (parts.sort?.key) {
    params.set('sort', parts.sort.key);
    params.set('dir', parts.sort.dir);
  }
  if (parts.page && parts.page > 1) params.set('page', String(parts.page));
  const text = params.toString();
  return text ? `?${text}` : '';
}
