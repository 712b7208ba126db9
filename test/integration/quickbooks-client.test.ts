import { expect } from 'chai';
import type { QboClient } from '../../src/quickbooks/intuit/client.js';
import { QuickBooksStaleObjectError } from '../../src/quickbooks/intuit/errors.js';
import { connect, itemId, REALM_A, startWorld, type World } from '../helpers/quickbooks.js';

describe('QuickBooks client (entities in, typed entities and per-item results out)', () => {
  let w: World;
  let client: QboClient;
  beforeEach(async () => {
    w = await startWorld();
    await connect(w);
    client = w.t.container.quickbooks.client;
  });
  afterEach(async () => w?.close());

  it('read, find and findByIds return typed entities; a missing id reads as undefined', async () => {
    // Quotes and backslashes in a value are escaped by the client, never by a caller.
    const name = `O'Brien \\ Sons "AV"`;
    const { entity: created } = await client.create(REALM_A, 'Customer', { DisplayName: name });
    expect(created.Id).to.be.a('string');
    expect(created.SyncToken).to.equal('0');

    const read = await client.read(REALM_A, 'Customer', created.Id);
    expect(read?.DisplayName).to.equal(name);
    expect(await client.read(REALM_A, 'Customer', '987654')).to.equal(undefined);

    const found = await client.find(REALM_A, 'Customer', { DisplayName: name });
    expect(found.map((c) => c.Id)).to.deep.equal([created.Id]);
    const inList = await client.find(REALM_A, 'Customer', { DisplayName: [name, 'Nobody'] });
    expect(inList.map((c) => c.Id)).to.deep.equal([created.Id]);
    expect(await client.find(REALM_A, 'Customer', { DisplayName: [] })).to.deep.equal([]);
    const byIds = await client.findByIds(REALM_A, 'Customer', [created.Id]);
    expect(byIds.map((c) => c.DisplayName)).to.deep.equal([name]);
  });

  it('a sparse update keeps the fields not sent, a full one replaces them; an old SyncToken is a typed 5010', async () => {
    const { entity: c } = await client.create(REALM_A, 'Customer', {
      DisplayName: 'Sparse Co',
      CompanyName: 'Kept',
    });
    const sparse = await client.update(REALM_A, 'Customer', {
      Id: c.Id,
      SyncToken: c.SyncToken,
      PrimaryPhone: { FreeFormNumber: '555-0100' },
    });
    expect(sparse.entity.CompanyName).to.equal('Kept');
    expect(sparse.entity.PrimaryPhone?.FreeFormNumber).to.equal('555-0100');
    expect(sparse.intuitTid).to.be.a('string');

    const full = await client.update(
      REALM_A,
      'Customer',
      { Id: c.Id, SyncToken: sparse.entity.SyncToken, DisplayName: 'Sparse Co' },
      { full: true },
    );
    expect(full.entity.CompanyName).to.equal(undefined);
    expect(full.entity.SyncToken).to.equal('2');

    const stale = await client
      .update(REALM_A, 'Customer', { Id: c.Id, SyncToken: c.SyncToken, CompanyName: 'Late' })
      .then(
        () => undefined,
        (err: unknown) => err,
      );
    expect(stale).to.be.instanceOf(QuickBooksStaleObjectError);
  });

  it('a batch answers per item: the entity written, or its Faults (5010, a validation code)', async () => {
    const { entity: c } = await client.create(REALM_A, 'Customer', { DisplayName: 'Batch Co' });
    const answer = await client.batch(REALM_A, [
      { bId: 'a', operation: 'create', entity: 'Customer', body: { DisplayName: 'Batch New' } },
      {
        bId: 'b',
        operation: 'update',
        entity: 'Customer',
        body: { Id: c.Id, SyncToken: '7', CompanyName: 'Stale' },
        sparse: true,
      },
      { bId: 'c', operation: 'create', entity: 'Customer', body: { DisplayName: 'Batch Co' } },
    ]);
    const a = answer.results.get('a');
    const b = answer.results.get('b');
    const dup = answer.results.get('c');
    expect(a?.kind === 'entity' && a.entity.DisplayName).to.equal('Batch New');
    expect(b?.kind === 'fault' && b.faults.map((f) => f.code)).to.deep.equal(['5010']);
    expect(dup?.kind === 'fault' && dup.faults[0].code).to.equal('6240');
    expect(answer.intuitTid).to.be.a('string');
  });

  it('single calls standing in for a batch answer in the same shape; sent again, they create nothing new', async () => {
    const { entity: c } = await client.create(REALM_A, 'Customer', { DisplayName: 'Single Co' });
    const ops = [
      { bId: '0', operation: 'create' as const, entity: 'Customer' as const, body: { DisplayName: 'One' } },
      {
        bId: '1',
        operation: 'update' as const,
        entity: 'Customer' as const,
        body: { Id: c.Id, SyncToken: '7', CompanyName: 'Stale' },
      },
    ];
    const first = await client.writeEach(REALM_A, ops);
    const r0 = first.results.get('0');
    const r1 = first.results.get('1');
    expect(r0?.kind === 'entity' && r0.entity.DisplayName).to.equal('One');
    expect(r1?.kind === 'fault' && r1.faults[0].code).to.equal('5010');
    // The same write carries the same content-derived requestid: Intuit answers it from its first answer.
    const again = (await client.writeEach(REALM_A, ops.slice(0, 1))).results.get('0');
    expect(again?.kind === 'entity' && r0?.kind === 'entity' && again.entity.Id === r0.entity.Id).to.equal(
      true,
    );
    expect(await client.find(REALM_A, 'Customer', { DisplayName: 'One' })).to.have.length(1);
  });

  it('changedSince reports changed entities and deleted ones by id', async () => {
    const since = new Date(Date.now() - 60_000);
    const { entity: c } = await client.create(REALM_A, 'Customer', { DisplayName: 'CDC Co' });
    const { entity: inv } = await client.create(REALM_A, 'Invoice', {
      CustomerRef: { value: c.Id },
      Line: [
        {
          DetailType: 'SalesItemLineDetail',
          Amount: 100,
          SalesItemLineDetail: { ItemRef: { value: await itemId(w, REALM_A) }, Qty: 1, UnitPrice: 100 },
        },
      ],
    });
    await w.control('POST', `/companies/${REALM_A}/entities/Invoice/${inv.Id}?operation=delete`);
    const customers = await client.changedSince(REALM_A, 'Customer', since);
    const cdcCustomer = customers.find((x) => x.id === c.Id);
    expect(cdcCustomer?.deleted === false && cdcCustomer.entity.DisplayName).to.equal('CDC Co');
    const invoices = await client.changedSince(REALM_A, 'Invoice', since);
    expect(invoices.find((x) => x.id === inv.Id)?.deleted).to.equal(true);
  });
});
