/**
 * `npm run emulator` on its own: it reads ./.env the way the app does, so both agree on the port, the URLs
 * and the Intuit keys; variables set in the environment win over the file.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { freePort } from '../helpers/server-process.js';

const CLI = fileURLToPath(new URL('../../src/emulator/cli.ts', import.meta.url));
// tsx's loader by path: the process runs in a directory of its own, where `--import tsx` would not resolve.
const TSX = new URL('../../node_modules/tsx/dist/loader.mjs', import.meta.url).href;

describe('npm run emulator', function () {
  this.timeout(30_000);
  let dir: string;
  let child: ChildProcess | undefined;
  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'heavy-av-emulator-cli-'));
  });
  afterEach(() => {
    child?.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  });

  it('takes its port, app URL and client id from ./.env, with the environment winning', async () => {
    const port = await freePort();
    writeFileSync(
      path.join(dir, '.env'),
      `EMULATOR_PORT=${port}\nAPP_BASE_URL=http://localhost:4000\nINTUIT_CLIENT_ID=from-the-file\nINTUIT_CLIENT_SECRET=file-secret\n`,
    );
    const env: NodeJS.ProcessEnv = { ...process.env, INTUIT_CLIENT_SECRET: 'from-the-environment' };
    for (const key of ['EMULATOR_PORT', 'PORT', 'APP_BASE_URL', 'INTUIT_CLIENT_ID']) delete env[key];
    child = spawn(process.execPath, ['--import', TSX, CLI], { cwd: dir, env });
    let out = '';
    child.stdout!.on('data', (d) => {
      out += d;
    });
    const deadline = Date.now() + 20_000;
    while (!out.includes('webhooks to')) {
      if (Date.now() > deadline) throw new Error(`the emulator did not start:\n${out}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(out).to.contain(`running at http://localhost:${port}`);
    expect(out).to.contain('INTUIT_CLIENT_ID=from-the-file');
    expect(out).to.contain('INTUIT_CLIENT_SECRET=from-the-environment');
    expect(out).to.contain('redirect URI   http://localhost:4000/admin/settings/quickbooks/callback');
    const discovery = await fetch(`http://127.0.0.1:${port}/.well-known/openid_configuration`);
    expect(discovery.status).to.equal(200);
  });

  it('refuses a HOST beyond loopback unless EMULATOR_ALLOW_REMOTE=1 (its control API has no authentication)', async () => {
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      HOST: '0.0.0.0',
      EMULATOR_PORT: String(await freePort()),
    };
    delete env.EMULATOR_ALLOW_REMOTE;
    child = spawn(process.execPath, ['--import', TSX, CLI], { cwd: dir, env });
    let err = '';
    child.stderr!.on('data', (d) => {
      err += d;
    });
    const code = await new Promise((r) => child!.on('exit', r));
    expect(code).to.equal(78);
    expect(err).to.contain('EMULATOR_ALLOW_REMOTE=1');
  });
});
