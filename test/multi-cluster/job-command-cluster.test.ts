import { describe, expect, it } from 'vitest';
import { helpText, parseJobCommand, type CommandError, type ParsedCommand } from '../../src/slack/job-command.ts';

const JOB = { command: '/job' };

function failed(text: string): CommandError {
  const result = parseJobCommand(text, JOB);
  if (result.ok) throw new Error(`expected an error for ${text}`);
  return result;
}

describe('parseJobCommand with --cluster', () => {
  const cases: [string, ParsedCommand][] = [
    ['status ledger -n reports --cluster west', { ok: true, subcommand: 'status', name: 'ledger', namespace: 'reports', cluster: 'west' }],
    ['status ledger -n reports -c west', { ok: true, subcommand: 'status', name: 'ledger', namespace: 'reports', cluster: 'west' }],
    ['--cluster=prod-eu.1 retry ledger -n reports', { ok: true, subcommand: 'retry', name: 'ledger', namespace: 'reports', cluster: 'prod-eu.1' }],
    ['list running -cwest', { ok: true, subcommand: 'list', filter: 'running', cluster: 'west' }],
    ['mute ledger 2h -n reports -c west', { ok: true, subcommand: 'mute', name: 'ledger', namespace: 'reports', cluster: 'west', durationMs: 7_200_000, duration: '2h' }],
    ['logs ledger -c main --cluster west -n reports', { ok: true, subcommand: 'logs', name: 'ledger', namespace: 'reports', cluster: 'west', previous: false, container: 'main' }],
  ];
  for (const [text, expected] of cases) {
    it(`parses ${text}`, () => {
      expect(parseJobCommand(text, JOB)).toEqual(expected);
    });
  }

  it('leaves the cluster out when none is given', () => {
    expect(parseJobCommand('status ledger -n reports', JOB)).toEqual({ ok: true, subcommand: 'status', name: 'ledger', namespace: 'reports' });
  });

  it('reads -c in logs as the container', () => {
    expect(parseJobCommand('logs ledger -c west -n reports', JOB)).toMatchObject({ container: 'west' });
    expect(parseJobCommand('logs ledger -c west -n reports', JOB)).not.toHaveProperty('cluster');
  });

  it('rejects an invalid cluster name', () => {
    const error = failed('status ledger --cluster a:b');
    expect(error.code).toBe('invalid-cluster');
    expect(error.message).toContain('Invalid cluster `a:b`');
  });

  it('rejects two different clusters', () => {
    const error = failed('status ledger -c east --cluster west');
    expect(error.code).toBe('conflicting-options');
    expect(error.message).toContain('The cluster is given twice, as `east` and `west`');
  });

  it('rejects --cluster without a value', () => {
    expect(failed('status ledger --cluster').code).toBe('missing-option-value');
  });

  it('explains --cluster in the help', () => {
    expect(helpText('/job')).toContain('`--cluster NAME` (or `-c NAME`)');
  });
});
