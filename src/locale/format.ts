/**
 * How amounts, dates and times are written on every page: the company's currency and locale, times in
 * its time zone, and "2 minutes ago" where the age matters more than the instant (the exact time stays
 * in a <time datetime> title). Views get these as `fmt` (app.locals), so no view prints an ISO string.
 */
import type { CompanySettings } from './settings.js';

export interface Formatters {
  readonly settings: CompanySettings;
  /** 123456 → "$1,234.56" */
  money(cents: number): string;
  /** 123456 → "1,234.56": a form field's value, in the locale, without the currency. */
  moneyInput(cents: number): string;
  /** 1500 thousandths → "1.5" */
  quantity(thousandths: number): string;
  /** "2026-12-01" → "Dec 1, 2026" (a calendar date: no time zone shift) */
  date(isoDate: string | null | undefined): string;
  /** An instant in the company's time zone: "Dec 1, 2026, 10:30 AM" */
  dateTime(iso: string | null | undefined): string;
  /** "2 minutes ago", "in 3 days" */
  relative(iso: string | null | undefined, now?: Date): string;
  /** `<time datetime="…" title="exact time">2 minutes ago</time>`, escaped, for `<%- %>`. */
  timeAgo(iso: string | null | undefined): string;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

const UNITS: [Intl.RelativeTimeFormatUnit, number][] = [
  ['year', 365 * 24 * 3600],
  ['month', 30 * 24 * 3600],
  ['week', 7 * 24 * 3600],
  ['day', 24 * 3600],
  ['hour', 3600],
  ['minute', 60],
  ['second', 1],
];

export function createFormatters(settings: CompanySettings): Formatters {
  const { locale, currency, timeZone } = settings;
  const moneyFormat = new Intl.NumberFormat(locale, { style: 'currency', currency });
  const plainMoney = new Intl.NumberFormat(locale, { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  const quantityFormat = new Intl.NumberFormat(locale, { maximumFractionDigits: 3 });
  const dateFormat = new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeZone: 'UTC' });
  const dateTimeFormat = new Intl.DateTimeFormat(locale, {
    dateStyle: 'medium',
    timeStyle: 'short',
    timeZone,
  });
  const relativeFormat = new Intl.RelativeTimeFormat(locale, { numeric: 'auto' });
  // Cents are exact integers; dividing by 100 for Intl is exact enough for 12 digits (< 2^53).
  const toUnits = (cents: number) => cents / 100;
  const formatters: Formatters = {
    settings,
    money: (cents) => moneyFormat.format(toUnits(cents)),
    moneyInput: (cents) => plainMoney.format(toUnits(cents)),
    quantity: (thousandths) => quantityFormat.format(thousandths / 1000),
    date: (isoDate) => {
      if (!isoDate) return '—';
      const date = new Date(`${isoDate.slice(0, 10)}T00:00:00Z`);
      return Number.isNaN(date.getTime()) ? isoDate : dateFormat.format(date);
    },
    dateTime: (iso) => {
      if (!iso) return '—';
      const date = new Date(iso);
      return Number.isNaN(date.getTime()) ? iso : dateTimeFormat.format(date);
    },
    relative: (iso, now = new Date()) => {
      if (!iso) return '—';
      const date = new Date(iso);
      if (Number.isNaN(date.getTime())) return iso;
      const seconds = Math.round((date.getTime() - now.getTime()) / 1000);
      if (Math.abs(seconds) < 45) return relativeFormat.format(0, 'second');
      for (const [unit, size] of UNITS) {
        if (Math.abs(seconds) >= size) return relativeFormat.format(Math.round(seconds / size), unit);
      }
      return relativeFormat.format(seconds, 'second');
    },
    timeAgo: (iso) => {
      if (!iso || Number.isNaN(new Date(iso).getTime())) return '—';
      const exact = formatters.dateTime(iso);
      return `<time datetime="${escapeHtml(new Date(iso).toISOString())}" title="${escapeHtml(exact)}">${escapeHtml(formatters.relative(iso))}</time>`;
    },
  };
  return formatters;
}
