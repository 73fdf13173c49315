import { defineConfig } from 'vitest/config';

/**
 * The end-to-end suite: jobwatch against a real kube-apiserver, etcd and
 * kube-controller-manager started on loopback, with a fake kubelet in place
 * of nodes. The first run builds the control plane from Go modules.
 */
export default defineConfig({
  test: {
    include: ['test/e2e/**/*.test.ts'],
    globalSetup: ['test/support/global-redis.ts', 'test/e2e/support/global-control-plane.ts'],
    testTimeout: 120_000,
    hookTimeout: 900_000,
    fileParallelism: false,
  },
});
