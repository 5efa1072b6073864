import path from 'node:path';

/**
 * The real Codex CLI captures (request bodies exactly as Codex 0.169.0 posted them). A verbatim
 * copy of the project's shared fixtures lives in the repository so that the tests also run where
 * the shared folder is not (the GitHub workflows); `test/fixtures-copy.test.ts` proves the copy is
 * byte-identical to the shared original wherever that is present. Never edit either.
 */
export const FIXTURES = path.resolve(import.meta.dirname, '..', 'fixtures', 'codex-0.169.0');

/** The shared original, beside the project's root (absent on GitHub). */
export const SHARED_FIXTURES = path.resolve(import.meta.dirname, '..', '..', '..', 'shared', 'fixtures');
