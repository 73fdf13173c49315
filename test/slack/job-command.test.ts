import { describe, expect, it } from 'vitest';
import {
  helpText,
  parseJobCommand,
  SUBCOMMANDS,
  suggestNames,
  type CommandError,
  type ParsedCommand,
} from '../../src/slack/job-command.ts';
import { editDistance } from '../../src/slack/suggest-names.ts';

const JOB = { command: '/job' };

function parsed(
  text: string,
  options: { command: string; defaultNamespace?: string } = JOB,
): ParsedCommand {
  const result = parseJobCommand(text, options);
  if (!result.ok)
    throw new Error(`expected ${JSON.stringify(text)} to parse, got: ${result.message}`);
  return result;
}

function failed(
  text: string,
  options: { command: string; defaultNamespace?: string } = JOB,
): CommandError {
  const result = parseJobCommand(text, options);
  if (result.ok)
    throw new Error(`expected ${JSON.stringify(text)} to fail, got ${JSON.stringify(result)}`);
  return result;
}

describe('parseJobCommand subcommands', () => {
  it.each<[string, ParsedCommand]>([
    ['status report-1', { ok: true, subcommand: 'status', name: 'report-1' }],
    ['why report-1', { ok: true, subcommand: 'why', name: 'report-1' }],
    ['retry report-1', { ok: true, subcommand: 'retry', name: 'report-1' }],
    ['unmute report-1', { ok: true, subcommand: 'unmute', name: 'report-1' }],
    ['list', { ok: true, subcommand: 'list', filter: 'failing' }],
    ['list running', { ok: true, subcommand: 'list', filter: 'running' }],
    ['list ALL', { ok: true, subcommand: 'list', filter: 'all' }],
    ['logs report-1', { ok: true, subcommand: 'logs', name: 'report-1', previous: false }],
    [
      'logs report-1 --previous',
      { ok: true, subcommand: 'logs', name: 'report-1', previous: true },
    ],
    [
      'logs report-1 -p -c main',
      { ok: true, subcommand: 'logs', name: 'report-1', previous: true, container: 'main' },
    ],
    [
      'logs --container=side report-1',
      { ok: true, subcommand: 'logs', name: 'report-1', previous: false, container: 'side' },
    ],
    [
      'mute report-1 30m',
      { ok: true, subcommand: 'mute', name: 'report-1', durationMs: 1_800_000, duration: '30m' },
    ],
    [
      'mute report-1 2H',
      { ok: true, subcommand: 'mute', name: 'report-1', durationMs: 7_200_000, duration: '2h' },
    ],
    [
      'mute report-1 1d',
      { ok: true, subcommand: 'mute', name: 'report-1', durationMs: 86_400_000, duration: '1d' },
    ],
    [
      'mute report-1 7d',
      { ok: true, subcommand: 'mute', name: 'report-1', durationMs: 604_800_000, duration: '7d' },
    ],
    [
      'mute report-1 1h30m',
      { ok: true, subcommand: 'mute', name: 'report-1', durationMs: 5_400_000, duration: '1h30m' },
    ],
    ['help', { ok: true, subcommand: 'help' }],
    ['help logs', { ok: true, subcommand: 'help', topic: 'logs' }],
    ['', { ok: true, subcommand: 'help' }],
    ['  ', { ok: true, subcommand: 'help' }],
    ['STATUS report-1', { ok: true, subcommand: 'status', name: 'report-1' }],
    ['status nightly.report-2', { ok: true, subcommand: 'status', name: 'nightly.report-2' }],
  ])('parses %j', (text, expected) => {
    expect(parsed(text)).toEqual(expected);
  });

  it('accepts a 63-character name', () => {
    const name = `a${'b'.repeat(61)}c`;
    expect(parsed(`status ${name}`)).toMatchObject({ name });
  });
});

describe('parseJobCommand namespaces', () => {
  it.each([
    'status report-1 -n batch',
    'status -n batch report-1',
    '-n batch status report-1',
    'status report-1 -nbatch',
    'status report-1 -n=batch',
    'status report-1 --namespace batch',
    'status report-1 --namespace=batch',
    'status report-1 \u2014namespace batch',
    'status\treport-1\u00a0-n batch',
  ])('reads the namespace from %j', (text) => {
    expect(parsed(text)).toEqual({
      ok: true,
      subcommand: 'status',
      name: 'report-1',
      namespace: 'batch',
    });
  });

  it('uses the default namespace when none is given', () => {
    const options = { command: '/job', defaultNamespace: 'jobs' };
    expect(parsed('retry report-1', options)).toMatchObject({ namespace: 'jobs' });
    expect(parsed('list -n other', options)).toMatchObject({ namespace: 'other' });
  });

  it('leaves the namespace out without a default', () => {
    expect(parsed('status report-1')).not.toHaveProperty('namespace');
  });

  it('accepts the same namespace twice', () => {
    expect(parsed('status report-1 -n a --namespace=a')).toMatchObject({ namespace: 'a' });
  });

  it('rejects two different namespaces', () => {
    const error = failed('status report-1 -n a --namespace b');
    expect(error.code).toBe('conflicting-options');
    expect(error.message).toBe(
      'The namespace is given twice, as `a` and `b`; give one. Usage: `/job status NAME [-n NAMESPACE]`',
    );
  });

  it('rejects an invalid namespace', () => {
    const error = failed('status report-1 -n Batch_Jobs');
    expect(error.code).toBe('invalid-namespace');
    expect(error.message).toContain('Invalid namespace `Batch_Jobs`');
  });

  it('rejects a namespace with a dot, which a DNS-1123 label excludes', () => {
    expect(failed('list -n a.b').code).toBe('invalid-namespace');
  });

  it('rejects -n without a value', () => {
    for (const text of [
      'status report-1 -n',
      'status report-1 -n --previous',
      'status report-1 --namespace=',
    ]) {
      const error = failed(text);
      expect(error.code).toBe('missing-option-value');
      expect(error.message).toMatch(
        /^Option `(-n|--namespace)` needs a value\. Usage: `\/job status/,
      );
    }
  });
});

describe('parseJobCommand errors', () => {
  it('suggests the subcommand nearest a typo', () => {
    const error = failed('stauts report-1');
    expect(error.code).toBe('unknown-subcommand');
    expect(error.message).toBe(
      'Unknown subcommand `stauts`. Did you mean `status`? Usage: `/job status NAME [-n NAMESPACE]`',
    );
  });

  it('suggests a subcommand from its prefix', () => {
    expect(failed('unm report-1').message).toContain('Did you mean `unmute`?');
  });

  it('points a bare Job name at status', () => {
    expect(failed('nightly-report').message).toBe(
      'Unknown subcommand `nightly-report`. To see that Job, use `/job status nightly-report`. ' +
        'See `/job help` for the subcommands.',
    );
  });

  it('reports a missing Job name with the usage', () => {
    expect(failed('logs').message).toBe(
      'The Job name is missing. Usage: `/job logs NAME [--previous] [--container C] [-n NAMESPACE]`',
    );
  });

  it('reports an extra argument', () => {
    const error = failed('status report-1 report-2');
    expect(error.code).toBe('unexpected-argument');
    expect(error.message).toContain('Unexpected argument `report-2`.');
  });

  it('rejects a name over 63 characters and gives its length', () => {
    const error = failed(`why ${'a'.repeat(64)}`);
    expect(error.code).toBe('invalid-name');
    expect(error.message).toContain('it has 64 characters, and Kubernetes allows at most 63');
  });

  it('offers the lowercase form of a name with capitals', () => {
    expect(failed('status Nightly-Report').message).toContain('Did you mean `nightly-report`?');
  });

  it.each([
    ['<!channel>', '`&lt;!channel&gt;`'],
    ['<@U123>', '`&lt;@U123&gt;`'],
    ['<@U123|alice>', '`&lt;@U123|alice&gt;`'],
    ['<https://evil.example|click>', '`&lt;https://evil.example|click&gt;`'],
    ['*bold*', '`*bold*`'],
    ['`rm`', '`\u02cbrm\u02cb`'],
    ['a&b', '`a&amp;b`'],
  ])('rejects the markup name %s and shows it escaped', (name, shown) => {
    const error = failed(`status ${name}`);
    expect(error.code).toBe('invalid-name');
    expect(error.message).toContain(`Invalid Job name ${shown}:`);
    expect(error.message).not.toMatch(/<|>/);
  });

  it('shows an unknown markup subcommand escaped', () => {
    const error = failed('<!here> report-1');
    expect(error.message).toContain('`&lt;!here&gt;`');
    expect(error.message).not.toMatch(/<|>/);
  });

  it('cuts a very long value in the message', () => {
    const error = failed(`status ${'X'.repeat(5000)}`);
    expect(error.message.length).toBeLessThan(400);
  });

  it('suggests the nearest option', () => {
    const error = failed('logs report-1 --prev');
    expect(error.code).toBe('unknown-option');
    expect(error.message).toContain('Unknown option `--prev`. Did you mean `--previous`?');
    expect(failed('status report-1 --namesapce x').message).toContain(
      'Did you mean `--namespace`?',
    );
  });

  it('rejects logs options on other subcommands', () => {
    const error = failed('status report-1 --previous');
    expect(error.code).toBe('option-not-allowed');
    expect(error.message).toBe(
      'Option `--previous` applies only to `logs`. Usage: `/job status NAME [-n NAMESPACE]`',
    );
    expect(failed('retry report-1 --container main').code).toBe('option-not-allowed');
  });

  it('rejects a value on --previous', () => {
    expect(failed('logs report-1 --previous=yes').code).toBe('unexpected-option-value');
  });

  it('rejects an invalid or repeated container', () => {
    expect(failed('logs report-1 -c Main_1').code).toBe('invalid-container');
    expect(failed('logs report-1 -c a -c b').code).toBe('conflicting-options');
  });

  it('suggests the nearest list filter', () => {
    const error = failed('list runing');
    expect(error.code).toBe('invalid-filter');
    expect(error.message).toContain('Unknown filter `runing`. Did you mean `running`?');
  });

  it('rejects an unknown help topic', () => {
    expect(failed('help lgos').message).toContain('Did you mean `logs`?');
  });
});

describe('parseJobCommand mute durations', () => {
  it('rejects a duration over 7 days', () => {
    const error = failed('mute report-1 8d');
    expect(error.code).toBe('duration-too-long');
    expect(error.message).toBe(
      'Duration `8d` is over the maximum of `7d`. Usage: `/job mute NAME DURATION [-n NAMESPACE]`',
    );
    expect(failed('mute report-1 169h').code).toBe('duration-too-long');
    expect(failed('mute report-1 6d25h').code).toBe('duration-too-long');
  });

  it.each(['2x', '30', 'm', '30m2h', '1h1h', '-5m', '1.5h'])(
    'rejects the duration %j',
    (duration) => {
      expect(failed(`mute report-1 ${duration}`).code).toMatch(
        /invalid-duration|unknown-option|missing-argument/,
      );
    },
  );

  it('explains the format of a bad duration', () => {
    expect(failed('mute report-1 2x').message).toContain(
      'Invalid duration `2x`: write a number with `m`, `h` or `d`, such as `30m`, `2h` or `1d`.',
    );
  });

  it('rejects a zero duration', () => {
    expect(failed('mute report-1 0m').message).toContain('a mute must last at least `1m`');
  });

  it('reports a missing duration', () => {
    const error = failed('mute report-1');
    expect(error.code).toBe('missing-argument');
    expect(error.message).toContain('The duration is missing.');
  });

  it('says the name comes first when the two are swapped', () => {
    expect(failed('mute 2h report-1').message).toContain(
      'The Job name comes before the duration: `/job mute report-1 2h`.',
    );
  });
});

describe('configured command name', () => {
  it.each(['/jobs', '/kjob'])('uses %s in every message', (command) => {
    const texts = [
      'stauts a',
      'status',
      'status A',
      'mute a 9d',
      'list x',
      'nonsense!',
      'logs a --x',
      'status a b',
    ];
    for (const text of texts) {
      const error = failed(text, { command });
      expect(error.message).toContain(`\`${command} `);
      expect(error.message).not.toContain('`/job ');
    }
  });

  it('renders help with the configured name on every usage line', () => {
    const text = helpText('/kjob');
    for (const subcommand of SUBCOMMANDS) expect(text).toContain(`\`/kjob ${subcommand} `);
    expect(text).not.toContain('/job ');
  });
});

describe('helpText', () => {
  it('lists every subcommand with its usage as mrkdwn', () => {
    const text = helpText('/job');
    expect(text.split('\n')[0]).toBe('*/job: look at and act on Kubernetes Jobs*');
    expect(text).toContain('• `/job mute NAME DURATION [-n NAMESPACE]`:');
    expect(text).toContain('at most `7d`');
    expect(text).not.toMatch(/<|>/);
  });

  it('names the default namespace when one is set', () => {
    expect(helpText('/job', { defaultNamespace: 'batch' })).toContain(
      'Without it, the namespace is `batch`.',
    );
    expect(helpText('/job')).not.toContain('Without it');
  });
});

describe('suggestNames', () => {
  const jobs = ['report-retry-1', 'report', 'nightly-report-28911440', 'backup', 'Report-Archive'];

  it('puts prefix matches first, shortest first', () => {
    expect(suggestNames('rep', jobs)).toEqual(['report', 'report-retry-1', 'Report-Archive']);
  });

  it('ignores case', () => {
    expect(suggestNames('BACKU', jobs)).toEqual(['backup']);
  });

  it('returns an exact match alone', () => {
    expect(suggestNames('REPORT', jobs)).toEqual(['report']);
  });

  it('finds a name with two letters swapped', () => {
    expect(suggestNames('bakcup', jobs)).toEqual(['backup']);
    expect(suggestNames('report-rerty-1', jobs)).toEqual(['report-retry-1']);
  });

  it('lists containing matches after prefix matches', () => {
    expect(suggestNames('report-2', ['nightly-report-28911440', 'report-2x'])).toEqual([
      'report-2x',
      'nightly-report-28911440',
    ]);
  });

  it('returns at most max names', () => {
    expect(suggestNames('r', jobs, 2)).toHaveLength(2);
    expect(suggestNames('r', jobs, 0)).toEqual([]);
  });

  it('suggests nothing for a distant name', () => {
    expect(suggestNames('zzzzzz', jobs)).toEqual([]);
    expect(suggestNames('', jobs)).toEqual([]);
  });

  it('keeps the spelling of the candidate', () => {
    expect(suggestNames('report-arhcive', jobs)).toEqual(['Report-Archive']);
  });
});

describe('editDistance', () => {
  it.each([
    ['', '', 0],
    ['abc', '', 3],
    ['kitten', 'sitting', 3],
    ['stauts', 'status', 1],
    ['ca', 'abc', 3],
  ])('%j to %j is %i', (a, b, distance) => {
    expect(editDistance(a, b)).toBe(distance);
  });
});
