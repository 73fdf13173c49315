import { CommanderError } from 'commander';
import { describe, expect, it } from 'vitest';
import { benchProgram, parseBenchArgs } from '../options.ts';

function parse(args: string[]) {
  const program = benchProgram().configureOutput({ writeErr: () => undefined, writeOut: () => undefined });
  return parseBenchArgs(args, program);
}

describe('parseBenchArgs', () => {
  it('runs every benchmark with the documented defaults', () => {
    const plan = parse([]);
    expect(plan.benchmarks).toEqual(['latency', 'throughput', 'memory']);
    expect(plan.latency.ratePerSecond).toBe(10);
    expect(plan.latency.durationSeconds).toBe(60);
    expect(plan.latency.notify).toBe('mixed');
    expect(plan.throughput.jobs).toBe(2000);
    expect(plan.throughput.notify).toBe('first-failure');
    expect(plan.memory.jobs).toBe(50_000);
    expect(plan.memory.listCache).toBe(true);
  });

  it('passes flags to the chosen benchmark', () => {
    const plan = parse(['latency', '--rate', '25', '--duration', '5', '--notify', 'final-only', '--json', 'out.json']);
    expect(plan.benchmarks).toEqual(['latency']);
    expect(plan.latency.ratePerSecond).toBe(25);
    expect(plan.latency.durationSeconds).toBe(5);
    expect(plan.latency.notify).toBe('final-only');
    expect(plan.jsonFile).toBe('out.json');
  });

  it('collects repeated node options', () => {
    const plan = parse(['memory', '--node-option=--max-semi-space-size=16', '--node-option=--max-old-space-size=256', '--no-list-cache']);
    expect(plan.memory.nodeOptions).toEqual(['--max-semi-space-size=16', '--max-old-space-size=256']);
    expect(plan.memory.listCache).toBe(false);
  });

  it('rejects mixed notify modes for throughput', () => {
    expect(() => parse(['throughput', '--notify', 'mixed'])).toThrow(CommanderError);
  });

  it('rejects unknown benchmarks and bad numbers', () => {
    expect(() => parse(['speed'])).toThrow(CommanderError);
    expect(() => parse(['--rate', '0'])).toThrow(CommanderError);
    expect(() => parse(['--jobs', '2.5'])).toThrow(CommanderError);
    expect(() => parse(['--failed-percent', '120'])).toThrow(CommanderError);
  });
});
