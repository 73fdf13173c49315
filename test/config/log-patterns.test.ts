import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, formatConfigError } from '../../src/config/config-error.ts';
import { loadConfig } from '../../src/config/env.ts';
import { loadLogPatterns, parseLogPatterns } from '../../src/config/log-patterns.ts';
import { matchUserPatterns } from '../../src/diagnose/user-patterns.ts';

/** Parses `text` and returns the error it raises; fails the test when it raises none. */
function errorOf(text: string): ConfigError {
  try {
    parseLogPatterns(text, 'patterns.yaml');
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

/** Builds a file with a valid entry named "first", then one entry made of `lines` of YAML. */
function withEntry(lines: string[]): string {
  return [
    'patterns:',
    '  - name: first',
    '    pattern: "ERR_FIRST"',
    '    cause: app-error',
    ...lines.map((line, i) => (i === 0 ? `  - ${line}` : `    ${line}`)),
  ].join('\n');
}

describe('parseLogPatterns', () => {
  it('compiles each entry with its flags, cause and fix', () => {
    const loaded = parseLogPatterns(
      withEntry(['name: license', 'pattern: "license (key )?expired"', 'flags: is', 'cause: config-missing', 'fix: Renew it.']),
      'patterns.yaml',
    );
    expect(loaded.file).toBe('patterns.yaml');
    expect(loaded.patterns.map((p) => p.name)).toEqual(['first', 'license']);
    const license = loaded.patterns[1];
    expect(license?.regex.source).toBe('license (key )?expired');
    expect(license?.regex.flags).toBe('ls');
    expect(license?.ignoreCase).toBe(true);
    expect(loaded.patterns[0]?.ignoreCase).toBeUndefined();
    expect(license?.cause).toBe('config-missing');
    expect(license?.fix).toBe('Renew it.');
    expect(loaded.patterns[0]?.fix).toBeUndefined();
  });

  it('accepts an empty file and an empty list', () => {
    expect(parseLogPatterns('', 'patterns.yaml').patterns).toEqual([]);
    expect(parseLogPatterns('patterns: []', 'patterns.yaml').patterns).toEqual([]);
  });

  it('rejects an invalid regular expression', () => {
    const err = errorOf(withEntry(['name: license', 'pattern: "ERR_(LICENSE"', 'cause: config-missing']));
    expect(err.code).toBe('CONFIG_LOG_PATTERNS_INVALID');
    expect(err.file).toBe('patterns.yaml');
    expect(err.problems).toHaveLength(1);
    const problem = err.problems[0];
    expect(problem?.setting).toBe('patterns[1] (license).pattern');
    expect(problem?.message).toBe(
      'patterns[1] (license).pattern is "ERR_(LICENSE", which is not a valid regular expression: Unterminated group',
    );
    expect(problem?.fix).toContain('escape ( ) [ ] { } . * + ? | ^ $ \\ with a backslash');
  });

  it('rejects an unknown cause and unknown', () => {
    const unknownId = errorOf(withEntry(['name: vendor', 'pattern: "VENDOR_EXIT"', 'cause: crash']));
    expect(unknownId.problems[0]?.message).toBe('patterns[1] (vendor).cause is "crash", which is not a cause id');
    expect(unknownId.problems[0]?.fix).toContain('use one of app-error, app-crash, oom-killed');
    expect(unknownId.problems[0]?.fix).not.toContain('unknown');
    const unknown = errorOf(withEntry(['name: vendor', 'pattern: "VENDOR_EXIT"', 'cause: unknown']));
    expect(unknown.problems[0]?.message).toBe('patterns[1] (vendor).cause is "unknown", which is not allowed');
  });

  it('rejects a duplicate name and names the first use', () => {
    const err = errorOf(withEntry(['name: first', 'pattern: "ERR_OTHER"', 'cause: app-error']));
    expect(err.problems[0]?.message).toBe('patterns[1] (first).name is "first", which patterns[0] also uses');
    expect(err.problems[0]?.fix).toBe('give each pattern a short name of its own, such as license-expired');
  });

  it('rejects an empty pattern', () => {
    const err = errorOf(withEntry(['name: blank', 'pattern: ""', 'cause: app-error']));
    expect(err.problems[0]?.message).toBe('patterns[1] (blank).pattern is empty, so it would match every line');
  });

  it('rejects a pattern over 500 characters', () => {
    const err = errorOf(withEntry(['name: long', `pattern: "${'a'.repeat(501)}"`, 'cause: app-error']));
    expect(err.problems[0]?.message).toBe('patterns[1] (long).pattern is 501 characters long, more than the 500 allowed');
    expect(err.problems[0]?.fix).toContain('at most 500 characters');
  });

  it('accepts a pattern of exactly 500 characters', () => {
    const loaded = parseLogPatterns(withEntry(['name: long', `pattern: "${'a'.repeat(500)}"`, 'cause: app-error']), 'p.yaml');
    expect(loaded.patterns[1]?.regex.source).toHaveLength(500);
  });

  it('rejects patterns that match the empty string', () => {
    for (const source of ['a*', 'ERR|', '\\b', '^', '(?<=ERROR)']) {
      const err = errorOf(withEntry(['name: empty', `pattern: '${source}'`, 'cause: app-error']));
      const quotedSource = JSON.stringify(source);
      expect(err.problems[0]?.message, source).toBe(
        `patterns[1] (empty).pattern is ${quotedSource}, which matches an empty string, so it would match lines without the text it names`,
      );
    }
  });

  it('rejects the g and y flags and repeated flags', () => {
    const global = errorOf(withEntry(['name: g', 'pattern: "ERR"', 'flags: gi', 'cause: app-error']));
    expect(global.problems[0]?.message).toBe('patterns[1] (g).flags is "gi", which contains g: only i, m, s are allowed');
    const repeated = errorOf(withEntry(['name: r', 'pattern: "ERR"', 'flags: ii', 'cause: app-error']));
    expect(repeated.problems[0]?.message).toBe('patterns[1] (r).flags is "ii", which repeats a flag');
  });

  it('rejects the u flag, which the linear-time engine lacks', () => {
    const err = errorOf(withEntry(['name: u', 'pattern: "ERR"', 'flags: u', 'cause: app-error']));
    expect(err.problems[0]?.message).toBe('patterns[1] (u).flags is "u", which contains u: only i, m, s are allowed');
  });

  it('rejects features without a linear-time match', () => {
    const cases = ['(a)\\1', '(?<x>a)\\k<x>', 'ERR(?=OR)', 'ERR(?!OR)', 'a{17}', 'x{2,40}', '(?i:err)'];
    for (const source of cases) {
      const err = errorOf(withEntry(['name: slow', `pattern: '${source}'`, 'cause: app-error']));
      expect(err.problems, source).toHaveLength(1);
      const problem = err.problems[0];
      expect(problem?.setting, source).toBe('patterns[1] (slow).pattern');
      expect(problem?.message, source).toContain(`${JSON.stringify(source)}, which cannot run in linear time`);
      expect(problem?.message, source).toContain('backreferences (\\1, \\k<name>), lookahead');
      expect(problem?.fix, source).toContain('leave out backreferences and lookahead');
    }
  });

  it('runs nested repeats on a long line to the end', () => {
    const loaded = parseLogPatterns(withEntry(['name: nested', "pattern: 'ERROR (a+)+$'", 'cause: app-error']), 'p.yaml');
    const nested = loaded.patterns[1];
    expect(nested?.regex.flags).toContain('l');
    const line = `ERROR ${'a'.repeat(100_000)}!`;
    // A backtracking engine tries every way to split the a's before it fails on the "!".
    expect(nested?.regex.test(line)).toBe(false);
    expect(nested?.regex.test(`ERROR ${'a'.repeat(100_000)}`)).toBe(true);
  });

  it('matches an i pattern in any case and keeps escapes', () => {
    const loaded = parseLogPatterns(
      withEntry(['name: license', "pattern: 'License\\W+Key\\s[A-Z]+D'", 'flags: i', 'cause: config-missing']),
      'p.yaml',
    );
    const license = loaded.patterns[1];
    expect(license?.regex.source).toBe('license\\W+key\\s[a-z]+d');
    const match = matchUserPatterns(loaded.patterns, ['ERROR: LICENSE - key EXPIRED today']);
    expect(match?.pattern.name).toBe('license');
    expect(match?.matched).toBe('LICENSE - key EXPIRED');
    expect(matchUserPatterns(loaded.patterns, ['license key 1xpired'])).toBeUndefined();
  });

  it('rejects a missing name with the index alone', () => {
    const err = errorOf(withEntry(['pattern: "ERR_X"', 'cause: app-error']));
    expect(err.problems[0]?.message).toBe('patterns[1].name is missing');
  });

  it('rejects unknown keys with the keys allowed', () => {
    const err = errorOf(withEntry(['name: typo', 'pattern: "ERR_X"', 'cause: app-error', 'fixx: do it']));
    expect(err.problems[0]?.message).toBe('patterns[1] (typo) has the unknown key "fixx"');
    expect(err.problems[0]?.fix).toContain('name, pattern, cause, flags, fix');
  });

  it('rejects a list at the top level', () => {
    const err = errorOf('- name: a\n  pattern: ERR\n  cause: app-error\n');
    expect(err.problems[0]?.message).toBe('The top level must be a mapping of keys to values');
    expect(err.problems[0]?.fix).toContain('start the file with "patterns:"');
  });

  it('reports every problem of the file at once', () => {
    const text = withEntry(['name: first', 'pattern: "("', 'cause: oom', 'flags: g']);
    const messages = errorOf(text).problems.map((p) => p.message);
    expect(messages).toContain('patterns[1] (first).cause is "oom", which is not a cause id');
    expect(messages).toContain('patterns[1] (first).flags is "g", which contains g: only i, m, s are allowed');
    expect(messages).toContain('patterns[1] (first).name is "first", which patterns[0] also uses');
  });

  it('reports YAML syntax errors by line', () => {
    const err = errorOf('patterns:\n  - name: [unclosed\n');
    expect(err.problems[0]?.setting).toMatch(/^line \d+, column \d+$/);
  });

  it('formats the error for the terminal with the file kind', () => {
    const err = errorOf(withEntry(['name: vendor', 'pattern: "X"', 'cause: crash']));
    expect(formatConfigError(err)).toContain('1 problem in the log patterns file patterns.yaml:');
  });
});

describe('loadLogPatterns', () => {
  it('returns no patterns without a file', () => {
    expect(loadLogPatterns(undefined)).toEqual({ patterns: [] });
  });

  it('names the setting when the file cannot be read', () => {
    let caught: unknown;
    try {
      loadLogPatterns('/nonexistent/patterns.yaml', { setting: '--log-patterns' });
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    const err = caught as ConfigError;
    expect(err.code).toBe('CONFIG_LOG_PATTERNS_UNREADABLE');
    expect(err.problems[0]?.message).toContain('The log patterns file "/nonexistent/patterns.yaml" cannot be read');
    expect(err.problems[0]?.fix).toBe('check the path in --log-patterns and that jobwatch may read the file');
  });

  it('loads the example file', () => {
    const loaded = loadLogPatterns(join(import.meta.dirname, '../../examples/log-patterns.yaml'));
    expect(loaded.patterns.length).toBeGreaterThan(0);
  });

  it('reads the file named by JOBWATCH_LOG_PATTERNS_FILE', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'jobwatch-patterns-'));
    const file = join(dir, 'patterns.yaml');
    await writeFile(file, 'patterns:\n  - name: a\n    pattern: ERR_A\n    cause: app-error\n');
    const config = loadConfig({ JOBWATCH_LOG_PATTERNS_FILE: ` ${file} ` });
    expect(config.logPatternsFile).toBe(file);
    expect(loadLogPatterns(config.logPatternsFile).patterns[0]?.name).toBe('a');
    expect(loadConfig({}).logPatternsFile).toBeUndefined();
  });
});
