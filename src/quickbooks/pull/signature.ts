/**
 * Intuit signs every webhook delivery: header `intuit-signature` = base64(HMAC-SHA256(verifier token, raw
 * body bytes)). Checked over the bytes as they arrived, before any parsing (a signature over re-serialised
 * JSON never matches), with a constant-time compare; anything missing or malformed fails closed.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export function signatureOf(body: Buffer | string, verifierToken: string): string {
  return createHmac('sha256', verifierToken).update(body).digest('base64');
}

export function verifySignature(body: Buffer, header: unknown, verifierToken: string): boolean {
  if (!verifierToken || typeof header !== 'string' || header.length === 0 || header.length > 200)
    return false;
  // Compared as base64 text: decoding first would forgive junk (Node's decoder skips it and stops at "=").
  const expected = Buffer.from(signatureOf(body, verifierToken));
  const given = Buffer.from(header.trim());
  if (given.length !== expected.length) return false;
  return timingSafeEqual(given, expected);
}
