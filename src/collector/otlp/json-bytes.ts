/**
 * OTLP/JSON export requests decoded from their bytes: `./json-scan.ts` validates the body and
 * finds the records, then each record's bytes become a small string for JSON.parse, checked by
 * the same functions as `decodeJsonRequest` (`./json.ts`). Without a SkipFilter the result is
 * exactly what `decodeJsonRequest` gives for the body's text; with one, the records the filter
 * drops are only counted (ScopeLogs.skippedRecords, ScopeMetrics.skippedDataPoints): of them only
 * the name the filter reads becomes a string. A body is never turned into one string: for a large
 * body V8 would allocate it in large-object space, on fresh pages each time, which costs more than
 * parsing it.
 */
import { isUtf8 } from 'node:buffer';
import { checkLogRecord, checkMetric, checkResource, checkScope, checkSpan, fail, optionalObjectArray, type Json } from './json.js';
import { scanExportRequest, stringText, textOf, type ContainerPlan, type ElementPlan, type RecordKind, type RecordPlan } from './json-scan.js';
import { MalformedRequestError, type ExportRequestBySignal, type RecordSkipper, type Signal, type SkipFilter } from './types.js';

/** How one signal's request is laid out: its list keys by level, and how a record is checked. */
interface Layout {
  kind: RecordKind;
  keys: readonly [string, string, string];
  checkRecord(record: Json, path: string): void;
  /** Where ScopeX counts the records it skipped. */
  skippedKey: 'skippedRecords' | 'skippedDataPoints' | 'skippedSpans';
}

const LAYOUTS: Record<Signal, Layout> = {
  logs: { kind: 'log', keys: ['resourceLogs', 'scopeLogs', 'logRecords'], checkRecord: checkLogRecord, skippedKey: 'skippedRecords' },
  metrics: { kind: 'metric', keys: ['resourceMetrics', 'scopeMetrics', 'metrics'], checkRecord: checkMetric, skippedKey: 'skippedDataPoints' },
  traces: { kind: 'span', keys: ['resourceSpans', 'scopeSpans', 'spans'], checkRecord: checkSpan, skippedKey: 'skippedSpans' },
};

/** The second pass: the plan's objects made and checked in the order `decodeJsonRequest` checks them. */
class Decoder {
  constructor(
    private readonly bytes: Buffer,
    private readonly layout: Layout,
    private readonly skip: SkipFilter | undefined,
  ) {}

  private text(start: number, end: number): string {
    return textOf(this.bytes, start, end);
  }

  /** A container's object: its text without its list's array values (`0` in their place), parsed. */
  private container(plan: ContainerPlan): Json {
    const { holes } = plan;
    let text = '';
    let from = plan.start;
    for (let i = 0; i < holes.length; i += 2) {
      text += this.text(from, holes[i]) + '0';
      from = holes[i + 1];
    }
    text += this.text(from, plan.end);
    return JSON.parse(text) as Json;
  }

  /**
   * The container's list, put in place of the `0`: checked as `optionalObjectArray` does it (every
   * element an object), then each element decoded by `decodeElement` in order.
   */
  private list(container: Json, plan: ContainerPlan, key: string, path: string, decodeElement: (element: ElementPlan, path: string) => Json | undefined): void {
    const elements = plan.list;
    if (elements === undefined) {
      // The last occurrence was not an array: null, absent or malformed, as JSON.parse read it.
      optionalObjectArray(container, key, path);
      return;
    }
    for (let i = 0; i < elements.length; i++) if (!elements[i].isObject) fail(`${path}.${key}[${i}]`, 'is not an object');
    const out: Json[] = [];
    container[key] = out;
    for (let i = 0; i < elements.length; i++) {
      const decoded = decodeElement(elements[i], `${path}.${key}[${i}]`);
      if (decoded !== undefined) out.push(decoded);
    }
  }

  request(plan: ContainerPlan): Json {
    const request = this.container(plan);
    this.list(request, plan, this.layout.keys[0], '$', (element, path) => this.resource(element as ContainerPlan, path));
    return request;
  }

  private resource(plan: ContainerPlan, path: string): Json {
    const resource = this.container(plan);
    checkResource(resource, path);
    const skipper = this.skip?.forResource((resource as { resource?: Json }).resource);
    this.list(resource, plan, this.layout.keys[1], path, (element, scopePath) => this.scope(element as ContainerPlan, scopePath, skipper));
    return resource;
  }

  private scope(plan: ContainerPlan, path: string, skipper: RecordSkipper | undefined): Json {
    const scope = this.container(plan);
    checkScope(scope, path);
    const layout = this.layout;
    const dropReason = layout.kind === 'log' ? skipper?.logDropReason : layout.kind === 'metric' ? skipper?.metricDropReason : undefined;
    // Spans are dropped all alike, by no name.
    const spanReason = layout.kind === 'span' ? skipper?.spanDropReason?.() : undefined;
    let skipped: Record<string, number> | undefined;
    this.list(scope, plan, layout.keys[2], path, (element, recordPath) => {
      const record = element as RecordPlan;
      if (record.shapeOk && (spanReason !== undefined || (dropReason !== undefined && record.nameStart >= 0))) {
        const reason = spanReason ?? dropReason!.call(skipper, this.name(record));
        if (reason !== undefined) {
          skipped ??= {};
          // A log record or span counts 1, a metric its data points (OTLP counts metrics in points).
          skipped[reason] = (skipped[reason] ?? 0) + (layout.kind === 'metric' ? record.points : 1);
          return undefined;
        }
      }
      const decoded = JSON.parse(this.text(record.start, record.end)) as Json;
      layout.checkRecord(decoded, recordPath);
      return decoded;
    });
    if (skipped !== undefined) scope[layout.skippedKey] = skipped;
    return scope;
  }

  private name(record: RecordPlan): string {
    return stringText(this.bytes, record.nameStart, record.nameEnd, record.nameEscaped);
  }
}

/**
 * Decodes an OTLP/JSON export request of `signal` from its bytes; MalformedRequestError when it
 * is not valid UTF-8, not JSON, or not of the request's shape (the checks of `./json.ts`).
 */
export function decodeJsonBytes<S extends Signal>(signal: S, body: Uint8Array, skip?: SkipFilter): ExportRequestBySignal[S] {
  if (!isUtf8(body)) throw new MalformedRequestError('json: the body is not valid UTF-8');
  const bytes = Buffer.isBuffer(body) ? body : Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  const layout = LAYOUTS[signal];
  const plan = scanExportRequest(bytes, layout.kind);
  if (!plan.isObject) fail('$', 'is not an object');
  return new Decoder(bytes, layout, skip).request(plan as ContainerPlan) as ExportRequestBySignal[S];
}
