import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/config/config-error.ts';
import { loadConfig } from '../../src/config/env.ts';

function problemsOf(env: NodeJS.ProcessEnv): { setting: string; message: string }[] {
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
    expect(problems[0]?.setting).toBe('JOBWATCH_LEASE_RENEW_DEADLINE_SECONDS');
    expect(problems[0]?.message).toContain('must be longer than the renew deadline');
  });

  it('ignore the timing rules when the election is off', () => {
    const env = { JOBWATCH_LEADER_ELECTION: 'false', JOBWATCH_LEASE_DURATION_SECONDS: '5', JOBWATCH_LEASE_RENEW_DEADLINE_SECONDS: '10' };
    expect(() => loadConfig(env)).not.toThrow();
  });

  it('reject an invalid lease namespace', () => {
    const problems = problemsOf({ JOBWATCH_LEASE_NAMESPACE: 'Ops_Team' });
    expect(problems[0]?.message).toContain('is not a namespace name');
  });
});
