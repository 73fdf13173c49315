import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, formatConfigError } from '../../src/config/config-error.ts';
import { loadRoutes, parseRoutes, route } from '../../src/config/routing.ts';

function routesError(text: string): ConfigError {
  try {
    parseRoutes(text, 'routes.yaml', { defaultChannel: '#alerts' });
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error(`parseRoutes accepted ${JSON.stringify(text)}`);
}

/** The one problem in `text`, which must be at `setting`. */
function onlyProblem(text: string, setting: string) {
  const { problems } = routesError(text);
  expect(problems.map((problem) => problem.setting)).toEqual([setting]);
  return problems[0];
}

describe('parseRoutes schema errors', () => {
  it('names the path of an invalid selector', () => {
    const text = [
      'routes:',
      '  - { match: { namespaces: [a] }, channel: "#a" }',
      '  - { match: { namespaces: [b] }, channel: "#b" }',
      '  - { match: { labelSelector: "tier in (batch" }, channel: "#c" }',
    ].join('\n');
    const problem = onlyProblem(text, 'routes[2].match.labelSelector');
    expect(problem?.message).toBe(
      'routes[2].match.labelSelector is "tier in (batch", which is not a valid label selector: ' +
        'expected "," or ")" in the values of "in", found the end of the selector (column 15)',
    );
    expect(problem?.fix).toContain('kubectl -l');
  });
  it('names an unknown key and lists the allowed ones', () => {
    const problem = onlyProblem('routes:\n  - { match: { namespaces: [a] }, chanel: "#a", channel: "#a" }', 'routes[0]');
    expect(problem?.message).toBe('routes[0] has the unknown key "chanel"');
    expect(problem?.fix).toContain('name, match, channel, notify');
  });
  it('names an unknown top-level key', () => {
    const problem = onlyProblem('rotes: []', 'top level');
    expect(problem?.message).toBe('The top level has the unknown key "rotes"');
  });
  it('names a missing channel', () => {
    expect(onlyProblem('routes:\n  - match: { namespaces: [a] }', 'routes[0].channel')?.message).toBe(
      'routes[0].channel is missing',
    );
  });
  it('names an invalid channel', () => {
    const problem = onlyProblem('defaultChannel: "#Alerts"', 'defaultChannel');
    expect(problem?.message).toContain('Slack channel names are lower case');
  });
  it('names an invalid notify mode', () => {
    const problem = onlyProblem('notify: always', 'notify');
    expect(problem?.message).toBe('notify is "always", which is not first-failure or final-only');
  });
  it('names an empty match', () => {
    const problem = onlyProblem('routes:\n  - { match: {}, channel: "#a" }', 'routes[0].match');
    expect(problem?.message).toBe('routes[0].match is empty, so it would match every Job');
  });
  it('names an invalid namespace', () => {
    const problem = onlyProblem('exclude: { namespaces: [Kube_System] }', 'exclude.namespaces[0]');
    expect(problem?.message).toContain('"Kube_System", which is not a namespace name');
  });
  it('names a namespace list given as a string', () => {
    const problem = onlyProblem('exclude: { namespaces: kube-system }', 'exclude.namespaces');
    expect(problem?.message).toBe('exclude.namespaces must be a list');
  });
  it('names an invalid selector inside an exclusion list', () => {
    const problem = onlyProblem('exclude: { labels: ["a=b", "c in ()"] }', 'exclude.labels[1]');
    expect(problem?.message).toContain('"in" needs at least one value');
  });
  it('names an invalid label key in a label map', () => {
    const problem = onlyProblem('exclude: { labels: { "bad key": "x" } }', 'exclude.labels');
    expect(problem?.message).toContain('label key "bad key" is invalid');
  });
  it('names an exclusion of the wrong type', () => {
    const problem = onlyProblem('exclude: { labels: 5 }', 'exclude.labels');
    expect(problem?.message).toBe(
      'exclude.labels must be a selector string, a map of labels, or a list of these',
    );
  });
  it('rejects a top level that is not a mapping', () => {
    expect(onlyProblem('- a\n- b', 'top level')?.message).toBe(
      'The top level must be a mapping of keys to values',
    );
  });
  it('lists every problem at once', () => {
    const err = routesError('notify: always\nroutes:\n  - { match: {}, channel: "bad channel" }');
    expect(err.problems.map((problem) => problem.setting)).toEqual([
      'notify',
      'routes[0].match',
      'routes[0].channel',
    ]);
  });
  it('carries the code and the file', () => {
    const err = routesError('notify: always');
    expect(err.code).toBe('CONFIG_ROUTES_INVALID');
    expect(err.file).toBe('routes.yaml');
  });
  it('names the file in the rendered report', () => {
    expect(formatConfigError(routesError('notify: always')).split('\n')[0]).toBe(
      'jobwatch cannot start: 1 problem in the routing file routes.yaml:',
    );
  });
});

describe('parseRoutes YAML errors', () => {
  it('names the line and column of a duplicate key', () => {
    const problem = onlyProblem('notify: final-only\nnotify: first-failure\n', 'line 2, column 1');
    expect(problem?.message).toBe('The YAML at line 2, column 1 is invalid: Map keys must be unique');
  });
  it('names the line of a tab indent', () => {
    const { problems } = routesError('routes:\n\t- channel: "#a"\n');
    expect(problems[0]?.setting).toBe('line 2, column 1');
    expect(problems[0]?.message).toContain('Tabs are not allowed');
  });
  it('reports YAML errors without the excerpt the parser adds', () => {
    const { problems } = routesError('routes: [a\n');
    expect(problems[0]?.message).not.toContain('\n');
  });
});

describe('loadRoutes', () => {
  let dir = '';
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'jobwatch-routes-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('reads a routing file', async () => {
    const file = join(dir, 'routes.yaml');
    await writeFile(file, 'routes:\n  - { match: { namespaces: [web] }, channel: "#web" }\n');
    const routes = loadRoutes(file, {});
    expect(route(routes, { namespace: 'web', labels: {}, annotations: {} })).toMatchObject({
      channel: '#web',
    });
  });
  it('routes everything to the default without a file', () => {
    const routes = loadRoutes(undefined, { defaultChannel: '#alerts' });
    expect(route(routes, { namespace: 'web', labels: {}, annotations: {} })).toMatchObject({
      channel: '#alerts',
      matched: 'default channel',
    });
  });
  it('names the file in errors', async () => {
    const file = join(dir, 'bad.yaml');
    await writeFile(file, 'notify: never\n');
    expect(() => loadRoutes(file, {})).toThrow(expect.objectContaining({ file }));
  });
  it('reports a missing file as unreadable', () => {
    const file = join(dir, 'missing.yaml');
    let caught: unknown;
    try {
      loadRoutes(file, {});
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    expect((caught as ConfigError).code).toBe('CONFIG_ROUTES_UNREADABLE');
    expect((caught as ConfigError).problems[0]?.message).toContain('ENOENT');
  });
  it('loads the example routing file', () => {
    const routes = loadRoutes(join(import.meta.dirname, '../../examples/routes.yaml'), {});
    expect(routes.routes.map((entry) => entry.name)).toEqual([
      'routes[0] (payments)',
      'routes[1] (data batch)',
      'routes[2] (nightly reports)',
    ]);
  });
});
