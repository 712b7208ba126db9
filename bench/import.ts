/**
 * npm run bench:import — how fast Heavy AV brings in what a QuickBooks company already holds
 * (capability 19), against the local emulator with Intuit's limits and 200 ms of latency per request, in
 * Intuit time (the emulator runs TIME_SCALE× faster than real time).
 *
 * The emulator's empty company is filled through its control API ("inside QuickBooks") with CUSTOMERS
 * active customers and INVOICES invoices, then an import of the customers and the invoices since a date
 * runs as an admin would start it. Reported: records per Intuit-minute against the read ceiling (500
 * requests a minute × 1,000 rows a query page), the requests it took, and the process's RSS before, at its
 * peak during, and after the import: the import holds one page at a time, so memory stays flat whatever
 * the company's size.
 */
import v8 from 'node:v8';
import vm from 'node:vm';
import { connectCompany, startBenchWorld } from './lib/world.js';

const TIME_SCALE = Number(process.env.TIME_SCALE ?? 10);
const CUSTOMERS = Number(process.env.CUSTOMERS ?? 5000);
const INVOICES = Number(process.env.INVOICES ?? 5000);
const LIMITS = { perMinute: 500, concurrent: 10, batchPerMinute: 120 };
/** The emulator's empty US company, filled here. */
const REALM = '9130350000000003';
const REAL_MINUTE = 60_000 / TIME_SCALE;
/** Intuit's read ceiling: 500 requests a minute, each query page at most 1,000 rows. */
const CEILING = LIMITS.perMinute * 1000;

function line(label: string, value: string) {
  console.log(`${label.padEnd(44)} ${value}`);
}

const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MB`;

type World = Awaited<ReturnType<typeof startBenchWorld>>;

/** `n` creates through the control API, 25 at a time. */
async function create(w: World, entity: string, n: number, body: (i: number) => unknown): Promise<any[]> {
  const out: any[] = [];
  for (let i = 0; i < n; i += 25) {
    const batch = Array.from({ length: Math.min(25, n - i) }, (_, k) =>
      w.control('POST', `/companies/${REALM}/entities/${entity}`, body(i + k)),
    );
    out.push(...(await Promise.all(batch)));
  }
  return out;
}

async function seed(w: World): Promise<void> {
  const items: any[] = await w.control('GET', `/companies/${REALM}/entities/Item`);
  const services = items.find((i) => i.Name === 'Services' && i.Active).Id;
  const customers = await create(w, 'Customer', CUSTOMERS, (i) => ({
    DisplayName: `Import Bench Customer ${i + 1}`,
    CompanyName: `Bench Events ${i + 1}`,
    PrimaryEmailAddr: { Address: `c${i + 1}@bench.example` },
    BillAddr: { Line1: `${i + 1} Stage Rd`, City: 'Springfield', PostalCode: '12345', Country: 'US' },
  }));
  await create(w, 'Invoice', INVOICES, (i) => ({
    CustomerRef: { value: customers[i % customers.length].Id },
    DocNumber: `IB-${i + 1}`,
    TxnDate: '2026-11-20',
    Line: [
      {
        DetailType: 'SalesItemLineDetail',
        Amount: 900,
        Description: 'Line array rental',
        SalesItemLineDetail: { ItemRef: { value: services }, Qty: 2, UnitPrice: 450 },
      },
    ],
  }));
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
  });
  try {
    await seed(w);
    await connectCompany(w, REALM);
    await w.control('DELETE', '/ledger');
    // A full collection before each reading, so the figures compare what is held, not garbage not yet freed.
    v8.setFlagsFromString('--expose-gc');
    const gc = vm.runInNewContext('gc') as () => void;
    gc();
    const heapBefore = process.memoryUsage().heapUsed;
    const rssBefore = process.memoryUsage().rss;
    let rssPeak = rssBefore;
    const sampler = setInterval(() => {
      rssPeak = Math.max(rssPeak, process.memoryUsage().rss);
    }, 50);

    const t0 = performance.now();
    await w.container.imports.request({ customers: 'on', documentsSince: '2000-01-01', userId: null });
    const db = w.container.db;
    let job: any;
    for (;;) {
      job = await db('qbo_imports').orderBy('id', 'desc').first();
      if (job.status !== 'running') break;
      await new Promise((r) => setTimeout(r, 50));
    }
    const ms = performance.now() - t0;
    clearInterval(sampler);
    gc();
    const rssAfter = process.memoryUsage().rss;
    const heapAfter = process.memoryUsage().heapUsed;
    if (job.status !== 'finished') throw new Error(`import ${job.status}: ${job.error}`);

    const ledger: { path: string; method: string; status: number }[] = await w.control('GET', '/ledger');
    const api = ledger.filter((e) => e.path.startsWith('/v3/'));
    const writes = api.filter((e) => e.method !== 'GET').length;
    const throttled = api.filter((e) => e.status === 429).length;
    const records = Number(job.imported) + Number(job.linked) + Number(job.skipped);
    const count = async (table: string) => Number((await db(table).count({ n: '*' }).first())?.n);
    const [customersHere, invoicesHere] = [await count('customers'), await count('invoices')];
    const duplicates = customersHere - CUSTOMERS + (invoicesHere - INVOICES);
    const rate = records / ((ms * TIME_SCALE) / 60_000);

    console.log(
      `\nImport of ${CUSTOMERS} customers and ${INVOICES} invoices (time scale ${TIME_SCALE}×, 200 ms latency)`,
    );
    line('Heavy AV', `${rate.toFixed(0)} records/min (Intuit time), ${(ms / 1000).toFixed(2)} s real`);
    line("read ceiling of Intuit's limits", `${CEILING} records/min (500 requests × 1,000 rows)`);
    line('requests to Intuit (writes, 429s)', `${api.length} (${writes}, ${throttled})`);
    line('imported / linked / skipped', `${job.imported} / ${job.linked} / ${job.skipped}`);
    line('customers / invoices in Heavy AV', `${customersHere} / ${invoicesHere}`);
    line('RSS before / peak / after', `${mb(rssBefore)} / ${mb(rssPeak)} / ${mb(rssAfter)}`);
    line('heap in use before / after (after a full GC)', `${mb(heapBefore)} / ${mb(heapAfter)}`);
    console.log(
      `import records_per_intuit_min=${rate.toFixed(0)} ratio_to_read_ceiling=${(rate / CEILING).toFixed(3)} requests=${api.length} writes=${writes} duplicates=${duplicates} rss_before_mb=${(rssBefore / 1048576).toFixed(0)} rss_peak_mb=${(rssPeak / 1048576).toFixed(0)} rss_after_mb=${(rssAfter / 1048576).toFixed(0)} heap_before_mb=${(heapBefore / 1048576).toFixed(0)} heap_after_mb=${(heapAfter / 1048576).toFixed(0)}`,
    );
  } finally {
    await w.close();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
