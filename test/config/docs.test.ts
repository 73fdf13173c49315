import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ENV_DEFAULTS, ENV_VARIABLES } from '../../src/config/env-schema.ts';
import { loadConfig } from '../../src/config/env.ts';

const root = join(import.meta.dirname, '../..');
const envExample = readFileSync(join(root, '.env.example'), 'utf8');
const docs = readFileSync(join(root, 'docs/configuration.md'), 'utf8');

/** Parses the `NAME=value` lines of `.env.example`. */
function exampleValues(): Map<string, string> {
  const values = new Map<string, string>();
  for (const line of envExample.split('\n')) {
    const match = /^([A-Z_]+)=(.*)$/.exec(line);
    if (match?.[1] !== undefined) values.set(match[1], match[2] ?? '');
  }
  return values;
}

/** Returns the cells of the docs table row of a variable. */
function docsRow(name: string): string[] | undefined {
  const line = docs.split('\n').find((row) => row.startsWith(`| \`${name}\` |`));
  return line?.split('|').map((cell) => cell.trim());
}

describe('.env.example', () => {
  const values = exampleValues();

  it('lists exactly the variables jobwatch reads', () => {
    expect([...values.keys()].sort()).toEqual([...ENV_VARIABLES].sort());
  });
  for (const name of ENV_VARIABLES) {
    it(`sets ${name} to its default`, () => {
      expect(values.get(name)).toBe(ENV_DEFAULTS[name] ?? '');
    });
  }
  it('loads as a valid configuration', () => {
    expect(() => loadConfig(Object.fromEntries(values))).not.toThrow();
  });
});

describe('docs/configuration.md', () => {
  for (const name of ENV_VARIABLES) {
    it(`documents ${name} with its default`, () => {
      const row = docsRow(name);
      expect(row).toBeDefined();
      const fallback = name === 'JOBWATCH_NAMESPACES' ? 'all' : 'unset';
      const expected = ENV_DEFAULTS[name] === undefined ? fallback : `\`${ENV_DEFAULTS[name]}\``;
      // SLACK_API_URL has no jobwatch default, but the docs give @slack/web-api's.
      if (name !== 'SLACK_API_URL') expect(row?.[2]).toBe(expected);
    });
  }
});
