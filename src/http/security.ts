import type { RequestHandler } from 'express';
import helmet from 'helmet';

/**
 * Security headers. The CSP allows scripts and styles from our own origin only: no inline script, no
 * eval, so an injected <script> cannot run. Forms may post to our origin and to Intuit's consent (the
 * connect flow is a redirect, which form-action also governs).
 */
export function securityHeaders(options: { formActionOrigins: string[]; https: boolean }): RequestHandler {
  return helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", 'data:'],
        fontSrc: ["'self'"],
        connectSrc: ["'self'"],
        objectSrc: ["'none'"],
        baseUri: ["'self'"],
        frameAncestors: ["'none'"],
        formAction: ["'self'", ...options.formActionOrigins],
        ...(options.https ? { upgradeInsecureRequests: [] } : {}),
      },
    },
    // HSTS only makes sense when the app is served over https.
    strictTransportSecurity: options.https,
    crossOriginEmbedderPolicy: false,
  });
}

/** Admin pages show customer and connection data: never keep them in a shared or browser cache. */
export const noStore: RequestHandler = (_req, res, next) => {
  res.set('Cache-Control', 'no-store');
  res.set('Pragma', 'no-cache');
  next();
};
