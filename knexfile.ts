/**
 * For the knex CLI (`node --import tsx node_modules/knex/bin/cli.js migrate:status`). The app itself
 * migrates at start-up and with `npm run migrate`; both use the same config from src/db.
 */
import { knexConfig } from './src/db/index.js';

export default knexConfig(process.env.DATABASE_URL ?? 'sqlite:./data/heavy-av.sqlite3');
