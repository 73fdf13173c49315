import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import type { Writable } from 'node:stream';
import { parseDocument } from 'yaml';
import { fileURLToPath } from 'node:url';
import { createLogger } from '../app/logger.ts';
import { buildRuntime } from '../app/runtime.ts';
import { startJobwatch, type Jobwatch } from '../app/start-jobwatch.ts';
import { loadConfig } from '../config/env.ts';
import { startRedisServer } from '../queue/redis-server.ts';
import { startSimCluster } from '../sim/index.ts';
import { playScenario, type PlayedScenario } from '../sim/player.ts';
import { scenarioOutcomes } from '../sim/scenario-outcomes.ts';
import { loadScenarios, type Scenario } from '../sim/scenario.ts';
import { createClosers, listenForStop, type Closers } from './demo-shutdown.ts';
import { stopWithin, warnIgnoredSettings } from './run-command.ts';

export interface DemoOptions {
  untilIdle?: boolean;
  scenarios: string;
  only?: string;
  timeScale: number;
  timeout: number;
  /** Slack user ids added to the demo policy's on-call rule, comma-separated. */
  slackUser?: string;
}

/** Settings the demo uses unless the environment sets them. */
const DEMO_DEFAULTS: Record<string, string> = {
  JOBWATCH_HTTP_PORT: '0',
  JOBWATCH_STUCK_AFTER_SECONDS: '5',
  JOBWATCH_REDIS_PREFIX: 'jobwatch-demo',
  // Lets the fake and real Slack users of the demo policy click through every action.
  JOBWATCH_POLICY_FILE: fileURLToPath(new URL('../../examples/policy.demo.yaml', import.meta.url)),
  LOG_LEVEL: 'warn',
};

/**
 * Writes a copy of the demo policy whose on-call rule also names `users`, so people in a
 * real workspace can click through every action; returns its path.
 */
export async function demoPolicyWith(users: string): Promise<string> {
  const source = DEMO_DEFAULTS['JOBWATCH_POLICY_FILE'] ?? '';
  const document = parseDocument(await readFile(source, 'utf8'));
  const ids = users.split(',').map((id) => id.trim()).filter(Boolean);
  const rule = document.getIn(['rules', 0, 'users']) as { items: unknown[] } | undefined;
  for (const id of ids) rule?.items.push(document.createNode(id));
  const dir = await mkdtemp(join(tmpdir(), 'jobwatch-demo-'));
  const path = join(dir, 'policy.yaml');
  await writeFile(path, document.toString());
  return path;
}

interface Played {
  scenario: Scenario;
  run: PlayedScenario;
}

/**
 * Runs every role against a simulated cluster that replays the scenario files,
 * with Redis from `REDIS_URL` or a private `redis-server`, posting to Slack when
 * tokens are set and to the terminal otherwise. Returns the exit code.
 *
 * SIGINT, SIGTERM or a closed stdout (EPIPE) at any point stops jobwatch, the simulated
 * cluster and the private Redis, and removes their temporary folders, before it returns
 * 130, 143 or 141.
 */
export async function runDemo(env: NodeJS.ProcessEnv, options: DemoOptions): Promise<number> {
  const out = process.stdout;
  const closers = createClosers();
  const stop = listenForStop(out);
  try {
    const stopped = stop.request.then((request) => {
      process.stderr.write(`jobwatch demo: ${request.reason} received; stopping\n`);
      return request.exitCode;
    });
    return await Promise.race([playDemo(env, options, out, closers, stopped), stopped]);
  } finally {
    await closers.closeAll((err) => {
      process.stderr.write(`jobwatch demo: cleanup failed: ${err instanceof Error ? err.message : String(err)}\n`);
    });
    stop.dispose();
  }
}

/** Starts Redis, the simulated cluster and jobwatch, registering each with `closers`. */
async function playDemo(
  env: NodeJS.ProcessEnv,
  options: DemoOptions,
  out: Writable,
  closers: Closers,
  stopped: Promise<number>,
): Promise<number> {
  const scenarios = selectScenarios(await loadScenarios(resolve(options.scenarios)), options.only);
  let redisUrl = env.REDIS_URL;
  if (!redisUrl) {
    const redis = await startRedisServer({ appendOnly: false });
    await closers.add(() => redis.stop());
    redisUrl = redis.url;
    out.write(`started a private redis-server at ${redisUrl}\n`);
  }
  // Retries and raised limits from Slack run through the simulated job controller: a retry
  // fails as its scenario did unless it carries the fix for the cause.
  const sim = await startSimCluster({ outcomes: scenarioOutcomes(scenarios), timeScale: options.timeScale });
  await closers.add(() => sim.stop());
  out.write(`simulated cluster at ${sim.url}; try: kubectl --kubeconfig ${sim.kubeconfigPath} get jobs -A\n\n`);
  const policy = options.slackUser ? { JOBWATCH_POLICY_FILE: await demoPolicyWith(options.slackUser) } : {};
  const policyFile = policy.JOBWATCH_POLICY_FILE;
  if (policyFile !== undefined) await closers.add(() => rm(dirname(policyFile), { recursive: true, force: true }));
  const config = loadConfig({ ...DEMO_DEFAULTS, ...env, ...policy, REDIS_URL: redisUrl, KUBECONFIG: sim.kubeconfigPath, JOBWATCH_CONTEXT: '' });
  const logger = createLogger(config.logLevel);
  warnIgnoredSettings(config, logger);
  const runtime = await buildRuntime(config, logger, out);
  await closers.add(() => runtime.close());
  const jobwatch = await startJobwatch(config, runtime.deps);
  await closers.add(() => stopWithin(jobwatch, 30_000));
  await waitFor(() => jobwatch.ready(), 30_000, 'jobwatch did not become ready within 30 s');
  const played = await Promise.all(
    scenarios.map(async (scenario): Promise<Played> => ({ scenario, run: await playScenario(sim, scenario, { speed: options.timeScale }) })),
  );
  if (options.untilIdle) return waitUntilSettled(jobwatch, played, options.timeout * 1000, out);
  out.write(`all ${played.length} scenarios played; jobwatch keeps watching. Press Ctrl-C to stop.\n`);
  return stopped;
}

function selectScenarios(all: Scenario[], only: string | undefined): Scenario[] {
  if (!only) return all;
  const wanted = new Set(only.split(',').map((s) => s.trim()).filter(Boolean));
  const unknown = [...wanted].filter((id) => !all.some((s) => s.id === id));
  if (unknown.length > 0) throw new Error(`unknown scenario id(s): ${unknown.join(', ')}; ids are the file names without .json`);
  return all.filter((s) => wanted.has(s.id));
}

/**
 * Waits until every played scenario's alert is settled: its story has played to
 * the end, and the newest version of its message has been delivered (or routing
 * decided not to post it).
 */
async function waitUntilSettled(jobwatch: Jobwatch, played: Played[], timeoutMs: number, out: NodeJS.WritableStream): Promise<number> {
  const pending = new Set(played);
  const deadline = Date.now() + timeoutMs;
  while (pending.size > 0 && Date.now() < deadline) {
    for (const p of [...pending]) if (await isSettled(jobwatch, p.run.jobUid)) pending.delete(p);
    if (pending.size > 0) await new Promise((r) => setTimeout(r, 250));
  }
  out.write(`\n${'scenario'.padEnd(60)} ${'expected'.padEnd(22)} ${'diagnosed'.padEnd(22)} state\n`);
  let matched = 0;
  for (const p of played) {
    const view = await jobwatch.store.getView(p.run.jobUid);
    const episode = await jobwatch.store.getEpisode(p.run.jobUid);
    const cause = view?.cause ?? '-';
    if (cause === p.scenario.expected.cause) matched += 1;
    const mark = cause === p.scenario.expected.cause ? '✓' : '✗';
    out.write(`${mark} ${p.scenario.id.padEnd(58)} ${p.scenario.expected.cause.padEnd(22)} ${cause.padEnd(22)} ${episode?.state ?? 'no episode'}\n`);
  }
  out.write(`\n${matched} of ${played.length} diagnosed as expected; ${played.length - pending.size} settled\n`);
  if (pending.size > 0) {
    out.write(`not settled within ${timeoutMs / 1000} s: ${[...pending].map((p) => p.scenario.id).join(', ')}\n`);
    return 1;
  }
  return 0;
}

async function isSettled(jobwatch: Jobwatch, uid: string): Promise<boolean> {
  const episode = await jobwatch.store.getEpisode(uid);
  if (!episode) return false;
  if (episode.silenced || !episode.route) return true;
  const delivery = await jobwatch.store.getDelivery('alert', uid);
  return delivery !== undefined && delivery.version >= episode.version;
}

async function waitFor(check: () => boolean, timeoutMs: number, message: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(message);
    await new Promise((r) => setTimeout(r, 100));
  }
}
