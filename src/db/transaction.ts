/**
 * The one way a transaction travels (decision 007): a service opens it with the Transactor it was given,
 * and hands the `trx` to repository methods as their optional last argument (and to hooks.recordChange).
 * Services import these two types, never knex itself.
 */
import type { Knex } from 'knex';

/** An open transaction; repository methods accept it wherever they accept the database. */
export type Transaction = Knex.Transaction;

/** Runs `work` in one transaction: commits when it resolves, rolls back when it throws. */
export type Transactor = <T>(work: (trx: Transaction) => Promise<T>) => Promise<T>;

export function transactor(db: Knex): Transactor {
  return (work) => db.transaction(work);
}
