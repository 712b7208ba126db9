/**
 * Configuration: parsed once from the environment with zod, frozen, typed.
 * Every key has a line in .env.example. Bad configuration stops the start with a message naming the key.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import {
  type CompanySettings,
  DEFAULT_COMPANY,
  isCurrency,
  isLocale,
  isTimeZone,
} from './locale/settings.js';

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

const emptyToUndefined = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : v);
const optionalString = z.preprocess(emptyToUndefined, z.string().optional());
const port = z.preprocess(emptyToUndefined, z.coerce.number().int().min(0).max(65535).optional());

const envSchema = z.object({
  // production | development | test: production requires every secret to be set explicitly.
  NODE_ENV: z.preprocess(
    emptyToUndefined,
    z.enum(['production', 'development', 'test']).default('development'),
  ),
  // Port the app listens on.
  PORT: port,
  // Address the app binds to (127.0.0.1 keeps it private behind a reverse proxy; 0.0.0.0 for all interfaces).
  HOST: z.preprocess(emptyToUndefined, z.string().default('127.0.0.1')),
  // Public URL of the app, used for redirects, cookies (Secure when https) and the Intuit app registration.
  APP_BASE_URL: optionalString,
  // sqlite:<file path> or postgres://user@host:port/db.
  DATABASE_URL: z.preprocess(emptyToUndefined, z.string().default('sqlite:./data/heavy-av.sqlite3')),
  // Signs the session cookie. Generated under ./data/ outside production.
  SESSION_SECRET: optionalString,
  // 32 bytes, base64: the AES-256-GCM key for QuickBooks tokens at rest. Generated under ./data/ outside production.
  TOKEN_ENCRYPTION_KEY: optionalString,
  // Earlier keys (comma-separated, base64) still accepted for reading, while tokens are re-sealed with the new one.
  TOKEN_ENCRYPTION_PREVIOUS_KEYS: optionalString,
  // emulator | sandbox | production. Defaults to emulator when no client id is set.
  INTUIT_ENVIRONMENT: z.preprocess(
    emptyToUndefined,
    z.enum(['emulator', 'sandbox', 'production']).optional(),
  ),
  INTUIT_CLIENT_ID: optionalString,
  INTUIT_CLIENT_SECRET: optionalString,
  INTUIT_WEBHOOK_VERIFIER_TOKEN: optionalString,
  INTUIT_REDIRECT_URI: optionalString,
  // Port of the local Intuit emulator (default PORT + 1).
  EMULATOR_PORT: port,
  // An emulator that already runs (npm run emulator), instead of one inside the app's process.
  INTUIT_EMULATOR_URL: optionalString,
  // 1: let emulator mode listen beyond loopback. Off by default: the emulator's control API has no
  // authentication and its Intuit keys are public defaults, so anyone who reaches it could forge webhooks.
  EMULATOR_ALLOW_REMOTE: z.preprocess(emptyToUndefined, z.enum(['0', '1']).default('0')),
  // smtp://user:pass@host:port (smtps:// for TLS): invitations and reset links are mailed; unset, they are
  // only shown on the page for the admin to pass on.
  SMTP_URL: optionalString,
  // The From address of Heavy AV's mail.
  NOTIFY_FROM: z.preprocess(emptyToUndefined, z.string().default('Heavy AV <heavy-av@localhost>')),
  // Who gets alerts by email (comma-separated addresses); unset: every active admin.
  NOTIFY_EMAILS: optionalString,
  // A Slack-compatible incoming webhook (Slack, Mattermost, Rocket.Chat, a Teams workflow): alerts are posted
  // there as {"text": …}. Unset: no chat alerts.
  NOTIFY_WEBHOOK_URL: optionalString,
  // Bearer token that GET /metrics requires (Prometheus); unset, /metrics answers 404.
  METRICS_TOKEN: optionalString,
  SUPPORT_EMAIL: optionalString,
  SUPPORT_PHONE: optionalString,
  SUPPORT_ADDRESS: optionalString,
  LOG_LEVEL: z.preprocess(
    emptyToUndefined,
    z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  ),
  // Express "trust proxy": false, true, a hop count, or a comma-separated list of addresses/subnets.
  TRUST_PROXY: optionalString,
  // How long work claimed by an instance that died waits before another instance takes it over.
  SYNC_LEASE_SECONDS: z.preprocess(emptyToUndefined, z.coerce.number().int().min(1).max(3600).default(60)),
  // The home currency (ISO 4217, e.g. USD, CAD, EUR) while no QuickBooks company is connected; a connected
  // company's own home currency (QuickBooks' Preferences) wins (quickbooks/connection/home-currency.ts).
  COMPANY_CURRENCY: z.preprocess(
    emptyToUndefined,
    z
      .string()
      .transform((v) => v.toUpperCase())
      .refine(isCurrency, 'must be an ISO 4217 currency code such as USD')
      .default(DEFAULT_COMPANY.currency),
  ),
  // How numbers and dates are written and read (BCP 47, e.g. en-US, fr-CA, de-DE).
  COMPANY_LOCALE: z.preprocess(
    emptyToUndefined,
    z.string().refine(isLocale, 'must be a locale such as en-US').default(DEFAULT_COMPANY.locale),
  ),
  // The company's time zone (IANA, e.g. America/Chicago): times shown and "today" (default: the server's).
  COMPANY_TIMEZONE: z.preprocess(
    emptyToUndefined,
    z.string().refine(isTimeZone, 'must be an IANA time zone such as America/Chicago').optional(),
  ),
  // Payment terms in days: a new invoice without a due date is due this many days after its date (Net 30).
  DEFAULT_TERMS_DAYS: z.preprocess(
    emptyToUndefined,
    z.coerce.number().int().min(0).max(365).default(DEFAULT_COMPANY.termsDays),
  ),
  // Folder for SQLite backups (daily, before migrations, npm run backup).
  BACKUP_DIR: z.preprocess(emptyToUndefined, z.string().default('./data/backups')),
  // Backups older than this many days are deleted after a new one is written.
  BACKUP_KEEP_DAYS: z.preprocess(emptyToUndefined, z.coerce.number().int().min(1).max(3650).default(14)),
});

export type IntuitEnvironment = 'emulator' | 'sandbox' | 'production';

export interface Config {
  readonly nodeEnv: 'production' | 'development' | 'test';
  /** Stack traces on error pages: only when NODE_ENV=development is set explicitly (not by default). */
  readonly showErrorDetails: boolean;
  readonly port: number;
  readonly host: string;
  readonly appBaseUrl: string;
  readonly secureCookies: boolean;
  readonly databaseUrl: string;
  readonly dataDir: string;
  readonly sessionSecret: string;
  readonly tokenEncryptionKey: Buffer;
  readonly previousTokenEncryptionKeys: readonly Buffer[];
  readonly intuit: {
    readonly environment: IntuitEnvironment;
    /** INTUIT_CLIENT_ID; in emulator mode, the emulator's default unless set. */
    readonly clientId: string;
    readonly clientSecret: string;
    readonly webhookVerifierToken: string;
    readonly redirectUri: string;
    readonly emulatorPort: number;
    readonly emulatorUrl: string | undefined;
  };
  /** Outgoing mail; url undefined: nothing is mailed. */
  readonly smtp: { readonly url?: string; readonly from: string };
  readonly support: { readonly email?: string; readonly phone?: string; readonly address?: string };
  /** Alerts: email recipients (empty: every active admin) and the chat webhook (undefined: none). */
  readonly notify: { readonly emails: readonly string[]; readonly webhookUrl: string | undefined };
  /** GET /metrics' Bearer token; undefined: /metrics is 404. */
  readonly metricsToken: string | undefined;
  readonly logLevel: string;
  readonly trustProxy: boolean | number | string;
  readonly syncLeaseMs: number;
  /** Currency, locale, time zone and payment terms of the company whose books these are. */
  readonly company: CompanySettings;
  readonly backup: { readonly dir: string; readonly keepDays: number };
  /** Messages to log once the logger exists (e.g. "generated a secret"). */
  readonly warnings: readonly string[];
}

/**
 * The local emulator's public defaults, used when INTUIT_ENVIRONMENT=emulator and the key is not set.
 * They repeat EMULATOR_DEFAULTS in src/emulator/index.ts on purpose: the app never imports the emulator
 * (it is an outsider standing in for Intuit, and importing it would load its whole Express app), and the
 * emulator imports nothing from the app. test/unit/config.test.ts checks that the two copies agree.
 */
export const EMULATOR_CLIENT_DEFAULTS = Object.freeze({
  clientId: 'heavy-av-emulator-client',
  clientSecret: 'heavy-av-emulator-secret',
  verifierToken: 'heavy-av-emulator-verifier',
});

export const CALLBACK_PATH = '/admin/settings/quickbooks/callback';

/** Addresses only this machine can reach. */
function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

function parseTrustProxy(value: string | undefined): boolean | number | string {
  if (value === undefined || value === 'false') return false;
  if (value === 'true') return true;
  if (/^\d+$/.test(value)) return Number(value);
  return value;
}

function parseUrl(key: string, value: string): URL {
  try {
    const url = new URL(value);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('not http(s)');
    return url;
  } catch {
    throw new ConfigError(`${key} must be an http(s) URL, got "${value}"`);
  }
}

/** NOTIFY_EMAILS: a comma-separated list of plain addresses. */
function parseEmails(value: string | undefined): string[] {
  const emails = (value ?? '')
    .split(',')
    .map((v) => v.trim())
    .filter(Boolean);
  const bad = emails.find((v) => !/^[^\s@<>,]+@[^\s@<>,]+$/.test(v));
  if (bad)
    throw new ConfigError(`NOTIFY_EMAILS must be a comma-separated list of email addresses, got "${bad}"`);
  return emails;
}

function decodeKey(key: string, value: string): Buffer {
  const buf = Buffer.from(value, 'base64');
  if (buf.length !== 32) {
    throw new ConfigError(`${key} must be 32 bytes encoded as base64 (e.g. \`openssl rand -base64 32\`)`);
  }
  return buf;
}

interface GeneratedSecrets {
  SESSION_SECRET?: string;
  TOKEN_ENCRYPTION_KEY?: string;
}

/**
 * Outside production a newcomer should not have to invent secrets: generate them once and keep them under
 * ./data/ so sessions and encrypted tokens survive restarts.
 */
function developmentSecrets(dataDir: string, warnings: string[]): GeneratedSecrets {
  const file = path.join(dataDir, 'secrets.json');
  let stored: GeneratedSecrets = {};
  if (existsSync(file)) stored = JSON.parse(readFileSync(file, 'utf8')) as GeneratedSecrets;
  let changed = false;
  if (!stored.SESSION_SECRET) {
    stored.SESSION_SECRET = randomBytes(32).toString('base64url');
    changed = true;
  }
  if (!stored.TOKEN_ENCRYPTION_KEY) {
    stored.TOKEN_ENCRYPTION_KEY = randomBytes(32).toString('base64');
    changed = true;
  }
  if (changed) {
    mkdirSync(dataDir, { recursive: true });
    writeFileSync(file, `${JSON.stringify(stored, null, 2)}\n`, { mode: 0o600 });
    warnings.push(
      `Generated missing secrets and stored them in ${file} (development only; set them in production)`,
    );
  }
  return stored;
}

export interface LoadConfigOptions {
  /** Folder for generated secrets and the default SQLite file. */
  dataDir?: string;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env, options: LoadConfigOptions = {}): Config {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ConfigError(`${issue.path.join('.')}: ${issue.message}`);
  }
  const e = parsed.data;
  const warnings: string[] = [];
  const dataDir = path.resolve(options.dataDir ?? 'data');
  const listenPort = e.PORT ?? 3000;
  const appBaseUrl = parseUrl('APP_BASE_URL', e.APP_BASE_URL ?? `http://localhost:${listenPort}`)
    .toString()
    .replace(/\/$/, '');
  if (e.INTUIT_REDIRECT_URI) parseUrl('INTUIT_REDIRECT_URI', e.INTUIT_REDIRECT_URI);
  if (e.SMTP_URL && !/^smtps?:\/\/[^/]/.test(e.SMTP_URL)) {
    throw new ConfigError('SMTP_URL must be smtp://user:password@host:port or smtps://…');
  }
  if (e.INTUIT_EMULATOR_URL) parseUrl('INTUIT_EMULATOR_URL', e.INTUIT_EMULATOR_URL);
  if (e.NOTIFY_WEBHOOK_URL) parseUrl('NOTIFY_WEBHOOK_URL', e.NOTIFY_WEBHOOK_URL);
  const notifyEmails = parseEmails(e.NOTIFY_EMAILS);
  if (!/^(sqlite:|postgres(ql)?:\/\/)/.test(e.DATABASE_URL)) {
    throw new ConfigError('DATABASE_URL must start with sqlite: or postgres://');
  }

  const production = e.NODE_ENV === 'production';
  let sessionSecret = e.SESSION_SECRET;
  let encryptionKey = e.TOKEN_ENCRYPTION_KEY;
  if (production) {
    if (!sessionSecret) throw new ConfigError('SESSION_SECRET is required in production');
    if (!encryptionKey) throw new ConfigError('TOKEN_ENCRYPTION_KEY is required in production');
  } else if (!sessionSecret || !encryptionKey) {
    const generated = developmentSecrets(dataDir, warnings);
    sessionSecret ??= generated.SESSION_SECRET;
    encryptionKey ??= generated.TOKEN_ENCRYPTION_KEY;
  }
  if (sessionSecret!.length < 16) throw new ConfigError('SESSION_SECRET must be at least 16 characters');

  const environment: IntuitEnvironment =
    e.INTUIT_ENVIRONMENT ?? (e.INTUIT_CLIENT_ID ? 'sandbox' : 'emulator');
  if (environment !== 'emulator') {
    for (const key of [
      'INTUIT_CLIENT_ID',
      'INTUIT_CLIENT_SECRET',
      'INTUIT_WEBHOOK_VERIFIER_TOKEN',
    ] as const) {
      if (!e[key]) throw new ConfigError(`${key} is required when INTUIT_ENVIRONMENT is ${environment}`);
    }
  }
  if (environment === 'emulator') {
    if (!isLoopback(e.HOST) && e.EMULATOR_ALLOW_REMOTE !== '1') {
      throw new ConfigError(
        `HOST=${e.HOST} in QuickBooks emulator mode: the emulator's control API has no authentication and its keys are public defaults, so it listens on loopback only (HOST=127.0.0.1). Set EMULATOR_ALLOW_REMOTE=1 to allow it anyway.`,
      );
    }
    warnings.push(
      'QuickBooks emulator mode: the Intuit client id, secret and webhook verifier token in use are the emulator’s public development defaults unless set. Never expose this app to others in this mode.',
    );
  }
  if (production && environment === 'emulator' && !e.INTUIT_EMULATOR_URL) {
    warnings.push('NODE_ENV=production with the local QuickBooks emulator: this is not Intuit');
  }

  const config: Config = {
    nodeEnv: e.NODE_ENV,
    showErrorDetails: env.NODE_ENV === 'development',
    port: listenPort,
    host: e.HOST,
    appBaseUrl,
    secureCookies: appBaseUrl.startsWith('https:'),
    databaseUrl: e.DATABASE_URL,
    dataDir,
    sessionSecret: sessionSecret!,
    tokenEncryptionKey: decodeKey('TOKEN_ENCRYPTION_KEY', encryptionKey!),
    previousTokenEncryptionKeys: (e.TOKEN_ENCRYPTION_PREVIOUS_KEYS ?? '')
      .split(',')
      .map((k) => k.trim())
      .filter(Boolean)
      .map((k) => decodeKey('TOKEN_ENCRYPTION_PREVIOUS_KEYS', k)),
    intuit: Object.freeze({
      environment,
      // Outside emulator mode the three keys were checked above; in it, the emulator's defaults fill gaps.
      clientId: e.INTUIT_CLIENT_ID ?? EMULATOR_CLIENT_DEFAULTS.clientId,
      clientSecret: e.INTUIT_CLIENT_SECRET ?? EMULATOR_CLIENT_DEFAULTS.clientSecret,
      webhookVerifierToken: e.INTUIT_WEBHOOK_VERIFIER_TOKEN ?? EMULATOR_CLIENT_DEFAULTS.verifierToken,
      redirectUri: e.INTUIT_REDIRECT_URI ?? `${appBaseUrl}${CALLBACK_PATH}`,
      emulatorPort: e.EMULATOR_PORT ?? listenPort + 1,
      emulatorUrl: e.INTUIT_EMULATOR_URL?.replace(/\/$/, ''),
    }),
    smtp: Object.freeze({ url: e.SMTP_URL, from: e.NOTIFY_FROM }),
    support: Object.freeze({ email: e.SUPPORT_EMAIL, phone: e.SUPPORT_PHONE, address: e.SUPPORT_ADDRESS }),
    notify: Object.freeze({ emails: Object.freeze(notifyEmails), webhookUrl: e.NOTIFY_WEBHOOK_URL }),
    metricsToken: e.METRICS_TOKEN,
    logLevel: e.LOG_LEVEL,
    trustProxy: parseTrustProxy(e.TRUST_PROXY),
    syncLeaseMs: e.SYNC_LEASE_SECONDS * 1000,
    company: Object.freeze({
      currency: e.COMPANY_CURRENCY,
      locale: e.COMPANY_LOCALE,
      timeZone: e.COMPANY_TIMEZONE ?? Intl.DateTimeFormat().resolvedOptions().timeZone ?? 'UTC',
      termsDays: e.DEFAULT_TERMS_DAYS,
    }),
    backup: Object.freeze({ dir: path.resolve(e.BACKUP_DIR), keepDays: e.BACKUP_KEEP_DAYS }),
    warnings,
  };
  return Object.freeze(config);
}

/**
 * loadConfig for the server and the commands: bad configuration ends the process with one clear line
 * naming the key (exit 78, EX_CONFIG), not a stack trace.
 */
export function loadConfigOrExit(): Config {
  try {
    return loadConfig();
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    console.error(`Configuration error: ${err.message}`);
    process.exit(78);
  }
}
