import { HttpMethod, IsomorphicFetchHttpLibrary, RequestContext, type KubeConfig } from '@kubernetes/client-node';
import { kubeApiErrorFromResponse, toKubeApiError, type KubeApiError } from './errors.ts';

/** A request for one container's log. */
export interface PodLogRequest {
  namespace: string;
  pod: string;
  /** The container; required for pods with more than one container. */
  container?: string | undefined;
  /** Reads the log of the previous, terminated instance of the container. Default false. */
  previous?: boolean | undefined;
  /** Returns only this many lines from the end of the log. */
  tailLines?: number | undefined;
  /** Stops the server after this many bytes of log text. */
  limitBytes?: number | undefined;
}

/** The expected reasons a log cannot be read, which callers show instead of failing. */
export type PodLogUnavailableReason =
  /** The pod no longer exists (404), e.g. the Job was deleted or its TTL ran out. */
  | 'pod-not-found'
  /**
   * The pod was never scheduled to a node, so no kubelet has a log. Only servers that
   * answer 400 say so: kube-apiserver v1.37 answers 204, read as an empty log.
   */
  | 'pod-not-scheduled'
  /** The container is still waiting (image pull, config error) or has no status yet. */
  | 'container-not-started'
  /** `previous` was requested but the container has no terminated instance. */
  | 'previous-not-found';

/** The outcome of {@link readPodLog}. */
export type PodLogResult =
  | {
      available: true;
      text: string;
      /** True when the log reached `limitBytes`, so the server probably cut it short. */
      truncated: boolean;
    }
  | { available: false; reason: PodLogUnavailableReason; message: string; error: KubeApiError };

/**
 * Message fragments of the expected pods/log failures, with the reason each maps to.
 * The texts come from the API server's log location checks and the kubelet's
 * `validateContainerLogStatus` (`pkg/kubelet/kubelet_pods.go`). They are matched only on
 * 400 responses, because no Status reason distinguishes these cases.
 */
const BAD_REQUEST_PATTERNS: [RegExp, PodLogUnavailableReason][] = [
  [/does not have a host assigned/, 'pod-not-scheduled'],
  [/previous terminated container .* not found/, 'previous-not-found'],
  [/is waiting to start|is not available/, 'container-not-started'],
];

/**
 * Maps a failed pods/log request to an expected unavailable reason, or `undefined` when
 * the failure is unexpected (403, 5xx, transport) and should be raised.
 */
export function classifyPodLogError(error: KubeApiError): PodLogUnavailableReason | undefined {
  if (error.code === 404) return 'pod-not-found';
  if (error.code !== 400) return undefined;
  const message = error.statusMessage ?? '';
  return BAD_REQUEST_PATTERNS.find(([pattern]) => pattern.test(message))?.[1];
}

/**
 * Reads a container log. Returns the text, or an `available: false` result for the
 * expected cases listed in {@link PodLogUnavailableReason}. Throws a `KubeApiError` for
 * anything else, such as 403 or an unreachable kubelet.
 *
 * The request goes through client-node's HTTP stack (TLS, tokens, exec plugins) but not
 * through `CoreV1Api.readNamespacedPodLog`, which rejects the 204 without a Content-Type
 * that kube-apiserver v1.37 sends for a pod without a node.
 */
export async function readPodLog(kc: KubeConfig, request: PodLogRequest): Promise<PodLogResult> {
  const { namespace, pod, limitBytes } = request;
  const object = { kind: 'Pod', namespace, name: pod };
  const url = podLogUrl(kc, request);
  let status: number;
  let text: string;
  try {
    const context = new RequestContext(url.toString(), HttpMethod.GET);
    context.setHeaderParam('Accept', 'text/plain, application/json');
    await kc.applySecurityAuthentication(context);
    const response = await new IsomorphicFetchHttpLibrary().send(context).toPromise();
    status = response.httpStatusCode;
    text = await response.body.text();
  } catch (err) {
    throw toKubeApiError(err, object);
  }
  if (status !== 200 && status !== 204) {
    const error = kubeApiErrorFromResponse(status, text, object);
    const reason = classifyPodLogError(error);
    if (reason === undefined) throw error;
    return { available: false, reason, message: error.statusMessage ?? error.message, error };
  }
  const truncated = limitBytes !== undefined && Buffer.byteLength(text, 'utf8') >= limitBytes;
  return { available: true, text, truncated };
}

function podLogUrl(kc: KubeConfig, request: PodLogRequest): URL {
  const cluster = kc.getCurrentCluster();
  if (!cluster) {
    throw new Error(`Kubernetes context "${kc.getCurrentContext()}" has no cluster; check the kubeconfig.`);
  }
  const path = `/api/v1/namespaces/${encodeURIComponent(request.namespace)}/pods/${encodeURIComponent(request.pod)}/log`;
  // The server URL may carry a path prefix (an API server behind a proxy), so append to it.
  const url = new URL(cluster.server.replace(/\/+$/, '') + path);
  if (request.container !== undefined) url.searchParams.set('container', request.container);
  if (request.previous) url.searchParams.set('previous', 'true');
  if (request.tailLines !== undefined) url.searchParams.set('tailLines', String(request.tailLines));
  if (request.limitBytes !== undefined) url.searchParams.set('limitBytes', String(request.limitBytes));
  return url;
}
