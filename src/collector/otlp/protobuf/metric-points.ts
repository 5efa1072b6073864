/**
 * The data points of OTLP metrics (number, histogram, exponential histogram, summary) and their
 * exemplars; ./metrics.ts decodes the Metric that holds them.
 */
import type { Exemplar, ExponentialHistogramBuckets, ExponentialHistogramDataPoint, HistogramDataPoint, NumberDataPoint, SummaryDataPoint } from '../types.js';
import { fields, readDoubleList, readFixed64List, readUint64List, type Reader } from './wire.js';
import { pushKeyValue } from './common.js';

// The `case` labels below are whole tags, (field number << 3) | wire type, with the field named
// in a comment: 10 = field 1 LEN, 16 = field 2 VARINT, 25 = field 3 I64, 133 = field 16 I32, ...

const EXEMPLAR_FIELDS = fields(2, 3, 4, 5, 6, 7);
function decodeExemplar(r: Reader, end: number): Exemplar {
  const out: Exemplar = {};
  while (r.pos < end) {
    const tag = r.varint32();
    switch (tag) {
      case 58: // 7 filtered_attributes
        out.filteredAttributes = pushKeyValue(r, out.filteredAttributes);
        break;
      case 17: {
        // 2 time_unix_nano fixed64
        const v = r.fixed64OrUndefined();
        if (v !== undefined) out.timeUnixNano = v;
        else if (out.timeUnixNano !== undefined) delete out.timeUnixNano;
        break;
      }
      case 25: // 3 as_double (oneof value)
        if (out.asInt !== undefined) delete out.asInt;
        out.asDouble = r.double();
        break;
      case 49: // 6 as_int sfixed64 (oneof value)
        if (out.asDouble !== undefined) delete out.asDouble;
        out.asInt = r.sfixed64String();
        break;
      case 34: {
        // 4 span_id
        const s = r.hex();
        if (s !== '') out.spanId = s;
        else if (out.spanId !== undefined) delete out.spanId;
        break;
      }
      case 42: {
        // 5 trace_id
        const s = r.hex();
        if (s !== '') out.traceId = s;
        else if (out.traceId !== undefined) delete out.traceId;
        break;
      }
      default:
        r.skip(tag, EXEMPLAR_FIELDS, 'Exemplar');
    }
  }
  r.expectEnd(end, 'Exemplar');
  return out;
}

const NUMBER_POINT_FIELDS = fields(2, 3, 4, 5, 6, 7, 8);
export function decodeNumberDataPoint(r: Reader, end: number): NumberDataPoint {
  const out: NumberDataPoint = {};
  while (r.pos < end) {
    const tag = r.varint32();
    switch (tag) {
      case 58: // 7 attributes
        out.attributes = pushKeyValue(r, out.attributes);
        break;
      case 17: {
        // 2 start_time_unix_nano
        const v = r.fixed64OrUndefined();
        if (v !== undefined) out.startTimeUnixNano = v;
        else if (out.startTimeUnixNano !== undefined) delete out.startTimeUnixNano;
        break;
      }
      case 25: {
        // 3 time_unix_nano
        const v = r.fixed64OrUndefined();
        if (v !== undefined) out.timeUnixNano = v;
        else if (out.timeUnixNano !== undefined) delete out.timeUnixNano;
        break;
      }
      case 33: // 4 as_double (oneof value)
        if (out.asInt !== undefined) delete out.asInt;
        out.asDouble = r.double();
        break;
      case 49: // 6 as_int sfixed64 (oneof value)
        if (out.asDouble !== undefined) delete out.asDouble;
        out.asInt = r.sfixed64String();
        break;
      case 42: // 5 exemplars
        (out.exemplars ??= []).push(decodeExemplar(r, r.lengthEnd()));
        break;
      case 64: {
        // 8 flags uint32
        const n = r.varint32();
        if (n !== 0) out.flags = n;
        else if (out.flags !== undefined) delete out.flags;
        break;
      }
      default:
        r.skip(tag, NUMBER_POINT_FIELDS, 'NumberDataPoint');
    }
  }
  r.expectEnd(end, 'NumberDataPoint');
  return out;
}

const HISTOGRAM_POINT_FIELDS = fields(2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12);
export function decodeHistogramDataPoint(r: Reader, end: number): HistogramDataPoint {
  const out: HistogramDataPoint = {};
  while (r.pos < end) {
    const tag = r.varint32();
    switch (tag) {
      case 74: // 9 attributes
        out.attributes = pushKeyValue(r, out.attributes);
        break;
      case 17: {
        const v = r.fixed64OrUndefined();
        if (v !== undefined) out.startTimeUnixNano = v;
        else if (out.startTimeUnixNano !== undefined) delete out.startTimeUnixNano;
        break;
      }
      case 25: {
        const v = r.fixed64OrUndefined();
        if (v !== undefined) out.timeUnixNano = v;
        else if (out.timeUnixNano !== undefined) delete out.timeUnixNano;
        break;
      }
      case 33: {
        // 4 count fixed64
        const v = r.fixed64OrUndefined();
        if (v !== undefined) out.count = v;
        else if (out.count !== undefined) delete out.count;
        break;
      }
      case 41: // 5 optional double sum
        out.sum = r.double();
        break;
      case 50: // 6 bucket_counts, packed
      case 49: // 6 bucket_counts, unpacked
        out.bucketCounts = readFixed64List(r, tag, out.bucketCounts);
        break;
      case 58: // 7 explicit_bounds, packed
      case 57: // 7 explicit_bounds, unpacked
        out.explicitBounds = readDoubleList(r, tag, out.explicitBounds);
        break;
      case 66: // 8 exemplars
        (out.exemplars ??= []).push(decodeExemplar(r, r.lengthEnd()));
        break;
      case 80: {
        // 10 flags
        const n = r.varint32();
        if (n !== 0) out.flags = n;
        else if (out.flags !== undefined) delete out.flags;
        break;
      }
      case 89: // 11 optional double min
        out.min = r.double();
        break;
      case 97: // 12 optional double max
        out.max = r.double();
        break;
      default:
        r.skip(tag, HISTOGRAM_POINT_FIELDS, 'HistogramDataPoint');
    }
  }
  r.expectEnd(end, 'HistogramDataPoint');
  return out;
}

const BUCKETS_FIELDS = fields(1, 2);
function decodeBuckets(r: Reader, end: number): ExponentialHistogramBuckets {
  const out: ExponentialHistogramBuckets = {};
  while (r.pos < end) {
    const tag = r.varint32();
    switch (tag) {
      case 8: {
        // 1 offset sint32
        const n = r.sint32();
        if (n !== 0) out.offset = n;
        else if (out.offset !== undefined) delete out.offset;
        break;
      }
      case 18: // 2 bucket_counts uint64, packed
      case 16: // 2 bucket_counts, unpacked
        out.bucketCounts = readUint64List(r, tag, out.bucketCounts);
        break;
      default:
        r.skip(tag, BUCKETS_FIELDS, 'ExponentialHistogramDataPoint.Buckets');
    }
  }
  r.expectEnd(end, 'ExponentialHistogramDataPoint.Buckets');
  return out;
}

const EXP_POINT_FIELDS = fields(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14);
export function decodeExponentialHistogramDataPoint(r: Reader, end: number): ExponentialHistogramDataPoint {
  const out: ExponentialHistogramDataPoint = {};
  while (r.pos < end) {
    const tag = r.varint32();
    switch (tag) {
      case 10: // 1 attributes
        out.attributes = pushKeyValue(r, out.attributes);
        break;
      case 17: {
        const v = r.fixed64OrUndefined();
        if (v !== undefined) out.startTimeUnixNano = v;
        else if (out.startTimeUnixNano !== undefined) delete out.startTimeUnixNano;
        break;
      }
      case 25: {
        const v = r.fixed64OrUndefined();
        if (v !== undefined) out.timeUnixNano = v;
        else if (out.timeUnixNano !== undefined) delete out.timeUnixNano;
        break;
      }
      case 33: {
        // 4 count fixed64
        const v = r.fixed64OrUndefined();
        if (v !== undefined) out.count = v;
        else if (out.count !== undefined) delete out.count;
        break;
      }
      case 41: // 5 optional double sum
        out.sum = r.double();
        break;
      case 48: {
        // 6 scale sint32
        const n = r.sint32();
        if (n !== 0) out.scale = n;
        else if (out.scale !== undefined) delete out.scale;
        break;
      }
      case 57: {
        // 7 zero_count fixed64
        const v = r.fixed64OrUndefined();
        if (v !== undefined) out.zeroCount = v;
        else if (out.zeroCount !== undefined) delete out.zeroCount;
        break;
      }
      case 66: // 8 positive
        out.positive = decodeBuckets(r, r.lengthEnd());
        break;
      case 74: // 9 negative
        out.negative = decodeBuckets(r, r.lengthEnd());
        break;
      case 80: {
        // 10 flags
        const n = r.varint32();
        if (n !== 0) out.flags = n;
        else if (out.flags !== undefined) delete out.flags;
        break;
      }
      case 90: // 11 exemplars
        (out.exemplars ??= []).push(decodeExemplar(r, r.lengthEnd()));
        break;
      case 97: // 12 optional double min
        out.min = r.double();
        break;
      case 105: // 13 optional double max
        out.max = r.double();
        break;
      case 113: {
        // 14 zero_threshold double
        const d = r.double();
        if (d !== 0) out.zeroThreshold = d;
        else if (out.zeroThreshold !== undefined) delete out.zeroThreshold;
        break;
      }
      default:
        r.skip(tag, EXP_POINT_FIELDS, 'ExponentialHistogramDataPoint');
    }
  }
  r.expectEnd(end, 'ExponentialHistogramDataPoint');
  return out;
}

const QUANTILE_FIELDS = fields(1, 2);
function decodeValueAtQuantile(r: Reader, end: number): { quantile?: number; value?: number } {
  const out: { quantile?: number; value?: number } = {};
  while (r.pos < end) {
    const tag = r.varint32();
    if (tag === 9) {
      const d = r.double();
      if (d !== 0) out.quantile = d;
      else if (out.quantile !== undefined) delete out.quantile;
    } else if (tag === 17) {
      const d = r.double();
      if (d !== 0) out.value = d;
      else if (out.value !== undefined) delete out.value;
    } else r.skip(tag, QUANTILE_FIELDS, 'SummaryDataPoint.ValueAtQuantile');
  }
  r.expectEnd(end, 'SummaryDataPoint.ValueAtQuantile');
  return out;
}

const SUMMARY_POINT_FIELDS = fields(2, 3, 4, 5, 6, 7, 8);
export function decodeSummaryDataPoint(r: Reader, end: number): SummaryDataPoint {
  const out: SummaryDataPoint = {};
  while (r.pos < end) {
    const tag = r.varint32();
    switch (tag) {
      case 58: // 7 attributes
        out.attributes = pushKeyValue(r, out.attributes);
        break;
      case 17: {
        const v = r.fixed64OrUndefined();
        if (v !== undefined) out.startTimeUnixNano = v;
        else if (out.startTimeUnixNano !== undefined) delete out.startTimeUnixNano;
        break;
      }
      case 25: {
        const v = r.fixed64OrUndefined();
        if (v !== undefined) out.timeUnixNano = v;
        else if (out.timeUnixNano !== undefined) delete out.timeUnixNano;
        break;
      }
      case 33: {
        const v = r.fixed64OrUndefined();
        if (v !== undefined) out.count = v;
        else if (out.count !== undefined) delete out.count;
        break;
      }
      case 41: {
        // 5 sum: a plain double here (not `optional`)
        const d = r.double();
        if (d !== 0) out.sum = d;
        else if (out.sum !== undefined) delete out.sum;
        break;
      }
      case 50: // 6 quantile_values
        (out.quantileValues ??= []).push(decodeValueAtQuantile(r, r.lengthEnd()));
        break;
      case 64: {
        // 8 flags
        const n = r.varint32();
        if (n !== 0) out.flags = n;
        else if (out.flags !== undefined) delete out.flags;
        break;
      }
      default:
        r.skip(tag, SUMMARY_POINT_FIELDS, 'SummaryDataPoint');
    }
  }
  r.expectEnd(end, 'SummaryDataPoint');
  return out;
}
