/**
 * npm run backup: an online, verified snapshot of the SQLite database under BACKUP_DIR, safe while the
 * server runs. On PostgreSQL it explains pg_dump/pg_restore instead (and changes nothing).
 * Exit codes (sysexits): 0 written and verified (or PostgreSQL: explained), 65 the copy failed its
 * verification (nothing kept), 66 no database file, 78 bad configuration.
 */
import '../load-env.js';
import '../private-files.js';
import { existsSync } from 'node:fs';
import { backupSqlite } from '../backup/snapshot.js';
import { BackupVerificationError } from '../backup/verify.js';
import { loadConfigOrExit } from '../config.js';
import { sqliteFileOf } from '../db/index.js';

export const POSTGRES_BACKUP_HELP = `DATABASE_URL points at PostgreSQL: back it up with PostgreSQL's own tools (they take a
consistent snapshot while Heavy AV runs), for example:

  pg_dump --format=custom --file=heavy-av-$(date -u +%Y-%m-%dT%H-%M-%SZ).dump "$DATABASE_URL"

and restore into an empty database (stop the instances first) with:

  pg_restore --no-owner --exit-on-error --dbname="$DATABASE_URL" heavy-av-….dump

Heavy AV applies any pending migrations when it starts. See docs/postgresql.md ("Backups").`;

const config = loadConfigOrExit();
if (!config.databaseUrl.startsWith('sqlite:')) {
  console.log(POSTGRES_BACKUP_HELP);
  process.exit(0);
}
const sourceFile = sqliteFileOf(config.databaseUrl);
if (!existsSync(sourceFile)) {
  console.error(`No database at ${sourceFile} (DATABASE_URL): nothing to back up.`);
  process.exit(66);
}
try {
  const result = await backupSqlite({
    sourceFile,
    dir: config.backup.dir,
    keepDays: config.backup.keepDays,
    reason: 'manual',
  });
  const rows = Object.values(result.counts).reduce((a, b) => a + b, 0);
  console.log(`Backup written and verified: ${result.file}`);
  console.log(
    `  ${result.bytes} bytes, ${Object.keys(result.counts).length} tables, ${rows} rows (same counts as ` +
      `the database at snapshot time), integrity ok, ${result.ms} ms`,
  );
  for (const file of result.pruned)
    console.log(`  removed (older than ${config.backup.keepDays} days): ${file}`);
  if (!process.env.TOKEN_ENCRYPTION_KEY) {
    console.log(
      `  Note: QuickBooks tokens in it are encrypted with the key in ${config.dataDir}/secrets.json; keep that ` +
        'file (or set TOKEN_ENCRYPTION_KEY) with your backups, or reconnect QuickBooks after a restore.',
    );
  }
} catch (err) {
  if (!(err instanceof BackupVerificationError)) throw err;
  console.error(`Backup failed its verification, nothing was kept: ${err.message}`);
  process.exitCode = 65;
}
