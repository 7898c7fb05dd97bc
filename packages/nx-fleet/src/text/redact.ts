/**
 * What nx-fleet prints or records never carries a secret: URL credentials, the values of secret
 * flags, environment-style `KEY=VALUE` pairs and PEM blocks become `***`. Pure text in, text out.
 */

export const REDACTED = '***';

// `scheme://user:password@host`, `scheme://token@host`: everything between `//` and the last `@`
// before the host ends (no `/`, whitespace or quote in between).
const URL_CREDENTIALS = /([a-z][a-z0-9+.-]*:\/\/)[^\s/@'"<>]+@/gi;
const PEM_BLOCK = /-----BEGIN [A-Z0-9 ]+-----[\s\S]*?(?:-----END [A-Z0-9 ]+-----|$)/g;

// Variable names whose values are secrets by convention; other values (PORT, LOG_LEVEL) stay readable.
const SECRET_NAME = /token|secret|passw|pwd|key|credential|auth|private|cookie|session|dsn/i;

/** Whether a variable's name says it holds a secret (`NPM_TOKEN`, `DB_PASSWORD`). */
export function namesSecret(name: string): boolean {
  return SECRET_NAME.test(name);
}

/** The values of the variables whose names say they are secrets: what to redact from a tool's output. */
export function secretEnvValues(env: Readonly<Record<string, string | undefined>>): string[] {
  return Object.entries(env)
    .filter(([name, value]) => namesSecret(name) && !!value)
    .map(([, value]) => value!);
}

/** A URL without its credentials: `http://user:pw@host/x` → `http://***@host/x`; other text unchanged. */
export function redactUrl(url: string): string {
  return url.replace(URL_CREDENTIALS, `$1${REDACTED}@`);
}

/** URL credentials, PEM blocks and the given secret values (each at least 4 characters) anywhere in a text. */
export function redactText(text: string, secrets: readonly (string | undefined)[] = []): string {
  let out = redactUrl(text).replace(PEM_BLOCK, REDACTED);
  for (const secret of secrets) if (secret && secret.length >= 4) out = out.split(secret).join(REDACTED);
  return out;
}

// Flags whose next argument (or `--flag=value`) is a secret, as the tools nx-fleet runs spell them.
const SECRET_FLAGS = new Set([
  '--password',
  '--creds',
  '--src-creds',
  '--dest-creds',
  '--from-creds',
  '--registry-token',
  '--identity-token',
  '--token',
  '--registry-password',
  '--pact-broker-password',
  '--broker-token',
]);
// Whose next argument is `KEY=VALUE` and the value may be a secret: container environments, build args.
const PAIR_FLAGS = new Set(['--env', '-e', '--build-arg']);
const ENV_PAIR = /^([A-Za-z_][A-Za-z0-9_]*)=([\s\S]*)$/;
const ENV_NAME_PAIR = /^([A-Z_][A-Z0-9_]*)=([\s\S]+)$/;

/**
 * An argument vector as it may appear in a message: secret flags' values, `--env`/`--build-arg`
 * values, upper-case `KEY=VALUE` arguments, PEMs and URL credentials redacted.
 */
export function redactArgs(args: readonly string[], secrets: readonly (string | undefined)[] = []): string[] {
  return args.map((arg, i) => {
    const previous = args[i - 1];
    if (previous !== undefined && SECRET_FLAGS.has(previous)) return REDACTED;
    if (previous !== undefined && PAIR_FLAGS.has(previous)) {
      const pair = ENV_PAIR.exec(arg);
      return pair ? `${pair[1]}=${REDACTED}` : redactText(arg, secrets);
    }
    const eq = arg.indexOf('=');
    if (arg.startsWith('-') && eq > 0) {
      const flag = arg.slice(0, eq);
      if (SECRET_FLAGS.has(flag)) return `${flag}=${REDACTED}`;
      if (PAIR_FLAGS.has(flag)) {
        const pair = ENV_PAIR.exec(arg.slice(eq + 1));
        return pair ? `${flag}=${pair[1]}=${REDACTED}` : `${flag}=${REDACTED}`;
      }
    }
    const pair = ENV_NAME_PAIR.exec(arg);
    if (pair) return `${pair[1]}=${REDACTED}`;
    return redactText(arg, secrets);
  });
}

/** A command line for a message: `tool arg …`, redacted. */
export function redactCommandLine(command: string, args: readonly string[]): string {
  return [command, ...redactArgs(args)].join(' ');
}
