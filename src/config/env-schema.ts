import { z } from 'zod';
import { REDIS_URL_FORMS } from '../queue/redis-url.ts';
import {
  httpBaseUrl,
  logLevel,
  namespaceList,
  namespaceName,
  onOff,
  plainName,
  redisUrl,
  roleList,
  signingSecret,
  slackChannel,
  slackToken,
  wholeNumber,
} from './env-values.ts';

const SECONDS = 'whole number of seconds';
const LINES = 'whole number of lines';
const BYTES = 'whole number of bytes';
const CALLS = 'whole number of calls';

/** The environment variables jobwatch reads, each with its schema. */
export const envSchema = z.object({
  SLACK_BOT_TOKEN: slackToken('SLACK_BOT_TOKEN', 'xoxb-').optional(),
  SLACK_SIGNING_SECRET: signingSecret('SLACK_SIGNING_SECRET').optional(),
  SLACK_APP_TOKEN: slackToken('SLACK_APP_TOKEN', 'xapp-').optional(),
  SLACK_CHANNEL: slackChannel('SLACK_CHANNEL').optional(),
  SLACK_API_URL: httpBaseUrl('SLACK_API_URL').optional(),
  REDIS_URL: redisUrl('REDIS_URL'),
  JOBWATCH_REDIS_PREFIX: plainName('JOBWATCH_REDIS_PREFIX', 64),
  KUBECONFIG: z.string().optional(),
  JOBWATCH_CONTEXT: z.string().optional(),
  JOBWATCH_NAMESPACES: namespaceList('JOBWATCH_NAMESPACES').optional(),
  JOBWATCH_ROLES: roleList('JOBWATCH_ROLES'),
  JOBWATCH_ROUTES_FILE: z.string().optional(),
  JOBWATCH_POLICY_FILE: z.string().optional(),
  JOBWATCH_LOG_PATTERNS_FILE: z.string().optional(),
  JOBWATCH_CLUSTER_NAME: plainName('JOBWATCH_CLUSTER_NAME', 63),
  JOBWATCH_STUCK_AFTER_SECONDS: wholeNumber('JOBWATCH_STUCK_AFTER_SECONDS', SECONDS, 1, 86_400),
  JOBWATCH_CRONJOB_MISSED_RUNS: wholeNumber('JOBWATCH_CRONJOB_MISSED_RUNS', 'whole number of scheduled runs', 1, 100),
  JOBWATCH_BOOTSTRAP_POST_MAX_AGE_SECONDS: wholeNumber(
    'JOBWATCH_BOOTSTRAP_POST_MAX_AGE_SECONDS', SECONDS, 0, 2_592_000,
  ),
  JOBWATCH_STATE_TTL_SECONDS: wholeNumber('JOBWATCH_STATE_TTL_SECONDS', SECONDS, 3_600, 7_776_000),
  JOBWATCH_LOG_TAIL_LINES: wholeNumber('JOBWATCH_LOG_TAIL_LINES', LINES, 1, 10_000),
  JOBWATCH_LOG_LIMIT_BYTES: wholeNumber('JOBWATCH_LOG_LIMIT_BYTES', BYTES, 1_024, 10_485_760),
  JOBWATCH_HTTP_PORT: wholeNumber('JOBWATCH_HTTP_PORT', 'TCP port number', 0, 65_535),
  JOBWATCH_WATCH_STALL_SECONDS: wholeNumber('JOBWATCH_WATCH_STALL_SECONDS', SECONDS, 10, 3_600),
  JOBWATCH_SLACK_POSTS_PER_MINUTE: wholeNumber('JOBWATCH_SLACK_POSTS_PER_MINUTE', CALLS, 1, 60_000),
  JOBWATCH_SLACK_POST_BURST: wholeNumber('JOBWATCH_SLACK_POST_BURST', CALLS, 1, 10_000),
  JOBWATCH_SLACK_UPDATES_PER_MINUTE: wholeNumber('JOBWATCH_SLACK_UPDATES_PER_MINUTE', CALLS, 1, 60_000),
  JOBWATCH_SLACK_UPDATE_BURST: wholeNumber('JOBWATCH_SLACK_UPDATE_BURST', CALLS, 1, 10_000),
  JOBWATCH_DIGEST_MIN_JOBS: wholeNumber('JOBWATCH_DIGEST_MIN_JOBS', 'whole number of Jobs', 0, 10_000),
  JOBWATCH_DIGEST_WINDOW_SECONDS: wholeNumber('JOBWATCH_DIGEST_WINDOW_SECONDS', SECONDS, 1, 3_600),
  JOBWATCH_LEADER_ELECTION: onOff('JOBWATCH_LEADER_ELECTION'),
  JOBWATCH_LEASE_NAMESPACE: namespaceName('JOBWATCH_LEASE_NAMESPACE').optional(),
  JOBWATCH_LEASE_DURATION_SECONDS: wholeNumber('JOBWATCH_LEASE_DURATION_SECONDS', SECONDS, 2, 300),
  JOBWATCH_LEASE_RENEW_DEADLINE_SECONDS: wholeNumber('JOBWATCH_LEASE_RENEW_DEADLINE_SECONDS', SECONDS, 1, 299),
  JOBWATCH_LEASE_RETRY_PERIOD_SECONDS: wholeNumber('JOBWATCH_LEASE_RETRY_PERIOD_SECONDS', SECONDS, 1, 60),
  JOBWATCH_SHUTDOWN_GRACE_SECONDS: wholeNumber('JOBWATCH_SHUTDOWN_GRACE_SECONDS', SECONDS, 0, 3_600),
  LOG_LEVEL: logLevel('LOG_LEVEL'),
});

export type EnvVariable = keyof typeof envSchema.shape;

/** Every variable jobwatch reads, in the order of the documentation. */
export const ENV_VARIABLES = Object.keys(envSchema.shape) as EnvVariable[];

/** Defaults applied when a variable is unset or empty. */
export const ENV_DEFAULTS: Partial<Record<EnvVariable, string>> = {
  REDIS_URL: 'redis://127.0.0.1:6379',
  JOBWATCH_REDIS_PREFIX: 'jobwatch',
  JOBWATCH_ROLES: 'all',
  JOBWATCH_CLUSTER_NAME: 'default',
  JOBWATCH_STUCK_AFTER_SECONDS: '300',
  JOBWATCH_CRONJOB_MISSED_RUNS: '2',
  JOBWATCH_BOOTSTRAP_POST_MAX_AGE_SECONDS: '0',
  JOBWATCH_STATE_TTL_SECONDS: '1209600',
  JOBWATCH_LOG_TAIL_LINES: '200',
  JOBWATCH_LOG_LIMIT_BYTES: '262144',
  JOBWATCH_HTTP_PORT: '3000',
  JOBWATCH_WATCH_STALL_SECONDS: '120',
  JOBWATCH_SLACK_POSTS_PER_MINUTE: '60',
  JOBWATCH_SLACK_POST_BURST: '3',
  JOBWATCH_SLACK_UPDATES_PER_MINUTE: '50',
  JOBWATCH_SLACK_UPDATE_BURST: '10',
  JOBWATCH_DIGEST_MIN_JOBS: '5',
  JOBWATCH_DIGEST_WINDOW_SECONDS: '60',
  JOBWATCH_LEADER_ELECTION: 'true',
  JOBWATCH_LEASE_DURATION_SECONDS: '15',
  JOBWATCH_LEASE_RENEW_DEADLINE_SECONDS: '10',
  JOBWATCH_LEASE_RETRY_PERIOD_SECONDS: '2',
  JOBWATCH_SHUTDOWN_GRACE_SECONDS: '25',
  LOG_LEVEL: 'info',
};

/** The fix shown under a problem with each variable. */
export const ENV_FIXES: Record<EnvVariable, string> = {
  SLACK_BOT_TOKEN:
    'copy the Bot User OAuth Token (xoxb-…) from the app\'s "OAuth & Permissions" page, ' +
    'or unset SLACK_BOT_TOKEN to print alerts to the terminal',
  SLACK_SIGNING_SECRET:
    'copy the Signing Secret from the app\'s "Basic Information" page, without quotes',
  SLACK_APP_TOKEN:
    'create an app-level token (xapp-…) with the connections:write scope on the app\'s ' +
    '"Basic Information" page, or unset SLACK_APP_TOKEN to receive requests over HTTP',
  SLACK_CHANNEL:
    'set it to a channel id such as C0123456 or a channel name such as #alerts',
  SLACK_API_URL:
    'set it to the Web API base URL, such as http://127.0.0.1:9000/api/, or unset it ' +
    'to use https://slack.com/api/',
  REDIS_URL: `set it to ${REDIS_URL_FORMS}, or unset it to use redis://127.0.0.1:6379`,
  JOBWATCH_REDIS_PREFIX: 'use letters, digits, ".", "_" or "-", or unset it to use jobwatch',
  KUBECONFIG: 'point it at a kubeconfig file, or unset it',
  JOBWATCH_CONTEXT: 'set it to a context name from `kubectl config get-contexts`, or unset it',
  JOBWATCH_NAMESPACES:
    'list namespace names separated by commas, such as payments,billing, or unset it ' +
    'to watch all namespaces',
  JOBWATCH_ROLES: 'set it to all, or to a comma-separated list of watcher, worker, notifier',
  JOBWATCH_ROUTES_FILE: 'point it at a routing YAML file, or unset it',
  JOBWATCH_POLICY_FILE: 'point it at an action policy YAML file, or unset it',
  JOBWATCH_LOG_PATTERNS_FILE: 'point it at a log patterns YAML file, or unset it',
  JOBWATCH_CLUSTER_NAME:
    'use a short name such as prod-eu-1, or unset it to use default',
  JOBWATCH_STUCK_AFTER_SECONDS: 'use a value in the range, or unset it to use 300',
  JOBWATCH_CRONJOB_MISSED_RUNS: 'use a value in the range, or unset it to use 2',
  JOBWATCH_BOOTSTRAP_POST_MAX_AGE_SECONDS: 'use a value in the range, or unset it to use 0',
  JOBWATCH_STATE_TTL_SECONDS:
    'use a value in the range, or unset it to use 1209600 (14 days)',
  JOBWATCH_LOG_TAIL_LINES: 'use a value in the range, or unset it to use 200',
  JOBWATCH_LOG_LIMIT_BYTES: 'use a value in the range, or unset it to use 262144 (256 KiB)',
  JOBWATCH_HTTP_PORT: 'use a free TCP port, or unset it to use 3000',
  JOBWATCH_WATCH_STALL_SECONDS: 'use a value in the range, or unset it to use 120',
  JOBWATCH_SLACK_POSTS_PER_MINUTE: 'use a value in the range, or unset it to use 60',
  JOBWATCH_SLACK_POST_BURST: 'use a value in the range, or unset it to use 3',
  JOBWATCH_SLACK_UPDATES_PER_MINUTE: 'use a value in the range, or unset it to use 50',
  JOBWATCH_SLACK_UPDATE_BURST: 'use a value in the range, or unset it to use 10',
  JOBWATCH_DIGEST_MIN_JOBS: 'use a value in the range, 0 to turn digests off, or unset it to use 5',
  JOBWATCH_DIGEST_WINDOW_SECONDS: 'use a value in the range, or unset it to use 60',
  JOBWATCH_LEADER_ELECTION:
    'use true, or false to run the watcher without a Lease (one watcher replica only)',
  JOBWATCH_LEASE_NAMESPACE:
    'set it to the namespace of the Role in deploy/rbac/leader-election.yaml, or unset it ' +
    "to use the pod's own namespace",
  JOBWATCH_LEASE_DURATION_SECONDS:
    'use a value in the range, longer than JOBWATCH_LEASE_RENEW_DEADLINE_SECONDS, or unset it to use 15',
  JOBWATCH_LEASE_RENEW_DEADLINE_SECONDS:
    'use a value in the range, longer than 1.2 times JOBWATCH_LEASE_RETRY_PERIOD_SECONDS, ' +
    'or unset it to use 10',
  JOBWATCH_LEASE_RETRY_PERIOD_SECONDS: 'use a value in the range, or unset it to use 2',
  JOBWATCH_SHUTDOWN_GRACE_SECONDS:
    "use a value in the range, below the pod's terminationGracePeriodSeconds, or unset it to use 25",
  LOG_LEVEL: 'use one of fatal, error, warn, info, debug, trace, silent',
};
