/**
 * Boot: load config, back up before migrations that would change data, migrate, serve, mark the database as
 * in use (npm run restore refuses meanwhile), take the daily backup; shut down cleanly on SIGTERM/SIGINT
 * (stop accepting, let requests finish, stop background work, close the database).
 */
import './load-env.js';
import './private-files.js';
import type { Server } from 'node:http';
import { announceSetupCode } from './auth/setup-code.js';
import { backupBeforeMigrations } from './backup/pre-migrate.js';
import { startPresence } from './backup/presence.js';
import { dailyBackups } from './backup/schedule.js';
import { type Config, loadConfigOrExit } from './config.js';
import { createContainer } from './container.js';
import { type RunningEmulator, startEmulator } from './emulator/index.js';
import { createLogger, type Logger, prettyDestination } from './logger.js';
import { emulatorUrlsFor } from './quickbooks/emulator-urls.js';

/**
 * With no Intuit keys (INTUIT_ENVIRONMENT=emulator) and no INTUIT_EMULATOR_URL, the local Intuit emulator
 * runs inside this process, registered with the same settings the app uses.
 */
async function startLocalEmulator(config: Config, logger: Logger): Promise<RunningEmulator> {
  const emulator = await startEmulator({
    port: config.intuit.emulatorPort,
    host: config.host,
    publicHostname: new URL(config.appBaseUrl).hostname,
    clientId: config.intuit.clientId,
    clientSecret: config.intuit.clientSecret,
    verifierToken: config.intuit.webhookVerifierToken,
    redirectUris: [config.intuit.redirectUri],
    disconnectUrl: `${config.appBaseUrl}/quickbooks/disconnect`,
    webhookUrl: `${config.appBaseUrl}/webhooks/quickbooks`,
  });
  logger.warn(
    { emulator: emulator.url },
    `Using the local QuickBooks emulator at ${emulator.url} — not Intuit; its keys are public development defaults and its control API has no authentication. Its "My Apps" page: ${emulator.url}/app/myapps`,
  );
  return emulator;
}

async function main(): Promise<void> {
  const config = loadConfigOrExit();
  const pretty = config.nodeEnv === 'production' ? undefined : prettyDestination();
  const logger = createLogger(config.logLevel, pretty);
  for (const warning of config.warnings) logger.warn(warning);
  let emulator: RunningEmulator | undefined;
  if (config.intuit.environment === 'emulator' && !config.intuit.emulatorUrl) {
    emulator = await startLocalEmulator(config, logger);
  }
  const preMigrate = await backupBeforeMigrations(config).catch((err: Error) => {
    // Migrating without the backup would put the data at risk at exactly the wrong moment: stop instead.
    logger.fatal(
      { err },
      `Could not back up the database before applying migrations (${err.message}). Fix BACKUP_DIR, or back up ` +
        'by hand and run npm run migrate, then start again.',
    );
    process.exit(1);
  });
  if (preMigrate) {
    logger.info(
      { file: preMigrate.file, pending: preMigrate.pending, ms: preMigrate.ms },
      'backed up the database before applying migrations',
    );
  }
  const container = await createContainer(config, logger, {
    quickbooks: emulator ? { emulator: { ...emulatorUrlsFor(config), browserUrl: emulator.url } } : undefined,
  });

  container.start();
  const presence = await startPresence(container.db, logger);
  const backups = dailyBackups(config, container.db, logger);
  backups.start();
  const server: Server = container.app.listen(config.port, config.host, () => {
    logger.info(
      { url: config.appBaseUrl, host: config.host, port: config.port },
      `Heavy AV is serving ${config.appBaseUrl}`,
    );
    if (container.setupCode.value) {
      // Printed on purpose: whoever can read the server log can create the first admin. A JSON log also
      // gets a plain line on stderr (pretty output on a terminal is readable already).
      announceSetupCode(
        logger,
        container.setupCode.value,
        config.appBaseUrl,
        pretty ? undefined : (text) => process.stderr.write(text),
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
      await backups.stop();
      await presence.stop();
      await container.close();
      await emulator?.close();
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
