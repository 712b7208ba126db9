/**
 * The company's money, language and clock: one currency for every amount (Heavy AV keeps one company's
 * books), the locale that decides how numbers and dates are written and read, the time zone its days
 * start in, and the payment terms a new invoice gets. Built from config; views and services read it.
 */
export interface CompanySettings {
  /** ISO 4217, e.g. USD */
  readonly currency: string;
  /** BCP 47, e.g. en-US */
  readonly locale: string;
  /** IANA, e.g. America/Chicago */
  readonly timeZone: string;
  /** Days from the invoice date to its due date when the form leaves the due date blank (Net 30). */
  readonly termsDays: number;
}

export const DEFAULT_COMPANY: CompanySettings = Object.freeze({
  currency: 'USD',
  locale: 'en-US',
  timeZone: 'UTC',
  termsDays: 30,
});

export function isCurrency(code: string): boolean {
  return /^[A-Z]{3}$/.test(code) && Intl.supportedValuesOf('currency').includes(code);
}

export function isLocale(tag: string): boolean {
  try {
    return Intl.NumberFormat.supportedLocalesOf([tag]).length === 1;
  } catch {
    return false;
  }
}

export function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** The calendar date (YYYY-MM-DD) it is now in the company's time zone. */
export function todayIn(timeZone: string, now: Date = new Date()): string {
  return dayFormat(timeZone).format(now);
}

/**
 * One formatter per time zone: building an Intl.DateTimeFormat costs about 0.1 ms, and repositories ask
 * for today's date for every row they read (an import of 10,000 records spent seconds here).
 */
const dayFormats = new Map<string, Intl.DateTimeFormat>();
function dayFormat(timeZone: string): Intl.DateTimeFormat {
  let format = dayFormats.get(timeZone);
  if (!format) {
    // en-CA writes dates as YYYY-MM-DD.
    format = new Intl.DateTimeFormat('en-CA', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
    });
    dayFormats.set(timeZone, format);
  }
  return format;
}

/** YYYY-MM-DD plus a number of days (calendar arithmetic, no time zone involved). */
export function addDays(isoDate: string, days: number): string {
  const date = new Date(`${isoDate}T00:00:00Z`);
  date.setUTCDate(date.getUTCDate() + days);
  return date.toISOString().slice(0, 10);
}
