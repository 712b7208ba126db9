/**
 * One object of a CDC answer, applied through the same dispatch table as the webhook worker and written
 * to the history when it changed something or failed (the many "already in step" objects are only counted).
 */
import { errorCodeOf, isDisconnected } from '../intuit/errors.js';
import { parseEntity } from '../intuit/parse.js';
import type { Changed, SyncedName } from '../intuit/types.js';
import type { SyncEventsRepository } from '../sync/events-repository.js';
import { dispatch } from './dispatch.js';
import type { InboundSync } from './inbound-sync.js';

export interface SweepResult {
  realmId: string;
  applied: number;
  skipped: number;
  failed: number;
  requests: number;
  changedSince: string;
  watermark: string;
}

/** Applies one changed object; counts it in `result`. Only a lost connection ends the sweep. */
export async function applyChange(
  deps: { sync: InboundSync; events: SyncEventsRepository },
  at: { realmId: string; entity: SyncedName; runId: number },
  change: Changed,
  result: SweepResult,
): Promise<void> {
  const { realmId, entity, runId } = at;
  const operation = change.deleted ? 'Delete' : 'Update';
  const event = { runId, realmId, direction: 'pull' as const, entity: entity.toLowerCase() };
  try {
    const outcome = await dispatch(deps.sync, {
      realmId,
      entity,
      operation,
      entityId: change.id,
      // The CDC answer holds the entity already; the handler asks for its own type (the same one).
      load: async (name) =>
        change.deleted || name !== entity ? undefined : parseEntity(name, change.entity),
    });
    // The history records what changed; the many "already in step" objects of a sweep are only counted.
    if (outcome.result !== 'ok') {
      result.skipped++;
      // A conflict is news for the history (and the record's page), unlike an object already in step.
      if (outcome.result === 'conflict') {
        const { localId = null, qboId } = outcome;
        await deps.events.record({
          ...event,
          localId,
          qboId,
          operation: outcome.operation,
          result: 'conflict',
          errorMessage: outcome.note ?? null,
        });
      }
      return;
    }
    result.applied++;
    const { localId = null, qboId } = outcome;
    await deps.events.record({ ...event, localId, qboId, operation: outcome.operation, result: 'ok' });
  } catch (err) {
    // A company that is no longer connected ends the sweep; anything else is one object's problem.
    if (isDisconnected(err)) throw err;
    result.failed++;
    await deps.events.record({
      ...event,
      qboId: change.id,
      operation: operation.toLowerCase(),
      result: 'failed',
      errorCode: (errorCodeOf(err) ?? 'error').slice(0, 32),
      errorMessage: err instanceof Error ? err.message : String(err),
    });
  }
}
