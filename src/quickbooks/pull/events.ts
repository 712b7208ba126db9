/**
 * Webhook events in both of Intuit's formats, reduced to what the inbox keeps: which company, which entity,
 * which operation, and a key that makes a redelivery a duplicate. Notifications carry ids only; the worker
 * fetches the entity to learn what changed.
 */

export type WebhookFormat = 'classic' | 'cloudevents';

export interface InboundEvent {
  /**
   * What makes a redelivery a duplicate, led by when the change happened: CloudEvents `time|id`; classic
   * `lastUpdated|realm|entity|id|operation` (Intuit sends no id there). See eventKey.
   */
  key: string;
  realmId: string;
  /** 'Customer', 'Estimate', 'Invoice', … as QuickBooks names them. */
  entity: string;
  entityId: string;
  /** 'Create' | 'Update' | 'Delete' | 'Void' | 'Merge' | 'Emailed' | … */
  operation: string;
  occurredAt: string | null;
  format: WebhookFormat;
  /** Merge: the entity that was merged into `entityId`. */
  deletedId?: string;
}

/** The body is JSON but neither format: answered 400 (after the signature proved it is Intuit's). */
export class WebhookBodyError extends Error {}

const KNOWN_ENTITIES: Record<string, string> = {
  customer: 'Customer',
  estimate: 'Estimate',
  invoice: 'Invoice',
};

/** CloudEvents types are past tense: qbo.invoice.voided.v1 → Void. */
const OPERATIONS: Record<string, string> = {
  created: 'Create',
  create: 'Create',
  updated: 'Update',
  update: 'Update',
  deleted: 'Delete',
  delete: 'Delete',
  voided: 'Void',
  void: 'Void',
  merged: 'Merge',
  merge: 'Merge',
  emailed: 'Emailed',
};

const MAX_ID = 32;
const MAX_EVENT_ID = 200;

/**
 * The inbox's dedupe key, led by the occurrence time (normalised to UTC when it parses). A redelivery is
 * the same event, so it carries the same time and the same id and gets the same key; but keys that start
 * with the time arrive in nearly ascending order, so the unique index grows at its right edge instead of
 * touching a random page per event. With random ids first, every acknowledged event dirtied its own index
 * page and the commit wrote them all: 4× the cost of the insert (docs/decisions/006).
 */
function eventKey(prefix: string, time: string | undefined, rest: string): string {
  const key = `${prefix}:${utcTime(time)}|${rest}`;
  return key.length > 255 ? key.slice(0, 255) : key;
}

// Already in toISOString's form (Intuit's usual): kept as is, without a parse and a format per event.
const CANONICAL_UTC = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

function utcTime(time: string | undefined): string {
  if (!time) return '';
  if (CANONICAL_UTC.test(time)) return time;
  const at = Date.parse(time);
  return Number.isNaN(at) ? time.slice(0, 40) : new Date(at).toISOString();
}

/** A NUL byte is no id Intuit sends, and PostgreSQL could not store it: such a value counts as absent. */
function str(value: unknown): string | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (typeof value !== 'string') return undefined;
  // Trimmed once (NUL is not white space, so looking for it in the trimmed value is the same).
  const trimmed = value.trim();
  return trimmed !== '' && !trimmed.includes('\u0000') ? trimmed : undefined;
}

function entityName(raw: string): string {
  return KNOWN_ENTITIES[raw.toLowerCase()] ?? raw.charAt(0).toUpperCase() + raw.slice(1);
}

function operationName(raw: string): string {
  const known = OPERATIONS[raw.toLowerCase()];
  return known ?? (raw.charAt(0).toUpperCase() + raw.slice(1).toLowerCase()).slice(0, 16);
}

/** Ids that fit the inbox columns; anything else is not an event we could act on. */
function fits(...values: (string | undefined)[]): boolean {
  return values.every((v) => v !== undefined && v.length <= MAX_ID);
}

/** Parses a delivery (already JSON-parsed). Throws WebhookBodyError when it is neither format. */
export function parseDelivery(body: unknown): InboundEvent[] {
  if (Array.isArray(body) && body.length && body.every(isCloudEvent)) {
    // One array for the whole delivery (this runs on every delivery, before the 200).
    const events: InboundEvent[] = [];
    for (const raw of body) {
      const event = cloudEvent(raw);
      if (event) events.push(event);
    }
    return events;
  }
  if (isCloudEvent(body)) {
    const event = cloudEvent(body);
    return event ? [event] : [];
  }
  const notifications = (body as { eventNotifications?: unknown } | null)?.eventNotifications;
  if (Array.isArray(notifications) && notifications.length && notifications.every(isNotification))
    return notifications.flatMap(classicNotification);
  throw new WebhookBodyError('not a QuickBooks webhook body');
}

/**
 * The shapes of Intuit's two formats, checked whole: a signed body that is anything else (an array of
 * non-events, an empty list) is refused with 400 rather than acknowledged as if it were a delivery.
 * Something shaped like an event whose fields we cannot use (no id, no company, an id too long) is still
 * part of a delivery: it is dropped and the rest kept. An entity we do not handle is acknowledged (and ignored).
 */
function isCloudEvent(value: unknown): boolean {
  const e = record(value);
  return !!e && typeof e.specversion === 'string' && typeof e.type === 'string';
}

function isNotification(value: unknown): boolean {
  return Array.isArray(record(record(value)?.dataChangeEvent)?.entities);
}

type Json = Record<string, unknown>;

function record(value: unknown): Json | undefined {
  return value && typeof value === 'object' && !Array.isArray(value) ? (value as Json) : undefined;
}

interface CloudEventType {
  entity: string;
  operation: string;
}

/**
 * What a CloudEvents `type` names, remembered: a delivery repeats a handful of types, so each is matched and
 * named once rather than once per event. Only types that match are kept, and only so many, so a sender
 * inventing types cannot grow it.
 */
const cloudEventTypes = new Map<string, CloudEventType>();
const MAX_REMEMBERED_TYPES = 256;

function cloudEventType(type: string): CloudEventType | undefined {
  const known = cloudEventTypes.get(type);
  if (known) return known;
  const match = /^qbo\.([a-z0-9_]+)\.([a-z]+)\.v\d+$/i.exec(type);
  if (!match || match[1].length > 32) return undefined;
  const named = { entity: entityName(match[1]), operation: operationName(match[2]) };
  if (cloudEventTypes.size < MAX_REMEMBERED_TYPES) cloudEventTypes.set(type, named);
  return named;
}

function cloudEvent(raw: unknown): InboundEvent | undefined {
  const e = record(raw);
  if (!e) return undefined;
  const id = str(e.id);
  const realmId = str(e.intuitaccountid);
  const entityId = str(e.intuitentityid);
  const type = cloudEventType(str(e.type) ?? '');
  if (!id || id.length > MAX_EVENT_ID || !type || !fits(realmId, entityId)) return undefined;
  const time = str(e.time);
  const event: InboundEvent = {
    key: eventKey('ce', time, id),
    realmId: realmId!,
    entity: type.entity,
    entityId: entityId!,
    operation: type.operation,
    occurredAt: time === undefined ? null : time.length > 40 ? time.slice(0, 40) : time,
    format: 'cloudevents',
  };
  // Only a Merge carries one: looked for in `data` only then.
  const data = e.data;
  if (data !== undefined && data !== null && typeof data === 'object' && !Array.isArray(data)) {
    const d = data as Json;
    const deletedId = str(d.deletedid ?? d.deletedId);
    if (deletedId && fits(deletedId)) event.deletedId = deletedId;
  }
  return event;
}

function classicNotification(raw: unknown): InboundEvent[] {
  const n = record(raw);
  if (!n) return [];
  const realmId = str(n.realmId);
  const entities = record(n.dataChangeEvent)?.entities;
  if (!fits(realmId) || !Array.isArray(entities)) return [];
  return entities.flatMap((raw: unknown): InboundEvent[] => {
    const item = record(raw) ?? {};
    const name = str(item.name);
    const entityId = str(item.id);
    const operation = str(item.operation);
    if (!name || !operation || !fits(entityId) || name.length > 32) return [];
    const lastUpdated = str(item.lastUpdated)?.slice(0, 40) ?? null;
    const deletedId = str(item.deletedId ?? item.deletedid);
    const entity = entityName(name);
    const op = operationName(operation);
    return [
      {
        key: eventKey('classic', lastUpdated ?? undefined, `${realmId}|${entity}|${entityId}|${op}`),
        realmId: realmId!,
        entity,
        entityId: entityId!,
        operation: op,
        occurredAt: lastUpdated,
        format: 'classic',
        ...(deletedId && fits(deletedId) ? { deletedId } : {}),
      },
    ];
  });
}
