/**
 * A hand-written decoder of OTLP export requests in the protobuf wire format
 * (opentelemetry-proto v1: common, resource, logs, metrics, trace), producing the shape of
 * `../types.ts`: 64-bit integers as decimal strings, ids as lowercase hex, bytes as base64, enums
 * as numbers, fields at their proto3 default omitted (members of a oneof and `optional` fields are
 * kept: their presence is meaningful).
 *
 * Robustness: any malformed input throws MalformedRequestError. Every length is checked against the
 * bytes that remain before anything is read or allocated; a field must not run past the end of the
 * message that holds it; a known field with the wrong wire type, a varint over 10 bytes, a group
 * (wire types 3/4, deprecated), wire types 6/7, field number 0 and AnyValue nesting deeper than
 * MAX_ANY_VALUE_DEPTH are all rejected. Unknown fields are skipped.
 *
 * Deliberate leniencies, all matching what common protobuf runtimes do:
 * - invalid UTF-8 in a string decodes with U+FFFD replacement characters (not an error: a bad byte
 *   in one attribute should not cost the whole batch);
 * - repeated numeric fields are accepted packed and unpacked;
 * - a singular message field or oneof member that appears twice keeps the last occurrence (protobuf
 *   would merge two occurrences of a message; no OTLP sender splits messages).
 *
 * Speed: one Reader (a cursor over the Uint8Array) per request, a specialised decoder with a switch
 * on the whole tag for each message that repeats per record (only the few containers above the
 * records share one generic decoder), short repeated strings from an intern table and others
 * through Buffer's native UTF-8 decoder, hex ids through its native hex encoder, 64-bit decimal
 * strings without BigInt. With a SkipFilter, records the harness would drop are scanned for their
 * name and framing only, then counted instead of decoded.
 *
 * The modules, each importing only those above it: ./decimal.ts and ./wire.ts (the wire reader),
 * ./common.ts (AnyValue, KeyValue, Resource, InstrumentationScope), ./request.ts (the containers
 * and the SkipFilter path), then one a signal: ./logs.ts, ./metrics.ts (with ./metric-points.ts),
 * ./traces.ts. This one re-exports what the rest of the collector uses.
 */
export { MAX_ANY_VALUE_DEPTH } from './common.js';
export { decodeLogsRequest } from './logs.js';
export { decodeMetricsRequest } from './metrics.js';
export { decodeTraceRequest } from './traces.js';
