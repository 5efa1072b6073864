/**
 * One measured upload, in a plain-JS process of its own (transpiled: no TypeScript loader in it).
 * `upload`: src/finish/artifact.ts uploadRuntimeArtifact (@actions/artifact 6: zip, blob blocks,
 * finalize) to the service the environment names. `baseline`: gzip (level 6, the client's zip
 * level) of the same files in memory. Usage: upload-worker.ts upload|baseline NAME ROOT FILE...
 * Prints one JSON line.
 */
import fs from 'node:fs';
import zlib from 'node:zlib';
import { uploadRuntimeArtifact } from '../../src/finish/publish/artifact.js';
import { memoryOf } from '../lib/proc.js';

const [mode, name, rootDirectory, ...files] = process.argv.slice(2) as [string, string, string, ...string[]];
const quiet = { info: () => undefined, warning: (message: string) => process.stderr.write(`${message}\n`) };

const started = performance.now();
let result: Record<string, unknown>;
if (mode === 'upload') {
  const upload = await uploadRuntimeArtifact({ name, files, rootDirectory, log: quiet });
  if (upload.status !== 'uploaded') throw new Error(`upload ${upload.status}: ${'reason' in upload ? upload.reason : ''}`);
  result = { zipBytes: upload.size };
} else {
  let compressed = 0;
  for (const file of files) compressed += zlib.gzipSync(fs.readFileSync(file), { level: 6 }).length;
  result = { zipBytes: compressed };
}
const ms = performance.now() - started;
process.stdout.write(`${JSON.stringify({ ms, hwmMb: memoryOf('self').hwmMb, ...result })}\n`);
