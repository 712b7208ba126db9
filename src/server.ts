/**
 * Boot: load config, migrate, serve; shut down cleanly on SIGTERM/SIGINT (stop accepting, let requests
 * finish, stop background work, close the database).
 */
import type { Server } from 'node:http';
import { ConfigError, loadConfig } from './config.js';
import { createContainer } from './container.js';
import { createLogger } from './logger.js';

async function main(): Promise<void> {
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(`Configuration error: ${err.message}`);
      process.exit(78); // EX_CONFIG
    }
    throw err;
  }
  const logger = createLogger(config.logLevel);
  for (const warning of config.warnings) logger.warn(warning);
  const container = await createContainer(config, logger);

  const server: Server = container.app.listen(config.port, config.host, () => {
    logger.info(
      { url: config.appBaseUrl, host: config.host, port: config.port },
      `Heavy AV is serving ${config.appBaseUrl}`,
    );
    if (container.setupCode.value) {
      // Printed on purpose: whoever can read the server log can create the first admin.
      logger.warn(
        `No user exists yet. Open ${config.appBaseUrl}/admin/setup — Setup code: ${container.setupCode.value}`,
      );
    }
  });
  server.on('error', (err) => {
    logger.fatal({ err }, 'could not listen');
    process.exit(1);
  });

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    const force = setTimeout(() => {
      logger.warn('requests did not finish in 10 s; closing anyway');
      server.closeAllConnections();
    }, 10_000).unref();
    server.close(async () => {
      clearTimeout(force);
      await container.close();
      logger.info('stopped');
      process.exit(0);
    });
    server.closeIdleConnections();
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

main().catch((err) => {
  console.error(err instanceof Error ? (err.stack ?? err.message) : err);
  process.exit(1);
});
