import type { z } from 'zod';
import { ConfigError, type ConfigProblem } from './config-error.ts';
import {
  ENV_DEFAULTS,
  ENV_FIXES,
  ENV_VARIABLES,
  envSchema,
  type EnvVariable,
} from './env-schema.ts';
import type { LogLevel, Role } from './env-values.ts';
import { timingProblems } from '../kube/leader-election.ts';

export type { LogLevel, Role } from './env-values.ts';

/**
 * Destination of alerts. Without a bot token jobwatch prints them to the terminal. With one it
 * posts to Slack and receives button clicks and commands over Socket Mode when an app token
 * is set, or else over HTTP, verified with the signing secret.
 */
export type SlackConfig =
  | { output: 'terminal'; channel?: string }
  | {
      output: 'slack';
      receiver: 'socket' | 'http';
      botToken: string;
      signingSecret?: string;
      appToken?: string;
      /** Default channel id or name. */
      channel: string;
      /** Web API base URL with a trailing slash; `@slack/web-api`'s default when unset. */
      apiUrl?: string;
    };

/** jobwatch's settings, read once at start by {@link loadConfig}. */
export interface Config {
  slack: SlackConfig;
  redis: {
    /** Connection URL; may contain a password, so log it only through `redactConfig`. */
    url: string;
    /** Key prefix, so that several installs can share one Redis. Default `jobwatch`. */
    prefix: string;
  };
  kube: {
    /** `KUBECONFIG` as given; client-node's default loading applies when unset. */
    kubeconfig?: string;
    /** Kubeconfig context to use instead of the current one. */
    context?: string;
    /** Namespaces to watch, or `all`. Default `all`. */
    namespaces: readonly string[] | 'all';
  };
  /** Processes this instance runs. Default all three. */
  roles: readonly Role[];
  /** Path of the routing YAML file. */
  routesFile?: string;
  /** Path of the action policy YAML file; without it everyone may read and nobody may write. */
  policyFile?: string;
  /** Path of the log patterns file; without it only the built-in log rules apply. */
  logPatternsFile?: string;
  /** Name of the cluster shown in alerts. Default `default`. */
  clusterName: string;
  /** Seconds a pod may wait in a stuck state before a stuck episode opens. Default 300. */
  stuckAfterSeconds: number;
  /** Scheduled times a CronJob may pass without a new run before it is reported. Default 2. */
  cronJobMissedRuns: number;
  /** On the first start, failures younger than this are posted, older ones recorded. Default 0. */
  bootstrapPostMaxAgeSeconds: number;
  /** Time to live of episodes, captured logs and dedupe markers. Default 1,209,600 (14 days). */
  stateTtlSeconds: number;
  /** Lines of log fetched from the end of each container. Default 200. */
  logTailLines: number;
  /** Bytes of log kept per container. Default 262,144. */
  logLimitBytes: number;
  /** Port for Slack requests, `/healthz` and `/readyz`; 0 picks a free port. Default 3000. */
  httpPort: number;
  /** Seconds without a watch event before a watch is restarted. Default 120. */
  watchStallSeconds: number;
  /** Slack's limits and the grouping of failure storms (`docs/storms.md`). */
  storm: StormConfig;
  /** Leader election among watcher replicas (`docs/high-availability.md`). */
  leaderElection: LeaderElectionConfig;
  /** Seconds in-flight queue jobs get to finish after SIGTERM. Default 25. */
  shutdownGraceSeconds: number;
  /** Default `info`. */
  logLevel: LogLevel;
}

/** Settings of the watcher's Lease; the timing follows client-go's leader election. */
export interface LeaderElectionConfig {
  /** Whether watcher replicas elect a leader through a Lease. Default true. */
  enabled: boolean;
  /** Namespace of the Lease; the pod's own namespace (or `default` outside a cluster) when unset. */
  namespace?: string;
  /** How long a holder's term lasts after each renewal, in seconds. Default 15. */
  leaseDurationSeconds: number;
  /** How long a leader keeps trying to renew before it stops leading, in seconds. Default 10. */
  renewDeadlineSeconds: number;
  /** Time between attempts to acquire or renew, in seconds. Default 2. */
  retryPeriodSeconds: number;
  /**
   * The `JOBWATCH_LEASE_*` variables set in the environment while the election is off, which
   * have no effect; the commands warn about them at start. Absent when there are none.
   */
  ignoredSettings?: readonly string[];
}

/** Shared Slack budgets and the digest rule. */
export interface StormConfig {
  /** `chat.postMessage` calls per minute and channel, replies included. Default 60. */
  postsPerMinute: number;
  /** Posts to one channel allowed at once after a quiet spell. Default 3. */
  postBurst: number;
  /** `chat.update` calls per minute across the workspace. Default 50. */
  updatesPerMinute: number;
  /** Updates allowed at once after a quiet spell. Default 10. */
  updateBurst: number;
  /** New episodes of one channel and cause within the window that open a digest; 0 is off. Default 5. */
  digestMinJobs: number;
  /** The digest window, in seconds. Default 60. */
  digestWindowSeconds: number;
}

type ParsedEnv = z.output<typeof envSchema>;

/**
 * Reads and validates jobwatch's environment variables. Values are trimmed, and an empty
 * value counts as unset.
 *
 * @throws ConfigError with code `CONFIG_ENV_INVALID` listing every problem found.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const raw = pickVariables(env);
  const result = envSchema.safeParse(raw);
  const problems = [...(result.success ? [] : result.error.issues.map(toProblem))];
  problems.push(...checkSlackCombination(raw));
  if (result.success) problems.push(...checkLeaseTiming(result.data), ...checkDigestSize(result.data));
  if (!result.success || problems.length > 0) {
    throw new ConfigError('CONFIG_ENV_INVALID', problems);
  }
  const config = toConfig(result.data);
  const ignored = ignoredLeaseSettings(config.leaderElection.enabled, env);
  if (ignored.length > 0) config.leaderElection.ignoredSettings = ignored;
  return config;
}

const LEASE_SETTINGS = [
  'JOBWATCH_LEASE_NAMESPACE',
  'JOBWATCH_LEASE_DURATION_SECONDS',
  'JOBWATCH_LEASE_RENEW_DEADLINE_SECONDS',
  'JOBWATCH_LEASE_RETRY_PERIOD_SECONDS',
] as const;

function ignoredLeaseSettings(enabled: boolean, env: NodeJS.ProcessEnv): string[] {
  if (enabled) return [];
  return LEASE_SETTINGS.filter((name) => (env[name]?.trim() ?? '') !== '');
}

function pickVariables(env: NodeJS.ProcessEnv): Partial<Record<EnvVariable, string>> {
  const raw: Partial<Record<EnvVariable, string>> = {};
  for (const name of ENV_VARIABLES) {
    const value = env[name]?.trim() || ENV_DEFAULTS[name];
    if (value !== undefined) raw[name] = value;
  }
  return raw;
}

function toProblem(issue: z.core.$ZodIssue): ConfigProblem {
  const setting = String(issue.path[0] ?? 'environment') as EnvVariable;
  return { setting, message: issue.message, fix: ENV_FIXES[setting] ?? 'check the value' };
}

/** Problems with how the Slack variables combine, whatever their formats. */
function checkSlackCombination(raw: Partial<Record<EnvVariable, string>>): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  if (raw.SLACK_BOT_TOKEN === undefined) {
    for (const name of ['SLACK_SIGNING_SECRET', 'SLACK_APP_TOKEN'] as const) {
      if (raw[name] === undefined) continue;
      problems.push({
        setting: name,
        message: `${name} is set but SLACK_BOT_TOKEN is not, so jobwatch cannot post to Slack`,
        fix:
          `set SLACK_BOT_TOKEN to post to Slack, or unset ${name} ` +
          'to print alerts to the terminal',
      });
    }
    return problems;
  }
  if (raw.SLACK_SIGNING_SECRET === undefined && raw.SLACK_APP_TOKEN === undefined) {
    problems.push({
      setting: 'SLACK_SIGNING_SECRET',
      message:
        'SLACK_BOT_TOKEN is set but neither SLACK_SIGNING_SECRET nor SLACK_APP_TOKEN is, ' +
        'so jobwatch cannot verify the button clicks and commands that Slack sends',
      fix:
        'set SLACK_SIGNING_SECRET to receive requests over HTTP, or SLACK_APP_TOKEN to ' +
        'receive them over Socket Mode',
    });
  }
  if (raw.SLACK_CHANNEL === undefined) {
    problems.push({
      setting: 'SLACK_CHANNEL',
      message: 'SLACK_BOT_TOKEN is set but SLACK_CHANNEL is not, so alerts have no default channel',
      fix: ENV_FIXES.SLACK_CHANNEL,
    });
  }
  return problems;
}

/**
 * Rejects a digest minimum of 1, because a digest of one Job would take every alert's
 * buttons away.
 */
function checkDigestSize(env: ParsedEnv): ConfigProblem[] {
  if (env.JOBWATCH_DIGEST_MIN_JOBS !== 1) return [];
  return [
    {
      setting: 'JOBWATCH_DIGEST_MIN_JOBS',
      message: 'JOBWATCH_DIGEST_MIN_JOBS is 1, which would turn every alert into a digest without the buttons of its Job',
      fix: 'use 2 or more, 0 to turn digests off, or unset it to use 5',
    },
  ];
}

/** Problems with how the Lease timing settings combine, in client-go's rules. */
function checkLeaseTiming(env: ParsedEnv): ConfigProblem[] {
  if (!env.JOBWATCH_LEADER_ELECTION) return [];
  const duration = env.JOBWATCH_LEASE_DURATION_SECONDS;
  const deadline = env.JOBWATCH_LEASE_RENEW_DEADLINE_SECONDS;
  const retry = env.JOBWATCH_LEASE_RETRY_PERIOD_SECONDS;
  const timing = { leaseDurationMs: duration * 1000, renewDeadlineMs: deadline * 1000, retryPeriodMs: retry * 1000 };
  return timingProblems(timing).map(({ rule }) =>
    rule === 'lease-duration' ? durationProblem(duration, deadline) : deadlineProblem(deadline, retry),
  );
}

function durationProblem(duration: number, deadline: number): ConfigProblem {
  return {
    setting: 'JOBWATCH_LEASE_DURATION_SECONDS',
    message:
      `JOBWATCH_LEASE_DURATION_SECONDS is ${duration}, which is not longer than ` +
      `JOBWATCH_LEASE_RENEW_DEADLINE_SECONDS (${deadline}): a leader must stop leading ` +
      'before its Lease expires for the other replicas',
    fix:
      `raise JOBWATCH_LEASE_DURATION_SECONDS above ${deadline}, or lower ` +
      `JOBWATCH_LEASE_RENEW_DEADLINE_SECONDS below ${duration} (defaults: 15 and 10)`,
  };
}

function deadlineProblem(deadline: number, retry: number): ConfigProblem {
  // The settings are whole seconds, so the fix names the nearest whole values that pass.
  const minimumDeadline = Math.floor(1.2 * retry) + 1;
  const maximumRetry = Math.ceil(deadline / 1.2) - 1;
  const lowerRetry = maximumRetry >= 1 ? `, or JOBWATCH_LEASE_RETRY_PERIOD_SECONDS to ${maximumRetry} or less` : '';
  return {
    setting: 'JOBWATCH_LEASE_RENEW_DEADLINE_SECONDS',
    message:
      `JOBWATCH_LEASE_RENEW_DEADLINE_SECONDS is ${deadline}, which is not longer than 1.2 times ` +
      `JOBWATCH_LEASE_RETRY_PERIOD_SECONDS (${retry}), so a leader gets no second try to renew`,
    fix: `set JOBWATCH_LEASE_RENEW_DEADLINE_SECONDS to ${minimumDeadline} or more${lowerRetry} (defaults: 10 and 2)`,
  };
}

function toConfig(env: ParsedEnv): Config {
  return {
    slack: toSlackConfig(env),
    redis: { url: env.REDIS_URL, prefix: env.JOBWATCH_REDIS_PREFIX },
    kube: {
      ...(env.KUBECONFIG === undefined ? {} : { kubeconfig: env.KUBECONFIG }),
      ...(env.JOBWATCH_CONTEXT === undefined ? {} : { context: env.JOBWATCH_CONTEXT }),
      namespaces: env.JOBWATCH_NAMESPACES ?? 'all',
    },
    roles: env.JOBWATCH_ROLES,
    ...(env.JOBWATCH_ROUTES_FILE === undefined ? {} : { routesFile: env.JOBWATCH_ROUTES_FILE }),
    ...(env.JOBWATCH_POLICY_FILE === undefined ? {} : { policyFile: env.JOBWATCH_POLICY_FILE }),
    ...(env.JOBWATCH_LOG_PATTERNS_FILE === undefined
      ? {}
      : { logPatternsFile: env.JOBWATCH_LOG_PATTERNS_FILE }),
    clusterName: env.JOBWATCH_CLUSTER_NAME,
    stuckAfterSeconds: env.JOBWATCH_STUCK_AFTER_SECONDS,
    cronJobMissedRuns: env.JOBWATCH_CRONJOB_MISSED_RUNS,
    bootstrapPostMaxAgeSeconds: env.JOBWATCH_BOOTSTRAP_POST_MAX_AGE_SECONDS,
    stateTtlSeconds: env.JOBWATCH_STATE_TTL_SECONDS,
    logTailLines: env.JOBWATCH_LOG_TAIL_LINES,
    logLimitBytes: env.JOBWATCH_LOG_LIMIT_BYTES,
    httpPort: env.JOBWATCH_HTTP_PORT,
    watchStallSeconds: env.JOBWATCH_WATCH_STALL_SECONDS,
    storm: {
      postsPerMinute: env.JOBWATCH_SLACK_POSTS_PER_MINUTE,
      postBurst: env.JOBWATCH_SLACK_POST_BURST,
      updatesPerMinute: env.JOBWATCH_SLACK_UPDATES_PER_MINUTE,
      updateBurst: env.JOBWATCH_SLACK_UPDATE_BURST,
      digestMinJobs: env.JOBWATCH_DIGEST_MIN_JOBS,
      digestWindowSeconds: env.JOBWATCH_DIGEST_WINDOW_SECONDS,
    },
    leaderElection: {
      enabled: env.JOBWATCH_LEADER_ELECTION,
      ...(env.JOBWATCH_LEASE_NAMESPACE === undefined ? {} : { namespace: env.JOBWATCH_LEASE_NAMESPACE }),
      leaseDurationSeconds: env.JOBWATCH_LEASE_DURATION_SECONDS,
      renewDeadlineSeconds: env.JOBWATCH_LEASE_RENEW_DEADLINE_SECONDS,
      retryPeriodSeconds: env.JOBWATCH_LEASE_RETRY_PERIOD_SECONDS,
    },
    shutdownGraceSeconds: env.JOBWATCH_SHUTDOWN_GRACE_SECONDS,
    logLevel: env.LOG_LEVEL,
  };
}

function toSlackConfig(env: ParsedEnv): SlackConfig {
  const channel = env.SLACK_CHANNEL;
  if (env.SLACK_BOT_TOKEN === undefined || channel === undefined) {
    return channel === undefined ? { output: 'terminal' } : { output: 'terminal', channel };
  }
  return {
    output: 'slack',
    // With an app token Bolt connects out over Socket Mode and needs no public URL.
    receiver: env.SLACK_APP_TOKEN === undefined ? 'http' : 'socket',
    botToken: env.SLACK_BOT_TOKEN,
    channel,
    ...(env.SLACK_SIGNING_SECRET === undefined ? {} : { signingSecret: env.SLACK_SIGNING_SECRET }),
    ...(env.SLACK_APP_TOKEN === undefined ? {} : { appToken: env.SLACK_APP_TOKEN }),
    ...(env.SLACK_API_URL === undefined ? {} : { apiUrl: env.SLACK_API_URL }),
  };
}
