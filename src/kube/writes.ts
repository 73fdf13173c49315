import {
  BatchV1Api,
  createConfiguration,
  PatchStrategy,
  ResponseContext,
  ServerConfiguration,
  setHeaderOptions,
  wrapHttpLibrary,
} from '@kubernetes/client-node';
import type { HttpLibrary, KubeConfig, RequestContext } from '@kubernetes/client-node';
import { request as httpRequest, type IncomingHttpHeaders, type OutgoingHttpHeaders } from 'node:http';
import { request as httpsRequest, type RequestOptions } from 'node:https';
import type { KubeIdentity, KubeWrites } from '../actions/types.ts';
import { toKubeApiError, type KubeObjectRef } from './errors.ts';

/** The headers that make the API server act as another user (Kubernetes user impersonation). */
export const IMPERSONATE_USER = 'Impersonate-User';
export const IMPERSONATE_GROUP = 'Impersonate-Group';

/** Options of {@link createKubeWrites}. */
export interface KubeWritesOptions {
  /** Time an impersonated request's socket may stay idle before it fails, in ms. Default 30,000. */
  timeoutMs?: number;
}

/**
 * Creates the cluster writes of actions over client-node's generated `BatchV1Api`, so the
 * kubeconfig's TLS settings, tokens and exec plugins apply as for every other request.
 *
 * With `as`, a request carries `Impersonate-User` and one `Impersonate-Group` header line
 * per group, so the API server authorizes it as that identity: jobwatch's own account needs
 * only the `impersonate` grant of `deploy/rbac/impersonate.yaml`. Reads run as jobwatch.
 * Every failure rejects with a `KubeApiError` whose `statusMessage` is the API server's own
 * message, such as `jobs.batch is forbidden: User "slack:alice" cannot create resource …`.
 */
export function createKubeWrites(kc: KubeConfig, options: KubeWritesOptions = {}): KubeWrites {
  const timeoutMs = options.timeoutMs ?? 30_000;
  const own = kc.makeApiClient(BatchV1Api);
  const batchAs = (identity: KubeIdentity | undefined) =>
    identity === undefined ? own : impersonatingClient(kc, identity, timeoutMs);

  // Identity and proxy errors are thrown before `call`, so they stay plain permanent errors
  // and are not mistaken for transport failures.
  return {
    async createJob(namespace, job, as) {
      const api = batchAs(as);
      const ref = { kind: 'Job', namespace, name: job.metadata?.name };
      return call(ref, () => api.createNamespacedJob({ namespace, body: job }));
    },

    async patchCronJob(namespace, name, patch, as) {
      const api = batchAs(as);
      // The generated client would pick JSON Patch, the first patch type the API lists.
      const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
      return call({ kind: 'CronJob', namespace, name }, () =>
        api.patchNamespacedCronJob({ namespace, name, body: patch }, mergePatch),
      );
    },

    getCronJob: (namespace, name) =>
      call({ kind: 'CronJob', namespace, name }, () => own.readNamespacedCronJob({ namespace, name })),

    getJob: (namespace, name) =>
      call({ kind: 'Job', namespace, name }, () => own.readNamespacedJob({ namespace, name })),
  };
}

async function call<R>(object: KubeObjectRef, send: () => Promise<R>): Promise<R> {
  try {
    return await send();
  } catch (err) {
    throw toKubeApiError(err, object);
  }
}

/**
 * Builds a `BatchV1Api` whose requests impersonate `identity`. It is the configuration
 * `KubeConfig.makeApiClient` builds, with the HTTP library replaced.
 */
function impersonatingClient(kc: KubeConfig, identity: KubeIdentity, timeoutMs: number): BatchV1Api {
  checkIdentity(identity);
  const cluster = kc.getCurrentCluster();
  if (!cluster) {
    throw new Error(
      `Kubernetes context "${kc.getCurrentContext()}" has no cluster; check the kubeconfig.`,
    );
  }
  // NOTE: the HTTP/1.1 path below does not go through a proxy, so it refuses to bypass one.
  if (cluster.proxyUrl) {
    throw new Error(
      `Cluster "${cluster.name}" has proxy-url set, and jobwatch sends impersonated writes ` +
        'only directly to the API server; remove proxy-url or run jobwatch where it can ' +
        'reach the API server without a proxy.',
    );
  }
  const configuration = createConfiguration({
    baseServer: new ServerConfiguration(cluster.server, {}),
    authMethods: { default: kc },
    httpApi: impersonatingHttpLibrary(kc, identity, timeoutMs),
  });
  return new BatchV1Api(configuration);
}

/** Rejects names that cannot travel in an HTTP header, before any request is sent. */
function checkIdentity(identity: KubeIdentity): void {
  for (const name of [identity.user, ...identity.groups]) {
    if (/^[\x20-\x7e]+$/.test(name)) continue;
    throw new Error(
      `Cannot impersonate ${JSON.stringify(name)}: a Kubernetes identity to impersonate must ` +
        'be non-empty printable ASCII; correct kubernetes.user and kubernetes.groups in the ' +
        'policy file.',
    );
  }
}

/**
 * Sends requests over HTTP/1.1 with `node:https` and the kubeconfig's TLS material.
 * client-node's own library sends through undici, which joins repeated headers into one
 * `a, b` line in `fetch` and over HTTP/2 (undici 8), and the API server reads such a line
 * as one group named "a, b". `node:https` sends one header line per array item.
 */
function impersonatingHttpLibrary(kc: KubeConfig, identity: KubeIdentity, timeoutMs: number): HttpLibrary {
  return wrapHttpLibrary({
    async send(context: RequestContext): Promise<ResponseContext> {
      const url = new URL(context.getUrl());
      const tls: RequestOptions = {};
      await kc.applyToHTTPSOptions(tls);
      const headers: OutgoingHttpHeaders = {
        ...context.getHeaders(),
        [IMPERSONATE_USER]: identity.user,
      };
      if (identity.groups.length > 0) headers[IMPERSONATE_GROUP] = [...identity.groups];
      const options: RequestOptions = {
        ...pickTls(tls),
        method: context.getHttpMethod(),
        headers,
        timeout: timeoutMs,
      };
      const signal = context.getSignal();
      if (signal !== undefined) options.signal = signal;
      // The generated client serializes every body of these calls to a JSON string.
      const body = context.getBody() as string | undefined;
      const response = await send(url, options, body);
      return new ResponseContext(response.status, response.headers, {
        text: () => Promise.resolve(response.body.toString('utf8')),
        binary: () => Promise.resolve(response.body),
        stream: () => null,
      });
    },
  });
}

function pickTls(tls: RequestOptions): RequestOptions {
  const picked: RequestOptions = {};
  if (tls.ca !== undefined) picked.ca = tls.ca;
  if (tls.cert !== undefined) picked.cert = tls.cert;
  if (tls.key !== undefined) picked.key = tls.key;
  if (tls.pfx !== undefined) picked.pfx = tls.pfx;
  if (tls.passphrase !== undefined) picked.passphrase = tls.passphrase;
  if (tls.servername !== undefined) picked.servername = tls.servername;
  if (tls.rejectUnauthorized !== undefined) picked.rejectUnauthorized = tls.rejectUnauthorized;
  return picked;
}

interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

/** Sends one request and reads the whole response; Job and CronJob bodies are small. */
function send(url: URL, options: RequestOptions, body: string | undefined): Promise<RawResponse> {
  const requestFn = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = requestFn(url, options, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('error', reject);
      res.on('end', () => {
        resolve({
          status: res.statusCode ?? 0,
          headers: flattenHeaders(res.headers),
          body: Buffer.concat(chunks),
        });
      });
    });
    req.on('error', reject);
    req.on('timeout', () => {
      const error = Object.assign(new Error(`socket idle for ${options.timeout} ms, request timed out`), {
        code: 'ETIMEDOUT',
      });
      req.destroy(error);
    });
    req.end(body);
  });
}

function flattenHeaders(headers: IncomingHttpHeaders): Record<string, string> {
  const flat: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) flat[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return flat;
}
