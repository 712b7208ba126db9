import { createPrivateKey, generateKeyPairSync, type KeyObject, randomUUID, sign } from 'node:crypto';

/**
 * Signs OpenID Connect id_tokens with a key pair made at start-up (RS256, like Intuit) and publishes the
 * public half as a JWKS. The issuer is Intuit's own string so that clients which hard-code it (intuit-oauth's
 * validateIdToken) accept the token when pointed at the emulator's JWKS.
 */
export const ID_TOKEN_ISSUER = 'https://oauth.platform.intuit.com/op/v1';

export class IdTokenSigner {
  private key?: { privateKey: KeyObject; jwk: Record<string, unknown> };

  private keys() {
    if (!this.key) {
      // Generated lazily: RSA key generation costs tens of milliseconds and most tests never ask for openid.
      const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
      const jwk = { ...publicKey.export({ format: 'jwk' }), kid: randomUUID(), alg: 'RS256', use: 'sig' };
      this.key = { privateKey: createPrivateKey(privateKey.export({ format: 'pem', type: 'pkcs8' })), jwk };
    }
    return this.key;
  }

  jwks(): { keys: Record<string, unknown>[] } {
    return { keys: [this.keys().jwk] };
  }

  sign(claims: Record<string, unknown>): string {
    const { privateKey, jwk } = this.keys();
    const header = b64(JSON.stringify({ kid: jwk.kid, alg: 'RS256' }));
    const payload = b64(JSON.stringify({ iss: ID_TOKEN_ISSUER, ...claims }));
    const signature = sign('sha256', Buffer.from(`${header}.${payload}`), privateKey).toString('base64url');
    return `${header}.${payload}.${signature}`;
  }
}

function b64(text: string): string {
  return Buffer.from(text).toString('base64url');
}
