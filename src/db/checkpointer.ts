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
  try {
    db.close();
  } catch {
    // The file is gone already (a test's directory removed): nothing left to close.
  }
  parentPort.close();
});
`;

export interface Checkpointer {
  /** Asks the thread to checkpoint once more and close; resolves when the thread has exited. */
  stop(): Promise<void>;
}

/**
 * Threads asked to stop and not yet gone. A process must not exit while one is inside SQLite: Node tears the
 * thread down mid-call and better-sqlite3 aborts the whole process (FATAL ERROR … ToLocalChecked), so
 * createDb's destroy waits for them (checkpointersStopped).
 */
const stopping = new Set<Promise<void>>();

export function checkpointersStopped(): Promise<void> {
  return Promise.all([...stopping]).then(() => undefined);
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
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  let stopped: Promise<void> | undefined;
  return {
    stop() {
      if (!stopped) {
        // Held open until the thread is gone: otherwise a process with nothing else to do exits first
        // (a CLI's top-level await on db.destroy() then ends with code 13, "unsettled").
        worker.ref();
        worker.postMessage('stop');
        stopped = exited.finally(() => stopping.delete(stopped!));
        stopping.add(stopped);
      }
      return stopped;
    },
  };
}
