// Bundles each entry with @vercel/ncc into dist/<entry>/index.js (one build per entry: the
// @actions/* packages are ESM-only, and the collector must stay small and free of them).
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
// `node scripts/build.mjs collector` rebuilds one entry while iterating; no argument builds all.
const all = ['start', 'finish', 'collector'];
const entries = process.argv.length > 2 ? process.argv.slice(2).filter((e) => all.includes(e)) : all;
const ncc = path.join(root, 'node_modules', '@vercel', 'ncc', 'dist', 'ncc', 'cli.js');

for (const entry of entries) {
  fs.rmSync(path.join(root, 'dist', entry), { recursive: true, force: true });
  execFileSync(process.execPath, [ncc, 'build', `src/${entry}/index.ts`, '-o', `dist/${entry}`, '--target', 'es2022', '-q'], { cwd: root, stdio: 'inherit' });
}
// Bundles are ES modules: tell Node so wherever dist/ is copied.
fs.writeFileSync(path.join(root, 'dist', 'package.json'), '{ "type": "module" }\n');
