/**
 * npm run bench:webhook-reads — what a webhook storm costs the company's API quota: one signed delivery of
 * 3,000 CloudEvents (updates spread over 40 customers), stored by the real receiver and worked off by the
 * real inbox worker against the local emulator. It reports the reads sent to Intuit (GET of an entity or
 * an `Id IN (…)` query) and how long the inbox took to drain. Goal (issue 16): at most 50 reads.
 */
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { EMULATOR_DEFAULTS } from '../src/emulator/index.js';
import { signatureOf } from '../src/quickbooks/pull/signature.js';
import { connectCompany, startBenchWorld } from './lib/world.js';

const EVENTS = Number(process.env.EVENTS ?? 3000);
const CUSTOMERS = Number(process.env.CUSTOMERS ?? 40);
const GOAL = 50;
const REALM = '9130350000000001';

function line(label: string, value: string) {
  console.log(`${label.padEnd(44)} ${value}`);
}

const w = await startBenchWorld({});
try {
  await connectCompany(w, REALM);
  const ids: string[] = [];
  for (let i = 0; i < CUSTOMERS; i++) {
    const made = await w.control('POST', `/companies/${REALM}/entities/Customer`, {
      DisplayName: `Storm Customer ${i + 1}`,
    });
    ids.push(String(made.Id));
  }
  const time = new Date().toISOString();
  const events = Array.from({ length: EVENTS }, (_, i) => ({
    specversion: '1.0',
    id: randomUUID(),
    type: 'qbo.customer.updated.v1',
    time,
    intuitentityid: ids[i % ids.length],
    intuitaccountid: REALM,
  }));
  const body = JSON.stringify(events);
  const server = w.container.app.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  const { port } = server.address() as AddressInfo;
  await w.control('DELETE', '/ledger');
  const res = await fetch(`http://127.0.0.1:${port}/webhooks/quickbooks`, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/cloudevents+json',
      'intuit-signature': signatureOf(body, EMULATOR_DEFAULTS.verifierToken),
    },
    body,
  });
  if (res.status !== 200) throw new Error(`delivery answered ${res.status}`);
  const started = Date.now();
  await w.container.inbound.worker.drain(10_000);
  const tookMs = Date.now() - started;
  server.close();
  const ledger: { method: string; path: string }[] = await w.control('GET', '/ledger');
  const reads = ledger.filter((e) => e.method === 'GET' && /\/(customer\/[^/]+|query)$/.test(e.path));
  const left = (await w.container.inbound.inbox.countByStatus()).pending ?? 0;
  line('delivery', `${EVENTS} events on ${CUSTOMERS} customers, ${(body.length / 1024).toFixed(0)} KB`);
  line('inbox drained in', `${tookMs} ms (${left} left pending)`);
  line(
    `reads per ${EVENTS} events on ${CUSTOMERS} customers`,
    `${reads.length} (goal ≤ ${GOAL}) ${reads.length <= GOAL && left === 0 ? 'ok' : 'OVER'}`,
  );
  process.exitCode = reads.length <= GOAL && left === 0 ? 0 : 1;
} finally {
  await w.close();
}
