import { Writable } from 'node:stream';
import fc from 'fast-check';
import { pino, type LoggerOptions } from 'pino';
import { describe, expect, it } from 'vitest';
import { censorChildBindings, censorSecretFields, loggerOptions } from './logger.js';

// The logger's censoring (a second line of defence: the gateway never logs secrets on purpose) must
// censor exactly what pino's wildcard redaction paths censored before they were replaced by
// censorSecretFields for speed: lines are compared with a logger configured the old way.
const SECRET_FIELDS = ['password', 'token', 'secret', 'clientSecret', 'refreshToken', 'idToken', 'accessToken'];
const OLD_REDACTION: LoggerOptions['redact'] = {
  paths: [
    'req.headers.authorization', 'req.headers.cookie', 'req.headers["x-mlflow-authorization"]',
    'res.headers["set-cookie"]', 'headers.authorization', 'headers.cookie', ...SECRET_FIELDS.map((f) => `*.${f}`),
  ],
  censor: '[redacted]',
};

/** A logger writing its lines into `lines` (no timestamp: lines of two loggers are compared). */
function capture(options: LoggerOptions): { log: pino.Logger; lines: string[] } {
  const lines: string[] = [];
  const sink = new Writable({ write(chunk: Buffer, _enc, done) { lines.push(...chunk.toString().split('\n').filter(Boolean)); done(); } });
  return { log: censorChildBindings(pino({ ...options, timestamp: false }, sink)), lines };
}
const now = capture(loggerOptions('info'));
const old = (() => {
  const lines: string[] = [];
  const sink = new Writable({ write(chunk: Buffer, _enc, done) { lines.push(...chunk.toString().split('\n').filter(Boolean)); done(); } });
  return { log: pino({ ...loggerOptions('info'), formatters: {}, redact: OLD_REDACTION, timestamp: false }, sink), lines };
})();
const lineOf = (logger: { log: pino.Logger; lines: string[] }, write: (log: pino.Logger) => void): string => {
  write(logger.log);
  return logger.lines.pop() ?? '';
};

const key = fc.constantFrom(...SECRET_FIELDS, 'name', 'user', 'headers', 'authorization', 'cookie', 'req', 'res', 'value');
const leaf = fc.oneof(fc.string({ maxLength: 8 }), fc.integer(), fc.boolean(), fc.constant(null), fc.constant(undefined));
const tree = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: 'small' }, leaf, fc.array(tie('value'), { maxLength: 2 }), fc.dictionary(key, tie('value'), { maxKeys: 4, noNullPrototype: true })),
})).value;
const logObject = fc.dictionary(key, tree, { maxKeys: 5, noNullPrototype: true });

describe('log censoring', () => {
  it('a credential that slips into a log object one level down is censored, in log lines and in child bindings', () => {
    const line = lineOf(now, (log) => log.info({ event: 'x', body: { password: 'hunter2', token: 'mog_abc', note: 'kept' }, err: Object.assign(new Error('boom'), { accessToken: 'eyJsecret' }) }, 'm'));
    expect(line).not.toMatch(/hunter2|mog_abc|eyJsecret/);
    expect(JSON.parse(line)).toMatchObject({ body: { password: '[redacted]', token: '[redacted]', note: 'kept' }, err: { message: 'boom', accessToken: '[redacted]' } });
    const child = lineOf(now, (log) => log.child({ session: { idToken: 'eyJchild' } }).info('m'));
    expect(child).not.toContain('eyJchild');
    const grandchild = lineOf(now, (log) => log.child({ reqId: 1 }).child({ session: { refreshToken: 'rt-grand' } }).info('m'));
    expect(grandchild).not.toContain('rt-grand');
    const headers = lineOf(now, (log) => log.info({ req: { headers: { authorization: 'Bearer mog_x', cookie: 'mog_session=y' } } }, 'm'));
    expect(headers).not.toMatch(/mog_x|mog_session=y/);
  });

  it('never changes the object the caller logged', () => {
    const body = { password: 'hunter2' };
    const logged = { body };
    expect(censorSecretFields(logged)).not.toBe(logged);
    expect(logged.body).toBe(body);
    expect(body.password).toBe('hunter2');
    const clean = { event: 'request', user: 'alice', ms: 1 };
    expect(censorSecretFields(clean)).toBe(clean); // nothing to censor: no copy
  });

  it('writes the same lines as the wildcard redaction paths it replaces (property)', () => {
    const err = Object.assign(new Error('boom'), { token: 'mog_t', code: 'X' });
    for (const obj of [{ err }, { error: err }, { err: new Error('plain') }]) {
      expect(lineOf(now, (log) => log.info(obj, 'm'))).toBe(lineOf(old, (log) => log.info(obj, 'm')));
    }
    fc.assert(
      fc.property(logObject, fc.option(logObject, { nil: undefined }), (obj, bindings) => {
        const write = (log: pino.Logger) => (bindings ? log.child(bindings) : log).info(obj, 'message');
        expect(lineOf(now, write)).toBe(lineOf(old, write));
      }),
      { numRuns: 500 },
    );
  });
});
