import { expect } from 'chai';
import type { RunningEmulator } from '../../src/emulator/index.js';
import { control, REALM_A, REALM_B, REALM_EMPTY, start } from './helpers.js';

type Entity = Record<string, any>;

describe('emulator companies: generated like an Intuit sandbox company', () => {
  let emu: RunningEmulator;
  beforeEach(async () => {
    emu = await start();
  });
  afterEach(async () => {
    await emu.close();
  });

  const list = async (realmId: string, entity: string): Promise<Entity[]> =>
    (await control(emu, 'GET', `/companies/${realmId}/entities/${entity}`)).body;
  const salesLines = (doc: Entity) => doc.Line.filter((l: Entity) => l.DetailType === 'SalesItemLineDetail');

  it('offers the three companies, the full US one first', async () => {
    const companies = (await control(emu, 'GET', '/companies')).body;
    expect(companies.map((c: Entity) => [c.realmId, c.name])).to.deep.equal([
      [REALM_A, 'Heavy AV Demo Productions'],
      [REALM_B, 'Blue Stage Rentals Ltd'],
      [REALM_EMPTY, 'Empty Test Co'],
    ]);
  });

  it('generates the same companies on every start (seeded), whatever the process', async () => {
    const other = await start();
    try {
      for (const entity of ['Customer', 'Vendor', 'Item', 'TaxCode', 'Invoice', 'Payment']) {
        const strip = (rows: Entity[]) => rows.map(({ MetaData: _m, ...rest }) => rest);
        const here = strip(await list(REALM_A, entity));
        const there = strip((await control(other, 'GET', `/companies/${REALM_A}/entities/${entity}`)).body);
        expect(there, entity).to.deep.equal(here);
      }
    } finally {
      await other.close();
    }
  });

  it('full US company: names, some inactive customers, Item 1 unusable, automated sales tax, history from 1001', async () => {
    const customers = await list(REALM_A, 'Customer');
    expect(customers.length).to.be.at.least(30);
    expect(customers.filter((c) => c.Active === false).length).to.be.at.least(3);
    expect((await list(REALM_A, 'Vendor')).length).to.be.at.least(8);
    expect((await list(REALM_A, 'Employee')).length).to.be.at.least(5);
    const items = await list(REALM_A, 'Item');
    expect(items[0].Id).to.equal('1');
    expect(items[0].Type).to.equal('Category');
    expect(items.filter((i) => i.Active === false).length).to.be.at.least(1);
    expect(items.some((i) => i.Type === 'NonInventory')).to.equal(true);
    expect(items.find((i) => i.Name === 'Services')?.Id).not.to.equal('1');
    const codes = await list(REALM_A, 'TaxCode');
    expect(codes.map((c) => c.Id)).to.include.members(['TAX', 'NON', '2']);

    const invoices = await list(REALM_A, 'Invoice');
    const estimates = await list(REALM_A, 'Estimate');
    expect(invoices.length).to.be.at.least(60);
    expect(estimates.length).to.be.at.least(20);
    const numbers = (docs: Entity[]) => docs.map((d) => Number(d.DocNumber)).sort((a, b) => a - b);
    expect(numbers(invoices)[0]).to.equal(1001);
    expect(numbers(estimates)[0]).to.equal(1001);
    expect(numbers(invoices).at(-1)).to.equal(1000 + invoices.length);

    const lines = invoices.flatMap(salesLines);
    expect(invoices.some((i) => i.Line.some((l: Entity) => l.DetailType === 'DiscountLineDetail'))).to.equal(
      true,
    );
    expect(lines.some((l: Entity) => l.Amount < 0)).to.equal(true); // credit lines
    expect(lines.some((l: Entity) => !Number.isInteger(l.SalesItemLineDetail.UnitPrice * 100))).to.equal(
      true,
    );
    expect(
      lines.every((l: Entity) => ['TAX', 'NON'].includes(l.SalesItemLineDetail.TaxCodeRef.value)),
    ).to.equal(true);
    const taxed = invoices.filter((i) => i.TxnTaxDetail.TotalTax > 0);
    expect(taxed.length).to.be.at.least(10);
    for (const invoice of invoices) {
      const subtotal = invoice.Line.find((l: Entity) => l.DetailType === 'SubTotalLineDetail').Amount;
      const discount = invoice.Line.filter((l: Entity) => l.DetailType === 'DiscountLineDetail').reduce(
        (s: number, l: Entity) => s + l.Amount,
        0,
      );
      const total = Math.round((subtotal - discount + invoice.TxnTaxDetail.TotalTax) * 100) / 100;
      expect(invoice.TotalAmt, `invoice ${invoice.DocNumber}`).to.equal(total);
    }

    const payments = await list(REALM_A, 'Payment');
    expect(payments.length).to.be.at.least(20);
    const paid = invoices.filter((i) => i.Balance === 0);
    const partly = invoices.filter((i) => i.Balance > 0 && i.Balance < i.TotalAmt);
    expect(paid.length).to.be.at.least(10);
    expect(partly.length).to.be.at.least(1);
    for (const invoice of paid) {
      expect(invoice.LinkedTxn.some((l: Entity) => l.TxnType === 'Payment')).to.equal(true);
      expect(Number(invoice.SyncToken)).to.be.at.least(1);
    }
    // Every inactive customer's books are settled (QuickBooks refuses to deactivate one with a balance).
    for (const c of customers.filter((c) => c.Active === false)) expect(c.Balance).to.equal(0);
    // Nothing of the history is within CDC's 30 days.
    const latest = Math.max(...invoices.map((i) => Date.parse(i.MetaData.LastUpdatedTime)));
    expect(Date.now() - latest).to.be.greaterThan(30 * 86_400_000);
  });

  it('full Canadian company: a GST/HST TaxCodeRef on every line, tax per code, CAD', async () => {
    const invoices = await list(REALM_B, 'Invoice');
    expect(invoices.length).to.be.at.least(40);
    expect(invoices[0].CurrencyRef.value).to.equal('CAD');
    const codes = new Map((await list(REALM_B, 'TaxCode')).map((c) => [c.Id, c]));
    for (const invoice of invoices) {
      for (const line of salesLines(invoice))
        expect(codes.has(line.SalesItemLineDetail.TaxCodeRef.value)).to.equal(true);
    }
    expect(invoices.filter((i) => i.TxnTaxDetail.TotalTax > 0).length).to.be.at.least(invoices.length / 2);
    const items = await list(REALM_B, 'Item');
    expect(items[0]).to.include({ Id: '1', Active: false });
  });

  it('empty company: only what a brand-new QuickBooks company has', async () => {
    const items = await list(REALM_EMPTY, 'Item');
    expect(items.map((i) => [i.Id, i.Name, i.Active])).to.deep.equal([
      ['1', 'Services', true],
      ['2', 'Hours', true],
    ]);
    for (const entity of ['Customer', 'Vendor', 'Employee', 'TaxCode', 'Estimate', 'Invoice', 'Payment']) {
      expect(await list(REALM_EMPTY, entity), entity).to.deep.equal([]);
    }
  });
});
