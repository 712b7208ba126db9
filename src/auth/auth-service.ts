import { AppError, ValidationError } from '../http/errors.js';
import { dummyPasswordHash, hashPassword, verifyPassword } from './passwords.js';
import { normaliseEmail, type Role, type User, type UsersRepository } from './users-repository.js';

export const MAX_FAILED_ATTEMPTS = 5;
export const LOCK_MINUTES = 15;
export const MIN_PASSWORD_LENGTH = 12;

export class AccountLockedError extends AppError {
  constructor() {
    super(
      `Too many failed sign-in attempts. This account is locked for ${LOCK_MINUTES} minutes; try again later or ask an admin.`,
      { status: 429, code: 'account_locked' },
    );
  }
}

export class InvalidCredentialsError extends AppError {
  constructor() {
    super('That email and password do not match an account.', { status: 401, code: 'invalid_credentials' });
  }
}

export interface AuthServiceDeps {
  users: UsersRepository;
  now?: () => Date;
}

export function validateNewUser(input: { email?: string; password?: string; role?: string }): {
  email: string;
  password: string;
  role: Role;
} {
  const fields: Record<string, string> = {};
  const email = normaliseEmail(input.email ?? '');
  if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email) || email.length > 254)
    fields.email = 'Enter a valid email address.';
  const password = input.password ?? '';
  if (password.length < MIN_PASSWORD_LENGTH) {
    fields.password = `Use at least ${MIN_PASSWORD_LENGTH} characters.`;
  }
  const role = (input.role ?? 'admin') as Role;
  if (role !== 'admin' && role !== 'staff') fields.role = 'Role must be admin or staff.';
  if (Object.keys(fields).length) throw new ValidationError(fields);
  return { email, password, role };
}

export class AuthService {
  private readonly now: () => Date;
  constructor(private readonly deps: AuthServiceDeps) {
    this.now = deps.now ?? (() => new Date());
  }

  /**
   * Checks a password. A locked account refuses even the right password until the lock expires; the
   * fifth failure in a row sets the lock (so the sixth attempt is refused).
   */
  async authenticate(email: string, password: string): Promise<User> {
    const user = await this.deps.users.findByEmail(email);
    if (!user) {
      await verifyPassword(password, await dummyPasswordHash());
      throw new InvalidCredentialsError();
    }
    const now = this.now();
    if (user.lockedUntil && new Date(user.lockedUntil) > now) throw new AccountLockedError();
    const ok = await verifyPassword(password, user.passwordHash);
    if (!ok) {
      // An expired lock starts a fresh count.
      const previous = user.lockedUntil ? 0 : user.failedAttempts;
      if (user.lockedUntil) await this.deps.users.resetFailures(user.id);
      const lock =
        previous + 1 >= MAX_FAILED_ATTEMPTS
          ? new Date(now.getTime() + LOCK_MINUTES * 60_000).toISOString()
          : null;
      await this.deps.users.recordFailure(user.id, lock);
      if (lock) throw new AccountLockedError();
      throw new InvalidCredentialsError();
    }
    if (user.failedAttempts || user.lockedUntil) await this.deps.users.resetFailures(user.id);
    return user;
  }

  async createUser(input: { email?: string; password?: string; role?: string }): Promise<User> {
    const valid = validateNewUser(input);
    if (await this.deps.users.findByEmail(valid.email)) {
      throw new ValidationError({ email: 'A user with this email already exists.' });
    }
    return this.deps.users.create({
      email: valid.email,
      role: valid.role,
      passwordHash: await hashPassword(valid.password),
    });
  }
}
