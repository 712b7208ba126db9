/**
 * npm run migrate: apply pending migrations (also done at start-up), after a backup when the SQLite database
 * already has data. `-- --down` rolls back the last batch.
 */
import '../load-env.js';
import '../private-files.js';
import { backupBeforeMigrations } from '../backup/pre-migrate.js';
import { loadConfigOrExit } from '../config.js';
import { createDb, migrateLatest } from '../db/index.js';

const config = loadConfigOrExit();
if (!process.argv.includes('--down')) {
  const backup = await backupBeforeMigrations(config);
  if (backup) console.log(`Backed up the database before migrating: ${backup.file}`);
}
const db = createDb(config);
try {
  if (process.argv.includes('--down')) {
    const [, rolledBack] = await db.migrate.rollback();
    console.log(rolledBack.length ? `Rolled back: ${rolledBack.join(', ')}` : 'Nothing to roll back.');
  } else {
    const applied = await migrateLatest(db);
    console.log(applied.length ? `Applied: ${applied.join(', ')}` : 'Database is up to date.');
  }
} finally {
  await db.destroy();
}
