import { describe, expect, it } from 'vitest';
import { strategicMerge } from '../../src/sim/strategic-merge.ts';

const podSpec = {
  containers: [
    { name: 'main', image: 'a:1', env: [{ name: 'MODE', value: 'full' }] },
    { name: 'side', image: 'b:1' },
  ],
  volumes: [{ name: 'scratch', emptyDir: {} }],
  tolerations: [{ key: 'batch', operator: 'Exists' }],
};

describe('strategicMerge', () => {
  it('merges containers and env by name, patch items first', () => {
    const patch = { containers: [{ name: 'main', env: [{ name: 'EXTRA', value: '1' }] }] };
    const merged = strategicMerge(podSpec, patch) as typeof podSpec;
    expect(merged.containers.map((c) => c.name)).toEqual(['main', 'side']);
    expect(merged.containers[0]?.image).toBe('a:1');
    expect(merged.containers[0]?.env).toEqual([{ name: 'EXTRA', value: '1' }, { name: 'MODE', value: 'full' }]);
  });

  it('replaces tolerations whole', () => {
    const merged = strategicMerge(podSpec, { tolerations: [{ key: 'gpu', operator: 'Exists' }] }) as typeof podSpec;
    expect(merged.tolerations).toEqual([{ key: 'gpu', operator: 'Exists' }]);
  });

  it('deletes a list item with $patch delete and drops an emptied list', () => {
    const merged = strategicMerge(podSpec, { volumes: [{ name: 'scratch', $patch: 'delete' }] }) as Record<string, unknown>;
    expect(merged['volumes']).toBeUndefined();
  });

  it('replaces a list with a $patch replace item', () => {
    const patch = { containers: [{ name: 'only', image: 'c:1' }, { $patch: 'replace' }] };
    const merged = strategicMerge(podSpec, patch) as typeof podSpec;
    expect(merged.containers).toEqual([{ name: 'only', image: 'c:1' }]);
  });

  it('removes a field set to null and keeps the rest', () => {
    const merged = strategicMerge({ a: 1, b: { c: 2, d: 3 } }, { b: { c: null } });
    expect(merged).toEqual({ a: 1, b: { d: 3 } });
  });

  it('merges finalizers as a set and removes listed primitives', () => {
    const merged = strategicMerge(
      { finalizers: ['a', 'b'] },
      { finalizers: ['b', 'c'], '$deleteFromPrimitiveList/finalizers': ['a'] },
    );
    expect(merged).toEqual({ finalizers: ['b', 'c'] });
  });

  it('ignores $setElementOrder directives', () => {
    const merged = strategicMerge({ env: [{ name: 'A', value: '1' }] }, { '$setElementOrder/env': [{ name: 'A' }] });
    expect(merged).toEqual({ env: [{ name: 'A', value: '1' }] });
  });
});
