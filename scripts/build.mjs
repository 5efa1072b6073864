// Bundles each entry with @vercel/ncc into dist/<entry>/index.js (one build per entry: the
// @actions/* packages are ESM-only, and the collector must stay small and free of them).
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import vm from 'node:vm';

const root = path.resolve(import.meta.dirname, '..');
// `node scripts/build.mjs collector` rebuilds one entry while iterating; no argument builds all.
const all = ['start', 'finish', 'collector'];
const entries = process.argv.length > 2 ? process.argv.slice(2).filter((e) => all.includes(e)) : all;
const nccCli = path.join(root, 'node_modules', '@vercel', 'ncc', 'dist', 'ncc', 'cli.js');

/** start and finish: ES modules, as the ncc CLI makes them for a `"type": "module"` package. */
function buildEsm(entry, outDir) {
  execFileSync(process.execPath, [nccCli, 'build', `src/${entry}/index.ts`, '-o', path.relative(root, outDir), '--target', 'es2022', '-q'], { cwd: root, stdio: 'inherit' });
}

/**
 * The collector: CommonJS. An ES module entry makes Node load its ESM loader as well: 1.2 MB more
 * idle RSS (BENCHMARKS.md, memory). The ncc CLI picks ESM from the package's type; its API takes
 * `esm: false`, and webpack then turns `import.meta.url` into `__filename`'s URL. Minified: it
 * boots on the start step's critical path and is the bundle the size target is about; its errors
 * name what failed in words, not lines.
 */
async function buildCommonJs(entry, outDir) {
  const ncc = createRequire(import.meta.url)('@vercel/ncc');
  const { code, assets, symlinks } = await ncc(path.join(root, 'src', entry, 'index.ts'), { esm: false, minify: true, target: 'es2022', quiet: true });
  // What webpack leaves untranslated for CommonJS (import.meta.dirname, a static import) would only
  // fail when Node loads the bundle: fail the build instead.
  try {
    vm.compileFunction(code, ['exports', 'require', 'module', '__filename', '__dirname'], { filename: `dist/${entry}/index.js` });
  } catch (error) {
    throw new Error(`the ${entry} bundle is not valid CommonJS: ${error.message}`);
  }
  if (Object.keys(symlinks).length) throw new Error(`the ${entry} bundle has symlinks, which this build does not write: ${Object.keys(symlinks).join(', ')}`);
  fs.mkdirSync(outDir, { recursive: true });
  fs.writeFileSync(path.join(outDir, 'index.js'), code);
  for (const [name, asset] of Object.entries(assets)) {
    fs.mkdirSync(path.dirname(path.join(outDir, name)), { recursive: true });
    fs.writeFileSync(path.join(outDir, name), asset.source, { mode: asset.permissions });
  }
  // dist/package.json says module; this one, nearer, keeps the path dist/collector/index.js.
  fs.writeFileSync(path.join(outDir, 'package.json'), '{ "type": "commonjs" }\n');
}

for (const entry of entries) {
  // Build beside dist/ and swap it in, so that a test running meanwhile never finds no bundle.
  const target = path.join(root, 'dist', entry);
  const fresh = path.join(root, 'dist', `.${entry}.building`);
  fs.rmSync(fresh, { recursive: true, force: true });
  if (entry === 'collector') await buildCommonJs(entry, fresh);
  else buildEsm(entry, fresh);
  fs.rmSync(target, { recursive: true, force: true });
  fs.renameSync(fresh, target);
}
// start and finish are ES modules: tell Node so wherever dist/ is copied.
fs.writeFileSync(path.join(root, 'dist', 'package.json'), '{ "type": "module" }\n');
