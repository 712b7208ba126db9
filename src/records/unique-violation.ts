/**
 * Whether a database error is a unique-index violation (PostgreSQL 23505, SQLite
 * SQLITE_CONSTRAINT_UNIQUE, or _PRIMARYKEY for a primary key). The services check uniqueness first for a friendly message; the index
 * is what holds when two requests race, and this turns its error into the same message.
 */
export function isUniqueViolation(err: unknown, column?: string): boolean {
  const e = err as { code?: string; constraint?: string; message?: string } | undefined;
  const unique =
    e?.code === '23505' ||
    e?.code === 'SQLITE_CONSTRAINT_UNIQUE' ||
    e?.code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
  if (!unique || !column) return unique;
  return Boolean(e?.constraint?.includes(column) || e?.message?.includes(column));
}
