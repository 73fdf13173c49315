/** What a container exit code says about how the process ended. */
export interface ExitMeaning {
  /** `signal` when the code is 128 + a signal number, `exit` for the program's own codes. */
  kind: 'exit' | 'signal';
  /** Signal name such as `SIGKILL`, when `kind` is `signal`. */
  signal?: string;
  /** True for signals a program raises against itself when it crashes (SIGSEGV, SIGABRT, …). */
  selfInflicted: boolean;
  /** Short human reading, such as "SIGKILL (128 + 9)". */
  text: string;
}

// Linux signal numbers (signal(7)). Exit codes above 128 are 128 + the signal that ended the process.
const SIGNALS: Record<number, string> = {
  1: 'SIGHUP',
  2: 'SIGINT',
  3: 'SIGQUIT',
  4: 'SIGILL',
  5: 'SIGTRAP',
  6: 'SIGABRT',
  7: 'SIGBUS',
  8: 'SIGFPE',
  9: 'SIGKILL',
  11: 'SIGSEGV',
  13: 'SIGPIPE',
  14: 'SIGALRM',
  15: 'SIGTERM',
  31: 'SIGSYS',
};

/** Signals whose default action dumps core: the program itself faulted or aborted. */
const CRASH_SIGNALS = new Set(['SIGQUIT', 'SIGILL', 'SIGTRAP', 'SIGABRT', 'SIGBUS', 'SIGFPE', 'SIGSEGV', 'SIGSYS']);

/** Signals sent from outside: the kubelet at the end of the grace period, the kernel OOM killer, a drain. */
export const OUTSIDE_KILL_CODES = new Set([129, 130, 137, 143]);

/**
 * Reads a container exit code. 126 and 127 are the shell's "cannot execute"
 * and "command not found"; 128 with a runtime `StartError` means the process
 * never started; 129–159 are 128 + a signal number.
 */
export function exitMeaning(code: number): ExitMeaning {
  const signal = code > 128 && code < 160 ? SIGNALS[code - 128] : undefined;
  if (signal !== undefined) {
    return {
      kind: 'signal',
      signal,
      selfInflicted: CRASH_SIGNALS.has(signal),
      text: `${signal} (128 + ${code - 128})`,
    };
  }
  if (code === 126) return { kind: 'exit', selfInflicted: false, text: 'command cannot be executed' };
  if (code === 127) return { kind: 'exit', selfInflicted: false, text: 'command not found' };
  return { kind: 'exit', selfInflicted: false, text: `the program's own exit code ${code}` };
}
