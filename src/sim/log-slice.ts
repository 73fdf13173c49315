/** Options of {@link sliceLog}, as the pods/log query parameters carry them. */
export interface LogSliceOptions {
  /** Keep only the last N lines. */
  tailLines?: number | undefined;
  /** Stop after this many bytes of output (after timestamps are added). */
  limitBytes?: number | undefined;
  /** Prefix each line with this RFC 3339 time and a space, as `timestamps=true` does. */
  timestamp?: string | undefined;
}

const newline = 0x0a;

/**
 * Returns the byte offset where the last `lines` lines of `log` start. A final newline ends
 * the last line rather than starting an empty one.
 */
export function tailOffset(log: Buffer, lines: number): number {
  if (lines <= 0) return log.length;
  let end = log.length;
  if (end > 0 && log[end - 1] === newline) end -= 1;
  for (let found = 0; end > 0; ) {
    const index = log.lastIndexOf(newline, end - 1);
    if (index < 0) return 0;
    found += 1;
    if (found === lines) return index + 1;
    end = index;
  }
  return 0;
}

function addTimestamps(log: Buffer, timestamp: string, limitBytes: number): Buffer {
  const parts: Buffer[] = [];
  const prefix = Buffer.from(`${timestamp} `);
  let size = 0;
  for (let start = 0; start < log.length && size < limitBytes; ) {
    const index = log.indexOf(newline, start);
    const end = index < 0 ? log.length : index + 1;
    parts.push(prefix, log.subarray(start, end));
    size += prefix.length + end - start;
    start = end;
  }
  return Buffer.concat(parts).subarray(0, limitBytes);
}

/**
 * Cuts a container log as the kubelet does: tail first, then timestamps, then the byte
 * limit. Without timestamps the result is a view of `log`, so a large log is not copied.
 */
export function sliceLog(log: Buffer, options: LogSliceOptions): Buffer {
  const tailed =
    options.tailLines === undefined ? log : log.subarray(tailOffset(log, options.tailLines));
  const limit = options.limitBytes ?? Number.POSITIVE_INFINITY;
  if (options.timestamp !== undefined) return addTimestamps(tailed, options.timestamp, limit);
  return tailed.subarray(0, Math.min(tailed.length, limit));
}
