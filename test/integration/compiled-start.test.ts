/**
 * Done-when 3 of issue 22: `npm start` serves compiled JavaScript from dist/ with one node process (no tsx,
 * no esbuild beside it), finds views/, public/, the migrations and the emulator from there, backs up before
 * it migrates a database that has data, and its stack traces point at the TypeScript sources.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { listBackups } from '../../src/backup/files.js';
import { createDb } from '../../src/db/index.js';
import { TEST_SECRETS } from '../helpers/app.js';
import { migratedSqlite, tempDir } from '../helpers/backups.js';
import { freePort, serving } from '../helpers/server-process.js';

function childrenOf(pid: number): number[] {
  return readdirSync(`/proc/${pid}/task`).flatMap((task) =>
    readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8').split(/\s+/).filter(Boolean).map(Number),
  );
}

describe('compiled start (npm start)', function () {
  this.timeout(120_000);
  let child: ChildProcess | undefined;
  before(function () {
    this.timeout(120_000);
    const build = spawnSync('npm', ['run', 'build'], { encoding: 'utf8' });
    expect(build.status, build.stdout + build.stderr).to.equal(0);
  });
  afterEach(() => {
    child?.kill('SIGKILL');
    child = undefined;
  });

  it('one node process serves dist/: pages, assets, the in-process emulator; backs up before migrating', async () => {
    // Exactly what npm start runs: node itself (no npm → tsx chain inside it) on the compiled server.
    const [node, ...args] = JSON.parse(readFileSync('package.json', 'utf8')).scripts.start.split(/\s+/);
    expect(node).to.equal('node');
    expect(args).to.include('--enable-source-maps');
    expect(args.at(-1)).to.equal('dist/src/server.js');

    const url = await migratedSqlite();
    const db = createDb({ databaseUrl: url });
    await db.migrate.down();
    await db.destroy();
    const backupDir = tempDir('compiled-backups');
    const [port, emulatorPort] = [await freePort(), await freePort()];
    child = spawn(process.execPath, args, {
      env: {
        ...process.env,
        ...TEST_SECRETS,
        NODE_ENV: 'test',
        LOG_LEVEL: 'silent',
        PORT: String(port),
        EMULATOR_PORT: String(emulatorPort),
        DATABASE_URL: url,
        BACKUP_DIR: backupDir,
        INTUIT_EMULATOR_URL: '',
        NODE_OPTIONS: '',
      },
      stdio: 'ignore',
    });
    await serving(port);
    const base = `http://127.0.0.1:${port}`;
    const login = await fetch(`${base}/admin/login`);
    expect(login.status).to.equal(200);
    const css = /href="(\/[^"]+\.css)"/.exec(await login.text());
    expect(css, 'the page links its stylesheet').to.not.equal(null);
    expect((await fetch(`${base}${css![1]}`)).status).to.equal(200);
    expect((await fetch(`http://127.0.0.1:${emulatorPort}/app/myapps`)).status).to.equal(200);
    expect(listBackups(backupDir).map((b) => b.reason)).to.deep.equal(['pre-migrate']);

    const cmdline = readFileSync(`/proc/${child.pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
    expect(cmdline.slice(1)).to.deep.equal(args);
    expect(childrenOf(child.pid!), 'no helper processes (tsx, esbuild)').to.deep.equal([]);
    const maps = readdirSync('dist/src').filter((f) => f.endsWith('.js.map'));
    expect(maps).to.include('server.js.map');

    child.kill('SIGTERM');
    const code = await new Promise((r) => child!.once('exit', r));
    expect(code).to.equal(0);
  });

  it('stack traces from dist/ point at the TypeScript sources', () => {
    const script =
      "const { loadConfig } = await import('./dist/src/config.js');" +
      "try { loadConfig({ APP_BASE_URL: 'not a url' }); } catch (err) { console.log(err.stack); }";
    const out = spawnSync(process.execPath, ['--enable-source-maps', '--input-type=module', '-e', script], {
      encoding: 'utf8',
      env: { ...process.env, NODE_OPTIONS: '' },
    });
    expect(out.stdout).to.match(/ConfigError: APP_BASE_URL must be an http\(s\) URL/);
    expect(out.stdout).to.match(new RegExp(`${path.join('src', 'config.ts').replace('.', '\\.')}:\\d+:\\d+`));
    expect(out.stdout).to.not.contain('dist/src/config.js');
  });
});
