/**
 * Record hooks a test hands to createContainer (startTestApp({ hooks })) instead of patching a live
 * container. They start quiet (nothing recorded, no links); a test says what they do next with
 * `onChange` / `onLinks`, e.g. after arranging its records.
 */
import {
  type ChangeRecorder,
  ignoreChanges,
  type LinkLookup,
  noLinks,
  type RecordHooks,
} from '../../src/records/hooks.js';

export class TestHooks implements RecordHooks {
  private recorder: ChangeRecorder = ignoreChanges;
  private lookup: LinkLookup = noLinks;
  readonly recordChange: ChangeRecorder = (trx, change) => this.recorder(trx, change);
  readonly linksFor: LinkLookup = (type, id) => this.lookup(type, id);

  onChange(recorder: ChangeRecorder): void {
    this.recorder = recorder;
  }

  onLinks(lookup: LinkLookup): void {
    this.lookup = lookup;
  }
}
