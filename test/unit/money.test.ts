import { expect } from 'chai';
import { checkDocumentForm, lineRowsFrom } from '../../src/documents/form.js';
import {
  centsToDecimal,
  formatMoney,
  lineAmountCents,
  parseMoney,
  parseQuantity,
  quantityToDecimal,
} from '../../src/documents/money.js';
import { priceLines } from '../../src/documents/service.js';

describe('money', () => {
  describe('parseMoney and parseQuantity', () => {
    it('reads decimal strings exactly, without floats', () => {
      expect(parseMoney('19.99')).to.deep.equal({ ok: true, value: 1999 });
      expect(parseMoney('0.1')).to.deep.equal({ ok: true, value: 10 });
      expect(parseMoney('.5')).to.deep.equal({ ok: true, value: 50 });
      expect(parseMoney('3')).to.deep.equal({ ok: true, value: 300 });
      expect(parseMoney(' 1149.50 ')).to.deep.equal({ ok: true, value: 114950 });
      expect(parseMoney('19.990')).to.deep.equal({ ok: true, value: 1999 });
      expect(parseQuantity('1.5')).to.deep.equal({ ok: true, value: 1500 });
      expect(parseQuantity('0.333')).to.deep.equal({ ok: true, value: 333 });
      expect(parseQuantity('007')).to.deep.equal({ ok: true, value: 7000 });
    });

    it('refuses negative, non-numeric, over-precise and huge values with a message', () => {
      expect(parseMoney('-1')).to.deep.equal({ ok: false, error: 'Cannot be negative.' });
      expect(parseQuantity('-0.5')).to.deep.equal({ ok: false, error: 'Cannot be negative.' });
      for (const junk of ['abc', '1,5', '1.2.3', '.', '1e3', '$5', 'NaN', 'Infinity'])
        expect(parseMoney(junk).ok, junk).to.equal(false);
      expect(parseMoney('')).to.deep.equal({ ok: false, error: 'Enter a number.' });
      expect(parseMoney('0.333')).to.deep.equal({ ok: false, error: 'Use at most 2 decimal places.' });
      expect(parseQuantity('0.0001')).to.deep.equal({ ok: false, error: 'Use at most 3 decimal places.' });
      expect(parseMoney('99999999999').ok).to.equal(false);
    });
  });

  describe('lineAmountCents', () => {
    it('multiplies exactly: 3 × 19.99 = 59.97', () => {
      expect(lineAmountCents(3000, 1999)).to.equal(5997);
    });

    it('rounds half away from zero to the cent', () => {
      expect(lineAmountCents(1500, 35)).to.equal(53); // 0.525 (a float product gives 0.52)
      expect(lineAmountCents(333, 150)).to.equal(50); // 0.333 × 1.50 = 0.4995
      expect(lineAmountCents(1500, 33)).to.equal(50); // 1.5 × 0.33 = 0.495
      expect(lineAmountCents(1001, 1)).to.equal(1); // 0.01001 → 0.01
      expect(lineAmountCents(1500, -35)).to.equal(-53);
      expect(lineAmountCents(0, 999)).to.equal(0);
    });

    it('stays exact for the largest allowed line', () => {
      // 1,000,000 units at 10,000,000.00 = 10,000,000,000,000.00
      expect(lineAmountCents(1_000_000_000, 1_000_000_000)).to.equal(1_000_000_000_000_000);
    });
  });

  describe('formatting', () => {
    it('writes cents and thousandths back as exact decimals', () => {
      expect(centsToDecimal(5997)).to.equal('59.97');
      expect(centsToDecimal(5)).to.equal('0.05');
      expect(centsToDecimal(-150)).to.equal('-1.50');
      expect(formatMoney(123456789)).to.equal('1,234,567.89');
      expect(formatMoney(0)).to.equal('0.00');
      expect(quantityToDecimal(1500)).to.equal('1.5');
      expect(quantityToDecimal(3000)).to.equal('3');
      expect(quantityToDecimal(333)).to.equal('0.333');
    });
  });

  describe('priceLines', () => {
    it('numbers the lines and totals their rounded amounts', () => {
      const { lines, totalCents } = priceLines([
        { description: 'Speakers', quantityThousandths: 3000, unitPriceCents: 1999 },
        { description: 'Cable', quantityThousandths: 1500, unitPriceCents: 35 },
      ]);
      expect(lines.map((l) => [l.position, l.amountCents])).to.deep.equal([
        [1, 5997],
        [2, 53],
      ]);
      expect(totalCents).to.equal(6050);
    });
  });

  describe('lineRowsFrom', () => {
    it('accepts lines as an array or as an object keyed by index (qs beyond arrayLimit)', () => {
      const row = (d: string) => ({ description: d, quantity: '1', unitPrice: '2' });
      expect(lineRowsFrom([row('a'), row('b')]).map((r) => r.description)).to.deep.equal(['a', 'b']);
      expect(
        lineRowsFrom({ 25: row('z'), 3: row('c'), x: row('junk') }).map((r) => r.description),
      ).to.deep.equal(['c', 'z']);
      expect(lineRowsFrom('nonsense')).to.deep.equal([]);
      expect(lineRowsFrom([{ description: ['x'] }])).to.deep.equal([
        { description: '', quantity: '', unitPrice: '' },
      ]);
    });
  });

  describe('checkDocumentForm', () => {
    const labels = { closingField: 'dueDate', closingName: 'The due date' };
    const base = { customerId: '1', docNumber: '', txnDate: '2026-11-28', closingDate: '', memo: '' };

    it('ignores blank rows and asks for at least one line', () => {
      const blank = { description: ' ', quantity: '', unitPrice: '' };
      const { errors } = checkDocumentForm({ ...base, lines: [blank, blank] }, labels);
      expect(errors).to.deep.equal({ lines: 'Add at least one line.' });
    });

    it('checks dates, including a closing date before the document date', () => {
      const line = { description: 'x', quantity: '1', unitPrice: '1' };
      const { errors } = checkDocumentForm(
        { ...base, txnDate: '2026-02-30', closingDate: 'soon', lines: [line] },
        labels,
      );
      expect(errors).to.deep.equal({
        txnDate: 'Enter a date as YYYY-MM-DD.',
        dueDate: 'Enter a date as YYYY-MM-DD.',
      });
      const early = checkDocumentForm({ ...base, closingDate: '2026-11-01', lines: [line] }, labels);
      expect(early.errors).to.deep.equal({ dueDate: 'The due date cannot be before the document date.' });
    });
  });
});
