import { pino, type Logger } from 'pino';

export interface CapturedLogger {
  logger: Logger;
  /** Every log record written so far, parsed. */
  records: () => Record<string, unknown>[];
}

/** Creates a pino logger at debug level that keeps its records in memory. */
export function captureLogger(): CapturedLogger {
  const lines: string[] = [];
  const logger = pino({ level: 'debug' }, { write: (line: string) => lines.push(line) });
  return {
    logger,
    records: () => lines.map((line) => JSON.parse(line) as Record<string, unknown>),
  };
}
