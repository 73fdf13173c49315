import { readFileSync, watch, type FSWatcher } from 'node:fs';
import { dirname } from 'node:path';
import type { Logger } from 'pino';
import { ConfigError } from './config-error.ts';

/** One configuration file that is read again when it changes on disk. */
export interface ReloadableFile<T> {
  /** The setting that names the file, for log lines, e.g. `JOBWATCH_ROUTES_FILE`. */
  setting: string;
  /** The path as configured; it may be a symlink, as in a ConfigMap volume. */
  file: string;
  /** Reads and validates the file; throws a ConfigError listing the problems. */
  load(): T;
  /** Puts the new settings in place of the old ones. */
  apply(value: T): void;
}

/** Options of {@link watchConfigFiles}. */
export interface WatchConfigOptions {
  logger: Logger;
  /** Quiet time after the last change in a folder before the files are read, in ms. Default 500. */
  debounceMs?: number;
}

/** The running watches; `close()` ends them. */
export interface ConfigWatch {
  close(): void;
}

/**
 * Reads each file again when its folder changes and applies what validates. The folder is
 * watched rather than the file, because a Kubernetes ConfigMap volume updates by pointing
 * the `..data` symlink at a new timestamped folder: the file's own inode never changes, so
 * a watch on the file would miss the update. Changes are debounced, a file whose bytes did
 * not change is skipped, and an invalid file leaves the old settings in place with one
 * error line that lists the same problems as at start.
 */
export function watchConfigFiles(files: readonly ReloadableFile<unknown>[], options: WatchConfigOptions): ConfigWatch {
  const debounceMs = options.debounceMs ?? 500;
  const watchers: FSWatcher[] = [];
  const timers = new Map<string, NodeJS.Timeout>();
  const lastText = new Map(files.map((entry) => [entry.file, readText(entry.file)]));

  for (const [folder, entries] of groupByFolder(files)) {
    const watcher = watch(folder, () => {
      clearTimeout(timers.get(folder));
      timers.set(folder, setTimeout(() => entries.forEach(reloadIfChanged), debounceMs));
    });
    watcher.on('error', (err) => options.logger.warn({ err, folder }, 'configuration folder watch failed; changes there are no longer read'));
    watchers.push(watcher);
  }

  function reloadIfChanged(entry: ReloadableFile<unknown>): void {
    const text = readText(entry.file);
    if (text === lastText.get(entry.file)) return;
    lastText.set(entry.file, text);
    const fields = { setting: entry.setting, file: entry.file };
    try {
      entry.apply(entry.load());
      options.logger.info(fields, 'configuration file reloaded');
    } catch (err) {
      if (!(err instanceof ConfigError)) {
        options.logger.error({ ...fields, err }, 'configuration file reload failed; keeping the previous settings');
        return;
      }
      const problems = err.problems.map((problem) => `${problem.message} Fix: ${problem.fix}`);
      options.logger.error({ ...fields, problems }, 'configuration file rejected; keeping the previous settings');
    }
  }

  return {
    close() {
      for (const timer of timers.values()) clearTimeout(timer);
      for (const watcher of watchers) watcher.close();
    },
  };
}

/** Returns the file's text, or `undefined` while it cannot be read (mid-swap or removed). */
function readText(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    // The loader reports an unreadable file with its own message when it runs.
    return undefined;
  }
}

function groupByFolder(files: readonly ReloadableFile<unknown>[]): Map<string, ReloadableFile<unknown>[]> {
  const folders = new Map<string, ReloadableFile<unknown>[]>();
  for (const entry of files) {
    const folder = dirname(entry.file);
    folders.set(folder, [...(folders.get(folder) ?? []), entry]);
  }
  return folders;
}
