/**
 * OAuth tokens at rest (AES-256-GCM, the stored value names its key). Sealed values open again, never
 * repeat, refuse any change, and survive a key rotation.
 */
import { expect } from 'chai';
import { keyIdOf, TokenCipher } from '../../src/quickbooks/intuit/token-cipher.js';

const KEY_A = Buffer.alloc(32, 0xa1);
const KEY_B = Buffer.alloc(32, 0xb2);

/** Changes one character of a base64url part (keeping it valid base64url). */
function flip(part: string): string {
  const c = part[0] === 'A' ? 'B' : 'A';
  return c + part.slice(1);
}

describe('token cipher', () => {
  const values = [
    'eyJlbmMiOiJBMTI4Q0JDLUhTMjU2IiwiYWxnIjoiZGlyIn0..abc.def.ghi',
    'RT1-123-H0-1759000000abcdef',
    '',
    'ünïcødé ✓',
    'x'.repeat(4096),
  ];
  for (const value of values) {
    it(`opens what it sealed (${value.length} characters)`, () => {
      const cipher = new TokenCipher(KEY_A);
      const sealed = cipher.seal(value);
      expect(sealed.startsWith(`v1.${keyIdOf(KEY_A)}.`)).to.equal(true);
      expect(sealed).to.not.contain(value || '\u0000');
      expect(cipher.open(sealed)).to.equal(value);
    });
  }

  it('never seals the same value the same way twice (a fresh IV each time)', () => {
    const cipher = new TokenCipher(KEY_A);
    const seals = new Set(Array.from({ length: 50 }, () => cipher.seal('same token')));
    expect(seals.size).to.equal(50);
  });

  const tampered: [string, (parts: string[]) => string[]][] = [
    ['the ciphertext', ([v, k, iv, tag, data]) => [v, k, iv, tag, flip(data)]],
    ['the tag', ([v, k, iv, tag, data]) => [v, k, iv, flip(tag), data]],
    ['the IV', ([v, k, iv, tag, data]) => [v, k, flip(iv), tag, data]],
    ['the version', ([, k, iv, tag, data]) => ['v2', k, iv, tag, data]],
    ['a missing part', ([v, k, iv, tag]) => [v, k, iv, tag]],
    ['an unknown key id', ([v, , iv, tag, data]) => [v, '00000000', iv, tag, data]],
  ];
  for (const [name, change] of tampered) {
    it(`refuses a value with ${name} changed`, () => {
      const cipher = new TokenCipher(KEY_A);
      const sealed = cipher.seal('RT1-123-H0-1759000000abcdef');
      expect(() => cipher.open(change(sealed.split('.')).join('.'))).to.throw();
    });
  }

  it('refuses a value that is not sealed at all', () => {
    expect(() => new TokenCipher(KEY_A).open('plain-refresh-token')).to.throw('not a sealed token');
  });

  it('rotation: the new key opens values sealed with a previous one, and marks them stale', () => {
    const old = new TokenCipher(KEY_A);
    const sealedOld = old.seal('token');
    const rotated = new TokenCipher(KEY_B, [KEY_A]);
    expect(rotated.open(sealedOld)).to.equal('token');
    expect(rotated.isStale(sealedOld)).to.equal(true);
    const resealed = rotated.seal('token');
    expect(rotated.isStale(resealed)).to.equal(false);
    expect(rotated.keyId).to.equal(keyIdOf(KEY_B)).and.not.equal(keyIdOf(KEY_A));
    // Without the previous key, the old value cannot be opened: the message says what to do.
    expect(() => new TokenCipher(KEY_B).open(sealedOld)).to.throw(/TOKEN_ENCRYPTION_PREVIOUS_KEYS/);
  });

  for (const length of [0, 16, 31, 33, 64]) {
    it(`refuses a key of ${length} bytes`, () => {
      expect(() => new TokenCipher(Buffer.alloc(length, 1))).to.throw('32 bytes');
    });
  }
});
