import type { RequestHandler } from 'express';
import { AppError } from './errors.js';

/** A request carrying text no database column can hold. */
export class BadBytesError extends AppError {
  constructor() {
    super('The request contains a character that is not allowed (a NUL byte). Remove it and try again.', {
      status: 400,
      code: 'bad_bytes',
    });
  }
}

function hasNul(value: unknown, depth = 0): boolean {
  if (typeof value === 'string') return value.includes('\u0000');
  if (!value || typeof value !== 'object' || depth > 8) return false;
  return Object.entries(value).some(([k, v]) => k.includes('\u0000') || hasNul(v, depth + 1));
}

/**
 * PostgreSQL refuses NUL in text ("invalid byte sequence"), SQLite would store it, and no person types
 * one: refused at the edge, before the session, CSRF or any query, so every route answers 400 alike.
 */
export const refuseBadBytes: RequestHandler = (req, _res, next) => {
  if (hasNul(req.query) || hasNul(req.body) || req.path.includes('%00')) return next(new BadBytesError());
  next();
};
