import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { ConfigError, EMULATOR_CLIENT_DEFAULTS, loadConfig } from '../../src/config.js';
import { EMULATOR_DEFAULTS } from '../../src/emulator/index.js';

describe('loadConfig', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'hav-config-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('uses the documented defaults with an empty environment', () => {
    const c = loadConfig({}, { dataDir: dir });
    expect(c.port).to.equal(3000);
    expect(c.appBaseUrl).to.equal('http://localhost:3000');
    expect(c.databaseUrl).to.equal('sqlite:./data/heavy-av.sqlite3');
    expect(c.intuit.environment).to.equal('emulator');
    expect(c.intuit.emulatorPort).to.equal(3001);
    expect(c.intuit.redirectUri).to.equal('http://localhost:3000/admin/settings/quickbooks/callback');
    expect(Object.isFrozen(c)).to.equal(true);
  });

  it('backups go to ./data/backups for 14 days unless BACKUP_DIR and BACKUP_KEEP_DAYS say otherwise', () => {
    expect(loadConfig({}, { dataDir: dir }).backup).to.deep.equal({
      dir: path.resolve('data/backups'),
      keepDays: 14,
    });
    const set = loadConfig({ BACKUP_DIR: '/srv/heavy-av/backups', BACKUP_KEEP_DAYS: '30' }, { dataDir: dir });
    expect(set.backup).to.deep.equal({ dir: '/srv/heavy-av/backups', keepDays: 30 });
    for (const bad of ['0', 'two weeks', '1.5']) {
      expect(() => loadConfig({ BACKUP_KEEP_DAYS: bad }, { dataDir: dir })).to.throw(
        ConfigError,
        'BACKUP_KEEP_DAYS',
      );
    }
  });

  it('generates missing secrets once outside production and reuses them', () => {
    const first = loadConfig({}, { dataDir: dir });
    expect(first.warnings.join()).to.contain('Generated missing secrets');
    const file = path.join(dir, 'secrets.json');
    expect(existsSync(file)).to.equal(true);
    const second = loadConfig({}, { dataDir: dir });
    // Nothing generated the second time (emulator mode's standing notice about public keys aside).
    expect(second.warnings.filter((w) => !w.includes('emulator'))).to.deep.equal([]);
    expect(second.sessionSecret).to.equal(first.sessionSecret);
    expect(second.tokenEncryptionKey.equals(first.tokenEncryptionKey)).to.equal(true);
    expect(JSON.parse(readFileSync(file, 'utf8')).TOKEN_ENCRYPTION_KEY).to.be.a('string');
  });

  it('requires the secrets in production and names the missing key', () => {
    expect(() => loadConfig({ NODE_ENV: 'production' }, { dataDir: dir })).to.throw(
      ConfigError,
      'SESSION_SECRET',
    );
    expect(() =>
      loadConfig({ NODE_ENV: 'production', SESSION_SECRET: 'x'.repeat(32) }, { dataDir: dir }),
    ).to.throw(ConfigError, 'TOKEN_ENCRYPTION_KEY');
    expect(existsSync(path.join(dir, 'secrets.json'))).to.equal(false);
  });

  it('reads SMTP_URL and NOTIFY_FROM for mail (none by default)', () => {
    expect(loadConfig({}, { dataDir: dir }).smtp.url).to.equal(undefined);
    const c = loadConfig(
      { SMTP_URL: 'smtp://u:p@127.0.0.1:2525', NOTIFY_FROM: 'Office <office@example.com>' },
      { dataDir: dir },
    );
    expect(c.smtp).to.deep.equal({ url: 'smtp://u:p@127.0.0.1:2525', from: 'Office <office@example.com>' });
  });

  it('reads NOTIFY_EMAILS (default: every admin) and NOTIFY_WEBHOOK_URL for alerts, and names a bad one', () => {
    expect(loadConfig({}, { dataDir: dir }).notify).to.deep.equal({ emails: [], webhookUrl: undefined });
    const c = loadConfig(
      {
        NOTIFY_EMAILS: ' ops@example.com,owner@example.com ',
        NOTIFY_WEBHOOK_URL: 'https://hooks.example.com/x',
      },
      { dataDir: dir },
    );
    expect(c.notify).to.deep.equal({
      emails: ['ops@example.com', 'owner@example.com'],
      webhookUrl: 'https://hooks.example.com/x',
    });
    expect(() => loadConfig({ NOTIFY_EMAILS: 'ops@example.com, nobody' }, { dataDir: dir })).to.throw(
      ConfigError,
      'NOTIFY_EMAILS',
    );
    expect(() => loadConfig({ NOTIFY_WEBHOOK_URL: 'hooks.example.com' }, { dataDir: dir })).to.throw(
      ConfigError,
      'NOTIFY_WEBHOOK_URL',
    );
  });

  it('names the key of a bad value', () => {
    expect(() => loadConfig({ PORT: 'eighty' }, { dataDir: dir })).to.throw(ConfigError, 'PORT');
    expect(() => loadConfig({ SMTP_URL: 'mail.example.com:25' }, { dataDir: dir })).to.throw(
      ConfigError,
      'SMTP_URL',
    );
    expect(() => loadConfig({ APP_BASE_URL: 'not a url' }, { dataDir: dir })).to.throw(
      ConfigError,
      'APP_BASE_URL',
    );
    expect(() => loadConfig({ DATABASE_URL: 'mysql://x' }, { dataDir: dir })).to.throw(
      ConfigError,
      'DATABASE_URL',
    );
    expect(() => loadConfig({ TOKEN_ENCRYPTION_KEY: 'c2hvcnQ=' }, { dataDir: dir })).to.throw(
      ConfigError,
      'TOKEN_ENCRYPTION_KEY',
    );
    expect(() => loadConfig({ INTUIT_ENVIRONMENT: 'staging' }, { dataDir: dir })).to.throw(
      ConfigError,
      'INTUIT_ENVIRONMENT',
    );
  });

  it('refuses a HOST beyond loopback in emulator mode unless EMULATOR_ALLOW_REMOTE=1', () => {
    for (const HOST of ['0.0.0.0', '::', '192.168.1.20']) {
      expect(() => loadConfig({ HOST }, { dataDir: dir }), HOST)
        .to.throw(ConfigError)
        .with.property('message')
        .that.contains('EMULATOR_ALLOW_REMOTE=1');
      expect(loadConfig({ HOST, EMULATOR_ALLOW_REMOTE: '1' }, { dataDir: dir }).host).to.equal(HOST);
    }
    for (const HOST of ['127.0.0.1', '::1', 'localhost']) {
      expect(loadConfig({ HOST }, { dataDir: dir }).host).to.equal(HOST);
    }
    // With real Intuit keys the app may listen anywhere (behind its proxy).
    const real = { INTUIT_CLIENT_ID: 'id', INTUIT_CLIENT_SECRET: 's', INTUIT_WEBHOOK_VERIFIER_TOKEN: 'v' };
    expect(loadConfig({ HOST: '0.0.0.0', ...real }, { dataDir: dir }).host).to.equal('0.0.0.0');
  });

  it('warns at start that emulator mode runs on public default keys', () => {
    expect(loadConfig({}, { dataDir: dir }).warnings.join('\n')).to.contain('public development defaults');
  });

  it('needs Intuit keys outside the emulator', () => {
    expect(() => loadConfig({ INTUIT_ENVIRONMENT: 'sandbox' }, { dataDir: dir })).to.throw(
      ConfigError,
      'INTUIT_CLIENT_ID',
    );
    const c = loadConfig(
      { INTUIT_CLIENT_ID: 'id', INTUIT_CLIENT_SECRET: 's', INTUIT_WEBHOOK_VERIFIER_TOKEN: 'v' },
      { dataDir: dir },
    );
    expect(c.intuit.environment).to.equal('sandbox');
  });

  it("fills the emulator's default keys in emulator mode only, and they match the emulator's own", () => {
    const { clientId, clientSecret, verifierToken } = EMULATOR_DEFAULTS;
    expect(EMULATOR_CLIENT_DEFAULTS).to.deep.equal({ clientId, clientSecret, verifierToken });
    const keys = (env: Record<string, string>) => {
      const { intuit } = loadConfig(env, { dataDir: dir });
      return [intuit.clientId, intuit.clientSecret, intuit.webhookVerifierToken];
    };
    expect(keys({})).to.deep.equal([clientId, clientSecret, verifierToken]);
    expect(
      keys({ INTUIT_ENVIRONMENT: 'emulator', INTUIT_CLIENT_ID: 'mine', INTUIT_WEBHOOK_VERIFIER_TOKEN: 'v' }),
    ).to.deep.equal(['mine', clientSecret, 'v']);
    expect(
      keys({ INTUIT_CLIENT_ID: 'id', INTUIT_CLIENT_SECRET: 's', INTUIT_WEBHOOK_VERIFIER_TOKEN: 'v' }),
    ).to.deep.equal(['id', 's', 'v']);
  });

  it('marks cookies Secure for an https APP_BASE_URL and parses TRUST_PROXY', () => {
    const c = loadConfig({ APP_BASE_URL: 'https://av.example.com/', TRUST_PROXY: '1' }, { dataDir: dir });
    expect(c.secureCookies).to.equal(true);
    expect(c.appBaseUrl).to.equal('https://av.example.com');
    expect(c.trustProxy).to.equal(1);
  });
});
