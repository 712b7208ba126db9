import { randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * The one-time code that guards /admin/setup on first run: printed to the server log at start, so only
 * whoever can read the log (the operator) can create the first admin. Used once, then gone.
 */
export class SetupCode {
  private code: string | undefined;

  constructor(code?: string) {
    this.code = code ?? SetupCode.generate();
  }

  static generate(): string {
    // 12 characters from an alphabet without look-alikes, grouped for reading aloud.
    const alphabet = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';
    const bytes = randomBytes(12);
    const chars = Array.from(bytes, (b) => alphabet[b % alphabet.length]).join('');
    return `${chars.slice(0, 4)}-${chars.slice(4, 8)}-${chars.slice(8, 12)}`;
  }

  get value(): string | undefined {
    return this.code;
  }

  matches(candidate: string): boolean {
    if (!this.code) return false;
    const a = Buffer.from(candidate.trim().toUpperCase());
    const b = Buffer.from(this.code);
    return a.length === b.length && timingSafeEqual(a, b);
  }

  consume(): void {
    this.code = undefined;
  }
}

/**
 * Tells the operator the setup code: in the log (a JSON line in production or under a service manager),
 * and, when the log is JSON, also as a plain line of its own on stderr, so it can be read (and copied)
 * without digging it out of a JSON object.
 */
export function announceSetupCode(
  logger: { warn(msg: string): void },
  code: string,
  appBaseUrl: string,
  plain: ((line: string) => void) | undefined,
): void {
  logger.warn(`No user exists yet. Open ${appBaseUrl}/admin/setup — Setup code: ${code}`);
  plain?.(
    `\nNo user exists yet. Open ${appBaseUrl}/admin/setup and enter the setup code:\nSetup code: ${code}\n\n`,
  );
}
