import { describe, expect, it } from 'vitest';
import { parsePluginArgs, PluginArgsError } from '../../src/cli/kubectl-plugin-args.ts';

describe('parsePluginArgs', () => {
  it('takes the connection flags before the command words', () => {
    const parsed = parsePluginArgs(['--kubeconfig', '/tmp/kc', '--context', 'prod', '-n', 'batch', 'diagnose', 'ingest']);
    expect(parsed).toEqual({ connection: { kubeconfig: '/tmp/kc', context: 'prod', namespace: 'batch' }, rest: ['diagnose', 'ingest'] });
  });

  it('takes the connection flags after the command words and keeps the command flags', () => {
    const parsed = parsePluginArgs(['diagnose', 'ingest', '--json', '--namespace', 'batch']);
    expect(parsed).toEqual({ connection: { namespace: 'batch' }, rest: ['diagnose', 'ingest', '--json'] });
  });

  it('reads the joined forms kubectl accepts', () => {
    expect(parsePluginArgs(['-nbatch']).connection).toEqual({ namespace: 'batch' });
    expect(parsePluginArgs(['-n=batch']).connection).toEqual({ namespace: 'batch' });
    expect(parsePluginArgs(['--namespace=batch', '--context=prod', '--kubeconfig=/k']).connection).toEqual({ namespace: 'batch', context: 'prod', kubeconfig: '/k' });
  });

  it('keeps every word after -- as it is', () => {
    expect(parsePluginArgs(['diagnose', '--', '-n', 'x'])).toEqual({ connection: {}, rest: ['diagnose', '--', '-n', 'x'] });
  });

  it('leaves flags it does not own to the command', () => {
    expect(parsePluginArgs(['--namespaces', 'a', '-v']).rest).toEqual(['--namespaces', 'a', '-v']);
  });

  it('names the flag and the form when a value is missing', () => {
    expect(() => parsePluginArgs(['diagnose', 'ingest', '-n'])).toThrow(new PluginArgsError('-n needs a value, as in -n NAMESPACE'));
    expect(() => parsePluginArgs(['--context', '--json'])).toThrow('--context needs a value, as in --context NAME');
  });

  it('refuses an empty value and two different values for one flag', () => {
    expect(() => parsePluginArgs(['--kubeconfig='])).toThrow('--kubeconfig was given an empty value; pass --kubeconfig FILE');
    expect(() => parsePluginArgs(['-n', 'a', '--namespace', 'b'])).toThrow('--namespace was given twice, as "a" and "b"; pass it once');
  });

  it('accepts the same value given twice', () => {
    expect(parsePluginArgs(['-n', 'a', '--namespace=a']).connection).toEqual({ namespace: 'a' });
  });
});
