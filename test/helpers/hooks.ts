/** Root hooks: clean up what the run created (temporary SQLite files, PostgreSQL databases). */
import { removeTestRoot } from './db.js';
import { dropAllPostgresDatabases } from './pg.js';

export const mochaHooks = {
  async afterAll() {
    await dropAllPostgresDatabases();
    removeTestRoot();
  },
};
