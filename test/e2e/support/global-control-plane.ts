import type { TestProject } from 'vitest/node';
import { startControlPlane } from './control-plane.ts';
import { startFakeKubelet } from './fake-kubelet.ts';

/** What the end-to-end tests learn about the control plane the run started. */
export interface ControlPlaneInfo {
  server: string;
  kubeconfig: string;
  pki: string;
  dir: string;
  nodeName: string;
}

declare module 'vitest' {
  export interface ProvidedContext {
    controlPlane: ControlPlaneInfo;
  }
}

/**
 * Starts one control plane and fake kubelet for the whole end-to-end run; the
 * binary is built into the cache first when it is missing.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const log = (line: string): void => console.log(`[control-plane] ${line}`);
  const plane = await startControlPlane({ log });
  const kubelet = await startFakeKubelet({ plane, nodeName: 'fake-node' });
  project.provide('controlPlane', { server: plane.server, kubeconfig: plane.kubeconfig, pki: plane.pki, dir: plane.dir, nodeName: kubelet.nodeName });
  return async () => {
    await kubelet.stop();
    await plane.stop();
  };
}
