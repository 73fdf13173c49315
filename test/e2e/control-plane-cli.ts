/**
 * `npm run control-plane -- build|up`: builds the control plane binary into
 * the cache, or starts etcd, kube-apiserver, kube-controller-manager and a
 * fake kubelet on loopback and keeps them running until Ctrl-C, printing how
 * long each step took and the kubeconfig to use with kubectl.
 */
import { ensureBinary, startControlPlane } from './support/control-plane.ts';
import { startFakeKubelet } from './support/fake-kubelet.ts';

const log = (line: string): void => console.log(`[control-plane] ${line}`);
const command = process.argv[2] ?? 'up';

if (command === 'build') {
  const started = performance.now();
  const { path, built } = await ensureBinary(log);
  log(`${built ? 'built' : 'reused'} ${path} in ${((performance.now() - started) / 1000).toFixed(1)} s`);
} else if (command === 'up') {
  const plane = await startControlPlane({ log });
  const started = performance.now();
  const kubelet = await startFakeKubelet({ plane, nodeName: 'fake-node' });
  log(`fake kubelet: ${((performance.now() - started) / 1000).toFixed(1)} s`);
  log(`ready; try: kubectl --kubeconfig ${plane.kubeconfig} get nodes`);
  log(`component logs: ${plane.dir}/logs`);
  const stop = async (): Promise<void> => {
    await kubelet.stop();
    await plane.stop();
    process.exit(0);
  };
  process.once('SIGINT', () => void stop());
  process.once('SIGTERM', () => void stop());
} else {
  console.error(`unknown command ${JSON.stringify(command)}: use build or up`);
  process.exit(2);
}
