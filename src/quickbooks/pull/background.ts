/** The pull's background work, started and stopped with the app: inbox worker, CDC sweep, inbox retention. */
import type { CdcSweep } from './cdc-sweep.js';
import type { InboxRetention } from './inbox-retention.js';
import type { InboundWorker } from './worker.js';

/** How long after start a daily sweep that fell due while no process was running is made up. */
const CATCH_UP_DELAY_MS = 5_000;

export class PullBackground {
  private started = false;

  constructor(private readonly deps: { worker: InboundWorker; cdc: CdcSweep; retention: InboxRetention }) {}

  start(): void {
    this.started = true;
    this.deps.worker.start();
    this.deps.cdc.start();
    setTimeout(() => void (this.started && this.deps.cdc.runIfDue()), CATCH_UP_DELAY_MS).unref();
    this.deps.retention.start();
  }

  async stop(): Promise<void> {
    this.started = false;
    this.deps.retention.stop();
    await this.deps.worker.stop();
    await this.deps.cdc.stop();
  }
}
