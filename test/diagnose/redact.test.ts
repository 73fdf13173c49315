import { describe, expect, it } from 'vitest';
import { redactText, secretEnvNames } from '../../src/diagnose/redact.ts';
import type { V1Pod } from '@kubernetes/client-node';

// Every value below is a made-up credential in a real format.
const SECRETS = {
  slackBot: 'xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx',
  slackApp: 'xapp-1-A0123456789-1234567890123-abcdef0123456789',
  githubPat: 'ghp_aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789',
  githubFine: 'github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz',
  awsKeyId: 'AKIAIOSFODNN7EXAMPLE',
  awsSecret: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
  googleKey: 'AIzaSyA1234567890abcdefghijklmnopqrstuv',
  bearer: 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U',
  dbPassword: 'Sup3r-S3cret!',
  queryToken: 'q7t0k3nvalue',
  jsonSecret: 'js0nS3cretValue',
  pemBody: 'MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7',
  envFromSecret: 'plain-looking-value-42',
};

const FIXTURE = [
  `slack: ${SECRETS.slackBot} and ${SECRETS.slackApp}`,
  `git clone https://x:${SECRETS.githubPat}@github.com/org/repo`,
  `GITHUB_TOKEN=${SECRETS.githubFine}`,
  `aws_access_key_id=${SECRETS.awsKeyId}`,
  `aws_secret_access_key = ${SECRETS.awsSecret}`,
  `AWS_SECRET_ACCESS_KEY=${SECRETS.awsSecret}`,
  `GET https://maps.example.test/api?key=${SECRETS.googleKey}`,
  `Authorization: Bearer ${SECRETS.bearer}`,
  `jwt=${SECRETS.bearer}`,
  `connecting to postgres://app:${SECRETS.dbPassword}@db:5432/app`,
  `GET /export?user=ops&token=${SECRETS.queryToken}&page=2`,
  `{"user":"ops","client_secret":"${SECRETS.jsonSecret}","retries":3}`,
  `DB_PASSWORD=${SECRETS.dbPassword}`,
  '-----BEGIN RSA PRIVATE KEY-----',
  SECRETS.pemBody,
  'AAAAB3NzaC1yc2EAAAADAQABAAABAQ',
  '-----END RSA PRIVATE KEY-----',
  `REPORT_KEY=${SECRETS.envFromSecret}`,
].join('\n');

describe('redactText', () => {
  it('leaves no secret of the fixture in the output', () => {
    const out = redactText(FIXTURE, { secretEnvNames: ['REPORT_KEY'] });
    for (const [name, value] of Object.entries(SECRETS)) {
      expect(out, name).not.toContain(value);
    }
  });

  it('keeps masked text readable', () => {
    const out = redactText(FIXTURE, { secretEnvNames: ['REPORT_KEY'] });
    expect(out).toContain('postgres://app:****@db:5432/app');
    expect(out).toContain('token=****&page=2');
    expect(out).toContain('"client_secret":"****"');
    expect(out).toContain('Authorization: Bearer ****');
    expect(out).toContain('xoxb-****');
    expect(out).toContain('AKIA****');
    expect(out).toContain('-----BEGIN RSA PRIVATE KEY-----\n****\n-----END RSA PRIVATE KEY-----');
    expect(out).toContain('REPORT_KEY=****');
  });

  it('masks a private key block cut off before its end line', () => {
    const out = redactText(`key:\n-----BEGIN PRIVATE KEY-----\n${SECRETS.pemBody}\nMORE`);
    expect(out).not.toContain(SECRETS.pemBody);
  });

  it('keeps ordinary text as it is', () => {
    const ordinary = [
      'Traceback (most recent call last):',
      '  File "/app/main.py", line 12, in <module>',
      'psycopg2.OperationalError: FATAL:  password authentication failed for user "app"',
      'GET https://api.example.test/v1/items?page=2&limit=50',
      'Fatal: wrong password or no key found',
      'Please set the password in the settings page.',
      'max_tokens=512 temperature=0.2',
      'failed to resolve reference: may require authorization: authorization failed: no basic auth credentials',
    ].join('\n');
    expect(redactText(ordinary)).toBe(ordinary);
  });

  it('strips terminal escapes and control characters but keeps newlines and tabs', () => {
    const out = redactText('\x1b[31mERROR\x1b[0m\tboom\r\n\x00next\x07 line\x1b]0;title\x07');
    expect(out).toBe('ERROR\tboom\nnext line');
  });

  it('changes nothing when run twice', () => {
    const once = redactText(FIXTURE, { secretEnvNames: ['REPORT_KEY'] });
    expect(redactText(once, { secretEnvNames: ['REPORT_KEY'] })).toBe(once);
  });
});

describe('secretEnvNames', () => {
  const pod: V1Pod = {
    spec: {
      initContainers: [{ name: 'init', env: [{ name: 'INIT_PASS', valueFrom: { secretKeyRef: { name: 's', key: 'p' } } }] }],
      containers: [
        {
          name: 'app',
          env: [
            { name: 'DB_URL', valueFrom: { secretKeyRef: { name: 'db', key: 'url' } } },
            { name: 'LOG_LEVEL', value: 'info' },
            { name: 'MODE', valueFrom: { configMapKeyRef: { name: 'c', key: 'mode' } } },
          ],
          envFrom: [{ secretRef: { name: 'bulk' } }],
        },
        { name: 'side', env: [{ name: 'DB_URL', valueFrom: { secretKeyRef: { name: 'db', key: 'url' } } }] },
      ],
    },
  };

  it('lists secretKeyRef variables of every container and init container', () => {
    expect(secretEnvNames(pod)).toEqual(['DB_URL', 'INIT_PASS']);
  });

  it('accepts a pod spec as well as a pod', () => {
    expect(secretEnvNames(pod.spec!)).toEqual(['DB_URL', 'INIT_PASS']);
  });

  it('returns nothing for a pod without a spec', () => {
    expect(secretEnvNames({})).toEqual([]);
  });
});
