/** A request to stop the demo, with its cause and the exit code that reports it. */
export interface StopRequest {
  /**
   * `SIGINT`, `SIGTERM`, `EPIPE` when the reader of stdout went away (`| head`), or
   * `output-error` when stdout failed otherwise.
   */
  reason: 'SIGINT' | 'SIGTERM' | 'EPIPE' | 'output-error';
  /** 128 plus the signal number, as a shell reports a process ended by that signal, else 1. */
  exitCode: number;
}

const EXIT_CODES: Record<StopRequest['reason'], number> = {
  SIGINT: 130,
  SIGTERM: 143,
  // EPIPE is what a write returns in place of the SIGPIPE signal (13) that Node ignores.
  EPIPE: 141,
  'output-error': 1,
};

/**
 * Resources the demo opened, closed in the reverse order of {@link Closers.add}. A resource
 * added after {@link Closers.closeAll} has started is closed at once, so a stop request that
 * arrives while a resource is still starting leaves nothing behind.
 */
export interface Closers {
  add(close: () => Promise<void>): Promise<void>;
  /** Closes every resource; a closer that fails is reported to `onError` and the rest run. */
  closeAll(onError: (err: unknown) => void): Promise<void>;
}

/** Creates an empty {@link Closers}. */
export function createClosers(): Closers {
  const closers: (() => Promise<void>)[] = [];
  let closing = false;
  let report: (err: unknown) => void = () => {};
  return {
    async add(close) {
      if (!closing) closers.push(close);
      else await close().catch(report);
    },
    async closeAll(onError) {
      closing = true;
      report = onError;
      for (const close of closers.reverse()) await close().catch(onError);
    },
  };
}

/**
 * Resolves on the first SIGINT or SIGTERM, or on EPIPE from `out`. Until `dispose` is called
 * the signals no longer end the process, so the demo can stop what it started first. The
 * error listener on `out` stays, because later writes to a broken pipe fail too.
 */
export function listenForStop(out: NodeJS.WritableStream): { request: Promise<StopRequest>; dispose(): void } {
  let resolveRequest: (request: StopRequest) => void = () => {};
  const request = new Promise<StopRequest>((resolve) => {
    resolveRequest = resolve;
  });
  const stop = (reason: StopRequest['reason']): void => {
    resolveRequest({ reason, exitCode: EXIT_CODES[reason] });
  };
  const onSigint = (): void => stop('SIGINT');
  const onSigterm = (): void => stop('SIGTERM');
  process.on('SIGINT', onSigint);
  process.on('SIGTERM', onSigterm);
  out.on('error', (err: NodeJS.ErrnoException) => {
    stop(err.code === 'EPIPE' ? 'EPIPE' : 'output-error');
  });
  return {
    request,
    dispose() {
      process.off('SIGINT', onSigint);
      process.off('SIGTERM', onSigterm);
    },
  };
}
