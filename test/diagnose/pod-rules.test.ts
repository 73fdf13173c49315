import { describe, expect, it } from 'vitest';
import { diagnose } from '../../src/diagnose/diagnose.ts';
import { BACKOFF, buildContainer, buildJob, buildLog, buildPod, buildSnapshot, terminated } from './builders.ts';

/** Builds a native sidecar: an init container with restartPolicy Always. */
function sidecar(exitCode: number, finishedSeconds: number) {
  const built = buildContainer({ name: 'proxy', status: { state: terminated(exitCode, 'Error', finishedSeconds) } });
  built.spec.restartPolicy = 'Always';
  return built;
}

const failedJob = () => buildJob({ failed: BACKOFF });

describe('podFinding: native sidecars', () => {
  it('blames the app container when the sidecar got SIGTERM after it', () => {
    const app = buildContainer({ name: 'main', status: { state: terminated(1, 'Error', 60) } });
    const pod = buildPod({ initContainers: [sidecar(143, 61)], containers: [app] });
    const d = diagnose(buildSnapshot({ job: failedJob(), pods: [pod], logs: [buildLog('fatal: checksum mismatch in batch 12\n')] }));
    expect(d.cause).toBe('app-error');
    expect(d.container).toBe('main');
    expect(d.summary).not.toContain('init container');
  });

  it('treats a SIGKILL at shutdown like SIGTERM', () => {
    const app = buildContainer({ name: 'main', status: { state: terminated(2, 'Error', 60) } });
    const pod = buildPod({ initContainers: [sidecar(137, 90)], containers: [app] });
    const d = diagnose(buildSnapshot({ job: failedJob(), pods: [pod] }));
    expect(d.cause).toBe('app-error');
    expect(d.container).toBe('main');
  });

  it('names a sidecar that crashed before the app container ended', () => {
    const app = buildContainer({ name: 'main', status: { state: terminated(1, 'Error', 60) } });
    const pod = buildPod({ initContainers: [sidecar(139, 40)], containers: [app] });
    const d = diagnose(buildSnapshot({ job: failedJob(), pods: [pod] }));
    expect(d.cause).toBe('app-crash');
    expect(d.container).toBe('proxy');
  });

  it('still reads a failed one-shot init container first', () => {
    const init = buildContainer({ name: 'migrate', status: { state: terminated(1, 'Error', 20) } });
    const app = buildContainer({ name: 'main', status: { state: { waiting: { reason: 'PodInitializing' } } } });
    const pod = buildPod({ initContainers: [init], containers: [app] });
    const d = diagnose(buildSnapshot({ job: failedJob(), pods: [pod] }));
    expect(d.container).toBe('migrate');
    expect(d.summary).toContain('so the app containers never started');
  });
});
