/**
 * A real Heavy AV for a test: fresh database, real container (migrations, sessions in the database),
 * silent logger unless TEST_LOG is set. Use with supertest: `request.agent(t.app)`.
 */
import { randomBytes } from 'node:crypto';
import type { Express } from 'express';
import request from 'supertest';
import { type Config, loadConfig } from '../../src/config.js';
import { type Container, createContainer } from '../../src/container.js';
import { createLogger } from '../../src/logger.js';
import type { QuickBooksOptions } from '../../src/quickbooks/index.js';
import type { InboundOptions } from '../../src/quickbooks/pull/index.js';
import type { PushSyncOptions } from '../../src/quickbooks/push/index.js';
import type { RecordHooks } from '../../src/records/hooks.js';
import { freshDatabase, type TestDatabase, testDataDir } from './db.js';

export interface TestApp {
  app: Express;
  container: Container;
  config: Config;
  database: TestDatabase;
  close(): Promise<void>;
}

export const TEST_SECRETS = {
  SESSION_SECRET: 'test-session-secret-0123456789abcdef',
  TOKEN_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
};

export function testConfig(databaseUrl: string, env: Record<string, string> = {}): Config {
  return loadConfig(
    {
      NODE_ENV: 'test',
      LOG_LEVEL: process.env.TEST_LOG ?? 'silent',
      DATABASE_URL: databaseUrl,
      ...TEST_SECRETS,
      ...env,
    },
    { dataDir: testDataDir() },
  );
}

export async function startTestApp(
  options: {
    env?: Record<string, string>;
    database?: TestDatabase;
    quickbooks?: QuickBooksOptions;
    /** Push worker options (lanes, poll interval, retry back-off). */
    sync?: PushSyncOptions;
    /** Collects every log line (at debug level) instead of discarding them. */
    logs?: string[];
    /** The record services' hooks (default: the push's real ones), e.g. a TestHooks. */
    hooks?: RecordHooks;
    /** The pull's options (worker, CDC sweep and its retry waits). */
    inbound?: InboundOptions;
  } = {},
): Promise<TestApp> {
  const database = options.database ?? (await freshDatabase());
  const config = testConfig(database.url, options.env);
  const logs = options.logs;
  const logger = logs
    ? createLogger('debug', { write: (line: string) => logs.push(line) })
    : createLogger(config.logLevel);
  const container = await createContainer(config, logger, {
    quickbooks: options.quickbooks,
    sync: options.sync,
    hooks: options.hooks,
    inbound: options.inbound,
  });
  return {
    app: container.app,
    container,
    config,
    database,
    async close() {
      await container.close();
      if (!options.database) await database.drop();
    },
  };
}

export function csrfFrom(html: string): string {
  const match = /name="_csrf" value="([^"]+)"/.exec(html);
  if (!match) throw new Error('no _csrf field in the page');
  return match[1];
}

/** GETs a page with the agent and returns the CSRF token its forms carry. */
export async function csrfToken(agent: request.Agent, path = '/admin/login'): Promise<string> {
  const res = await agent.get(path);
  return csrfFrom(res.text);
}

export async function createUser(
  t: TestApp,
  email = 'admin@example.com',
  password = 'correct horse battery staple',
  role: 'admin' | 'staff' = 'admin',
) {
  return t.container.auth.createUser({ email, password, role });
}

export async function signIn(
  t: TestApp,
  email = 'admin@example.com',
  password = 'correct horse battery staple',
): Promise<request.Agent> {
  const agent = request.agent(t.app);
  const token = await csrfToken(agent);
  const res = await agent.post('/admin/login').type('form').send({ email, password, _csrf: token });
  if (res.status !== 303) throw new Error(`sign-in failed: ${res.status}`);
  return agent;
}
