/**
 * A real Heavy AV HTTP server for a browser journey: a fresh database, the real container (migrations,
 * sessions in the database, background workers started as src/server.ts does), listening on a loopback port
 * with APP_BASE_URL set to that very address, because the browser, Intuit's redirects and the emulator all
 * need the app's real origin.
 */
import type { Server } from 'node:http';
import net from 'node:net';
import type { Express } from 'express';
import type { Config } from '../../../src/config.js';
import { type Container, type ContainerOptions, createContainer } from '../../../src/container.js';
import { createLogger } from '../../../src/logger.js';
import { testConfig } from '../../helpers/app.js';
import { freshDatabase, type TestDatabase } from '../../helpers/db.js';

const HOST = '127.0.0.1';

/**
 * Extension point: something a journey needs running beside the app (the local Intuit emulator, for the
 * QuickBooks journeys). It starts before the app, once the app's address is known (the emulator registers
 * the app's redirect and disconnect URLs), contributes environment (e.g. INTUIT_EMULATOR_URL) to the app's
 * config, and is closed after the app.
 */
export interface SideService {
  env: Record<string, string>;
  close(): Promise<void>;
}
export type SideServiceStarter = (ctx: { host: string; baseUrl: string }) => Promise<SideService>;

export interface StartServerOptions {
  /** Extra environment for the app's config (SUPPORT_EMAIL, …). */
  env?: Record<string, string>;
  /** Started in order before the app, closed in reverse order after it. */
  services?: SideServiceStarter[];
  /** The container's own options (e.g. a shorter push back-off, so a journey sees a retry happen). */
  container?: ContainerOptions;
}

export interface E2EServer {
  baseUrl: string;
  container: Container;
  config: Config;
  database: TestDatabase;
  close(): Promise<void>;
}

/** Asks the OS for a free loopback port. Another process could take it before we do: see startServer. */
async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.unref();
    probe.once('error', reject);
    probe.listen(0, HOST, () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

function listen(app: Express, port: number): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = app.listen(port, HOST);
    server.once('listening', () => resolve(server));
    server.once('error', reject);
  });
}

function closeServer(server: Server): Promise<void> {
  // Chromium keeps connections alive: without closing them, close() waits for their idle timeout.
  server.closeAllConnections();
  return new Promise((resolve, reject) => server.close((err) => (err ? reject(err) : resolve())));
}

export async function startServer(options: StartServerOptions = {}): Promise<E2EServer> {
  const database = await freshDatabase();
  let services: SideService[] = [];
  const closeServices = async () => {
    for (const service of services.reverse()) await service.close();
    services = [];
  };
  try {
    // The config needs the port (APP_BASE_URL) and so do the side services (the emulator registers the
    // app's callback and disconnect URLs), so the port is chosen first; if someone takes it between the
    // probe and our listen, everything that depends on it starts again with another port.
    for (let attempt = 1; ; attempt++) {
      const port = await freePort();
      const baseUrl = `http://${HOST}:${port}`;
      for (const start of options.services ?? []) services.push(await start({ host: HOST, baseUrl }));
      const serviceEnv = Object.assign({}, ...services.map((s) => s.env));
      const config = testConfig(database.url, {
        HOST,
        PORT: String(port),
        APP_BASE_URL: baseUrl,
        ...serviceEnv,
        ...options.env,
      });
      const container = await createContainer(config, createLogger(config.logLevel), options.container);
      let server: Server;
      try {
        server = await listen(container.app, port);
      } catch (err) {
        await container.close();
        await closeServices();
        if ((err as NodeJS.ErrnoException).code === 'EADDRINUSE' && attempt < 5) continue;
        throw err;
      }
      // Background work as in production (src/server.ts): the push worker sends records to QuickBooks, the
      // webhook inbox worker applies changes made in QuickBooks. container.close() stops them.
      container.start();
      return {
        baseUrl,
        container,
        config,
        database,
        async close() {
          await closeServer(server);
          await container.close();
          await closeServices();
          await database.drop();
        },
      };
    }
  } catch (err) {
    await closeServices();
    await database.drop();
    throw err;
  }
}
