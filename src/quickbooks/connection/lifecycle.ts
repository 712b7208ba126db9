/**
 * What the rest of QuickBooks integration (push worker, webhook inbox, CDC sweep) needs to hear about the
 * connection's life. The connection service calls these; the sync registers its handlers.
 */
export interface ConnectionLifecycle {
  /** A company was connected (or reconnected): resume its queued work, reconcile with a CDC sweep. */
  connected(realmId: string, info: { reconnect: boolean }): Promise<void>;
  /**
   * A company is being disconnected or was found revoked: stop its work now. Must resolve only once no
   * worker will start another call for it.
   */
  stopping(realmId: string): Promise<void>;
  /**
   * Another instance (re)connected the company, or this one saw it connected at start (connection/watch.ts):
   * lift this process's stops. What a connect does once (reconcile, adopt queued work) stays in `connected`.
   */
  resumed(realmId: string): Promise<void>;
  /** The admin confirmed a switch: links of these earlier companies are archived, never used again. */
  archived(realmIds: string[]): Promise<void>;
}

export class LifecycleHub implements ConnectionLifecycle {
  private readonly listeners: Partial<ConnectionLifecycle>[] = [];
  add(listener: Partial<ConnectionLifecycle>): void {
    this.listeners.push(listener);
  }
  async connected(realmId: string, info: { reconnect: boolean }): Promise<void> {
    for (const l of this.listeners) await l.connected?.(realmId, info);
  }
  async stopping(realmId: string): Promise<void> {
    for (const l of this.listeners) await l.stopping?.(realmId);
  }
  async resumed(realmId: string): Promise<void> {
    for (const l of this.listeners) await l.resumed?.(realmId);
  }
  async archived(realmIds: string[]): Promise<void> {
    for (const l of this.listeners) await l.archived?.(realmIds);
  }
}
