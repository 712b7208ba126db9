/**
 * npm run bench:webhooks — how fast the webhook receiver acknowledges, against a bare Express route that
 * only parses JSON, in the same run and on the same machine.
 *
 * The real app (createContainer: every middleware in front of the receiver, the signature check, the
 * inbox insert into a temporary SQLite database, or PostgreSQL with DATABASE_URL=postgres://…) with a
 * connected company seeded through the repositories; its workers are not started (container.start() is not
 * called: no QBO calls), so the numbers are the acknowledgment path alone. The load comes
 * from a second process (bench/webhooks-load.ts, autocannon): valid signed CloudEvents deliveries of 10
 * events each, unique ids, 50 connections. Loopback only, bounded duration: the targets take turns for
 * BENCH_ROUNDS rounds (3) of BENCH_SECONDS (5) each, and the ratio is the median of the rounds' ratios.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import express from 'express';
import knexFactory from 'knex';
import { loadConfig } from '../src/config.js';
import { createContainer } from '../src/container.js';
import { createLogger } from '../src/logger.js';

// Per round and target.
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50);
const REALM = '9130350000000001';
// Bodies made and signed up front by the load generator: more than either target can take in the time, so
// none is sent twice (the line says how many were, if any).
const BODIES_PER_SECOND = Number(process.env.BENCH_BODIES_PER_SECOND ?? 9000);
const MAX_BODIES = 120_000;
const here = path.dirname(fileURLToPath(import.meta.url));

interface Load {
  requests: number;
  rps: number;
  p50: number;
  p99: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  reused: number;
}

function listen(app: express.Express): Promise<Server> {
  return new Promise((resolve) => {
    const server = app.listen(0, '127.0.0.1', () => resolve(server));
  });
}

function load(url: string, token: string, seconds = SECONDS): Promise<Load> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        path.join(here, 'webhooks-load.ts'),
        url,
        String(CONNECTIONS),
        String(seconds),
        token,
        REALM,
        String(Math.min(MAX_BODIES, BODIES_PER_SECOND * seconds)),
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let out = '';
    child.stdout.on('data', (chunk) => {
      out += chunk;
    });
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code !== 0) return reject(new Error(`load generator exited with ${code}`));
      resolve(JSON.parse(out.trim().split('\n').pop()!));
    });
  });
}

function bareApp(): express.Express {
  const app = express();
  app.post('/webhooks/quickbooks', express.json({ type: () => true, limit: '1mb' }), (req, res) => {
    res.status(Array.isArray(req.body) ? 200 : 400).end();
  });
  return app;
}

/**
 * DATABASE_URL=postgres://… runs the app on a throw-away PostgreSQL database made next to the one named
 * (dropped afterwards); otherwise on a temporary SQLite file.
 */
async function benchDatabase(dir: string): Promise<{ url: string; drop(): Promise<void> }> {
  const given = process.env.DATABASE_URL ?? '';
  if (!/^postgres(ql)?:\/\//.test(given)) {
    return { url: `sqlite:${path.join(dir, 'bench.sqlite3')}`, drop: async () => undefined };
  }
  const name = `hav_bench_webhooks_${process.pid}`;
  const admin = knexFactory({ client: 'pg', connection: given, pool: { min: 0, max: 1 } });
  await admin.raw(`DROP DATABASE IF EXISTS ${name}`);
  await admin.raw(`CREATE DATABASE ${name}`);
  const url = new URL(given);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      await admin.raw(`DROP DATABASE IF EXISTS ${name}`);
      await admin.destroy();
    },
  };
}

async function main(): Promise<void> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'heavy-av-bench-'));
  const database = await benchDatabase(dir);
  const config = loadConfig(
    {
      NODE_ENV: 'test',
      LOG_LEVEL: 'error',
      DATABASE_URL: database.url,
      SESSION_SECRET: randomBytes(24).toString('hex'),
      TOKEN_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
      INTUIT_EMULATOR_URL: 'http://127.0.0.1:9',
    },
    { dataDir: dir },
  );
  const container = await createContainer(config, createLogger('error'));
  const admin = await container.auth.createUser({
    email: 'bench@example.com',
    password: 'correct horse battery staple',
    role: 'admin',
  });
  // A connected company, as the OAuth callback would leave it (the worker is not started: no QBO calls).
  await container.quickbooks.connections.saveConnected({
    realmId: REALM,
    companyName: 'Bench Co',
    environment: config.intuit.environment,
    status: 'connected',
    user: { id: admin.id, email: admin.email },
    tokens: { accessToken: 'bench-access', refreshToken: 'bench-refresh', expiresIn: 3600 },
  });
  const token = config.intuit.webhookVerifierToken;

  let peakRss = process.memoryUsage().rss;
  const sampler = setInterval(() => {
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
  }, 100);

  const appServer = await listen(container.app);
  const bare = await listen(bareApp());
  const urlOf = (server: Server) =>
    `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks/quickbooks`;
  const targets: Target[] = [
    { name: 'POST /webhooks/quickbooks', url: urlOf(appServer), runs: [] },
    { name: 'bare express.json', url: urlOf(bare), runs: [] },
  ];
  console.log(
    `warming up, then ${ROUNDS} rounds of ${SECONDS} s × ${CONNECTIONS} connections per target, taking turns…`,
  );
  for (const t of targets) await load(t.url, token, 2);
  // Rounds alternate between the targets, so a change in what else the machine runs hits both alike; the
  // pause lets the checkpointer finish the app's writes before the bare route's turn.
  for (let round = 1; round <= ROUNDS; round++) {
    for (const t of targets) {
      await new Promise((resolve) => setTimeout(resolve, 1000));
      const before = process.cpuUsage();
      const result = await load(t.url, token);
      const used = process.cpuUsage(before);
      t.runs.push({ ...result, cpuUs: used.user + used.system });
      console.log(`round ${round}  ${row(t.name, t.runs.at(-1)!)}`);
    }
  }
  const stored = await container.db('webhook_inbox').count<{ n: number }[]>({ n: '*' }).first();
  clearInterval(sampler);
  await new Promise<void>((resolve) => appServer.close(() => resolve()));
  await new Promise<void>((resolve) => bare.close(() => resolve()));
  await container.close();
  await database.drop();
  rmSync(dir, { recursive: true, force: true });

  const [app, baseline] = targets;
  // Each round's ratio compares two measurements taken side by side; the median of those is the figure.
  const ratios = app.runs.map((r, i) => r.rps / baseline.runs[i].rps);
  const ratio = median(ratios);
  const p50 = median(app.runs.map((r) => r.p50));
  const p99 = Math.max(...app.runs.map((r) => r.p99));
  const rssMb = peakRss / 1024 / 1024;
  console.log('');
  for (const t of targets) console.log(`median  ${row(t.name, summary(t.runs))}`);
  console.log(`events stored: ${Number(stored?.n ?? 0)} (10 per delivery, warm-up included)`);
  console.log(
    `ratio per round ${ratios.map((r) => r.toFixed(2)).join(' ')} → median ${ratio.toFixed(2)}; app ack p50 ${p50} ms (median), p99 ${p99} ms (worst round); peak RSS ${rssMb.toFixed(0)} MB`,
  );
  if (app.runs.some((r) => r.non2xx || r.errors)) console.log('WARNING: the app answered errors under load');
  const [one, five] = os.loadavg();
  console.log(
    `database ${database.url.startsWith('sqlite') ? 'SQLite' : 'PostgreSQL'}, load average ${one.toFixed(2)} ${five.toFixed(2)} (${os.cpus().length} cores)`,
  );
  console.log(`webhooks ratio_to_bare=${ratio.toFixed(2)} p99_ms=${p99} rss_mb=${rssMb.toFixed(0)}`);
}

interface Run extends Load {
  /** CPU time of this process (all its threads) during the round, in µs. */
  cpuUs: number;
}

interface Target {
  name: string;
  url: string;
  runs: Run[];
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Medians of the rounds; errors and re-sent bodies summed. */
function summary(runs: Run[]): Run {
  const sum = (f: (r: Run) => number) => runs.reduce((n, r) => n + f(r), 0);
  return {
    requests: sum((r) => r.requests),
    rps: median(runs.map((r) => r.rps)),
    p50: median(runs.map((r) => r.p50)),
    p99: median(runs.map((r) => r.p99)),
    non2xx: sum((r) => r.non2xx),
    errors: sum((r) => r.errors),
    timeouts: sum((r) => r.timeouts),
    reused: sum((r) => r.reused),
    cpuUs: sum((r) => r.cpuUs),
  };
}

// CPU time of this process per delivery: less sensitive than deliveries/s to what else the machine runs.
function row(name: string, r: Run): string {
  const cpu = (r.cpuUs / Math.max(1, r.requests)).toFixed(0);
  return `${name.padEnd(26)} ${r.rps.toFixed(0).padStart(6)} deliveries/s  p50 ${String(r.p50).padStart(3)} ms  p99 ${String(r.p99).padStart(3)} ms  non-2xx ${r.non2xx}  errors ${r.errors + r.timeouts}  bodies re-sent ${r.reused}  cpu ${cpu} µs/delivery`;
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
