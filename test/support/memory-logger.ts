import { Writable } from 'node:stream';
import { pino, type Logger } from 'pino';

/** One parsed JSON log line. */
export interface LogLine {
  level: number;
  msg: string;
  [key: string]: unknown;
}

/** Creates a debug-level logger that keeps its lines in memory. */
export function memoryLogger(): { logger: Logger; lines: LogLine[] } {
  const lines: LogLine[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      lines.push(JSON.parse(chunk.toString()) as LogLine);
      callback();
    },
  });
  return { logger: pino({ level: 'debug' }, stream), lines };
}
