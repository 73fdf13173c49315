import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, formatConfigError } from '../../src/config/config-error.ts';
import { DEFAULT_CEILINGS, loadPolicy, parsePolicy } from '../../src/config/policy.ts';

const EXAMPLES = resolve(import.meta.dirname, '../../examples');

function policyError(text: string): ConfigError {
  try {
    parsePolicy(text, 'policy.yaml');
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error(`parsePolicy accepted ${JSON.stringify(text)}`);
}

/** The one problem in `text`, which must be at `setting`. */
function onlyProblem(text: string, setting: string) {
  const { problems } = policyError(text);
  expect(problems.map((problem) => problem.setting)).toEqual([setting]);
  return problems[0];
}

const RULE = 'rules:\n  - { users: [U0ALICE], namespaces: [payments], verbs: [read] }';

describe('loadPolicy without a file', () => {
  const policy = loadPolicy(undefined);

  it('grants read to everyone and has no rules', () => {
    expect([...policy.everyone]).toEqual(['read']);
    expect(policy.rules).toEqual([]);
    expect(policy.file).toBeUndefined();
  });
  it('uses /job and the default ceilings', () => {
    expect(policy.command).toBe('/job');
    expect(policy.ceilings).toEqual(DEFAULT_CEILINGS);
  });
});

describe('parsePolicy valid files', () => {
  it('reads the example policy', () => {
    const policy = loadPolicy(join(EXAMPLES, 'policy.yaml'));
    expect(policy.rules.map((rule) => rule.name)).toEqual([
      'rules[0] (payments on-call)',
      'rules[1] (data engineers)',
      'rules[2] (platform admins)',
    ]);
    expect(policy.rules[1]?.kubernetes).toEqual({
      user: 'slack:data-engineers',
      groups: ['jobwatch:oncall', 'jobwatch:data'],
    });
    expect(policy.ceilings.memory).toEqual({ quantity: '16Gi', value: 16 * 2 ** 30 });
  });
  it('reads the demo policy', () => {
    const policy = loadPolicy(join(EXAMPLES, 'policy.demo.yaml'));
    expect(policy.rules).toHaveLength(2);
    expect(policy.rules[1]?.kubernetes).toBeUndefined();
  });
  it('accepts an empty file as the defaults', () => {
    const policy = parsePolicy('', 'empty.yaml');
    expect(policy.file).toBe('empty.yaml');
    expect([...policy.everyone]).toEqual(['read']);
    expect(policy.ceilings).toEqual(DEFAULT_CEILINGS);
  });
  it('reads ceilings given as numbers and strings', () => {
    const text = 'ceilings: { memory: 512Mi, cpu: 2, activeDeadlineSeconds: 600, backoffLimit: 0 }';
    const { ceilings } = parsePolicy(text, 'policy.yaml');
    expect(ceilings.memory).toEqual({ quantity: '512Mi', value: 512 * 2 ** 20 });
    expect(ceilings.cpu).toEqual({ quantity: '2', value: 2 });
    expect(ceilings.activeDeadlineSeconds).toBe(600);
    expect(ceilings.backoffLimit).toBe(0);
  });
  it('keeps defaults for ceilings left out', () => {
    const { ceilings } = parsePolicy('ceilings: { cpu: 1500m }', 'policy.yaml');
    expect(ceilings.cpu.value).toBeCloseTo(1.5);
    expect(ceilings.memory).toEqual(DEFAULT_CEILINGS.memory);
  });
  it('gives an identity without groups an empty group list', () => {
    const text =
      'rules:\n  - { users: [U0ALICE], namespaces: [a], verbs: [retry], kubernetes: { user: alice } }';
    expect(parsePolicy(text, 'policy.yaml').rules[0]?.kubernetes).toEqual({ user: 'alice', groups: [] });
  });
  it('accepts everyone: [] to leave reading to rules', () => {
    expect(parsePolicy('everyone: []', 'policy.yaml').everyone.size).toBe(0);
  });
});

describe('parsePolicy schema errors', () => {
  it('lists every problem of a file at once', () => {
    const text = [
      'command: job',
      'ceilings: { memory: lots }',
      'rules:',
      '  - { users: [alice], namespaces: [payments], verbs: [read] }',
      '  - { groups: [S0OPS], namespaces: [], verbs: [delete] }',
    ].join('\n');
    const { problems } = policyError(text);
    expect(problems.map((problem) => problem.setting)).toEqual([
      'command',
      'ceilings.memory',
      'rules[0].users[0]',
      'rules[1].namespaces',
      'rules[1].verbs[0]',
    ]);
  });
  it('checks a rule with an invalid field', () => {
    const text = 'rules:\n  - { users: [alice], namespaces: [a], verbs: [retry] }';
    const { problems } = policyError(text);
    expect(problems.map((problem) => problem.setting)).toEqual(['rules[0].users[0]', 'rules[0].kubernetes']);
  });
  it('reports a rule that is not a mapping once', () => {
    expect(onlyProblem('rules: [5]', 'rules[0]')?.message).toBe('rules[0] must be a mapping of keys to values');
  });
  it('names a write verb without an identity', () => {
    const text = 'rules:\n  - { users: [U0ALICE], namespaces: [a], verbs: [read, retry] }';
    const problem = onlyProblem(text, 'rules[0].kubernetes');
    expect(problem?.message).toBe(
      'rules[0].kubernetes is missing, but the rule grants retry, ' +
        'and jobwatch never writes to the cluster as itself',
    );
    expect(problem?.fix).toContain('kubernetes: { user:');
  });
  it('names a rule that matches nobody', () => {
    const problem = onlyProblem('rules:\n  - { namespaces: [a], verbs: [read] }', 'rules[0]');
    expect(problem?.message).toBe('rules[0] names no Slack user or user group, so it matches nobody');
  });
  it('names a missing namespaces list', () => {
    const problem = onlyProblem('rules:\n  - { users: [U0ALICE], verbs: [read] }', 'rules[0].namespaces');
    expect(problem?.message).toBe('rules[0].namespaces is missing');
  });
  it('names an invalid namespace pattern', () => {
    const text = 'rules:\n  - { users: [U0ALICE], namespaces: [Payments_*], verbs: [read] }';
    const problem = onlyProblem(text, 'rules[0].namespaces[0]');
    expect(problem?.message).toBe(
      'rules[0].namespaces[0] is "Payments_*", which is not a namespace name or a pattern with * ' +
        'such as team-*',
    );
  });
  it('names a Slack group id in users', () => {
    const text = 'rules:\n  - { users: [S0OPS], namespaces: [a], verbs: [read] }';
    expect(onlyProblem(text, 'rules[0].users[0]')?.message).toContain('not a Slack user id');
  });
  it('names an unknown verb and lists the verbs', () => {
    const text = 'rules:\n  - { users: [U0ALICE], namespaces: [a], verbs: [delete] }';
    expect(onlyProblem(text, 'rules[0].verbs[0]')?.message).toBe(
      'rules[0].verbs[0] is "delete", which is not read, retry, raise-limits, mute',
    );
  });
  it('names an empty verb list', () => {
    const text = 'rules:\n  - { users: [U0ALICE], namespaces: [a], verbs: [] }';
    expect(onlyProblem(text, 'rules[0].verbs')?.message).toBe('rules[0].verbs is empty: list at least one verb');
  });
  it('rejects a system: identity', () => {
    const text = [
      'rules:',
      '  - users: [U0ALICE]',
      '    namespaces: [a]',
      '    verbs: [retry]',
      '    kubernetes: { user: alice, groups: ["system:masters"] }',
    ].join('\n');
    const problem = onlyProblem(text, 'rules[0].kubernetes.groups[0]');
    expect(problem?.message).toContain('"system:masters", which is reserved');
  });
  it('rejects an identity with a line break', () => {
    const text =
      'rules:\n  - { users: [U0ALICE], namespaces: [a], verbs: [retry], kubernetes: { user: "a\\nb" } }';
    expect(onlyProblem(text, 'rules[0].kubernetes.user')?.message).toContain('printable ASCII');
  });
  it('rejects write verbs for everyone', () => {
    const problem = onlyProblem('everyone: [read, raise-limits]', 'everyone');
    expect(problem?.message).toBe(
      'everyone grants raise-limits, which needs a rule with a Kubernetes identity',
    );
  });
  it('names an unknown key and lists the allowed ones', () => {
    const text = 'rules:\n  - { user: [U0ALICE], users: [U0ALICE], namespaces: [a], verbs: [read] }';
    const problem = onlyProblem(text, 'rules[0]');
    expect(problem?.message).toBe('rules[0] has the unknown key "user"');
    expect(problem?.fix).toContain('name, users, groups, namespaces, verbs, kubernetes');
  });
  it('names a fractional backoff limit', () => {
    const problem = onlyProblem('ceilings: { backoffLimit: 2.5 }', 'ceilings.backoffLimit');
    expect(problem?.message).toBe(
      'ceilings.backoffLimit is 2.5, which is not a whole number of retries from 0 to 2147483647',
    );
  });
  it('names a zero memory ceiling', () => {
    const problem = onlyProblem('ceilings: { memory: "0" }', 'ceilings.memory');
    expect(problem?.message).toBe(
      'ceilings.memory is "0", which is not a positive Kubernetes quantity of memory',
    );
  });
  it('names a command without a slash', () => {
    expect(onlyProblem('command: job', 'command')?.message).toBe(
      'command is "job", which is not a slash command such as /job',
    );
  });
  it('locates YAML syntax errors by line', () => {
    const { problems } = policyError(`${RULE}\n  - { users: [U0BOB`);
    expect(problems[0]?.setting).toMatch(/^line \d+, column \d+$/);
  });
  it('formats the error for the terminal as a policy file', () => {
    const text = formatConfigError(policyError('command: job'));
    expect(text).toContain('jobwatch cannot start: 1 problem in the policy file policy.yaml:');
    expect(text).toContain('Fix: give the slash command');
  });
});

describe('loadPolicy files', () => {
  let dir = '';
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'jobwatch-policy-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('reads a file and records its path', async () => {
    const file = join(dir, 'policy.yaml');
    await writeFile(file, RULE);
    const policy = loadPolicy(file);
    expect(policy.file).toBe(file);
    expect(policy.rules[0]?.users).toEqual(new Set(['U0ALICE']));
  });
  it('reports a missing file as unreadable', () => {
    const file = join(dir, 'absent.yaml');
    let error: unknown;
    try {
      loadPolicy(file);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).code).toBe('CONFIG_POLICY_UNREADABLE');
    expect((error as ConfigError).problems[0]?.setting).toBe('JOBWATCH_POLICY_FILE');
  });
});

describe('policy files with an unquoted glob', () => {
  it('says to quote a value that starts with *', () => {
    const text = 'rules:\n  - users: [U0ALICE]\n    namespaces: [*-reports]\n    verbs: [read]\n';
    let error: unknown;
    try {
      parsePolicy(text, 'policy.yaml');
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const shown = formatConfigError(error);
    expect(shown).toContain('quote it');
    expect(shown).toContain('policy.yaml');
  });
});
