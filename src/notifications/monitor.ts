/**
 * Notices incidents by looking at the database, not by being told: whichever path found a revocation (a
 * push, the keep-alive, the Disconnect URL landing, another instance), whichever way a deletion was
 * processed (the page or `npm run qbo:purge`), the state it left behind is the same, and a look after a
 * crash finds what was missed. The revocation relay and the lifecycle only make the look happen sooner.
 * Each incident's key is unique in `alerts`, so looking twice (or from two instances) alerts once.
 */
import type { Connection } from '../quickbooks/connection/connection-types.js';
import type { Alert, AlertsRepository, Channel } from './alerts-repository.js';
import {
  connectionLost,
  connectionRestored,
  deletionProcessed,
  expiring,
  type Incident,
  type LostHow,
  nearEnd,
  type ReceiptSummary,
  recordsFailing,
} from './incidents.js';
import type { AlertSourcesRepository } from './sources-repository.js';

/** A processed deletion request older than this is history: it is not alerted (e.g. on first deploy). */
const DELETION_LOOKBACK_MS = 7 * 86_400_000;

export interface AlertMonitorDeps {
  alerts: AlertsRepository;
  sources: AlertSourcesRepository;
  /** The most recently connected company, whatever its status (ConnectionsRepository.latest). */
  latestConnection: () => Promise<Connection | undefined>;
  /** The receipt of a processed deletion request (DataDeletionService.receipt), summed up. */
  receipt: (requestId: number) => Promise<ReceiptSummary | undefined>;
  /** The channels configured now: where a newly raised alert will be delivered. */
  channels: () => Channel[];
  appBaseUrl: string;
  now?: () => number;
}

export class AlertMonitor {
  constructor(private readonly deps: AlertMonitorDeps) {}

  /** One look at everything; returns the alerts this look raised. */
  async scan(): Promise<Alert[]> {
    const raised: Alert[] = [];
    const raise = async (incident: Incident | undefined) => {
      if (!incident) return;
      const alert = await this.deps.alerts.raise(incident.key, incident.content, this.deps.channels());
      if (alert) raised.push(alert);
    };
    const latest = await this.deps.latestConnection();
    await raise(await this.connectionIncident(latest));
    for (const incident of this.expiryIncidents(latest)) await raise(incident);
    await raise(await this.failingIncident());
    for (const incident of await this.deletionIncidents()) await raise(incident);
    return raised;
  }

  private now(): number {
    return (this.deps.now ?? Date.now)();
  }

  /** Lost (revoked, expired, disconnected at Intuit) or, after a loss, back again. */
  private async connectionIncident(latest: Connection | undefined): Promise<Incident | undefined> {
    if (!latest) return undefined;
    const base = this.deps.appBaseUrl;
    const how = await this.lostHow(latest);
    if (how) return connectionLost(base, latest, how);
    if (latest.status !== 'connected') return undefined;
    const lost = await this.deps.alerts.latest('connection_lost');
    // Back again: connected after the newest loss was alerted.
    if (lost && latest.connectedAt && latest.connectedAt > lost.createdAt) {
      return connectionRestored(base, lost.incidentKey);
    }
    return undefined;
  }

  private async lostHow(c: Connection): Promise<LostHow | undefined> {
    if (c.status === 'disconnected' && c.disconnectReason === 'intuit_my_apps') {
      return 'disconnected_at_intuit';
    }
    if (c.status !== 'revoked') return undefined;
    // Intuit answers invalid_grant to an expired refresh token too, and the credentials (with their dates)
    // are gone by now: an expiry warned about earlier, whose date has passed, says which it was.
    const warned = await this.deps.alerts.latest('expiry', `expiry-refresh:${c.realmId}:`);
    const end = warned?.incidentKey.split(':').slice(2).join(':');
    return end && c.disconnectedAt && end <= c.disconnectedAt ? 'expired' : 'revoked';
  }

  /** 30 days before the refresh token dies unrenewed, or before Intuit's 5-year limit. */
  private expiryIncidents(latest: Connection | undefined): Incident[] {
    if (latest?.status !== 'connected') return [];
    const now = this.now();
    const base = this.deps.appBaseUrl;
    const found: Incident[] = [];
    // A healthy keep-alive renews the refresh token when it is 30 days old, ~70 days before it would
    // die: one that gets within 30 days of its end means the keep-alive has not succeeded for weeks.
    if (nearEnd(latest.refreshExpiresAt, now)) {
      found.push(expiring(base, latest, 'refresh', latest.refreshExpiresAt!));
    }
    if (nearEnd(latest.refreshHardExpiresAt, now)) {
      found.push(expiring(base, latest, 'hard', latest.refreshHardExpiresAt!));
    }
    return found;
  }

  /**
   * Records failing for good or in conflict: one incident from the first such record until none is left,
   * with the counts at the time it is raised. The incidents are numbered; two instances that both see a
   * new one compute the same number, and the unique key lets one of them raise it.
   */
  private async failingIncident(): Promise<Incident | undefined> {
    const counts = await this.deps.sources.failingRecords();
    const open = await this.deps.alerts.latest('records_failing');
    const stillOpen = open && !open.resolvedAt;
    if (counts.failed + counts.conflicts === 0) {
      if (stillOpen) await this.deps.alerts.resolve(open.id);
      return undefined;
    }
    if (stillOpen) return undefined;
    const sequence = open ? Number(open.incidentKey.split(':')[1]) + 1 : 1;
    return recordsFailing(this.deps.appBaseUrl, sequence, counts);
  }

  private async deletionIncidents(): Promise<Incident[]> {
    const since = new Date(this.now() - DELETION_LOOKBACK_MS).toISOString();
    const found: Incident[] = [];
    for (const request of await this.deps.sources.deletionsProcessedSince(since)) {
      if (await this.deps.alerts.exists(`deletion-processed:${request.id}`)) continue;
      const receipt = await this.deps.receipt(request.id);
      if (receipt) found.push(deletionProcessed(this.deps.appBaseUrl, receipt));
    }
    return found;
  }
}
