/**
 * npm run bench:history: the history page at 100,000 sync events (issue 7, done-when 1: < 100 ms).
 *
 * Seeds a fresh SQLite database (batched inserts in one transaction), builds the real app with the real
 * container, signs in as an admin over supertest and times the first page and a filtered page: median of
 * 20 runs after a warm-up. Prints the query plans so a lost index shows up here, and ends with one line
 * for scripts: `history first_page_ms=X filtered_ms=Y`.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { loadConfig } from '../src/config.js';
import { createContainer } from '../src/container.js';
import { createLogger } from '../src/logger.js';

const EVENTS = 100_000;
const RUNS = 20;
const HISTORY = '/admin/settings/quickbooks/history';
const FILTERED = `${HISTORY}?direction=push&entity=invoice&result=failed`;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

function seedRows(from: number, to: number) {
  const start = Date.parse('2026-09-01T00:00:00.000Z');
  const entities = ['customer', 'estimate', 'invoice'];
  const rows = [];
  for (let i = from; i < to; i++) {
    // Mostly successes, as in life: 90% ok, 5% skipped, 4% retry, 1% failed.
    const r = (i * 7919) % 100;
    const result = r < 90 ? 'ok' : r < 95 ? 'skipped' : r < 99 ? 'retry' : 'failed';
    rows.push({
      // About 90 days of history; every few events share a timestamp, as a batch of 30 does.
      at: new Date(start + Math.floor(i / 4) * 311_000).toISOString(),
      run_id: Math.floor(i / 30) + 1,
      realm_id: '9130350000000001',
      direction: i % 3 ? 'push' : 'pull',
      entity: entities[(i * 5) % 3],
      local_id: (i % 5000) + 1,
      qbo_id: String(1000 + (i % 5000)),
      operation: i % 4 ? 'update' : 'create',
      result,
      error_code: result === 'failed' ? '6240' : null,
      error_message: result === 'failed' ? 'Duplicate Name Exists Error' : null,
      intuit_tid: `1-${i.toString(16).padStart(8, '0')}`,
    });
  }
  return rows;
}

async function time(agent: request.Agent, url: string): Promise<number[]> {
  for (let i = 0; i < 3; i++) await agent.get(url).expect(200);
  const samples: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t0 = performance.now();
    await agent.get(url).expect(200);
    samples.push(performance.now() - t0);
  }
  return samples;
}

const dir = mkdtempSync(path.join(os.tmpdir(), 'heavy-av-bench-'));
const config = loadConfig(
  {
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    DATABASE_URL: `sqlite:${path.join(dir, 'bench.sqlite3')}`,
    SESSION_SECRET: randomBytes(24).toString('hex'),
    TOKEN_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
  },
  { dataDir: dir },
);
const container = await createContainer(config, createLogger('silent'));
try {
  const { db } = container;
  const seedStart = performance.now();
  await db.transaction(async (trx) => {
    for (let i = 0; i < EVENTS; i += 5000) {
      const rows = seedRows(i, Math.min(EVENTS, i + 5000));
      for (let j = 0; j < rows.length; j += 500) await trx('sync_events').insert(rows.slice(j, j + 500));
    }
  });
  const count = Number((await db('sync_events').count({ n: '*' }).first())?.n);
  console.log(`seeded ${count} sync events in ${Math.round(performance.now() - seedStart)} ms`);

  for (const [name, sql, bindings] of [
    ['first page', 'SELECT * FROM sync_events ORDER BY at DESC, id DESC LIMIT 51', []],
    [
      'filtered',
      'SELECT * FROM sync_events WHERE direction = ? AND entity = ? AND result = ? ORDER BY at DESC, id DESC LIMIT 51',
      ['push', 'invoice', 'failed'],
    ],
  ] as const) {
    const plan = await db.raw(`EXPLAIN QUERY PLAN ${sql}`, bindings as unknown as string[]);
    console.log(`plan (${name}): ${plan.map((p: { detail: string }) => p.detail).join(' | ')}`);
  }

  const email = 'bench@example.com';
  const password = 'bench password 1234';
  await container.auth.createUser({ email, password, role: 'admin' });
  const agent = request.agent(container.app);
  const login = await agent.get('/admin/login');
  const _csrf = /name="_csrf" value="([^"]+)"/.exec(login.text)![1];
  await agent.post('/admin/login').type('form').send({ email, password, _csrf }).expect(303);

  const first = await time(agent, HISTORY);
  const filtered = await time(agent, FILTERED);
  const rows = (await agent.get(FILTERED)).text.match(/data-event-id=/g)?.length ?? 0;
  const report = (name: string, s: number[]) =>
    console.log(
      `${name}: median ${median(s).toFixed(1)} ms, min ${Math.min(...s).toFixed(1)} ms, max ${Math.max(...s).toFixed(1)} ms (${RUNS} runs)`,
    );
  report(`first page (${HISTORY})`, first);
  report(`filtered page (${FILTERED}, ${rows} rows)`, filtered);
  console.log(`history first_page_ms=${median(first).toFixed(1)} filtered_ms=${median(filtered).toFixed(1)}`);
} finally {
  await container.close();
  rmSync(dir, { recursive: true, force: true });
}
