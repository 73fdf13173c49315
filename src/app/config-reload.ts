import type { Logger } from 'pino';
import { createActionPolicy } from '../actions/policy.ts';
import type { ActionPolicy } from '../actions/types.ts';
import type { Config } from '../config/env.ts';
import { loadLogPatterns } from '../config/log-patterns.ts';
import { loadPolicy, type Policy } from '../config/policy.ts';
import { watchConfigFiles, type ConfigWatch, type ReloadableFile } from '../config/reload.ts';
import { loadRoutes, route, type RouteDefaults, type Routes, type RouteTarget } from '../config/routing.ts';
import type { UserLogPattern } from '../diagnose/user-patterns.ts';

/**
 * The settings read from files, in a form the roles keep for the life of the process
 * while a reload swaps what is behind it. `route` reads the current routes, `policy.action`
 * queries the current rules, and `logPatterns` is one array whose items are replaced.
 */
export interface LiveSettings {
  route: (target: RouteTarget) => ReturnType<typeof route>;
  policy: { file: Policy; action: ActionPolicy };
  logPatterns: UserLogPattern[];
  /** Group ids the policy's rules name, replaced in place on reload. */
  policyGroups: string[];
}

/** Setters that a reload of each file calls to put the new settings in place. */
interface Setters {
  setRoutes: (routes: Routes) => void;
  setPolicy: (policy: Policy) => void;
  setLogPatterns: (patterns: readonly UserLogPattern[]) => void;
}

/** Builds the live settings from what was loaded at start. */
export function createLiveSettings(routes: Routes, policy: Policy, patterns: readonly UserLogPattern[]): LiveSettings & Setters {
  let currentRoutes = routes;
  let currentAction = createActionPolicy(policy);
  const file: Policy = { ...policy, ceilings: { ...policy.ceilings } };
  const live: LiveSettings & Setters = {
    route: (target) => route(currentRoutes, target),
    policy: {
      file,
      action: {
        decide: (actor, verb, namespace) => currentAction.decide(actor, verb, namespace),
        identities: () => currentAction.identities(),
      },
    },
    logPatterns: [...patterns],
    policyGroups: groupsOf(policy),
    setRoutes: (next) => (currentRoutes = next),
    setPolicy: (next) => {
      currentAction = createActionPolicy(next);
      // Consumers keep references to `file` and its ceilings, so both change in place.
      Object.assign(file.ceilings, next.ceilings);
      Object.assign(file, { ...next, ceilings: file.ceilings, command: file.command });
      live.policyGroups.splice(0, live.policyGroups.length, ...groupsOf(next));
    },
    setLogPatterns: (next) => void live.logPatterns.splice(0, live.logPatterns.length, ...next),
  };
  return live;
}

/**
 * Watches the routing, policy and log patterns files that the configuration names and
 * applies each valid change. The slash command is registered with Slack at start, so a
 * changed `command` is logged and takes effect only after a restart.
 */
export function watchSettingFiles(config: Config, defaults: RouteDefaults, live: Setters & LiveSettings, logger: Logger): ConfigWatch {
  const files: ReloadableFile<unknown>[] = [];
  const { routesFile, policyFile, logPatternsFile } = config;
  if (routesFile !== undefined) {
    files.push(reloadable('JOBWATCH_ROUTES_FILE', routesFile, () => loadRoutes(routesFile, defaults), live.setRoutes));
  }
  if (policyFile !== undefined) {
    files.push(
      reloadable('JOBWATCH_POLICY_FILE', policyFile, () => loadPolicy(policyFile), (next) => {
        if (next.command !== live.policy.file.command) {
          logger.warn({ command: next.command, current: live.policy.file.command }, 'the slash command changes only after a restart');
        }
        live.setPolicy(next);
      }),
    );
  }
  if (logPatternsFile !== undefined) {
    files.push(reloadable('JOBWATCH_LOG_PATTERNS_FILE', logPatternsFile, () => loadLogPatterns(logPatternsFile).patterns, live.setLogPatterns));
  }
  return watchConfigFiles(files, { logger: logger.child({ component: 'config-reload' }) });
}

function reloadable<T>(setting: string, file: string, load: () => T, apply: (value: T) => void): ReloadableFile<unknown> {
  return { setting, file, load, apply: (value) => apply(value as T) };
}

function groupsOf(policy: Policy): string[] {
  return [...new Set(policy.rules.flatMap((rule) => [...rule.groups]))];
}
