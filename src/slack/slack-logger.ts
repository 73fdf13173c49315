/** A bridge from the logger interface of Bolt and `@slack/web-api` to pino. */
import { LogLevel, type Logger as SlackLogger } from '@slack/bolt';
import type { Logger } from 'pino';

const PINO_TO_SLACK: Record<string, LogLevel> = {
  trace: LogLevel.DEBUG,
  debug: LogLevel.DEBUG,
  info: LogLevel.INFO,
  warn: LogLevel.WARN,
  error: LogLevel.ERROR,
  fatal: LogLevel.ERROR,
};

/**
 * Wraps a pino logger in the `Logger` interface of `@slack/logger`. Slack's libraries log
 * lists of values; an `Error` among them goes to the `err` field and the rest is joined into
 * the message. `setName` and `setLevel` act on a child logger, never on `logger` itself.
 */
export function toSlackLogger(logger: Logger): SlackLogger {
  let child = logger.child({});
  const write = (level: 'debug' | 'info' | 'warn' | 'error', values: unknown[]): void => {
    const err = values.find((value): value is Error => value instanceof Error);
    const message = values
      .filter((value) => value !== err)
      .map(formatValue)
      .join(' ');
    if (err === undefined) {
      child[level](message);
    } else {
      child[level]({ err }, message);
    }
  };
  return {
    debug: (...values: unknown[]) => write('debug', values),
    info: (...values: unknown[]) => write('info', values),
    warn: (...values: unknown[]) => write('warn', values),
    error: (...values: unknown[]) => write('error', values),
    setLevel: (level: LogLevel) => {
      child.level = level;
    },
    getLevel: () => PINO_TO_SLACK[child.level] ?? LogLevel.INFO,
    setName: (name: string) => {
      const level = child.level;
      child = logger.child({ name });
      child.level = level;
    },
  };
}

function formatValue(value: unknown): string {
  if (typeof value === 'string') {
    return value;
  }
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    // Circular or otherwise unserialisable values are logged by their string form.
    return String(value);
  }
}
