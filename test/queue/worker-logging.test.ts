import { EventEmitter } from 'node:events';
import type { Worker } from 'bullmq';
import { describe, expect, it } from 'vitest';
import { attachLogging } from '../../src/queue/workers.ts';
import { memoryLogger } from '../support/memory-logger.ts';

describe('attachLogging', () => {
  it('logs worker errors at a falling rate without their stacks', () => {
    const { logger, lines } = memoryLogger();
    const worker = new EventEmitter();
    attachLogging(worker as unknown as Worker, logger, 'signals');
    for (let i = 0; i < 5; i += 1) worker.emit('error', new Error('connect ECONNREFUSED 127.0.0.1:6379'));

    const warnings = lines.filter((line) => line.msg === 'queue worker error');
    expect(warnings.map((line) => line.errors)).toEqual([1, 2, 4]);
    for (const line of warnings) {
      expect(line.level).toBe(40);
      expect(line.error).toBe('connect ECONNREFUSED 127.0.0.1:6379');
      expect(line.err).toBeUndefined();
    }
    const stacks = lines.filter((line) => line.msg === 'queue worker error stack');
    expect(stacks).toHaveLength(5);
    expect(stacks.every((line) => line.level === 20)).toBe(true);
  });
});
