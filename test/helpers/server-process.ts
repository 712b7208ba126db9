/**
 * Heavy AV as a real server process (src/server.ts) on the world's database and emulator, for tests that
 * kill it with SIGKILL: what was committed must survive, whatever was in memory is lost.
 */

import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { TEST_SECRETS } from './app.js';
import { testDataDir } from './db.js';
import type { World } from './quickbooks.js';
import { until } from './until.js';

export { freePort } from './free-port.js';

/** Starts the server; a short SYNC_LEASE_SECONDS so that a killed process's claims come back soon. */
export function startServer(w: World, port: number, env: Record<string, string> = {}): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
    env: {
      ...process.env,
      NODE_ENV: 'test',
      LOG_LEVEL: 'silent',
      PORT: String(port),
      DATABASE_URL: w.t.config.databaseUrl,
      INTUIT_EMULATOR_URL: w.emulator.url,
      SYNC_LEASE_SECONDS: '2',
      // Its daily backup (a minute after start) goes to the run's folder, not the working tree's data/.
      BACKUP_DIR: path.join(testDataDir(), 'backups'),
      ...TEST_SECRETS,
      ...env,
    },
    stdio: 'ignore',
  });
}

/** Resolves once the server answers /healthz. */
export async function serving(port: number, timeoutMs = 60_000): Promise<void> {
  await until(async () => {
    try {
      return (await fetch(`http://127.0.0.1:${port}/healthz`)).ok;
    } catch {
      return false;
    }
  }, timeoutMs);
}
