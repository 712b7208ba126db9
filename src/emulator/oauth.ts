import express, { type Request, type Response, Router } from 'express';
import { type ConsentParams, consentPage, errorPage } from './consent-views.js';
import type { Grant } from './grants.js';
import { sendHtml, sendJson } from './http.js';
import type { EmulatorState } from './state.js';

/**
 * Intuit's OAuth 2.0 surfaces: consent page, token endpoint, revoke, userinfo, discovery and JWKS.
 * Token-endpoint errors follow RFC 6749 as Intuit does: 400 {"error":"invalid_grant", …}, 401 invalid_client.
 */
export function oauthRouter(state: EmulatorState): Router {
  const router = Router();
  const form = express.urlencoded({ extended: false, limit: '100kb' });

  router.get('/connect/oauth2', (req, res) => consent(state, req, res, readParams(req.query)));
  router.post('/connect/oauth2', form, (req, res) => decide(state, req, res));
  router.post('/oauth2/v1/tokens/bearer', form, (req, res) => token(state, req, res));
  router.post('/v2/oauth2/tokens/revoke', express.text({ type: () => true, limit: '100kb' }), (req, res) =>
    revoke(state, req, res),
  );
  router.get('/v1/openid_connect/userinfo', (req, res) => userinfo(state, req, res));
  router.get(
    [
      '/.well-known/openid_configuration',
      '/.well-known/openid_sandbox_configuration',
      '/.well-known/openid-configuration',
    ],
    (_req, res) => sendJson(res, 200, discovery(state.baseUrl)),
  );
  router.get('/op/v1/jwks', (_req, res) => sendJson(res, 200, state.idTokens.jwks()));
  return router;
}

function readParams(source: Record<string, unknown>): ConsentParams {
  const str = (v: unknown) => (typeof v === 'string' ? v : '');
  return {
    client_id: str(source.client_id),
    redirect_uri: str(source.redirect_uri),
    response_type: str(source.response_type),
    scope: str(source.scope),
    state: str(source.state),
  };
}

/** Problems with client or redirect URI are shown, never redirected (RFC 6749 §4.1.2.1). */
function checkClient(state: EmulatorState, p: ConsentParams): string | null {
  if (p.client_id !== state.app.clientId) return 'Unknown client_id. Check the app keys.';
  if (!/^https?:\/\//.test(p.redirect_uri)) return 'The redirect_uri is missing or is not an http(s) URL.';
  const allowed = state.app.redirectUris;
  if (allowed.length > 0 && !allowed.includes(p.redirect_uri)) {
    return `The redirect_uri ${p.redirect_uri} is not one of the app's registered redirect URIs.`;
  }
  return null;
}

function redirectBack(res: Response, p: ConsentParams, params: Record<string, string>): void {
  const url = new URL(p.redirect_uri);
  for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
  if (p.state) url.searchParams.set('state', p.state);
  res.redirect(302, url.toString());
}

function consent(state: EmulatorState, _req: Request, res: Response, p: ConsentParams) {
  const problem = checkClient(state, p);
  if (problem) return sendHtml(res, 400, errorPage('Something went wrong', problem));
  if (p.response_type !== 'code') return redirectBack(res, p, { error: 'unsupported_response_type' });
  if (!p.scope.trim()) return redirectBack(res, p, { error: 'invalid_scope' });
  const companies = [...state.companies.values()].map((c) => ({ realmId: c.realmId, name: c.name }));
  sendHtml(res, 200, consentPage(state.app.appName, p, companies));
}

function decide(state: EmulatorState, req: Request, res: Response) {
  const p = readParams(req.body ?? {});
  const problem = checkClient(state, p);
  if (problem) return sendHtml(res, 400, errorPage('Something went wrong', problem));
  if (req.body?.decision !== 'connect') return redirectBack(res, p, { error: 'access_denied' });
  const realmId = String(req.body?.realmId ?? '');
  if (!state.companies.has(realmId))
    return sendHtml(res, 400, errorPage('Choose a company', 'Unknown company.'));
  res.locals.realmId = realmId;
  const code = state.grants.issueCode(
    p.client_id,
    p.redirect_uri,
    realmId,
    p.scope.split(/\s+/).filter(Boolean),
  );
  redirectBack(res, p, { code, realmId });
}

/** Basic auth as Intuit documents; client_secret_post too, since the discovery document advertises it. */
function authenticateClient(state: EmulatorState, req: Request): boolean {
  let id = '';
  let secret = '';
  const header = req.headers.authorization ?? '';
  if (/^basic /i.test(header)) {
    const decoded = Buffer.from(header.slice(6).trim(), 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    id = decodeURIComponent(decoded.slice(0, colon < 0 ? decoded.length : colon));
    secret = colon < 0 ? '' : decodeURIComponent(decoded.slice(colon + 1));
  } else if (req.body && typeof req.body.client_id === 'string') {
    id = req.body.client_id;
    secret = String(req.body.client_secret ?? '');
  }
  return id === state.app.clientId && secret === state.app.clientSecret;
}

function tokenError(res: Response, status: number, error: string, description?: string): void {
  res.setHeader('Pragma', 'no-cache');
  sendJson(res, status, description ? { error_description: description, error } : { error });
}

function token(state: EmulatorState, req: Request, res: Response) {
  if (!authenticateClient(state, req)) return tokenError(res, 401, 'invalid_client');
  const body = req.body ?? {};
  let result: ReturnType<typeof state.grants.refreshGrant>;
  if (body.grant_type === 'authorization_code') {
    if (!body.code || !body.redirect_uri)
      return tokenError(res, 400, 'invalid_request', 'code and redirect_uri are required');
    result = state.grants.redeemCode(String(body.code), state.app.clientId, String(body.redirect_uri));
  } else if (body.grant_type === 'refresh_token') {
    if (!body.refresh_token) return tokenError(res, 400, 'invalid_request', 'refresh_token is required');
    result = state.grants.refreshGrant(String(body.refresh_token), state.app.clientId);
  } else {
    return tokenError(res, 400, 'unsupported_grant_type');
  }
  if (!result.ok) return tokenError(res, 400, 'invalid_grant', result.description);
  res.locals.realmId = result.grant.realmId;
  const includeHard =
    String(req.headers['x-include-refresh-token-hard-expires-in'] ?? '').toLowerCase() === 'true';
  const answer = state.grants.tokenResponse(result.grant, result.accessToken, includeHard);
  if (result.grant.scope.includes('openid')) answer.id_token = idToken(state, result.grant);
  res.setHeader('Pragma', 'no-cache');
  sendJson(res, 200, answer);
}

function idToken(state: EmulatorState, grant: Grant): string {
  const now = Math.floor(state.clock.now() / 1000);
  return state.idTokens.sign({
    sub: grant.sub,
    aud: [grant.clientId],
    realmid: grant.realmId,
    auth_time: Math.floor(grant.createdAt / 1000),
    exp: now + 3600,
    iat: now,
  });
}

/**
 * Intuit documents a JSON body `{"token": …}`; RFC 7009 clients (node-quickbooks, quickbooks-node-promise)
 * send `token=…` form-encoded, and Intuit's endpoint is the discovery document's RFC 7009
 * `revocation_endpoint`, so both are read. Anything else is an OAuth error, never an API Fault.
 */
function revokeFields(req: Request): Record<string, unknown> | null {
  const text = typeof req.body === 'string' ? req.body : '';
  const type = String(req.headers['content-type'] ?? '').toLowerCase();
  if (type.startsWith('application/x-www-form-urlencoded'))
    return Object.fromEntries(new URLSearchParams(text));
  try {
    const parsed = JSON.parse(text);
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? parsed : null;
  } catch {
    return null;
  }
}

function revoke(state: EmulatorState, req: Request, res: Response) {
  const fields = revokeFields(req);
  req.body = fields ?? {};
  if (!authenticateClient(state, req)) return tokenError(res, 401, 'invalid_client');
  if (fields === null) {
    return tokenError(res, 400, 'invalid_request', 'The request body must be JSON or form-encoded');
  }
  const tokenValue = typeof fields.token === 'string' ? fields.token : '';
  // Unknown or already revoked: 400 with an empty body, as Intuit reportedly answers.
  if (!tokenValue || !state.grants.revokeByToken(tokenValue, state.app.clientId)) {
    res.status(400).end();
    return;
  }
  res.status(200).end();
}

function userinfo(state: EmulatorState, req: Request, res: Response) {
  const header = req.headers.authorization ?? '';
  const check = /^bearer /i.test(header) ? state.grants.checkAccess(header.slice(7).trim()) : null;
  if (!check?.ok) {
    res.setHeader('WWW-Authenticate', 'Bearer realm="Intuit", error="invalid_token"');
    return sendJson(res, 401, { error: 'invalid_token' });
  }
  if (!check.grant.scope.includes('openid')) return sendJson(res, 403, { error: 'insufficient_scope' });
  res.locals.realmId = check.grant.realmId;
  // Shaped like fixtures/qbo/oauth/userinfo.*.json.
  sendJson(res, 200, {
    sub: check.grant.sub,
    email: 'admin@heavy-av.example.com',
    emailVerified: true,
    givenName: 'Avery',
    familyName: 'Admin',
    phoneNumber: '+1 5105550100',
    phoneNumberVerified: false,
    address: {
      streetAddress: '1 Stage Door Way',
      locality: 'Oakland',
      region: 'CA',
      postalCode: '94607',
      country: 'US',
    },
  });
}

/** Like fixtures/qbo/oauth/openid-discovery.dotnet-sdk.json, with the emulator's own endpoints. */
function discovery(base: string): Record<string, unknown> {
  return {
    issuer: 'https://oauth.platform.intuit.com/op/v1',
    authorization_endpoint: `${base}/connect/oauth2`,
    token_endpoint: `${base}/oauth2/v1/tokens/bearer`,
    userinfo_endpoint: `${base}/v1/openid_connect/userinfo`,
    revocation_endpoint: `${base}/v2/oauth2/tokens/revoke`,
    jwks_uri: `${base}/op/v1/jwks`,
    response_types_supported: ['code'],
    subject_types_supported: ['public'],
    id_token_signing_alg_values_supported: ['RS256'],
    scopes_supported: ['openid', 'email', 'profile', 'address', 'phone'],
    token_endpoint_auth_methods_supported: ['client_secret_post', 'client_secret_basic'],
    claims_supported: ['aud', 'exp', 'iat', 'iss', 'realmid', 'sub'],
  };
}
