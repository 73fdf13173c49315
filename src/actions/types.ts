import type { V1CronJob, V1Job } from '@kubernetes/client-node';

/**
 * A right the action policy grants a Slack user per namespace. `read` covers status,
 * logs, why and acknowledging an alert.
 */
export type ActionVerb = 'read' | 'retry' | 'raise-limits' | 'mute';

/** The Kubernetes identity a cluster write impersonates. */
export interface KubeIdentity {
  user: string;
  groups: string[];
}

/** The Slack user behind a click or a command, with the user groups they belong to. */
export interface SlackActor {
  id: string;
  /** Slack user group ids (`S…`) the user belongs to. */
  groups: string[];
  /** Display name, for the thread record; never used for a decision. */
  name?: string;
}

/** The policy's decision for one actor, verb and namespace. */
export type PolicyDecision =
  | { allowed: true; verb: ActionVerb; namespace: string; identity?: KubeIdentity; rule: string }
  | { allowed: false; verb: ActionVerb; namespace: string; reason: string };

/** The rights of Slack users, loaded from the policy file. */
export interface ActionPolicy {
  decide(actor: SlackActor, verb: ActionVerb, namespace: string): PolicyDecision;
  /** Every identity some rule maps to, for the impersonation RBAC and the docs. */
  identities(): KubeIdentity[];
}

/**
 * The cluster writes actions make. Each write impersonates `as` when given, so the API
 * server makes the final RBAC decision for the Slack user's mapped identity.
 */
export interface KubeWrites {
  createJob(namespace: string, job: V1Job, as?: KubeIdentity): Promise<V1Job>;
  /** Applies a JSON merge patch (RFC 7386) to a CronJob. */
  patchCronJob(namespace: string, name: string, patch: Record<string, unknown>, as?: KubeIdentity): Promise<V1CronJob>;
  getCronJob(namespace: string, name: string): Promise<V1CronJob>;
  getJob(namespace: string, name: string): Promise<V1Job>;
}

/** Resource values of one container, as the raise-limits form edits them. Quantities are Kubernetes strings. */
export interface ContainerResources {
  name: string;
  init?: boolean;
  requests: { cpu?: string; memory?: string };
  limits: { cpu?: string; memory?: string };
}

/** The values the raise-limits modal shows and edits. */
export interface LimitValues {
  backoffLimit?: number;
  activeDeadlineSeconds?: number;
  containers: ContainerResources[];
}
