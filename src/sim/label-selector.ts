import { badRequest } from './status.ts';

/** One requirement of a label selector, e.g. `tier in (a,b)`, `!canary` or `rank>2`. */
export interface LabelRequirement {
  key: string;
  operator: 'equals' | 'notEquals' | 'in' | 'notIn' | 'exists' | 'doesNotExist' | 'gt' | 'lt';
  values: string[];
}

/** A parsed label selector: every requirement must hold. An empty selector matches everything. */
export type LabelSelector = readonly LabelRequirement[];

/**
 * The tokens of the real server's label selector lexer (`k8s.io/apimachinery`
 * `pkg/labels/selector.go`, v0.37). Keywords and operators keep their text as the token.
 */
type Token = 'end' | 'identifier' | ')' | ',' | '!' | '==' | '=' | '>' | 'in' | '<' | '!=' | 'notin' | '(';

interface Scanned {
  token: Token;
  literal: string;
}

const symbolTokens = new Set(['=', '!', '(', ')', ',', '>', '<', '==', '!=']);
const specialChars = new Set(['=', '!', '(', ')', ',', '>', '<']);
const whitespace = new Set([' ', '\t', '\r', '\n']);

/** Reads the longest run of special characters that is still one operator. */
function scanSymbol(text: string, start: number): [Scanned, number] {
  let end = start;
  let last: Scanned | undefined;
  while (end < text.length && specialChars.has(text[end] ?? '')) {
    const candidate = text.slice(start, end + 1);
    if (symbolTokens.has(candidate)) last = { token: candidate as Token, literal: candidate };
    else if (last !== undefined) break;
    end += 1;
  }
  // Every single special character is an operator, so `last` is set after one step.
  const scanned = last ?? { token: 'identifier', literal: text.slice(start, end) };
  return [scanned, start + scanned.literal.length];
}

function scanWord(text: string, start: number): [Scanned, number] {
  let end = start;
  while (end < text.length && !specialChars.has(text[end] ?? '') && !whitespace.has(text[end] ?? '')) {
    end += 1;
  }
  const literal = text.slice(start, end);
  const token: Token = literal === 'in' || literal === 'notin' ? literal : 'identifier';
  return [{ token, literal }, end];
}

function scan(text: string): Scanned[] {
  const items: Scanned[] = [];
  let position = 0;
  for (;;) {
    while (whitespace.has(text[position] ?? '')) position += 1;
    if (position >= text.length) {
      items.push({ token: 'end', literal: '' });
      return items;
    }
    const [item, next] = specialChars.has(text[position] ?? '')
      ? scanSymbol(text, position)
      : scanWord(text, position);
    items.push(item);
    position = next;
  }
}

const binaryOperators: Partial<Record<Token, LabelRequirement['operator']>> = {
  in: 'in',
  notin: 'notIn',
  '=': 'equals',
  '==': 'equals',
  '!=': 'notEquals',
  '>': 'gt',
  '<': 'lt',
};

/** A recursive-descent parser that reproduces the real server's error messages. */
class Parser {
  readonly #items: Scanned[];
  #position = 0;

  constructor(text: string) {
    this.#items = scan(text);
  }

  /** Returns the next item. In value positions the keywords `in` and `notin` are identifiers. */
  peek(values = true): Scanned {
    const item = this.#items[this.#position] ?? { token: 'end', literal: '' };
    if (values && (item.token === 'in' || item.token === 'notin')) {
      return { token: 'identifier', literal: item.literal };
    }
    return item;
  }

  next(values = true): Scanned {
    const item = this.peek(values);
    this.#position += 1;
    return item;
  }

  parse(): LabelRequirement[] {
    const requirements: LabelRequirement[] = [];
    for (;;) {
      const { token, literal } = this.peek();
      if (token === 'end') return requirements;
      if (token !== 'identifier' && token !== '!') {
        throw new Error(`found '${literal}', expected: !, identifier, or 'end of string'`);
      }
      requirements.push(this.requirementOrThrow());
      const after = this.next();
      if (after.token === 'end') return requirements;
      if (after.token !== ',') {
        throw new Error(`found '${after.literal}', expected: ',' or 'end of string'`);
      }
      const following = this.peek();
      if (following.token !== 'identifier' && following.token !== '!') {
        throw new Error(`found '${following.literal}', expected: identifier after ','`);
      }
    }
  }

  requirementOrThrow(): LabelRequirement {
    try {
      return this.requirement();
    } catch (error) {
      throw new Error(`unable to parse requirement: ${(error as Error).message}`, { cause: error });
    }
  }

  requirement(): LabelRequirement {
    let first = this.next();
    const negated = first.token === '!';
    if (negated) first = this.next();
    if (first.token !== 'identifier') throw new Error(`found '${first.literal}', expected: identifier`);
    const key = first.literal;
    // `!key` takes no operator: whatever follows it is checked as the next separator.
    if (negated) return { key, operator: 'doesNotExist', values: [] };
    const lookahead = this.peek().token;
    if (lookahead === 'end' || lookahead === ',') return { key, operator: 'exists', values: [] };
    const op = this.next(false);
    const operator = binaryOperators[op.token];
    if (operator === undefined) {
      throw new Error(`found '${op.literal}', expected: in, notin, =, ==, !=, gt, lt`);
    }
    const values = operator === 'in' || operator === 'notIn' ? this.valueList() : [this.exactValue()];
    if (operator === 'gt' || operator === 'lt') checkInteger(values);
    return { key, operator, values };
  }

  valueList(): string[] {
    const open = this.next();
    if (open.token !== '(') throw new Error(`found '${open.literal}' expected: '('`);
    const { token, literal } = this.peek();
    if (token === ')') {
      this.next();
      return [''];
    }
    if (token !== 'identifier' && token !== ',') {
      throw new Error(`found '${literal}', expected: ',', ')' or identifier`);
    }
    const values = this.identifiers();
    if (this.next().token !== ')') throw new Error(`found '${literal}', expected: ')'`);
    return values;
  }

  /** Reads `a,b,c` up to the closing bracket; empty entries (`(,a)`, `(a,)`) count as `""`. */
  identifiers(): string[] {
    const values = new Set<string>();
    for (;;) {
      const { token, literal } = this.next();
      if (token === 'identifier') {
        values.add(literal);
        const after = this.peek();
        if (after.token === ')') return [...values];
        if (after.token !== ',') throw new Error(`found '${after.literal}', expected: ',' or ')'`);
      } else if (token === ',') {
        if (values.size === 0) values.add('');
        const after = this.peek().token;
        if (after === ')') return [...values.add('')];
        if (after === ',') values.add('');
      } else {
        throw new Error(`found '${literal}', expected: ',', or identifier`);
      }
    }
  }

  exactValue(): string {
    const lookahead = this.peek().token;
    if (lookahead === 'end' || lookahead === ',') return '';
    const { token, literal } = this.next();
    if (token === 'identifier') return literal;
    throw new Error(`found '${literal}', expected: identifier`);
  }
}

function checkInteger(values: string[]): void {
  values.forEach((value, index) => {
    if (!/^[+-]?\d+$/.test(value)) {
      throw new Error(
        `values[${index}]: Invalid value: "${value}": for 'Gt', 'Lt' operators, the value must be an integer`,
      );
    }
  });
}

/**
 * Parses a Kubernetes label selector string (`=`, `==`, `!=`, `in`, `notin`, `key`, `!key`,
 * `>`, `<`). Throws a 400 StatusError with the real server's message when it does not parse.
 * NOTE: keys and values are not checked against the label syntax, so a selector the real
 * server rejects for an invalid key or value is accepted here.
 */
export function parseLabelSelector(text: string | null | undefined): LabelSelector {
  if (text === null || text === undefined) return [];
  try {
    return new Parser(text).parse();
  } catch (error) {
    throw badRequest((error as Error).message);
  }
}

function requirementHolds(req: LabelRequirement, labels: Record<string, string>): boolean {
  const has = Object.hasOwn(labels, req.key);
  const value = labels[req.key];
  switch (req.operator) {
    case 'equals':
      return has && value === req.values[0];
    case 'notEquals':
      return !has || value !== req.values[0];
    case 'in':
      return has && req.values.includes(value ?? '');
    case 'notIn':
      return !has || !req.values.includes(value ?? '');
    case 'exists':
      return has;
    case 'doesNotExist':
      return !has;
    case 'gt':
    case 'lt':
      return has && compareInteger(value ?? '', req.values[0] ?? '', req.operator);
  }
}

function compareInteger(label: string, bound: string, operator: 'gt' | 'lt'): boolean {
  if (!/^[+-]?\d+$/.test(label)) return false;
  return operator === 'gt' ? Number(label) > Number(bound) : Number(label) < Number(bound);
}

/** Tells whether `labels` (absent means none) satisfy every requirement of the selector. */
export function matchesLabels(
  selector: LabelSelector,
  labels: Record<string, string> | undefined,
): boolean {
  const present = labels ?? {};
  return selector.every((req) => requirementHolds(req, present));
}
