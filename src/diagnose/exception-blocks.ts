/** Lines of one exception, panic or shell error, most telling first. */
export interface ExceptionBlock {
  indices: number[];
  /** Index of the block's last line, used to tell whether the program recovered after it. */
  end: number;
}

const PY_TRACEBACK = /^\s*Traceback \(most recent call last\):/;
const PY_FRAME = /^\s+File "/;
const PY_CHAIN = /^(During handling of the above exception|The above exception was the direct cause)/;
const JAVA_HEADER =
  /^(Exception in thread "[^"]*" )?([a-zA-Z_$][\w$]*\.)+[\w$]*(Exception|Error|Throwable)(: .*)?$/;
const JAVA_CAUSE = /^Caused by: /;
const JAVA_FRAME = /^\s+at /;
/** Maximum lines of a `Caused by:` message before its first frame. */
const MAX_MESSAGE_LINES = 8;
/** Lines that still belong to one JVM trace: frames, `... N more`, causes and suppressed ones. */
const JAVA_TRACE_LINE = /^\s+(at |\.\.\. \d+ more)|^Caused by: |^\s+Suppressed: /;
const GO_PANIC = /^(panic|fatal error): /;
const GO_SIGNAL = /^\[signal /;
const GO_RUNNING = /^goroutine \d+ \[running\]:/;
const RUST_PANIC = /^thread '.*' panicked at /;
/** A `RUST_BACKTRACE` frame: `  13:     0x563f0c866d48 - crate::module::function::h6d1c…`. */
const RUST_FRAME = /^\s*\d+:\s+0x[0-9a-f]+ - (.+)$/;
/** Frames of the standard library and of the panic machinery that runs before any program code. */
const RUST_RUNTIME_FRAME = /^(<?(std|core|alloc|panic_unwind)::|__rust|rust_begin_unwind|_start$|__libc_start)/;
const NODE_FATAL = /^FATAL ERROR: /;
const NODE_ERROR = /^(Uncaught )?([A-Z][A-Za-z]*)?Error( \[[A-Z_]+\])?: /;
const RUBY_ERROR = /^\S+:\d+:in [`'][^']*': .+ \([A-Z][\w:]*\)$/;
/** Rake prints `rake aborted!`, then `Class::Name: message`, then bare `path:line:in` frames. */
const RAKE_ABORTED = /^(rake|rails) aborted!$/;
const RUBY_EXCEPTION = /^[A-Z]\w*(::[A-Z]\w*)*: \S/;
const RUBY_CAUSED_BY = /^Caused by:$/;
const RUBY_FRAME = /^\s*(from )?\S+:\d+:in [`']/;
const SHELL_ERROR =
  /^((\/[\w.-]+)*\/)?(ba|da|z|k|a)?sh: (line \d+: |\d+: )?.*(not found|Permission denied|No such file or directory|syntax error|cannot execute)|^exec .*: (exec format error|no such file or directory|permission denied)$|: command not found$/i;

/**
 * Finds the exceptions, panics and shell errors in a log: for each language
 * only the last one, since earlier ones were either chained into it or
 * handled. Each block lists the error line first, then its message
 * continuation, root cause and final or first stack frame.
 */
export function findExceptionBlocks(lines: string[]): ExceptionBlock[] {
  const blocks = [
    pythonBlock(lines),
    javaBlock(lines),
    goBlock(lines),
    rustBlock(lines),
    nodeBlock(lines),
    rakeBlock(lines) ?? lastMatchBlock(lines, RUBY_ERROR),
    lastMatchBlock(lines, SHELL_ERROR),
  ];
  return blocks.filter((b): b is ExceptionBlock => b !== undefined);
}

function lastIndex(lines: string[], pattern: RegExp, from = lines.length - 1): number {
  for (let i = from; i >= 0; i--) if (pattern.test(lines[i] ?? '')) return i;
  return -1;
}

function firstIndex(lines: string[], pattern: RegExp, from = 0): number {
  for (let i = from; i < lines.length; i++) if (pattern.test(lines[i] ?? '')) return i;
  return -1;
}

function block(indices: number[]): ExceptionBlock {
  return { indices, end: Math.max(...indices) };
}

function isIndented(line: string | undefined): boolean {
  return line !== undefined && /^\s+\S/.test(line);
}

function pythonBlock(lines: string[]): ExceptionBlock | undefined {
  const start = lastIndex(lines, PY_TRACEBACK);
  if (start < 0) return undefined;
  let exception = -1;
  let lastFrame = -1;
  for (let i = start + 1; i < lines.length; i++) {
    const line = lines[i] ?? '';
    if (PY_FRAME.test(line)) lastFrame = i;
    if (line.trim() !== '' && !isIndented(line) && !PY_CHAIN.test(line)) {
      exception = i;
      break;
    }
  }
  if (exception < 0) return undefined;
  const indices = [exception];
  // Multi-line messages (libpq's "Is the server running on host …") continue indented.
  for (let i = exception + 1; i <= exception + 3 && isIndented(lines[i]); i++) {
    if (PY_FRAME.test(lines[i] ?? '')) break;
    indices.push(i);
  }
  if (lastFrame >= 0) {
    indices.push(lastFrame);
    if (isIndented(lines[lastFrame + 1]) && !PY_FRAME.test(lines[lastFrame + 1] ?? '')) {
      indices.push(lastFrame + 1);
    }
  }
  return block(indices);
}

function javaBlock(lines: string[]): ExceptionBlock | undefined {
  for (let header = lastIndex(lines, JAVA_HEADER); header >= 0; header = lastIndex(lines, JAVA_HEADER, header - 1)) {
    const frame = firstIndex(lines, JAVA_FRAME, header + 1);
    if (frame < 0 || frame - header > 12) continue;
    const indices = [header, frame];
    const cause = rootCause(lines, frame);
    if (cause >= 0) {
      indices.unshift(cause);
      // The root cause's first frame is where it was thrown; the header's frame is where it surfaced.
      const thrownAt = firstIndex(lines, JAVA_FRAME, cause + 1);
      if (thrownAt > 0 && thrownAt - cause <= MAX_MESSAGE_LINES + 1) indices.push(thrownAt);
    }
    return block(indices);
  }
  return undefined;
}

/**
 * Finds the last `Caused by:` of the trace whose first frame is `frame`: the
 * innermost exception of the chain. The JVM prints each cause after the
 * frames of the exception it caused and shortens repeated frames to
 * `... N more`, so the search stops at the first line outside the trace.
 */
function rootCause(lines: string[], frame: number): number {
  let cause = -1;
  let messageLines = 0;
  for (let i = frame; i < lines.length; i++) {
    const line = lines[i] ?? '';
    if (JAVA_CAUSE.test(line)) {
      cause = i;
      messageLines = MAX_MESSAGE_LINES;
    } else if (JAVA_TRACE_LINE.test(line)) {
      messageLines = 0;
    } else if (messageLines-- <= 0) {
      // A cause's message may span lines before its first frame (multi-line SQL errors).
      break;
    }
  }
  return cause;
}

function goBlock(lines: string[]): ExceptionBlock | undefined {
  const panic = firstIndex(lines, GO_PANIC);
  if (panic < 0) return undefined;
  const indices = [panic];
  if (GO_SIGNAL.test(lines[panic + 1] ?? '')) indices.push(panic + 1);
  const running = firstIndex(lines, GO_RUNNING, panic + 1);
  if (running > 0 && running - panic < 6) {
    for (const i of [running + 1, running + 2]) if (i < lines.length) indices.push(i);
  }
  return block(indices);
}

function rustBlock(lines: string[]): ExceptionBlock | undefined {
  const panic = lastIndex(lines, RUST_PANIC);
  if (panic < 0) return undefined;
  const indices = [panic];
  // Since Rust 1.73 the message follows on its own line after "panicked at file:line:col:".
  if ((lines[panic] ?? '').trimEnd().endsWith(':') && panic + 1 < lines.length) indices.push(panic + 1);
  const frame = rustProgramFrame(lines, panic + 1);
  if (frame >= 0) indices.push(frame);
  return block(indices);
}

/**
 * Picks the backtrace frame that names the program's own code. A backtrace
 * of the main thread contains `<crate>::main`, which names the binary's
 * crate. The first frame of that crate is chosen, else the first frame
 * outside the standard library and the panic machinery.
 */
function rustProgramFrame(lines: string[], from: number): number {
  const frames: { index: number; symbol: string }[] = [];
  for (let i = from; i < lines.length && i < from + 200; i++) {
    const symbol = RUST_FRAME.exec(lines[i] ?? '')?.[1];
    if (symbol !== undefined) frames.push({ index: i, symbol });
    else if (frames.length > 0 && !/^\s+at /.test(lines[i] ?? '')) break;
  }
  const main = frames.find((f) => /^[a-z_][\w]*::main::h[0-9a-f]+$|^[a-z_]\w*::main$/.test(f.symbol));
  const crate = main?.symbol.split('::')[0];
  const own = crate === undefined ? undefined : frames.find((f) => f.symbol.startsWith(`${crate}::`));
  const outside = frames.find((f) => !RUST_RUNTIME_FRAME.test(f.symbol));
  return (own ?? outside)?.index ?? -1;
}

function nodeBlock(lines: string[]): ExceptionBlock | undefined {
  const fatal = lastIndex(lines, NODE_FATAL);
  if (fatal >= 0) return block([fatal]);
  for (let i = lastIndex(lines, NODE_ERROR); i >= 0; i = lastIndex(lines, NODE_ERROR, i - 1)) {
    const frame = firstIndex(lines, JAVA_FRAME, i + 1);
    if (frame > 0 && frame - i <= 6) return block([i, frame]);
  }
  return undefined;
}

/**
 * Reads a Rake abort: the exception line after `rake aborted!`, its first
 * frame, and the last exception under `Caused by:`, which Rake prints for
 * the exception that the aborting one wraps.
 */
function rakeBlock(lines: string[]): ExceptionBlock | undefined {
  const aborted = lastIndex(lines, RAKE_ABORTED);
  if (aborted < 0 || !RUBY_EXCEPTION.test(lines[aborted + 1] ?? '')) return undefined;
  const indices = [aborted + 1];
  if (RUBY_FRAME.test(lines[aborted + 2] ?? '')) indices.push(aborted + 2);
  const causedBy = lastIndex(lines, RUBY_CAUSED_BY);
  if (causedBy > aborted && RUBY_EXCEPTION.test(lines[causedBy + 1] ?? '')) indices.unshift(causedBy + 1);
  return block(indices);
}

function lastMatchBlock(lines: string[], pattern: RegExp): ExceptionBlock | undefined {
  const index = lastIndex(lines, pattern);
  return index < 0 ? undefined : block([index]);
}
