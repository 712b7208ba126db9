/**
 * The alerts outbox: `alerts` (one row per incident, unique incident_key) and `alert_deliveries` (one row per
 * alert and channel, claimed with a lease, retried with back-off). Plain objects in and out.
 */
import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import { nowIso } from '../db/index.js';

export type Channel = 'email' | 'webhook';
export type AlertKind =
  | 'connection_lost'
  | 'connection_restored'
  | 'records_failing'
  | 'expiry'
  | 'deletion_processed'
  | 'test';

export interface AlertContent {
  kind: AlertKind;
  subject: string;
  body: string;
  /** Absolute URL of the page that fixes it. */
  link: string;
}

export interface Alert extends AlertContent {
  id: number;
  incidentKey: string;
  createdAt: string;
  resolvedAt: string | null;
}

export interface Delivery {
  id: number;
  alertId: number;
  channel: Channel;
  /** failed: a test that did not go (tests are not retried). */
  status: 'pending' | 'sent' | 'failed';
  attempts: number;
  nextAttemptAt: string;
  lastError: string | null;
  lastAttemptAt: string | null;
  sentAt: string | null;
  sentTo: string | null;
}

export interface LogEntry extends Delivery {
  alert: Pick<Alert, 'kind' | 'subject' | 'createdAt' | 'incidentKey'> & { path: string };
}

interface AlertRow {
  id: number;
  incident_key: string;
  kind: AlertKind;
  subject: string;
  body: string;
  link: string;
  created_at: string;
  raised_by: string;
  resolved_at: string | null;
}

function toAlert(row: AlertRow): Alert {
  return {
    id: row.id,
    incidentKey: row.incident_key,
    kind: row.kind,
    subject: row.subject,
    body: row.body,
    link: row.link,
    createdAt: row.created_at,
    resolvedAt: row.resolved_at,
  };
}

function toDelivery(row: any): Delivery {
  return {
    id: row.id,
    alertId: row.alert_id,
    channel: row.channel,
    status: row.status,
    attempts: Number(row.attempts),
    nextAttemptAt: row.next_attempt_at,
    lastError: row.last_error,
    lastAttemptAt: row.last_attempt_at,
    sentAt: row.sent_at,
    sentTo: row.sent_to,
  };
}

/** The path of an absolute link (the log shows where an alert pointed without the host). */
function pathOf(link: string): string {
  try {
    const url = new URL(link);
    return `${url.pathname}${url.search}${url.hash}`;
  } catch {
    return link;
  }
}

export class AlertsRepository {
  constructor(private readonly db: Knex) {}

  /**
   * Records an incident once, whoever notices it: the unique incident_key lets one insert win across
   * instances, and the row names the channels to deliver to. One statement, no transaction: SQLite
   * refuses a write transaction whose snapshot another instance's commit made stale ("database is
   * locked"), and the deliveries are queued afterwards from the row (queueDeliveries), so a crash between
   * the two loses nothing. Returns the alert when this call raised it, undefined when it existed.
   */
  async raise(key: string, content: AlertContent, channels: Channel[]): Promise<Alert | undefined> {
    const token = randomUUID();
    await this.db('alerts')
      .insert({
        incident_key: key,
        kind: content.kind,
        subject: content.subject,
        body: content.body,
        link: content.link,
        created_at: nowIso(),
        raised_by: token,
        channels: channels.join(','),
        queued_at: channels.length ? null : nowIso(),
      })
      .onConflict('incident_key')
      .ignore();
    const row = await this.db<AlertRow>('alerts').where({ incident_key: key }).first();
    return row && row.raised_by === token ? toAlert(row) : undefined;
  }

  /**
   * A delivery per channel for every alert not queued yet. Idempotent (unique alert and channel), so two
   * instances, or a second try after a crash, queue each delivery once.
   */
  async queueDeliveries(): Promise<void> {
    const rows = await this.db<AlertRow & { channels: string }>('alerts')
      .whereNull('queued_at')
      .orderBy('id')
      .limit(100)
      .select('id', 'channels');
    for (const row of rows) {
      const channels = row.channels.split(',').filter(Boolean);
      const at = nowIso();
      if (channels.length) {
        await this.db('alert_deliveries')
          .insert(channels.map((channel) => ({ alert_id: row.id, channel, next_attempt_at: at })))
          .onConflict(['alert_id', 'channel'])
          .ignore();
      }
      await this.db('alerts').where({ id: row.id }).update({ queued_at: at });
    }
  }

  /** The newest alert of a kind (whose key starts with `prefix`, when given). */
  async latest(kind: AlertKind, prefix?: string): Promise<Alert | undefined> {
    const q = this.db<AlertRow>('alerts').where({ kind }).orderBy('id', 'desc');
    if (prefix) q.where('incident_key', 'like', `${prefix}%`);
    const row = await q.first();
    return row ? toAlert(row) : undefined;
  }

  async exists(key: string): Promise<boolean> {
    return Boolean(await this.db('alerts').where({ incident_key: key }).first('id'));
  }

  async resolve(id: number, at = nowIso()): Promise<void> {
    await this.db('alerts').where({ id }).whereNull('resolved_at').update({ resolved_at: at });
  }

  async find(id: number): Promise<Alert | undefined> {
    const row = await this.db<AlertRow>('alerts').where({ id }).first();
    return row ? toAlert(row) : undefined;
  }

  /** Deliveries due now that nobody holds (or whose holder's lease ran out), oldest first. */
  async due(now: string, limit: number): Promise<Delivery[]> {
    const rows = await this.db('alert_deliveries')
      .where({ status: 'pending' })
      .where('next_attempt_at', '<=', now)
      .where((q) => q.whereNull('claimed_until').orWhere('claimed_until', '<', now))
      .orderBy('id')
      .limit(limit);
    return rows.map(toDelivery);
  }

  /** Takes a delivery for `owner` until `until`; false when another instance got it first. */
  async claim(id: number, owner: string, now: string, until: string): Promise<boolean> {
    const updated = await this.db('alert_deliveries')
      .where({ id, status: 'pending' })
      .where((q) => q.whereNull('claimed_until').orWhere('claimed_until', '<', now))
      .update({ claimed_by: owner, claimed_until: until });
    return Number(updated) === 1;
  }

  async markSent(id: number, owner: string, sentTo: string, at = nowIso()): Promise<void> {
    await this.db('alert_deliveries')
      .where({ id, claimed_by: owner })
      .update({
        status: 'sent',
        sent_at: at,
        last_attempt_at: at,
        sent_to: sentTo.slice(0, 1000),
        attempts: this.db.raw('attempts + 1'),
        last_error: null,
        claimed_by: null,
        claimed_until: null,
      });
  }

  async markFailed(
    id: number,
    owner: string,
    error: string,
    nextAttemptAt: string,
    at = nowIso(),
  ): Promise<void> {
    await this.db('alert_deliveries')
      .where({ id, claimed_by: owner })
      .update({
        last_error: error.slice(0, 500),
        last_attempt_at: at,
        next_attempt_at: nextAttemptAt,
        attempts: this.db.raw('attempts + 1'),
        claimed_by: null,
        claimed_until: null,
      });
  }

  /** A test message's outcome, kept in the log like any delivery (never retried). */
  async logTest(content: AlertContent, results: { channel: Channel; error?: string; sentTo: string }[]) {
    const at = nowIso();
    const key = `test:${randomUUID()}`;
    await this.db('alerts').insert({
      incident_key: key,
      ...content,
      created_at: at,
      raised_by: 'test',
      resolved_at: at,
      queued_at: at,
    });
    const alert = await this.db<AlertRow>('alerts').where({ incident_key: key }).first();
    await this.db('alert_deliveries').insert(
      results.map((r) => ({
        alert_id: alert!.id,
        channel: r.channel,
        // A failed test is not retried: the admin saw the error and fixes the settings.
        status: r.error ? 'failed' : 'sent',
        attempts: 1,
        next_attempt_at: at,
        last_attempt_at: at,
        sent_at: r.error ? null : at,
        sent_to: r.sentTo.slice(0, 1000),
        last_error: r.error?.slice(0, 500) ?? null,
      })),
    );
  }

  /** The delivery log, newest first. */
  async log(limit: number): Promise<LogEntry[]> {
    const rows = await this.db('alert_deliveries as d')
      .join('alerts as a', 'a.id', 'd.alert_id')
      .orderBy('d.id', 'desc')
      .limit(limit)
      .select('d.*', 'a.kind', 'a.subject', 'a.created_at as alert_created_at', 'a.incident_key', 'a.link');
    return rows.map((r) => ({
      ...toDelivery(r),
      alert: {
        kind: r.kind,
        subject: r.subject,
        createdAt: r.alert_created_at,
        incidentKey: r.incident_key,
        path: pathOf(r.link),
      },
    }));
  }

  /** Recent alerts (not tests), newest first, for the card. */
  async recent(limit: number): Promise<Alert[]> {
    const rows = await this.db<AlertRow>('alerts')
      .whereNot({ kind: 'test' })
      .orderBy('id', 'desc')
      .limit(limit);
    return rows.map(toAlert);
  }

  /** Deliveries not sent yet (every instance's), and since when the oldest waits. */
  async waiting(): Promise<{ waiting: number; oldestSince: string | null; retrying: number }> {
    const row = await this.db('alert_deliveries as d')
      .join('alerts as a', 'a.id', 'd.alert_id')
      .where('d.status', 'pending')
      .first<{ n: number | string; oldest: string | null; retrying: number | string | null }>(
        this.db.raw('count(*) as n'),
        this.db.raw('min(a.created_at) as oldest'),
        this.db.raw('sum(case when d.attempts > 0 then 1 else 0 end) as retrying'),
      );
    return {
      waiting: Number(row?.n ?? 0),
      oldestSince: row?.oldest ?? null,
      retrying: Number(row?.retrying ?? 0),
    };
  }
}
