import { describe, expect, it } from 'vitest';
import { decisiveLines, readLog } from '../../src/diagnose/decisive-lines.ts';
import { classifyLog } from '../../src/diagnose/log-patterns.ts';

const lines = (...parts: string[]) => parts.join('\n');

describe('decisiveLines per language', () => {
  it('takes the last Python exception, its message continuation and final frame', () => {
    const log = lines(
      'Traceback (most recent call last):',
      '  File "/app/a.py", line 1, in <module>',
      'ValueError: first',
      'During handling of the above exception, another exception occurred:',
      'Traceback (most recent call last):',
      '  File "/app/b.py", line 9, in load',
      '    conn = connect()',
      'psycopg2.OperationalError: could not connect to server: Connection refused',
      '\tIs the server running on host "db" and accepting',
      '\tTCP/IP connections on port 5432?',
    );
    const out = decisiveLines(log);
    expect(out).toContain('psycopg2.OperationalError: could not connect to server: Connection refused');
    expect(out).toContain('TCP/IP connections on port 5432?');
    expect(out).toContain('File "/app/b.py", line 9, in load');
    expect(out).not.toContain('ValueError: first');
  });

  it('takes a Java exception header and its root cause', () => {
    const log = lines(
      'Exception in thread "main" java.lang.IllegalStateException: boot failed',
      '\tat com.example.App.main(App.java:10)',
      'Caused by: java.net.UnknownHostException: db.internal',
      '\tat java.net.InetAddress.getByName(InetAddress.java:1)',
    );
    const out = decisiveLines(log);
    expect(out[0]).toBe('Exception in thread "main" java.lang.IllegalStateException: boot failed');
    expect(out).toContain('Caused by: java.net.UnknownHostException: db.internal');
    expect(readLog(log).headline).toBe('Caused by: java.net.UnknownHostException: db.internal');
  });

  it('takes a Go panic with its signal line and first frame', () => {
    const log = lines(
      'starting',
      'panic: runtime error: index out of range [3] with length 3',
      '',
      'goroutine 1 [running]:',
      'main.parse(...)',
      '\t/src/main.go:42 +0x1d',
    );
    expect(decisiveLines(log)).toEqual([
      'panic: runtime error: index out of range [3] with length 3',
      'main.parse(...)',
      '/src/main.go:42 +0x1d',
    ]);
  });

  it('takes a Node.js error with its first frame', () => {
    const log = lines('listening', 'TypeError: Cannot read properties of undefined (reading \'id\')', '    at handler (/app/index.js:5:10)', '    at next (/app/lib.js:1:1)');
    expect(decisiveLines(log)).toEqual(["TypeError: Cannot read properties of undefined (reading 'id')", 'at handler (/app/index.js:5:10)']);
  });

  it('takes a Rust panic with its message on the next line', () => {
    const log = lines("thread 'main' panicked at src/main.rs:7:5:", 'called `Result::unwrap()` on an `Err` value: NotFound', 'note: run with `RUST_BACKTRACE=1`');
    const out = decisiveLines(log);
    expect(out).toContain("thread 'main' panicked at src/main.rs:7:5:");
    expect(out).toContain('called `Result::unwrap()` on an `Err` value: NotFound');
  });

  it('takes a Ruby error line', () => {
    const log = lines('loading', "/app/job.rb:12:in `run': undefined method `name' for nil (NoMethodError)", '\tfrom /app/job.rb:3:in `<main>\'');
    expect(decisiveLines(log)).toContain("/app/job.rb:12:in `run': undefined method `name' for nil (NoMethodError)");
  });

  it('takes a shell error', () => {
    expect(decisiveLines('+ ./migrate\n/bin/sh: 1: ./migrate: not found\n')).toEqual(['/bin/sh: 1: ./migrate: not found']);
  });

  it('leaves out errors followed by a recovery', () => {
    const log = lines('ERROR cannot reach broker, retrying', 'connected to broker', 'FATAL: schema mismatch in topic orders');
    expect(decisiveLines(log)).toEqual(['FATAL: schema mismatch in topic orders']);
  });

  it('falls back to the last lines of a log without errors', () => {
    const reading = readLog('step 1\nstep 2\nstep 3\nstep 4\n');
    expect(reading.fromErrors).toBe(false);
    expect(reading.lines).toEqual(['step 2', 'step 3', 'step 4']);
  });

  it('returns at most maxLines lines', () => {
    const log = Array.from({ length: 20 }, (_, i) => `ERROR step ${String.fromCharCode(97 + i)} failed`).join('\n');
    expect(decisiveLines(log, { maxLines: 3 })).toEqual(['ERROR step r failed', 'ERROR step s failed', 'ERROR step t failed']);
  });

  it('keeps one copy of lines that differ only in numbers', () => {
    const log = Array.from({ length: 5 }, (_, i) => `ERROR item ${i} failed`).join('\n');
    expect(decisiveLines(log)).toEqual(['ERROR item 4 failed']);
  });

  it('strips terminal colours', () => {
    expect(decisiveLines('\x1b[31mERROR\x1b[0m disk full')).toEqual(['ERROR disk full']);
  });
});

describe('classifyLog', () => {
  it.each([
    ["python: can't open file '/app/x.py': [Errno 2] No such file or directory", 'command-invalid'],
    ['exec /bin/app: exec format error', 'image-invalid'],
    ['dial tcp: lookup db on 10.96.0.10:53: no such host', 'dependency-unavailable'],
    ['Error: P1001: Can\'t reach database server at `db`:`5432`', 'dependency-unavailable'],
    ['An error occurred (AccessDenied) when calling the PutObject operation: Access Denied', 'permission-denied'],
    ['open /data/out.csv: permission denied', 'permission-denied'],
    ['error: required environment variable API_URL is missing', 'config-missing'],
  ])('classifies %s', (line, cause) => {
    expect(classifyLog([line])?.cause).toBe(cause);
  });

  it('leaves an ordinary application error unclassified', () => {
    expect(classifyLog(["KeyError: 'unknown lr scheduler'"])).toBeUndefined();
  });

  it('treats a missing Node.js entry script as a command problem', () => {
    const text = "Error: Cannot find module '/app/dist/main.js'\n    at Module._resolveFilename (node:internal/modules/cjs/loader:1)\n  code: 'MODULE_NOT_FOUND',\n  requireStack: []\n";
    expect(classifyLog(["Error: Cannot find module '/app/dist/main.js'"], text)?.cause).toBe('command-invalid');
  });
});
