import { describe, expect, it } from 'vitest';
import { ConfigError, type ConfigProblem } from '../../src/config/config-error.ts';
import { warnIgnoredSettings } from '../../src/cli/run-command.ts';
import { loadConfig } from '../../src/config/env.ts';
import { memoryLogger } from '../support/memory-logger.ts';

function problemsOf(env: NodeJS.ProcessEnv): ConfigProblem[] {
  try {
    loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return [...err.problems];
    throw err;
  }
  throw new Error(`loadConfig accepted ${JSON.stringify(env)}`);
}

describe('leader election settings', () => {
  it('default to client-go timing and a 25 s grace', () => {
    const config = loadConfig({});
    expect(config.leaderElection).toEqual({ enabled: true, leaseDurationSeconds: 15, renewDeadlineSeconds: 10, retryPeriodSeconds: 2 });
    expect(config.shutdownGraceSeconds).toBe(25);
  });

  it('read false and a lease namespace', () => {
    const config = loadConfig({ JOBWATCH_LEADER_ELECTION: 'False', JOBWATCH_LEASE_NAMESPACE: 'ops' });
    expect(config.leaderElection.enabled).toBe(false);
    expect(config.leaderElection.namespace).toBe('ops');
  });

  it('reject a value that is neither true nor false', () => {
    const problems = problemsOf({ JOBWATCH_LEADER_ELECTION: 'yes' });
    expect(problems).toHaveLength(1);
    expect(problems[0]?.message).toBe('JOBWATCH_LEADER_ELECTION is "yes", which is neither true nor false');
  });

  it('reject a renew deadline as long as the term', () => {
    const problems = problemsOf({ JOBWATCH_LEASE_DURATION_SECONDS: '10', JOBWATCH_LEASE_RENEW_DEADLINE_SECONDS: '10' });
    expect(problems).toHaveLength(1);
    expect(problems[0]?.setting).toBe('JOBWATCH_LEASE_DURATION_SECONDS');
    expect(problems[0]?.message).toBe(
      'JOBWATCH_LEASE_DURATION_SECONDS is 10, which is not longer than JOBWATCH_LEASE_RENEW_DEADLINE_SECONDS (10): ' +
        'a leader must stop leading before its Lease expires for the other replicas',
    );
  });

  it('name both variables when the term is shorter', () => {
    const problems = problemsOf({ JOBWATCH_LEASE_DURATION_SECONDS: '5', JOBWATCH_LEASE_RENEW_DEADLINE_SECONDS: '10' });
    expect(problems).toHaveLength(1);
    expect(problems[0]?.message).toContain('JOBWATCH_LEASE_DURATION_SECONDS is 5');
    expect(problems[0]?.message).toContain('JOBWATCH_LEASE_RENEW_DEADLINE_SECONDS (10)');
    expect(problems[0]?.fix).toBe(
      'raise JOBWATCH_LEASE_DURATION_SECONDS above 10, or lower JOBWATCH_LEASE_RENEW_DEADLINE_SECONDS below 5 (defaults: 15 and 10)',
    );
    expect(problems[0]?.fix).not.toContain('RETRY_PERIOD');
  });

  it('name the retry period when the deadline is short', () => {
    const problems = problemsOf({ JOBWATCH_LEASE_RENEW_DEADLINE_SECONDS: '3', JOBWATCH_LEASE_RETRY_PERIOD_SECONDS: '3' });
    expect(problems).toHaveLength(1);
    expect(problems[0]?.setting).toBe('JOBWATCH_LEASE_RENEW_DEADLINE_SECONDS');
    expect(problems[0]?.message).toContain('JOBWATCH_LEASE_RENEW_DEADLINE_SECONDS is 3');
    expect(problems[0]?.message).toContain('1.2 times JOBWATCH_LEASE_RETRY_PERIOD_SECONDS (3)');
    expect(problems[0]?.fix).toBe(
      'set JOBWATCH_LEASE_RENEW_DEADLINE_SECONDS to 4 or more, or JOBWATCH_LEASE_RETRY_PERIOD_SECONDS to 2 or less (defaults: 10 and 2)',
    );
  });

  it('name whole values in the fix when the retry period is long', () => {
    const problems = problemsOf({ JOBWATCH_LEASE_RETRY_PERIOD_SECONDS: '10' });
    expect(problems[0]?.fix).toBe(
      'set JOBWATCH_LEASE_RENEW_DEADLINE_SECONDS to 13 or more, or JOBWATCH_LEASE_RETRY_PERIOD_SECONDS to 8 or less (defaults: 10 and 2)',
    );
  });

  it('ignore the timing rules when the election is off', () => {
    const env = { JOBWATCH_LEADER_ELECTION: 'false', JOBWATCH_LEASE_DURATION_SECONDS: '5', JOBWATCH_LEASE_RENEW_DEADLINE_SECONDS: '10' };
    expect(() => loadConfig(env)).not.toThrow();
    expect(loadConfig(env).leaderElection.ignoredSettings).toEqual([
      'JOBWATCH_LEASE_DURATION_SECONDS',
      'JOBWATCH_LEASE_RENEW_DEADLINE_SECONDS',
    ]);
  });

  it('list no ignored settings when none are set', () => {
    expect(loadConfig({ JOBWATCH_LEADER_ELECTION: 'false' }).leaderElection.ignoredSettings).toBeUndefined();
    expect(loadConfig({ JOBWATCH_LEASE_DURATION_SECONDS: '20' }).leaderElection.ignoredSettings).toBeUndefined();
  });

  it('warn once about ignored lease settings', () => {
    const { logger, lines } = memoryLogger();
    const config = loadConfig({ JOBWATCH_LEADER_ELECTION: 'false', JOBWATCH_LEASE_NAMESPACE: 'ops' });
    warnIgnoredSettings(config, logger);
    expect(lines).toHaveLength(1);
    expect(lines[0]?.level).toBe(40);
    expect(lines[0]?.msg).toBe('lease settings ignored because JOBWATCH_LEADER_ELECTION is false');
    expect(lines[0]?.['settings']).toEqual(['JOBWATCH_LEASE_NAMESPACE']);
  });

  it('warn about nothing when the election is on', () => {
    const { logger, lines } = memoryLogger();
    warnIgnoredSettings(loadConfig({ JOBWATCH_LEASE_NAMESPACE: 'ops' }), logger);
    expect(lines).toHaveLength(0);
  });

  it('reject an invalid lease namespace', () => {
    const problems = problemsOf({ JOBWATCH_LEASE_NAMESPACE: 'Ops_Team' });
    expect(problems[0]?.message).toContain('is not a namespace name');
  });
});
