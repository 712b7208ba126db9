import type { Knex } from 'knex';
import { nowIso } from '../db/index.js';

export type AuditAction =
  | 'quickbooks.connected'
  | 'quickbooks.reconnected'
  | 'quickbooks.company_switched'
  | 'quickbooks.switch_cancelled'
  | 'quickbooks.refreshed'
  | 'quickbooks.revocation_detected'
  | 'quickbooks.disconnected'
  | 'quickbooks.disconnect_unverified'
  | 'quickbooks.connect_failed'
  | 'quickbooks.data_deletion_requested'
  | 'quickbooks.data_deleted'
  | 'user.invited'
  | 'user.invitation_accepted'
  | 'user.role_changed'
  | 'user.deactivated'
  | 'user.reactivated'
  | 'user.password_changed'
  | 'user.password_reset_issued'
  | 'user.password_reset';

export interface AuditEntry {
  id: number;
  at: string;
  action: AuditAction;
  actorUserId: number | null;
  actorEmail: string | null;
  realmId: string | null;
  intuitTid: string | null;
  summary: string;
  details: Record<string, unknown> | null;
}

export interface NewAuditEntry {
  action: AuditAction;
  summary: string;
  actor?: { id: number; email: string } | null;
  realmId?: string | null;
  intuitTid?: string | null;
  details?: Record<string, unknown>;
}

interface AuditRow {
  id: number;
  at: string;
  action: AuditAction;
  actor_user_id: number | null;
  actor_email: string | null;
  realm_id: string | null;
  intuit_tid: string | null;
  summary: string;
  details: string | null;
}

function toAuditEntry(row: AuditRow): AuditEntry {
  return {
    id: Number(row.id),
    at: row.at,
    action: row.action,
    actorUserId: row.actor_user_id === null ? null : Number(row.actor_user_id),
    actorEmail: row.actor_email,
    realmId: row.realm_id,
    intuitTid: row.intuit_tid,
    summary: row.summary,
    details: row.details ? (JSON.parse(row.details) as Record<string, unknown>) : null,
  };
}

/** The audit log: append-only; a data-deletion purge never touches it (its receipt lives here). */
export class AuditRepository {
  constructor(private readonly db: Knex) {}

  async record(entry: NewAuditEntry, trx: Knex = this.db): Promise<AuditEntry> {
    const [row] = await trx('audit_log')
      .insert({
        at: nowIso(),
        action: entry.action,
        actor_user_id: entry.actor?.id ?? null,
        actor_email: entry.actor?.email ?? null,
        realm_id: entry.realmId ?? null,
        intuit_tid: entry.intuitTid ?? null,
        summary: entry.summary,
        details: entry.details ? JSON.stringify(entry.details) : null,
      })
      .returning('*');
    return toAuditEntry(row as AuditRow);
  }

  async list(options: { limit?: number; beforeId?: number; action?: string } = {}): Promise<AuditEntry[]> {
    const q = this.db<AuditRow>('audit_log')
      .orderBy('id', 'desc')
      .limit(options.limit ?? 50);
    if (options.beforeId) q.where('id', '<', options.beforeId);
    if (options.action) q.where('action', options.action);
    return (await q).map(toAuditEntry);
  }

  /** Whether anything was ever recorded about the company (it was connected once, at least). */
  async mentions(realmId: string): Promise<boolean> {
    return Boolean(await this.db('audit_log').where({ realm_id: realmId }).first('id'));
  }

  async find(id: number): Promise<AuditEntry | undefined> {
    const row = await this.db<AuditRow>('audit_log').where({ id }).first();
    return row ? toAuditEntry(row) : undefined;
  }
}
