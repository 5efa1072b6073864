import { addCount } from '../../beacon/integers.js';
import type { RawTokenCounts } from '../../harness/sessions.js';
import { emptyCounts, FIELD_OF_TOKEN_TYPE } from '../../harness/token-counts.js';
import type { TokenPoint } from './normalize-tokens.js';

/**
 * The token usage of each metric export request, per model, in the harness's own terms (input
 * includes cached input, as the metric and the session files both count it): what the post step
 * pairs with the sessions that the process which sent it ran. Amounts are after cumulative
 * differencing, so an export's sums are what it adds.
 */

export interface MetricExportUsage {
  /** The collector's sequence number of the export request (`raw.export_seq`). */
  exportSeq: number;
  harness: string;
  /** The latest data point time in the export (ISO UTC): when the process flushed it. */
  at: string;
  /** `app.version` values of its points. */
  versions: string[];
  byModel: Record<string, RawTokenCounts>;
}

/** More export requests than this with token points are not tallied: pairing is then left off. */
const MAX_EXPORTS = 10_000;
const MAX_VERSIONS = 5;

export class MetricExportTally {
  private readonly exports = new Map<number, MetricExportUsage>();
  /** True once a token point could not be tallied (no export number, or too many exports). */
  overflowed = false;

  add(event: Record<string, any>, point: TokenPoint, amount: number): void {
    const field = Object.hasOwn(FIELD_OF_TOKEN_TYPE, point.tokenType) ? FIELD_OF_TOKEN_TYPE[point.tokenType] : undefined;
    const exportSeq = event.raw?.export_seq;
    if (typeof exportSeq !== 'number') {
      this.overflowed = true;
      return;
    }
    let usage = this.exports.get(exportSeq);
    if (!usage) {
      if (this.exports.size >= MAX_EXPORTS) {
        this.overflowed = true;
        return;
      }
      usage = { exportSeq, harness: String(event.harness?.name ?? ''), at: '', versions: [], byModel: Object.create(null) as Record<string, RawTokenCounts> };
      this.exports.set(exportSeq, usage);
    }
    if (typeof event.timestamp === 'string' && event.timestamp > usage.at) usage.at = event.timestamp;
    const version = event.raw?.attributes?.['app.version'];
    if (typeof version === 'string' && !usage.versions.includes(version) && usage.versions.length < MAX_VERSIONS) usage.versions.push(version);
    if (!field) return;
    const model = typeof event.model === 'string' ? event.model : '';
    const counts = (usage.byModel[model] ??= emptyCounts());
    counts[field] = addCount(counts[field], amount);
  }

  list(): MetricExportUsage[] {
    return [...this.exports.values()].sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : a.exportSeq - b.exportSeq));
  }
}
