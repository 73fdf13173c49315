import type { RequestListener } from 'node:http';
import type { Writable } from 'node:stream';
import type { Logger } from 'pino';
import type { Config } from '../config/env.ts';
import { ConfigError, throwConfigErrors } from '../config/config-error.ts';
import { loadLogPatterns } from '../config/log-patterns.ts';
import { loadRoutes } from '../config/routing.ts';
import { loadKubeConfig } from '../kube/kubeconfig.ts';
import type { Messenger } from '../notify/messenger.ts';
import type { Renderers } from '../notify/process-notify.ts';
import { TerminalMessenger } from '../notify/terminal-messenger.ts';
import { renderAlert } from '../slack/render-alert.ts';
import { renderAttemptReply } from '../slack/render-attempt.ts';
import { renderIncident } from '../slack/render-incident.ts';
import { renderTerminal } from '../slack/render-terminal.ts';
import { createClusterReader } from './cluster-reader.ts';
import { createLiveSettings, watchSettingFiles } from './config-reload.ts';
import type { App } from '@slack/bolt';
import { loadPolicy } from '../config/policy.ts';
import type { ActionSlack } from '../notify/action-notify.ts';
import { createJobwatchMetrics } from '../metrics/registry.ts';
import type { JobwatchDeps } from './start-jobwatch.ts';

/** Channel name used in terminal mode, where there is no Slack channel. */
export const TERMINAL_CHANNEL = 'terminal';

/** Renders for Slack: Block Kit blocks and a fallback text. */
export const slackRenderers: Renderers = {
  alert: (view) => renderAlert(view),
  attempt: (view, attempt) => renderAttemptReply(view, attempt),
  incident: (view) => renderIncident(view),
};

/** Renders for a terminal: the same content as plain text, the thread under the alert. */
export const terminalRenderers: Renderers = {
  alert: (view) => ({ text: renderTerminal(view, 'alert'), blocks: [] }),
  attempt: (view, attempt) => ({ text: renderAttemptReply(view, attempt).text, blocks: [] }),
  incident: (view) => ({ text: renderTerminal(view, 'incident'), blocks: [] }),
};

/**
 * Reads the routing, policy and log patterns files. Every file is read even when an
 * earlier one fails, so that one start reports the problems of all of them.
 *
 * @throws ConfigError for one file with problems, AggregateConfigError for several.
 */
export function loadSettingFiles(config: Config, defaultChannel: string) {
  const errors: ConfigError[] = [];
  const attempt = <T>(load: () => T): T | undefined => {
    try {
      return load();
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      errors.push(err);
      return undefined;
    }
  };
  const routes = attempt(() => loadRoutes(config.routesFile, { defaultChannel }));
  const policyFile = attempt(() => loadPolicy(config.policyFile));
  const logPatterns = attempt(() => loadLogPatterns(config.logPatternsFile));
  throwConfigErrors(errors);
  // Each is set when `errors` is empty; the checks narrow the types for the compiler.
  if (routes === undefined || policyFile === undefined || logPatterns === undefined) {
    throw new Error('a settings file failed without a ConfigError');
  }
  return { routes, policyFile, logPatterns };
}

/**
 * Builds everything the roles need from the configuration: the Kubernetes client
 * (when a role needs the cluster), the routing rules, and where messages go.
 */
export async function buildRuntime(config: Config, logger: Logger, out: Writable = process.stdout): Promise<{ deps: JobwatchDeps; close(): Promise<void> }> {
  const needsCluster = config.roles.includes('watcher') || config.roles.includes('worker');
  const defaultChannel = config.slack.output === 'slack' ? config.slack.channel : (config.slack.channel ?? TERMINAL_CHANNEL);
  const { routes, policyFile, logPatterns } = loadSettingFiles(config, defaultChannel);
  let messenger: Messenger;
  let render: Renderers;
  let slackListener: RequestListener | undefined;
  let slackApp: App | undefined;
  let actionSlack: ActionSlack | undefined;
  let groupsOf: ((userId: string) => Promise<string[]>) | undefined;
  logger.info(
    { policyFile: policyFile.file ?? 'none: everyone may read, nobody may write', rules: policyFile.rules.length, command: policyFile.command },
    'action policy loaded',
  );
  if (policyFile.file && policyFile.rules.length === 0) logger.warn({ policyFile: policyFile.file }, 'the action policy file has no rules, so nobody may change anything');
  if (policyFile.file && config.slack.output !== 'slack') logger.warn({ policyFile: policyFile.file }, 'an action policy is set but alerts go to the terminal, where there are no buttons or commands');
  if (logPatterns.file !== undefined) {
    const names = logPatterns.patterns.map((pattern) => pattern.name);
    logger.info({ logPatternsFile: logPatterns.file, patterns: names }, 'log patterns loaded');
  }
  // The roles keep these for the life of the process; a changed file swaps what is behind them.
  const live = createLiveSettings(routes, policyFile, logPatterns.patterns);
  const policy = live.policy;
  const metrics = createJobwatchMetrics({ logger: logger.child({ component: 'metrics' }) });
  let close = async (): Promise<void> => {};
  // Only the notifier talks to Slack. The Slack SDKs are loaded on demand, so a
  // watcher or worker deployed on its own neither needs Slack nor loads its modules.
  if (config.slack.output === 'slack' && config.roles.includes('notifier')) {
    const { createSlackRuntime } = await import('./slack-runtime.ts');
    const slack = await createSlackRuntime(config.slack, logger.child({ stage: 'slack' }), { metrics: metrics.metrics });
    messenger = slack.messenger;
    render = slackRenderers;
    slackListener = slack.requestListener;
    slackApp = slack.app;
    const { createActionSlack } = await import('../slack/action-slack.ts');
    const { createWebClient } = await import('../slack/web-client.ts');
    const { createGroupResolver } = await import('../slack/user-groups.ts');
    const web = createWebClient({ token: config.slack.botToken, logger, metrics: metrics.metrics, ...(config.slack.apiUrl ? { slackApiUrl: config.slack.apiUrl } : {}) });
    actionSlack = createActionSlack(web);
    groupsOf = createGroupResolver(web, live.policyGroups, logger.child({ component: 'user-groups' }));
    close = () => slack.close();
  } else {
    messenger = new TerminalMessenger(out);
    render = terminalRenderers;
  }
  const deps: JobwatchDeps = {
    logger,
    messenger,
    render,
    route: live.route,
    defaultChannel,
    policy,
    metrics,
    logPatterns: live.logPatterns,
    ...(slackListener ? { slackListener } : {}),
    ...(slackApp ? { slackApp } : {}),
    ...(actionSlack ? { actionSlack } : {}),
    ...(groupsOf ? { groupsOf } : {}),
  };
  if (needsCluster) {
    const kc = loadKubeConfig({
      // KUBECONFIG may list several files joined by ':', which kubectl merges.
      env: config.kube.kubeconfig ? { KUBECONFIG: config.kube.kubeconfig } : {},
      ...(config.kube.context ? { context: config.kube.context } : {}),
    });
    deps.kubeConfig = kc;
    deps.reader = createClusterReader(kc);
  }
  const settingFiles = watchSettingFiles(config, { defaultChannel }, live, logger);
  return {
    deps,
    async close() {
      settingFiles.close();
      await close();
    },
  };
}
