import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { FIXTURES, SHARED_FIXTURES } from './support/fixtures-path.js';

function filesUnder(dir: string): string[] {
  return fs.readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => path.relative(dir, path.join(entry.parentPath, entry.name)))
    .sort();
}

describe.runIf(fs.existsSync(SHARED_FIXTURES))('the repository copy of the Codex captures', () => {
  it('is byte-identical to the shared original', () => {
    const copy = path.dirname(FIXTURES);
    const names = filesUnder(SHARED_FIXTURES);
    expect(filesUnder(copy)).toEqual(names);
    expect(names.length).toBe(27);
    for (const name of names) expect(fs.readFileSync(path.join(copy, name)).equals(fs.readFileSync(path.join(SHARED_FIXTURES, name))), name).toBe(true);
  });
});
