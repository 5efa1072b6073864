import path from 'node:path';

/**
 * The real Codex CLI captures (request bodies exactly as Codex 0.169.0 posted them). A verbatim
 * copy of the project's shared fixtures lives in the repository so that the tests also run where
 * the shared folder is not (the GitHub workflows); `test/fixtures-copy.test.ts` proves the copy is
 * what the committed manifest of SHA-256 digests lists, and byte-identical to the shared original
 * wherever that is present. Never edit either.
 */
export const FIXTURES = path.resolve(import.meta.dirname, '..', 'fixtures', 'codex-0.169.0');

/** The SHA-256 digests of every file of the copy (`sha256sum -c` format), made from the shared original. */
export const FIXTURES_MANIFEST = path.resolve(import.meta.dirname, '..', 'fixtures', 'SHA256SUMS');

/** The shared original, beside the project's root (absent on GitHub). */
export const SHARED_FIXTURES = path.resolve(import.meta.dirname, '..', '..', '..', 'shared', 'fixtures');
