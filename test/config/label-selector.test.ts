import { describe, expect, it } from 'vitest';
import {
  LabelSelectorError,
  matchesLabels,
  parseLabelSelector,
  selectorFromLabels,
} from '../../src/config/label-selector.ts';

function parseError(source: string): LabelSelectorError {
  try {
    parseLabelSelector(source);
  } catch (err) {
    if (err instanceof LabelSelectorError) return err;
    throw err;
  }
  throw new Error(`parseLabelSelector accepted ${JSON.stringify(source)}`);
}

describe('parseLabelSelector', () => {
  it('parses equality with = and ==', () => {
    expect(parseLabelSelector('team=data,tier==batch').requirements).toEqual([
      { key: 'team', operator: 'In', values: ['data'] },
      { key: 'tier', operator: 'In', values: ['batch'] },
    ]);
  });
  it('parses inequality', () => {
    expect(parseLabelSelector('team!=data').requirements).toEqual([
      { key: 'team', operator: 'NotIn', values: ['data'] },
    ]);
  });
  it('parses in and notin sets', () => {
    expect(parseLabelSelector('tier in (batch, etl),env notin (dev)').requirements).toEqual([
      { key: 'tier', operator: 'In', values: ['batch', 'etl'] },
      { key: 'env', operator: 'NotIn', values: ['dev'] },
    ]);
  });
  it('parses existence and absence', () => {
    expect(parseLabelSelector('team, !canary').requirements).toEqual([
      { key: 'team', operator: 'Exists', values: [] },
      { key: 'canary', operator: 'DoesNotExist', values: [] },
    ]);
  });
  it('parses prefixed keys', () => {
    expect(parseLabelSelector('app.kubernetes.io/part-of=billing').requirements).toEqual([
      { key: 'app.kubernetes.io/part-of', operator: 'In', values: ['billing'] },
    ]);
  });
  it('parses an empty value after =', () => {
    expect(parseLabelSelector('team=').requirements).toEqual([
      { key: 'team', operator: 'In', values: [''] },
    ]);
  });
  it('ignores whitespace around tokens', () => {
    expect(parseLabelSelector('  team = data ,  tier  in(batch)  ').requirements).toHaveLength(2);
  });
  it('parses an empty selector to no requirements', () => {
    expect(parseLabelSelector('').requirements).toEqual([]);
  });
  it('keeps the source text', () => {
    expect(parseLabelSelector('team=data').source).toBe('team=data');
  });
});

describe('parseLabelSelector errors', () => {
  const cases: { source: string; reason: string; column: number }[] = [
    { source: 'tier in (batch', reason: 'expected "," or ")" in the values of "in", found the end of the selector', column: 15 },
    { source: 'tier in ()', reason: '"in" needs at least one value', column: 10 },
    { source: 'tier in batch', reason: 'expected "(" after "in", found "batch"', column: 9 },
    { source: 'tier notin', reason: 'expected "(" after "notin", found the end of the selector', column: 11 },
    { source: 'team data', reason: 'expected an operator (=, ==, !=, in, notin) after "team", found "data"', column: 6 },
    { source: 'team=data tier=batch', reason: 'expected "," between requirements, found "tier"', column: 11 },
    { source: 'team=data,', reason: 'expected a label key, found the end of the selector', column: 11 },
    { source: '=data', reason: 'expected a label key, found "="', column: 1 },
    { source: '!', reason: 'expected a label key, found the end of the selector', column: 2 },
    { source: 'team==(x)', reason: 'expected a label value, found "("', column: 7 },
    { source: 'size>3', reason: 'the operator ">" is not supported', column: 5 },
    { source: '-team=data', reason: 'label key "-team" is invalid', column: 1 },
    { source: 'Example.COM/team=data', reason: 'label key "Example.COM/team" has an invalid prefix', column: 1 },
    { source: `team=${'v'.repeat(64)}`, reason: 'is invalid: a value is up to 63', column: 6 },
  ];
  for (const { source, reason, column } of cases) {
    it(`rejects ${JSON.stringify(source.slice(0, 30))}`, () => {
      const err = parseError(source);
      expect(err.reason).toContain(reason);
      expect(err.column).toBe(column);
    });
  }
  it('puts the column in the message', () => {
    expect(parseError('team data').message).toMatch(/\(column 6\)$/);
  });
});

describe('selectorFromLabels', () => {
  it('requires every label to be equal', () => {
    const selector = selectorFromLabels({ team: 'data', 'jobwatch.io/ignore': 'true' });
    expect(selector.requirements).toEqual([
      { key: 'team', operator: 'In', values: ['data'] },
      { key: 'jobwatch.io/ignore', operator: 'In', values: ['true'] },
    ]);
  });
  it('writes the labels as a selector string', () => {
    expect(selectorFromLabels({ team: 'data', tier: 'batch' }).source).toBe('team=data,tier=batch');
  });
  it('rejects an invalid key', () => {
    expect(() => selectorFromLabels({ 'bad key': 'x' })).toThrow(LabelSelectorError);
  });
  it('rejects an invalid value', () => {
    expect(() => selectorFromLabels({ team: 'a b' })).toThrow(/label value "a b" is invalid/);
  });
});

describe('matchesLabels', () => {
  const labels = { team: 'data', tier: 'batch' };
  const table: { selector: string; expected: boolean }[] = [
    { selector: 'team=data', expected: true },
    { selector: 'team==web', expected: false },
    { selector: 'owner=data', expected: false },
    { selector: 'team!=web', expected: true },
    { selector: 'team!=data', expected: false },
    { selector: 'owner!=data', expected: true },
    { selector: 'tier in (etl,batch)', expected: true },
    { selector: 'tier in (etl)', expected: false },
    { selector: 'owner in (data)', expected: false },
    { selector: 'tier notin (etl)', expected: true },
    { selector: 'tier notin (batch)', expected: false },
    { selector: 'owner notin (batch)', expected: true },
    { selector: 'team', expected: true },
    { selector: 'owner', expected: false },
    { selector: '!owner', expected: true },
    { selector: '!team', expected: false },
    { selector: 'team=data,tier=etl', expected: false },
    { selector: 'team=data,tier=batch', expected: true },
    { selector: '', expected: true },
  ];
  for (const { selector, expected } of table) {
    it(`${expected ? 'matches' : 'does not match'} ${JSON.stringify(selector)}`, () => {
      expect(matchesLabels(parseLabelSelector(selector), labels)).toBe(expected);
    });
  }
  it('ignores inherited object properties as labels', () => {
    expect(matchesLabels(parseLabelSelector('constructor'), {})).toBe(false);
  });
});
