/**
 * Webhook deliveries for tests: signed bodies in both formats, posted to the app under supertest, and the
 * app listening on a loopback port so the real emulator can post to it.
 */
import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import { EMULATOR_DEFAULTS } from '../../src/emulator/index.js';
import { signatureOf } from '../../src/quickbooks/pull/signature.js';
import type { World } from './quickbooks.js';

export const VERIFIER = EMULATOR_DEFAULTS.verifierToken;

export function cloudEvent(
  realmId: string,
  entity: string,
  id: string,
  op = 'updated',
  eventId: string = randomUUID(),
) {
  return {
    specversion: '1.0',
    id: eventId,
    source: 'intuit.test',
    type: `qbo.${entity.toLowerCase()}.${op}.v1`,
    datacontenttype: 'application/json',
    time: new Date().toISOString(),
    intuitentityid: id,
    intuitaccountid: realmId,
    data: {},
  };
}

export function classic(realmId: string, entities: { name: string; id: string; operation: string }[]) {
  const lastUpdated = new Date().toISOString();
  return {
    eventNotifications: [
      { realmId, dataChangeEvent: { entities: entities.map((e) => ({ ...e, lastUpdated })) } },
    ],
  };
}

export function deliver(
  w: World,
  body: unknown,
  options: { signature?: string | null; contentType?: string } = {},
): request.Test {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  const req = request(w.t.app)
    .post('/webhooks/quickbooks')
    .set('Content-Type', options.contentType ?? 'application/cloudevents+json');
  const signature = options.signature === undefined ? signatureOf(text, VERIFIER) : options.signature;
  if (signature !== null) req.set('intuit-signature', signature);
  return req.send(text);
}

/** The app on a loopback port, and the emulator told to post webhooks there in `format`. */
export async function listenForWebhooks(w: World, format: 'classic' | 'cloudevents'): Promise<Server> {
  const server = w.t.app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const { port } = server.address() as AddressInfo;
  await w.control('POST', '/config', {
    webhooks: { enabled: true, format, url: `http://127.0.0.1:${port}/webhooks/quickbooks` },
  });
  return server;
}

export function closeServer(server: Server | undefined): Promise<void> {
  if (!server) return Promise.resolve();
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}
