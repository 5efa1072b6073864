/**
 * OTLP/JSON requests: JSON.parse, then a structural check so the mapping code can walk the result
 * without guarding every step. Checked: the top level and every message on the path down to the
 * records are objects; every repeated message field (resourceX, scopeX, records, data points,
 * attributes, events, links, exemplars, ...) is an array of objects; singular message fields
 * (resource, scope, body, status, gauge/sum/..., positive/negative) are objects. A `null` where a
 * message or list may be absent counts as absent and is replaced by `undefined` in place (Codex
 * writes `"body": null`). Scalars are not checked: `./values.ts` readers tolerate any type, and
 * senders legitimately differ there (int64 as strings or numbers, enums as numbers or names).
 * AnyValue contents are not walked either (`anyValueToJs` is defensive and depth-limited).
 * Nothing is copied.
 */
import { MalformedRequestError, type ExportRequestBySignal, type Signal } from './types.js';
import { isObject } from '../../beacon/json-object.js';

export type Json = Record<string, unknown>;

export function fail(path: string, what: string): never {
  throw new MalformedRequestError(`json: ${path} ${what}`);
}


/** `obj[key]` must be absent or an object; null becomes absent. Returns the object if present. */
function optionalObject(obj: Json, key: string, path: string): Json | undefined {
  const v = obj[key];
  if (v === undefined) return undefined;
  if (v === null) {
    obj[key] = undefined;
    return undefined;
  }
  if (!isObject(v)) fail(`${path}.${key}`, 'is not an object');
  return v;
}

const NO_ITEMS: readonly Json[] = [];

/** `obj[key]` must be absent or an array of objects; null becomes absent. */
export function optionalObjectArray(obj: Json, key: string, path: string): readonly Json[] {
  const v = obj[key];
  if (v === undefined) return NO_ITEMS;
  if (v === null) {
    obj[key] = undefined;
    return NO_ITEMS;
  }
  if (!Array.isArray(v)) fail(`${path}.${key}`, 'is not an array');
  for (let i = 0; i < v.length; i++) {
    if (!isObject(v[i])) fail(`${path}.${key}[${i}]`, 'is not an object');
  }
  return v as Json[];
}

/** Attributes-like lists: each KeyValue's `value` must be an object when present. */
function checkKeyValues(obj: Json, key: string, path: string): void {
  const list = optionalObjectArray(obj, key, path);
  for (let i = 0; i < list.length; i++) optionalObject(list[i], 'value', `${path}.${key}[${i}]`);
}

export function checkResource(container: Json, path: string): void {
  const resource = optionalObject(container, 'resource', path);
  if (resource) checkKeyValues(resource, 'attributes', `${path}.resource`);
}

export function checkScope(container: Json, path: string): void {
  const scope = optionalObject(container, 'scope', path);
  if (scope) checkKeyValues(scope, 'attributes', `${path}.scope`);
}

function checkLogs(request: Json): void {
  const resources = optionalObjectArray(request, 'resourceLogs', '$');
  for (let i = 0; i < resources.length; i++) {
    const rPath = `$.resourceLogs[${i}]`;
    checkResource(resources[i], rPath);
    const scopes = optionalObjectArray(resources[i], 'scopeLogs', rPath);
    for (let j = 0; j < scopes.length; j++) {
      const sPath = `${rPath}.scopeLogs[${j}]`;
      checkScope(scopes[j], sPath);
      const records = optionalObjectArray(scopes[j], 'logRecords', sPath);
      for (let k = 0; k < records.length; k++) checkLogRecord(records[k], `${sPath}.logRecords[${k}]`);
    }
  }
}

export function checkLogRecord(record: Json, path: string): void {
  optionalObject(record, 'body', path);
  checkKeyValues(record, 'attributes', path);
}

const METRIC_KINDS = ['gauge', 'sum', 'histogram', 'exponentialHistogram', 'summary'] as const;

function checkDataPoints(kind: (typeof METRIC_KINDS)[number], data: Json, path: string): void {
  const points = optionalObjectArray(data, 'dataPoints', path);
  for (let i = 0; i < points.length; i++) {
    const point = points[i];
    const pPath = `${path}.dataPoints[${i}]`;
    checkKeyValues(point, 'attributes', pPath);
    if (kind === 'summary') {
      optionalObjectArray(point, 'quantileValues', pPath);
      continue;
    }
    const exemplars = optionalObjectArray(point, 'exemplars', pPath);
    for (let j = 0; j < exemplars.length; j++) checkKeyValues(exemplars[j], 'filteredAttributes', `${pPath}.exemplars[${j}]`);
    if (kind === 'histogram') {
      optionalArray(point, 'bucketCounts', pPath);
      optionalArray(point, 'explicitBounds', pPath);
    } else if (kind === 'exponentialHistogram') {
      for (const side of ['positive', 'negative']) {
        const buckets = optionalObject(point, side, pPath);
        if (buckets) optionalArray(buckets, 'bucketCounts', `${pPath}.${side}`);
      }
    }
  }
}

/** `obj[key]` must be absent or an array (of scalars: not checked); null becomes absent. */
function optionalArray(obj: Json, key: string, path: string): void {
  const v = obj[key];
  if (v === undefined) return;
  if (v === null) obj[key] = undefined;
  else if (!Array.isArray(v)) fail(`${path}.${key}`, 'is not an array');
}

function checkMetrics(request: Json): void {
  const resources = optionalObjectArray(request, 'resourceMetrics', '$');
  for (let i = 0; i < resources.length; i++) {
    const rPath = `$.resourceMetrics[${i}]`;
    checkResource(resources[i], rPath);
    const scopes = optionalObjectArray(resources[i], 'scopeMetrics', rPath);
    for (let j = 0; j < scopes.length; j++) {
      const sPath = `${rPath}.scopeMetrics[${j}]`;
      checkScope(scopes[j], sPath);
      const metrics = optionalObjectArray(scopes[j], 'metrics', sPath);
      for (let k = 0; k < metrics.length; k++) checkMetric(metrics[k], `${sPath}.metrics[${k}]`);
    }
  }
}

export function checkMetric(metric: Json, path: string): void {
  checkKeyValues(metric, 'metadata', path);
  for (const kind of METRIC_KINDS) {
    const data = optionalObject(metric, kind, path);
    if (data) checkDataPoints(kind, data, `${path}.${kind}`);
  }
}

function checkTraces(request: Json): void {
  const resources = optionalObjectArray(request, 'resourceSpans', '$');
  for (let i = 0; i < resources.length; i++) {
    const rPath = `$.resourceSpans[${i}]`;
    checkResource(resources[i], rPath);
    const scopes = optionalObjectArray(resources[i], 'scopeSpans', rPath);
    for (let j = 0; j < scopes.length; j++) {
      const sPath = `${rPath}.scopeSpans[${j}]`;
      checkScope(scopes[j], sPath);
      const spans = optionalObjectArray(scopes[j], 'spans', sPath);
      for (let k = 0; k < spans.length; k++) checkSpan(spans[k], `${sPath}.spans[${k}]`);
    }
  }
}

export function checkSpan(span: Json, path: string): void {
  checkKeyValues(span, 'attributes', path);
  optionalObject(span, 'status', path);
  const events = optionalObjectArray(span, 'events', path);
  for (let e = 0; e < events.length; e++) checkKeyValues(events[e], 'attributes', `${path}.events[${e}]`);
  const links = optionalObjectArray(span, 'links', path);
  for (let l = 0; l < links.length; l++) checkKeyValues(links[l], 'attributes', `${path}.links[${l}]`);
}

/** Parses and checks an OTLP/JSON export request of `signal`; MalformedRequestError when it is not one. */
export function decodeJsonRequest<S extends Signal>(signal: S, text: string): ExportRequestBySignal[S] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new MalformedRequestError(`json: ${(error as Error).message}`);
  }
  if (!isObject(parsed)) fail('$', 'is not an object');
  if (signal === 'logs') checkLogs(parsed);
  else if (signal === 'metrics') checkMetrics(parsed);
  else checkTraces(parsed);
  return parsed as ExportRequestBySignal[S];
}
