import { describe, expect, it } from 'vitest';
import { loadLogPatterns, parseLogPatterns } from '../../src/config/log-patterns.ts';
import { diagnose } from '../../src/diagnose/diagnose.ts';
import { evaluateScenario } from '../../src/diagnose/evaluate.ts';
import { loadScenario } from '../../src/diagnose/scenario.ts';
import type { Snapshot } from '../../src/diagnose/types.ts';
import type { UserLogPattern } from '../../src/diagnose/user-patterns.ts';
import { matchUserPatterns } from '../../src/diagnose/user-patterns.ts';
import {
  BACKOFF,
  buildContainer,
  buildJob,
  buildLog,
  buildPod,
  buildSnapshot,
  terminated,
} from './builders.ts';

const LICENSE: UserLogPattern = {
  name: 'license-expired',
  regex: /ERR_LICENSE_EXPIRED/,
  cause: 'config-missing',
  fix: 'Renew the licence key in Secret vendor-licence.',
};

const LICENSE_LOG = [
  'loading catalogue',
  'exporting 1200 rows',
  'ERR_LICENSE_EXPIRED: licence 7731 ended on 2026-09-30, contact your vendor',
].join('\n');

/** Builds a Job whose only pod exited with `exitCode` after printing `log`. */
function failedWith(log: string, exitCode = 1, reason = 'Error'): Snapshot {
  const container = buildContainer({ memoryLimit: '256Mi', status: { state: terminated(exitCode, reason) } });
  return buildSnapshot({
    job: buildJob({ failed: BACKOFF }),
    pods: [buildPod({ containers: [container] })],
    logs: [buildLog(log)],
  });
}

describe('diagnose with configured log patterns', () => {
  it('names the pattern cause when a decisive line matches', () => {
    const d = diagnose(failedWith(LICENSE_LOG), { logPatterns: [LICENSE] });
    expect(d.cause).toBe('config-missing');
    expect(d.confidence).toBe('medium');
    expect(d.summary).toContain('configured pattern "license-expired"');
    expect(d.summary).toContain('ERR_LICENSE_EXPIRED');
    expect(d.fix).toContain('Renew the licence key in Secret vendor-licence.');
  });

  it('quotes the matched line and names the pattern in the evidence', () => {
    const d = diagnose(failedWith(LICENSE_LOG), { logPatterns: [LICENSE] });
    const line = d.evidence.find((e) => e.source === 'log' && e.text.startsWith('ERR_LICENSE_EXPIRED'));
    expect(line?.text).toBe('ERR_LICENSE_EXPIRED: licence 7731 ended on 2026-09-30, contact your vendor');
    expect(line?.object).toBe('pod/nightly-abcde container main');
    const named = d.evidence.find((e) => e.text.includes('configured log pattern "license-expired"'));
    expect(named?.text).toContain('/ERR_LICENSE_EXPIRED/');
    expect(named?.text).toContain('config-missing');
  });

  it('quotes a case-insensitive pattern as the file wrote it', () => {
    const { patterns } = parseLogPatterns('patterns:\n  - name: licence\n    pattern: "err_License_[A-Z]+"\n    flags: i\n    cause: config-missing\n', 'patterns.yaml');
    const d = diagnose(failedWith(LICENSE_LOG), { logPatterns: patterns });
    const named = d.evidence.find((e) => e.text.includes('configured log pattern "licence"'));
    expect(named?.text).toContain('matched /err_License_[A-Z]+/i,');
  });

  it('keeps the built-in reading when no pattern matches', () => {
    const other: UserLogPattern = { name: 'other', regex: /ERR_QUOTA_GONE/, cause: 'quota-exceeded' };
    const withPatterns = diagnose(failedWith(LICENSE_LOG), { logPatterns: [other] });
    const without = diagnose(failedWith(LICENSE_LOG));
    expect(withPatterns).toEqual(without);
    expect(withPatterns.cause).toBe('app-error');
  });

  it('uses a generic fix that names the pattern when the entry has none', () => {
    const bare: UserLogPattern = { name: 'license-expired', regex: /ERR_LICENSE_EXPIRED/, cause: 'config-missing' };
    const d = diagnose(failedWith(LICENSE_LOG), { logPatterns: [bare] });
    expect(d.fix).toContain('Act on the line that the configured log pattern "license-expired" matched');
    expect(d.fix).toContain('kubectl logs nightly-abcde -n batch -c main');
  });

  it('leaves an OOMKilled status above a matching log line', () => {
    const d = diagnose(failedWith(LICENSE_LOG, 137, 'OOMKilled'), { logPatterns: [LICENSE] });
    expect(d.cause).toBe('oom-killed');
    expect(d.evidence.some((e) => e.text.includes('configured log pattern'))).toBe(false);
  });

  it('leaves exit code 127 to the command rule', () => {
    const d = diagnose(failedWith('ERR_LICENSE_EXPIRED\nsh: /app/run: not found', 127), { logPatterns: [LICENSE] });
    expect(d.cause).toBe('command-invalid');
  });

  it('outranks a built-in log family on the same log', () => {
    const log = 'Error: connect ECONNREFUSED 10.0.0.7:5432\nFATAL ERR_LICENSE_EXPIRED: licence 7731 ended';
    expect(diagnose(failedWith(log)).cause).toBe('dependency-unavailable');
    const d = diagnose(failedWith(log), { logPatterns: [LICENSE] });
    expect(d.cause).toBe('config-missing');
  });

  it('outranks a built-in family that matches a later line', () => {
    const log = 'FATAL ERR_LICENSE_EXPIRED: licence 7731 ended\nError: connect ECONNREFUSED 10.0.0.7:5432';
    const d = diagnose(failedWith(log), { logPatterns: [LICENSE] });
    expect(d.cause).toBe('config-missing');
  });

  it('ignores a match outside the decisive lines', () => {
    // The licence line is early and not an error line; the exception at the end is decisive.
    const log = [
      'vendor banner: ERR_LICENSE_EXPIRED is shown when the licence ends',
      ...Array.from({ length: 30 }, (_, i) => `processed batch ${i}`),
      'Traceback (most recent call last):',
      '  File "/app/run.py", line 3, in <module>',
      'ValueError: bad input row 17',
    ].join('\n');
    const d = diagnose(failedWith(log), { logPatterns: [LICENSE] });
    expect(d.cause).toBe('app-error');
    expect(d.summary).toContain('ValueError: bad input row 17');
  });

  it('gives the same diagnosis for the same input', () => {
    const snapshot = failedWith(LICENSE_LOG);
    const first = diagnose(snapshot, { logPatterns: [LICENSE] });
    const second = diagnose(snapshot, { logPatterns: [LICENSE] });
    expect(second).toEqual(first);
  });

  it('applies patterns loaded from a file in file order', () => {
    const loaded = parseLogPatterns(
      [
        'patterns:',
        '  - name: broad',
        '    pattern: "licen[cs]e"',
        '    flags: i',
        '    cause: permission-denied',
        '  - name: narrow',
        '    pattern: "ERR_LICENSE_EXPIRED"',
        '    cause: config-missing',
      ].join('\n'),
      'patterns.yaml',
    );
    const d = diagnose(failedWith(LICENSE_LOG), { logPatterns: loaded.patterns });
    expect(d.cause).toBe('permission-denied');
    expect(d.summary).toContain('"broad"');
  });
});

describe('matchUserPatterns', () => {
  const lines = ['first ERR_A', 'second', 'third ERR_B'];
  const a: UserLogPattern = { name: 'a', regex: /ERR_A/, cause: 'app-error' };
  const b: UserLogPattern = { name: 'b', regex: /ERR_B/, cause: 'config-missing' };

  it('prefers the last matching line', () => {
    expect(matchUserPatterns([a, b], lines)?.pattern.name).toBe('b');
  });

  it('prefers the first pattern on one line', () => {
    const any: UserLogPattern = { name: 'any', regex: /ERR_/, cause: 'permission-denied' };
    expect(matchUserPatterns([any, b], lines)?.pattern.name).toBe('any');
  });

  it('returns the matched text and line', () => {
    const match = matchUserPatterns([a], lines);
    expect(match?.line).toBe('first ERR_A');
    expect(match?.matched).toBe('ERR_A');
  });

  it('returns undefined without patterns', () => {
    expect(matchUserPatterns([], lines)).toBeUndefined();
  });
});

describe('scenario whose only clue is a program-specific line', () => {
  const file = new URL('../../fixtures/scenarios/kafka-topics-job-broker-unreachable-node-assignment-timeout.json', import.meta.url);
  const examples = new URL('../../examples/log-patterns.yaml', import.meta.url);

  it('is wrong with the built-in rules alone', async () => {
    const result = evaluateScenario(await loadScenario(file.pathname));
    expect(result.expected.cause).toBe('dependency-unavailable');
    expect(result.diagnosed.cause).toBe('app-error');
    expect(result.right).toBe(false);
  });

  it('is right with the example log patterns', async () => {
    const { patterns } = loadLogPatterns(examples.pathname);
    const result = evaluateScenario(await loadScenario(file.pathname), { logPatterns: patterns });
    expect(result.diagnosed.cause).toBe('dependency-unavailable');
    expect(result.diagnosed.confidence).toBe('medium');
    expect(result.missingEvidence).toEqual([]);
    expect(result.right).toBe(true);
  });
});
