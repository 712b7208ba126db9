/**
 * The two ways an alert leaves Heavy AV: email through SMTP_URL (nodemailer) and a Slack-compatible chat
 * webhook (NOTIFY_WEBHOOK_URL). A failure becomes a sentence an admin can act on; it never repeats the
 * SMTP password or the webhook URL's path (Slack's and Teams' paths are the secret).
 */
import nodemailer, { type Transporter } from 'nodemailer';
import type { AlertContent, Channel } from './alerts-repository.js';
import { messageText } from './incidents.js';

export interface SendResult {
  /** Where it went, for the delivery log: the addresses, or the webhook's origin. */
  sentTo: string;
}

export interface AlertChannel {
  readonly name: Channel;
  /** Sends one alert; `id` makes a stable Message-ID, so a resend after a crash reads as the same mail. */
  send(content: AlertContent, id: string): Promise<SendResult>;
}

/** A failure to deliver, in words. */
export class DeliveryError extends Error {}

const TIMEOUTS = { connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 20_000 };

export function emailChannel(options: {
  smtpUrl: string;
  from: string;
  /** NOTIFY_EMAILS, or every active admin when that is empty; read at each send. */
  recipients: () => Promise<string[]>;
}): AlertChannel {
  const url = new URL(options.smtpUrl);
  const where = `${url.hostname}:${url.port || (url.protocol === 'smtps:' ? 465 : 25)}`;
  // Timeouts as URL parameters (nodemailer reads them there), as src/mail/mailer.ts does.
  const withTimeouts = new URL(options.smtpUrl);
  for (const [key, ms] of Object.entries(TIMEOUTS)) {
    if (!withTimeouts.searchParams.has(key)) withTimeouts.searchParams.set(key, String(ms));
  }
  const transport: Transporter = nodemailer.createTransport(withTimeouts.toString());
  return {
    name: 'email',
    async send(content, id) {
      const to = await options.recipients();
      if (!to.length)
        throw new DeliveryError('No one to mail: NOTIFY_EMAILS is empty and there is no active admin.');
      try {
        await transport.sendMail({
          from: options.from,
          to,
          subject: `[Heavy AV] ${content.subject}`,
          text: messageText(content),
          messageId: `<alert-${id}@heavy-av>`,
        });
      } catch (err) {
        throw new DeliveryError(smtpWords(err, where));
      }
      return { sentTo: to.join(', ') };
    },
  };
}

/** nodemailer's error as a sentence: what the SMTP server said, or why it could not be reached. */
export function smtpWords(err: unknown, where: string): string {
  const e = err as { code?: string; responseCode?: number; response?: string; message?: string };
  const said = e.response ? ` It answered: "${e.response.replace(/\s+/g, ' ').trim().slice(0, 200)}".` : '';
  switch (e.code) {
    case 'EAUTH':
      return `The SMTP server at ${where} refused the user name or password in SMTP_URL.${said}`;
    case 'ECONNECTION':
    case 'ECONNREFUSED':
    case 'EDNS':
    case 'ESOCKET':
      return `Could not reach the SMTP server at ${where} (${causeOf(e.message)}). Check the host and port in SMTP_URL.`;
    case 'ETIMEDOUT':
      return `The SMTP server at ${where} did not answer in time.`;
    case 'EENVELOPE':
      return `The SMTP server at ${where} refused the sender or a recipient (NOTIFY_FROM, NOTIFY_EMAILS).${said}`;
    case 'EMESSAGE':
      return `The SMTP server at ${where} refused the message.${said}`;
    default:
      return `Sending through the SMTP server at ${where} failed: ${causeOf(e.message)}.${said}`;
  }
}

/** A low-level message without anything that could be a credential (URLs). */
function causeOf(message: string | undefined): string {
  return (message ?? 'unknown error').replace(/\w+:\/\/\S+/g, '[url]').slice(0, 200);
}

export function webhookChannel(options: { url: string; timeoutMs?: number }): AlertChannel {
  const origin = new URL(options.url).origin;
  return {
    name: 'webhook',
    async send(content) {
      // Slack's incoming-webhook shape: Mattermost, Rocket.Chat and Teams workflows take `text` as is.
      const text = `*${content.subject}*\n${messageText(content)}`;
      let res: Response;
      try {
        res = await fetch(options.url, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify({ text }),
          redirect: 'error',
          signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
        });
      } catch (err) {
        const e = err as { name?: string; cause?: { code?: string; message?: string } };
        if (e.name === 'TimeoutError')
          throw new DeliveryError(`The chat webhook at ${origin} did not answer in time.`);
        const cause = e.cause?.code ?? causeOf(e.cause?.message);
        throw new DeliveryError(
          `Could not reach the chat webhook at ${origin} (${cause}). Check NOTIFY_WEBHOOK_URL.`,
        );
      }
      if (!res.ok) {
        const body = (await res.text().catch(() => '')).replace(/\s+/g, ' ').trim().slice(0, 200);
        throw new DeliveryError(
          `The chat webhook at ${origin} answered HTTP ${res.status}${res.statusText ? ` ${res.statusText}` : ''}${body ? `: "${body}"` : ''}.`,
        );
      }
      await res.body?.cancel().catch(() => undefined);
      return { sentTo: origin };
    },
  };
}
