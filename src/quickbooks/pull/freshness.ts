/**
 * Which version wins, QuickBooks' or ours. QuickBooks' version is applied when the link's SyncToken differs
 * (the same one is the echo of our own push, or a change already applied) and its LastUpdatedTime is not
 * older than what the link last saw (events arrive out of order, and twice).
 */
import type { EntityBase, SalesDocument, SyncedEntity } from '../intuit/types.js';
import { updatedAtMs } from '../mapping/from-quickbooks.js';
import type { Link } from '../sync/links-repository.js';

/** What the comparisons read of an entity (a SyncToken may be missing from what a test builds). */
type Versioned = Pick<EntityBase, 'MetaData'> & { SyncToken?: string };

export function isNewer(link: Link, qbo: Versioned): boolean {
  const token = qbo.SyncToken;
  if (link.syncToken !== null && token === link.syncToken) return false;
  const theirs = updatedAtMs(qbo.MetaData?.LastUpdatedTime);
  const ours = updatedAtMs(link.qboUpdatedAt);
  if (theirs !== undefined && ours !== undefined && theirs < ours) return false;
  if (link.syncToken !== null && token !== undefined && /^\d+$/.test(token) && /^\d+$/.test(link.syncToken))
    return Number(token) > Number(link.syncToken);
  return true;
}

/** QuickBooks keeps a voided invoice with zeroed lines and this note. */
export function isVoided(qbo: Pick<SalesDocument, 'PrivateNote' | 'TotalAmt'>): boolean {
  return qbo.PrivateNote === 'Voided' && Number(qbo.TotalAmt) === 0;
}

/** What a link keeps of the QuickBooks version it was last in step with. */
export function linkValues(qbo: SyncedEntity) {
  return {
    qboId: qbo.Id,
    syncToken: qbo.SyncToken,
    qboUpdatedAt: qbo.MetaData?.LastUpdatedTime ?? null,
  };
}

/** Whether QuickBooks' version is newer than a local record that has no link yet. */
export function newerThanLocal(qbo: Versioned, localUpdatedAt: string): boolean {
  const theirs = updatedAtMs(qbo.MetaData?.LastUpdatedTime);
  const ours = updatedAtMs(localUpdatedAt);
  return theirs === undefined || ours === undefined || theirs > ours;
}
