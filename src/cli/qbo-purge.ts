/**
 * npm run qbo:purge -- --request ID
 *
 * Processes a QuickBooks data-deletion request from the command line, exactly as the admin page does (same
 * service, one transaction, receipt in the audit log) and prints the receipt. Sends nothing to Intuit.
 * Exit codes (sysexits): 0 done (or already done: the first receipt is printed again), 64 usage,
 * 65 no such request, or refused because a company is still connected.
 */
import '../load-env.js';
import '../private-files.js';
import { parseArgs } from 'node:util';
import { loadConfigOrExit } from '../config.js';
import { createDb, migrateLatest } from '../db/index.js';
import { CACHED_KINDS } from '../quickbooks/data-deletion/cached-data-repository.js';
import { createDataDeletionService } from '../quickbooks/data-deletion/index.js';
import {
  CompanyConnectedError,
  DeletionRequestNotFoundError,
  type ProcessOutcome,
} from '../quickbooks/data-deletion/service.js';

const USAGE = 'Usage: npm run qbo:purge -- --request ID';

function parse(): number | undefined {
  try {
    const { values } = parseArgs({ options: { request: { type: 'string' } } });
    return values.request && /^\d{1,15}$/.test(values.request) ? Number(values.request) : undefined;
  } catch {
    return undefined;
  }
}

function print(outcome: ProcessOutcome): void {
  const r = outcome.receipt;
  console.log(
    outcome.alreadyProcessed
      ? `Request #${r.requestId} was already processed; nothing was deleted this time. Its receipt:`
      : `Processed deletion request #${r.requestId}.`,
  );
  console.log(`Receipt: audit entry #${r.receiptId}, ${r.processedAt}, by ${r.processedBy}`);
  for (const kind of CACHED_KINDS) console.log(`  ${kind.label}: ${r.deleted[kind.key]}`);
  console.log(`Kept: ${r.kept.join(', ')}.`);
  console.log(JSON.stringify(r));
}

const requestId = parse();
if (requestId === undefined) {
  console.error(USAGE);
  process.exit(64);
}
const config = loadConfigOrExit();
const db = createDb(config);
try {
  await migrateLatest(db);
  print(await createDataDeletionService(db).process(requestId, { label: 'operator (command line)' }));
} catch (err) {
  if (err instanceof DeletionRequestNotFoundError || err instanceof CompanyConnectedError) {
    console.error(err.message);
    process.exitCode = 65;
  } else throw err;
} finally {
  await db.destroy();
}
