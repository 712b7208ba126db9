import type { Knex } from 'knex';
import { dialectOf, nowIso } from '../db/index.js';
import { isUniqueViolation } from '../records/unique-violation.js';

export type Role = 'admin' | 'staff';

export interface User {
  id: number;
  email: string;
  role: Role;
  passwordHash: string;
  failedAttempts: number;
  lockedUntil: string | null;
  /** A deactivated user cannot sign in, and their sessions end at their next request. */
  active: boolean;
  /** Sessions signed in before this time have ended (password change, reset, deactivation). */
  sessionsValidAfter: string | null;
  createdAt: string;
}

interface UserRow {
  id: number;
  email: string;
  role: Role;
  password_hash: string;
  failed_attempts: number;
  locked_until: string | null;
  active: boolean | number;
  sessions_valid_after: string | null;
  created_at: string;
}

function toUser(row: UserRow): User {
  return {
    id: Number(row.id),
    email: row.email,
    role: row.role,
    passwordHash: row.password_hash,
    failedAttempts: Number(row.failed_attempts),
    lockedUntil: row.locked_until,
    // SQLite stores booleans as 0/1.
    active: Boolean(row.active),
    sessionsValidAfter: row.sessions_valid_after,
    createdAt: row.created_at,
  };
}

class FirstUserExists extends Error {}

/** The change would leave no active admin: refused, so nobody can lock every admin out. */
export class LastAdminError extends Error {}

export function normaliseEmail(email: string): string {
  return email.trim().toLowerCase();
}

export class UsersRepository {
  constructor(private readonly db: Knex) {}

  async count(trx: Knex = this.db): Promise<number> {
    const row = await trx('users').count<{ n: number | string }[]>({ n: '*' }).first();
    return Number(row?.n ?? 0);
  }

  async findByEmail(email: string, trx: Knex = this.db): Promise<User | undefined> {
    const row = await trx<UserRow>('users')
      .where({ email: normaliseEmail(email) })
      .first();
    return row ? toUser(row) : undefined;
  }

  async findById(id: number, trx: Knex = this.db): Promise<User | undefined> {
    const row = await trx<UserRow>('users').where({ id }).first();
    return row ? toUser(row) : undefined;
  }

  async create(
    input: { email: string; passwordHash: string; role: Role },
    trx: Knex = this.db,
  ): Promise<User> {
    const now = nowIso();
    const [row] = await trx('users')
      .insert({
        email: normaliseEmail(input.email),
        password_hash: input.passwordHash,
        role: input.role,
        failed_attempts: 0,
        locked_until: null,
        created_at: now,
        updated_at: now,
      })
      .returning('*');
    return toUser(row as UserRow);
  }

  /**
   * The first user, created only while there is none: the claim row's primary key lets exactly one of
   * any number of parallel requests (or instances) through; the others get undefined. The claim and
   * the user commit together, so a failed insert leaves setup open.
   */
  async createFirst(input: { email: string; passwordHash: string; role: Role }): Promise<User | undefined> {
    try {
      return await this.db.transaction(async (trx) => {
        await trx('first_run_claims').insert({ name: 'first-admin', claimed_at: nowIso() });
        if ((await this.count(trx)) > 0) throw new FirstUserExists();
        return this.create(input, trx);
      });
    } catch (err) {
      if (err instanceof FirstUserExists || isUniqueViolation(err)) return undefined;
      throw err;
    }
  }

  /** Everyone, admins first, then by email. */
  async list(): Promise<User[]> {
    const rows = await this.db<UserRow>('users').orderBy([
      { column: 'active', order: 'desc' },
      { column: 'role', order: 'asc' },
      { column: 'email', order: 'asc' },
    ]);
    return rows.map(toUser);
  }

  /**
   * Sets a new password and ends every session signed in before `now` (a password change also signs
   * out a session someone else may hold). The caller re-stamps the session it wants to keep.
   */
  async updatePassword(
    id: number,
    passwordHash: string,
    now = new Date(),
    trx: Knex = this.db,
  ): Promise<void> {
    await trx('users')
      .where({ id })
      .update({
        password_hash: passwordHash,
        failed_attempts: 0,
        locked_until: null,
        sessions_valid_after: nowIso(now),
        updated_at: nowIso(now),
      });
  }

  /**
   * Changes a role and/or the active flag. Refused with LastAdminError when it would leave no active
   * admin. The check and the write share a transaction with the admin rows locked (PostgreSQL; SQLite
   * has one writer at a time), so two admins demoting each other at once cannot both succeed.
   * Deactivating ends the user's sessions.
   */
  async updateAccess(id: number, change: { role?: Role; active?: boolean }, now = new Date()): Promise<User> {
    return this.db.transaction(async (trx) => {
      const admins = trx<UserRow>('users').where({ role: 'admin', active: true }).select('id');
      const activeAdmins = dialectOf(this.db) === 'postgres' ? await admins.forUpdate() : await admins;
      const row = await trx<UserRow>('users').where({ id }).first();
      if (!row) throw new Error(`user ${id} not found`);
      const user = toUser(row);
      const role = change.role ?? user.role;
      const active = change.active ?? user.active;
      const wasActiveAdmin = user.role === 'admin' && user.active;
      if (wasActiveAdmin && !(role === 'admin' && active) && activeAdmins.length <= 1) {
        throw new LastAdminError();
      }
      const update: Record<string, unknown> = { role, active, updated_at: nowIso(now) };
      if (user.active && !active) update.sessions_valid_after = nowIso(now);
      const [updated] = await trx('users').where({ id }).update(update).returning('*');
      return toUser(updated as UserRow);
    });
  }
}
