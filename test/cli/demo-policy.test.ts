import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createActionPolicy } from '../../src/actions/policy.ts';
import { parsePolicy } from '../../src/config/policy.ts';
import { demoPolicyWith } from '../../src/cli/demo-command.ts';

describe('demo policy', () => {
  it('lets the Slack users given on the command line retry in every namespace', async () => {
    const path = await demoPolicyWith('U0ZED, W0GRID');
    const policy = createActionPolicy(parsePolicy(readFileSync(path, 'utf8'), path));
    for (const id of ['U0ZED', 'W0GRID', 'U0ALICE']) {
      expect(policy.decide({ id, groups: [] }, 'retry', 'reports').allowed).toBe(true);
    }
    expect(policy.decide({ id: 'U0NOBODY', groups: [] }, 'retry', 'reports').allowed).toBe(false);
  });
});
