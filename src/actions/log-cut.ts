/**
 * Cuts a log to a byte budget on line boundaries, keeping its first lines and its end, where
 * the error usually is, with one marker line where the middle was cut. Sizes are UTF-8 bytes.
 */

/** Maximum number of first lines kept when a log is cut. */
export const HEAD_LINES = 50;

/** Part of a log's budget that its first lines may take; the rest goes to its end. */
export const HEAD_SHARE = 0.2;

/** Byte room kept for the cut marker line inside a log's budget. */
export const MARKER_RESERVE_BYTES = 160;

/** Returns the UTF-8 size of `text` in bytes. */
export function byteSize(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}

/** Formats a byte count in decimal units, such as `512 B`, `3.4 kB` or `12.0 MB`. */
export function formatBytes(bytes: number): string {
  if (bytes < 1000) return `${bytes} B`;
  if (bytes < 1_000_000) return `${(bytes / 1000).toFixed(1)} kB`;
  return `${(bytes / 1_000_000).toFixed(1)} MB`;
}

/** Formats a count with thousands separators, such as `12,345`. */
export function formatCount(count: number): string {
  return count.toLocaleString('en-US');
}

/** Splits text into lines, each with its newline; a final newline starts no extra line. */
export function splitLines(text: string): string[] {
  if (text === '') return [];
  const lines = text.split(/(?<=\n)/);
  return lines;
}

/**
 * Returns the longest piece of `line` of at most `maxBytes` bytes, from its start or from
 * its end, without splitting a surrogate pair.
 */
export function sliceToBytes(line: string, maxBytes: number, from: 'start' | 'end'): string {
  let chars = Math.min(line.length, maxBytes);
  for (;;) {
    const piece = from === 'start' ? line.slice(0, chars) : line.slice(line.length - chars);
    const size = byteSize(piece);
    if (size <= maxBytes) return dropBrokenPair(piece, from);
    chars = Math.max(0, Math.min(chars - 1, Math.floor((chars * maxBytes) / size)));
  }
}

function dropBrokenPair(piece: string, from: 'start' | 'end'): string {
  if (piece === '') return piece;
  const edge = from === 'start' ? piece.charCodeAt(piece.length - 1) : piece.charCodeAt(0);
  const broken =
    from === 'start' ? edge >= 0xd800 && edge <= 0xdbff : edge >= 0xdc00 && edge <= 0xdfff;
  if (!broken) return piece;
  return from === 'start' ? piece.slice(0, -1) : piece.slice(1);
}

/** Lines taken from one end of a log, with their size. */
export interface TakenLines {
  text: string;
  lines: number;
  bytes: number;
}

/**
 * Takes whole lines from the start of `lines` while they fit in `maxBytes` and `maxLines`.
 * When not even the first line fits and `partial` is true, the start of that line is kept,
 * marked with ` …` and a newline.
 */
export function takeHead(
  lines: readonly string[],
  maxBytes: number,
  maxLines = Number.POSITIVE_INFINITY,
  partial = true,
): TakenLines {
  const kept: string[] = [];
  let bytes = 0;
  for (const line of lines) {
    const size = byteSize(line);
    if (kept.length >= maxLines || bytes + size > maxBytes) break;
    kept.push(line);
    bytes += size;
  }
  const [first] = lines;
  if (partial && kept.length === 0 && first !== undefined && maxBytes > 8) {
    const text = `${sliceToBytes(first, maxBytes - 5, 'start')} …\n`;
    return { text, lines: 1, bytes: byteSize(text) };
  }
  return { text: kept.join(''), lines: kept.length, bytes };
}

/**
 * Takes whole lines from the end of `lines` while they fit in `maxBytes`. When not even the
 * last line fits, its end is kept, marked with a leading `… `.
 */
export function takeTail(lines: readonly string[], maxBytes: number): TakenLines {
  const kept: string[] = [];
  let bytes = 0;
  for (let i = lines.length - 1; i >= 0; i -= 1) {
    const line = lines[i] ?? '';
    const size = byteSize(line);
    if (bytes + size > maxBytes) break;
    kept.push(line);
    bytes += size;
  }
  const last = lines[lines.length - 1];
  if (kept.length === 0 && last !== undefined && maxBytes > 8) {
    const text = `… ${sliceToBytes(last, maxBytes - 4, 'end')}`;
    return { text, lines: 1, bytes: byteSize(text) };
  }
  return { text: kept.reverse().join(''), lines: kept.length, bytes };
}

/** Writes the marker line of a cut of known size, such as `… 12,345 lines (3.4 MB) cut …`. */
export function cutMarker(lines: number, bytes: number): string {
  return `… ${formatCount(lines)} lines (${formatBytes(bytes)}) cut …\n`;
}

/** A log after {@link cutToBudget}. */
export interface CutLog {
  text: string;
  /** Lines removed from the middle; 0 when the log fit. */
  cutLines: number;
  /** Bytes removed from the middle; 0 when the log fit. */
  cutBytes: number;
}

/** Splits a budget between a log's first lines and its end, keeping room for the marker. */
export function splitBudget(maxBytes: number): { headBytes: number; tailBytes: number } {
  const room = Math.max(0, maxBytes - MARKER_RESERVE_BYTES);
  const headBytes = Math.floor(room * HEAD_SHARE);
  return { headBytes, tailBytes: room - headBytes };
}

/**
 * Cuts a whole log to at most `maxBytes` bytes. A log that fits is returned unchanged.
 * Otherwise up to {@link HEAD_LINES} first lines and as many last lines as fit are kept,
 * with a marker line giving the number of lines and bytes cut between them.
 */
export function cutToBudget(text: string, maxBytes: number): CutLog {
  const total = byteSize(text);
  if (total <= maxBytes) return { text, cutLines: 0, cutBytes: 0 };
  const lines = splitLines(text);
  const { headBytes, tailBytes } = splitBudget(maxBytes);
  // A first line over the head's share is left to the end's share, so a log of one long line
  // keeps its end, where the error is.
  const head = takeHead(lines, headBytes, HEAD_LINES, false);
  // The end gets what the first lines left over, and never overlaps them.
  const tail = takeTail(lines.slice(head.lines), tailBytes + headBytes - head.bytes);
  const cutLines = Math.max(0, lines.length - head.lines - tail.lines);
  const cutBytes = Math.max(0, total - head.bytes - tail.bytes);
  return { text: head.text + cutMarker(cutLines, cutBytes) + tail.text, cutLines, cutBytes };
}
