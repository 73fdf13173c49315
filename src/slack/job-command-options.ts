/**
 * Splits the text of a `/job` command into positional arguments and options. Options may
 * stand anywhere, as kubectl allows, in the forms `-n NS`, `-nNS`, `-n=NS`, `--namespace NS`
 * and `--namespace=NS`.
 */

import { shownValue } from './kube-name.ts';

/** An option of the command, by its long name. */
export type OptionName = 'namespace' | 'cluster' | 'container' | 'previous';

interface OptionSpec {
  name: OptionName;
  short: string;
  takesValue: boolean;
}

/**
 * The options. `-c` is `--container` in `logs`, as in `kubectl logs`, and `--cluster` in
 * every other subcommand, so `logs` takes the cluster only as `--cluster`.
 */
export const OPTION_SPECS: readonly OptionSpec[] = [
  { name: 'namespace', short: 'n', takesValue: true },
  { name: 'cluster', short: 'c', takesValue: true },
  { name: 'container', short: 'c', takesValue: true },
  { name: 'previous', short: 'p', takesValue: false },
];

/** One option as written, with the spelling kept for messages. */
export interface GivenOption {
  name: OptionName;
  /** The option as the user wrote it, such as `-n` or `--namespace`. */
  written: string;
  value?: string;
}

export type SplitResult =
  | { ok: true; positionals: string[]; options: GivenOption[] }
  | { ok: false; problem: 'unknown-option'; written: string }
  | { ok: false; problem: 'missing-value'; written: string }
  | { ok: false; problem: 'unexpected-value'; written: string };

/**
 * Splits text into tokens at any whitespace. A leading em or en dash becomes `--`, because
 * Slack clients with smart punctuation turn a typed `--` into a dash.
 */
export function tokenize(text: string): string[] {
  return text
    .trim()
    .split(/\s+/)
    .filter((token) => token !== '')
    .map((token) => token.replace(/^[\u2013\u2014]/, '--'));
}

function specOf(written: string, subcommand: string | undefined): OptionSpec | undefined {
  if (written.startsWith('--')) return OPTION_SPECS.find((s) => `--${s.name}` === written);
  if (written === '-c') return OPTION_SPECS.find((s) => s.name === (subcommand === 'logs' ? 'container' : 'cluster'));
  return OPTION_SPECS.find((s) => `-${s.short}` === written);
}

/** Separates `--name=value`, `-n=value` and `-nvalue` into the option and its inline value. */
function splitInline(token: string): { written: string; inline?: string } {
  const equals = token.indexOf('=');
  if (equals > 0) return { written: token.slice(0, equals), inline: token.slice(equals + 1) };
  if (!token.startsWith('--') && token.length > 2)
    return { written: token.slice(0, 2), inline: token.slice(2) };
  return { written: token };
}

/**
 * Separates options from positional arguments. Every token that starts with `-` is an
 * option, because no Kubernetes name, filter or duration starts with one. `subcommand`
 * decides what `-c` means.
 */
export function splitOptions(tokens: readonly string[], subcommand?: string): SplitResult {
  const positionals: string[] = [];
  const options: GivenOption[] = [];
  for (let i = 0; i < tokens.length; i += 1) {
    const token = tokens[i] ?? '';
    if (!token.startsWith('-') || token === '-') {
      positionals.push(token);
      continue;
    }
    const { written, inline } = splitInline(token);
    const spec = specOf(written, subcommand);
    if (spec === undefined) return { ok: false, problem: 'unknown-option', written };
    if (!spec.takesValue) {
      if (inline !== undefined) return { ok: false, problem: 'unexpected-value', written };
      options.push({ name: spec.name, written });
      continue;
    }
    const value = inline ?? tokens[i + 1];
    if (value === undefined || value === '' || (inline === undefined && value.startsWith('-'))) {
      return { ok: false, problem: 'missing-value', written };
    }
    if (inline === undefined) i += 1;
    options.push({ name: spec.name, written, value });
  }
  return { ok: true, positionals, options };
}

/** Lists every spelling of the options, for near-miss suggestions. */
export function optionSpellings(): string[] {
  return [...new Set(OPTION_SPECS.flatMap((s) => [`--${s.name}`, `-${s.short}`]))];
}

/**
 * Returns the one value given for an option, undefined when it is absent, or a message
 * for the user when it was given twice with different values.
 */
export function singleValue(options: readonly GivenOption[], name: OptionName, noun: string): { value: string | undefined } | { conflict: string } {
  const values = [...new Set(options.filter((o) => o.name === name).map((o) => o.value ?? ''))];
  if (values.length > 1) return { conflict: `The ${noun} is given twice, as ${values.map(shownValue).join(' and ')}; give one.` };
  return { value: values[0] };
}
