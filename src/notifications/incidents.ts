/**
 * The incidents Heavy AV alerts about: each one's key (what makes it "the same incident" across instances
 * and restarts) and its words. Pure functions, unit-tested.
 *
 * The words never carry QuickBooks data (no company name, realm id, customer, amount) nor any token: an
 * alert travels through mail servers and chat rooms that are not Heavy AV's. They say what happened and
 * link to the page that fixes it, where a signed-in admin sees the details.
 */
import type { AlertContent } from './alerts-repository.js';

export const CARD_PATH = '/admin/settings/quickbooks';
export const FAILED_PATH = '/admin/settings/quickbooks/history?direction=push&result=failed';
export const DELIVERY_LOG_PATH = '/admin/settings/quickbooks/history#alerts';
const DAY_MS = 86_400_000;
/** Warn this long before the refresh token or Intuit's 5-year limit ends the connection. */
export const EXPIRY_WARNING_MS = 30 * DAY_MS;

export interface Incident {
  key: string;
  content: AlertContent;
}

const link = (base: string, path: string) => `${base}${path}`;

/** How the connection was lost, as the connection row says it. */
export type LostHow = 'revoked' | 'expired' | 'disconnected_at_intuit';

export function connectionLost(
  base: string,
  c: { realmId: string; connectedAt: string | null },
  how: LostHow,
): Incident {
  const what: Record<LostHow, string> = {
    revoked:
      "Intuit refused Heavy AV's QuickBooks tokens: the access was revoked (a password change, the company's admin, or Intuit).",
    expired:
      "Heavy AV's QuickBooks refresh token expired before it could be renewed, so Intuit ended the connection.",
    disconnected_at_intuit: "Heavy AV was disconnected from QuickBooks on Intuit's My Apps page.",
  };
  return {
    // One incident per connection: the same connection (connected at that time) can be lost only once.
    key: `connection-lost:${c.realmId}:${c.connectedAt ?? 'never'}`,
    content: {
      kind: 'connection_lost',
      subject: 'QuickBooks connection lost: syncing has stopped',
      body: `${what[how]} Syncing with QuickBooks has stopped. Changes made in Heavy AV are kept and go out once an admin reconnects the same company.`,
      link: link(base, CARD_PATH),
    },
  };
}

export function connectionRestored(base: string, lostKey: string): Incident {
  return {
    key: `connection-restored:${lostKey}`,
    content: {
      kind: 'connection_restored',
      subject: 'QuickBooks connection is back',
      body: 'An admin reconnected QuickBooks. Syncing has resumed; changes made meanwhile are being sent.',
      link: link(base, CARD_PATH),
    },
  };
}

export function recordsFailing(
  base: string,
  sequence: number,
  counts: { failed: number; conflicts: number },
): Incident {
  const parts = [
    counts.failed ? `${counts.failed} record${counts.failed === 1 ? '' : 's'} QuickBooks refused` : '',
    counts.conflicts
      ? `${counts.conflicts} record${counts.conflicts === 1 ? '' : 's'} in conflict (for an admin to resolve)`
      : '',
  ].filter(Boolean);
  return {
    // One incident from the first failure until nothing fails any more, whatever the number of records.
    key: `records-failing:${sequence}`,
    content: {
      kind: 'records_failing',
      subject: 'QuickBooks sync needs attention: records are not syncing',
      body: `${parts.join(' and ')}. They wait for an admin: see why, fix the record, then retry. Other records keep syncing.`,
      link: link(base, FAILED_PATH),
    },
  };
}

export function expiring(
  base: string,
  c: { realmId: string },
  which: 'refresh' | 'hard',
  at: string,
): Incident {
  const day = at.slice(0, 10);
  const text =
    which === 'hard'
      ? `Intuit's 5-year limit on this QuickBooks connection ends on ${day}. Reconnect QuickBooks before then (disconnect, then connect again) to keep syncing.`
      : `Heavy AV's QuickBooks refresh token expires on ${day} and the daily keep-alive has not renewed it. Check that Heavy AV can reach Intuit, or reconnect QuickBooks before then.`;
  return {
    // By day: Intuit reports the time left at each refresh, so the computed instant moves by seconds.
    key: `expiry-${which}:${c.realmId}:${day}`,
    content: {
      kind: 'expiry',
      subject:
        which === 'hard'
          ? `QuickBooks connection reaches its 5-year limit on ${day}`
          : `QuickBooks connection expires on ${day} unless renewed`,
      body: text,
      link: link(base, CARD_PATH),
    },
  };
}

export interface ReceiptSummary {
  requestId: number;
  receiptId: number;
  processedAt: string;
  processedBy: string;
  deleted: number;
}

export function deletionProcessed(base: string, r: ReceiptSummary): Incident {
  return {
    key: `deletion-processed:${r.requestId}`,
    content: {
      kind: 'deletion_processed',
      subject: `QuickBooks data deletion request #${r.requestId} processed`,
      body: `Deletion request #${r.requestId} was processed ${r.processedAt.slice(0, 16).replace('T', ' ')} UTC by ${r.processedBy}: ${r.deleted} item(s) of cached QuickBooks data deleted. Receipt #${r.receiptId} (what was deleted and what was kept) is on the request's page.`,
      link: link(base, `/admin/settings/quickbooks/data/deletion-requests/${r.requestId}`),
    },
  };
}

export function testMessage(base: string): AlertContent {
  return {
    kind: 'test',
    subject: 'Heavy AV test alert',
    body: 'This is a test from Heavy AV: alerts about QuickBooks (connection lost, records failing, limits near, deletions processed) will arrive here.',
    link: link(base, CARD_PATH),
  };
}

/** The message's text, the same for email and chat: what happened, then the link. */
export function messageText(content: Pick<AlertContent, 'body' | 'link'>): string {
  return `${content.body}\n\nOpen in Heavy AV: ${content.link}\n`;
}

/** Back-off after `attempts` failed attempts: 1, 2, 4, … minutes, at most an hour; never gives up. */
export function retryDelayMs(attempts: number): number {
  return Math.min(60 * 60_000, 60_000 * 2 ** Math.max(0, attempts - 1));
}

/** A connection is close to an end when less than EXPIRY_WARNING_MS is left (and it has not passed). */
export function nearEnd(at: string | null, now: number): boolean {
  if (!at) return false;
  const left = Date.parse(at) - now;
  return left > 0 && left <= EXPIRY_WARNING_MS;
}

/** A deletion receipt, summed up for an alert: who, when, and how many items (no QuickBooks data). */
export function receiptSummary(
  receipt:
    | {
        receiptId: number;
        requestId: number;
        processedAt: string;
        processedBy: string;
        deleted: object | undefined;
      }
    | undefined,
): ReceiptSummary | undefined {
  if (!receipt) return undefined;
  const deleted = Object.values(receipt.deleted ?? {}).reduce((sum: number, n) => sum + (Number(n) || 0), 0);
  return {
    requestId: receipt.requestId,
    receiptId: receipt.receiptId,
    processedAt: receipt.processedAt,
    processedBy: receipt.processedBy,
    deleted,
  };
}
