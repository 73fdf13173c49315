import { findExceptionBlocks } from './exception-blocks.ts';

/** Options for `decisiveLines`. */
export interface DecisiveLinesOptions {
  /** Maximum number of lines returned. Default 6. */
  maxLines?: number;
}

/** The result of reading a log for the lines that explain its end. */
export interface LogReading {
  /** The chosen lines, trimmed, in log order. */
  lines: string[];
  /** True when the lines are error lines; false when they are only the log's last lines. */
  fromErrors: boolean;
  /** The one line that best names the error: the exception or panic line, else the last severe line. */
  headline?: string;
}

const DEFAULT_MAX_LINES = 6;
const TAIL_LINES = 3;
/** Longer lines are cut; evidence formatting clips them further around the matched words. */
const MAX_LINE_CHARS = 2000;

// eslint-disable-next-line no-control-regex -- matching terminal escapes is the point
const ANSI = /\x1b\[[0-?]*[ -/]*[@-~]/g;

const SEVERE =
  /(^|[\s[("'=:])(FATAL|Fatal|fatal|CRITICAL|PANIC|SEVERE)\b|level=(fatal|panic|critical)|"(level|severity)"\s*:\s*"(fatal|panic|critical)"/;
const ERROR =
  /(^|[\s[("'=])(ERROR|Error|error)(\b|:)|level=error|"(level|severity)"\s*:\s*"error"|^E\d{4} |\[E\]|^ERR\b/;
const WEAK =
  /\b(failed|failure|cannot|can't|could not|couldn't|unable to|refused|denied|timed out|not found|no such|exceeded|unauthorized|forbidden|not permitted|killed)\b/i;
const NOT_ERROR = /\b(0 errors?|no errors?|errors?=0|error_count=0|without errors?)\b/i;
/**
 * Lines that show the program got past an earlier error: a reconnect, a retry that worked, or
 * wait-for-it's "host:port is available after N seconds".
 */
const RECOVERY =
  /\b(re)?connected\b|\bconnection (established|restored|successful)\b|\bis available after\b|\bsucceeded\b|\brecovered\b|\bis ready\b|\bready to accept\b|\bback online\b|\bretry(ing)? (succeeded|ok)\b/i;
// Frames of Node.js and the JVM, Python, Ruby (`from` and Rake's bare `path:line:in`) and Rust.
const STACK_FRAME =
  /^\s+(at |File "|from |\.\.\. \d+ more)|^\S+\.rb:\d+:in [`']|^\s*\d+:\s+0x[0-9a-f]+ /;

interface Scored {
  index: number;
  weight: number;
}

/**
 * Picks the few log lines that explain why a program ended. These are the
 * last exception with its final frame (Python, Java, Node.js, Ruby), a Go or
 * Rust panic with its first frame, the first fatal error, shell errors and
 * the last error lines. Errors followed by a line showing recovery (a
 * reconnect, a retry that worked) are left out. A log without error lines
 * gives its last lines, which show where a hung or killed program stopped.
 */
export function decisiveLines(text: string, options: DecisiveLinesOptions = {}): string[] {
  return readLog(text, options).lines;
}

/** Like `decisiveLines`, and also says whether the lines are errors or only the tail. */
export function readLog(text: string, options: DecisiveLinesOptions = {}): LogReading {
  const maxLines = options.maxLines ?? DEFAULT_MAX_LINES;
  const lines = text.replace(ANSI, '').split(/\r?\n/);
  const recoveredBefore = lastRecoveryIndex(lines);
  const chosen = new Map<number, number>();
  let headlineIndex = -1;
  for (const block of findExceptionBlocks(lines)) {
    if (block.end <= recoveredBefore) continue;
    block.indices.forEach((index, i) => chosen.set(index, 10 - i * 0.01));
    headlineIndex = Math.max(headlineIndex, block.indices[0] ?? -1);
  }
  const scored = scoreLines(lines, recoveredBefore, chosen);
  const picked = pickLines([...chosen].map(([index, weight]) => ({ index, weight })), scored, maxLines);
  if (picked.length > 0) {
    if (headlineIndex < 0) headlineIndex = strongestLast(scored, picked);
    const headline = clip(lines[headlineIndex] ?? '');
    return { lines: picked.map((i) => clip(lines[i] ?? '')), fromErrors: true, headline };
  }
  const tail = lines.filter((line) => line.trim() !== '').slice(-Math.min(TAIL_LINES, maxLines));
  return { lines: tail.map(clip), fromErrors: false };
}

function strongestLast(scored: Scored[], picked: number[]): number {
  const candidates = scored.filter((s) => picked.includes(s.index));
  candidates.sort((a, b) => b.weight - a.weight || b.index - a.index);
  return candidates[0]?.index ?? picked[picked.length - 1] ?? -1;
}

function lastRecoveryIndex(lines: string[]): number {
  for (let i = lines.length - 1; i >= 0; i--) {
    const line = lines[i] ?? '';
    if (RECOVERY.test(line) && lineWeight(line) === 0) return i;
  }
  return -1;
}

function lineWeight(line: string): number {
  if (line.trim() === '' || STACK_FRAME.test(line) || NOT_ERROR.test(line)) return 0;
  if (SEVERE.test(line)) return 3;
  if (ERROR.test(line)) return 2;
  if (WEAK.test(line)) return 1;
  return 0;
}

function scoreLines(lines: string[], recoveredBefore: number, chosen: Map<number, number>): Scored[] {
  const seen = new Set<string>();
  const scored: Scored[] = [];
  // Walk backwards so that repeated lines keep their latest copy.
  for (let index = lines.length - 1; index > recoveredBefore; index--) {
    const line = lines[index] ?? '';
    const weight = lineWeight(line);
    if (weight === 0 || chosen.has(index)) continue;
    const key = line.trim().replace(/0x[0-9a-f]+|\d+/gi, '#');
    if (seen.has(key)) continue;
    seen.add(key);
    scored.push({ index, weight });
  }
  return scored;
}

function pickLines(blocks: Scored[], scored: Scored[], maxLines: number): number[] {
  const picked: number[] = blocks
    .sort((a, b) => b.weight - a.weight)
    .slice(0, maxLines)
    .map((s) => s.index);
  const firstSevere = [...scored].reverse().find((s) => s.weight === 3);
  const ordered = [
    ...(firstSevere === undefined ? [] : [firstSevere]),
    ...scored.filter((s) => s !== firstSevere).sort((a, b) => b.weight - a.weight || b.index - a.index),
  ];
  for (const candidate of ordered) {
    if (picked.length >= maxLines) break;
    if (blocks.length > 0 && candidate.weight < 2) continue;
    picked.push(candidate.index);
  }
  return [...new Set(picked)].sort((a, b) => a - b);
}

function clip(line: string): string {
  const trimmed = line.trim();
  return trimmed.length > MAX_LINE_CHARS ? `${trimmed.slice(0, MAX_LINE_CHARS)}…` : trimmed;
}
