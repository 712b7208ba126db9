import { createHash, randomBytes } from 'node:crypto';
import type { Knex } from 'knex';
import { nowIso } from '../db/index.js';
import type { Role } from './users-repository.js';

export type OneTimeLinkKind = 'invitation' | 'password_reset';

export interface OneTimeLink {
  id: number;
  kind: OneTimeLinkKind;
  email: string;
  role: Role | null;
  userId: number | null;
  createdByUserId: number | null;
  createdAt: string;
  expiresAt: string;
  usedAt: string | null;
}

interface LinkRow {
  id: number;
  kind: OneTimeLinkKind;
  token_hash: string;
  email: string;
  role: Role | null;
  user_id: number | null;
  created_by_user_id: number | null;
  created_at: string;
  expires_at: string;
  used_at: string | null;
}

function toLink(row: LinkRow): OneTimeLink {
  return {
    id: Number(row.id),
    kind: row.kind,
    email: row.email,
    role: row.role,
    userId: row.user_id === null ? null : Number(row.user_id),
    createdByUserId: row.created_by_user_id === null ? null : Number(row.created_by_user_id),
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    usedAt: row.used_at,
  };
}

/** Only the hash is stored: whoever reads the database cannot use a link that is still open. */
export function tokenHash(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/**
 * Invitations and password-reset links: 256 random bits each, stored hashed, used once, expiring.
 * Issuing a new link of a kind for an email retires the open ones, so only the latest link works.
 */
export class OneTimeLinksRepository {
  constructor(private readonly db: Knex) {}

  async issue(input: {
    kind: OneTimeLinkKind;
    email: string;
    role?: Role | null;
    userId?: number | null;
    createdByUserId: number | null;
    now: Date;
    ttlMs: number;
  }): Promise<{ token: string; link: OneTimeLink }> {
    const token = randomBytes(32).toString('base64url');
    const at = nowIso(input.now);
    return this.db.transaction(async (trx) => {
      await trx('one_time_links')
        .where({ kind: input.kind, email: input.email })
        .whereNull('used_at')
        .update({ expires_at: at });
      const [row] = await trx('one_time_links')
        .insert({
          kind: input.kind,
          token_hash: tokenHash(token),
          email: input.email,
          role: input.role ?? null,
          user_id: input.userId ?? null,
          created_by_user_id: input.createdByUserId,
          created_at: at,
          expires_at: new Date(input.now.getTime() + input.ttlMs).toISOString(),
          used_at: null,
        })
        .returning('*');
      return { token, link: toLink(row as LinkRow) };
    });
  }

  /** The open link of that kind with that token, or undefined (unknown, used or expired). */
  async findOpen(kind: OneTimeLinkKind, token: string, now: Date, trx: Knex = this.db) {
    if (!token || token.length > 100) return undefined;
    const row = await trx<LinkRow>('one_time_links')
      .where({ kind, token_hash: tokenHash(token) })
      .whereNull('used_at')
      .where('expires_at', '>', nowIso(now))
      .first();
    return row ? toLink(row) : undefined;
  }

  /**
   * Marks a link used, inside the caller's transaction. False when another request used it first (the
   * update is conditional, so exactly one of two parallel submissions wins).
   */
  async use(id: number, now: Date, trx: Knex): Promise<boolean> {
    const changed = await trx('one_time_links')
      .where({ id })
      .whereNull('used_at')
      .where('expires_at', '>', nowIso(now))
      .update({ used_at: nowIso(now) });
    return Number(changed) === 1;
  }

  /** Invitations not yet accepted nor expired, newest first (for the users page). */
  async openInvitations(now: Date): Promise<OneTimeLink[]> {
    const rows = await this.db<LinkRow>('one_time_links')
      .where({ kind: 'invitation' })
      .whereNull('used_at')
      .where('expires_at', '>', nowIso(now))
      .orderBy('id', 'desc');
    return rows.map(toLink);
  }
}
