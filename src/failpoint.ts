/**
 * Crash points for fault-injection tests. When `JOBWATCH_FAILPOINTS` (a
 * comma-separated list) names a point, the process kills itself with SIGKILL on
 * reaching it, exactly as a crash or an OOM kill would stop it there. Unset, a
 * failpoint does nothing.
 */
export type FailpointName =
  /** Slack accepted a post; jobwatch has not recorded it yet. */
  | 'notify-after-post'
  /** An episode change is stored; its notification is not queued yet. */
  | 'worker-after-apply'
  /** A failed pod's evidence is read; its signal is not queued yet. */
  | 'watcher-after-capture';

const armed = new Set(
  (process.env.JOBWATCH_FAILPOINTS ?? '')
    .split(',')
    .map((name) => name.trim())
    .filter(Boolean),
);

export function failpoint(name: FailpointName): void {
  if (!armed.has(name)) return;
  process.stderr.write(`jobwatch: failpoint ${name} reached; killing the process with SIGKILL\n`);
  process.kill(process.pid, 'SIGKILL');
}
