/** Who did it, for the audit log: the signed-in user, as the services record it. */
import type { Request } from 'express';

export interface Actor {
  id: number;
  email: string;
}

/** The signed-in user of a request behind requireUser (the session always holds one there). */
export function actor(req: Request): Actor {
  const u = req.session.user!;
  return { id: u.id, email: u.email };
}
