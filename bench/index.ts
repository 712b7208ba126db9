/**
 * npm run bench — every benchmark, one after another (each in its own process so none disturbs another),
 * then their summary lines. Figures are ratios against a baseline measured in the same run, because these
 * machines are noisy.
 */
import { spawnSync } from 'node:child_process';

const benches = [
  'bench/sync.ts',
  'bench/import.ts',
  'bench/webhooks.ts',
  'bench/webhook-reads.ts',
  'bench/history.ts',
  'bench/process.ts',
];
const summaries: string[] = [];
let failed = false;
for (const file of benches) {
  console.log(`\n=== ${file}`);
  const run = spawnSync(process.execPath, ['--import', 'tsx', file], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  process.stdout.write(run.stdout);
  if (run.status !== 0) failed = true;
  const last = run.stdout.trim().split('\n').pop();
  if (last) summaries.push(last);
}
console.log('\n=== summary');
for (const line of summaries) console.log(line);
process.exit(failed ? 1 : 0);
