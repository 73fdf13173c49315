import { describe, expect, it } from 'vitest';
import { redactText } from '../../src/diagnose/redact.ts';

// Every value below is a made-up credential in a real format.
const PASSWORD = 'hunter2-Zq81x';
const TOKEN = 'ghp_R8c2LkQw9ZtYb4NsXvA1mJdE7uHoPfG3iK5e';
const JWT =
  'eyJhbGciOiJSUzI1NiIsImtpZCI6IjdGRjIifQ.eyJpc3MiOiJrdWJlcm5ldGVzL3NlcnZpY2VhY2NvdW50Iiwic3ViIjoiam9iLXJ1bm5lciJ9.c2lnbmF0dXJlLWJ5dGVzLWhlcmUtMTIzNDU2Nzg5MA';
const PEM_LINES = [
  'MIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gun',
  'VTLw7onLRnrq0/IzW7yWR7QkrmBL7jTKEn5u+qKhbwKfBstIs+bMY2Zkp18gnTxK',
];

function b64(text: string): string {
  return Buffer.from(text).toString('base64');
}

describe('redactText across lines', () => {
  it('masks a PEM key whose lines carry log prefixes', () => {
    const log = [
      '2026-03-02T10:00:01.120Z stdout F writing deploy key',
      '2026-03-02T10:00:01.121Z stdout F -----BEGIN RSA PRIVATE KEY-----',
      `2026-03-02T10:00:01.121Z stdout F ${PEM_LINES[0]}`,
      `2026-03-02T10:00:01.121Z stdout F ${PEM_LINES[1]}`,
      '2026-03-02T10:00:01.122Z stdout F -----END RSA PRIVATE KEY-----',
      '2026-03-02T10:00:01.130Z stdout F ssh: handshake failed',
    ].join('\n');
    const out = redactText(log);
    for (const line of PEM_LINES) expect(out).not.toContain(line);
    expect(out).toContain('ssh: handshake failed');
  });

  it('masks the pieces of a token wrapped onto the next lines', () => {
    const out = redactText(`token=${JWT.slice(0, 60)}\n${JWT.slice(60, 120)}\n${JWT.slice(120)}\nnext step`);
    expect(out).toBe('token=****\n****\n****\nnext step');
  });

  it('masks a known token whose prefix alone is too short to recognize', () => {
    const out = redactText(`cloning with ${TOKEN.slice(0, 12)}\n${TOKEN.slice(12)}\ndone`);
    expect(out).not.toContain(TOKEN.slice(12));
    expect(out).toContain('cloning with ghp_****');
    expect(out).toContain('done');
  });

  it('masks a YAML secret value on the line after its key', () => {
    const out = redactText(`database:\n  password:\n    ${PASSWORD}\n  host: db.internal`);
    expect(out).toBe('database:\n  password:\n    ****\n  host: db.internal');
  });

  it('masks a YAML block scalar under a secret key', () => {
    const out = redactText(`api_key: |\n  ${PASSWORD}\n  second-line-${PASSWORD}\nretries: 3`);
    expect(out).toBe('api_key: |\n  ****\n  ****\nretries: 3');
  });

  it('masks every data value of an echoed Secret manifest', () => {
    const yaml = ['apiVersion: v1', 'data:', `  phrase: ${b64('correct horse battery')}`, `  user: ${b64('svc-orders')}`, 'kind: Secret', 'metadata:', '  name: orders-db'].join('\n');
    const out = redactText(yaml);
    expect(out).toContain('  phrase: ****\n  user: ****\nkind: Secret');
    expect(out).toContain('name: orders-db');
  });

  it('masks the data of a Secret printed as JSON', () => {
    const json = `{"apiVersion":"v1","data":{"phrase":"${b64('correct horse battery')}"},"kind":"Secret"}\nnext`;
    expect(redactText(json)).toBe('{"apiVersion":"v1","data":{"phrase":"****"},"kind":"Secret"}\nnext');
  });

  it('keeps the data of a ConfigMap', () => {
    const yaml = 'apiVersion: v1\ndata:\n  mode: fast\n  workers: "4"\nkind: ConfigMap';
    expect(redactText(yaml)).toBe(yaml);
  });

  it('masks a pod spec env entry with a secret name in YAML and JSON', () => {
    const yaml = `    - name: DB_PASSWORD\n      value: ${PASSWORD}\n    - name: LOG_LEVEL\n      value: debug`;
    expect(redactText(yaml)).toBe('    - name: DB_PASSWORD\n      value: ****\n    - name: LOG_LEVEL\n      value: debug');
    const json = `{"name":"STRIPE_SECRET_KEY","value":"${PASSWORD}"},{"name":"REGION","value":"eu-west-1"}`;
    expect(redactText(json)).toBe('{"name":"STRIPE_SECRET_KEY","value":"****"},{"name":"REGION","value":"eu-west-1"}');
  });
});

describe('redactText on encoded secrets', () => {
  it('masks percent-encoded assignments and URLs', () => {
    const out = redactText(`GET /login?next=%2Fhome&q=password%3D${PASSWORD}%26user%3Dops HTTP/1.1`);
    expect(out).not.toContain(PASSWORD);
    expect(out).toContain('password=****');
    const url = redactText(`redirect=https%3A%2F%2Fdeploy%3A${PASSWORD}%40git.example.com%2Frepo`);
    expect(url).toBe('redirect=https://deploy:****@git.example.com/repo');
  });

  it('masks a twice percent-encoded secret', () => {
    expect(redactText(`q=token%253D${PASSWORD}`)).not.toContain(PASSWORD);
  });

  it('masks base64 of user and password', () => {
    const out = redactText(`sending header X-Forwarded-Auth ${b64(`deploy:${PASSWORD}`)} to upstream`);
    expect(out).toBe('sending header X-Forwarded-Auth **** to upstream');
  });

  it('masks base64 of a known token format and of a Docker config', () => {
    expect(redactText(`GIT_AUTH=${b64(TOKEN)}`)).not.toContain(b64(TOKEN));
    const docker = b64(`{"auths":{"registry.example.com":{"auth":"${b64(`ci:${PASSWORD}`)}"}}}`);
    expect(redactText(`.dockerconfigjson: ${docker}`)).toBe('.dockerconfigjson: ****');
  });

  it('masks the base64 and encoded forms of a value found in clear', () => {
    const out = redactText(`DB_PASSWORD=${PASSWORD}\nretrying with ${b64(PASSWORD)}\nurl ${encodeURIComponent(`${PASSWORD}&`)}`);
    expect(out).not.toContain(PASSWORD);
    expect(out).not.toContain(b64(PASSWORD));
  });
});

describe('redactText on structured logs', () => {
  it('masks secrets in JSON log records, nested and escaped', () => {
    const lines = [
      `{"level":"error","msg":"login failed","password":"${PASSWORD}"}`,
      `{"req":{"headers":{"Authorization":"Basic ${b64(`ops:${PASSWORD}`)}","accept":"*/*"}}}`,
      `{"msg":"config loaded","raw":"{\\"db\\":{\\"password\\":\\"${PASSWORD}\\"}}"}`,
      `{"msg":"{\\\\\\"api_key\\\\\\":\\\\\\"${PASSWORD}\\\\\\"}"}`,
    ];
    for (const line of lines) expect(redactText(line), line).not.toContain(PASSWORD);
    expect(redactText(lines[1]!)).toContain('"Authorization":"Basic ****"');
  });

  it('masks connection strings and headers quoted in stack traces', () => {
    const trace = [
      'Exception in thread "main" org.postgresql.util.PSQLException: FATAL: password authentication failed',
      `Caused by: java.sql.SQLException: jdbc:mysql://db:3306/app?user=app&password=${PASSWORD}&useSSL=true`,
      `System.Data.SqlClient.SqlException: Login failed; Server=db;Database=app;User Id=sa;Password=${PASSWORD};`,
      `redis.exceptions.AuthenticationError: redis://:${PASSWORD}@cache:6379/0`,
      `requests.exceptions.HTTPError: 401 for headers {'Authorization': 'Basic ${b64(`ops:${PASSWORD}`)}', 'Accept': '*/*'}`,
      `    at Client.connect (mongodb+srv://orders:${PASSWORD}@cluster0.example.net/db)`,
    ].join('\n');
    const out = redactText(trace);
    expect(out).not.toContain(PASSWORD);
    expect(out).not.toContain(b64(`ops:${PASSWORD}`));
    expect(out).toContain('FATAL: password authentication failed');
    expect(out).toContain('redis://:****@cache:6379/0');
  });

  it('masks env dump lines whose name says secret', () => {
    const dump = [
      'HOSTNAME=report-7f9c4-x2k8q',
      'PWD=/app',
      `SIGNING_KEY=${PASSWORD}`,
      `export GITLAB_TOKEN="${PASSWORD}"`,
      `declare -x SMTP_PASSWORD="${PASSWORD}"`,
      'KUBERNETES_SERVICE_HOST=10.96.0.1',
    ].join('\n');
    expect(redactText(dump)).toBe(
      [
        'HOSTNAME=report-7f9c4-x2k8q',
        'PWD=/app',
        'SIGNING_KEY=****',
        'export GITLAB_TOKEN="****"',
        'declare -x SMTP_PASSWORD="****"',
        'KUBERNETES_SERVICE_HOST=10.96.0.1',
      ].join('\n'),
    );
  });

  it('masks a value of a Secret-filled variable wherever it appears', () => {
    const log = `ORDERS_DB_PHRASE=${PASSWORD}\nconnecting as orders with ${PASSWORD}`;
    expect(redactText(log, { secretEnvNames: ['ORDERS_DB_PHRASE'] })).toBe('ORDERS_DB_PHRASE=****\nconnecting as orders with ****');
  });

  it('masks a termination message that quotes a credential', () => {
    const message = `migration failed: dial postgres://migrator:${PASSWORD}@db:5432/app: connection refused`;
    expect(redactText(message)).toBe('migration failed: dial postgres://migrator:****@db:5432/app: connection refused');
  });
});

describe('redactText keeps identifiers readable', () => {
  const ordinary = [
    'HEAD is now at 9fceb02d0ae598e95dc970b74767f19372d61af8 Bump chart version',
    'pod uid 3f2c9a7e-1b4d-4e8f-9c2a-7d6e5f4a3b21 resourceVersion 48213377',
    'Pulling image "registry.example.com/team/app@sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"',
    `payload ${b64('{"event":"rollup","rows":1200,"ok":true}')}`,
    `note ${b64('The quick brown fox jumps over the lazy dog')}`,
    'commit: 5d41402abc4b2a76b9719d911017c592 tree: 2fd4e1c67a2d28fced849ee1bb76e7391b93eb12',
    'kubectl.kubernetes.io/last-applied-configuration: batch.kubernetes.io/controller-uid',
    'ERROR: token expired, please log in again',
    'password: must be at least 12 characters',
    'Downloaded https://repo.maven.apache.org/maven2/org/slf4j/slf4j-api/2.0.9/slf4j-api-2.0.9.jar',
    'progress=50%25 done; url=https://example.com/a%20b',
  ].join('\n');

  it('leaves commit hashes, UUIDs, digests and plain base64 as they are', () => {
    expect(redactText(ordinary)).toBe(ordinary);
  });

  it('masks the same input the same way every time', () => {
    const mixed = `${ordinary}\nDB_PASSWORD=${PASSWORD}\n${b64(`a:${PASSWORD}`)}`;
    expect(redactText(mixed)).toBe(redactText(mixed));
    expect(redactText(redactText(mixed))).toBe(redactText(mixed));
  });
});

describe('redactText on the end of a cut log', () => {
  it('masks key lines above an END line without BEGIN', () => {
    const tail = `${PEM_LINES[0]}\n${PEM_LINES[1]}\n-----END RSA PRIVATE KEY-----\nssh: handshake failed`;
    expect(redactText(tail)).toBe('****\n-----END RSA PRIVATE KEY-----\nssh: handshake failed');
  });
});
