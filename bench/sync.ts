/**
 * npm run bench:sync — how fast Heavy AV pushes records into one QuickBooks company, against the local
 * emulator with Intuit's limits (500 requests/min incl. batch, 10 concurrent, 120 batch/min) and 200 ms
 * of latency per request, in Intuit time (the emulator runs TIME_SCALE× faster than real time).
 *
 * Heavy AV is measured in the steady state: a warm-up job of the same size runs first, so the timed job
 * meets throttle windows as a busy integration does (a fresh window would let a 3,300-record job finish
 * in one burst and say nothing about the sustained rate). The naive client (one request per record,
 * sequential) pushes the same records into the second company in the same run: a sample of them
 * (NAIVE_RECORDS, default 600: 60 customers and 540 of their invoices), since its rate is flat.
 *
 * Heavy AV pushes into the emulator's empty company (a blank slate for new numbers; its lines use the item
 * proposed at connect, the company's "Services"); the naive client pushes into the full US company, naming
 * that company's "Services" item on its lines.
 */

import { writeFileSync } from 'node:fs';
import { customerPayload, documentPayload } from '../src/quickbooks/mapping/to-quickbooks.js';
import { RecordsReader } from '../src/quickbooks/push/records-reader.js';
import { connectCompany, naiveAccessToken, startBenchWorld } from './lib/world.js';

const TIME_SCALE = Number(process.env.TIME_SCALE ?? 10);
/** The naive client's rate is steady from the first request; a sample keeps the run near a minute. */
const NAIVE_RECORDS = Number(process.env.NAIVE_RECORDS ?? 600);
const CUSTOMERS = Number(process.env.CUSTOMERS ?? 300);
const INVOICES = Number(process.env.INVOICES ?? 3000);
const LIMITS = { perMinute: 500, concurrent: 10, batchPerMinute: 120 };
/** The emulator's empty company: Heavy AV's push. */
const HEAVY_REALM = '9130350000000003';
/** The emulator's full US company: the naive client's push. */
const NAIVE_REALM = '9130350000000001';
const REAL_MINUTE = 60_000 / TIME_SCALE;

function line(label: string, value: string) {
  console.log(`${label.padEnd(44)} ${value}`);
}

async function seed(
  w: Awaited<ReturnType<typeof startBenchWorld>>,
  prefix: string,
): Promise<{ customers: number[]; invoices: number[] }> {
  const c = w.container;
  const customers: number[] = [];
  for (let i = 0; i < CUSTOMERS; i++) {
    const cust = await c.customers.create({
      displayName: `${prefix} Customer ${i + 1}`,
      companyName: `${prefix} Events ${i + 1}`,
      email: `c${i + 1}@${prefix.toLowerCase()}.example`,
      phone: '',
      billingLine1: `${i + 1} Stage Rd`,
      billingCity: 'Springfield',
      billingPostalCode: '12345',
      billingCountry: 'US',
    });
    customers.push(cust.id);
  }
  const invoices: number[] = [];
  for (let i = 0; i < INVOICES; i++) {
    const inv = await c.invoices.create({
      customerId: String(customers[i % customers.length]),
      docNumber: `${prefix}-${i + 1}`,
      txnDate: '2026-11-20',
      closingDate: '2026-12-20',
      memo: '',
      lines: [
        { description: 'Line array rental', quantity: '2', unitPrice: '450.00' },
        { description: 'Technician', quantity: '6.5', unitPrice: '65.00' },
      ],
    });
    invoices.push(inv.id);
  }
  return { customers, invoices };
}

async function main() {
  const w = await startBenchWorld({
    emulatorConfig: { latencyMs: 200, timeScale: TIME_SCALE, limits: LIMITS },
    quickbooks: {
      limiterWindowMs: REAL_MINUTE,
      limits: LIMITS,
      throttleBackoffMs: REAL_MINUTE / 6,
      timeoutMs: 30_000,
    },
    sync: { lanes: 10, retryDelayMs: () => REAL_MINUTE / 12 },
  });
  try {
    await connectCompany(w, HEAVY_REALM);
    const worker = w.container.sync.worker;

    // The timed job is queued first and held back, then a warm-up job of the same shape runs untimed,
    // and the timed job is released the moment it ends: it meets throttle windows as full as a busy
    // integration does, not the fresh ones that would let it finish in one burst.
    const timed = await seed(w, 'BENCH');
    const outbox = () => w.container.db('qbo_outbox').where({ status: 'pending' });
    await outbox().update({ next_attempt_at: '9999-12-31T00:00:00.000Z' });
    await seed(w, 'WARM');
    await outbox()
      .where('next_attempt_at', '<', '9999')
      .update({ next_attempt_at: new Date().toISOString() });
    await worker.drain();
    await outbox().update({ next_attempt_at: new Date().toISOString() });
    await w.control('DELETE', '/ledger');
    const t0 = performance.now();
    await worker.drain();
    const heavyMs = performance.now() - t0;
    const records = CUSTOMERS + INVOICES;
    const ledger: { path: string; status: number; realmId: string }[] = await w.control('GET', '/ledger');
    const throttled = ledger.filter((e) => e.status === 429).length;
    // BENCH_LEDGER=<file>: the timed push's ledger, for a look at where the time went.
    if (process.env.BENCH_LEDGER) writeFileSync(process.env.BENCH_LEDGER, JSON.stringify(ledger));
    const requests = ledger.length;

    // Exactly once: every timed record in QuickBooks once, and linked.
    const qboInvoices: any[] = await w.control('GET', `/companies/${HEAVY_REALM}/entities/Invoice`);
    const qboCustomers: any[] = await w.control('GET', `/companies/${HEAVY_REALM}/entities/Customer`);
    const count = (list: any[], key: string, prefix: string) =>
      list.filter((e) => String(e[key]).startsWith(prefix)).length;
    const inQbo = count(qboInvoices, 'DocNumber', 'BENCH-') + count(qboCustomers, 'DisplayName', 'BENCH ');
    const links = Number(
      (
        await w.container
          .db('qbo_links')
          .where({ realm_id: HEAVY_REALM })
          .where((q) => q.whereIn('record_id', timed.invoices).andWhere('record_type', 'invoice'))
          .count({ n: '*' })
          .first()
      )?.n ?? 0,
    );
    const failed = Number(
      (await w.container.db('qbo_outbox').whereIn('status', ['failed', 'pending']).count({ n: '*' }).first())
        ?.n ?? 0,
    );
    const duplicates = inQbo - records;

    // The naive client: one create per record, one after another, into the second company.
    const token = await naiveAccessToken(w, NAIVE_REALM);
    const reader = new RecordsReader(w.container.db);
    const sampleCustomers = timed.customers.slice(0, Math.round(NAIVE_RECORDS / 10));
    const sampleSet = new Set(sampleCustomers);
    const custs = await reader.customers(sampleCustomers);
    const allInvs = await reader.documents('invoice', timed.invoices);
    const invs = [...allInvs.values()]
      .filter((d) => sampleSet.has(d.customerId))
      .slice(0, NAIVE_RECORDS - sampleCustomers.length);
    const naiveIds = new Map<number, string>();
    const items: any[] = await w.control('GET', `/companies/${NAIVE_REALM}/entities/Item`);
    const services = { value: items.find((i) => i.Name === 'Services' && i.Active).Id };
    const naiveInvoice = (d: (typeof invs)[number]) => {
      const setup = { defaultItemId: services.value, defaultTaxCodeId: null, taxMode: 'none' as const };
      return documentPayload('invoice', d, naiveIds.get(d.customerId)!, setup);
    };
    const post = async (entity: string, body: unknown) => {
      const res = await fetch(`${w.emulator.url}/v3/company/${NAIVE_REALM}/${entity}?minorversion=75`, {
        method: 'POST',
        headers: {
          Authorization: `Bearer ${token}`,
          'Content-Type': 'application/json',
          Accept: 'application/json',
        },
        body: JSON.stringify(body),
      });
      const json: any = await res.json();
      if (res.status !== 200)
        throw new Error(`naive ${entity}: ${res.status} ${JSON.stringify(json).slice(0, 200)}`);
      return json;
    };
    const t1 = performance.now();
    for (const c of custs.values())
      naiveIds.set(c.id, (await post('customer', customerPayload(c))).Customer.Id);
    for (const d of invs) await post('invoice', naiveInvoice(d));
    const naiveMs = performance.now() - t1;
    const naiveCount = custs.size + invs.length;

    const intuitMinutes = (ms: number) => (ms * TIME_SCALE) / 60_000;
    const heavyRate = records / intuitMinutes(heavyMs);
    const naiveRate = naiveCount / intuitMinutes(naiveMs);
    const ceiling = LIMITS.batchPerMinute * 30 + (LIMITS.perMinute - LIMITS.batchPerMinute);
    console.log(
      `\nPush of ${INVOICES} invoices for ${CUSTOMERS} customers (time scale ${TIME_SCALE}×, 200 ms latency)`,
    );
    line(
      'Heavy AV',
      `${heavyRate.toFixed(0)} records/min (Intuit time), ${requests} requests, ${(heavyMs / 1000).toFixed(2)} s real`,
    );
    line(
      'naive client (sequential, one per record)',
      `${naiveRate.toFixed(0)} records/min (Intuit time), ${(naiveMs / 1000).toFixed(2)} s real`,
    );
    line("ceiling of Intuit's limits", `${ceiling} records/min (120 batches × 30 + 380 single calls)`);
    line('429s during the timed push', `${throttled} (work lost: ${failed})`);
    line('in QuickBooks / in Heavy AV / invoice links', `${inQbo} / ${records} / ${links} of ${INVOICES}`);
    console.log(
      `sync ratio_to_ceiling=${(heavyRate / ceiling).toFixed(2)} speedup_vs_naive=${(heavyRate / naiveRate).toFixed(1)} duplicates=${duplicates}`,
    );
  } finally {
    await w.close();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
