import { describe, expect, it } from 'vitest';
import { parseRoutes, route, type RouteTarget, type Routes } from '../../src/config/routing.ts';

const FILE = `
defaultChannel: "#platform-alerts"
notify: first-failure
exclude:
  namespaces: [kube-system]
  labels: { "jobwatch.io/ignore": "true" }
routes:
  - match: { namespaces: [payments, billing] }
    channel: "#payments-oncall"
    notify: final-only
  - match: { labelSelector: "team=data,tier in (batch)" }
    channel: "C0123456"
  - name: reports
    match: { namespaces: [reports], labelSelector: "!canary" }
    channel: "#reports"
  - match: { namespaces: [payments] }
    channel: "#never-reached"
`;

const routes = parseRoutes(FILE, 'routes.yaml', { defaultChannel: '#from-env' });

/** Builds a Job in namespace `web` with no labels or annotations, then applies overrides. */
function job(overrides: Partial<RouteTarget> = {}): RouteTarget {
  return { namespace: 'web', labels: {}, annotations: {}, ...overrides };
}

function cronJob(annotations: Record<string, string>, labels: Record<string, string> = {}) {
  return { annotations, labels };
}

describe('route channel precedence', () => {
  const data = { team: 'data', tier: 'batch' };

  it('uses the annotation on the Job first', () => {
    const target = job({
      namespace: 'payments',
      labels: data,
      annotations: { 'jobwatch.io/channel': '#job-channel' },
      cronJob: cronJob({ 'jobwatch.io/channel': '#cron-channel' }),
    });
    expect(route(routes, target)).toMatchObject({
      channel: '#job-channel',
      matched: 'annotation jobwatch.io/channel on the Job',
    });
  });
  it('uses the annotation on the CronJob before routes', () => {
    const target = job({ namespace: 'payments', cronJob: cronJob({ 'jobwatch.io/channel': 'C0CRON0001' }) });
    expect(route(routes, target)).toMatchObject({
      channel: 'C0CRON0001',
      matched: 'annotation jobwatch.io/channel on the CronJob',
    });
  });
  it('uses the first matching route in file order', () => {
    expect(route(routes, job({ namespace: 'payments' }))).toMatchObject({
      channel: '#payments-oncall',
      matched: 'routes[0]',
    });
  });
  it('matches routes by label selector', () => {
    expect(route(routes, job({ labels: data }))).toMatchObject({ channel: 'C0123456', matched: 'routes[1]' });
  });
  it('requires namespaces and selector of one route to match together', () => {
    const canary = job({ namespace: 'reports', labels: { canary: 'yes' } });
    expect(route(routes, canary)).toMatchObject({ channel: '#platform-alerts' });
    expect(route(routes, job({ namespace: 'reports' }))).toMatchObject({ channel: '#reports' });
  });
  it('names a route by its name when it has one', () => {
    expect(route(routes, job({ namespace: 'reports' }))).toMatchObject({ matched: 'routes[2] (reports)' });
  });
  it('falls back to the default channel', () => {
    expect(route(routes, job())).toEqual({
      action: 'post',
      channel: '#platform-alerts',
      notify: 'first-failure',
      matched: 'default channel',
    });
  });
  it('prefers the file default channel over SLACK_CHANNEL', () => {
    expect(routes.defaultChannel).toBe('#platform-alerts');
  });
  it('uses SLACK_CHANNEL when the file has no default', () => {
    const bare = parseRoutes('routes: []', 'routes.yaml', { defaultChannel: '#from-env' });
    expect(route(bare, job())).toMatchObject({ channel: '#from-env' });
  });
  it('matches selectors on CronJob labels the Job lacks', () => {
    const target = job({ labels: { tier: 'batch' }, cronJob: cronJob({}, { team: 'data' }) });
    expect(route(routes, target)).toMatchObject({ channel: 'C0123456' });
  });
  it('lets Job labels override CronJob labels in selectors', () => {
    const target = job({ labels: { team: 'web', tier: 'batch' }, cronJob: cronJob({}, { team: 'data' }) });
    expect(route(routes, target)).toMatchObject({ channel: '#platform-alerts' });
  });
});

describe('route drops', () => {
  it('drops Jobs in excluded namespaces', () => {
    expect(route(routes, job({ namespace: 'kube-system' }))).toEqual({
      action: 'drop',
      why: 'namespace kube-system is in exclude.namespaces',
    });
  });
  it('drops Jobs whose labels match an excluded selector', () => {
    const target = job({ labels: { 'jobwatch.io/ignore': 'true' } });
    expect(route(routes, target)).toEqual({
      action: 'drop',
      why: 'labels match exclude.labels selector "jobwatch.io/ignore=true"',
    });
  });
  it('drops Jobs with the ignore annotation', () => {
    const target = job({ annotations: { 'jobwatch.io/ignore': 'true', 'jobwatch.io/channel': '#x' } });
    expect(route(routes, target)).toEqual({
      action: 'drop',
      why: 'annotation jobwatch.io/ignore=true on the Job',
    });
  });
  it('drops Jobs whose CronJob has the ignore annotation', () => {
    const target = job({ cronJob: cronJob({ 'jobwatch.io/ignore': 'true' }) });
    expect(route(routes, target)).toEqual({
      action: 'drop',
      why: 'annotation jobwatch.io/ignore=true on the CronJob',
    });
  });
  it('keeps Jobs whose ignore annotation is not true', () => {
    expect(route(routes, job({ annotations: { 'jobwatch.io/ignore': 'false' } }))).toMatchObject({
      action: 'post',
    });
  });
  it('drops excluded Jobs even with a channel annotation', () => {
    const target = job({ namespace: 'kube-system', annotations: { 'jobwatch.io/channel': '#x' } });
    expect(route(routes, target)).toMatchObject({ action: 'drop' });
  });
  it('drops Jobs when no channel can be found', () => {
    const bare = parseRoutes('', 'routes.yaml', {});
    expect(route(bare, job())).toEqual({
      action: 'drop',
      why: 'no route matches and no default channel is set (SLACK_CHANNEL or defaultChannel)',
    });
  });
});

describe('route notify mode', () => {
  it('uses the matching route notify', () => {
    expect(route(routes, job({ namespace: 'billing' }))).toMatchObject({ notify: 'final-only' });
  });
  it('uses the file notify for routes without one', () => {
    const finalFile = parseRoutes(
      'notify: final-only\nroutes:\n  - { match: { namespaces: [web] }, channel: "#web" }',
      'routes.yaml',
      {},
    );
    expect(route(finalFile, job())).toMatchObject({ channel: '#web', notify: 'final-only' });
  });
  it('defaults to first-failure', () => {
    expect(parseRoutes('', 'routes.yaml', {}).notify).toBe('first-failure');
  });
  it('uses the notify annotation on the Job over the route', () => {
    const target = job({ namespace: 'payments', annotations: { 'jobwatch.io/notify': 'first-failure' } });
    expect(route(routes, target)).toMatchObject({ channel: '#payments-oncall', notify: 'first-failure' });
  });
  it('uses the notify annotation on the CronJob when the Job has none', () => {
    const target = job({ cronJob: cronJob({ 'jobwatch.io/notify': 'final-only' }) });
    expect(route(routes, target)).toMatchObject({ notify: 'final-only' });
  });
  it('prefers the Job notify annotation over the CronJob one', () => {
    const target = job({
      annotations: { 'jobwatch.io/notify': 'first-failure' },
      cronJob: cronJob({ 'jobwatch.io/notify': 'final-only' }),
    });
    expect(route(routes, target)).toMatchObject({ notify: 'first-failure' });
  });
  it('takes notify from the matching route when the channel comes from an annotation', () => {
    const target = job({ namespace: 'payments', annotations: { 'jobwatch.io/channel': '#mine' } });
    expect(route(routes, target)).toMatchObject({ channel: '#mine', notify: 'final-only' });
  });
});

describe('route invalid annotations', () => {
  const target = job({
    namespace: 'payments',
    annotations: { 'jobwatch.io/channel': 'Payments Team', 'jobwatch.io/notify': 'sometimes' },
  });
  const decision = route(routes, target);

  it('skips an invalid channel annotation', () => {
    expect(decision).toMatchObject({ channel: '#payments-oncall', matched: 'routes[0]' });
  });
  it('skips an invalid notify annotation', () => {
    expect(decision).toMatchObject({ notify: 'final-only' });
  });
  it('reports each skipped annotation', () => {
    expect(decision.action === 'post' ? decision.warnings : undefined).toEqual([
      'annotation jobwatch.io/channel="Payments Team" on the Job is ignored: it contains whitespace',
      'annotation jobwatch.io/notify="sometimes" on the Job is ignored: it is not first-failure or final-only',
    ]);
  });
  it('falls through to a valid CronJob annotation', () => {
    const withCron = { ...target, cronJob: cronJob({ 'jobwatch.io/channel': '#cron' }) };
    expect(route(routes, withCron)).toMatchObject({ channel: '#cron' });
  });
});

describe('parseRoutes result', () => {
  const parsed: Routes = routes;

  it('keeps routes in file order', () => {
    expect(parsed.routes.map((entry) => entry.channel)).toEqual([
      '#payments-oncall',
      'C0123456',
      '#reports',
      '#never-reached',
    ]);
  });
  it('records the file name', () => {
    expect(parsed.file).toBe('routes.yaml');
  });
  it('accepts a list of excluded selectors', () => {
    const file = 'exclude:\n  labels: ["team=web", { tier: batch }]\n';
    const many = parseRoutes(file, 'routes.yaml', { defaultChannel: '#a' });
    expect(route(many, job({ labels: { tier: 'batch' } }))).toMatchObject({ action: 'drop' });
    expect(route(many, job({ labels: { team: 'web' } }))).toMatchObject({ action: 'drop' });
    expect(route(many, job({ labels: { team: 'data' } }))).toMatchObject({ action: 'post' });
  });
});
