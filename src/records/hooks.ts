/**
 * The seam between the records staff keep (customers, estimates, invoices) and the QuickBooks sync.
 * The record modules never import quickbooks/ (sync depends on the domain, not the other way round):
 * instead they call the hooks they are given, and the sync module supplies the real ones.
 */
import type { Transaction } from '../db/transaction.js';

export type RecordType = 'customer' | 'estimate' | 'invoice';

export interface RecordChange {
  type: RecordType;
  id: number;
  action: 'create' | 'update';
}

/**
 * Called inside the same transaction as the change, so the sync's outbox row commits (or rolls back)
 * together with the record itself: a crash can never leave a change without its push, or the reverse.
 */
export type ChangeRecorder = (trx: Transaction, change: RecordChange) => Promise<void>;

export const ignoreChanges: ChangeRecorder = async () => {};

/** What a record's page shows about its QuickBooks link(s). */
export interface LinkSummary {
  realmId: string;
  companyName: string | null;
  qboId: string;
  syncToken: string | null;
  lastSyncedAt: string | null;
  /** True when the link belongs to a company that is not (or no longer) connected: shown, never used. */
  readOnly: boolean;
  /** 'linked' | 'archived' (an earlier company) */
  state: string;
  /** Pending push, if any: 'queued' | 'failed' with the last error */
  pending?: string | null;
  /** Documents: QuickBooks' own TotalAmt and tax in cents, as last pushed or pulled (null: not known). */
  qboTotalCents?: number | null;
  qboTaxCents?: number | null;
  /** The record's page in QuickBooks Online (sandbox, production or the emulator's). */
  openUrl?: string;
}

export type LinkLookup = (type: RecordType, id: number) => Promise<LinkSummary[]>;

/** Where a record stands with QuickBooks, as the lists show it and filter by it (`?quickbooks=`). */
export const SYNC_STATES = ['in-step', 'waiting', 'failed', 'conflict', 'not-syncing'] as const;
export type SyncState = (typeof SYNC_STATES)[number];
export const SYNC_STATE_LABELS: Record<SyncState, string> = {
  'in-step': 'in step',
  waiting: 'waiting',
  failed: 'failed',
  conflict: 'conflict',
  'not-syncing': 'not syncing',
};

export function syncStateOf(value: unknown): SyncState | undefined {
  return SYNC_STATES.find((s) => s === value);
}

/** A condition on the list query's id column (`idColumn`), given by the sync: raw SQL and its bindings. */
export interface SyncCondition {
  sql: string;
  bindings: (string | number)[];
}

/** The states of a page of records, and the condition that keeps only records in one state. */
export interface SyncStates {
  of(type: RecordType, ids: number[]): Promise<Map<number, SyncState>>;
  only(type: RecordType, state: SyncState, idColumn: string): Promise<SyncCondition>;
}

export const noLinks: LinkLookup = async () => [];

/**
 * What the line editor offers for lines of the connected accounting company: its active items and tax
 * codes, how it taxes, and the defaults lines fall back on. Undefined when no company is connected.
 */
export interface LineChoices {
  taxMode: 'none' | 'automated' | 'per-line';
  items: { id: string; name: string }[];
  taxCodes: { id: string; name: string }[];
  defaultItemName: string | null;
  defaultTaxCodeId: string | null;
}

export type LineChoicesLookup = () => Promise<LineChoices | undefined>;

export interface RecordHooks {
  recordChange: ChangeRecorder;
  linksFor: LinkLookup;
  /** Optional: without it the line editor shows no item or tax choices. */
  lineChoices?: LineChoicesLookup;
  /** Optional: without it the lists have no QuickBooks column or filter. */
  syncStates?: SyncStates;
}
