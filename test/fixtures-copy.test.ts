import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { FIXTURES, FIXTURES_MANIFEST, SHARED_FIXTURES } from './support/fixtures-path.js';

/**
 * The repository's copy of the real Codex captures is checked in every clone against a committed
 * manifest of SHA-256 digests (test/fixtures/SHA256SUMS, `sha256sum -c` format, made once from the
 * shared original), and where the shared original is present (beside the project, not on GitHub),
 * against that too.
 */

const COPY = path.dirname(FIXTURES);

/** The files under `dir`, as forward-slash paths relative to it, sorted. */
function filesUnder(dir: string): string[] {
  return fs
    .readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => path.relative(dir, path.join(entry.parentPath, entry.name)).split(path.sep).join('/'))
    .sort();
}

/** The manifest's lines as `name -> digest`. */
function manifest(): Map<string, string> {
  const entries = new Map<string, string>();
  for (const line of fs.readFileSync(FIXTURES_MANIFEST, 'utf8').split('\n')) {
    if (line === '') continue;
    const match = /^([0-9a-f]{64}) {2}(.+)$/.exec(line);
    expect(match, `a manifest line that is not "<sha256>  <path>": ${JSON.stringify(line)}`).not.toBeNull();
    entries.set(match![2]!, match![1]!);
  }
  return entries;
}

const sha256 = (file: string) => createHash('sha256').update(fs.readFileSync(file)).digest('hex');

/** Files whose digest is not the manifest's, or that are missing or not in it, listed by name. */
function differences(dir: string, expected: Map<string, string>, leaveOut: string[] = []): string[] {
  const names = filesUnder(dir).filter((name) => !leaveOut.includes(name));
  const problems = names.filter((name) => !expected.has(name)).map((name) => `${name}: not in the manifest`);
  for (const [name, digest] of expected) {
    if (!names.includes(name)) problems.push(`${name}: missing`);
    else if (sha256(path.join(dir, name)) !== digest) problems.push(`${name}: its SHA-256 is not the manifest's`);
  }
  return problems;
}

describe('the repository copy of the Codex captures', () => {
  const manifestName = path.relative(COPY, FIXTURES_MANIFEST);

  it('is exactly the files of the committed SHA-256 manifest, byte for byte', () => {
    const expected = manifest();
    expect(expected.size).toBe(27);
    expect(differences(COPY, expected, [manifestName])).toEqual([]);
  });

  it.runIf(fs.existsSync(SHARED_FIXTURES))('is byte-identical to the shared original, which the manifest describes too', () => {
    expect(differences(SHARED_FIXTURES, manifest())).toEqual([]);
    const original = filesUnder(SHARED_FIXTURES);
    for (const name of original) expect(fs.readFileSync(path.join(COPY, name)).equals(fs.readFileSync(path.join(SHARED_FIXTURES, name))), name).toBe(true);
  });
});
