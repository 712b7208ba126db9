/**
 * Reads ./.env when it exists (Node's own parser; variables already set in the environment win), so an
 * operator can keep settings in a file next to the app. Imported first by the server and the commands.
 */
import { existsSync } from 'node:fs';

if (existsSync('.env')) {
  const before = { ...process.env };
  process.loadEnvFile('.env');
  Object.assign(process.env, before);
}
