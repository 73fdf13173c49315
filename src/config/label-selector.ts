/**
 * Kubernetes label selectors in the string syntax of `kubectl -l`: `key=value`, `key==value`,
 * `key!=value`, `key in (a,b)`, `key notin (a,b)`, `key` and `!key`, joined by commas (all
 * must match). The numeric operators `<` and `>` are not supported.
 */

/** One condition, with the operators of Kubernetes' `LabelSelectorRequirement`. */
export interface LabelRequirement {
  key: string;
  operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';
  /** Values for `In` and `NotIn`; empty for the others. */
  values: readonly string[];
}

export interface LabelSelector {
  /** The text the selector was parsed from, for messages. */
  source: string;
  /** All must match. An empty list matches every set of labels, as in Kubernetes. */
  requirements: readonly LabelRequirement[];
}

/** A selector that does not parse; `column` (1-based) points at the offending token. */
export class LabelSelectorError extends Error {
  override readonly name = 'LabelSelectorError';
  readonly column: number;
  /** The fault, without the column. */
  readonly reason: string;

  constructor(reason: string, column: number) {
    super(`${reason} (column ${column})`);
    this.reason = reason;
    this.column = column;
  }
}

const NAME_PART = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/**
 * Checks a label key: an optional DNS subdomain prefix of up to 253 characters and `/`,
 * then a name of up to 63 characters. Returns why it is invalid, or `undefined`.
 */
export function checkLabelKey(key: string): string | undefined {
  const slash = key.lastIndexOf('/');
  const prefix = slash === -1 ? undefined : key.slice(0, slash);
  const name = key.slice(slash + 1);
  if (prefix !== undefined && (prefix.length > 253 || !DNS_SUBDOMAIN.test(prefix))) {
    return `label key ${JSON.stringify(key)} has an invalid prefix (a lower-case DNS subdomain)`;
  }
  if (name.length > 63 || !NAME_PART.test(name)) {
    return (
      `label key ${JSON.stringify(key)} is invalid: a name is 1 to 63 letters, digits, ` +
      '"-", "_" or "." and starts and ends with a letter or digit'
    );
  }
  return undefined;
}

/** Checks a label value: empty, or up to 63 characters like a key's name. */
export function checkLabelValue(value: string): string | undefined {
  if (value === '' || (value.length <= 63 && NAME_PART.test(value))) return undefined;
  return (
    `label value ${JSON.stringify(value)} is invalid: a value is up to 63 letters, digits, ` +
    '"-", "_" or "." and starts and ends with a letter or digit'
  );
}

type TokenKind = 'word' | '=' | '==' | '!=' | '!' | '(' | ')' | ',' | 'end';
interface Token {
  kind: TokenKind;
  text: string;
  column: number;
}

const OPERATOR_CHARS = new Set(['=', '!', '(', ')', ',', '<', '>']);

function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < source.length) {
    const char = source.charAt(i);
    if (/\s/.test(char)) {
      i += 1;
      continue;
    }
    const column = i + 1;
    const pair = source.slice(i, i + 2);
    if (pair === '==' || pair === '!=') {
      tokens.push({ kind: pair, text: pair, column });
      i += 2;
    } else if (char === '<' || char === '>') {
      throw new LabelSelectorError(`the operator "${char}" is not supported`, column);
    } else if (OPERATOR_CHARS.has(char)) {
      tokens.push({ kind: char as TokenKind, text: char, column });
      i += 1;
    } else {
      let end = i;
      while (end < source.length && !/\s/.test(source.charAt(end))) {
        if (OPERATOR_CHARS.has(source.charAt(end))) break;
        end += 1;
      }
      tokens.push({ kind: 'word', text: source.slice(i, end), column });
      i = end;
    }
  }
  tokens.push({ kind: 'end', text: '', column: source.length + 1 });
  return tokens;
}

/**
 * Parses a selector string such as `team=data,tier in (batch)`.
 *
 * @throws LabelSelectorError naming what is wrong and the column.
 */
export function parseLabelSelector(source: string): LabelSelector {
  const parser = new Parser(tokenize(source));
  const requirements: LabelRequirement[] = [];
  if (parser.peek().kind === 'end') return { source, requirements };
  for (;;) {
    requirements.push(parser.requirement());
    const next = parser.take();
    if (next.kind === 'end') return { source, requirements };
    if (next.kind !== ',') {
      fail(`expected "," between requirements, found ${describe(next)}`, next);
    }
  }
}

/** Builds a selector from a map of labels that must all be equal, like `matchLabels`. */
export function selectorFromLabels(labels: Record<string, string>): LabelSelector {
  const requirements = Object.entries(labels).map(([key, value]): LabelRequirement => {
    const problem = checkLabelKey(key) ?? checkLabelValue(value);
    if (problem !== undefined) throw new LabelSelectorError(problem, 1);
    return { key, operator: 'In', values: [value] };
  });
  const source = Object.entries(labels).map(([key, value]) => `${key}=${value}`).join(',');
  return { source, requirements };
}

/**
 * Tells whether labels satisfy every requirement. As in Kubernetes, `!=` and `notin` also
 * match when the label is absent.
 */
export function matchesLabels(selector: LabelSelector, labels: Record<string, string>): boolean {
  return selector.requirements.every((requirement) => {
    const value = Object.hasOwn(labels, requirement.key) ? labels[requirement.key] : undefined;
    switch (requirement.operator) {
      case 'Exists':
        return value !== undefined;
      case 'DoesNotExist':
        return value === undefined;
      case 'In':
        return value !== undefined && requirement.values.includes(value);
      case 'NotIn':
        return value === undefined || !requirement.values.includes(value);
    }
  });
}

function fail(reason: string, token: Token): never {
  throw new LabelSelectorError(reason, token.column);
}

function describe(token: Token): string {
  return token.kind === 'end' ? 'the end of the selector' : JSON.stringify(token.text);
}

class Parser {
  private readonly tokens: Token[];
  private index = 0;

  constructor(tokens: Token[]) {
    this.tokens = tokens;
  }

  peek(): Token {
    // tokenize always ends the list with an `end` token, and take() never moves past it.
    return this.tokens[this.index] as Token;
  }

  take(): Token {
    const token = this.peek();
    if (token.kind !== 'end') this.index += 1;
    return token;
  }

  requirement(): LabelRequirement {
    if (this.peek().kind === '!') {
      this.take();
      return { key: this.key(), operator: 'DoesNotExist', values: [] };
    }
    const key = this.key();
    const operator = this.peek();
    if (operator.kind === ',' || operator.kind === 'end') {
      return { key, operator: 'Exists', values: [] };
    }
    this.take();
    if (operator.kind === '=' || operator.kind === '==') {
      return { key, operator: 'In', values: [this.value()] };
    }
    if (operator.kind === '!=') return { key, operator: 'NotIn', values: [this.value()] };
    if (operator.kind === 'word' && (operator.text === 'in' || operator.text === 'notin')) {
      const values = this.valueSet(operator.text);
      return { key, operator: operator.text === 'in' ? 'In' : 'NotIn', values };
    }
    const expected = `expected an operator (=, ==, !=, in, notin) after ${JSON.stringify(key)}`;
    fail(`${expected}, found ${describe(operator)}`, operator);
  }

  private key(): string {
    const token = this.take();
    if (token.kind !== 'word') {
      fail(`expected a label key, found ${describe(token)}`, token);
    }
    const problem = checkLabelKey(token.text);
    if (problem !== undefined) fail(problem, token);
    return token.text;
  }

  /** Reads the value after `=`, `==` or `!=`, which Kubernetes allows to be empty (`key=`). */
  private value(): string {
    const token = this.peek();
    if (token.kind === ',' || token.kind === 'end') return '';
    this.take();
    if (token.kind !== 'word') {
      fail(`expected a label value, found ${describe(token)}`, token);
    }
    const problem = checkLabelValue(token.text);
    if (problem !== undefined) fail(problem, token);
    return token.text;
  }

  private valueSet(operator: string): string[] {
    const open = this.take();
    if (open.kind !== '(') {
      fail(`expected "(" after "${operator}", found ${describe(open)}`, open);
    }
    const values: string[] = [];
    for (;;) {
      const token = this.peek();
      if (token.kind === ')' && values.length === 0) {
        fail(`"${operator}" needs at least one value`, token);
      }
      values.push(this.value());
      const next = this.take();
      if (next.kind === ')') return values;
      if (next.kind !== ',') {
        fail(`expected "," or ")" in the values of "${operator}", found ${describe(next)}`, next);
      }
    }
  }
}
