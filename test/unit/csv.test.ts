import { expect } from 'chai';
import { csvCell, csvRow, parseCsv } from '../../src/quickbooks/history/csv.js';

describe('CSV (history export)', () => {
  describe('csvCell', () => {
    it('leaves plain text and numbers as they are, and empties null and undefined', () => {
      expect(csvCell('invoice')).to.equal('invoice');
      expect(csvCell(42)).to.equal('42');
      expect(csvCell(-3)).to.equal('-3');
      expect(csvCell(null)).to.equal('');
      expect(csvCell(undefined)).to.equal('');
    });

    it('quotes cells with commas, quotes, carriage returns or newlines, doubling the quotes', () => {
      expect(csvCell('a,b')).to.equal('"a,b"');
      expect(csvCell('say "hi"')).to.equal('"say ""hi"""');
      expect(csvCell('line 1\nline 2')).to.equal('"line 1\nline 2"');
      expect(csvCell('a\r\nb')).to.equal('"a\r\nb"');
    });

    it('neutralises spreadsheet formulas: text starting with = + - @ (or tab, CR) gets a leading quote', () => {
      expect(csvCell('=HYPERLINK("http://evil","x")')).to.equal(`"'=HYPERLINK(""http://evil"",""x"")"`);
      expect(csvCell('+1')).to.equal("'+1");
      expect(csvCell('-2+3')).to.equal("'-2+3");
      expect(csvCell('@SUM(A1)')).to.equal("'@SUM(A1)");
      expect(csvCell('\tcmd')).to.equal("'\tcmd");
      expect(csvCell('a=b')).to.equal('a=b');
    });
  });

  describe('csvRow and parseCsv', () => {
    it('ends rows with CRLF and round-trips awkward values', () => {
      const values = ['plain', 'with, comma', 'with "quotes"', 'multi\nline', '', 'last'];
      const text = csvRow(['h1', 'h2', 'h3', 'h4', 'h5', 'h6']) + csvRow(values);
      expect(text.endsWith('\r\n')).to.equal(true);
      expect(parseCsv(text)).to.deep.equal([['h1', 'h2', 'h3', 'h4', 'h5', 'h6'], values]);
    });

    it('parses a last row without a line end and empty trailing cells', () => {
      expect(parseCsv('a,b\r\n1,')).to.deep.equal([
        ['a', 'b'],
        ['1', ''],
      ]);
    });
  });
});
