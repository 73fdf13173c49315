import { badRequest } from './status.ts';

/** One requirement of a label selector, e.g. `tier in (a,b)` or `!canary`. */
export interface LabelRequirement {
  key: string;
  operator: 'equals' | 'notEquals' | 'in' | 'notIn' | 'exists' | 'doesNotExist';
  values: string[];
}

/** A parsed label selector: every requirement must hold. An empty selector matches everything. */
export type LabelSelector = readonly LabelRequirement[];

/**
 * Splits a selector on the commas that separate requirements, keeping the commas inside
 * `in (…)` and `notin (…)` value lists.
 */
function splitRequirements(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let current = '';
  for (const char of text) {
    if (char === '(') depth += 1;
    if (char === ')') depth -= 1;
    if (char === ',' && depth === 0) {
      parts.push(current);
      current = '';
    } else {
      current += char;
    }
  }
  parts.push(current);
  return parts.map((p) => p.trim()).filter((p) => p !== '');
}

const setPattern = /^([^\s!=()]+)\s+(in|notin)\s*\(([^()]*)\)$/;
const equalityPattern = /^([^\s!=()]+)\s*(==|=|!=)\s*([^\s!=(),]*)$/;
const existsPattern = /^(!?)\s*([^\s!=(),]+)$/;

function parseRequirement(text: string, selector: string): LabelRequirement {
  const set = setPattern.exec(text);
  if (set) {
    const [, key = '', op, list = ''] = set;
    const values = list.split(',').map((v) => v.trim()).filter((v) => v !== '');
    return { key, operator: op === 'in' ? 'in' : 'notIn', values };
  }
  const equality = equalityPattern.exec(text);
  if (equality) {
    const [, key = '', op, value = ''] = equality;
    return { key, operator: op === '!=' ? 'notEquals' : 'equals', values: [value] };
  }
  const exists = existsPattern.exec(text);
  if (exists) {
    const [, bang, key = ''] = exists;
    return { key, operator: bang === '!' ? 'doesNotExist' : 'exists', values: [] };
  }
  throw badRequest(`unable to parse requirement: invalid label selector "${selector}" near "${text}"`);
}

/**
 * Parses a Kubernetes label selector string (`=`, `==`, `!=`, `in`, `notin`, `key`, `!key`).
 * Throws a 400 StatusError naming the requirement that does not parse.
 */
export function parseLabelSelector(text: string | null | undefined): LabelSelector {
  if (text === null || text === undefined) return [];
  return splitRequirements(text).map((part) => parseRequirement(part, text));
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
  }
}

/** Tells whether `labels` (absent means none) satisfy every requirement of the selector. */
export function matchesLabels(
  selector: LabelSelector,
  labels: Record<string, string> | undefined,
): boolean {
  const present = labels ?? {};
  return selector.every((req) => requirementHolds(req, present));
}
