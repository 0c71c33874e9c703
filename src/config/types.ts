import { z } from 'zod';
import { MappingSyntaxError, parseMapping } from '../claims/mapping.js';

/**
 * Parsers for the value kinds a setting can have. Each accepts the string form used in
 * environment variables and the native form used in a YAML file, and produces the typed value.
 */

const trimmed = z.string().trim();

export const kinds = {
  string: () => z.union([trimmed, z.number().transform(String)]).pipe(z.string().min(1, 'must not be empty')),

  url: () =>
    trimmed.pipe(
      z.string().refine((s) => URL.canParse(s) && /^https?:$/.test(new URL(s).protocol), 'must be an absolute http(s) URL'),
    ),

  // One branch that reports its own message: a zod union would only say "Invalid input".
  int: (min: number, max: number) =>
    z.union([z.number(), trimmed])
      .transform((v, ctx) => {
        const n = typeof v === 'number' ? v : /^-?\d+$/.test(v) ? Number(v) : NaN;
        if (!Number.isInteger(n)) {
          ctx.addIssue({ code: 'custom', message: 'must be a whole number' });
          return z.NEVER;
        }
        return n;
      })
      .pipe(z.number().min(min, `must be at least ${min}`).max(max, `must be at most ${max}`)),

  bool: () =>
    z.union([z.boolean(), trimmed]).transform((v, ctx) => {
      if (typeof v === 'boolean') return v;
      const s = v.toLowerCase();
      if (['true', '1', 'yes'].includes(s)) return true;
      if (['false', '0', 'no'].includes(s)) return false;
      ctx.addIssue({ code: 'custom', message: 'must be true or false' });
      return z.NEVER;
    }),

  /** Comma- or whitespace-separated list; YAML may give an array. Empty string → empty list. */
  list: () =>
    z.union([z.array(trimmed), z.string()]).transform((v) =>
      (Array.isArray(v) ? v : v.split(/[\s,]+/)).map((s) => s.trim()).filter((s) => s.length > 0),
    ),

  /**
   * A claim mapping expression (src/claims/mapping.ts), checked for syntax at start-up. A YAML list
   * means "the first of these that is present".
   */
  mapping: () =>
    z.union([z.array(trimmed), trimmed]).transform((v, ctx) => {
      let text = Array.isArray(v) ? v.join(' | ') : v;
      // The list form of earlier versions, `preferred_username email`, still means "the first present".
      if (/^[^\s()|,+"]+(?:\s+[^\s()|,+"]+)+$/.test(text)) text = text.split(/\s+/).join(',');
      try {
        parseMapping(text);
      } catch (err) {
        if (!(err instanceof MappingSyntaxError)) throw err;
        ctx.addIssue({ code: 'custom', message: `is not a claim mapping: ${err.message}` });
        return z.NEVER;
      }
      return text;
    }),

  /** Durations: `90s`, `15m`, `12h`, `30d`, or plain seconds. Produces seconds. */
  duration: (minSeconds: number, maxSeconds: number) =>
    z.union([z.number(), trimmed])
      .transform((v, ctx) => {
        if (typeof v === 'number') return v;
        const m = /^(\d+)\s*(ms|s|m|h|d)?$/.exec(v);
        if (!m) {
          ctx.addIssue({ code: 'custom', message: 'must be a duration such as 30s, 15m, 12h or 90d' });
          return z.NEVER;
        }
        const n = Number(m[1]);
        const unit = m[2] ?? 's';
        const factor = { ms: 0.001, s: 1, m: 60, h: 3600, d: 86400 }[unit] ?? 1;
        return n * factor;
      })
      .pipe(z.number().min(minSeconds, `must be at least ${minSeconds}s`).max(maxSeconds, `must be at most ${maxSeconds}s`)),

  enumOf: <T extends readonly [string, ...string[]]>(values: T, opts: { caseless?: boolean } = {}) =>
    (opts.caseless ? trimmed.toLowerCase() : trimmed).pipe(z.enum(values, `must be one of ${values.join(', ')}`)),
};

export type Kind = z.ZodType<unknown, unknown>;

export interface FieldSpec<S extends z.ZodType = z.ZodType> {
  /** Primary environment variable. */
  readonly env: string;
  /** Older names still accepted (e.g. mlflow-oidc-auth's), with a start-up notice naming `env`. */
  readonly aliases?: readonly string[];
  readonly group: 'Upstream' | 'Gateway' | 'Identity provider' | 'Sessions' | 'Authorization' | 'Tokens' | 'Caching and replicas' | 'Provisioning (SCIM)' | 'Logging' | 'Operations';
  readonly schema: S;
  /** Default in the string form an operator would type; parsed through `schema`. */
  readonly default?: string;
  /** Shown in the reference when the default is computed (e.g. "the client id"). */
  readonly defaultText?: string;
  readonly required?: boolean;
  /** Never printed: config check and logs show `<set>` instead. */
  readonly secret?: boolean;
  readonly description: string;
}

/** Keeps the literal shape (`required: true`, `default`) so `Config` knows what is always set. */
export function field<const F extends FieldSpec>(spec: F): F {
  return spec;
}
