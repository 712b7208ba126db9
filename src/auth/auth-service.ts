import { AppError, ValidationError } from '../http/errors.js';
import type { LoginAttemptsRepository } from './login-attempts-repository.js';
import { budgetKeysFor } from './login-budgets.js';
import { dummyPasswordHash, hashPassword, verifyPassword } from './passwords.js';
import { normaliseEmail, type Role, type User, type UsersRepository } from './users-repository.js';

export const MIN_PASSWORD_LENGTH = 12;

/** One answer for every refused attempt while a budget waits, whether the account exists or not. */
export class TooManyAttemptsError extends AppError {
  readonly retryAfterSeconds: number;
  constructor(until: Date, now: Date) {
    const seconds = Math.max(1, Math.ceil((until.getTime() - now.getTime()) / 1000));
    const minutes = Math.ceil(seconds / 60);
    super(
      `Too many failed sign-in attempts. Wait ${minutes === 1 ? 'a minute' : `${minutes} minutes`} and try again, or ask an admin to set a new password.`,
      { status: 429, code: 'too_many_attempts' },
    );
    this.retryAfterSeconds = seconds;
  }
}

export class InvalidCredentialsError extends AppError {
  constructor() {
    super('That email and password do not match an account.', { status: 401, code: 'invalid_credentials' });
  }
}

export interface AuthServiceDeps {
  users: UsersRepository;
  attempts: LoginAttemptsRepository;
  now?: () => Date;
}

/** The message for a new password that is too short, or undefined when it is long enough. */
export function passwordProblem(password: string): string | undefined {
  if (password.length < MIN_PASSWORD_LENGTH) return `Use at least ${MIN_PASSWORD_LENGTH} characters.`;
  if (password.length > 1024) return 'Use at most 1024 characters.';
  return undefined;
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
  const problem = passwordProblem(password);
  if (problem) fields.password = problem;
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
   * Checks a password. The attempt is charged to its budgets first (login-budgets.ts), atomically, and
   * only then hashed; while a budget waits, the attempt is refused without hashing and without being
   * counted. Unknown emails take the same path (a real scrypt against a dummy hash, the same budgets),
   * so neither the answer nor its timing tells whether an account exists.
   */
  async authenticate(email: string, password: string, clientAddress: string): Promise<User> {
    const now = this.now();
    const keys = budgetKeysFor(email, clientAddress);
    const reservation = await this.deps.attempts.reserve(keys, now);
    if (!reservation.allowed) throw new TooManyAttemptsError(reservation.blockedUntil, now);
    const user = await this.deps.users.findByEmail(email);
    const ok = await verifyPassword(password, user?.passwordHash ?? (await dummyPasswordHash()));
    // A deactivated account gets the same answer as a wrong password (and is charged the same).
    if (!user || !ok || !user.active) {
      if (reservation.blockedUntil) throw new TooManyAttemptsError(reservation.blockedUntil, now);
      throw new InvalidCredentialsError();
    }
    const [account, client, pair] = keys.map((k) => k.key);
    await this.deps.attempts.succeeded([account, pair], client);
    return user;
  }

  /** The first admin through /admin/setup: undefined when someone else was first (a parallel request). */
  async createFirstAdmin(input: { email?: string; password?: string }): Promise<User | undefined> {
    const valid = validateNewUser({ ...input, role: 'admin' });
    return this.deps.users.createFirst({
      email: valid.email,
      role: 'admin',
      passwordHash: await hashPassword(valid.password),
    });
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
