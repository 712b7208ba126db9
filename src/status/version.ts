/**
 * The app's version, from package.json, read once. Found by walking up from this file, so it works the
 * same from src/ (tsx) and from compiled JavaScript wherever the build puts it.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

let version: string | undefined;

function findVersion(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const file = path.join(dir, 'package.json');
    if (existsSync(file)) {
      const pkg = JSON.parse(readFileSync(file, 'utf8'));
      if (pkg.name === 'heavy-av') return String(pkg.version);
    }
    const parent = path.dirname(dir);
    if (parent === dir) return 'unknown';
    dir = parent;
  }
}

export function appVersion(): string {
  version ??= findVersion();
  return version;
}
