/**
 * The proof that a QuickBooks document is Heavy AV's own: a line Heavy AV writes into PrivateNote (the
 * "private note" QuickBooks never prints) when it creates the document, naming the record and this
 * installation. A document is linked to a record without an admin only when this line names that very
 * record of this very installation: a matching DocNumber proves nothing (QuickBooks and Heavy AV both
 * start at 1001). See docs/decisions/009-linking-with-proof.md.
 */
import type { RecordType } from '../../records/hooks.js';

export interface Marker {
  recordType: Exclude<RecordType, 'customer'>;
  recordId: number;
  installationId: string;
}

/** "Created by Heavy AV · invoice #42 · 5f0c…": short enough for PrivateNote (4,000 characters). */
export function markerText(m: Marker): string {
  return `Created by Heavy AV · ${m.recordType} #${m.recordId} · ${m.installationId}`;
}

const MARKER = /Created by Heavy AV · (estimate|invoice) #(\d+) · ([A-Za-z0-9-]+)/;

/** The marker in a PrivateNote (someone may have written around it), or undefined. */
export function markerIn(privateNote: string | undefined | null): Marker | undefined {
  const m = privateNote ? MARKER.exec(privateNote) : null;
  if (!m) return undefined;
  return { recordType: m[1] as Marker['recordType'], recordId: Number(m[2]), installationId: m[3] };
}

/** True when the note proves the document was created by this installation for that record. */
export function provesOwnership(privateNote: string | undefined | null, expected: Marker): boolean {
  const m = markerIn(privateNote);
  return (
    m !== undefined &&
    m.recordType === expected.recordType &&
    m.recordId === expected.recordId &&
    m.installationId === expected.installationId
  );
}
