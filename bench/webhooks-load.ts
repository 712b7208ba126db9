/**
 * The load generator of bench/webhooks.ts, run as a separate process so it does not share the app's CPU
 * time slice: autocannon with valid signed CloudEvents deliveries (10 events, unique ids per request).
 * argv: url, connections, seconds, verifier token, realm. Prints one JSON line with autocannon's result.
 */
import { createHmac, randomUUID } from 'node:crypto';
import autocannon from 'autocannon';

const [url, connections, seconds, token, realmId] = process.argv.slice(2);

function delivery(): { body: string; signature: string } {
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
  return { body, signature: createHmac('sha256', token).update(body).digest('base64') };
}

const result = await autocannon({
  url,
  connections: Number(connections),
  duration: Number(seconds),
  method: 'POST',
  requests: [
    {
      setupRequest: (req: any) => {
        const { body, signature } = delivery();
        return {
          ...req,
          body,
          headers: { 'content-type': 'application/cloudevents+json', 'intuit-signature': signature },
        };
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
  })}\n`,
);
