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
  // Build beside dist/ and swap it in, so that a test running meanwhile never finds no bundle.
  const target = path.join(root, 'dist', entry);
  const fresh = path.join(root, 'dist', `.${entry}.building`);
  fs.rmSync(fresh, { recursive: true, force: true });
  // The collector is minified: it boots on the start step's critical path and is the bundle the
  // size target is about (BENCHMARKS.md, size). Its errors name what failed in words, not lines.
  const minify = entry === 'collector' ? ['-m'] : [];
  execFileSync(process.execPath, [ncc, 'build', `src/${entry}/index.ts`, '-o', path.relative(root, fresh), '--target', 'es2022', '-q', ...minify], { cwd: root, stdio: 'inherit' });
  fs.rmSync(target, { recursive: true, force: true });
  fs.renameSync(fresh, target);
}
// Bundles are ES modules: tell Node so wherever dist/ is copied.
fs.writeFileSync(path.join(root, 'dist', 'package.json'), '{ "type": "module" }\n');
