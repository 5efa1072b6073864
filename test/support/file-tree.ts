import fs from 'node:fs';
import path from 'node:path';

/** Snapshots of folders, to see what a step wrote and with which permissions. */

export interface Entry {
  type: 'file' | 'dir' | 'link' | 'other';
  mode: number;
  size: number;
  mtimeMs: number;
}

/** Every entry under `root` (not following links), by absolute path. */
export function snapshot(root: string, into = new Map<string, Entry>()): Map<string, Entry> {
  if (!fs.existsSync(root)) return into;
  const walk = (dir: string) => {
    for (const name of fs.readdirSync(dir)) {
      const full = path.join(dir, name);
      const stat = fs.lstatSync(full);
      const type = stat.isFile() ? 'file' : stat.isDirectory() ? 'dir' : stat.isSymbolicLink() ? 'link' : 'other';
      into.set(full, { type, mode: stat.mode & 0o7777, size: stat.size, mtimeMs: stat.mtimeMs });
      if (type === 'dir') walk(full);
    }
  };
  walk(root);
  return into;
}

/** Paths created, removed or changed between two snapshots. */
export function changedPaths(before: Map<string, Entry>, after: Map<string, Entry>): string[] {
  const changed = new Set<string>();
  for (const [p, entry] of after) {
    const old = before.get(p);
    if (!old || old.type !== entry.type || old.size !== entry.size || old.mtimeMs !== entry.mtimeMs || old.mode !== entry.mode) changed.add(p);
  }
  for (const p of before.keys()) if (!after.has(p)) changed.add(p);
  return [...changed].sort();
}

export function isInside(p: string, dir: string): boolean {
  const relative = path.relative(dir, p);
  return relative === '' || (!relative.startsWith('..') && !path.isAbsolute(relative));
}
