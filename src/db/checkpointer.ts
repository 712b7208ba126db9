/**
 * WAL checkpoints off the event loop (SQLite). By default SQLite checkpoints inside whichever commit pushes
 * the WAL past 1,000 pages: that commit copies the pages into the database file and fsyncs it, on the
 * thread that committed, i.e. the app's only event loop, stalling every request for tens to hundreds of
 * milliseconds on this machine's disk (it was most of the webhook receiver's p99). Here a worker thread
 * with its own connection runs PASSIVE checkpoints every `intervalMs`: PASSIVE never waits for nor blocks
 * the app's writers, and a commit no longer checkpoints (wal_autocheckpoint = 0 on the app's connection).
 *
 * Durability is unchanged: a commit is in the WAL either way (synchronous = NORMAL), and the checkpoint
 * syncs the WAL before it copies and syncs the database file, whichever thread runs it.
 */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

const SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.filename);
const checkpoint = () => {
  try {
    db.pragma('wal_checkpoint(PASSIVE)');
  } catch {
    // SQLITE_BUSY (another checkpoint running) or a closed file: the next tick tries again.
  }
};
const timer = setInterval(checkpoint, workerData.intervalMs);
parentPort.once('message', () => {
  clearInterval(timer);
  checkpoint();
  db.close();
  parentPort.close();
});
`;

export interface Checkpointer {
  stop(): void;
}

/** Starts the checkpointer for `filename`; `onError` is told if the thread fails (the caller falls back). */
export function startCheckpointer(
  filename: string,
  onError: (err: Error) => void,
  intervalMs = 250,
): Checkpointer {
  const driver = createRequire(import.meta.url).resolve('better-sqlite3');
  const worker = new Worker(SOURCE, { eval: true, workerData: { filename, driver, intervalMs } });
  worker.unref();
  worker.on('error', onError);
  return {
    stop() {
      worker.postMessage('stop');
    },
  };
}
