import { afterEach, describe, expect, it } from 'vitest';
import { isSecretEnvName, secretValuesOf } from '../src/beacon/masked-values.js';
import { redactDeep, redactSecrets, redactSecretsUnfiltered, setMaskedValues } from '../src/beacon/redact.js';
import { ORDINARY_TEXT, secretCorpus } from './support/secret-corpus.js';
import { capString, serializeWithinLimits, MAX_EVENT_BYTES } from '../src/beacon/limits.js';
import { newEvent } from '../src/beacon/envelope.js';

describe('redactSecrets', () => {
  const cases: [string, string][] = [
    ['export GITHUB_TOKEN=ghp_abcdefghijklmnopqrstuvwxyz0123456789', 'export GITHUB_TOKEN=[REDACTED]'],
    ['token ghp_abcdefghijklmnopqrstuvwxyz0123456789 here', 'token [REDACTED] here'],
    ['key is ghp_abcdefghijklmnopqrstuvwxyz0123456789.', 'key is [REDACTED].'],
    ['pat github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz', 'pat [REDACTED]'],
    ['OPENAI sk-proj-abcdefghijklmnopqrstuvwx1234', 'OPENAI [REDACTED]'],
    ['aws AKIAIOSFODNN7EXAMPLE ok', 'aws [REDACTED] ok'],
    ['curl -H "Authorization: Bearer abc.def.ghi-jkl"', 'curl -H "Authorization: Bearer [REDACTED]"'],
    ['password=hunter2 user=bob', 'password=[REDACTED] user=bob'],
    ['{"api_key": "abcd1234"}', '{"api_key": "[REDACTED]"}'],
    ['aws_secret_access_key = wJalrXUtnFEMI/K7MDENG', 'aws_secret_access_key = [REDACTED]'],
  ];
  it.each(cases)('%s', (input, expected) => {
    expect(redactSecrets(input)).toBe(expected);
  });

  it('leaves ordinary text alone', () => {
    const text = 'token_type=input max_tokens=100 echo hi; ls -la /tmp; token counting matters';
    expect(redactSecrets('echo hi && ls -la')).toBe('echo hi && ls -la');
    expect(redactSecrets('token_type=input max_tokens=100')).toBe('token_type=input max_tokens=100');
    expect(redactSecrets(text)).toBe(text);
  });

  it('redacts nested values and values under secret-named keys', () => {
    const value = { a: ['x sk-abcdefghijklmnopqrstuvwx'], b: { password: 'plain', note: 'fine' } };
    expect(redactDeep(value)).toEqual({ a: ['x [REDACTED]'], b: { password: '[REDACTED]', note: 'fine' } });
  });
});

describe('size limits', () => {
  it('caps a string with the marker and never splits a surrogate pair', () => {
    expect(capString('abcdef', 10)).toBe('abcdef');
    const capped = capString('x'.repeat(5000), 4096);
    expect(capped.length).toBe(4096);
    expect(capped.endsWith('...[truncated]')).toBe(true);
    const emoji = '😀'.repeat(3000);
    const cut = capString(emoji, 4096);
    expect(cut.endsWith('...[truncated]')).toBe(true);
    expect(Buffer.from(cut, 'utf8').toString('utf8')).toBe(cut);
  });

  it('shrinks an oversized event under 64 KiB and marks it', () => {
    const event = newEvent({ endpoint: { hostname: 'h', os: 'linux' } }, { timestamp: '2026-01-01T00:00:00Z', action: 'command.executed', category: 'command', harness: 'codex_cli' });
    event.raw = { attributes: Object.fromEntries(Array.from({ length: 100 }, (_, i) => [`k${i}`, 'v'.repeat(3000)])) };
    event.command = { command: 'c'.repeat(10_000) };
    const line = serializeWithinLimits(event);
    expect(Buffer.byteLength(line)).toBeLessThanOrEqual(MAX_EVENT_BYTES + 1);
    const parsed = JSON.parse(line);
    expect(parsed.field_truncated).toBe(true);
    expect(parsed.raw).toBeUndefined();
    expect(parsed.command.command.length).toBe(4096);
  });
});

describe('the collector\'s rules on the secret corpus', () => {
  const kinds = secretCorpus().filter((k) => k.caughtBy === 'collector');
  const instances = kinds.flatMap((k) => k.instances.map((i) => [`${k.kind} in ${i.context}`, i] as const));

  it.each(instances)('%s: redacted, and the cheap checks let it through', (_name, instance) => {
    const out = redactSecrets(instance.text);
    expect(instance.needles.filter((needle) => out.includes(needle))).toEqual([]);
    expect(out).toContain('[REDACTED]');
    expect(out).toBe(redactSecretsUnfiltered(instance.text));
  });

  it('every kind comes in several contexts', () => {
    for (const k of secretCorpus()) expect(k.instances.length, k.kind).toBeGreaterThanOrEqual(2);
    expect(kinds.length).toBeGreaterThanOrEqual(18);
  });

  it.each(ORDINARY_TEXT.map((t) => [t]))('leaves ordinary text alone: %s', (text) => {
    expect(redactSecrets(text)).toBe(text);
    expect(redactSecretsUnfiltered(text)).toBe(text);
  });

  it('keeps what is around a secret: names, quotes, schemes, hosts', () => {
    expect(redactSecrets('password: "correct horse battery staple"')).toBe('password: "[REDACTED]"');
    expect(redactSecrets("DB_PASSWORD='a b c d'")).toBe("DB_PASSWORD='[REDACTED]'");
    expect(redactSecrets('postgres://app:s3cretPass@db:5432/app')).toBe('postgres://[REDACTED]@db:5432/app');
    expect(redactSecrets('aws configure set aws_secret_access_key wJalrXUtnFEMI/K7MDENG/bPxRfiCY1EXAMPLE2')).toBe('aws configure set aws_secret_access_key [REDACTED]');
    expect(redactSecrets('mysql --password "a b" -e x')).toBe('mysql --password "[REDACTED]" -e x');
    expect(redactSecrets('token: ${{ secrets.GITHUB_TOKEN }}')).toBe('token: ${{ secrets.GITHUB_TOKEN }}');
  });

  it('redacts the values of camelCase secret keys in objects, not of keys that only look alike', () => {
    const value = { accessToken: 'abc123def456', clientSecret: 'xyz', refreshToken: 'r-1', apiKey: 'k-1', max_tokens: '100', tokenType: 'Bearer', token_type: 'input', keyboard: 'us', enabled_key: 'true' };
    expect(redactDeep(value)).toEqual({ accessToken: '[REDACTED]', clientSecret: '[REDACTED]', refreshToken: '[REDACTED]', apiKey: '[REDACTED]', max_tokens: '100', tokenType: 'Bearer', token_type: 'input', keyboard: 'us', enabled_key: 'true' });
  });
});

describe('exact values (setMaskedValues)', () => {
  afterEach(() => setMaskedValues([]));

  it('masks the run\'s values wherever they appear, as they are, JSON-escaped or URL-encoded, whatever their shape', () => {
    setMaskedValues(['plain words are 42 secret', 'quo"te\\back', 'a/b c?d=e']);
    expect(redactSecrets('echo plain words are 42 secret.')).toBe('echo [REDACTED].');
    expect(redactSecrets('{"v":"quo\\"te\\\\back"}')).toBe('{"v":"[REDACTED]"}');
    expect(redactSecrets('https://x.example/?q=a%2Fb%20c%3Fd%3De')).toBe('https://x.example/?q=[REDACTED]');
    expect(redactDeep({ note: 'x plain words are 42 secret' })).toEqual({ note: 'x [REDACTED]' });
  });

  it('leaves values shorter than 8 characters alone: a *_KEY=true must not blank every "true"', () => {
    setMaskedValues(secretValuesOf({ FEATURE_KEY: 'true', SHORT_TOKEN: 'abc', DEPLOY_TOKEN: 'deploy-value-7c1f' }));
    expect(redactSecrets('enabled: true, abc, deploy-value-7c1f')).toBe('enabled: true, abc, [REDACTED]');
  });
});

describe('secretValuesOf: what the start step masks', () => {
  it('takes the values of secret-named variables and the forward headers, the credential of `Bearer <token>` alone too', () => {
    const env = {
      OPENAI_API_KEY: 'sk-value-0123456789',
      ACTIONS_RUNTIME_TOKEN: 'runtime-token-value',
      DB_PASSWORD: 'correct horse battery',
      NPMTOKEN: 'npm-token-value-1',
      SSH_PRIVATE_KEY: '-----BEGIN OPENSSH PRIVATE KEY-----\nline-one-of-key\n-----END OPENSSH PRIVATE KEY-----',
      SSH_AUTH_SOCK: '/tmp/ssh-abc/agent.1',
      ACTIONS_ID_TOKEN_REQUEST_URL: 'https://token.example/x',
      GIT_AUTHOR_NAME: 'github-actions[bot]',
      HOME: '/home/runner',
      FEATURE_KEY: 'true',
    };
    const values = secretValuesOf(env, { Authorization: 'Bearer header-token-0123', 'X-Api-Key': 'api-key-header-9876' });
    expect(values).toEqual(expect.arrayContaining(['sk-value-0123456789', 'runtime-token-value', 'correct horse battery', 'npm-token-value-1', 'line-one-of-key', 'Bearer header-token-0123', 'header-token-0123', 'api-key-header-9876']));
    for (const kept of ['/tmp/ssh-abc/agent.1', 'https://token.example/x', 'github-actions[bot]', '/home/runner', 'true']) expect(values).not.toContain(kept);
  });

  it.each([
    ['GITHUB_TOKEN', true],
    ['AZURE_CLIENT_SECRET', true],
    ['AWS_SECRET_ACCESS_KEY', true],
    ['MY_PAT', true],
    ['GOOGLE_APPLICATION_CREDENTIALS_FILE', false],
    ['GIT_AUTHOR_EMAIL', false],
    ['KEYBOARD_LAYOUT', false],
    ['RUNNER_TEMP', false],
  ])('%s names a secret: %s', (name, expected) => {
    expect(isSecretEnvName(name)).toBe(expected);
  });
});
