import type { CoreV1Api } from '@kubernetes/client-node';
import { toKubeApiError } from './errors.ts';
import type { KubeApiError } from './errors.ts';

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
  /** The pod was never scheduled to a node, so no kubelet has a log. */
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
 */
export async function readPodLog(core: CoreV1Api, request: PodLogRequest): Promise<PodLogResult> {
  const { namespace, pod, container, previous, tailLines, limitBytes } = request;
  let text: string;
  try {
    text = await core.readNamespacedPodLog({
      name: pod,
      namespace,
      ...(container !== undefined && { container }),
      ...(previous !== undefined && { previous }),
      ...(tailLines !== undefined && { tailLines }),
      ...(limitBytes !== undefined && { limitBytes }),
    });
  } catch (err) {
    const error = toKubeApiError(err, { kind: 'Pod', namespace, name: pod });
    const reason = classifyPodLogError(error);
    if (reason === undefined) throw error;
    return { available: false, reason, message: error.statusMessage ?? error.message, error };
  }
  const truncated = limitBytes !== undefined && Buffer.byteLength(text, 'utf8') >= limitBytes;
  return { available: true, text, truncated };
}
