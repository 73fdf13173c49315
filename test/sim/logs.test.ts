import { describe, expect, it } from 'vitest';
import { sliceLog, tailOffset } from '../../src/sim/log-slice.ts';
import { checkLogAvailable, resolveContainer } from '../../src/sim/pod-logs.ts';
import { pod } from './builders.ts';

const text = (buffer: Buffer) => buffer.toString('utf8');

describe('sliceLog', () => {
  const log = Buffer.from('one\ntwo\nthree\n');

  it('keeps the last lines for tailLines', () => {
    expect(text(sliceLog(log, { tailLines: 2 }))).toBe('two\nthree\n');
    expect(text(sliceLog(log, { tailLines: 10 }))).toBe('one\ntwo\nthree\n');
    expect(text(sliceLog(log, { tailLines: 0 }))).toBe('');
  });

  it('counts a last line without newline as a line', () => {
    expect(tailOffset(Buffer.from('a\nb'), 1)).toBe(2);
  });

  it('cuts at limitBytes after the tail', () => {
    expect(text(sliceLog(log, { tailLines: 2, limitBytes: 6 }))).toBe('two\nth');
  });

  it('prefixes timestamps before applying limitBytes', () => {
    const stamped = text(sliceLog(log, { tailLines: 1, timestamp: '2026-01-01T00:00:00.000000000Z' }));
    expect(stamped).toBe('2026-01-01T00:00:00.000000000Z three\n');
    const limited = sliceLog(log, { timestamp: 'T', limitBytes: 7 });
    expect(text(limited)).toBe('T one\nT');
  });

  it('returns a view into a 50 MB log without copying it', () => {
    const line = Buffer.from(`${'x'.repeat(99)}\n`);
    const big = Buffer.alloc(50 * 1024 * 1024);
    for (let offset = 0; offset + line.length <= big.length; offset += line.length) line.copy(big, offset);
    const tail = sliceLog(big, { tailLines: 3 });
    expect(tail.length).toBe(300);
    expect(tail.buffer).toBe(big.buffer);
    const head = sliceLog(big, { limitBytes: 1024 });
    expect(head.length).toBe(1024);
    expect(head.buffer).toBe(big.buffer);
  });
});

describe('resolveContainer', () => {
  it('uses the only container when none is named', () => {
    expect(resolveContainer(pod('p'), undefined)).toBe('main');
  });

  it('requires a name when the pod has several containers', () => {
    const twoContainers = pod('p', { containers: ['app', 'sidecar'] });
    expect(() => resolveContainer(twoContainers, undefined)).toThrow(
      'a container name must be specified for pod p, choose one of: [app sidecar]',
    );
  });

  it('rejects a container the pod does not have', () => {
    expect(() => resolveContainer(pod('p'), 'other')).toThrow('container other is not valid for pod p');
  });
});

describe('checkLogAvailable', () => {
  it('rejects previous logs when the container never restarted', () => {
    expect(() => checkLogAvailable(pod('p'), 'main', true)).toThrow(
      'previous terminated container "main" in pod "p" not found',
    );
  });

  it('rejects a container still waiting with its reason', () => {
    const waiting = pod('p', { statuses: [{ name: 'main', state: { waiting: { reason: 'CreateContainerConfigError' } } }] });
    expect(() => checkLogAvailable(waiting, 'main', false)).toThrow(
      'container "main" in pod "p" is waiting to start: CreateContainerConfigError',
    );
  });

  it('rejects a pod that was never scheduled', () => {
    expect(() => checkLogAvailable(pod('p', { nodeName: null }), 'main', false)).toThrow(
      'pod p does not have a host assigned',
    );
  });
});
