/**
 * npm run bench:process — what the served process costs: start-up time and resident memory (RSS) idle after
 * start-up, after 1,000 page views and after 1,000 webhook deliveries (each fetched from "Intuit" and
 * applied), for `npm start`'s process (node on dist/, built first) with the emulator in its own process
 * (`npm run emulator`, as INTUIT_EMULATOR_URL would point at it). Measured in the same run for comparison:
 * the same with the emulator inside the app's process (what the in-process emulator adds), and the way it
 * was served before compiling (`tsx src/server.ts`: tsx, its node child and esbuild; the process tree's
 * RSS is summed). Each variant gets a fresh SQLite database with an admin, connects the demo company over
 * HTTP (real OAuth against the emulator) and runs NODE_ENV=production. RSS is read from /proc (Linux)
 * BENCH_SETTLE_MS after each step, when the process is idle again. (The tsx tree's esbuild service may have
 * exited by then; its RSS is counted while it lives.)
 *
 * BENCH_START replaces package.json's start command (e.g. `node dist/src/server.js` for V8's default heap);
 * BENCH_VARIANTS (comma list of compiled, compiled+emulator, tsx), BENCH_PAGE_VIEWS, BENCH_DELIVERIES and
 * BENCH_SETTLE_MS (10000) narrow a run.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { AuthService } from '../src/auth/auth-service.js';
import { LoginAttemptsRepository } from '../src/auth/login-attempts-repository.js';
import { UsersRepository } from '../src/auth/users-repository.js';
import { openSqlite } from '../src/backup/sqlite.js';
import { createDb, migrateLatest } from '../src/db/index.js';
import { EMULATOR_DEFAULTS } from '../src/emulator/index.js';
import { signatureOf } from '../src/quickbooks/pull/signature.js';
import { freePort } from '../test/helpers/free-port.js';
import { type HttpSession, signInOverHttp } from '../test/helpers/http-session.js';

const PAGE_VIEWS = Number(process.env.BENCH_PAGE_VIEWS ?? 1000);
const DELIVERIES = Number(process.env.BENCH_DELIVERIES ?? 1000);
const CONCURRENCY = 8;
// How long the process is left alone before its RSS is read: idle, after V8's memory reducer has had its go.
const SETTLE_MS = Number(process.env.BENCH_SETTLE_MS ?? 10_000);
const REALM = '9130350000000001';
const ADMIN = { email: 'bench@example.com', password: 'bench password 1234' };
const SECRETS = {
  SESSION_SECRET: randomBytes(24).toString('base64url'),
  TOKEN_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
};

type Variant = 'compiled' | 'compiled+emulator' | 'tsx';

interface Figures {
  startupMs: number;
  idleMb: number;
  pagesMb: number;
  webhooksMb: number;
  /** Wall time of the 1,000 page views (8 at a time), and of the deliveries' acknowledgments. */
  pagesMs: number;
  acksMs: number;
  peakMb: number;
  processes: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function statusKb(pid: number, key: 'VmRSS' | 'VmHWM'): number {
  const m = new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) : 0;
}

function tree(pid: number): number[] {
  const children = readdirSync(`/proc/${pid}/task`).flatMap((t) =>
    readFileSync(`/proc/${pid}/task/${t}/children`, 'utf8').split(/\s+/).filter(Boolean).map(Number),
  );
  return [pid, ...children.flatMap(tree)];
}

/** RSS of the process and everything it started, in MB. */
function treeMb(pid: number, key: 'VmRSS' | 'VmHWM' = 'VmRSS'): number {
  return tree(pid).reduce((sum, p) => sum + statusKb(p, key), 0) / 1024;
}

async function pool(n: number, concurrency: number, job: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < n) await job(next++);
    }),
  );
}

async function until(
  check: () => Promise<boolean> | boolean,
  timeoutMs: number,
  what: string | (() => string),
) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out: ${typeof what === 'string' ? what : what()}`);
    await sleep(10);
  }
}

async function spawnEmulator(appBase: string): Promise<{ url: string; child: ChildProcess }> {
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/emulator/cli.ts'], {
    env: { ...process.env, EMULATOR_PORT: String(port), APP_BASE_URL: appBase },
    stdio: 'ignore',
  });
  const url = `http://127.0.0.1:${port}`;
  await until(
    () =>
      fetch(`${url}/__emulator/config`).then(
        (r) => r.ok,
        () => false,
      ),
    60_000,
    'emulator',
  );
  return { url, child };
}

/** Exactly what `npm start` runs, from package.json (`node <flags> dist/src/server.js`), minus `node`. */
function startArgs(): string[] {
  const start: string = JSON.parse(readFileSync('package.json', 'utf8')).scripts.start;
  const [node, ...args] = (process.env.BENCH_START ?? start).split(/\s+/);
  if (node !== 'node') throw new Error(`unexpected start script: ${start}`);
  return args;
}

async function newDatabase(dir: string): Promise<string> {
  const url = `sqlite:${path.join(dir, 'heavy-av.sqlite3')}`;
  const db = createDb({ databaseUrl: url });
  await migrateLatest(db);
  await new AuthService({
    users: new UsersRepository(db),
    attempts: new LoginAttemptsRepository(db),
  }).createUser({ ...ADMIN, role: 'admin' });
  await db.destroy();
  return url;
}

/** The admin's browser through Intuit's consent page (a plain form) and back. */
async function connectCompany(session: HttpSession): Promise<void> {
  const start = await session.postForm(
    '/admin/settings/quickbooks/connect',
    {},
    '/admin/settings/quickbooks',
  );
  const authorize = new URL(start.headers.get('location')!);
  const html = await (await fetch(authorize)).text();
  const form = new URLSearchParams();
  for (const m of html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g))
    form.set(m[1], m[2].replace(/&amp;/g, '&'));
  form.set('realmId', REALM);
  form.set('decision', 'connect');
  const decided = await fetch(new URL('/connect/oauth2', authorize), {
    method: 'POST',
    body: form,
    redirect: 'manual',
  });
  const back = new URL(decided.headers.get('location')!);
  const done = await session.get(`${back.pathname}${back.search}`);
  if (done.status !== 303) throw new Error(`callback answered ${done.status}`);
}

async function measure(variant: Variant): Promise<Figures> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'heavy-av-bench-process-'));
  const port = await freePort();
  const emulatorPort = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const databaseUrl = await newDatabase(dir);
  // The emulator registers the app's redirect URI from APP_BASE_URL, so each variant starts its own.
  const outside = variant === 'compiled+emulator' ? undefined : await spawnEmulator(base);
  const emulatorUrl = outside?.url ?? `http://127.0.0.1:${emulatorPort}`;
  const command =
    variant === 'tsx' ? [path.resolve('node_modules/tsx/dist/cli.mjs'), 'src/server.ts'] : startArgs();
  const started = performance.now();
  const child = spawn(process.execPath, command, {
    env: {
      ...process.env,
      ...SECRETS,
      NODE_ENV: 'production',
      LOG_LEVEL: 'warn',
      PORT: String(port),
      EMULATOR_PORT: String(emulatorPort),
      APP_BASE_URL: base,
      DATABASE_URL: databaseUrl,
      BACKUP_DIR: path.join(dir, 'backups'),
      INTUIT_EMULATOR_URL: variant === 'compiled+emulator' ? '' : emulatorUrl,
    },
    stdio: 'ignore',
  });
  try {
    await until(
      () =>
        fetch(`${base}/healthz`).then(
          (r) => r.ok,
          () => false,
        ),
      60_000,
      'server start',
    );
    const startupMs = performance.now() - started;
    await sleep(SETTLE_MS);
    const idleMb = treeMb(child.pid!);
    const processes = tree(child.pid!).length;

    const control = (p: string, body: unknown) =>
      fetch(`${emulatorUrl}/__emulator${p}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      }).then((r) => r.json() as Promise<any>);
    // Only the deliveries below reach the webhook receiver (not the emulator's own, for the pushes).
    await control('/config', { webhooks: { enabled: false } });
    const session = await signInOverHttp(base, ADMIN.email, ADMIN.password);
    await connectCompany(session);
    for (let i = 0; i < 20; i++) {
      await session.postForm(
        '/admin/customers',
        { displayName: `Bench Customer ${i}` },
        '/admin/customers/new',
      );
    }
    const pages = [
      '/admin',
      '/admin/customers',
      '/admin/customers/1',
      '/admin/customers/new',
      '/admin/settings/quickbooks',
      '/admin/settings/quickbooks/history',
      '/help/quickbooks/disconnect',
    ];
    const pagesStarted = performance.now();
    await pool(PAGE_VIEWS, CONCURRENCY, async (i) => {
      const res = await session.get(pages[i % pages.length]);
      await res.arrayBuffer();
      if (res.status !== 200) throw new Error(`${pages[i % pages.length]} answered ${res.status}`);
    });
    await sleep(SETTLE_MS);
    const pagesMs = performance.now() - pagesStarted - SETTLE_MS;
    const pagesMb = treeMb(child.pid!);

    // QuickBooks' side: customers made "inside QuickBooks" (no webhook from the emulator itself), then one
    // signed delivery per customer, as Intuit sends them.
    const ids: string[] = [];
    await pool(DELIVERIES, CONCURRENCY, async (i) => {
      const made = await control(`/companies/${REALM}/entities/Customer`, {
        DisplayName: `Bench QB ${variant} ${i}`,
      });
      if (!made?.Id) throw new Error(`the emulator did not create a customer: ${JSON.stringify(made)}`);
      ids.push(String(made.Id));
    });
    const acksStarted = performance.now();
    await pool(DELIVERIES, CONCURRENCY, async (i) => {
      const body = JSON.stringify([
        {
          specversion: '1.0',
          id: `bench-${variant}-${i}`,
          source: 'intuit.bench',
          type: 'qbo.customer.created.v1',
          time: new Date().toISOString(),
          intuitentityid: ids[i],
          intuitaccountid: REALM,
          data: {},
        },
      ]);
      const res = await fetch(`${base}/webhooks/quickbooks`, {
        method: 'POST',
        headers: {
          'content-type': 'application/cloudevents+json',
          'intuit-signature': signatureOf(body, EMULATOR_DEFAULTS.verifierToken),
        },
        body,
      });
      if (res.status !== 200) throw new Error(`webhook answered ${res.status}`);
    });
    const acksMs = performance.now() - acksStarted;
    const file = databaseUrl.slice('sqlite:'.length);
    const inbox = () => {
      const conn = openSqlite(file, { readonly: true });
      try {
        return conn
          .prepare('SELECT status, last_error_code, count(*) AS n FROM webhook_inbox GROUP BY 1, 2')
          .all();
      } finally {
        conn.close();
      }
    };
    await until(
      () => {
        const conn = openSqlite(file, { readonly: true });
        try {
          return (
            conn.prepare("SELECT count(*) FROM webhook_inbox WHERE status = 'done'").pluck().get() ===
            DELIVERIES
          );
        } finally {
          conn.close();
        }
      },
      Number(process.env.BENCH_WAIT_MS ?? 300_000),
      () => `webhook events processed: ${JSON.stringify(inbox())}`,
    );
    await sleep(SETTLE_MS);
    const webhooksMb = treeMb(child.pid!);
    const peakMb = treeMb(child.pid!, 'VmHWM');
    return { startupMs, idleMb, pagesMb, webhooksMb, peakMb, processes, pagesMs, acksMs };
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
    outside?.child.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main() {
  const build = spawnSync('npm', ['run', 'build'], { encoding: 'utf8' });
  if (build.status !== 0) throw new Error(`npm run build failed:\n${build.stdout}${build.stderr}`);
  const results = new Map<Variant, Figures>();
  const variants = (process.env.BENCH_VARIANTS?.split(',') ?? [
    'compiled',
    'compiled+emulator',
    'tsx',
  ]) as Variant[];
  for (const variant of variants) {
    console.log(`measuring ${variant}…`);
    results.set(variant, await measure(variant));
  }
  const mb = (n: number) => `${n.toFixed(0)} MB`;
  const ms = (n: number) => `${n.toFixed(0)} ms`;
  console.log(
    `\nServed process: ${PAGE_VIEWS} page views, ${DELIVERIES} webhook deliveries, NODE_ENV=production; RSS ` +
      `${SETTLE_MS / 1000} s after each step (idle), summed over the process tree`,
  );
  console.log(
    'variant                                   start-up  idle    pages   webhooks peak    procs  pages took  acks took',
  );
  for (const [variant, f] of results) {
    const label = {
      compiled: 'npm start (node dist/), emulator outside',
      'compiled+emulator': 'npm start (node dist/), emulator inside',
      tsx: 'tsx src/server.ts (before), emulator out',
    }[variant];
    console.log(
      `${label.padEnd(42)}${ms(f.startupMs).padEnd(10)}${mb(f.idleMb).padEnd(8)}${mb(f.pagesMb).padEnd(8)}${mb(f.webhooksMb).padEnd(9)}${mb(f.peakMb).padEnd(8)}${String(f.processes).padEnd(7)}${ms(f.pagesMs).padEnd(12)}${ms(f.acksMs)}`,
    );
  }
  if (results.size < 3) return;
  const a = results.get('compiled')!;
  const b = results.get('compiled+emulator')!;
  const c = results.get('tsx')!;
  const worst = Math.max(a.idleMb, a.pagesMb, a.webhooksMb);
  console.log(
    `process idle_rss_mb=${a.idleMb.toFixed(0)} after_pages_mb=${a.pagesMb.toFixed(0)} after_webhooks_mb=${a.webhooksMb.toFixed(0)} startup_ms=${a.startupMs.toFixed(0)} emulator_inside_adds_mb=${(b.idleMb - a.idleMb).toFixed(0)}/${(b.webhooksMb - a.webhooksMb).toFixed(0)}/${(b.peakMb - a.peakMb).toFixed(0)}(idle/after/peak) ratio_rss_vs_tsx=${(a.idleMb / c.idleMb).toFixed(2)} ratio_startup_vs_tsx=${(a.startupMs / c.startupMs).toFixed(2)} ratio_pages_time_vs_tsx=${(a.pagesMs / c.pagesMs).toFixed(2)} all_idle_within_120mb=${worst <= 120}`,
  );
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
