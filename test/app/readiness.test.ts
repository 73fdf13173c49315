import { describe, expect, it } from 'vitest';
import { readinessChecks } from '../../src/app/start-jobwatch.ts';

describe('readinessChecks', () => {
  it('reports the watch not ready before the watcher role exists', () => {
    expect(readinessChecks(new Set(['watcher', 'worker']), true, undefined)).toEqual({ redis: true, watch: false });
  });

  it('follows the watcher once it exists', () => {
    expect(readinessChecks(new Set(['watcher']), true, { synced: () => true })).toEqual({ redis: true, watch: true });
    expect(readinessChecks(new Set(['watcher']), true, { synced: () => false })).toEqual({ redis: true, watch: false });
  });

  it('has no watch check without the watcher role', () => {
    expect(readinessChecks(new Set(['notifier']), false, undefined)).toEqual({ redis: false });
  });
});
