/**
 * npm run restore -- FILE: replaces the SQLite database with a backup, verified first. Refuses while a server
 * uses the database; keeps the current database aside (`<file>.before-restore-<time>`); applies pending
 * migrations, so the next start serves the restored data. On PostgreSQL it explains pg_restore instead.
 * Exit codes (sysexits): 0 restored (or PostgreSQL: explained), 64 usage, 65 the file failed verification
 * (nothing changed), 75 a server is using the database (nothing changed), 78 bad configuration.
 */
import '../load-env.js';
import '../private-files.js';
import { DatabaseInUseError, restoreSqlite } from '../backup/restore.js';
import { BackupVerificationError } from '../backup/verify.js';
import { loadConfigOrExit } from '../config.js';

const USAGE =
  'Usage: npm run restore -- FILE   (a backup written by npm run backup, e.g. data/backups/heavy-av-…)';

const args = process.argv.slice(2).filter((a) => a !== '--');
if (args.length !== 1 || args[0].startsWith('-')) {
  console.error(USAGE);
  process.exit(64);
}
const config = loadConfigOrExit();
if (!config.databaseUrl.startsWith('sqlite:')) {
  console.log(
    'DATABASE_URL points at PostgreSQL: nothing was restored. Stop the instances, then restore a pg_dump ' +
      'file into an empty database with\n\n  pg_restore --no-owner --exit-on-error --dbname="$DATABASE_URL" FILE\n\n' +
      'and start Heavy AV (it applies pending migrations). See docs/postgresql.md ("Backups").',
  );
  process.exit(0);
}
try {
  const result = await restoreSqlite(args[0], config.databaseUrl);
  const rows = Object.values(result.counts).reduce((a, b) => a + b, 0);
  console.log(`Restored ${args[0]} into ${result.target} (verified: integrity ok, ${rows} rows).`);
  console.log(
    result.keptAside
      ? `The database it replaced is kept at ${result.keptAside}.`
      : 'There was no database there before.',
  );
  console.log(
    result.migrated.length ? `Migrations applied: ${result.migrated.join(', ')}.` : 'Migrations: up to date.',
  );
  console.log('Start the server (npm start, or systemctl start heavy-av) to serve it.');
} catch (err) {
  if (err instanceof BackupVerificationError) {
    console.error(`Not restored, nothing changed: ${err.message}`);
    process.exitCode = 65;
  } else if (err instanceof DatabaseInUseError) {
    console.error(`Not restored, nothing changed: ${err.message}`);
    process.exitCode = 75;
  } else throw err;
}
