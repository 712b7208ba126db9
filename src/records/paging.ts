/** Search and pagination shared by the list pages of customers, estimates and invoices. */

export const PAGE_SIZE = 25;

export interface Page<T> {
  items: T[];
  total: number;
  /** 1-based, clamped to the pages that exist. */
  page: number;
  pageCount: number;
  q: string;
}

export interface PageRequest {
  q?: unknown;
  page?: unknown;
}

/** Reads `?q=` and `?page=` leniently: junk means "first page, no search". */
export function pageRequest(query: PageRequest): { q: string; page: number } {
  const q = typeof query.q === 'string' ? query.q.trim().slice(0, 200) : '';
  const n = typeof query.page === 'string' && /^\d{1,6}$/.test(query.page) ? Number(query.page) : 1;
  return { q, page: Math.max(1, n) };
}

/** Runs a list query for the requested page; a page past the end shows the last one. */
export async function paginate<T>(
  request: { q: string; page: number },
  pageSize: number,
  list: (options: { q: string; offset: number; limit: number }) => Promise<{ items: T[]; total: number }>,
): Promise<Page<T>> {
  const first = await list({ q: request.q, offset: (request.page - 1) * pageSize, limit: pageSize });
  const pageCount = Math.max(1, Math.ceil(first.total / pageSize));
  if (request.page <= pageCount) return { ...first, page: request.page, pageCount, q: request.q };
  const last = await list({ q: request.q, offset: (pageCount - 1) * pageSize, limit: pageSize });
  return { ...last, page: pageCount, pageCount, q: request.q };
}
