import { describe, expect, it } from 'vitest';
import { managedWarning, managingTool } from '../../src/actions/managers.ts';

describe('managingTool', () => {
  it('names Argo CD, Flux and Helm from their labels and annotations', () => {
    expect(managingTool({ annotations: { 'argocd.argoproj.io/tracking-id': 'batch:batch/CronJob:reports/nightly' } })).toBe('Argo CD');
    expect(managingTool({ labels: { 'kustomize.toolkit.fluxcd.io/name': 'batch' } })).toBe('Flux');
    expect(managingTool({ labels: { 'helm.toolkit.fluxcd.io/name': 'batch' } })).toBe('Flux');
    expect(managingTool({ labels: { 'app.kubernetes.io/managed-by': 'Helm' } })).toBe('Helm');
    expect(managingTool({ annotations: { 'meta.helm.sh/release-name': 'batch' } })).toBe('Helm');
  });

  it('names nothing for an object without those marks', () => {
    expect(managingTool({ labels: { app: 'nightly' } })).toBeUndefined();
    expect(managingTool(undefined)).toBeUndefined();
  });

  it('tells where to make the change instead', () => {
    expect(managedWarning('CronJob', 'nightly', 'Argo CD')).toContain('Argo CD manages CronJob nightly');
  });
});
