/**
 * Reading numbers as people type them in the company's locale: `$1,250.00` (en-US), `1 250,00` (fr-FR),
 * `1.250,00` (de-DE). The text is normalised to a plain decimal ("1250.00") and then parsed exactly by
 * documents/money.ts. Grouping must be regular (a separator every three digits) so that `1250,00` in an
 * en-US company is refused instead of silently read as 125000.
 */
import { type Parsed, parseMoney, parseQuantity } from '../documents/money.js';

export interface NumberSymbols {
  decimal: string;
  group: string;
}

const symbolsCache = new Map<string, NumberSymbols>();

export function numberSymbols(locale: string): NumberSymbols {
  let symbols = symbolsCache.get(locale);
  if (!symbols) {
    const parts = new Intl.NumberFormat(locale).formatToParts(12345.6);
    symbols = {
      decimal: parts.find((p) => p.type === 'decimal')?.value ?? '.',
      group: parts.find((p) => p.type === 'group')?.value ?? ',',
    };
    symbolsCache.set(locale, symbols);
  }
  return symbols;
}

const SPACES = /[\s\u00a0\u202f]/;

/**
 * The plain decimal a person meant, or null when the text is not a number in this locale. Currency
 * symbols and codes around the number are ignored; a leading minus is kept (money.ts refuses it with
 * its own message).
 */
export function normaliseDecimal(input: string, locale: string): string | null {
  const { decimal, group } = numberSymbols(locale);
  // Currency signs, codes and spaces around the number: "$ 1,250.00", "1 250,00 €", "USD 12".
  let text = input.replace(/^[\s\p{Sc}\p{L}]+|[\s\p{Sc}\p{L}]+$/gu, '');
  let sign = '';
  if (text.startsWith('-')) {
    sign = '-';
    text = text.slice(1).replace(/^[\s\p{Sc}\p{L}]+/u, '');
  }
  const pieces = text.split(decimal);
  if (pieces.length > 2) return null;
  const [whole, fraction = ''] = pieces;
  if (pieces.length === 2 && !/^\d*$/.test(fraction)) return null;
  const groupIsSpace = SPACES.test(group);
  const isGroup = (c: string) =>
    groupIsSpace ? SPACES.test(c) : c === group || (group === '’' && c === "'");
  let digits = '';
  let sinceGroup = -1; // digits since the last group separator; -1 before the first one
  for (const c of whole) {
    if (/\d/.test(c)) {
      digits += c;
      if (sinceGroup >= 0) sinceGroup++;
    } else if (isGroup(c)) {
      if (!digits || (sinceGroup >= 0 && sinceGroup !== 3) || (sinceGroup < 0 && digits.length > 3))
        return null;
      sinceGroup = 0;
    } else {
      return null;
    }
  }
  if (sinceGroup >= 0 && sinceGroup !== 3) return null;
  if (!digits && !fraction) return null;
  return `${sign}${digits}${pieces.length === 2 ? `.${fraction}` : ''}`;
}

/** An example of how an amount is written here, for messages: "1,250.00", "1 250,00". */
export function amountExample(locale: string): string {
  return new Intl.NumberFormat(locale, { minimumFractionDigits: 2 }).format(1250);
}

export function parseMoneyIn(input: string, locale: string): Parsed {
  if (input.trim() === '') return parseMoney(input);
  const plain = normaliseDecimal(input, locale);
  if (plain === null) return { ok: false, error: `Enter an amount like ${amountExample(locale)}.` };
  return parseMoney(plain);
}

export function parseQuantityIn(input: string, locale: string): Parsed {
  if (input.trim() === '') return parseQuantity(input);
  const plain = normaliseDecimal(input, locale);
  if (plain === null) {
    const example = new Intl.NumberFormat(locale).format(2.5);
    return { ok: false, error: `Enter a number like 3 or ${example}.` };
  }
  return parseQuantity(plain);
}
