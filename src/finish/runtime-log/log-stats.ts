/**
 * What writing the runtime log saw of the collector's files, apart from the events themselves:
 * lines read, lines skipped and why, token events that could not be used. Plain data; the list of
 * examples is capped.
 */

export interface LogReadStats {
  /** False when there was no capture file at all. */
  captureFound: boolean;
  /** Lines read from the capture (blank lines excluded). */
  linesRead: number;
  /** Lines skipped: not JSON, not a Beacon event, too long, or torn. */
  malformedLines: number;
  /** The first few skipped lines: line number and why. */
  malformedExamples: { line: number; reason: string }[];
  /** The capture ended in a line without its newline that could not be used (collector stopped mid-write). */
  lastLineTorn: boolean;
  /** Token events whose raw value was unusable (they got no usage). */
  unusableTokenEvents: number;
  /** Export requests too large to buffer whole: their input/cached pairing may be incomplete. */
  oversizedExports: number;
}

const MALFORMED_EXAMPLES = 5;

export class LogReadCounter {
  private readonly stats: LogReadStats = {
    captureFound: true,
    linesRead: 0,
    malformedLines: 0,
    malformedExamples: [],
    lastLineTorn: false,
    unusableTokenEvents: 0,
    oversizedExports: 0,
  };

  captureMissing(): void {
    this.stats.captureFound = false;
  }

  lineRead(): void {
    this.stats.linesRead += 1;
  }

  malformed(lineNumber: number, reason: string, torn = false): void {
    this.stats.malformedLines += 1;
    if (torn) this.stats.lastLineTorn = true;
    if (this.stats.malformedExamples.length < MALFORMED_EXAMPLES) this.stats.malformedExamples.push({ line: lineNumber, reason });
  }

  unusableTokenEvent(): void {
    this.stats.unusableTokenEvents += 1;
  }

  oversizedExport(): void {
    this.stats.oversizedExports += 1;
  }

  snapshot(): LogReadStats {
    return { ...this.stats, malformedExamples: this.stats.malformedExamples.map((example) => ({ ...example })) };
  }
}
