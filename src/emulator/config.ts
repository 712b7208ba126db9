/** Runtime-tunable behaviour, exactly the keys SPEC.md lists for `POST /__emulator/config` (plus one extra). */
export interface EmulatorConfig {
  accessTokenTtlSeconds: number;
  refreshTokenTtlSeconds: number;
  /** How long a superseded refresh token keeps working after a rotation (Intuit: 24 h). */
  refreshGraceSeconds: number;
  /** Extra key (not in SPEC): the 5-year hard cap Intuit introduced in 2025 for refresh tokens. */
  refreshTokenHardTtlSeconds: number;
  /** Added (in Intuit time) to every Accounting API call, inside the concurrency slot. */
  latencyMs: number;
  limits: { perMinute: number; concurrent: number; batchPerMinute: number };
  timeScale: number;
  webhooks: { format: 'classic' | 'cloudevents'; url: string; enabled: boolean };
}

export function defaultConfig(webhookUrl = ''): EmulatorConfig {
  return {
    accessTokenTtlSeconds: 3600,
    refreshTokenTtlSeconds: 8_726_400,
    refreshGraceSeconds: 86_400,
    refreshTokenHardTtlSeconds: 5 * 365 * 86_400,
    latencyMs: 0,
    limits: { perMinute: 500, concurrent: 10, batchPerMinute: 120 },
    timeScale: 1,
    webhooks: { format: 'cloudevents', url: webhookUrl, enabled: true },
  };
}

export type ConfigPatch = Partial<Omit<EmulatorConfig, 'limits' | 'webhooks'>> & {
  limits?: Partial<EmulatorConfig['limits']>;
  webhooks?: Partial<EmulatorConfig['webhooks']>;
};

const NUMERIC_KEYS = [
  'accessTokenTtlSeconds',
  'refreshTokenTtlSeconds',
  'refreshGraceSeconds',
  'refreshTokenHardTtlSeconds',
  'latencyMs',
  'timeScale',
] as const;

/**
 * Merges a partial config into `target` in place. Throws a readable Error on a wrong type, so the control
 * API can answer 400 instead of silently storing nonsense.
 */
export function mergeConfig(target: EmulatorConfig, patch: unknown): EmulatorConfig {
  if (!isObject(patch)) throw new Error('config must be a JSON object');
  for (const key of NUMERIC_KEYS) {
    if (patch[key] === undefined) continue;
    target[key] = nonNegative(key, patch[key]);
  }
  if (patch.timeScale !== undefined && target.timeScale <= 0) throw new Error('timeScale must be > 0');
  if (patch.limits !== undefined) {
    if (!isObject(patch.limits)) throw new Error('limits must be an object');
    for (const key of ['perMinute', 'concurrent', 'batchPerMinute'] as const) {
      if (patch.limits[key] !== undefined)
        target.limits[key] = nonNegative(`limits.${key}`, patch.limits[key]);
    }
  }
  if (patch.webhooks !== undefined) {
    const w = patch.webhooks;
    if (!isObject(w)) throw new Error('webhooks must be an object');
    if (w.format !== undefined) {
      if (w.format !== 'classic' && w.format !== 'cloudevents') {
        throw new Error("webhooks.format must be 'classic' or 'cloudevents'");
      }
      target.webhooks.format = w.format;
    }
    if (w.url !== undefined) {
      if (typeof w.url !== 'string') throw new Error('webhooks.url must be a string');
      target.webhooks.url = w.url;
    }
    if (w.enabled !== undefined) {
      if (typeof w.enabled !== 'boolean') throw new Error('webhooks.enabled must be a boolean');
      target.webhooks.enabled = w.enabled;
    }
  }
  return target;
}

function nonNegative(name: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new Error(`${name} must be a non-negative number`);
  }
  return value;
}

export function isObject(value: unknown): value is Record<string, any> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
