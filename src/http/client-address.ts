import type { Request } from 'express';

/**
 * The client's address as TRUST_PROXY allows Express to believe it (req.ip): with a trusted proxy, the
 * address the proxy saw; otherwise the connection's own address.
 */
export function clientAddress(req: Request): string {
  return req.ip ?? req.socket.remoteAddress ?? 'unknown';
}
