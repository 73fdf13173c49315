import { describe, expect, it } from 'vitest';
import { areaOf, summarizeProfile, type CpuProfile } from '../profile-summary.ts';

describe('areaOf', () => {
  it('names packages, scoped packages and project folders', () => {
    expect(areaOf('file:///work/main/node_modules/undici/lib/core/request.js', 'x')).toBe('undici');
    expect(areaOf('file:///work/main/node_modules/@kubernetes/client-node/dist/config.js', 'x')).toBe('@kubernetes/client-node');
    expect(areaOf('file:///work/main/src/episode/store.ts', 'x')).toBe('src/episode');
    expect(areaOf('file:///work/main/bench/run.ts', 'x')).toBe('bench/run.ts');
  });

  it('names Node internals and V8 pseudo-frames', () => {
    expect(areaOf('node:net', 'internalConnect')).toBe('node internals');
    expect(areaOf('', '(garbage collector)')).toBe('(garbage collector)');
    expect(areaOf('', 'writeUtf8String')).toBe('(native)');
  });
});

describe('summarizeProfile', () => {
  const frame = (functionName: string, url: string) => ({ functionName, url, lineNumber: 0 });
  const profile: CpuProfile = {
    nodes: [
      { id: 1, callFrame: frame('(root)', '') },
      { id: 2, callFrame: frame('(idle)', '') },
      { id: 3, callFrame: frame('request', 'file:///app/node_modules/undici/lib/api.js') },
      { id: 4, callFrame: frame('processSignal', 'file:///app/src/episode/process-signal.ts') },
    ],
    // Each interval goes to the sample that opens it: 2 ms idle, 3 ms undici, 5 ms src/episode.
    samples: [2, 3, 4, 4],
    timeDeltas: [0, 2000, 3000, 5000],
  };

  it('attributes each interval to the sample that opens it', () => {
    const summary = summarizeProfile(profile);
    expect(summary.sampledMs).toBe(10);
    expect(summary.busyMs).toBe(8);
    expect(summary.areas.map((a) => [a.name, a.ms])).toEqual([
      ['src/episode', 5],
      ['undici', 3],
    ]);
  });

  it('ranks functions by share of busy time', () => {
    const [first] = summarizeProfile(profile).functions;
    expect(first?.name).toBe('processSignal src/episode/process-signal.ts:1');
    expect(first?.percent).toBe(62.5);
  });
});
