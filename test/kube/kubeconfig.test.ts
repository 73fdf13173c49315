import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { loadKubeConfig } from '../../src/kube/kubeconfig.ts';

let dir: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'jobwatch-kubeconfig-'));
});

afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** Writes a kubeconfig with one cluster, user and context per name. */
function writeConfig(
  file: string,
  names: string[],
  current: string | undefined,
  server = 'https://a:6443',
): string {
  const path = join(dir, file);
  const config = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: names.map((name) => ({
      name,
      cluster: { server: `${server}/${name}`, 'certificate-authority': 'certs/ca.crt' },
    })),
    users: names.map((name) => ({ name, user: { token: `token-${name}` } })),
    contexts: names.map((name) => ({ name, context: { cluster: name, user: name } })),
    ...(current !== undefined && { 'current-context': current }),
  };
  writeFileSync(path, stringify(config));
  return path;
}

const emptyHome = () => join(dir, 'no-home');

describe('loadKubeConfig sources', () => {
  it('loads an explicit file with relative paths', () => {
    const path = writeConfig('explicit.yaml', ['prod'], 'prod');
    const kc = loadKubeConfig({ kubeconfig: path, env: {}, homeDir: emptyHome() });

    expect(kc.getCurrentContext()).toBe('prod');
    expect(kc.getCurrentCluster()?.caFile).toBe(join(dir, 'certs/ca.crt'));
  });

  it('merges $KUBECONFIG files with the first one winning', () => {
    const first = writeConfig('first.yaml', ['shared', 'dev'], 'dev', 'https://first');
    const second = writeConfig('second.yaml', ['shared', 'ops'], 'ops', 'https://second');
    const missing = join(dir, 'missing.yaml');
    const env = { KUBECONFIG: [missing, first, second].join(delimiter) };
    const kc = loadKubeConfig({ env, homeDir: emptyHome() });

    expect(kc.getCurrentContext()).toBe('dev');
    const names = kc.getContexts().map((context) => context.name);
    expect(names.sort()).toEqual(['dev', 'ops', 'shared']);
    expect(kc.getCluster('shared')?.server).toBe('https://first/shared');
  });

  it('falls back to ~/.kube/config', () => {
    mkdirSync(join(dir, 'home', '.kube'), { recursive: true });
    writeConfig(join('home', '.kube', 'config'), ['home'], 'home');
    const kc = loadKubeConfig({ env: {}, homeDir: join(dir, 'home') });

    expect(kc.getCurrentContext()).toBe('home');
  });

  it('falls back to the in-cluster service account', () => {
    const accountDir = join(dir, 'var/run/secrets/kubernetes.io/serviceaccount');
    mkdirSync(accountDir, { recursive: true });
    writeFileSync(join(accountDir, 'token'), 'sa-token');
    writeFileSync(join(accountDir, 'ca.crt'), 'not a real certificate');
    const env = { KUBERNETES_SERVICE_HOST: '10.96.0.1', KUBERNETES_SERVICE_PORT: '443' };
    const kc = loadKubeConfig({ env, homeDir: emptyHome(), inClusterPathPrefix: dir });

    expect(kc.getCurrentCluster()?.server).toBe('https://10.96.0.1:443');
    expect(kc.getCurrentCluster()?.caFile).toBe(join(accountDir, 'ca.crt'));
  });
});

describe('loadKubeConfig context', () => {
  it('overrides current-context with --context', () => {
    const path = writeConfig('two.yaml', ['dev', 'prod'], 'dev');
    const kc = loadKubeConfig({ kubeconfig: path, context: 'prod', env: {}, homeDir: emptyHome() });

    expect(kc.getCurrentContext()).toBe('prod');
    expect(kc.getCurrentCluster()?.server).toBe('https://a:6443/prod');
  });

  it('names the known contexts when --context does not exist', () => {
    const path = writeConfig('two.yaml', ['dev', 'prod'], 'dev');
    expect(() =>
      loadKubeConfig({ kubeconfig: path, context: 'staging', env: {}, homeDir: emptyHome() }),
    ).toThrow('Kubernetes context "staging" not found; the kubeconfig defines dev, prod.');
  });

  it('asks for a context when the file sets no current-context', () => {
    const path = writeConfig('none.yaml', ['dev'], undefined);
    expect(() => loadKubeConfig({ kubeconfig: path, env: {}, homeDir: emptyHome() })).toThrow(
      /sets no current-context\. Set JOBWATCH_CONTEXT/,
    );
  });
});

describe('loadKubeConfig failures', () => {
  it('names the home path when nothing is configured', () => {
    const homeConfig = join(emptyHome(), '.kube', 'config');
    expect(() => loadKubeConfig({ env: {}, homeDir: emptyHome() })).toThrow(
      `No Kubernetes configuration found: $KUBECONFIG is unset, ${homeConfig} does not exist`,
    );
  });

  it('names the files when no $KUBECONFIG file exists', () => {
    const env = { KUBECONFIG: join(dir, 'gone.yaml') };
    expect(() => loadKubeConfig({ env, homeDir: emptyHome() })).toThrow(
      /none of the files in \$KUBECONFIG exists .*gone\.yaml/,
    );
  });

  it('names an explicit file that cannot be read', () => {
    const path = join(dir, 'absent.yaml');
    expect(() => loadKubeConfig({ kubeconfig: path, env: {}, homeDir: emptyHome() })).toThrow(
      `Cannot load kubeconfig ${path} (from --kubeconfig)`,
    );
  });
});
