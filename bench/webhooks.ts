/**
 * npm run bench:webhooks — how fast the webhook receiver acknowledges, against a bare Express route that
 * only parses JSON (issue 16's yardstick) and against Node's own HTTP server doing the same (the floor: the
 * receiver runs in front of Express, decision 018), in the same run and on the same machine.
 *
 * Each target runs in a process of its own (bench/webhooks-target.ts), started with the node flags of
 * `npm start` (BENCH_NODE_FLAGS overrides them), so the receiving process is measured as it runs in
 * production: its peak RSS and its CPU time, nothing of the bench's own. The app target is the real app
 * (createContainer: the app as served, the signature check, the inbox insert into
 * a temporary SQLite database, or PostgreSQL with DATABASE_URL=postgres://…) with a connected company
 * seeded through the repositories; its workers are not started (container.start() is not called: no QBO
 * calls), so the numbers are the acknowledgment path alone. All targets run built, as `npm start` runs
 * the app: the bench compiles src/ and the target into dist/ first (tsconfig.bench.json; tsc is incremental
 * enough to take seconds), so no loader (tsx) sits in the measured process.
 * The load comes from another process (bench/webhooks-load.ts, autocannon): valid signed CloudEvents
 * deliveries of 10 events each, unique ids, 50 connections. Loopback only, bounded duration: the targets
 * take turns for BENCH_ROUNDS rounds (9) of BENCH_SECONDS (2) each, and the ratio is the median of the
 * rounds' ratios.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import knexFactory from 'knex';

// Per round and target.
// Many short rounds taking turns rather than a few long ones: this shared machine's speed moves 20–40 % for
// seconds at a time, and a slow spell then falls on both targets' rounds alike (9 × 2 s gave round ratios
// within ±0.05 where 3 × 5 s ranged 0.56–1.27).
const SECONDS = Number(process.env.BENCH_SECONDS ?? 2);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 9);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50);
const REALM = '9130350000000001';
// Bodies made and signed up front by the load generator: more than either target can take in the time, so
// none is sent twice (the line says how many were, if any).
const BODIES_PER_SECOND = Number(process.env.BENCH_BODIES_PER_SECOND ?? 20000);
// The acknowledgment's latency is also measured at a fixed rate below what either target can take: at
// saturation (the rounds), 50 connections always wait for one another, so their p99 is mostly the queue
// (Little's law: 50 / deliveries per second), the bare route's as much as the app's. 1,000 deliveries a
// second is 10,000 events a second, far beyond what Intuit sends one company.
const LATENCY_RATE = Number(process.env.BENCH_LATENCY_RATE ?? 1000);
// Intuit's sender keeps a few deliveries in flight, not fifty.
const PACED_CONNECTIONS = 10;
// Long enough for a p99 over thousands of deliveries.
const PACED_SECONDS = Number(process.env.BENCH_PACED_SECONDS ?? 5);
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

/** The node flags of `npm start` (package.json), or BENCH_NODE_FLAGS. */
function startFlags(): string[] {
  if (process.env.BENCH_NODE_FLAGS !== undefined)
    return process.env.BENCH_NODE_FLAGS.split(/\s+/).filter(Boolean);
  const pkg = JSON.parse(readFileSync(path.join(here, '..', 'package.json'), 'utf8'));
  return String(pkg.scripts.start)
    .split(/\s+/)
    .filter((word) => word.startsWith('--'));
}

interface RunningTarget {
  url: string;
  token: string;
  child: ChildProcess;
}

/** Compiles src/ and the target into dist/ (as `npm start` builds before it starts). */
function build(): void {
  const tsc = path.join(here, '..', 'node_modules', 'typescript', 'bin', 'tsc');
  const result = spawnSync(process.execPath, [tsc, '-p', path.join(here, '..', 'tsconfig.bench.json')], {
    stdio: 'inherit',
  });
  if (result.status !== 0) throw new Error('tsc -p tsconfig.bench.json failed');
}

/** Starts the built bench/webhooks-target.ts as its own process; resolves once it listens. */
function startTarget(
  mode: 'app' | 'bare' | 'node',
  flags: string[],
  databaseUrl?: string,
): Promise<RunningTarget> {
  const child = spawn(
    process.execPath,
    [...flags, path.join(here, '..', 'dist', 'bench', 'webhooks-target.js'), mode],
    {
      env: {
        ...process.env,
        BENCH_REALM: REALM,
        ...(databaseUrl ? { BENCH_DATABASE_URL: databaseUrl } : {}),
      },
      stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
    },
  );
  return new Promise((resolve, reject) => {
    let out = '';
    const onData = (chunk: Buffer) => {
      out += chunk;
      if (!out.includes('\n')) return;
      child.stdout!.off('data', onData);
      resolve({ ...JSON.parse(out.split('\n')[0]), child });
    };
    child.stdout!.on('data', onData);
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`${mode} target exited with ${code}`)));
  });
}

/** Sends an IPC message and waits for the target's answer. */
function ask<T>(target: RunningTarget, message: string): Promise<T> {
  return new Promise((resolve) => {
    target.child.once('message', (answer) => resolve(answer as T));
    target.child.send(message);
  });
}

function load(
  url: string,
  token: string,
  seconds = SECONDS,
  rate?: number,
  connections = CONNECTIONS,
): Promise<Load> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [
        // Built too (no tsx loader in the generator either): it shares the two cores with the target.
        path.join(here, '..', 'dist', 'bench', 'webhooks-load.js'),
        url,
        String(connections),
        String(seconds),
        token,
        REALM,
        String(Math.min(MAX_BODIES, BODIES_PER_SECOND * seconds)),
        ...(rate ? [String(rate)] : []),
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

/**
 * DATABASE_URL=postgres://… runs the app on a throw-away PostgreSQL database made next to the one named
 * (dropped afterwards); otherwise the target makes a temporary SQLite file of its own.
 */
async function benchDatabase(): Promise<{ url?: string; drop(): Promise<void> }> {
  const given = process.env.DATABASE_URL ?? '';
  if (!/^postgres(ql)?:\/\//.test(given)) return { drop: async () => undefined };
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
  build();
  const database = await benchDatabase();
  const flags = startFlags();
  const appTarget = await startTarget('app', flags, database.url);
  const bareTarget = await startTarget('bare', flags);
  const nodeTarget = await startTarget('node', flags);
  const token = appTarget.token;
  const targets: Target[] = [
    { name: 'POST /webhooks/quickbooks', target: appTarget, runs: [] },
    { name: 'bare express.json', target: bareTarget, runs: [] },
    { name: 'bare node:http', target: nodeTarget, runs: [] },
  ];
  console.log(
    `targets started with node ${flags.join(' ') || '(no flags)'}; warming up, then ${ROUNDS} rounds of ${SECONDS} s × ${CONNECTIONS} connections per target, taking turns…`,
  );
  for (const t of targets) await load(t.target.url, token, 2);
  // Rounds alternate between the targets, so a change in what else the machine runs hits both alike; the
  // pause lets what else the machine was doing settle; the app's writes are checkpointed before it (settle).
  for (let round = 1; round <= ROUNDS; round++) {
    for (const t of targets) {
      await new Promise((resolve) => setTimeout(resolve, 1000));
      const before = await ask<{ cpuUs: number; gcMs: number }>(t.target, 'cpu');
      const result = await load(t.target.url, token);
      // The app's WAL checkpointed before the next turn, and counted in this round's CPU.
      await ask(t.target, 'settle');
      const after = await ask<{ cpuUs: number; gcMs: number }>(t.target, 'cpu');
      t.runs.push({ ...result, cpuUs: after.cpuUs - before.cpuUs, gcMs: after.gcMs - before.gcMs });
      console.log(`round ${round}  ${row(t.name, t.runs.at(-1)!)}`);
    }
  }
  const paced: Load[] = [];
  for (const t of targets) {
    await new Promise((resolve) => setTimeout(resolve, 1000));
    paced.push(await load(t.target.url, token, PACED_SECONDS, LATENCY_RATE, PACED_CONNECTIONS));
    const r = paced.at(-1)!;
    console.log(
      `at ${LATENCY_RATE} deliveries/s  ${t.name.padEnd(26)} ${r.rps.toFixed(0).padStart(6)} deliveries/s  p50 ${String(r.p50).padStart(3)} ms  p99 ${String(r.p99).padStart(3)} ms  non-2xx ${r.non2xx}  errors ${r.errors + r.timeouts}`,
    );
  }
  // The work the receiver leaves for after the 200 (decision 016), measured in the same process.
  const unpack = await ask<{ deliveries: number; cpuUs: number; ms: number }>(appTarget, 'unpack');
  const appEnd = await ask<TargetEnd>(appTarget, 'stop');
  const bareEnd = await ask<TargetEnd>(bareTarget, 'stop');
  const nodeEnd = await ask<TargetEnd>(nodeTarget, 'stop');
  await database.drop();

  const [app, baseline, floor] = targets;
  // Each round's ratio compares two measurements taken side by side; the median of those is the figure.
  const ratios = app.runs.map((r, i) => r.rps / baseline.runs[i].rps);
  const ratio = median(ratios);
  const toNode = median(app.runs.map((r, i) => r.rps / floor.runs[i].rps));
  const p50 = median(app.runs.map((r) => r.p50));
  const p99 = Math.max(...app.runs.map((r) => r.p99));
  const p99Median = median(app.runs.map((r) => r.p99));
  const rssMb = appEnd.peakRssMb;
  console.log('');
  for (const t of targets) console.log(`median  ${row(t.name, summary(t.runs))}`);
  console.log(
    `deliveries answered: app ${appEnd.served}, bare ${bareEnd.served}, node ${nodeEnd.served}; events stored: ${appEnd.stored} (10 per delivery, warm-up included)`,
  );
  console.log(
    `ratio per round ${ratios.map((r) => r.toFixed(2)).join(' ')} → median ${ratio.toFixed(2)} (to bare node:http ${toNode.toFixed(2)}); app ack p50 ${p50} ms (median), p99 ${p99Median} ms (median round), ${p99} ms (worst round); peak RSS of the receiving process ${rssMb.toFixed(0)} MB (${appEnd.readyRssMb.toFixed(0)} MB before the load; the bare route's process ${bareEnd.peakRssMb.toFixed(0)} MB)`,
  );
  console.log(
    `after the 200: ${unpack.deliveries} staged deliveries unpacked into the inbox in ${(unpack.ms / 1000).toFixed(1)} s, ${(unpack.cpuUs / Math.max(1, unpack.deliveries)).toFixed(0)} µs of CPU per delivery (the webhook worker's first step)`,
  );
  for (const [name, end] of [
    ['app', appEnd],
    ['bare', bareEnd],
    ['node', nodeEnd],
  ] as const) {
    const kinds = Object.entries(end.gc)
      .map(([kind, g]) => `${kind} ${g.count}× ${g.ms.toFixed(0)} ms`)
      .join(', ');
    console.log(
      `gc ${name} over the process's life (start-up${name === 'app' ? ', warm-up and the unpack' : ' and warm-up'} included): ${kinds}; heap used at the end ${end.heapUsedMb.toFixed(0)} MB`,
    );
  }
  // Garbage collection during the rounds only, per delivery answered in them.
  const gcPer = (t: Target) =>
    (1000 * t.runs.reduce((n, r) => n + r.gcMs, 0)) /
    Math.max(
      1,
      t.runs.reduce((n, r) => n + r.requests, 0),
    );
  console.log(
    `GC per delivery over the rounds: app ${gcPer(app).toFixed(0)} µs, bare ${gcPer(baseline).toFixed(0)} µs, node ${gcPer(floor).toFixed(0)} µs`,
  );
  if (app.runs.some((r) => r.non2xx || r.errors)) console.log('WARNING: the app answered errors under load');
  const [one, five] = os.loadavg();
  console.log(
    `database ${database.url ? 'PostgreSQL' : 'SQLite'}, load average ${one.toFixed(2)} ${five.toFixed(2)} (${os.cpus().length} cores)`,
  );
  // Steadier than deliveries per second on a shared machine: CPU time per delivery of each process, summed
  // over the rounds (bare ÷ app: 1 would mean the receiver costs no more than parsing JSON).
  const cpuPer = (t: Target) =>
    t.runs.reduce((n, r) => n + r.cpuUs, 0) /
    Math.max(
      1,
      t.runs.reduce((n, r) => n + r.requests, 0),
    );
  console.log(
    `CPU per delivery over the rounds: app ${cpuPer(app).toFixed(0)} µs, bare ${cpuPer(baseline).toFixed(0)} µs → ${(cpuPer(baseline) / cpuPer(app)).toFixed(2)}; node ${cpuPer(floor).toFixed(0)} µs → ${(cpuPer(floor) / cpuPer(app)).toFixed(2)}`,
  );
  console.log(
    `app ack at ${LATENCY_RATE} deliveries/s: p50 ${paced[0].p50} ms, p99 ${paced[0].p99} ms (bare express p99 ${paced[1].p99} ms, bare node:http ${paced[2].p99} ms)`,
  );
  console.log(
    `webhooks ratio_to_bare=${ratio.toFixed(2)} ratio_to_node=${toNode.toFixed(2)} p99_ms=${p99} p99_median_round_ms=${p99Median} p99_at_${LATENCY_RATE}_per_s_ms=${paced[0].p99} rss_mb=${rssMb.toFixed(0)}`,
  );
}

interface TargetEnd {
  stored: number;
  served: number;
  gc: Record<string, { count: number; ms: number }>;
  heapUsedMb: number;
  peakRssMb: number;
  readyRssMb: number;
}

interface Run extends Load {
  /** CPU time of the target's process (all its threads) during the round, in µs. */
  cpuUs: number;
  /** Its garbage collection during the round, in ms. */
  gcMs: number;
}

interface Target {
  name: string;
  target: RunningTarget;
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
    gcMs: sum((r) => r.gcMs),
  };
}

// CPU time of the target's process per delivery: less sensitive than deliveries/s to what else the machine runs.
function row(name: string, r: Run): string {
  const cpu = (r.cpuUs / Math.max(1, r.requests)).toFixed(0);
  return `${name.padEnd(26)} ${r.rps.toFixed(0).padStart(6)} deliveries/s  p50 ${String(r.p50).padStart(3)} ms  p99 ${String(r.p99).padStart(3)} ms  non-2xx ${r.non2xx}  errors ${r.errors + r.timeouts}  bodies re-sent ${r.reused}  cpu ${cpu} µs/delivery`;
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
