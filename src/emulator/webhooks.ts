import { createHash, createHmac, randomUUID } from 'node:crypto';
import type { Operation } from './accounting/entities.js';
import type { Clock } from './clock.js';
import type { EmulatorConfig } from './config.js';
import type { EntityName } from './model.js';

/** Intuit's documented retry schedule, in Intuit seconds; after the last step it keeps every 6 h. */
export const RETRY_SCHEDULE_S = [10, 20, 30, 300, 1200, 7200, 14_400, 21_600];
/** The emulator gives up after this many attempts (Intuit's own cut-off is not documented). */
export const MAX_ATTEMPTS = 20;
/** Changes within this real-time window go out in one delivery, as Intuit groups its notifications. */
export const BATCH_WINDOW_MS = 100;
/** Intuit wants a 2xx within 3 s; this is real time (it measures the receiver, not the emulated world). */
const RESPONSE_TIMEOUT_MS = 3000;

interface Change {
  realmId: string;
  entity: EntityName;
  id: string;
  op: Operation;
  atMs: number;
}

export interface DeliveryRecord {
  id: string;
  url: string;
  format: 'classic' | 'cloudevents';
  body: string;
  attempts: { at: string; status: number | null; error?: string }[];
  delivered: boolean;
  abandoned: boolean;
}

export interface WebhookDeps {
  clock: Clock;
  config: EmulatorConfig;
  verifierToken: string;
  clientId: string;
  hasLiveGrant: (realmId: string) => boolean;
  log: (msg: string) => void;
}

const PAST_TENSE: Record<Operation, string> = {
  Create: 'created',
  Update: 'updated',
  Delete: 'deleted',
  Void: 'voided',
};

/**
 * Posts changes to the app, signed with the verifier token, in the configured format, with Intuit's retry
 * schedule (scaled by timeScale). A failed delivery is logged and retried, never thrown.
 */
export class WebhookDispatcher {
  private pending: Change[] = [];
  private flushTimer?: NodeJS.Timeout;
  private readonly timers = new Set<NodeJS.Timeout>();
  private closed = false;
  readonly deliveries: DeliveryRecord[] = [];

  constructor(private readonly deps: WebhookDeps) {}

  notify(realmId: string, entity: EntityName, id: string, op: Operation, atMs: number): void {
    const { webhooks } = this.deps.config;
    // Only companies connected to the app are subscribed; changes while disabled are simply lost (CDC fills).
    if (this.closed || !webhooks.enabled || !webhooks.url || !this.deps.hasLiveGrant(realmId)) return;
    this.pending.push({ realmId, entity, id, op, atMs });
    this.flushTimer ??= setTimeout(() => this.flush(), BATCH_WINDOW_MS);
  }

  close(): void {
    this.closed = true;
    if (this.flushTimer) clearTimeout(this.flushTimer);
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }

  private flush(): void {
    this.flushTimer = undefined;
    const changes = this.pending;
    this.pending = [];
    if (changes.length === 0 || this.closed) return;
    const format = this.deps.config.webhooks.format;
    const body = format === 'classic' ? this.classic(changes) : this.cloudEvents(changes);
    const delivery: DeliveryRecord = {
      id: randomUUID(),
      url: this.deps.config.webhooks.url,
      format,
      body,
      attempts: [],
      delivered: false,
      abandoned: false,
    };
    this.deliveries.push(delivery);
    if (this.deliveries.length > 1000) this.deliveries.shift();
    void this.attempt(delivery);
  }

  private classic(changes: Change[]): string {
    const byRealm = new Map<string, Change[]>();
    for (const c of changes) byRealm.set(c.realmId, [...(byRealm.get(c.realmId) ?? []), c]);
    return JSON.stringify({
      eventNotifications: [...byRealm].map(([realmId, list]) => ({
        realmId,
        dataChangeEvent: {
          entities: list.map((c) => ({
            name: c.entity,
            id: c.id,
            operation: c.op,
            lastUpdated: new Date(c.atMs).toISOString(),
          })),
        },
      })),
    });
  }

  private cloudEvents(changes: Change[]): string {
    // A stable, opaque source per app, shaped like Intuit's "intuit.<base64>".
    const source = `intuit.${createHash('sha256').update(this.deps.clientId).digest('base64')}`;
    return JSON.stringify(
      changes.map((c) => ({
        specversion: '1.0',
        id: randomUUID(),
        source,
        type: `qbo.${c.entity.toLowerCase()}.${PAST_TENSE[c.op]}.v1`,
        datacontenttype: 'application/json',
        time: new Date(c.atMs).toISOString(),
        intuitentityid: c.id,
        intuitaccountid: c.realmId,
        data: {},
      })),
    );
  }

  private async attempt(delivery: DeliveryRecord): Promise<void> {
    if (this.closed) return;
    if (!this.deps.config.webhooks.enabled) {
      delivery.abandoned = true;
      return;
    }
    const bytes = Buffer.from(delivery.body, 'utf8');
    const signature = createHmac('sha256', this.deps.verifierToken).update(bytes).digest('base64');
    const record: DeliveryRecord['attempts'][number] = {
      at: new Date(this.deps.clock.now()).toISOString(),
      status: null,
    };
    delivery.attempts.push(record);
    try {
      const res = await fetch(delivery.url, {
        method: 'POST',
        headers: {
          'Content-Type': delivery.format === 'classic' ? 'application/json' : 'application/cloudevents+json',
          'intuit-signature': signature,
          'User-Agent': 'Intuit-Webhooks-Emulator/1.0',
        },
        body: bytes,
        signal: AbortSignal.timeout(RESPONSE_TIMEOUT_MS),
      });
      record.status = res.status;
      await res.arrayBuffer().catch(() => undefined);
      if (res.ok) {
        delivery.delivered = true;
        return;
      }
    } catch (err) {
      record.error = err instanceof Error ? err.message : String(err);
    }
    this.scheduleRetry(delivery);
  }

  private scheduleRetry(delivery: DeliveryRecord): void {
    const n = delivery.attempts.length; // attempts made so far
    if (this.closed || n >= MAX_ATTEMPTS) {
      delivery.abandoned = n >= MAX_ATTEMPTS;
      if (delivery.abandoned) this.deps.log(`webhook ${delivery.id} abandoned after ${n} attempts`);
      return;
    }
    const delayS = RETRY_SCHEDULE_S[Math.min(n - 1, RETRY_SCHEDULE_S.length - 1)];
    const last = delivery.attempts[n - 1];
    this.deps.log(
      `webhook ${delivery.id} attempt ${n} failed (${last.status ?? last.error}); retry in ${delayS} s (Intuit time)`,
    );
    const timer = setTimeout(
      () => {
        this.timers.delete(timer);
        void this.attempt(delivery);
      },
      this.deps.clock.toRealMs(delayS * 1000),
    );
    timer.unref();
    this.timers.add(timer);
  }
}
