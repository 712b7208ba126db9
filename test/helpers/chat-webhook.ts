/**
 * A real HTTP receiver on a loopback port standing in for a Slack-compatible incoming webhook: it records
 * each POST's JSON body and answers what the test sets (200 "ok" like Slack, or an error).
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface TestChatWebhook {
  /** The URL to put in NOTIFY_WEBHOOK_URL (its path stands for the secret part of a real one). */
  url: string;
  received: { text: string; contentType: string | undefined }[];
  /** What the next POSTs are answered. */
  answer: { status: number; body: string };
  close(): Promise<void>;
}

export async function startChatWebhook(): Promise<TestChatWebhook> {
  const hook: Omit<TestChatWebhook, 'url' | 'close'> = { received: [], answer: { status: 200, body: 'ok' } };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (req.method === 'POST' && hook.answer.status < 300) {
        const json = JSON.parse(Buffer.concat(chunks).toString('utf8'));
        hook.received.push({ text: json.text, contentType: req.headers['content-type'] });
      }
      res.writeHead(hook.answer.status, { 'Content-Type': 'text/plain' }).end(hook.answer.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return Object.assign(hook, {
    url: `http://127.0.0.1:${port}/hooks/T000-secret-path`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  });
}
