import { spawn } from 'node:child_process';
import { expect } from 'chai';
import { TEST_SECRETS } from '../helpers/app.js';
import { freshDatabase, type TestDatabase } from '../helpers/db.js';
import { freePort } from '../helpers/server-process.js';
import { until } from '../helpers/until.js';

describe('npm start on a fresh install: the setup code in the log', () => {
  let database: TestDatabase;
  beforeEach(async () => {
    database = await freshDatabase();
  });
  afterEach(async () => database.drop());

  it('prints the code on a plain line of its own on stderr besides the JSON log line', async function () {
    this.timeout(60_000);
    const port = await freePort();
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
      env: {
        ...process.env,
        NODE_ENV: 'production',
        LOG_LEVEL: 'info',
        PORT: String(port),
        DATABASE_URL: database.url,
        // An emulator URL: the app starts none of its own (nothing is called before a connection).
        INTUIT_EMULATOR_URL: 'http://127.0.0.1:9',
        ...TEST_SECRETS,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => {
      stdout += c.toString();
    });
    child.stderr.on('data', (c: Buffer) => {
      stderr += c.toString();
    });
    try {
      await until(async () => /^Setup code: /m.test(stderr), 50_000);
      await until(async () => stdout.includes('Setup code'), 5_000);
    } finally {
      child.kill('SIGTERM');
    }
    const plain = /^Setup code: ([A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4})$/m.exec(stderr);
    expect(plain, stderr).to.not.equal(null);
    const json = stdout
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as { msg: string })
      .find((l) => l.msg.includes('Setup code'));
    expect(json?.msg).to.contain(plain![1]);
  });
});
