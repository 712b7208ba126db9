/**
 * Real QuickBooks payloads for the unit tier: byte-exact copies of ../shared/fixtures/qbo (see its
 * SOURCES.md for where each comes from), kept in the project so a clone without shared/ runs the tests.
 */
import { readFileSync } from 'node:fs';

/** A fixture as parsed JSON, e.g. qboFixture('faults/stale-object-5010.exquickbooks.json'). */
export function qboFixture(name: string): any {
  return JSON.parse(readFileSync(new URL(`../fixtures/qbo/${name}`, import.meta.url), 'utf8'));
}
