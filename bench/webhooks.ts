/**
 * npm run bench:webhooks — how fast the webhook receiver acknowledges, against a bare Express route that
 * only parses JSON, in the same run and on the same machine.
 *
 * The real app (createContainer: every middleware in front of the receiver, the signature check, the
 * inbox insert into a temporary SQLite database, or PostgreSQL with DATABASE_URL=postgres://…) with a
 * connected company seeded through the repositories; its workers are not started (container.start() is not
 * called: no QBO calls), so the numbers are the acknowledgment path alone. The load comes
 * from a second process (bench/webhooks-load.ts, autocannon): valid signed CloudEvents deliveries of 10
 * events each, unique ids, 50 connections. Loopback only, bounded duration.
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
import { verifierTokenFor } from '../src/quickbooks/webhooks/index.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
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
  const token = verifierTokenFor(config);

  let peakRss = process.memoryUsage().rss;
  const sampler = setInterval(() => {
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
  }, 100);

  const appServer = await listen(container.app);
  const appUrl = `http://127.0.0.1:${(appServer.address() as AddressInfo).port}/webhooks/quickbooks`;
  console.log(`warming up, then ${SECONDS} s × ${CONNECTIONS} connections per target…`);
  await load(appUrl, token, 2);
  let cpu = process.cpuUsage();
  const real = await load(appUrl, token);
  const realCpu = process.cpuUsage(cpu);
  const stored = await container.db('webhook_inbox').count<{ n: number }[]>({ n: '*' }).first();
  await new Promise<void>((resolve) => appServer.close(() => resolve()));
  const appPeak = peakRss;

  const bare = await listen(bareApp());
  const bareUrl = `http://127.0.0.1:${(bare.address() as AddressInfo).port}/webhooks/quickbooks`;
  cpu = process.cpuUsage();
  const baseline = await load(bareUrl, token);
  const bareCpu = process.cpuUsage(cpu);
  await new Promise<void>((resolve) => bare.close(() => resolve()));
  clearInterval(sampler);

  await container.close();
  await database.drop();
  rmSync(dir, { recursive: true, force: true });

  const ratio = real.rps / baseline.rps;
  const rssMb = appPeak / 1024 / 1024;
  // CPU time of this process per delivery: less sensitive than deliveries/s to what else the machine runs.
  const cpuPer = (c: NodeJS.CpuUsage, l: Load) => ((c.user + c.system) / Math.max(1, l.requests)).toFixed(0);
  const row = (name: string, l: Load, c: NodeJS.CpuUsage) =>
    `${name.padEnd(22)} ${l.rps.toFixed(0).padStart(7)} deliveries/s  p50 ${String(l.p50).padStart(3)} ms  p99 ${String(l.p99).padStart(3)} ms  non-2xx ${l.non2xx}  errors ${l.errors + l.timeouts}  bodies re-sent ${l.reused}  cpu ${cpuPer(c, l)} µs/delivery`;
  console.log(row('POST /webhooks/quickbooks', real, realCpu));
  console.log(row('bare express.json', baseline, bareCpu));
  console.log(`events stored: ${Number(stored?.n ?? 0)} (10 per delivery, warm-up included)`);
  console.log(
    `ratio ${ratio.toFixed(2)}, app ack p50 ${real.p50} ms p99 ${real.p99} ms, peak RSS ${rssMb.toFixed(0)} MB`,
  );
  if (real.non2xx || real.errors) console.log('WARNING: the app answered errors under load');
  const [one, five] = os.loadavg();
  console.log(
    `database ${database.url.startsWith('sqlite') ? 'SQLite' : 'PostgreSQL'}, load average ${one.toFixed(2)} ${five.toFixed(2)} (${os.cpus().length} cores)`,
  );
  console.log(`webhooks ratio_to_bare=${ratio.toFixed(2)} p99_ms=${real.p99} rss_mb=${rssMb.toFixed(0)}`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
