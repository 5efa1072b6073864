import { describe, expect, it } from 'vitest';
import { redactDeep, redactSecrets } from '../src/beacon/redact.js';
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
    ['curl -H "Authorization: Bearer abc.def.ghi-jkl"', 'curl -H "Authorization: [REDACTED]"'],
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
