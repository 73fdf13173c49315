/**
 * kubectl runs a plugin with the words typed after the plugin's name and reads
 * none of its own flags for it: `kubectl jobwatch -n batch diagnose ingest`
 * hands `-n batch diagnose ingest` to `kubectl-jobwatch`. This module finds
 * kubectl's connection flags anywhere among those words, in every form kubectl
 * itself accepts, and leaves the rest for the plugin's own commands.
 */

/** The connection flags a plugin takes over from kubectl. */
export interface ConnectionFlags {
  kubeconfig?: string;
  context?: string;
  namespace?: string;
}

/** The plugin's words split into connection flags and everything else, in order. */
export interface PluginArgs {
  connection: ConnectionFlags;
  rest: string[];
}

/** A flag given without its value, or a value given twice with different text. */
export class PluginArgsError extends Error {
  override readonly name = 'PluginArgsError';
}

const LONG: Record<string, keyof ConnectionFlags> = {
  '--kubeconfig': 'kubeconfig',
  '--context': 'context',
  '--namespace': 'namespace',
};

/**
 * Splits a plugin's arguments. Takes `--kubeconfig FILE`, `--context NAME`
 * and `-n/--namespace NS`, each also as `--flag=value`, `-nNS` and `-n=NS`,
 * before or after the command words. Parsing stops at `--`, and every word
 * after it is kept as it is.
 */
export function parsePluginArgs(argv: readonly string[]): PluginArgs {
  const connection: ConnectionFlags = {};
  const rest: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const word = argv[i] ?? '';
    if (word === '--') {
      rest.push(...argv.slice(i));
      break;
    }
    const flag = matchFlag(word);
    if (flag === undefined) {
      rest.push(word);
      continue;
    }
    let value = flag.value;
    if (value === undefined) {
      value = argv[i + 1];
      if (value === undefined || value.startsWith('-')) {
        throw new PluginArgsError(`${flag.spelling} needs a value, as in ${flag.spelling} ${example(flag.key)}`);
      }
      i++;
    }
    set(connection, flag.key, value, flag.spelling);
  }
  return { connection, rest };
}

interface MatchedFlag {
  key: keyof ConnectionFlags;
  spelling: string;
  value: string | undefined;
}

function matchFlag(word: string): MatchedFlag | undefined {
  if (word.startsWith('--')) {
    const equals = word.indexOf('=');
    const name = equals < 0 ? word : word.slice(0, equals);
    const key = LONG[name];
    if (key === undefined) return undefined;
    return { key, spelling: name, value: equals < 0 ? undefined : word.slice(equals + 1) };
  }
  if (word === '-n') return { key: 'namespace', spelling: '-n', value: undefined };
  if (word.startsWith('-n')) {
    // kubectl (through pflag) reads -nbatch and -n=batch as the namespace "batch".
    const value = word.slice(2).replace(/^=/, '');
    return { key: 'namespace', spelling: '-n', value };
  }
  return undefined;
}

function set(connection: ConnectionFlags, key: keyof ConnectionFlags, value: string, spelling: string): void {
  if (value === '') throw new PluginArgsError(`${spelling} was given an empty value; pass ${spelling} ${example(key)}`);
  const before = connection[key];
  if (before !== undefined && before !== value) {
    throw new PluginArgsError(`${spelling} was given twice, as "${before}" and "${value}"; pass it once`);
  }
  connection[key] = value;
}

function example(key: keyof ConnectionFlags): string {
  return { kubeconfig: 'FILE', context: 'NAME', namespace: 'NAMESPACE' }[key];
}
