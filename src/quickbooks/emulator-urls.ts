/**
 * Where the local Intuit emulator is, seen from the browser and from the app, when
 * INTUIT_ENVIRONMENT=emulator: INTUIT_EMULATOR_URL when one already runs, else the in-process one on
 * EMULATOR_PORT (src/server.ts starts it).
 */
import type { Config } from '../config.js';

export function emulatorUrlsFor(config: Config): { browserUrl: string; serverUrl: string } {
  if (config.intuit.emulatorUrl)
    return { browserUrl: config.intuit.emulatorUrl, serverUrl: config.intuit.emulatorUrl };
  const host = new URL(config.appBaseUrl).hostname;
  const port = config.intuit.emulatorPort;
  // The app itself talks to the emulator over IPv4 loopback; the browser uses the app's host name.
  return { browserUrl: `http://${host}:${port}`, serverUrl: `http://127.0.0.1:${port}` };
}
