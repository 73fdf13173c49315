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
const GO_PANIC = /^(panic|fatal error): /;
const GO_SIGNAL = /^\[signal /;
const GO_RUNNING = /^goroutine \d+ \[running\]:/;
const RUST_PANIC = /^thread '.*' panicked at /;
const NODE_FATAL = /^FATAL ERROR: /;
const NODE_ERROR = /^(Uncaught )?([A-Z][A-Za-z]*)?Error( \[[A-Z_]+\])?: /;
const RUBY_ERROR = /^\S+:\d+:in [`'][^']*': .+ \([A-Z][\w:]*\)$/;
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
    lastMatchBlock(lines, RUBY_ERROR),
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
    const indices = [header];
    const cause = lastIndex(lines, JAVA_CAUSE);
    if (cause > header) indices.unshift(cause);
    indices.push(frame);
    return block(indices);
  }
  return undefined;
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
  return block(indices);
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

function lastMatchBlock(lines: string[], pattern: RegExp): ExceptionBlock | undefined {
  const index = lastIndex(lines, pattern);
  return index < 0 ? undefined : block([index]);
}
