/**
 * OAuth tokens at rest: AES-256-GCM with a fresh 96-bit IV per value. The stored string names the key
 * it was sealed with (`v1.<keyId>.<iv>.<tag>.<ciphertext>`), so TOKEN_ENCRYPTION_KEY can be rotated:
 * put the old key in TOKEN_ENCRYPTION_PREVIOUS_KEYS, and values are re-sealed with the new key the next
 * time they are written (every refresh).
 */
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

export function keyIdOf(key: Buffer): string {
  return createHash('sha256').update(key).digest('hex').slice(0, 8);
}

export class TokenCipher {
  private readonly keys = new Map<string, Buffer>();
  private readonly currentId: string;

  constructor(current: Buffer, previous: Buffer[] = []) {
    if (current.length !== 32) throw new Error('token encryption key must be 32 bytes');
    this.currentId = keyIdOf(current);
    this.keys.set(this.currentId, current);
    for (const key of previous) this.keys.set(keyIdOf(key), key);
  }

  get keyId(): string {
    return this.currentId;
  }

  seal(plaintext: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.keys.get(this.currentId)!, iv);
    const data = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    const tag = cipher.getAuthTag();
    return [
      'v1',
      this.currentId,
      iv.toString('base64url'),
      tag.toString('base64url'),
      data.toString('base64url'),
    ].join('.');
  }

  open(sealed: string): string {
    const [version, keyId, iv, tag, data] = sealed.split('.');
    if (version !== 'v1' || !keyId || !iv || !tag || data === undefined)
      throw new Error('not a sealed token');
    const key = this.keys.get(keyId);
    if (!key)
      throw new Error(`token sealed with unknown key ${keyId}: add it to TOKEN_ENCRYPTION_PREVIOUS_KEYS`);
    const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([decipher.update(Buffer.from(data, 'base64url')), decipher.final()]).toString(
      'utf8',
    );
  }

  /** Whether this cipher can open the value (its key is the current one or a previous one, and it is intact). */
  canOpen(sealed: string): boolean {
    try {
      this.open(sealed);
      return true;
    } catch {
      return false;
    }
  }

  /** Whether a value was sealed with an older key (and should be re-sealed). */
  isStale(sealed: string): boolean {
    return sealed.split('.')[1] !== this.currentId;
  }
}
