import type { Logger, LoggerOptions } from 'pino';

/** Where a credential could sit in a log object: pino's redaction censors these paths. */
const REDACTED_PATHS = [
  'req.headers.authorization', 'req.headers.cookie', 'req.headers["x-mlflow-authorization"]',
  'res.headers["set-cookie"]', 'headers.authorization', 'headers.cookie',
];
/**
 * Fields censored one level down in any logged value (`{ anything: { token } }`), the meaning pino's
 * wildcard paths (`*.token`) had. Not written as wildcard paths: pino then passes every field of every
 * line through its redaction (~9 µs of CPU and ~30 KiB of garbage per access-log line, measured: the
 * largest single cost of an authorized request, docs/benchmarks.md); `censorSecretFields` checks the
 * same fields at a fraction of that and copies only a value that holds one.
 */
const SECRET_FIELDS = ['password', 'token', 'secret', 'clientSecret', 'refreshToken', 'idToken', 'accessToken'] as const;
const CENSOR = '[redacted]';

/**
 * The object with every SECRET_FIELDS field of its object-valued fields replaced by the censor; the
 * object itself when there is none. Never changes what the caller passed (copies: an Error keeps its
 * prototype, message and stack). Arrays are left alone: JSON never shows their named fields.
 */
export function censorSecretFields<T extends Record<string, unknown>>(obj: T): T {
  let copy: Record<string, unknown> | undefined;
  for (const key in obj) {
    if (!Object.prototype.hasOwnProperty.call(obj, key)) continue;
    const value = obj[key];
    if (value === null || typeof value !== 'object' || Array.isArray(value)) continue;
    let censored: object | undefined;
    for (const field of SECRET_FIELDS) {
      if (!Object.prototype.hasOwnProperty.call(value, field)) continue; // present, even if undefined (as the wildcard paths did)
      censored ??= Object.create(Object.getPrototypeOf(value) as object | null, Object.getOwnPropertyDescriptors(value)) as object;
      Object.defineProperty(censored, field, { value: CENSOR, enumerable: true, writable: true, configurable: true });
    }
    if (censored) (copy ??= { ...obj })[key] = censored;
  }
  return (copy ?? obj) as T;
}

/**
 * Child loggers' bindings get the same censoring as log objects (`censorSecretFields`): pino applies
 * its bindings formatter to the root's base bindings only, so `child` itself is wrapped. A child is
 * created from its parent's prototype chain and inherits the wrapper: grandchildren are covered too.
 */
export function censorChildBindings<L extends Logger>(logger: L): L {
  const child = (Object.getPrototypeOf(logger) as { child: Logger['child'] }).child;
  Object.defineProperty(logger, 'child', {
    value: function censoredChild(this: Logger, bindings: Record<string, unknown>, options?: object) {
      return child.call(this, censorSecretFields(bindings), options);
    },
    configurable: true,
    writable: true,
  });
  return logger;
}

/**
 * pino options shared by the server and the CLI. Redaction is a second line of defence: the
 * gateway never passes secrets to the logger, and these paths are censored if one slips in.
 */
export function loggerOptions(level: string): LoggerOptions {
  return {
    level,
    redact: { paths: REDACTED_PATHS, censor: CENSOR },
    // Log objects and the base bindings; child loggers' bindings: censorChildBindings.
    formatters: { log: censorSecretFields, bindings: censorSecretFields },
    base: { service: 'mlflow-oidc-gateway' },
    timestamp: () => `,"time":"${new Date().toISOString()}"`,
  };
}
