import type { LoggerOptions } from 'pino';

/**
 * pino options shared by the server and the CLI. Redaction is a second line of defence: the
 * gateway never passes secrets to the logger, and these paths are censored if one slips in.
 */
export function loggerOptions(level: string): LoggerOptions {
  return {
    level,
    redact: {
      paths: [
        'req.headers.authorization', 'req.headers.cookie', 'req.headers["x-mlflow-authorization"]',
        'res.headers["set-cookie"]', 'headers.authorization', 'headers.cookie', '*.password', '*.token', '*.secret',
        '*.clientSecret', '*.refreshToken', '*.idToken', '*.accessToken',
      ],
      censor: '[redacted]',
    },
    base: { service: 'mlflow-oidc-gateway' },
    timestamp: () => `,"time":"${new Date().toISOString()}"`,
  };
}
