import fs from 'node:fs';

/**
 * The collector's notes of the capture lines that may hold a secret (collector/writer.ts,
 * `captureCompanions(...).suspectLines`): with them the post step runs its secret check on the
 * noted lines only, instead of walking every string of every line.
 *
 * The collector notes a line before it writes it, so every line that was in the capture before the
 * notes were read is covered. Lines past that point (a collector that could not be stopped wrote
 * on), and every line when the notes are missing or damaged, are checked as before.
 */
export interface SuspectLines {
  /** Whether the line starting at this byte offset of the capture must be checked. */
  mustCheck(offset: number): boolean;
  /** How many lines are noted (for the report). */
  readonly noted: number;
}

/** Every line is checked: no notes, or notes that cannot be read whole. */
export const CHECK_EVERY_LINE: SuspectLines = { mustCheck: () => true, noted: 0 };

const OFFSET = /^\d{1,16}$/;
/**
 * Notes past this size (about 100,000 lines) are not read: memory stays bounded, and a capture
 * where that many lines need the full scan gains little from skipping the rest.
 */
export const MAX_NOTES_BYTES = 1 << 20;

/**
 * The notes for the capture `capture` (open), read after its size was taken, so that the notes
 * cover every line below that size. Anything wrong with them (missing, a line that is not an
 * offset, more than MAX_NOTES_BYTES) means every line is checked.
 */
export async function readSuspectLines(capture: fs.promises.FileHandle, notesPath: string): Promise<SuspectLines> {
  const coveredBytes = (await capture.stat()).size;
  let text: string;
  try {
    if ((await fs.promises.stat(notesPath)).size > MAX_NOTES_BYTES) return CHECK_EVERY_LINE;
    text = await fs.promises.readFile(notesPath, 'latin1');
  } catch {
    return CHECK_EVERY_LINE;
  }
  const starts = new Set<number>();
  let from = 0;
  while (from < text.length) {
    const newline = text.indexOf('\n', from);
    // A torn last note: the collector stopped while noting, so its line was never written;
    // still, damaged notes are not trusted.
    if (newline === -1) return CHECK_EVERY_LINE;
    const note = text.slice(from, newline);
    if (!OFFSET.test(note)) return CHECK_EVERY_LINE;
    starts.add(Number(note));
    from = newline + 1;
  }
  return { mustCheck: (offset) => offset >= coveredBytes || starts.has(offset), noted: starts.size };
}
