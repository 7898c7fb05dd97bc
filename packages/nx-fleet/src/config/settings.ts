import type { Env } from '../io/ports';

/** Every setting an environment variable can override, and its variable. */
export const FLEET_ENV = {
  registry: 'FLEET_REGISTRY',
  engine: 'FLEET_ENGINE',
  sign: 'FLEET_SIGN',
  signingKey: 'FLEET_SIGNING_KEY',
  signingKeyPassword: 'FLEET_SIGNING_KEY_PASSWORD',
  verifyKey: 'FLEET_VERIFY_KEY',
  scanner: 'FLEET_SCANNER',
  trivySkipDbUpdate: 'FLEET_TRIVY_SKIP_DB_UPDATE',
} as const;

export type FleetSetting = keyof typeof FLEET_ENV;

/**
 * The one rule for option-vs-environment: the variable wins (CI overrides what is committed), and an
 * empty variable counts as unset, as an unset CI secret expands to "".
 */
export function setting(env: Env, name: FleetSetting, option?: string): string | undefined {
  return env[FLEET_ENV[name]] || option || undefined;
}
