/**
 * The operator's commands (npm run admin:create, migrate, qbo:purge) as real processes: a good run, and
 * bad configuration answered with one line naming the key instead of a stack trace.
 */
import { spawnSync } from 'node:child_process';
import { expect } from 'chai';
import { TEST_SECRETS } from '../helpers/app.js';
import { freshDatabase, type TestDatabase } from '../helpers/db.js';

function run(script: string, args: string[], env: Record<string, string>) {
  const out = spawnSync(process.execPath, ['--import', 'tsx', script, ...args], {
    env: { ...process.env, NODE_ENV: 'test', LOG_LEVEL: 'silent', ...TEST_SECRETS, ...env },
    encoding: 'utf8',
  });
  return { code: out.status, stdout: out.stdout, stderr: out.stderr };
}

describe('operator commands', function () {
  // Each run starts a fresh Node process with tsx: a few seconds apiece.
  this.timeout(60_000);
  let database: TestDatabase;
  beforeEach(async () => {
    database = await freshDatabase();
  });
  afterEach(async () => database.drop());

  it('npm run admin:create makes a user, and npm run migrate finds the database up to date', () => {
    const created = run(
      'src/cli/admin-create.ts',
      ['--email', 'ops@example.com', '--password', 'correct horse battery staple'],
      { DATABASE_URL: database.url },
    );
    expect(created.code, created.stderr).to.equal(0);
    expect(created.stdout).to.match(/^Created admin ops@example\.com \(id \d+\)\./);
    const migrated = run('src/cli/migrate.ts', [], { DATABASE_URL: database.url });
    expect(migrated.code, migrated.stderr).to.equal(0);
    expect(migrated.stdout.trim()).to.equal('Database is up to date.');
  });

  for (const script of ['src/cli/admin-create.ts', 'src/cli/migrate.ts', 'src/cli/qbo-purge.ts']) {
    it(`${script} answers bad configuration with one line naming the key (exit 78)`, () => {
      const args = script.endsWith('admin-create.ts')
        ? ['--email', 'ops@example.com', '--password', 'correct horse battery staple']
        : script.endsWith('qbo-purge.ts')
          ? ['--request', '1']
          : [];
      const out = run(script, args, { DATABASE_URL: database.url, APP_BASE_URL: 'not a url' });
      expect(out.code).to.equal(78);
      expect(out.stderr.trim()).to.match(/^Configuration error: .*APP_BASE_URL/);
      expect(out.stderr).to.not.contain('    at ');
    });
  }
});
