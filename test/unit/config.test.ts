import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { ConfigError, loadConfig } from '../../src/config.js';

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
    expect(second.warnings).to.deep.equal([]);
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

  it('names the key of a bad value', () => {
    expect(() => loadConfig({ PORT: 'eighty' }, { dataDir: dir })).to.throw(ConfigError, 'PORT');
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

  it('marks cookies Secure for an https APP_BASE_URL and parses TRUST_PROXY', () => {
    const c = loadConfig({ APP_BASE_URL: 'https://av.example.com/', TRUST_PROXY: '1' }, { dataDir: dir });
    expect(c.secureCookies).to.equal(true);
    expect(c.appBaseUrl).to.equal('https://av.example.com');
    expect(c.trustProxy).to.equal(1);
  });
});
