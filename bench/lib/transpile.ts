/**
 * Plain-JS copies of the project's TypeScript (src/, bench/, test/support/) for measured child
 * processes. Running .ts through Node's type stripping loads its TypeScript transformer (swc as
 * WebAssembly), which adds ~50 MB of RSS to the process: a worker whose peak RSS is the figure
 * must run plain JS. Node's own stripTypeScriptTypes does the transform (no other tool needed);
 * the layout is kept, so the sources' `./x.js` imports resolve as they are, and node_modules is
 * linked in for the packages they import.
 */
import fs from 'node:fs';
import { stripTypeScriptTypes } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { ROOT, SCRATCH } from './env.js';

const TREES = ['src', 'bench', path.join('test', 'support')];
let built: string | undefined;

function copyTree(from: string, to: string): void {
  for (const entry of fs.readdirSync(from, { withFileTypes: true })) {
    const source = path.join(from, entry.name);
    if (entry.isDirectory()) {
      copyTree(source, path.join(to, entry.name));
    } else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts')) {
      fs.mkdirSync(to, { recursive: true });
      const code = stripTypeScriptTypes(fs.readFileSync(source, 'utf8'), { mode: 'transform', sourceUrl: pathToFileURL(source).href });
      fs.writeFileSync(path.join(to, entry.name.replace(/\.ts$/, '.js')), code);
    } else if (entry.name.endsWith('.mjs')) {
      fs.mkdirSync(to, { recursive: true });
      fs.copyFileSync(source, path.join(to, entry.name));
    }
  }
}

/** The root of the plain-JS tree (built once per process); run e.g. `<root>/bench/rows/x.js`. */
export function transpiledRoot(): string {
  if (built) return built;
  const root = fs.mkdtempSync(path.join(SCRATCH, 'js-'));
  for (const tree of TREES) copyTree(path.join(ROOT, tree), path.join(root, tree));
  fs.writeFileSync(path.join(root, 'package.json'), '{ "type": "module", "private": true }\n');
  fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(root, 'node_modules'), 'dir');
  return (built = root);
}

/** Path of the plain-JS copy of a .ts file of this repository. */
export function transpiled(tsFile: string): string {
  return path.join(transpiledRoot(), path.relative(ROOT, tsFile)).replace(/\.ts$/, '.js');
}
