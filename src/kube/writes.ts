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
import { request, type Dispatcher } from 'undici';
import type { KubeIdentity, KubeWrites } from '../actions/types.ts';
import { toKubeApiError, type KubeObjectRef } from './errors.ts';

/** The headers that make the API server act as another user (Kubernetes user impersonation). */
export const IMPERSONATE_USER = 'Impersonate-User';
export const IMPERSONATE_GROUP = 'Impersonate-Group';

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
export function createKubeWrites(kc: KubeConfig): KubeWrites {
  const own = kc.makeApiClient(BatchV1Api);
  const batchAs = (identity: KubeIdentity | undefined) =>
    identity === undefined ? own : impersonatingClient(kc, identity);

  return {
    createJob: (namespace, job, as) =>
      call({ kind: 'Job', namespace, name: job.metadata?.name }, () =>
        batchAs(as).createNamespacedJob({ namespace, body: job }),
      ),

    patchCronJob: (namespace, name, patch, as) =>
      call({ kind: 'CronJob', namespace, name }, () =>
        batchAs(as).patchNamespacedCronJob(
          { namespace, name, body: patch },
          // The generated client picks JSON Patch, the first patch type the API lists.
          setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
        ),
      ),

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
function impersonatingClient(kc: KubeConfig, identity: KubeIdentity): BatchV1Api {
  checkIdentity(identity);
  const cluster = kc.getCurrentCluster();
  if (!cluster) {
    throw new Error(
      `Kubernetes context "${kc.getCurrentContext()}" has no cluster; check the kubeconfig.`,
    );
  }
  const configuration = createConfiguration({
    baseServer: new ServerConfiguration(cluster.server, {}),
    authMethods: { default: kc },
    httpApi: impersonatingHttpLibrary(identity),
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
 * Sends requests with undici's `request` and the dispatcher client-node chose (TLS, proxy).
 * client-node's own library sends through `fetch`, which joins repeated headers into one
 * `a, b` line (undici 8), and the API server reads such a line as one group named "a, b".
 * `request` sends one header line per array item.
 */
function impersonatingHttpLibrary(identity: KubeIdentity): HttpLibrary {
  return wrapHttpLibrary({
    async send(context: RequestContext): Promise<ResponseContext> {
      const headers: Record<string, string | string[]> = {
        ...context.getHeaders(),
        [IMPERSONATE_USER]: identity.user,
      };
      if (identity.groups.length > 0) headers[IMPERSONATE_GROUP] = [...identity.groups];
      const options: NonNullable<Parameters<typeof request>[1]> = {
        method: context.getHttpMethod() as Dispatcher.HttpMethod,
        headers,
      };
      // The generated client serializes every body of these calls to a JSON string.
      const body = context.getBody() as string | undefined;
      if (body !== undefined) options.body = body;
      const dispatcher = context.getDispatcher() as Dispatcher | undefined;
      if (dispatcher !== undefined) options.dispatcher = dispatcher;
      const signal = context.getSignal();
      if (signal !== undefined) options.signal = signal;
      const response = await request(context.getUrl(), options);
      // Job and CronJob bodies are small, so the whole body is read before parsing.
      const bytes = Buffer.from(await response.body.arrayBuffer());
      return new ResponseContext(response.statusCode, flattenHeaders(response.headers), {
        text: () => Promise.resolve(bytes.toString('utf8')),
        binary: () => Promise.resolve(bytes),
        stream: () => null,
      });
    },
  });
}

function flattenHeaders(headers: Record<string, string | string[] | undefined>) {
  const flat: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) flat[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return flat;
}
