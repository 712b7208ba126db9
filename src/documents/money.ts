/**
 * Exact decimal arithmetic for money and quantities. Amounts are integer cents, quantities integer
 * thousandths; a decimal string from a form is parsed digit by digit (never through a float), and the
 * product is computed with BigInt, so 0.1 + 0.2 problems cannot reach an invoice.
 */

export const QUANTITY_DECIMALS = 3;
export const PRICE_DECIMALS = 2;
/** Bounds that keep every line and every total far below Number.MAX_SAFE_INTEGER. */
export const MAX_QUANTITY_THOUSANDTHS = 1_000_000 * 1000;
export const MAX_UNIT_PRICE_CENTS = 10_000_000 * 100;

/**
 * The largest line amount and document total Heavy AV accepts: 9,999,999,999.99. Intuit documents no
 * maximum for Amount/TotalAmt (neither the reference nor the fixtures name one), so the bound is ours:
 * 12 digits of cents is well inside Number.MAX_SAFE_INTEGER (16 digits) even summed over MAX_LINES
 * lines, stays under the 15 significant digits a JSON number (a double, as Intuit parses it) carries
 * exactly, and is far beyond any real rental or production invoice.
 */
export const MAX_AMOUNT_CENTS = 999_999_999_999;

export type Parsed = { ok: true; value: number } | { ok: false; error: string };

const DECIMAL = /^(\d*)(?:\.(\d*))?$/;

/**
 * Parses a non-negative decimal string ("19.99", "1.5", ".5", "3") into an integer scaled by
 * 10^decimals. Extra decimal places are refused unless they are zeros ("19.990" is fine).
 */
export function parseScaledDecimal(input: string, decimals: number, max: number): Parsed {
  const text = input.trim();
  if (text === '') return { ok: false, error: 'Enter a number.' };
  if (text.startsWith('-')) return { ok: false, error: 'Cannot be negative.' };
  const match = DECIMAL.exec(text);
  if (!match || (match[1] === '' && !match[2])) {
    return { ok: false, error: 'Enter a number like 19.99.' };
  }
  const whole = match[1].replace(/^0+(?=\d)/, '');
  const fraction = (match[2] ?? '').replace(/0+$/, '');
  if (fraction.length > decimals) {
    return { ok: false, error: `Use at most ${decimals} decimal place${decimals === 1 ? '' : 's'}.` };
  }
  if (whole.length > 15) return { ok: false, error: 'That number is too large.' };
  const value = Number(whole || '0') * 10 ** decimals + Number(fraction.padEnd(decimals, '0') || '0');
  if (value > max) return { ok: false, error: 'That number is too large.' };
  return { ok: true, value };
}

export function parseQuantity(input: string): Parsed {
  return parseScaledDecimal(input, QUANTITY_DECIMALS, MAX_QUANTITY_THOUSANDTHS);
}

export function parseMoney(input: string): Parsed {
  return parseScaledDecimal(input, PRICE_DECIMALS, MAX_UNIT_PRICE_CENTS);
}

/**
 * quantity × unit price, rounded to the cent half away from zero (the rule QuickBooks and most tax
 * authorities use; banker's rounding would make 1.5 × 0.35 = 0.52 instead of 0.53).
 */
export function lineAmountCents(quantityThousandths: number, unitPriceCents: number): number {
  const product = BigInt(quantityThousandths) * BigInt(unitPriceCents); // thousandths of a cent
  const negative = product < 0n;
  const magnitude = negative ? -product : product;
  const rounded = (magnitude + 500n) / 1000n;
  return Number(negative ? -rounded : rounded);
}

function scaledToDecimal(value: number, decimals: number, minDecimals: number): string {
  const negative = value < 0;
  const digits = String(Math.abs(value)).padStart(decimals + 1, '0');
  const whole = digits.slice(0, digits.length - decimals);
  let fraction = digits.slice(digits.length - decimals);
  while (fraction.length > minDecimals && fraction.endsWith('0')) fraction = fraction.slice(0, -1);
  return `${negative ? '-' : ''}${whole}${fraction ? `.${fraction}` : ''}`;
}

/** Cents as a plain decimal for a form field or an API: 5997 → "59.97". */
export function centsToDecimal(cents: number): string {
  return scaledToDecimal(cents, PRICE_DECIMALS, PRICE_DECIMALS);
}

/** Thousandths as the shortest exact decimal: 1500 → "1.5", 3000 → "3". */
export function quantityToDecimal(thousandths: number): string {
  return scaledToDecimal(thousandths, QUANTITY_DECIMALS, 0);
}

/** Cents for reading, with thousands separators: 123456 → "1,234.56". */
export function formatMoney(cents: number): string {
  const text = centsToDecimal(cents);
  const [whole, fraction] = text.split('.');
  return `${whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',')}.${fraction}`;
}
