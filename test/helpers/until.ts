/**
 * The one polling helper: calls `check` every 25 ms until it returns a truthy value, and returns that
 * value; fails after `timeoutMs`, naming what it waited for.
 */
export async function until<T>(
  check: () => T | Promise<T>,
  timeoutMs = 8000,
  what = 'a condition',
): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
