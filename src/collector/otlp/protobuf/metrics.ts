/**
 * OTLP metrics: Metric with its data kinds (gauge, sum, histogram, exponential histogram,
 * summary; their data points in ./metric-points.ts) and ExportMetricsServiceRequest, and the
 * metrics' skip filter (a metric is skipped by its name, its data points counted).
 */
import type { ExportMetricsServiceRequest, Metric, RecordSkipper, ResourceMetrics, ScopeMetrics } from '../types.js';
import { LEN, VARINT, fields, wireTable, type Reader } from './wire.js';
import { pushKeyValue } from './common.js';
import { decodeExponentialHistogramDataPoint, decodeHistogramDataPoint, decodeNumberDataPoint, decodeSummaryDataPoint } from './metric-points.js';
import { requestDecoder, setSkippedCount } from './request.js';

// The `case` labels below are whole tags, (field number << 3) | wire type, with the field named
// in a comment: 10 = field 1 LEN, 16 = field 2 VARINT, 25 = field 3 I64, 133 = field 16 I32, ...

type DataPointDecoder<P> = (r: Reader, end: number) => P;

/** Gauge, Sum, Histogram, ExponentialHistogram and Summary share one layout: points=1, temporality=2, monotonic=3. */
function decodeMetricData<P>(
  r: Reader,
  end: number,
  decodePoint: DataPointDecoder<P>,
  message: string,
  known: number,
): { dataPoints?: P[]; aggregationTemporality?: number; isMonotonic?: boolean } {
  const out: { dataPoints?: P[]; aggregationTemporality?: number; isMonotonic?: boolean } = {};
  while (r.pos < end) {
    const tag = r.varint32();
    if (tag === 10) (out.dataPoints ??= []).push(decodePoint(r, r.lengthEnd()));
    else if (tag === 16 && (known & 4) !== 0) {
      const n = r.int32();
      if (n !== 0) out.aggregationTemporality = n;
      else if (out.aggregationTemporality !== undefined) delete out.aggregationTemporality;
    } else if (tag === 24 && (known & 8) !== 0) {
      if (r.bool()) out.isMonotonic = true;
      else if (out.isMonotonic !== undefined) delete out.isMonotonic;
    } else r.skip(tag, known, message);
  }
  r.expectEnd(end, message);
  return out;
}

const POINTS_ONLY = fields(1);
const POINTS_AND_TEMPORALITY = fields(1, 2);
const SUM_FIELDS = fields(1, 2, 3);

const METRIC_FIELDS = fields(1, 2, 3, 5, 7, 9, 10, 11, 12);
function decodeMetric(r: Reader, end: number): Metric {
  const out: Metric = {};
  while (r.pos < end) {
    const tag = r.varint32();
    switch (tag) {
      case 10: {
        const s = r.string();
        if (s !== '') out.name = s;
        else if (out.name !== undefined) delete out.name;
        break;
      }
      case 18: {
        const s = r.string();
        if (s !== '') out.description = s;
        else if (out.description !== undefined) delete out.description;
        break;
      }
      case 26: {
        const s = r.string();
        if (s !== '') out.unit = s;
        else if (out.unit !== undefined) delete out.unit;
        break;
      }
      case 98: // 12 metadata
        out.metadata = pushKeyValue(r, out.metadata);
        break;
      // The data kinds form a oneof: the last one on the wire wins.
      case 42: // 5 gauge
        clearMetricData(out);
        out.gauge = decodeMetricData(r, r.lengthEnd(), decodeNumberDataPoint, 'Gauge', POINTS_ONLY);
        break;
      case 58: // 7 sum
        clearMetricData(out);
        out.sum = decodeMetricData(r, r.lengthEnd(), decodeNumberDataPoint, 'Sum', SUM_FIELDS);
        break;
      case 74: // 9 histogram
        clearMetricData(out);
        out.histogram = decodeMetricData(r, r.lengthEnd(), decodeHistogramDataPoint, 'Histogram', POINTS_AND_TEMPORALITY);
        break;
      case 82: // 10 exponential_histogram
        clearMetricData(out);
        out.exponentialHistogram = decodeMetricData(
          r,
          r.lengthEnd(),
          decodeExponentialHistogramDataPoint,
          'ExponentialHistogram',
          POINTS_AND_TEMPORALITY,
        );
        break;
      case 90: // 11 summary
        clearMetricData(out);
        out.summary = decodeMetricData(r, r.lengthEnd(), decodeSummaryDataPoint, 'Summary', POINTS_ONLY);
        break;
      default:
        r.skip(tag, METRIC_FIELDS, 'Metric');
    }
  }
  r.expectEnd(end, 'Metric');
  return out;
}

function clearMetricData(m: Metric): void {
  // Only a malformed-but-legal request sets two kinds; the common case deletes nothing.
  if (m.gauge !== undefined) delete m.gauge;
  if (m.sum !== undefined) delete m.sum;
  if (m.histogram !== undefined) delete m.histogram;
  if (m.exponentialHistogram !== undefined) delete m.exponentialHistogram;
  if (m.summary !== undefined) delete m.summary;
}

const METRIC_WIRES = wireTable({ 1: LEN, 2: LEN, 3: LEN, 5: LEN, 7: LEN, 9: LEN, 10: LEN, 11: LEN, 12: LEN });
/** The fields of each data kind, by the Metric tag that holds it (as decodeMetricData knows them). */
const METRIC_DATA_WIRES: Record<number, { message: string; wires: Int8Array }> = {
  42: { message: 'Gauge', wires: wireTable({ 1: LEN }) },
  58: { message: 'Sum', wires: wireTable({ 1: LEN, 2: VARINT, 3: VARINT }) },
  74: { message: 'Histogram', wires: wireTable({ 1: LEN, 2: VARINT }) },
  82: { message: 'ExponentialHistogram', wires: wireTable({ 1: LEN, 2: VARINT }) },
  90: { message: 'Summary', wires: wireTable({ 1: LEN }) },
};

/**
 * RecordSkipping.dropReason for a Metric: its name (wherever it sits) when the skipper drops it;
 * the data points of its data kind (the last one, a oneof) are then counted, not decoded. The
 * metric's fields and its data message's fields are checked for framing and wire types.
 */
function metricDropReason(r: Reader, end: number, skipper: RecordSkipper): string | undefined {
  const start = r.pos;
  let nameAt = -1;
  let dataTag = 0;
  let dataStart = 0;
  let dataEnd = 0;
  while (r.pos < end) {
    const tag = r.varint32();
    switch (tag) {
      case 10: // 1 name
        nameAt = r.pos;
        r.pos = r.lengthEnd();
        break;
      case 42: // 5 gauge, 7 sum, 9 histogram, 10 exponential_histogram, 11 summary
      case 58:
      case 74:
      case 82:
      case 90:
        dataTag = tag;
        dataEnd = r.lengthEnd();
        dataStart = r.pos;
        r.pos = dataEnd;
        break;
      default:
        r.skipScanned(tag, METRIC_WIRES, 'Metric');
    }
  }
  r.expectEnd(end, 'Metric');
  let reason: string | undefined;
  if (nameAt !== -1) {
    r.pos = nameAt;
    // An empty name is no name (decodeMetric leaves it out): such a metric is decoded.
    const name = r.string();
    if (name !== '') reason = skipper.metricDropReason!(name);
  }
  if (reason === undefined) {
    r.pos = start;
    return undefined;
  }
  let points = 0;
  if (dataTag !== 0) {
    const { message, wires } = METRIC_DATA_WIRES[dataTag];
    r.pos = dataStart;
    while (r.pos < dataEnd) {
      const tag = r.varint32();
      if (tag === 10) {
        // 1 data_points
        r.pos = r.lengthEnd();
        points++;
      } else r.skipScanned(tag, wires, message);
    }
    r.expectEnd(dataEnd, message);
  }
  r.pos = end;
  setSkippedCount(points);
  return reason;
}

export const decodeMetricsRequest = requestDecoder<ExportMetricsServiceRequest, ResourceMetrics, ScopeMetrics>(
  {
    requestMessage: 'ExportMetricsServiceRequest',
    resourceMessage: 'ResourceMetrics',
    scopeMessage: 'ScopeMetrics',
    resourcesKey: 'resourceMetrics',
    scopesKey: 'scopeMetrics',
    recordsKey: 'metrics',
  },
  decodeMetric,
  { method: 'metricDropReason', dropReason: metricDropReason, skippedKey: 'skippedDataPoints' },
);
