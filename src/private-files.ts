/**
 * Every file this process creates is readable by its owner only (umask 077): the SQLite database and its
 * -wal/-shm (session ids, password hashes, encrypted tokens), generated secrets, backups. Imported first
 * by the server and the commands, next to load-env. createDb also tightens database files that already
 * exist (db/index.ts), since an umask only governs new files.
 */
process.umask(0o077);
