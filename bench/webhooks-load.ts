/**
 * The load generator of bench/webhooks.ts, run as a separate process so it does not share the app's CPU
 * time slice: autocannon with valid signed CloudEvents deliveries (10 events, unique ids per delivery).
 * argv: url, connections, seconds, verifier token, realm, bodies[, rate]. Prints one JSON line with
 * autocannon's result. With a rate (deliveries per second, all connections together) the load is paced
 * instead: each connection sends its next delivery at its next slot (connections / rate apart), so the
 * deliveries arrive spread out as a steady sender's would, and the latency is the target's own, not a queue
 * (autocannon's own rate limit sends each second's requests in one burst).
 *
 * The bodies are made and signed before the clock starts (once per body, not per request): the generator
 * then only hands out the next one, so it takes the same small share of the 2 cores whichever target it
 * loads. Each body is sent at most once while the pool lasts; `reused` says how many requests had to repeat
 * one (a repeat is a duplicate for the app, cheaper than a new event), so a pool too small shows.
 */
import { createHmac, randomUUID } from 'node:crypto';
import http from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import autocannon from 'autocannon';

const [url, connections, seconds, token, realmId, bodies, rate] = process.argv.slice(2);

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

function post(agent: http.Agent, d: Delivery): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: 'POST', agent, headers: d.headers }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end(d.body);
  });
}

/** Steady sending at `rate` deliveries a second over `connections` keep-alive connections. */
async function paced(perSecond: number): Promise<void> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: Number(connections) });
  const gap = (1000 * Number(connections)) / perSecond;
  const latencies: number[] = [];
  let non2xx = 0;
  let errors = 0;
  const began = performance.now();
  const end = began + Number(seconds) * 1000;
  await Promise.all(
    Array.from({ length: Number(connections) }, async (_, c) => {
      // Connections start spread over one gap, so the slots interleave.
      let slot = began + (gap * c) / Number(connections);
      while (slot < end) {
        const wait = slot - performance.now();
        if (wait > 0) await sleep(wait);
        const d = pool[next++ % pool.length];
        const sent = performance.now();
        const status = await post(agent, d).catch(() => -1);
        if (status === -1) errors++;
        else if (status < 200 || status >= 300) non2xx++;
        latencies.push(performance.now() - sent);
        slot += gap;
      }
    }),
  );
  agent.destroy();
  latencies.sort((a, b) => a - b);
  const at = (q: number) =>
    Math.round(latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] * 10) / 10;
  process.stdout.write(
    `${JSON.stringify({
      requests: latencies.length,
      rps: latencies.length / ((performance.now() - began) / 1000),
      p50: at(0.5),
      p99: at(0.99),
      non2xx,
      errors,
      timeouts: 0,
      reused: next > pool.length ? next - pool.length : 0,
    })}\n`,
  );
}

if (rate) {
  await paced(Number(rate));
  process.exit(0);
}

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
