import { Books } from './accounting/entities.js';
import { Clock } from './clock.js';
import { type EmulatorConfig, mergeConfig } from './config.js';
import type { FaultRule } from './fault-injection.js';
import { GrantStore } from './grants.js';
import { IdTokenSigner } from './id-token.js';
import type { LedgerEntry } from './ledger.js';
import { type Company, seedCompanies } from './seed.js';
import { Throttle } from './throttle.js';
import { WebhookDispatcher } from './webhooks.js';

/** The one app registered with the emulated Intuit (what a developer account's "Keys & OAuth" holds). */
export interface AppRegistration {
  clientId: string;
  clientSecret: string;
  verifierToken: string;
  appName: string;
  /** Empty = accept any http(s) redirect URI (handy for ad-hoc clients); otherwise exact match. */
  redirectUris: string[];
  disconnectUrl: string;
}

/** Everything the emulator knows, shared by its routers. In memory only. */
export class EmulatorState {
  readonly clock: Clock;
  readonly companies: Map<string, Company>;
  readonly grants: GrantStore;
  readonly throttle: Throttle;
  readonly webhooks: WebhookDispatcher;
  readonly idTokens = new IdTokenSigner();
  readonly ledger: LedgerEntry[] = [];
  readonly faults: FaultRule[] = [];
  private readonly books = new Map<string, Books>();
  /** Set once the server listens (http://host:port, no trailing slash). */
  baseUrl = '';

  constructor(
    readonly app: AppRegistration,
    readonly config: EmulatorConfig,
    readonly log: (msg: string) => void,
  ) {
    this.clock = new Clock(config.timeScale);
    this.companies = seedCompanies(this.clock.now());
    this.grants = new GrantStore(this.clock, config);
    this.throttle = new Throttle(this.clock, config);
    this.webhooks = new WebhookDispatcher({
      clock: this.clock,
      config,
      verifierToken: app.verifierToken,
      clientId: app.clientId,
      hasLiveGrant: (realmId) => this.grants.hasLiveGrant(realmId),
      log,
    });
  }

  booksFor(realmId: string): Books | undefined {
    const company = this.companies.get(realmId);
    if (!company) return undefined;
    let books = this.books.get(realmId);
    if (!books) {
      books = new Books(
        company,
        () => this.clock.now(),
        (realm, entity, id, op, at) => this.webhooks.notify(realm, entity, id, op, at),
      );
      this.books.set(realmId, books);
    }
    return books;
  }

  /** Applies a partial config; a new timeScale takes effect from now on without a jump in Intuit time. */
  updateConfig(patch: unknown): EmulatorConfig {
    const before = this.config.timeScale;
    // Validate on a copy first so that a bad key leaves the running config untouched.
    const next = mergeConfig(structuredClone(this.config), patch);
    Object.assign(this.config, next);
    if (this.config.timeScale !== before) this.clock.setTimeScale(this.config.timeScale);
    return this.config;
  }
}
