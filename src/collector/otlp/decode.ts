import { decodeJsonRequest } from './json.js';
import { decodeLogsRequest, decodeMetricsRequest, decodeTraceRequest } from './protobuf.js';
import { MalformedRequestError, type Encoding, type ExportRequestBySignal, type Signal, type SkipFilter } from './types.js';

// `fatal`: a body that is not UTF-8 is refused, not silently repaired.
const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Decodes an OTLP/HTTP export request body; MalformedRequestError when it cannot be one. With a
 * `skip` filter, records it would drop may be left undecoded and only counted (see SkipFilter);
 * without one, everything is decoded.
 */
export function decodeExportRequest<S extends Signal>(signal: S, encoding: Encoding, body: Uint8Array, skip?: SkipFilter): ExportRequestBySignal[S] {
  if (encoding === 'json') {
    let text: string;
    try {
      text = utf8.decode(body);
    } catch {
      throw new MalformedRequestError('json: the body is not valid UTF-8');
    }
    return decodeJsonRequest(signal, text);
  }
  switch (signal) {
    case 'logs':
      return decodeLogsRequest(body) as ExportRequestBySignal[S];
    case 'metrics':
      return decodeMetricsRequest(body) as ExportRequestBySignal[S];
    default:
      return decodeTraceRequest(body) as ExportRequestBySignal[S];
  }
}
