import type { V1ObjectMeta } from '@kubernetes/client-node';

/**
 * Names the tool that manages an object from its labels and annotations, when one does:
 * Helm, Argo CD or Flux. Such a tool puts the object back as its source describes it, so
 * a change made from Slack lasts only until its next sync.
 */
export function managingTool(metadata: V1ObjectMeta | undefined): string | undefined {
  const labels = metadata?.labels ?? {};
  const annotations = metadata?.annotations ?? {};
  if (annotations['argocd.argoproj.io/tracking-id'] !== undefined || labels['argocd.argoproj.io/instance'] !== undefined) return 'Argo CD';
  if (Object.keys(labels).some((key) => key.startsWith('kustomize.toolkit.fluxcd.io/') || key.startsWith('helm.toolkit.fluxcd.io/'))) return 'Flux';
  if (labels['app.kubernetes.io/managed-by'] === 'Helm' || annotations['meta.helm.sh/release-name'] !== undefined) return 'Helm';
  return undefined;
}

/** Writes the warning shown before a change to an object that a tool manages. */
export function managedWarning(kind: string, name: string, tool: string): string {
  return `${tool} manages ${kind} ${name} and will put back its own values at its next sync; make the same change in the source it deploys from.`;
}
