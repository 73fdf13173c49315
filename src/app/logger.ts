import { pino, type Logger } from 'pino';

/**
 * Creates jobwatch's one logger: JSON lines on stderr, so stdout stays free for
 * the alerts printed in terminal mode. Fields that can carry credentials are
 * censored wherever they appear.
 */
export function createLogger(level: string, destination: NodeJS.WritableStream = process.stderr): Logger {
  return pino(
    {
      level,
      base: { app: 'jobwatch' },
      redact: {
        paths: ['token', 'botToken', 'appToken', 'signingSecret', '*.token', '*.botToken', '*.signingSecret', 'headers.authorization', '*.headers.authorization'],
        censor: '[redacted]',
      },
    },
    destination,
  );
}
