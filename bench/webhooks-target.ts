/**
 * A target of bench/webhooks.ts in a process of its own, started with the node flags of `npm start`, so the
 * receiving process is measured as it runs in production (its RSS, its CPU time) and not mixed with the
 * bench's own bookkeeping or the other target.
 *
 * argv: 'app' | 'bare' | 'node'. env: BENCH_DATABASE_URL (app). Prints one JSON line once listening:
 * { url, token }. Then answers IPC messages:
 *   'settle' → {}  app on SQLite: checkpoints the WAL (TRUNCATE) before answering; others answer at once
 *   'cpu'   → { cpuUs, gcMs }  CPU time used by this process so far (all its threads), in µs, and the
 *             time spent in garbage collection so far, in ms
 *   'unpack' → { deliveries, cpuUs, ms }  app only: moves every staged delivery into the inbox as the
 *             worker does after the 200 (decision 016), and says what that cost
 *   'stop'  → { stored, served, peakRssMb, readyRssMb }  closes and exits (stored: rows in webhook_inbox once unpacked,
 *             app only; served: requests answered; readyRssMb: RSS once listening, before any load)
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import http, { type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { constants, PerformanceObserver, performance } from 'node:perf_hooks';
import express from 'express';
import { loadConfig } from '../src/config.js';
import { type Container, createContainer } from '../src/container.js';
import { dialectOf } from '../src/db/index.js';
import { createLogger } from '../src/logger.js';

const REALM = process.env.BENCH_REALM ?? '9130350000000001';
const PATH = '/webhooks/quickbooks';

// Garbage collection by kind: count and ms (the receiver's GC is part of its cost per delivery).
const gc: Record<string, { count: number; ms: number }> = {};
const kinds: Record<number, string> = {
  [constants.NODE_PERFORMANCE_GC_MINOR]: 'minor',
  [constants.NODE_PERFORMANCE_GC_MAJOR]: 'major',
  [constants.NODE_PERFORMANCE_GC_INCREMENTAL]: 'incremental',
  [constants.NODE_PERFORMANCE_GC_WEAKCB]: 'weakcb',
};
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) {
    const kind = kinds[(entry as unknown as { detail: { kind: number } }).detail.kind] ?? 'other';
    gc[kind] ??= { count: 0, ms: 0 };
    gc[kind].count++;
    gc[kind].ms += entry.duration;
  }
}).observe({ entryTypes: ['gc'] });

let peakRss = process.memoryUsage.rss();
const sampler = setInterval(() => {
  peakRss = Math.max(peakRss, process.memoryUsage.rss());
}, 100);

function bareApp(): express.Express {
  const app = express();
  app.post(PATH, express.json({ type: () => true, limit: '1mb' }), (req, res) => {
    res.status(Array.isArray(req.body) ? 200 : 400).end();
  });
  return app;
}

/**
 * The floor: Node's own HTTP server reading the body and parsing it as JSON, no framework. The receiver
 * runs in front of Express (decision 018), so the bare Express route is no longer the tightest reference.
 */
function bareNode(): http.RequestListener {
  return (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      let ok = false;
      try {
        ok = Array.isArray(JSON.parse(Buffer.concat(chunks).toString('utf8')));
      } catch {
        ok = false;
      }
      res.statusCode = ok ? 200 : 400;
      res.end();
    });
  };
}

/** The real app, as served (the receiver before Express), with a connected company; workers not started. */
async function realApp(dir: string): Promise<{ container: Container; token: string }> {
  const config = loadConfig(
    {
      NODE_ENV: 'test',
      LOG_LEVEL: 'error',
      DATABASE_URL: process.env.BENCH_DATABASE_URL ?? `sqlite:${path.join(dir, 'bench.sqlite3')}`,
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
  return { container, token: config.intuit.webhookVerifierToken };
}

async function main(): Promise<void> {
  const mode = process.argv[2];
  const dir = mkdtempSync(path.join(os.tmpdir(), 'heavy-av-bench-'));
  const real = mode === 'app' ? await realApp(dir) : undefined;
  const server = await new Promise<Server>((resolve) => {
    const listener = real?.container.app ?? (mode === 'node' ? bareNode() : bareApp());
    const s = http.createServer(listener).listen(0, '127.0.0.1', () => resolve(s));
  });
  let served = 0;
  server.on('request', () => served++);
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}${PATH}`;
  const readyRssMb = process.memoryUsage.rss() / 1024 / 1024;
  process.stdout.write(`${JSON.stringify({ url, token: real?.token ?? '' })}\n`);

  process.on('message', async (message) => {
    if (message === 'cpu') {
      const { user, system } = process.cpuUsage();
      const gcMs = Object.values(gc).reduce((n, g) => n + g.ms, 0);
      process.send!({ cpuUs: user + system, gcMs });
      return;
    }
    if (message === 'settle') {
      // The round's writes checkpointed now, on this process's clock, rather than by its checkpointer
      // thread while the next target's round runs (which would charge that target for this one's I/O).
      if (real && dialectOf(real.container.db) === 'sqlite')
        await real.container.db.raw('PRAGMA wal_checkpoint(TRUNCATE)');
      process.send!({});
      return;
    }
    if (message === 'unpack') {
      const start = process.cpuUsage();
      const began = performance.now();
      let deliveries = 0;
      for (let moved = 1; real && moved; ) {
        moved = (await real.container.inbound.inbox.unpack()).deliveries;
        deliveries += moved;
      }
      const used = process.cpuUsage(start);
      process.send!({ deliveries, cpuUs: used.user + used.system, ms: performance.now() - began });
      return;
    }
    if (message !== 'stop') return;
    clearInterval(sampler);
    let stored = 0;
    if (real) {
      const row = await real.container.db('webhook_inbox').count<{ n: number }[]>({ n: '*' }).first();
      stored = Number(row?.n ?? 0);
    }
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await real?.container.close();
    rmSync(dir, { recursive: true, force: true });
    process.send!(
      {
        stored,
        served,
        gc,
        heapUsedMb: process.memoryUsage().heapUsed / 1024 / 1024,
        peakRssMb: peakRss / 1024 / 1024,
        readyRssMb,
      },
      () => process.exit(0),
    );
  });
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
