import { decodeJsonBytes } from './json-bytes.js';
import { decodeLogsRequest, decodeMetricsRequest, decodeTraceRequest } from './protobuf/index.js';
import { type Encoding, type ExportRequestBySignal, type Signal, type SkipFilter } from './types.js';

/**
 * Decodes an OTLP/HTTP export request body; MalformedRequestError when it cannot be one. With a
 * `skip` filter, records it would drop may be left undecoded and only counted (see SkipFilter);
 * without one, everything is decoded.
 */
export function decodeExportRequest<S extends Signal>(signal: S, encoding: Encoding, body: Uint8Array, skip?: SkipFilter): ExportRequestBySignal[S] {
  // From the bytes, never one string of the whole body (see ./json-bytes.ts).
  if (encoding === 'json') return decodeJsonBytes(signal, body, skip);
  switch (signal) {
    case 'logs':
      return decodeLogsRequest(body, skip) as ExportRequestBySignal[S];
    case 'metrics':
      return decodeMetricsRequest(body, skip) as ExportRequestBySignal[S];
    default:
      return decodeTraceRequest(body, skip) as ExportRequestBySignal[S];
  }
}
