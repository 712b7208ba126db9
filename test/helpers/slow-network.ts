/**
 * A slow network between Heavy AV and the Accounting API host: a TCP relay to the emulator that holds back
 * what the app sends to /v3/… for `delayMs` before passing it on, as a long route would. Bytes the app has
 * written are on their way: aborting the fetch or closing the socket afterwards does not stop them, exactly
 * as with a real network. Other traffic (OAuth token and revoke endpoints, the browser's consent pages)
 * passes at once, as it goes to other Intuit hosts in production.
 */
import { createConnection, createServer, type Server, type Socket } from 'node:net';

export interface SlowNetwork {
  /** Use as both the browser and the server URL of the emulator. */
  url: string;
  /** Where to relay to; set once the emulator listens. */
  target: { port: number };
  /** Resolves when the next request to /v3/… has left the app (has been written to this relay). */
  nextApiRequest(): Promise<void>;
  close(): Promise<void>;
}

const API_REQUEST = /^(GET|POST) \/v3\//;

export async function startSlowNetwork(delayMs: number): Promise<SlowNetwork> {
  const target = { port: 0 };
  const sockets = new Set<Socket>();
  let waiting: (() => void)[] = [];
  const sent = () => {
    for (const resolve of waiting) resolve();
    waiting = [];
  };

  const server: Server = createServer({ allowHalfOpen: true }, (client) => {
    const upstream = createConnection({ host: '127.0.0.1', port: target.port, allowHalfOpen: true });
    sockets.add(client);
    sockets.add(upstream);
    client.on('close', () => sockets.delete(client));
    upstream.on('close', () => sockets.delete(upstream));
    client.on('error', () => {});
    upstream.on('error', () => {});
    // One queue per connection: nothing overtakes a chunk that is held back.
    const queue: { at: number; run: () => void }[] = [];
    let timer: NodeJS.Timeout | undefined;
    const pump = () => {
      timer = undefined;
      while (queue.length && queue[0].at <= Date.now()) queue.shift()!.run();
      if (queue.length) timer = setTimeout(pump, queue[0].at - Date.now());
    };
    const forward = (run: () => void, delay: number) => {
      const last = queue.at(-1)?.at ?? 0;
      queue.push({ at: Math.max(last, Date.now() + delay), run });
      if (!timer) pump();
    };
    client.on('data', (chunk: Buffer) => {
      const api = API_REQUEST.test(chunk.subarray(0, 16).toString('latin1'));
      if (api) sent();
      forward(() => upstream.write(chunk), api ? delayMs : 0);
    });
    // The app closing (or aborting) its side arrives after what it had sent.
    let ended = false;
    const end = () => {
      if (ended) return;
      ended = true;
      forward(() => upstream.end(), 0);
    };
    client.on('end', end);
    client.on('close', end);
    upstream.on('data', (chunk: Buffer) => {
      if (!client.destroyed) client.write(chunk);
    });
    upstream.on('end', () => client.end());
    upstream.on('close', () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    target,
    nextApiRequest() {
      return new Promise((resolve) => waiting.push(resolve));
    },
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
