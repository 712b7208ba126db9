/**
 * Outgoing mail (invitations, password-reset links) through the SMTP server in SMTP_URL. Without SMTP_URL
 * there is no mailer: callers show the link on the page and say it was not mailed. The SMTP URL holds a
 * password, so it is never logged; neither is a message's body (it carries a one-time link).
 */
import nodemailer, { type Transporter } from 'nodemailer';

export interface MailMessage {
  to: string;
  subject: string;
  text: string;
}

export interface Mailer {
  send(message: MailMessage): Promise<void>;
}

export function createMailer(smtp: { url?: string; from: string }): Mailer | undefined {
  if (!smtp.url) return undefined;
  const url = new URL(smtp.url);
  // An SMTP server that hangs must not hold an admin's request for minutes.
  for (const [key, ms] of [
    ['connectionTimeout', 10_000],
    ['greetingTimeout', 10_000],
    ['socketTimeout', 20_000],
  ] as const) {
    if (!url.searchParams.has(key)) url.searchParams.set(key, String(ms));
  }
  const transport: Transporter = nodemailer.createTransport(url.toString());
  return {
    async send(message) {
      await transport.sendMail({ from: smtp.from, ...message });
    },
  };
}
