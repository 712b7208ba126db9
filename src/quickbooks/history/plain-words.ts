/**
 * A history row in plain words ("Pulled from QuickBooks — nothing changed"), shown beside the raw
 * direction, operation and result that the filter, the CSV and support still use.
 */
import { delayReason } from '../connection/status.js';

export function whatHappened(e: {
  direction: string;
  operation: string;
  result: string;
  errorCode?: string | null;
}): string {
  const pull = e.direction === 'pull';
  const side = pull ? 'Pulled from QuickBooks' : 'Sent to QuickBooks';
  switch (e.result) {
    case 'ok':
      if (e.operation === 'link')
        return `${pull ? 'Pulled from QuickBooks' : 'Pushed'} — linked to the QuickBooks record`;
      if (e.operation === 'create') return `${side} — created`;
      if (e.operation === 'delete') return `${side} — deleted`;
      if (e.operation === 'void') return `${side} — voided`;
      return `${side} — updated`;
    case 'skipped':
      return pull
        ? 'Pulled from QuickBooks — nothing changed'
        : 'Not sent — nothing changed since the last push';
    case 'retry':
      // A pull that gave up (its message says when the next one starts), or an event asked again later.
      if (pull && e.operation === 'cdc')
        return `Pull stopped — ${delayReason(e.errorCode ?? '', '')}; Heavy AV pulls again by itself`;
      if (pull) return `Not pulled yet — ${delayReason(e.errorCode ?? '', '')}; tried again later`;
      return e.errorCode === 'quickbooks_throttled'
        ? 'Not sent yet — Intuit is limiting us; tried again later'
        : 'Not sent yet — tried again later';
    case 'failed':
      return pull ? 'Pull failed — tried again at the next pull' : 'QuickBooks refused it';
    case 'conflict':
      return 'Held — a conflict for an admin to decide';
    default:
      return `${side} — ${e.result}`;
  }
}
