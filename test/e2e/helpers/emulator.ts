/**
 * The local Intuit emulator as a side service of a journey's server (see server.ts `services`): started on a
 * random loopback port once the app's address is known, with the app registered exactly as it would be at
 * Intuit (redirect URI, Disconnect URL, webhook URL), and handed to the app as INTUIT_EMULATOR_URL. The
 * browser visits its consent and My Apps pages; the journey reads its control API (ledger) for assertions.
 */
import { type RunningEmulator, startEmulator } from '../../../src/emulator/index.js';
import type { SideServiceStarter } from './server.js';

export const REALM_A = '9130350000000001';
export const COMPANY_A = 'Heavy AV Demo Productions';
export const REALM_B = '9130350000000002';
export const COMPANY_B = 'Blue Stage Rentals Ltd';
export const REALM_EMPTY = '9130350000000003';
export const COMPANY_EMPTY = 'Empty Test Co';

export interface LedgerEntry {
  time: string;
  method: string;
  path: string;
  realmId: string | null;
  status: number;
}

export const REVOKE_PATH = '/v2/oauth2/tokens/revoke';

export class IntuitEmulator {
  private running: RunningEmulator | undefined;

  /** Pass to startServer({ services: [emulator.service] }). */
  readonly service: SideServiceStarter = async ({ host, baseUrl }) => {
    const running = await startEmulator({
      port: 0,
      host,
      publicHostname: host,
      redirectUris: [`${baseUrl}/admin/settings/quickbooks/callback`],
      disconnectUrl: `${baseUrl}/quickbooks/disconnect`,
      webhookUrl: `${baseUrl}/webhooks/quickbooks`,
    });
    this.running = running;
    return {
      env: { INTUIT_EMULATOR_URL: running.url },
      close: async () => {
        await running.close();
        if (this.running === running) this.running = undefined;
      },
    };
  };

  get url(): string {
    if (!this.running) throw new Error('the emulator is not running: pass emulator.service to startServer');
    return this.running.url;
  }

  /** A call to the control API (`/__emulator/…`); answers the parsed JSON body. */
  async control<T = unknown>(method: string, path: string, body?: unknown): Promise<T> {
    const res = await fetch(`${this.url}/__emulator${path}`, {
      method,
      headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`emulator control ${method} ${path}: ${res.status} ${text}`);
    return (text ? JSON.parse(text) : null) as T;
  }

  ledger(): Promise<LedgerEntry[]> {
    return this.control<LedgerEntry[]>('GET', '/ledger');
  }

  /** Revoke calls that reached the emulator (from Heavy AV's server). */
  async revokes(): Promise<LedgerEntry[]> {
    return (await this.ledger()).filter((e) => e.method === 'POST' && e.path === REVOKE_PATH);
  }
}
