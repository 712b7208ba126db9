/**
 * The ordered list of migrations. An explicit list (instead of reading the folder) works the same under
 * tsx, in tests and from the CLI, and makes the order a reviewed fact.
 */
import type { Knex } from 'knex';
import * as m001 from './20261128000001_users.js';
import * as m002 from './20261128000002_sessions.js';

interface Migration {
  up(knex: Knex): Promise<void>;
  down(knex: Knex): Promise<void>;
}

const migrations: Record<string, Migration> = {
  '20261128000001_users': m001,
  '20261128000002_sessions': m002,
};

export const migrationSource: Knex.MigrationSource<string> = {
  async getMigrations() {
    return Object.keys(migrations);
  },
  getMigrationName(name) {
    return name;
  },
  async getMigration(name) {
    return migrations[name];
  },
};
