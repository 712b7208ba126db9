/** "Sync now", first step: prove the connection works by reading CompanyInfo (and keep its name current). */
import type { QboClient } from '../intuit/client.js';
import { QuickBooksNotConnectedError } from '../intuit/errors.js';
import type { Connection } from './connection-types.js';
import type { ConnectionsRepository } from './connections-repository.js';

export class ConnectionCheck {
  constructor(private readonly deps: { connections: ConnectionsRepository; client: QboClient }) {}

  async check(): Promise<Connection> {
    const active = await this.deps.connections.active();
    if (!active) throw new QuickBooksNotConnectedError();
    const info = await this.deps.client.companyInfo(active.realmId);
    await this.deps.connections.markSynced(active.realmId);
    const name = info?.CompanyName;
    if (name && name !== active.companyName) await this.deps.connections.rename(active.realmId, name);
    return (await this.deps.connections.active())!;
  }
}
