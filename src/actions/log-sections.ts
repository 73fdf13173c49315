/**
 * Turns one log source into a section of the full-logs file: reads it within its byte share,
 * redacts it and cuts it, and writes the notes that state where it came from and what was cut.
 */
import type { Logger } from 'pino';
import type { ClusterReader } from '../episode/cluster-reader.ts';
import {
  cutToBudget,
  formatBytes,
  formatCount,
  HEAD_LINES,
  splitBudget,
  splitLines,
  takeHead,
  takeTail,
} from './log-cut.ts';
import type { LogSource } from './log-sources.ts';
import { readLogWindow, type LogWindow } from './log-window.ts';

/** Maximum length of a read failure shown in the file, in characters. */
const MAX_REASON_CHARS = 300;

/** A source after reading: its text, redacted, and whether it came from the live pod. */
export interface LogSection {
  source: LogSource;
  origin: 'live' | 'captured' | 'none';
  /** Redacted, cut text; ends with a newline unless empty. */
  text: string;
  /** True when lines were cut or only part of the log could be read. */
  truncated: boolean;
  notes: string[];
}

/** Dependencies of reading a section, besides the source. */
export interface SectionContext {
  reader: ClusterReader;
  redact: (text: string) => string;
  logger?: Logger | undefined;
}

/** Names a source for notes, such as `pod a-1x2y3 container main (run 2, before the last restart)`. */
export function describeSource(source: LogSource): string {
  const kind = source.init ? 'init container' : 'container';
  const run = source.run === undefined ? '' : `run ${source.run + 1}`;
  const previous = source.previous ? 'before the last restart' : '';
  const detail = [run, previous].filter((part) => part !== '').join(', ');
  return `pod ${source.pod} ${kind} ${source.container}${detail === '' ? '' : ` (${detail})`}`;
}

function endWithNewline(text: string): string {
  return text === '' || text.endsWith('\n') ? text : `${text}\n`;
}

function unavailableText(reason: string): string {
  return reason.length > MAX_REASON_CHARS ? `${reason.slice(0, MAX_REASON_CHARS)} …` : reason;
}

/** Builds a section from captured text, cut to `maxBytes`. */
export function capturedSection(
  source: LogSource,
  maxBytes: number,
  redact: (text: string) => string,
  why: string,
): LogSection {
  const captured = source.captured ?? { text: '', truncated: false };
  const cut = cutToBudget(redact(captured.text), maxBytes);
  const notes = [
    `${describeSource(source)}: ${why}, ` +
      'so its log comes from the evidence captured when it failed' +
      `${captured.truncated ? ', which holds only the end of the log' : ''}.`,
  ];
  if (cut.cutLines > 0) notes.push(cutNote(source, cut.cutLines, cut.cutBytes));
  return {
    source,
    origin: 'captured',
    text: endWithNewline(cut.text),
    truncated: captured.truncated || cut.cutLines > 0,
    notes,
  };
}

function cutNote(source: LogSource, lines: number, bytes: number): string {
  return (
    `${describeSource(source)}: ${formatCount(lines)} lines (${formatBytes(bytes)}) ` +
    'cut from the middle to fit its share of the size limit.'
  );
}

function missingSection(source: LogSource, reason: string): LogSection {
  const shown = unavailableText(reason);
  return {
    source,
    origin: 'none',
    text: `(no log: ${shown})\n`,
    truncated: false,
    notes: [`${describeSource(source)}: no log, ${shown}.`],
  };
}

/**
 * Reads one live source with a budget of `maxBytes`. A log the pod no longer has, or a
 * failed read, falls back to the captured text when there is one.
 */
export async function liveSection(
  context: SectionContext,
  source: LogSource,
  maxBytes: number,
): Promise<LogSection> {
  const target = {
    namespace: source.namespace,
    pod: source.pod,
    container: source.container,
    previous: source.previous,
  };
  let window: LogWindow;
  try {
    window = await readLogWindow(context.reader, target, maxBytes);
  } catch (err) {
    context.logger?.warn({ err, pod: source.pod, container: source.container }, 'log read failed');
    window = { unavailable: `read failed: ${err instanceof Error ? err.message : String(err)}` };
  }
  if ('unavailable' in window) {
    if (source.captured)
      return capturedSection(
        source,
        maxBytes,
        context.redact,
        `the live read failed (${unavailableText(window.unavailable)})`,
      );
    return missingSection(source, window.unavailable);
  }
  if (window.complete) {
    const cut = cutToBudget(context.redact(window.text), maxBytes);
    const notes = cut.cutLines > 0 ? [cutNote(source, cut.cutLines, cut.cutBytes)] : [];
    return {
      source,
      origin: 'live',
      text: endWithNewline(cut.text),
      truncated: cut.cutLines > 0,
      notes,
    };
  }
  return windowSection(source, window, maxBytes, context.redact);
}

/** Joins the start and end of a log too long to read whole, with a marker between them. */
function windowSection(
  source: LogSource,
  window: Extract<LogWindow, { complete: false }>,
  maxBytes: number,
  redact: (text: string) => string,
): LogSection {
  const { headBytes, tailBytes } = splitBudget(maxBytes);
  const headLines = splitLines(redact(window.head));
  // The read stopped at a byte count, so its last line is usually cut short.
  const lastHeadLine = headLines[headLines.length - 1] ?? '';
  if (headLines.length > 1 && !lastHeadLine.endsWith('\n')) headLines.pop();
  const head = takeHead(headLines, headBytes, HEAD_LINES);
  const tailRoom = tailBytes + headBytes - head.bytes;
  // NOTE: the end is redacted on its own. Key lines above a PEM private key's END line are
  // masked without their BEGIN line, but key lines cut off before their END line are shown.
  const tail = window.tailTruncated
    ? takeHead([redact(window.tail)], tailRoom)
    : takeTail(splitLines(redact(window.tail)), tailRoom);
  const over = formatBytes(window.probeBytes);
  const marker = `… lines cut: the log is over ${over}, so the part between these lines was not read …\n`;
  const notes = [
    `${describeSource(source)}: the log is over ${over}. Its first ${formatCount(head.lines)} ` +
      `and last ${formatCount(tail.lines)} lines were read, and the middle was not.`,
  ];
  if (window.tailTruncated) {
    notes.push(
      `${describeSource(source)}: its last line alone is over ${formatBytes(tailRoom)}, ` +
        'so only the start of that line is shown.',
    );
  }
  return {
    source,
    origin: 'live',
    text: endWithNewline(head.text + marker + tail.text),
    truncated: true,
    notes,
  };
}
