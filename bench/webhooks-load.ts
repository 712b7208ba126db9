/**
 * The load generator of bench/webhooks.ts, run as a separate process so it does not share the app's CPU
 * time slice: autocannon with valid signed CloudEvents deliveries (10 events, unique ids per delivery).
 * argv: url, connections, seconds, verifier token, realm, bodies. Prints one JSON line with autocannon's
 * result.
 *
 * The bodies are made and signed before the clock starts (once per body, not per request): the generator
 * then only hands out the next one, so it takes the same small share of the 2 cores whichever target it
 * loads. Each body is sent at most once while the pool lasts; `reused` says how many requests had to repeat
 * one (a repeat is a duplicate for the app, cheaper than a new event), so a pool too small shows.
 */
import { createHmac, randomUUID } from 'node:crypto';
import autocannon from 'autocannon';

const [url, connections, seconds, token, realmId, bodies] = process.argv.slice(2);

interface Delivery {
  body: string;
  headers: Record<string, string>;
}

function delivery(): Delivery {
  const time = new Date().toISOString();
  const events = Array.from({ length: 10 }, (_, i) => ({
    specversion: '1.0',
    id: randomUUID(),
    source: 'intuit.bench',
    type: `qbo.${i % 2 ? 'invoice' : 'customer'}.updated.v1`,
    datacontenttype: 'application/json',
    time,
    intuitentityid: String(1 + i),
    intuitaccountid: realmId,
    data: {},
  }));
  const body = JSON.stringify(events);
  return {
    body,
    headers: {
      'content-type': 'application/cloudevents+json',
      'intuit-signature': createHmac('sha256', token).update(body).digest('base64'),
    },
  };
}

const pool: Delivery[] = Array.from({ length: Number(bodies) }, delivery);
let next = 0;
let reused = 0;

const result = await autocannon({
  url,
  connections: Number(connections),
  duration: Number(seconds),
  method: 'POST',
  requests: [
    {
      setupRequest: (req: any) => {
        if (next === pool.length) {
          next = 0;
          reused++;
        } else if (reused) reused++;
        const { body, headers } = pool[next++];
        return { ...req, body, headers };
      },
    },
  ],
});
process.stdout.write(
  `${JSON.stringify({
    requests: result.requests.total,
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    duration: result.duration,
    reused,
  })}\n`,
);
