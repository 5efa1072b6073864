// `npm run test:codex-latest`: the end-to-end tests (`npm run test:e2e`) against the newest
// @openai/codex on the npm registry instead of the version package.json pins.
//
// The newest Codex is installed into a folder of its own, node_modules/.cache/beacon-codex-latest
// (kept between runs, so a second run only checks for a newer release; `npm ci` removes it), never
// over node_modules/@openai/codex: the working tree's pinned install stays as it is. The tests find
// that Codex through BEACON_CODEX_PACKAGE_DIR (test/support/codex-cli.ts, codexBinary()).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(import.meta.dirname, '..');
const FOLDER = path.join(ROOT, 'node_modules', '.cache', 'beacon-codex-latest');
const PACKAGE_DIR = path.join(FOLDER, 'node_modules', '@openai', 'codex');

const versionIn = (packageDir) => JSON.parse(fs.readFileSync(path.join(packageDir, 'package.json'), 'utf8')).version;

/** npm in `cwd` (no path among the arguments: on Windows npm is npm.cmd, which only a shell runs, and a shell would split a path with spaces). */
function npm(cwd, args, env = {}) {
  const result = spawnSync('npm', args, { cwd, stdio: 'inherit', shell: process.platform === 'win32', env: { ...process.env, npm_config_update_notifier: 'false', ...env } });
  if (result.error) throw result.error;
  return result.status ?? 1;
}

fs.mkdirSync(FOLDER, { recursive: true });
// A package.json of its own makes the folder its own npm project: npm installs there, as with --prefix.
const manifest = path.join(FOLDER, 'package.json');
if (!fs.existsSync(manifest)) fs.writeFileSync(manifest, `${JSON.stringify({ name: 'beacon-codex-latest', private: true }, null, 2)}\n`);

console.log(`Installing @openai/codex@latest into ${FOLDER} ...`);
const installed = npm(FOLDER, ['install', '--no-audit', '--no-fund', '--no-package-lock', '@openai/codex@latest']);
if (installed !== 0) {
  console.error('npm install @openai/codex@latest failed: the npm registry must be reachable.');
  process.exit(installed);
}

const pinned = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')).devDependencies['@openai/codex'];
console.log(`End-to-end tests with @openai/codex ${versionIn(PACKAGE_DIR)} (package.json pins ${pinned}), BEACON_CODEX_PACKAGE_DIR=${PACKAGE_DIR}\n`);
process.exit(npm(ROOT, ['run', 'test:e2e'], { BEACON_CODEX_PACKAGE_DIR: PACKAGE_DIR }));
