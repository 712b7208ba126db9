/**
 * How pages show a stored time (an ISO string, or a Date from a driver): in UTC, to the minute where a
 * glance is enough (the card, the data pages), to the second where events are compared (the history, a
 * deletion receipt). On app.locals, so every view has them; '—' for no time.
 */
type Stored = string | Date | null | undefined;

function utc(at: Stored, length: number): string {
  if (!at) return '—';
  const iso = typeof at === 'string' ? at : at.toISOString();
  return `${iso.replace('T', ' ').slice(0, length)} UTC`;
}

/** "2026-11-28 10:00 UTC" */
export const utcMinutes = (at: Stored): string => utc(at, 16);

/** "2026-11-28 10:00:59 UTC" */
export const utcSeconds = (at: Stored): string => utc(at, 19);
