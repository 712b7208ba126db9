import type { Knex } from 'knex';
import { nowIso } from '../db/index.js';
import { isUniqueViolation } from '../records/unique-violation.js';

export type Role = 'admin' | 'staff';

export interface User {
  id: number;
  email: string;
  role: Role;
  passwordHash: string;
  failedAttempts: number;
  lockedUntil: string | null;
  createdAt: string;
}

interface UserRow {
  id: number;
  email: string;
  role: Role;
  password_hash: string;
  failed_attempts: number;
  locked_until: string | null;
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
    createdAt: row.created_at,
  };
}

class FirstUserExists extends Error {}

export function normaliseEmail(email: string): string {
  return email.trim().toLowerCase();
}

export class UsersRepository {
  constructor(private readonly db: Knex) {}

  async count(): Promise<number> {
    const row = await this.db('users').count<{ n: number | string }[]>({ n: '*' }).first();
    return Number(row?.n ?? 0);
  }

  async findByEmail(email: string): Promise<User | undefined> {
    const row = await this.db<UserRow>('users')
      .where({ email: normaliseEmail(email) })
      .first();
    return row ? toUser(row) : undefined;
  }

  async findById(id: number): Promise<User | undefined> {
    const row = await this.db<UserRow>('users').where({ id }).first();
    return row ? toUser(row) : undefined;
  }

  async create(input: { email: string; passwordHash: string; role: Role }): Promise<User> {
    const now = nowIso();
    const [row] = await this.db('users')
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
        const users = new UsersRepository(trx);
        if ((await users.count()) > 0) throw new FirstUserExists();
        return users.create(input);
      });
    } catch (err) {
      if (err instanceof FirstUserExists || isUniqueViolation(err)) return undefined;
      throw err;
    }
  }

  async updatePassword(id: number, passwordHash: string): Promise<void> {
    await this.db('users')
      .where({ id })
      .update({ password_hash: passwordHash, failed_attempts: 0, locked_until: null, updated_at: nowIso() });
  }
}
