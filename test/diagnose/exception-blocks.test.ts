import { describe, expect, it } from 'vitest';
import { findExceptionBlocks } from '../../src/diagnose/exception-blocks.ts';
import { readLog } from '../../src/diagnose/decisive-lines.ts';

/** Returns the lines each block points at, in the block's order. */
function blockLines(log: string[]): string[][] {
  return findExceptionBlocks(log).map((b) => b.indices.map((i) => (log[i] ?? '').trim()));
}

describe('findExceptionBlocks for the JVM', () => {
  const chained = [
    'Exception in thread "main" java.lang.IllegalStateException: job failed',
    '\tat com.example.batch.Main.main(Main.java:40)',
    'Caused by: org.springframework.dao.DataAccessResourceFailureException: could not open connection',
    '\tat org.springframework.orm.jpa.JpaTransactionManager.doBegin(JpaTransactionManager.java:467)',
    '\t... 3 more',
    'Caused by: org.postgresql.util.PSQLException: FATAL: database "reports" does not exist',
    '\tat org.postgresql.core.v3.ConnectionFactoryImpl.doAuthentication(ConnectionFactoryImpl.java:646)',
    '\tat org.postgresql.Driver.connect(Driver.java:298)',
    '\t... 12 more',
  ];

  it('puts the last Caused by first and quotes the frame that threw it', () => {
    const [lines] = blockLines(chained);
    expect(lines?.[0]).toBe('Caused by: org.postgresql.util.PSQLException: FATAL: database "reports" does not exist');
    expect(lines).toContain('Exception in thread "main" java.lang.IllegalStateException: job failed');
    expect(lines).toContain('at org.postgresql.core.v3.ConnectionFactoryImpl.doAuthentication(ConnectionFactoryImpl.java:646)');
    expect(lines).not.toContain('Caused by: org.springframework.dao.DataAccessResourceFailureException: could not open connection');
  });

  it('ignores a later unrelated Caused by', () => {
    const log = [
      'java.lang.IllegalArgumentException: batch size must be positive',
      '\tat com.example.batch.Config.validate(Config.java:12)',
      '2024-05-01 10:00:01 INFO shutting down',
      'Caused by: note printed by a wrapper script',
    ];
    const [lines] = blockLines(log);
    expect(lines?.[0]).toBe('java.lang.IllegalArgumentException: batch size must be positive');
    expect(lines).not.toContain('Caused by: note printed by a wrapper script');
  });

  it('follows a Caused by message over several lines to its frame', () => {
    const log = [
      'org.flywaydb.core.internal.exception.FlywaySqlException: Unable to obtain connection',
      '\tat org.flywaydb.core.internal.jdbc.JdbcUtils.openConnection(JdbcUtils.java:60)',
      'Caused by: java.sql.SQLException: Access denied',
      'SQL State  : 28000',
      '\tat com.mysql.cj.jdbc.exceptions.SQLError.createSQLException(SQLError.java:129)',
    ];
    const [lines] = blockLines(log);
    expect(lines?.[0]).toBe('Caused by: java.sql.SQLException: Access denied');
    expect(lines).toContain('at com.mysql.cj.jdbc.exceptions.SQLError.createSQLException(SQLError.java:129)');
  });
});

describe('findExceptionBlocks for Rust', () => {
  const backtrace = (frames: string[]) => [
    "thread 'main' panicked at src/load.rs:31:10:",
    'called `Option::unwrap()` on a `None` value',
    'stack backtrace:',
    ...frames,
    'note: Some details are omitted, run with `RUST_BACKTRACE=full` for a verbose backtrace.',
  ];

  it('quotes the first frame of the crate that owns main', () => {
    const log = backtrace([
      '   0: rust_begin_unwind',
      '   1:     0x55d0c1a2b3c4 - core::panicking::panic_fmt::h1a2b3c4d5e6f7a8b',
      '   2:     0x55d0c1a2b3d5 - serde_json::de::from_str::h2b3c4d5e6f7a8b9c',
      '   3:     0x55d0c1a2b3e6 - exporter::load::read_manifest::h3c4d5e6f7a8b9c0d',
      '   4:     0x55d0c1a2b3f7 - exporter::main::h4d5e6f7a8b9c0d1e',
      '   5:     0x55d0c1a2b408 - std::rt::lang_start::{{closure}}::h5e6f7a8b9c0d1e2f',
    ]);
    const [lines] = blockLines(log);
    expect(lines).toEqual([
      "thread 'main' panicked at src/load.rs:31:10:",
      'called `Option::unwrap()` on a `None` value',
      '3:     0x55d0c1a2b3e6 - exporter::load::read_manifest::h3c4d5e6f7a8b9c0d',
    ]);
  });

  it('skips std and core frames without main', () => {
    const log = backtrace([
      '   0:     0x55d0c1a2b3c4 - std::panicking::begin_panic_handler::h0a1b2c3d4e5f6a7b',
      '   1:     0x55d0c1a2b3d5 - core::result::unwrap_failed::h1b2c3d4e5f6a7b8c',
      '   2:     0x55d0c1a2b3e6 - worker::queue::drain::h2c3d4e5f6a7b8c9d',
    ]);
    expect(blockLines(log)[0]).toContain('2:     0x55d0c1a2b3e6 - worker::queue::drain::h2c3d4e5f6a7b8c9d');
  });
});

describe('findExceptionBlocks for Ruby', () => {
  it('reads a Rake abort with its first frame and the exception it wraps', () => {
    const log = [
      'rake aborted!',
      'ActiveRecord::NoDatabaseError: FATAL:  database "app_production" does not exist',
      "/app/vendor/bundle/gems/activerecord-7.0.4/lib/active_record/connection_adapters/postgresql_adapter.rb:81:in `rescue in new_client'",
      "/app/vendor/bundle/gems/rake-13.0.6/exe/rake:27:in `<top (required)>'",
      '',
      'Caused by:',
      'PG::ConnectionBad: FATAL:  database "app_production" does not exist',
      "/app/vendor/bundle/gems/pg-1.4.5/lib/pg/connection.rb:637:in `async_connect_or_reset'",
      'Tasks: TOP => db:migrate',
      '(See full trace by running task with --trace)',
    ];
    expect(blockLines(log)[0]).toEqual([
      'PG::ConnectionBad: FATAL:  database "app_production" does not exist',
      'ActiveRecord::NoDatabaseError: FATAL:  database "app_production" does not exist',
      "/app/vendor/bundle/gems/activerecord-7.0.4/lib/active_record/connection_adapters/postgresql_adapter.rb:81:in `rescue in new_client'",
    ]);
  });

  it('reads an uncaught exception with its class suffix when Rake is not involved', () => {
    const log = [
      "/app/bin/sync.rb:8:in `fetch': 404 Not Found (OpenURI::HTTPError)",
      "\tfrom /app/bin/sync.rb:20:in `<main>'",
    ];
    expect(blockLines(log)[0]).toEqual(["/app/bin/sync.rb:8:in `fetch': 404 Not Found (OpenURI::HTTPError)"]);
  });
});

describe('findExceptionBlocks for Go, Node.js and shells', () => {
  it('reads a Go panic with the frame under goroutine N [running]', () => {
    const log = ['panic: assignment to entry in nil map', '', 'goroutine 1 [running]:', 'main.record(...)', '\t/src/main.go:17 +0x45'];
    expect(blockLines(log)[0]).toEqual(['panic: assignment to entry in nil map', 'main.record(...)', '/src/main.go:17 +0x45']);
  });

  it('reads a Node.js error with its first at frame', () => {
    const log = ["RangeError: Invalid array length", '    at build (/app/dist/report.js:44:17)', '    at main (/app/dist/index.js:9:3)'];
    expect(blockLines(log)[0]).toEqual(['RangeError: Invalid array length', 'at build (/app/dist/report.js:44:17)']);
  });

  it('reads a bash error with its line number', () => {
    const log = ['+ ./export.sh', '/usr/local/bin/run.sh: line 12: pg_dump: command not found'];
    expect(blockLines(log)[0]).toEqual(['/usr/local/bin/run.sh: line 12: pg_dump: command not found']);
  });
});

describe('readLog after a recovered dependency', () => {
  it('names the later fatal error, not the connection that was retried', () => {
    const log = [
      'wait-for-it.sh: waiting 60 seconds for db:5432',
      'psql: error: connection to server at "db" (10.96.4.2), port 5432 failed: Connection refused',
      'wait-for-it.sh: db:5432 is available after 9 seconds',
      'Running migrations:',
      'Traceback (most recent call last):',
      '  File "/app/manage.py", line 22, in <module>',
      'django.db.utils.ProgrammingError: relation "billing_invoice" already exists',
    ].join('\n');
    const reading = readLog(log);
    expect(reading.headline).toBe('django.db.utils.ProgrammingError: relation "billing_invoice" already exists');
    expect(reading.lines.join('\n')).not.toContain('Connection refused');
  });

  it('keeps the connection error when nothing shows the program got past it', () => {
    const log = ['connecting to db:5432', 'psql: error: connection to server at "db", port 5432 failed: Connection refused'].join('\n');
    expect(readLog(log).lines).toContain('psql: error: connection to server at "db", port 5432 failed: Connection refused');
  });
});
