/**
 * How many failed sign-ins are allowed, and how long a budget waits once it is spent. Pure policy; the
 * counting lives in login-attempts-repository.ts.
 *
 * Three budgets are charged for every attempt, whether the account exists or not (the answer and its
 * timing must not tell who has an account):
 *   pair     one account from one client address: the lock-out a password guesser meets first.
 *   client   one client address across every account: stops spraying many emails.
 *   account  one account from every address: slows guessing spread over many addresses. Kept short
 *            (at most a minute) so a stranger cannot keep an admin locked out: their own address runs
 *            out of its pair and client budgets long before, and a refused attempt is not counted.
 * A spent budget waits base × 2^(failures − free), up to cap: an exponential delay, not a wall.
 */
import { createHash } from 'node:crypto';
import { normaliseEmail } from './users-repository.js';

export interface Budget {
  /** Failures allowed before the first wait. */
  free: number;
  baseMs: number;
  capMs: number;
  /** A budget with no failure for this long starts again from zero. */
  forgetMs: number;
}

const MINUTE = 60_000;

export const BUDGETS = {
  pair: { free: 5, baseMs: MINUTE, capMs: 15 * MINUTE, forgetMs: 24 * 60 * MINUTE },
  client: { free: 30, baseMs: MINUTE, capMs: 15 * MINUTE, forgetMs: 60 * MINUTE },
  account: { free: 20, baseMs: 5_000, capMs: MINUTE, forgetMs: 60 * MINUTE },
} satisfies Record<string, Budget>;

export interface BudgetKey {
  key: string;
  budget: Budget;
}

function digest(text: string): string {
  return createHash('sha256').update(text).digest('base64url').slice(0, 32);
}

/** The budgets one attempt charges. The email is hashed: the table never holds addresses. */
export function budgetKeysFor(email: string, clientAddress: string): BudgetKey[] {
  const account = digest(normaliseEmail(email));
  return [
    { key: `account:${account}`, budget: BUDGETS.account },
    { key: `client:${clientAddress.slice(0, 64)}`, budget: BUDGETS.client },
    { key: `pair:${digest(`${account}|${clientAddress}`)}`, budget: BUDGETS.pair },
  ];
}

/** How long a budget waits after its nth failure (0 while failures remain). */
export function waitAfter(failures: number, budget: Budget): number {
  if (failures < budget.free) return 0;
  return Math.min(budget.capMs, budget.baseMs * 2 ** Math.min(failures - budget.free, 20));
}
