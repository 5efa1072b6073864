import fs from 'node:fs';

/**
 * The runtime log is usually the capture itself, hard-linked: these are the file operations
 * around that link (undoing a previous pass's appended lines, copying a checked prefix).
 */

/** Written before the capture is linked as the runtime log: where the capture's own bytes end. */
export interface LinkRecord {
  captureBytes: number;
  ino: number;
}

/**
 * A previous pass linked the capture as the runtime log and appended token events to it (a
 * finish step that failed later, then the post step): cut them off, so the capture is the
 * collector's again. Then the record goes: it is written anew only when this pass links.
 */
export function restoreLinkedCapture(capturePath: string, recordPath: string): void {
  let record: LinkRecord;
  try {
    record = JSON.parse(fs.readFileSync(recordPath, 'utf8')) as LinkRecord;
  } catch {
    return;
  }
  try {
    const stat = fs.statSync(capturePath);
    if (stat.ino === record.ino && stat.size > record.captureBytes) fs.truncateSync(capturePath, record.captureBytes);
  } catch {
    // No capture (any more): nothing to restore.
  }
  fs.rmSync(recordPath, { force: true });
}

export async function openIfPresent(file: string): Promise<fs.promises.FileHandle | undefined> {
  try {
    return await fs.promises.open(file, 'r');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/** Copies the first `bytes` of `input` to `output`, whatever the read position of `input`. */
export async function copyPrefix(input: fs.promises.FileHandle, output: fs.promises.FileHandle, bytes: number, chunkBytes: number): Promise<void> {
  const buffer = Buffer.allocUnsafe(Math.min(chunkBytes, Math.max(bytes, 1)));
  for (let at = 0; at < bytes; ) {
    const { bytesRead } = await input.read(buffer, 0, Math.min(buffer.length, bytes - at), at);
    if (bytesRead === 0) throw new Error(`the capture is shorter than the ${bytes} bytes already read from it`);
    for (let done = 0; done < bytesRead; ) done += (await output.write(buffer, done, bytesRead - done)).bytesWritten;
    at += bytesRead;
  }
}

