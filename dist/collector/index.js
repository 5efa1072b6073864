import { createRequire as __WEBPACK_EXTERNAL_createRequire } from "module";
/******/ var __webpack_modules__ = ({

/***/ 522:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:zlib");

/***/ })

/******/ });
/************************************************************************/
/******/ // The module cache
/******/ var __webpack_module_cache__ = {};
/******/ 
/******/ // The require function
/******/ function __nccwpck_require__(moduleId) {
/******/ 	// Check if module is in cache
/******/ 	var cachedModule = __webpack_module_cache__[moduleId];
/******/ 	if (cachedModule !== undefined) {
/******/ 		return cachedModule.exports;
/******/ 	}
/******/ 	// Create a new module (and put it into the cache)
/******/ 	var module = __webpack_module_cache__[moduleId] = {
/******/ 		// no module.id needed
/******/ 		// no module.loaded needed
/******/ 		exports: {}
/******/ 	};
/******/ 
/******/ 	// Execute the module function
/******/ 	var threw = true;
/******/ 	try {
/******/ 		__webpack_modules__[moduleId](module, module.exports, __nccwpck_require__);
/******/ 		threw = false;
/******/ 	} finally {
/******/ 		if(threw) delete __webpack_module_cache__[moduleId];
/******/ 	}
/******/ 
/******/ 	// Return the exports of the module
/******/ 	return module.exports;
/******/ }
/******/ 
/************************************************************************/
/******/ /* webpack/runtime/asset-relocator-loader */
/******/ if (typeof __nccwpck_require__ !== 'undefined') __nccwpck_require__.ab = decodeURIComponent(new URL('.', import.meta.url).pathname).slice(import.meta.url.match(/^file:\/\/\/\w:/) ? 1 : 0, -1) + "/";
/******/ 
/******/ /* webpack/runtime/compat get default export */
/******/ (() => {
/******/ 	// getDefaultExport function for compatibility with non-harmony modules
/******/ 	__nccwpck_require__.n = (module) => {
/******/ 		var getter = module && module.__esModule ?
/******/ 			() => (module['default']) :
/******/ 			() => (module);
/******/ 		__nccwpck_require__.d(getter, { a: getter });
/******/ 		return getter;
/******/ 	};
/******/ })();
/******/ 
/******/ /* webpack/runtime/create fake namespace object */
/******/ (() => {
/******/ 	var getProto = Object.getPrototypeOf ? (obj) => (Object.getPrototypeOf(obj)) : (obj) => (obj.__proto__);
/******/ 	var leafPrototypes;
/******/ 	// create a fake namespace object
/******/ 	// mode & 1: value is a module id, require it
/******/ 	// mode & 2: merge all properties of value into the ns
/******/ 	// mode & 4: return value when already ns object
/******/ 	// mode & 16: return value when it's Promise-like
/******/ 	// mode & 8|1: behave like require
/******/ 	__nccwpck_require__.t = function(value, mode) {
/******/ 		if(mode & 1) value = this(value);
/******/ 		if(mode & 8) return value;
/******/ 		if(typeof value === 'object' && value) {
/******/ 			if((mode & 4) && value.__esModule) return value;
/******/ 			if((mode & 16) && typeof value.then === 'function') return value;
/******/ 		}
/******/ 		var ns = Object.create(null);
/******/ 		__nccwpck_require__.r(ns);
/******/ 		var def = {};
/******/ 		leafPrototypes = leafPrototypes || [null, getProto({}), getProto([]), getProto(getProto)];
/******/ 		for(var current = mode & 2 && value; typeof current == 'object' && !~leafPrototypes.indexOf(current); current = getProto(current)) {
/******/ 			Object.getOwnPropertyNames(current).forEach((key) => (def[key] = () => (value[key])));
/******/ 		}
/******/ 		def['default'] = () => (value);
/******/ 		__nccwpck_require__.d(ns, def);
/******/ 		return ns;
/******/ 	};
/******/ })();
/******/ 
/******/ /* webpack/runtime/define property getters */
/******/ (() => {
/******/ 	// define getter functions for harmony exports
/******/ 	__nccwpck_require__.d = (exports, definition) => {
/******/ 		for(var key in definition) {
/******/ 			if(__nccwpck_require__.o(definition, key) && !__nccwpck_require__.o(exports, key)) {
/******/ 				Object.defineProperty(exports, key, { enumerable: true, get: definition[key] });
/******/ 			}
/******/ 		}
/******/ 	};
/******/ })();
/******/ 
/******/ /* webpack/runtime/hasOwnProperty shorthand */
/******/ (() => {
/******/ 	__nccwpck_require__.o = (obj, prop) => (Object.prototype.hasOwnProperty.call(obj, prop))
/******/ })();
/******/ 
/******/ /* webpack/runtime/make namespace object */
/******/ (() => {
/******/ 	// define __esModule on exports
/******/ 	__nccwpck_require__.r = (exports) => {
/******/ 		if(typeof Symbol !== 'undefined' && Symbol.toStringTag) {
/******/ 			Object.defineProperty(exports, Symbol.toStringTag, { value: 'Module' });
/******/ 		}
/******/ 		Object.defineProperty(exports, '__esModule', { value: true });
/******/ 	};
/******/ })();
/******/ 
/************************************************************************/
var __webpack_exports__ = {};

;// CONCATENATED MODULE: external "node:fs"
const external_node_fs_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:fs");
var external_node_fs_default = /*#__PURE__*/__nccwpck_require__.n(external_node_fs_namespaceObject);
;// CONCATENATED MODULE: ./src/forward/settings.ts
/** Forwarding settings shared by the collector's event forwarder and the post step's token metrics. */
const FORWARDER_DEFAULTS = {
    queueLimit: 10_000,
    batchMaxRecords: 512,
    batchMaxBytes: 4 * 1024 * 1024,
    batchDelayMs: 1_000,
    retryBudgetMs: 30_000,
    requestTimeoutMs: 10_000,
    initialBackoffMs: 250,
    maxBackoffMs: 5_000,
};
/** The collector's share of `ForwardConfig.shutdownLimitMs`; the post step's token metrics get the rest. */
const COLLECTOR_FLUSH_SHARE = 0.8;

;// CONCATENATED MODULE: external "node:http"
const external_node_http_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:http");
var external_node_http_default = /*#__PURE__*/__nccwpck_require__.n(external_node_http_namespaceObject);
;// CONCATENATED MODULE: external "node:https"
const external_node_https_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:https");
var external_node_https_default = /*#__PURE__*/__nccwpck_require__.n(external_node_https_namespaceObject);
;// CONCATENATED MODULE: ./src/beacon/redact.ts
/**
 * Secret redaction for every string we write (the schema page's "Size and secrets", plus GitHub
 * and AWS tokens). One combined pass per string: this runs on the collector's hot path.
 */
const REDACTED = '[REDACTED]';
// Each alternative captures what to keep (a prefix such as `password=`) in a named group;
// the rest of the match is the secret.
const PATTERNS = [
    // `Authorization: Bearer xyz`, `Bearer xyz`, `Basic xyz`
    String.raw `(?<scheme>\b(?:Bearer|Basic)\s+)[A-Za-z0-9\-._~+/]{8,}=*`,
    // `token <value>` only when the value looks like one (long), not "token counting"
    String.raw `(?<tokenWord>\btoken\s+)(?=[A-Za-z0-9_\-.]*\d)[A-Za-z0-9_\-.]{20,}`,
    // name=value / name: value, names ending in key, token, secret, password... (quotes allowed
    // around the name and the value, so JSON text is covered too)
    String.raw `(?<assign>\b[A-Za-z0-9_.\-]*(?:api[_-]?key|access[_-]?key|secret[_-]?key|private[_-]?key|key|token|secret|password|passwd|pwd|credentials?|authorization|auth)["']?\s*[:=]\s*["']?)(?!\[REDACTED\])(?:(?:Bearer|Basic|token)\s+)?[^\s"'&,;}\]]+`,
    // OpenAI-style keys (sk-..., sk-proj-...)
    String.raw `\bsk-(?:proj-|ant-)?[A-Za-z0-9_\-]{16,}`,
    // GitHub tokens
    String.raw `\b(?:ghp|gho|ghu|ghs|ghr)_[A-Za-z0-9]{30,}`,
    String.raw `\bgithub_pat_[A-Za-z0-9_]{20,}`,
    // AWS access key ids
    String.raw `\b(?:AKIA|ASIA)[A-Z0-9]{16}\b`,
    // Slack tokens, private key blocks
    String.raw `\bxox[abprs]-[A-Za-z0-9-]{10,}`,
    String.raw `-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?(?:-----END [A-Z ]*PRIVATE KEY-----|$)`,
];
const SECRET = new RegExp(PATTERNS.join('|'), 'gi');
// A cheap first check: most strings hold none of these, and skipping the big regex is faster.
const MAYBE_SECRET = /key|token|secret|pass|pwd|auth|cred|bearer|basic|sk-|gh[pousr]_|github_pat_|AKIA|ASIA|xox|PRIVATE/i;
function redactSecrets(text) {
    if (!MAYBE_SECRET.test(text))
        return text;
    return text.replace(SECRET, (...args) => {
        const groups = args[args.length - 1];
        const keep = groups.scheme ?? groups.tokenWord ?? groups.assign ?? '';
        return keep + REDACTED;
    });
}
// An object key that names a secret (`{"password": "..."}`): its string value is redacted whole.
const SECRET_KEY_NAME = /(?:^|[_.\-])(?:api[_-]?key|secret|password|passwd|pwd|token|credentials?|authorization|private[_-]?key)$/i;
/** Redacts every string inside a JSON-like value, in place; returns the value. */
// Deeper than anything the decoders keep (64 AnyValue levels) plus the event's own nesting.
const MAX_REDACT_DEPTH = 128;
function redactDeep(value, depth = 0) {
    if (value === null || typeof value !== 'object')
        return value;
    // Never leave a deeper value unchecked: what lies past the limit is replaced.
    if (depth > MAX_REDACT_DEPTH)
        return REDACTED;
    if (Array.isArray(value)) {
        for (let i = 0; i < value.length; i++) {
            const v = value[i];
            value[i] = typeof v === 'string' ? redactSecrets(v) : redactDeep(v, depth + 1);
        }
        return value;
    }
    const obj = value;
    for (const key of Object.keys(obj)) {
        const v = obj[key];
        if (typeof v === 'string')
            obj[key] = v && SECRET_KEY_NAME.test(key) ? REDACTED : redactSecrets(v);
        else
            obj[key] = redactDeep(v, depth + 1);
    }
    return value;
}

;// CONCATENATED MODULE: ./src/forward/endpoint.ts
/**
 * The `forward-endpoint` and `forward-headers` inputs: checks and parsing, pure, so that the start
 * step (which names the input on error) and the tests share them. Nothing leaves loopback in the
 * clear: a remote endpoint must be https.
 */
/** Paths of the OTLP/HTTP signals, appended to the base URL (OTLP specification, "OTLP/HTTP"). */
const SIGNAL_PATH = { logs: '/v1/logs', metrics: '/v1/metrics' };
/** 127.0.0.0/8, ::1 and localhost: the only hosts plain http may reach. */
function isLoopbackHost(hostname) {
    const host = hostname.toLowerCase();
    if (host === 'localhost' || host === '[::1]' || host === '::1')
        return true;
    const octets = /^127\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(host);
    return octets !== null && octets.slice(1).every((o) => Number(o) <= 255);
}
/**
 * The endpoint as a base URL without a trailing slash, or why it cannot be used. The value is
 * repeated in the problem only when it holds no credentials.
 */
function checkForwardEndpoint(text) {
    let url;
    try {
        url = new URL(text);
    }
    catch {
        return { problem: `must be an OTLP/HTTP base URL such as https://otel.example.com:4318, got "${text}"` };
    }
    if (url.username || url.password)
        return { problem: 'must not hold credentials: pass them in forward-headers (from secrets) instead' };
    if (url.protocol !== 'https:' && url.protocol !== 'http:')
        return { problem: `must be an https URL, got "${text}"` };
    if (url.protocol === 'http:' && !isLoopbackHost(url.hostname)) {
        return { problem: `must use https unless it is a loopback address (http://127.0.0.1, http://[::1], http://localhost), got "${text}"` };
    }
    if (url.search || url.hash)
        return { problem: `must not have a query or fragment, got "${text}"` };
    const base = url.href.replace(/\/+$/, '');
    const signalPath = Object.values(SIGNAL_PATH).find((p) => url.pathname.replace(/\/+$/, '').endsWith(p));
    if (signalPath)
        return { problem: `is the base URL: leave out "${signalPath}" (the action appends /v1/logs and /v1/metrics), got "${text}"` };
    return { value: base };
}
/** The URL one signal is posted to. */
function signalUrl(endpoint, signal) {
    return endpoint.replace(/\/+$/, '') + SIGNAL_PATH[signal];
}
// RFC 9110 token characters.
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
// Set by the exporter itself: a user value would break the request.
const RESERVED_HEADERS = new Set(['content-type', 'content-length', 'content-encoding', 'transfer-encoding', 'host', 'connection', 'keep-alive', 'te', 'upgrade', 'expect']);
const CONTROL = /[\u0000-\u0008\u000a-\u001f\u007f]/;
/**
 * `name=value` lines (values usually from secrets). Problems name the line and the header, never
 * the value. An empty value is refused: an unset secret expands to "".
 */
function parseForwardHeaders(text) {
    const headers = {};
    const seen = new Set();
    const lines = text.split(/\r?\n/);
    for (let i = 0; i < lines.length; i++) {
        const line = lines[i].trim();
        if (line === '')
            continue;
        const at = line.indexOf('=');
        if (at <= 0)
            return { problem: `line ${i + 1} is not name=value` };
        const name = line.slice(0, at).trim();
        const value = line.slice(at + 1).trim();
        if (!HEADER_NAME.test(name))
            return { problem: `line ${i + 1}: "${name.slice(0, 64)}" is not a valid header name` };
        const lower = name.toLowerCase();
        if (RESERVED_HEADERS.has(lower))
            return { problem: `line ${i + 1}: "${name}" is set by the action and cannot be given` };
        if (seen.has(lower))
            return { problem: `line ${i + 1}: "${name}" is given twice` };
        if (value === '')
            return { problem: `line ${i + 1}: the value of "${name}" is empty (is the secret set?)` };
        if (CONTROL.test(value))
            return { problem: `line ${i + 1}: the value of "${name}" holds control characters` };
        seen.add(lower);
        headers[name] = value;
    }
    return { value: headers };
}
/** What the end of the job may spend on forwarding, at most (collector flush and token metrics). */
const DEFAULT_FORWARD_SHUTDOWN_LIMIT_MS = 10_000;

;// CONCATENATED MODULE: ./src/forward/exporter.ts
/**
 * One OTLP/HTTP JSON export with the retries the OTLP specification describes
 * (https://opentelemetry.io/docs/specs/otlp/#otlphttp-response): 429, 502, 503 and 504 and network
 * errors are retried, after `Retry-After` when the answer gives one, else after an exponential
 * backoff with jitter; any other answer is final. A 2xx may still reject some records (partial
 * success): those are counted, never resent. Every wait and request ends by a deadline.
 */




const RETRYABLE_STATUS = new Set([429, 502, 503, 504]);
const PARTIAL_SUCCESS_FIELD = { logs: 'rejectedLogRecords', metrics: 'rejectedDataPoints' };
const MAX_RESPONSE_BYTES = 64 * 1024;
/** `Retry-After`: delay-seconds or an HTTP-date (RFC 9110). */
function parseRetryAfter(value, now = Date.now()) {
    if (!value)
        return undefined;
    const text = value.trim();
    if (/^\d+$/.test(text))
        return Number(text) * 1000;
    const date = Date.parse(text);
    return Number.isFinite(date) ? Math.max(0, date - now) : undefined;
}
/** Exponential backoff with equal jitter: between half and all of min(max, initial × 2^(n-1)). */
function backoffMs(retry, timing, random = Math.random) {
    const ceiling = Math.min(timing.maxBackoffMs, timing.initialBackoffMs * 2 ** Math.max(0, retry - 1));
    return ceiling / 2 + random() * (ceiling / 2);
}
function describe(text) {
    return redactSecrets(text.replace(/\s+/g, ' ').trim()).slice(0, 300);
}
/** The OTLP Status message of an error answer (JSON), else the start of the body. */
function statusMessage(body) {
    try {
        const parsed = JSON.parse(body);
        if (typeof parsed.message === 'string')
            return describe(parsed.message);
    }
    catch {
        // not JSON: the raw text says more than nothing
    }
    return describe(body);
}
class OtlpHttpExporter {
    endpoint;
    headers;
    timing;
    random;
    agent;
    constructor(endpoint, headers, timing, random = Math.random) {
        this.endpoint = endpoint;
        this.headers = headers;
        this.timing = timing;
        this.random = random;
        const isHttps = endpoint.startsWith('https:');
        // One connection, kept alive between batches; only one request is in flight at a time anyway.
        this.agent = isHttps ? new (external_node_https_default()).Agent({ keepAlive: true, maxSockets: 1 }) : new (external_node_http_default()).Agent({ keepAlive: true, maxSockets: 1 });
    }
    async export(signal, body, options) {
        const url = signalUrl(this.endpoint, signal);
        const payload = Buffer.from(body, 'utf8');
        let attempts = 0;
        let lastError = '';
        for (;;) {
            if (options.abort?.aborted)
                return { ok: false, attempts, rejectedRecords: 0, reason: 'shutdown_limit', error: lastError || 'not sent before the time limit' };
            const remaining = options.deadline() - Date.now();
            if (remaining <= 0)
                return { ok: false, attempts, rejectedRecords: 0, reason: options.deadlineReason(), error: lastError || 'not sent before the time limit' };
            attempts += 1;
            const attempt = await this.post(url, payload, Math.min(this.timing.requestTimeoutMs, remaining), options.abort);
            let waitMs;
            if (attempt.kind === 'answer' && attempt.status >= 200 && attempt.status < 300) {
                return { ok: true, attempts, ...this.partialSuccess(signal, attempt.body) };
            }
            if (attempt.kind === 'answer') {
                lastError = `HTTP ${attempt.status}${attempt.body ? `: ${statusMessage(attempt.body)}` : ''}`;
                if (!RETRYABLE_STATUS.has(attempt.status))
                    return { ok: false, attempts, rejectedRecords: 0, reason: 'rejected', error: lastError };
                waitMs = attempt.retryAfterMs ?? backoffMs(attempts, this.timing, this.random);
            }
            else {
                lastError = attempt.error;
                waitMs = backoffMs(attempts, this.timing, this.random);
            }
            if (options.abort?.aborted)
                return { ok: false, attempts, rejectedRecords: 0, reason: 'shutdown_limit', error: lastError };
            // A wait that ends past the deadline would only delay the give-up.
            if (Date.now() + waitMs >= options.deadline())
                return { ok: false, attempts, rejectedRecords: 0, reason: options.deadlineReason(), error: lastError };
            await sleep(waitMs, options.abort);
        }
    }
    /** Closes the kept-alive connection. */
    close() {
        this.agent.destroy();
    }
    partialSuccess(signal, body) {
        if (!body)
            return { rejectedRecords: 0 };
        try {
            const partial = JSON.parse(body).partialSuccess;
            const rejected = Number(partial?.[PARTIAL_SUCCESS_FIELD[signal]] ?? 0);
            if (!Number.isFinite(rejected) || rejected <= 0)
                return { rejectedRecords: 0 };
            const message = typeof partial?.errorMessage === 'string' ? `: ${describe(partial.errorMessage)}` : '';
            return { rejectedRecords: rejected, error: `the receiver rejected ${rejected} records${message}` };
        }
        catch {
            return { rejectedRecords: 0 }; // an answer we cannot read is still a 2xx
        }
    }
    post(url, payload, timeoutMs, abort) {
        return new Promise((resolve) => {
            const client = url.startsWith('https:') ? (external_node_https_default()) : (external_node_http_default());
            let settled = false;
            const done = (attempt) => {
                if (settled)
                    return;
                settled = true;
                clearTimeout(timer);
                abort?.removeEventListener('abort', onAbort);
                resolve(attempt);
            };
            const req = client.request(url, {
                method: 'POST',
                agent: this.agent,
                headers: { ...this.headers, 'content-type': 'application/json', 'content-length': String(payload.length), 'user-agent': 'beacon-action' },
            }, (res) => {
                const chunks = [];
                let size = 0;
                res.on('data', (chunk) => {
                    size += chunk.length;
                    if (size <= MAX_RESPONSE_BYTES)
                        chunks.push(chunk);
                });
                res.on('end', () => {
                    const retryAfter = res.headers['retry-after'];
                    done({ kind: 'answer', status: res.statusCode ?? 0, retryAfterMs: parseRetryAfter(Array.isArray(retryAfter) ? retryAfter[0] : retryAfter), body: Buffer.concat(chunks).toString('utf8') });
                });
                res.on('error', (error) => done({ kind: 'network', error: describe(error.message) }));
            });
            const timer = setTimeout(() => req.destroy(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
            const onAbort = () => req.destroy(new Error('the time limit was reached'));
            abort?.addEventListener('abort', onAbort, { once: true });
            req.on('error', (error) => done({ kind: 'network', error: describe(error.code && !error.message.includes(error.code) ? `${error.code}: ${error.message}` : error.message) }));
            req.end(payload);
        });
    }
}
function sleep(ms, abort) {
    return new Promise((resolve) => {
        if (abort?.aborted)
            return resolve();
        const timer = setTimeout(finish, ms);
        function finish() {
            clearTimeout(timer);
            abort?.removeEventListener('abort', finish);
            resolve();
        }
        abort?.addEventListener('abort', finish, { once: true });
    });
}

;// CONCATENATED MODULE: ./src/beacon/event.ts
/**
 * Beacon runtime events, schema 1.0: the contract of every line we write
 * (see the project's shared `beacon-runtime-schema.md`). Readers ignore unknown keys but reject a
 * known key of the wrong type, so every field here has exactly the type the readers expect.
 */
const SCHEMA_VERSION = '1.0';
/** The actions and harness name the reports and the post step key on. */
const ACTION = {
    sessionStarted: 'session.started',
    promptSubmitted: 'prompt.submitted',
    approvalRequested: 'approval.requested',
    approvalDenied: 'approval.denied',
    commandExecuted: 'command.executed',
    toolInvoked: 'tool.invoked',
    tokenUsage: 'token.usage',
    span: 'span.recorded',
    otherLog: 'otel.log',
    otherMetric: 'otel.metric',
};

;// CONCATENATED MODULE: ./src/forward/otlp-json.ts
/**
 * OTLP/JSON writing (https://opentelemetry.io/docs/specs/otlp/#json-protobuf-encoding): camelCase
 * keys, 64-bit integers as decimal strings, enums as numbers, trace and span ids as hex. Written by
 * hand: the SDK's serializers are not part of the action's runtime dependencies.
 */

/** The scope of everything we send. */
const SCOPE = { name: 'beacon-action' };
/** A scalar (or an array of scalars) as an AnyValue; undefined for what OTLP cannot hold (NaN, nested objects). */
function anyValue(value) {
    switch (typeof value) {
        case 'string':
            return { stringValue: value };
        case 'boolean':
            return { boolValue: value };
        case 'number':
            if (Number.isSafeInteger(value))
                return { intValue: String(value) };
            return Number.isFinite(value) ? { doubleValue: value } : undefined;
        case 'bigint':
            return { intValue: value.toString() };
        default:
            if (Array.isArray(value)) {
                const values = value.map(anyValue);
                if (values.every((v) => v !== undefined && !('arrayValue' in v)))
                    return { arrayValue: { values: values } };
                return { stringValue: JSON.stringify(value) };
            }
            return undefined;
    }
}
/** Adds `key` = `value` to a list when the value can be represented and is not empty. */
function pushAttribute(list, key, value) {
    if (value === undefined || value === null || value === '')
        return;
    const v = anyValue(value);
    if (v)
        list.push({ key, value: v });
}
const RFC3339_UTC = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d+))?Z$/;
/** `2026-06-13T18:00:05.123456789Z` → nanoseconds since the epoch as a decimal string (every digit kept). */
function isoToUnixNanos(iso) {
    const match = RFC3339_UTC.exec(iso);
    if (!match)
        return undefined;
    const ms = Date.parse(`${match[1]}Z`);
    if (!Number.isFinite(ms))
        return undefined;
    const fraction = (match[2] ?? '').slice(0, 9).padEnd(9, '0');
    return (BigInt(ms / 1000) * 1000000000n + BigInt(fraction)).toString();
}
function msToUnixNanos(ms) {
    return (BigInt(Math.round(ms)) * 1000000n).toString();
}
/**
 * Resource attributes of a run: the CI/CD and VCS semantic conventions where they have a name
 * (cicd.pipeline.*, vcs.*, host.name, os.type), `service.name` = the harness, `beacon.*` for the rest.
 */
function resourceAttributes(attribution, serviceName) {
    const list = [];
    const run = attribution.run;
    pushAttribute(list, 'service.name', serviceName);
    pushAttribute(list, 'cicd.pipeline.name', run?.workflow);
    pushAttribute(list, 'cicd.pipeline.run.id', run?.run_id);
    if (run?.provider === 'github_actions' && attribution.repository && run.run_id) {
        const attempt = run.run_attempt ? `/attempts/${run.run_attempt}` : '';
        pushAttribute(list, 'cicd.pipeline.run.url.full', `${attribution.repository}/actions/runs/${run.run_id}${attempt}`);
    }
    pushAttribute(list, 'cicd.pipeline.task.name', run?.job);
    pushAttribute(list, 'vcs.repository.url.full', attribution.repository);
    pushAttribute(list, 'vcs.ref.head.name', attribution.branch ?? run?.branch);
    pushAttribute(list, 'vcs.ref.head.revision', run?.commit);
    pushAttribute(list, 'vcs.change.id', run?.pr_number);
    if (run?.provider === 'github_actions')
        pushAttribute(list, 'vcs.provider.name', 'github');
    pushAttribute(list, 'host.name', attribution.endpoint.hostname);
    pushAttribute(list, 'os.type', attribution.endpoint.os);
    pushAttribute(list, 'beacon.origin', attribution.origin);
    if (run) {
        // Everything of the run not named above, under beacon.run.* (provider, attempt, event, actor, ...).
        const named = new Set(['workflow', 'run_id', 'job', 'commit', 'branch', 'pr_number']);
        for (const [key, value] of Object.entries(run)) {
            if (!named.has(key))
                pushAttribute(list, `beacon.run.${key === 'run_attempt' ? 'attempt' : key}`, value);
        }
    }
    pushAttribute(list, 'beacon.schema_version', SCHEMA_VERSION);
    return list;
}

;// CONCATENATED MODULE: ./src/forward/log-records.ts
/**
 * A Beacon event as an OTLP log record: body = the event's message; attributes = the event's
 * fields flattened under their Beacon names (`event.action`, `tool.name`, `command.command`,
 * `session.id`, ...), so a consumer filters by action or tool without parsing anything; `raw` as one
 * JSON string attribute, `beacon.raw`. What is the same for the whole run (endpoint, CI run,
 * repository, branch, harness) is on the resource instead (`resourceAttributes`).
 */


/** Per-run fields (on the resource) and fields placed elsewhere in the record. */
const NOT_ATTRIBUTES = new Set(['timestamp', 'vendor', 'product', 'schema_version', 'severity', 'endpoint', 'origin', 'run', 'repository', 'branch', 'harness', 'message', 'raw']);
/** OTLP SeverityNumber of each Beacon severity (INFO, INFO2, WARN, ERROR, FATAL). */
const SEVERITY_NUMBER = { info: 9, low: 10, medium: 13, high: 17, critical: 21 };
const TRACE_ID = /^[0-9a-f]{32}$/;
const SPAN_ID = /^[0-9a-f]{16}$/;
const MAX_DEPTH = 8;
/**
 * Whether an event is forwarded as a log record. Token events are not: their usage is normalized
 * only by the post step, which sends it as the `gen_ai.client.token.usage` metric.
 */
function isForwardedAsLog(event) {
    return event.event.action !== ACTION.tokenUsage;
}
function flatten(list, prefix, value, depth) {
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
        if (depth >= MAX_DEPTH) {
            pushAttribute(list, prefix, JSON.stringify(value));
            return;
        }
        for (const [key, inner] of Object.entries(value))
            flatten(list, `${prefix}.${key}`, inner, depth + 1);
        return;
    }
    // Empty strings are kept: an empty tool name is still what the event says.
    if (value === '')
        list.push({ key: prefix, value: { stringValue: '' } });
    else
        pushAttribute(list, prefix, value);
}
function logRecordOf(event, observedTimeUnixNano) {
    const attributes = [];
    for (const [key, value] of Object.entries(event)) {
        if (!NOT_ATTRIBUTES.has(key))
            flatten(attributes, key, value, 0);
    }
    if (event.raw !== undefined)
        attributes.push({ key: 'beacon.raw', value: { stringValue: JSON.stringify(event.raw) } });
    const record = {
        observedTimeUnixNano,
        severityNumber: SEVERITY_NUMBER[event.severity] ?? 9,
        severityText: event.severity,
        body: { stringValue: event.message ?? event.event.action },
        attributes,
    };
    const time = isoToUnixNanos(event.timestamp);
    if (time)
        record.timeUnixNano = time;
    if (event.trace?.id && TRACE_ID.test(event.trace.id))
        record.traceId = event.trace.id;
    if (event.trace?.span_id && SPAN_ID.test(event.trace.span_id))
        record.spanId = event.trace.span_id;
    return record;
}

;// CONCATENATED MODULE: ./src/collector/forwarder.ts




/** Records encoded between two yields to the event loop. */
const ENCODE_SLICE = 64;
function emptyForwardStats() {
    return { recordsQueued: 0, batchesSent: 0, recordsSent: 0, batchesRetried: 0, retries: 0, batchesDropped: 0, recordsDropped: {} };
}
class EventForwarder {
    attribution;
    log;
    stats = emptyForwardStats();
    options;
    exporter;
    resources = new Map();
    queue = [];
    head = 0;
    timer;
    immediate;
    pumping;
    closing = false;
    shutdownDeadline = Infinity;
    abort = new AbortController();
    constructor(config, attribution, options = {}, log = () => { }) {
        this.attribution = attribution;
        this.log = log;
        this.options = { ...FORWARDER_DEFAULTS, ...options };
        this.exporter = new OtlpHttpExporter(config.endpoint, config.headers, this.options);
    }
    get queued() {
        return this.queue.length - this.head;
    }
    accept(events) {
        try {
            for (const event of events) {
                if (!isForwardedAsLog(event))
                    continue;
                if (this.closing || this.queued >= this.options.queueLimit) {
                    this.drop('queue_full', 1);
                    continue;
                }
                this.queue.push(event);
                this.stats.recordsQueued += 1;
            }
            this.schedule();
        }
        catch (error) {
            // Never fail the request: its events are on disk already, and a retry by Codex would duplicate them.
            this.log(`forwarding: could not queue events: ${error.message}`);
        }
    }
    /**
     * Sends what is still queued within `limitMs`, then drops and counts the rest; returns the
     * final counters. Later events are refused.
     */
    async close(limitMs) {
        const started = Date.now();
        this.closing = true;
        this.shutdownDeadline = started + limitMs;
        const limit = setTimeout(() => this.abort.abort(), limitMs);
        try {
            while (!this.abort.signal.aborted && (this.queued > 0 || this.pumping)) {
                this.kick();
                await this.pumping;
            }
        }
        finally {
            clearTimeout(limit);
            clearTimeout(this.timer);
            if (this.immediate)
                clearImmediate(this.immediate);
        }
        const left = this.queued;
        if (left > 0) {
            this.drop('shutdown_limit', left);
            this.stats.lastError ??= `${left} events were still queued when the time limit of ${limitMs} ms was reached`;
        }
        this.queue = [];
        this.head = 0;
        this.exporter.close();
        this.stats.flushMs = Date.now() - started;
        this.log(`forwarding: ${this.stats.recordsSent} of ${this.stats.recordsQueued} events sent in ${this.stats.batchesSent} batches, ${this.stats.retries} retries, dropped ${JSON.stringify(this.stats.recordsDropped)}; flush took ${this.stats.flushMs} ms`);
        return this.stats;
    }
    /** Starts sending now when a batch is full (or at shutdown), else within the batch delay. */
    schedule() {
        if (this.pumping || this.queued === 0)
            return;
        if (this.closing || this.queued >= this.options.batchMaxRecords) {
            // Not in this call: accept() runs while Codex waits for its answer.
            this.immediate ??= setImmediate(() => {
                this.immediate = undefined;
                this.kick();
            });
        }
        else {
            this.timer ??= setTimeout(() => {
                this.timer = undefined;
                this.kick();
            }, this.options.batchDelayMs);
        }
    }
    kick() {
        if (this.pumping || this.queued === 0)
            return;
        clearTimeout(this.timer);
        this.timer = undefined;
        this.pumping = this.pump()
            .catch((error) => this.log(`forwarding: unexpected error: ${error.stack ?? String(error)}`))
            .finally(() => {
            this.pumping = undefined;
            if (!this.abort.signal.aborted)
                this.schedule();
        });
    }
    async pump() {
        while (this.queued > 0 && !this.abort.signal.aborted) {
            await this.sendBatch();
            // Leftovers smaller than a batch wait for the batch delay, unless we are shutting down.
            if (!this.closing && this.queued < this.options.batchMaxRecords)
                break;
        }
    }
    async sendBatch() {
        const observed = msToUnixNanos(Date.now());
        const byService = new Map();
        let bytes = 0;
        let count = 0;
        while (this.queued > 0 && count < this.options.batchMaxRecords && bytes < this.options.batchMaxBytes) {
            const event = this.queue[this.head];
            this.head += 1;
            const record = JSON.stringify(logRecordOf(event, observed));
            const service = event.harness.name;
            let records = byService.get(service);
            if (!records)
                byService.set(service, (records = []));
            records.push(record);
            bytes += record.length;
            count += 1;
            // Let Codex's requests in between: encoding a large batch in one go would hold them up.
            if (count % ENCODE_SLICE === 0)
                await new Promise((resolve) => setImmediate(resolve));
        }
        this.compact();
        const body = this.logsBody(byService);
        const started = Date.now();
        const outcome = await this.exporter.export('logs', body, {
            deadline: () => Math.min(started + this.options.retryBudgetMs, this.shutdownDeadline),
            deadlineReason: () => (this.shutdownDeadline <= started + this.options.retryBudgetMs ? 'shutdown_limit' : 'retries_exhausted'),
            abort: this.abort.signal,
        });
        if (outcome.attempts > 1) {
            this.stats.batchesRetried += 1;
            this.stats.retries += outcome.attempts - 1;
        }
        if (outcome.ok) {
            this.stats.batchesSent += 1;
            this.stats.recordsSent += count - Math.min(count, outcome.rejectedRecords);
            if (outcome.rejectedRecords > 0) {
                this.drop('rejected', Math.min(count, outcome.rejectedRecords));
                this.stats.lastError = outcome.error;
            }
            return;
        }
        this.stats.batchesDropped += 1;
        this.drop(outcome.reason ?? 'rejected', count);
        this.stats.lastError = outcome.error;
        this.log(`forwarding: a batch of ${count} events was dropped (${outcome.reason}): ${outcome.error}`);
    }
    logsBody(byService) {
        const resourceLogs = [];
        for (const [service, records] of byService) {
            let resource = this.resources.get(service);
            if (!resource)
                this.resources.set(service, (resource = JSON.stringify({ attributes: resourceAttributes(this.attribution, service) })));
            resourceLogs.push(`{"resource":${resource},"scopeLogs":[{"scope":${JSON.stringify(SCOPE)},"logRecords":[${records.join(',')}]}]}`);
        }
        return `{"resourceLogs":[${resourceLogs.join(',')}]}`;
    }
    /** Drops the sent part of the queue's array now and then, so that it does not grow forever. */
    compact() {
        if (this.head > 1024 && this.head * 2 > this.queue.length) {
            this.queue = this.queue.slice(this.head);
            this.head = 0;
        }
    }
    drop(reason, count) {
        this.stats.recordsDropped[reason] = (this.stats.recordsDropped[reason] ?? 0) + count;
    }
}

;// CONCATENATED MODULE: ./src/handoff/collector-config.ts
const SECRET_HEADER = 'x-beacon-secret';
const HEALTH_PATH = '/health';
const SHUTDOWN_PATH = '/shutdown';

;// CONCATENATED MODULE: ./src/beacon/envelope.ts

/** A new event with the required envelope and the run's attribution; the caller adds the rest. */
function newEvent(attribution, fields) {
    const event = {
        timestamp: fields.timestamp,
        vendor: 'beacon',
        product: 'endpoint-agent',
        schema_version: SCHEMA_VERSION,
        event: { kind: 'agent_runtime', action: fields.action, category: fields.category },
        severity: fields.severity ?? 'info',
        endpoint: attribution.endpoint,
        harness: { name: fields.harness },
    };
    if (attribution.origin)
        event.origin = attribution.origin;
    if (attribution.run)
        event.run = attribution.run;
    if (attribution.repository)
        event.repository = attribution.repository;
    if (attribution.branch)
        event.branch = attribution.branch;
    return event;
}

;// CONCATENATED MODULE: ./src/collector/otlp/values.ts
/** Deeper AnyValue arrays/kvlists are cut off: protects recursion from hostile input. */
const MAX_ANY_VALUE_DEPTH = 64;
/** Stands in for a value nested deeper than MAX_ANY_VALUE_DEPTH. */
const DEPTH_LIMIT_MARKER = '[nested too deep]';
const INTEGER_STRING = /^-?\d+$/;
/** The canonical decimal string of an Int64, or undefined when `v` is absent or not an integer. */
function toInt64String(v) {
    if (typeof v === 'string') {
        if (!INTEGER_STRING.test(v))
            return undefined;
        // Fast path: already canonical (no leading zeros, no "-0").
        if (v.length === 1 || (v.charCodeAt(0) !== 48 && !(v.charCodeAt(0) === 45 && v.charCodeAt(1) === 48)))
            return v;
        return BigInt(v).toString();
    }
    if (typeof v === 'number') {
        if (!Number.isInteger(v))
            return undefined;
        // An integer double above 2^53 still names one exact integer: BigInt spells all its digits
        // (String() would write 1.152921504606847e+21 or round the last digits).
        return Number.isSafeInteger(v) ? String(v === 0 ? 0 : v) : BigInt(v).toString();
    }
    return undefined;
}
/** An Int64 as a JS number (beyond 2^53 it is rounded), or undefined when absent or not an integer. */
function toNumber(v) {
    if (typeof v === 'number')
        return Number.isFinite(v) ? v : undefined;
    if (typeof v === 'string' && INTEGER_STRING.test(v))
        return Number(v);
    return undefined;
}
function bytesBase64ToJs(v) {
    return typeof v === 'string' ? v : undefined;
}
function intToJs(v) {
    if (typeof v === 'number')
        return Number.isFinite(v) ? v : undefined;
    if (typeof v === 'string' && INTEGER_STRING.test(v)) {
        const n = Number(v);
        // Keep the exact digits when a double cannot hold them.
        return Number.isSafeInteger(n) ? n : toInt64String(v);
    }
    return undefined;
}
function doubleToJs(v) {
    if (typeof v === 'number')
        return v;
    // Proto3 JSON spells non-finite doubles "NaN", "Infinity", "-Infinity"; keep them readable.
    if (typeof v === 'string')
        return v;
    return undefined;
}
/**
 * An AnyValue as a plain JS value: string, boolean, number (an int that fits a double exactly,
 * else its decimal string), base64 string for bytes, array, object for a kvlist. An empty AnyValue
 * is undefined. Nesting deeper than MAX_ANY_VALUE_DEPTH becomes DEPTH_LIMIT_MARKER.
 */
function anyValueToJs(v, depth = 0) {
    if (v === null || typeof v !== 'object')
        return undefined;
    if (v.stringValue !== undefined)
        return typeof v.stringValue === 'string' ? v.stringValue : undefined;
    if (v.boolValue !== undefined)
        return typeof v.boolValue === 'boolean' ? v.boolValue : undefined;
    if (v.intValue !== undefined)
        return intToJs(v.intValue);
    if (v.doubleValue !== undefined)
        return doubleToJs(v.doubleValue);
    if (v.bytesValue !== undefined)
        return bytesBase64ToJs(v.bytesValue);
    if (v.arrayValue !== undefined) {
        if (depth >= MAX_ANY_VALUE_DEPTH)
            return DEPTH_LIMIT_MARKER;
        const values = v.arrayValue?.values;
        if (!Array.isArray(values))
            return [];
        const out = new Array(values.length);
        for (let i = 0; i < values.length; i++)
            out[i] = anyValueToJs(values[i], depth + 1);
        return out;
    }
    if (v.kvlistValue !== undefined) {
        if (depth >= MAX_ANY_VALUE_DEPTH)
            return DEPTH_LIMIT_MARKER;
        return keyValuesToObject(v.kvlistValue?.values, depth + 1);
    }
    return undefined;
}
function setOwn(target, key, value) {
    // A plain assignment of "__proto__" would replace the prototype instead of adding a key.
    if (key === '__proto__')
        Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
    else
        target[key] = value;
}
function keyValuesToObject(kvs, depth) {
    const out = {};
    if (!Array.isArray(kvs))
        return out;
    for (const kv of kvs) {
        if (kv === null || typeof kv !== 'object' || typeof kv.key !== 'string')
            continue;
        setOwn(out, kv.key, anyValueToJs(kv.value, depth));
    }
    return out;
}
/** Attributes as an object (a repeated key: the last one wins, as OTLP receivers commonly do). */
function attributesToObject(kvs) {
    return keyValuesToObject(kvs, 0);
}
/** The JS value of the attribute `key` (the last one if repeated), or undefined. */
function getAttribute(kvs, key) {
    if (!Array.isArray(kvs))
        return undefined;
    for (let i = kvs.length - 1; i >= 0; i--) {
        const kv = kvs[i];
        if (kv !== null && typeof kv === 'object' && kv.key === key)
            return anyValueToJs(kv.value);
    }
    return undefined;
}
/** 9999-12-31T23:59:59Z: later instants have no RFC 3339 spelling. */
const MAX_RFC3339_SECONDS = 253402300799;
/**
 * Unix nanoseconds as RFC 3339 UTC. The fraction keeps 3, 6 or 9 digits (the shortest that loses
 * nothing) and disappears on a whole second: `2026-06-13T18:00:05.123456789Z`,
 * `2026-06-13T18:00:05.120Z`, `2026-06-13T18:00:05Z`. 0, absent, negative or past year 9999: undefined.
 */
function nanosToIso(v) {
    const digits = toInt64String(v);
    if (digits === undefined || digits === '0' || digits.charCodeAt(0) === 45)
        return undefined;
    const seconds = digits.length > 9 ? Number(digits.slice(0, -9)) : 0;
    if (seconds > MAX_RFC3339_SECONDS)
        return undefined;
    const fraction = digits.length > 9 ? digits.slice(-9) : digits.padStart(9, '0');
    const whole = new Date(seconds * 1000).toISOString().slice(0, 19); // YYYY-MM-DDTHH:MM:SS
    if (fraction === '000000000')
        return `${whole}Z`;
    const kept = fraction.endsWith('000000') ? fraction.slice(0, 3) : fraction.endsWith('000') ? fraction.slice(0, 6) : fraction;
    return `${whole}.${kept}Z`;
}
/** The Beacon name of an OTLP aggregation temporality (number, numeric string or enum name). */
function temporalityName(t) {
    switch (t) {
        case 1:
        case '1':
        case 'AGGREGATION_TEMPORALITY_DELTA':
            return 'Delta';
        case 2:
        case '2':
        case 'AGGREGATION_TEMPORALITY_CUMULATIVE':
            return 'Cumulative';
        default:
            return 'Unspecified';
    }
}

;// CONCATENATED MODULE: ./src/harness/common.ts



/** Shared by the harness rules: timestamps, `raw`, and the generic shapes of each signal. */
function logTimestamp(record, attributes, ctx) {
    // Codex leaves timeUnixNano at 0 and puts the time in observedTimeUnixNano and event.timestamp.
    const fromAttribute = attributes['event.timestamp'];
    if (typeof fromAttribute === 'string' && !Number.isNaN(Date.parse(fromAttribute))) {
        return new Date(fromAttribute).toISOString();
    }
    return nanosToIso(record.timeUnixNano) ?? nanosToIso(record.observedTimeUnixNano) ?? ctx.receivedAt;
}
function logRaw(record, attributes) {
    const raw = { otel_signal: 'logs', severity: record.severityText ?? '', attributes };
    return raw;
}
function spanEvent(span, ctx, harness) {
    const attributes = attributesToObject(span.attributes);
    if (!ctx.options.logUserPrompt)
        stripPromptAttributes(attributes);
    const start = nanosToIso(span.startTimeUnixNano);
    const startNs = toNumber(span.startTimeUnixNano);
    const endNs = toNumber(span.endTimeUnixNano);
    const event = newEvent(ctx.attribution, {
        timestamp: start ?? ctx.receivedAt,
        action: ACTION.span,
        category: 'trace',
        harness,
    });
    event.message = span.name ?? '';
    event.trace = {};
    if (span.traceId)
        event.trace.id = span.traceId;
    if (span.spanId)
        event.trace.span_id = span.spanId;
    if (span.parentSpanId)
        event.trace.parent_span_id = span.parentSpanId;
    event.raw = {
        otel_signal: 'traces',
        name: span.name ?? '',
        kind: span.kind ?? 0,
        duration_ms: startNs && endNs && endNs >= startNs ? Math.round((endNs - startNs) / 1e6) : 0,
        status: span.status ?? {},
        attributes,
    };
    return event;
}
/** Removes attributes that hold prompt text when the user did not opt in to prompt logging. */
function stripPromptAttributes(attributes) {
    for (const key of Object.keys(attributes)) {
        if (/prompt/i.test(key) && !/prompt_length$/i.test(key))
            delete attributes[key];
    }
}
/** Every data point of a metric with its type, temporality and a numeric value. */
function dataPointsOf(metric) {
    if (metric.histogram) {
        return {
            type: 'Histogram',
            temporality: temporalityName(metric.histogram.aggregationTemporality),
            points: (metric.histogram.dataPoints ?? []).map((p) => ({ point: p, value: jsonDouble(p.sum), count: toNumber(p.count) ?? 0 })),
        };
    }
    if (metric.sum) {
        return {
            type: 'Sum',
            temporality: temporalityName(metric.sum.aggregationTemporality),
            points: (metric.sum.dataPoints ?? []).map((p) => ({ point: p, value: numberPointValue(p), count: 1 })),
        };
    }
    if (metric.gauge) {
        return {
            type: 'Gauge',
            temporality: 'Unspecified',
            points: (metric.gauge.dataPoints ?? []).map((p) => ({ point: p, value: numberPointValue(p), count: 1 })),
        };
    }
    if (metric.exponentialHistogram) {
        return {
            type: 'ExponentialHistogram',
            temporality: temporalityName(metric.exponentialHistogram.aggregationTemporality),
            points: (metric.exponentialHistogram.dataPoints ?? []).map((p) => ({ point: p, value: p.sum ?? 0, count: toNumber(p.count) ?? 0 })),
        };
    }
    if (metric.summary) {
        return {
            type: 'Summary',
            temporality: 'Unspecified',
            points: (metric.summary.dataPoints ?? []).map((p) => ({ point: p, value: p.sum ?? 0, count: toNumber(p.count) ?? 0 })),
        };
    }
    return { type: 'Gauge', temporality: 'Unspecified', points: [] };
}
/** A double as OTLP/JSON may write it: a number, or a string ("NaN", "Infinity", "12"). */
function jsonDouble(value) {
    if (value === undefined)
        return 0;
    return typeof value === 'number' ? value : Number(value);
}
function numberPointValue(p) {
    if (p.asDouble !== undefined)
        return jsonDouble(p.asDouble);
    return toNumber(p.asInt) ?? 0;
}

;// CONCATENATED MODULE: ./src/harness/codex.ts




/**
 * The OpenAI Codex CLI: what we keep of its telemetry and how it maps to Beacon events
 * (schema page "Codex log events that are kept", "Token usage"; codex-telemetry.md).
 */
const HARNESS = 'codex_cli';
const TOKEN_METRIC = 'codex.turn.token_usage';
const DENIED_DECISIONS = new Set(['deny', 'denied', 'abort', 'rejected']);
/** The kept log events, keyed by the record's `event.name` attribute (not the OTLP eventName). */
const LOG_RULES = {
    'codex.conversation_starts': (record, attributes, ctx) => {
        const event = codexLogEvent(record, attributes, ctx, ACTION.sessionStarted, 'session');
        event.message = 'Codex session started';
        return event;
    },
    'codex.user_prompt': (record, attributes, ctx) => {
        const prompt = attributes.prompt; // read before codexLogEvent takes it out of raw
        const event = codexLogEvent(record, attributes, ctx, ACTION.promptSubmitted, 'prompt');
        event.message = 'Codex prompt submitted';
        // Codex sends "[REDACTED]" itself when its own log_user_prompt is off.
        if (ctx.options.logUserPrompt && typeof prompt === 'string' && prompt !== '[REDACTED]') {
            event.prompt = { text: prompt };
        }
        return event;
    },
    'codex.tool_decision': (record, attributes, ctx) => {
        const decision = String(attributes.decision ?? '');
        const denied = DENIED_DECISIONS.has(decision.toLowerCase());
        const event = codexLogEvent(record, attributes, ctx, denied ? ACTION.approvalDenied : ACTION.approvalRequested, 'approval');
        event.message = 'Codex tool decision';
        if (denied)
            event.severity = 'low';
        event.approval = { required: true, decision };
        if (attributes.source !== undefined)
            event.approval.reason = String(attributes.source);
        if (attributes.tool_name !== undefined)
            event.tool = { name: String(attributes.tool_name) };
        return event;
    },
    'codex.tool_result': (record, attributes, ctx) => {
        const toolName = String(attributes.tool_name ?? '');
        const args = typeof attributes.arguments === 'string' ? attributes.arguments : undefined;
        const commandLine = shellCommandOf(toolName, args);
        const event = codexLogEvent(record, attributes, ctx, commandLine !== undefined ? ACTION.commandExecuted : ACTION.toolInvoked, commandLine !== undefined ? 'command' : 'tool');
        event.message = toolName;
        event.tool = { name: toolName };
        if (args !== undefined)
            event.tool.command = args;
        const success = parseBool(attributes.success);
        if (success === false)
            event.severity = 'low';
        if (commandLine !== undefined) {
            event.command = { command: commandLine };
            const exitCode = exitCodeOf(attributes.output);
            if (exitCode !== undefined)
                event.command.exit_code = exitCode;
            const duration = parseInteger(attributes.duration_ms);
            if (duration !== undefined)
                event.command.duration_ms = duration;
            if (success !== undefined)
                event.command.success = success;
        }
        return event;
    },
};
function codexLogEvent(record, attributes, ctx, action, category) {
    const event = newEvent(ctx.attribution, { timestamp: logTimestamp(record, attributes, ctx), action, category, harness: HARNESS });
    const conversation = attributes['conversation.id'];
    if (typeof conversation === 'string' && conversation)
        event.session = { id: conversation };
    if (typeof attributes.model === 'string' && attributes.model)
        event.model = attributes.model;
    // The prompt lives in `prompt.text` (when allowed) and never in raw.
    delete attributes.prompt;
    event.raw = logRaw(record, attributes);
    return event;
}
/** The command line of a shell-like tool call: the `shell` tool, or JSON arguments with a string `cmd`. */
function shellCommandOf(toolName, args) {
    let parsed;
    try {
        parsed = args === undefined ? undefined : JSON.parse(args);
    }
    catch {
        parsed = undefined;
    }
    const obj = parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed) ? parsed : undefined;
    if (typeof obj?.cmd === 'string')
        return obj.cmd;
    if (toolName === 'shell' || toolName === 'local_shell') {
        const command = obj?.command;
        if (Array.isArray(command))
            return command.map(String).join(' ');
        if (typeof command === 'string')
            return command;
        return args ?? '';
    }
    return undefined;
}
/** Codex's exec output starts with "Process exited with code N". */
function exitCodeOf(output) {
    if (typeof output !== 'string')
        return undefined;
    const match = /Process exited with code (-?\d+)/.exec(output);
    return match ? Number(match[1]) : undefined;
}
function parseBool(value) {
    if (typeof value === 'boolean')
        return value;
    if (value === 'true')
        return true;
    if (value === 'false')
        return false;
    return undefined;
}
function parseInteger(value) {
    const n = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : NaN;
    return Number.isFinite(n) ? Math.round(n) : undefined;
}
function mapTokenMetric(metric, ctx) {
    const { type, temporality, points } = dataPointsOf(metric);
    // A token count must be a finite, non-negative number: anything else cannot be used.
    const usable = points.filter(({ value }) => typeof value === 'number' && Number.isFinite(value) && value >= 0);
    const events = usable.map(({ point, value, count }) => {
        const attributes = attributesToObject(point.attributes);
        const tokenType = String(attributes.token_type ?? 'unknown');
        const event = newEvent(ctx.attribution, {
            timestamp: nanosToIso(point.timeUnixNano) ?? ctx.receivedAt,
            action: ACTION.tokenUsage,
            category: 'metric',
            harness: HARNESS,
        });
        event.message = TOKEN_METRIC;
        if (typeof attributes.model === 'string' && attributes.model)
            event.model = attributes.model;
        // The post step fills `usage` (input minus cached, cumulative differences): see normalize-tokens.
        event.gen_ai = { token: { type: tokenType }, usage: {} };
        const raw = {
            otel_signal: 'metrics',
            metric_name: TOKEN_METRIC,
            metric_type: type === 'Sum' || type === 'Gauge' ? type : 'Histogram',
            metric_temporality: temporality === 'Cumulative' ? 'Cumulative' : 'Delta',
            metric_count: count,
            metric_value: Math.round(value),
            attributes,
            export_seq: ctx.exportSeq,
        };
        const start = nanosToIso(point.startTimeUnixNano);
        if (start)
            raw.metric_start_time = start;
        event.raw = raw;
        return event;
    });
    return { events, rejected: points.length - usable.length };
}
const codexRules = {
    harnessName: HARNESS,
    // `codex_exec`, `codex_github_action`, `codex_cli_rs`, ...
    claims: (serviceName) => serviceName.toLowerCase().includes('codex'),
    mapLogRecord(record, ctx) {
        // Look the name up before converting attributes: most records are dropped.
        const rule = LOG_RULES[String(getAttribute(record.attributes, 'event.name') ?? '')];
        if (!rule)
            return { dropped: 'codex_log_not_kept' };
        return { events: [rule(record, attributesToObject(record.attributes), ctx)] };
    },
    mapMetric(metric, ctx) {
        if (metric.name !== TOKEN_METRIC)
            return { dropped: 'codex_metric_not_kept' };
        return mapTokenMetric(metric, ctx);
    },
    mapSpan(span, ctx) {
        if (!ctx.options.includeSpans)
            return { dropped: 'codex_span_not_requested' };
        return { events: [spanEvent(span, ctx, HARNESS)] };
    },
};

;// CONCATENATED MODULE: ./src/harness/generic.ts




/**
 * Records from services we have no rules for: kept as generic events, harness named after the
 * service, so nothing that reached the collector is silently lost.
 */
function genericRules(serviceName) {
    const harness = serviceName || 'unknown';
    return {
        harnessName: harness,
        claims: () => true,
        mapLogRecord(record, ctx) {
            const attributes = attributesToObject(record.attributes);
            if (!ctx.options.logUserPrompt)
                stripPromptAttributes(attributes);
            const event = newEvent(ctx.attribution, { timestamp: logTimestamp(record, attributes, ctx), action: ACTION.otherLog, category: 'log', harness });
            const body = record.body === undefined || record.body === null ? undefined : anyValueToJs(record.body);
            const name = attributes['event.name'] ?? record.eventName;
            event.message = typeof body === 'string' && body ? body : typeof name === 'string' ? name : '';
            const raw = logRaw(record, attributes);
            if (body !== undefined)
                raw.body = body;
            event.raw = raw;
            return { events: [event] };
        },
        mapMetric(metric, ctx) {
            const { type, temporality, points } = dataPointsOf(metric);
            return {
                events: points.map(({ point, value, count }) => {
                    const event = newEvent(ctx.attribution, { timestamp: nanosToIso(point.timeUnixNano) ?? ctx.receivedAt, action: ACTION.otherMetric, category: 'metric', harness });
                    event.message = metric.name ?? '';
                    event.raw = {
                        otel_signal: 'metrics',
                        metric_name: metric.name ?? '',
                        metric_type: type,
                        metric_temporality: temporality,
                        metric_count: count,
                        metric_value: value,
                        attributes: attributesToObject(point.attributes),
                    };
                    return event;
                }),
            };
        },
        mapSpan(span, ctx) {
            return { events: [spanEvent(span, ctx, harness)] };
        },
    };
}

;// CONCATENATED MODULE: ./src/harness/index.ts


/** The harnesses we know, most specific first. A second harness (Claude Code) is one more entry. */
const KNOWN = [codexRules];
function rulesFor(serviceName) {
    return KNOWN.find((rules) => rules.claims(serviceName)) ?? genericRules(serviceName);
}

;// CONCATENATED MODULE: ./src/collector/keep-map.ts


function contextFor(resource, settings, exportSeq, receivedAt) {
    const resourceAttributes = attributesToObject(resource?.attributes);
    const serviceName = typeof resourceAttributes['service.name'] === 'string' ? resourceAttributes['service.name'] : '';
    return {
        rules: rulesFor(serviceName),
        ctx: { attribution: settings.attribution, options: settings.options, serviceName, resource: resourceAttributes, exportSeq, receivedAt },
    };
}
/** Walks an export request and applies the harness rules of each resource to each record. */
function keepAndMap(signal, request, settings, exportSeq) {
    const result = { events: [], received: 0, rejected: 0, dropped: {} };
    const receivedAt = new Date().toISOString();
    const apply = (mapped, records) => {
        result.received += records;
        try {
            const outcome = mapped();
            if (outcome.events) {
                for (const event of outcome.events)
                    result.events.push(event);
                result.rejected += outcome.rejected ?? 0;
            }
            else if (outcome.dropped) {
                result.dropped[outcome.dropped] = (result.dropped[outcome.dropped] ?? 0) + records;
            }
        }
        catch {
            // A record of a shape no rule expected: refuse it alone, keep the rest of the request.
            result.rejected += records;
        }
    };
    if (signal === 'logs') {
        for (const resourceLogs of request.resourceLogs ?? []) {
            const { ctx, rules } = contextFor(resourceLogs.resource, settings, exportSeq, receivedAt);
            for (const scopeLogs of resourceLogs.scopeLogs ?? []) {
                for (const record of scopeLogs.logRecords ?? [])
                    apply(() => rules.mapLogRecord(record, ctx), 1);
            }
        }
    }
    else if (signal === 'metrics') {
        for (const resourceMetrics of request.resourceMetrics ?? []) {
            const { ctx, rules } = contextFor(resourceMetrics.resource, settings, exportSeq, receivedAt);
            for (const scopeMetrics of resourceMetrics.scopeMetrics ?? []) {
                for (const metric of scopeMetrics.metrics ?? [])
                    apply(() => rules.mapMetric(metric, ctx), dataPointCount(metric));
            }
        }
    }
    else {
        for (const resourceSpans of request.resourceSpans ?? []) {
            const { ctx, rules } = contextFor(resourceSpans.resource, settings, exportSeq, receivedAt);
            for (const scopeSpans of resourceSpans.scopeSpans ?? []) {
                for (const span of scopeSpans.spans ?? [])
                    apply(() => rules.mapSpan(span, ctx), 1);
            }
        }
    }
    return result;
}
/** OTLP counts metrics in data points (`rejected_data_points`). */
function dataPointCount(metric) {
    const points = metric.gauge?.dataPoints ?? metric.sum?.dataPoints ?? metric.histogram?.dataPoints ?? metric.exponentialHistogram?.dataPoints ?? metric.summary?.dataPoints;
    return points?.length ?? 0;
}

;// CONCATENATED MODULE: ./src/collector/otlp/types.ts
/**
 * The in-memory shape of OTLP export requests: the OTLP/JSON mapping of the protobuf messages
 * (camelCase keys, as https://opentelemetry.io/docs/specs/otlp/#json-protobuf-encoding defines it).
 * Both decoders produce it, so one keep/map step serves both encodings.
 *
 * Conventions of the protobuf decoder (the JSON decoder passes through what the sender wrote,
 * so readers must accept both forms where noted):
 * - 64-bit integers (fixed64 times, int64/uint64 values, counts): decimal strings.
 *   JSON senders may write numbers: read them with `toInt64` / `toNumber` from `./values.js`.
 * - trace and span ids: lowercase hex strings. `bytesValue`: base64.
 * - enums: numbers. Fields at their proto3 default are omitted.
 */
/** A body that cannot be decoded: answered 400 with this message. */
class MalformedRequestError extends Error {
    name = 'MalformedRequestError';
}

;// CONCATENATED MODULE: ./src/collector/otlp/json.ts
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

function fail(path, what) {
    throw new MalformedRequestError(`json: ${path} ${what}`);
}
function isObject(v) {
    return typeof v === 'object' && v !== null && !Array.isArray(v);
}
/** `obj[key]` must be absent or an object; null becomes absent. Returns the object if present. */
function optionalObject(obj, key, path) {
    const v = obj[key];
    if (v === undefined)
        return undefined;
    if (v === null) {
        obj[key] = undefined;
        return undefined;
    }
    if (!isObject(v))
        fail(`${path}.${key}`, 'is not an object');
    return v;
}
const NO_ITEMS = [];
/** `obj[key]` must be absent or an array of objects; null becomes absent. */
function optionalObjectArray(obj, key, path) {
    const v = obj[key];
    if (v === undefined)
        return NO_ITEMS;
    if (v === null) {
        obj[key] = undefined;
        return NO_ITEMS;
    }
    if (!Array.isArray(v))
        fail(`${path}.${key}`, 'is not an array');
    for (let i = 0; i < v.length; i++) {
        if (!isObject(v[i]))
            fail(`${path}.${key}[${i}]`, 'is not an object');
    }
    return v;
}
/** Attributes-like lists: each KeyValue's `value` must be an object when present. */
function checkKeyValues(obj, key, path) {
    const list = optionalObjectArray(obj, key, path);
    for (let i = 0; i < list.length; i++)
        optionalObject(list[i], 'value', `${path}.${key}[${i}]`);
}
function checkResource(container, path) {
    const resource = optionalObject(container, 'resource', path);
    if (resource)
        checkKeyValues(resource, 'attributes', `${path}.resource`);
}
function checkScope(container, path) {
    const scope = optionalObject(container, 'scope', path);
    if (scope)
        checkKeyValues(scope, 'attributes', `${path}.scope`);
}
function checkLogs(request) {
    const resources = optionalObjectArray(request, 'resourceLogs', '$');
    for (let i = 0; i < resources.length; i++) {
        const rPath = `$.resourceLogs[${i}]`;
        checkResource(resources[i], rPath);
        const scopes = optionalObjectArray(resources[i], 'scopeLogs', rPath);
        for (let j = 0; j < scopes.length; j++) {
            const sPath = `${rPath}.scopeLogs[${j}]`;
            checkScope(scopes[j], sPath);
            const records = optionalObjectArray(scopes[j], 'logRecords', sPath);
            for (let k = 0; k < records.length; k++) {
                const path = `${sPath}.logRecords[${k}]`;
                optionalObject(records[k], 'body', path);
                checkKeyValues(records[k], 'attributes', path);
            }
        }
    }
}
const METRIC_KINDS = ['gauge', 'sum', 'histogram', 'exponentialHistogram', 'summary'];
function checkDataPoints(kind, data, path) {
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
        for (let j = 0; j < exemplars.length; j++)
            checkKeyValues(exemplars[j], 'filteredAttributes', `${pPath}.exemplars[${j}]`);
        if (kind === 'histogram') {
            optionalArray(point, 'bucketCounts', pPath);
            optionalArray(point, 'explicitBounds', pPath);
        }
        else if (kind === 'exponentialHistogram') {
            for (const side of ['positive', 'negative']) {
                const buckets = optionalObject(point, side, pPath);
                if (buckets)
                    optionalArray(buckets, 'bucketCounts', `${pPath}.${side}`);
            }
        }
    }
}
/** `obj[key]` must be absent or an array (of scalars: not checked); null becomes absent. */
function optionalArray(obj, key, path) {
    const v = obj[key];
    if (v === undefined)
        return;
    if (v === null)
        obj[key] = undefined;
    else if (!Array.isArray(v))
        fail(`${path}.${key}`, 'is not an array');
}
function checkMetrics(request) {
    const resources = optionalObjectArray(request, 'resourceMetrics', '$');
    for (let i = 0; i < resources.length; i++) {
        const rPath = `$.resourceMetrics[${i}]`;
        checkResource(resources[i], rPath);
        const scopes = optionalObjectArray(resources[i], 'scopeMetrics', rPath);
        for (let j = 0; j < scopes.length; j++) {
            const sPath = `${rPath}.scopeMetrics[${j}]`;
            checkScope(scopes[j], sPath);
            const metrics = optionalObjectArray(scopes[j], 'metrics', sPath);
            for (let k = 0; k < metrics.length; k++) {
                const mPath = `${sPath}.metrics[${k}]`;
                checkKeyValues(metrics[k], 'metadata', mPath);
                for (const kind of METRIC_KINDS) {
                    const data = optionalObject(metrics[k], kind, mPath);
                    if (data)
                        checkDataPoints(kind, data, `${mPath}.${kind}`);
                }
            }
        }
    }
}
function checkTraces(request) {
    const resources = optionalObjectArray(request, 'resourceSpans', '$');
    for (let i = 0; i < resources.length; i++) {
        const rPath = `$.resourceSpans[${i}]`;
        checkResource(resources[i], rPath);
        const scopes = optionalObjectArray(resources[i], 'scopeSpans', rPath);
        for (let j = 0; j < scopes.length; j++) {
            const sPath = `${rPath}.scopeSpans[${j}]`;
            checkScope(scopes[j], sPath);
            const spans = optionalObjectArray(scopes[j], 'spans', sPath);
            for (let k = 0; k < spans.length; k++) {
                const span = spans[k];
                const path = `${sPath}.spans[${k}]`;
                checkKeyValues(span, 'attributes', path);
                optionalObject(span, 'status', path);
                const events = optionalObjectArray(span, 'events', path);
                for (let e = 0; e < events.length; e++)
                    checkKeyValues(events[e], 'attributes', `${path}.events[${e}]`);
                const links = optionalObjectArray(span, 'links', path);
                for (let l = 0; l < links.length; l++)
                    checkKeyValues(links[l], 'attributes', `${path}.links[${l}]`);
            }
        }
    }
}
/** Parses and checks an OTLP/JSON export request of `signal`; MalformedRequestError when it is not one. */
function decodeJsonRequest(signal, text) {
    let parsed;
    try {
        parsed = JSON.parse(text);
    }
    catch (error) {
        throw new MalformedRequestError(`json: ${error.message}`);
    }
    if (!isObject(parsed))
        fail('$', 'is not an object');
    if (signal === 'logs')
        checkLogs(parsed);
    else if (signal === 'metrics')
        checkMetrics(parsed);
    else
        checkTraces(parsed);
    return parsed;
}

;// CONCATENATED MODULE: ./src/collector/otlp/protobuf.ts
/**
 * A hand-written decoder of OTLP export requests in the protobuf wire format
 * (opentelemetry-proto v1: common, resource, logs, metrics, trace), producing the shape of
 * `./types.ts`: 64-bit integers as decimal strings, ids as lowercase hex, bytes as base64, enums
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
 * through Buffer's native UTF-8 decoder, hex ids through a lookup table, 64-bit decimal strings
 * without BigInt.
 */



// Wire types.
const VARINT = 0;
const I64 = 1;
const LEN = 2;
const I32 = 5;
/** Two lowercase hex digits per byte value. */
const HEX_BYTE = [];
for (let i = 0; i < 256; i++)
    HEX_BYTE.push((i < 16 ? '0' : '') + i.toString(16));
const bufferProto = Buffer.prototype;
const HAS_NATIVE_SLICERS = typeof bufferProto.utf8Slice === 'function' && typeof bufferProto.base64Slice === 'function';
function slicersOf(buf) {
    if (HAS_NATIVE_SLICERS)
        return buf;
    return {
        utf8Slice: (start, end) => buf.toString('utf8', start, end),
        base64Slice: (start, end) => buf.toString('base64', start, end),
    };
}
function malformed(message) {
    return new MalformedRequestError(`protobuf: ${message}`);
}
/**
 * A small table of recently decoded short strings, shared by all requests (bounded: at most
 * INTERN_SLOTS strings of INTERN_MAX_BYTES bytes are kept alive). A hit skips the UTF-8 decoder
 * and the allocation: OTLP repeats the same keys and values in every data point.
 */
const INTERN_MAX_BYTES = 32;
const INTERN_SLOTS = 2048;
const internBytes = new Uint8Array(INTERN_SLOTS * INTERN_MAX_BYTES);
const internLengths = new Uint8Array(INTERN_SLOTS);
const internStrings = new Array(INTERN_SLOTS).fill('');
/** Decimal strings of small counts: most histogram buckets hold 0 or a few. */
const SMALL_DECIMALS = [];
for (let i = 0; i < 1024; i++)
    SMALL_DECIMALS.push(String(i));
/** Decimal string of the unsigned 64-bit integer hi:lo (two uint32 halves). */
function uint64ToString(lo, hi) {
    if (hi === 0 && lo < 1024)
        return SMALL_DECIMALS[lo];
    if (hi <= 0x1fffff)
        return String(hi * 4294967296 + lo); // below 2^53: exact as a double
    // Split into 24-bit pieces and reassemble in base 1e7 (each partial sum stays below 2^53):
    // 2^24 = 1·1e7 + 6777216, 2^48 = 28147497·1e7 + 6710656 = (2·1e7 + 8147497)·1e7 + 6710656.
    const low = lo & 0xffffff;
    const mid = ((lo >>> 24) | (hi << 8)) & 0xffffff;
    const high = (hi >>> 16) & 0xffff;
    let a = low + mid * 6777216 + high * 6710656;
    let b = mid + high * 8147497;
    let c = high * 2;
    if (a >= 1e7) {
        b += Math.floor(a / 1e7);
        a %= 1e7;
    }
    if (b >= 1e7) {
        c += Math.floor(b / 1e7);
        b %= 1e7;
    }
    // hi > 0x1fffff means high >= 0x20, so c is never 0.
    return String(c) + String(b).padStart(7, '0') + String(a).padStart(7, '0');
}
/** Decimal string of the two's-complement signed 64-bit integer hi:lo. */
function int64ToString(lo, hi) {
    if ((hi & 0x80000000) === 0)
        return uint64ToString(lo, hi);
    const negLo = (~lo + 1) >>> 0;
    const negHi = (~hi + (negLo === 0 ? 1 : 0)) >>> 0;
    return '-' + uint64ToString(negLo, negHi);
}
/** A cursor over one request body. */
class Reader {
    buf;
    len;
    pos = 0;
    view;
    nodeBuf;
    /** The halves of the last 64-bit value read (avoids allocating a pair). */
    lo = 0;
    hi = 0;
    constructor(buf) {
        this.buf = buf;
        this.len = buf.length;
        this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
        this.nodeBuf = slicersOf(Buffer.isBuffer(buf) ? buf : Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength));
    }
    /** A varint whose low 32 bits are the value (tags, lengths, int32/uint32/enum/bool fields). */
    varint32() {
        const buf = this.buf;
        const len = this.len;
        let pos = this.pos;
        if (pos >= len)
            throw malformed('truncated varint');
        let b = buf[pos++];
        if (b < 0x80) {
            this.pos = pos;
            return b;
        }
        let value = b & 0x7f;
        for (let shift = 7; shift < 70; shift += 7) {
            if (pos >= len)
                throw malformed('truncated varint');
            b = buf[pos++];
            if (shift < 32)
                value |= (b & 0x7f) << shift;
            if (b < 0x80) {
                this.pos = pos;
                return value >>> 0;
            }
        }
        throw malformed('varint longer than 10 bytes');
    }
    /** A full 64-bit varint into lo/hi. */
    varint64() {
        const buf = this.buf;
        const len = this.len;
        let pos = this.pos;
        let lo = 0;
        let hi = 0;
        let b = 0;
        for (let shift = 0; shift < 28; shift += 7) {
            if (pos >= len)
                throw malformed('truncated varint');
            b = buf[pos++];
            lo |= (b & 0x7f) << shift;
            if (b < 0x80) {
                this.pos = pos;
                this.lo = lo >>> 0;
                this.hi = 0;
                return;
            }
        }
        if (pos >= len)
            throw malformed('truncated varint');
        b = buf[pos++];
        lo |= (b & 0x7f) << 28; // the 5th byte straddles the halves: 4 bits low, 3 bits high
        hi = (b & 0x7f) >>> 4;
        if (b >= 0x80) {
            for (let shift = 3;; shift += 7) {
                if (shift > 31)
                    throw malformed('varint longer than 10 bytes');
                if (pos >= len)
                    throw malformed('truncated varint');
                b = buf[pos++];
                hi |= (b & 0x7f) << shift;
                if (b < 0x80)
                    break;
            }
        }
        this.pos = pos;
        this.lo = lo >>> 0;
        this.hi = hi >>> 0;
    }
    /** Reads a length prefix and returns where the value ends, checked against the buffer. */
    lengthEnd() {
        const buf = this.buf;
        let pos = this.pos;
        let length;
        if (pos < this.len && buf[pos] < 0x80) {
            length = buf[pos];
            this.pos = ++pos;
        }
        else {
            // Kept as a double so a hostile 10-byte length compares as huge instead of wrapping.
            length = 0;
            let scale = 1;
            for (let i = 0;; i++) {
                if (i === 10)
                    throw malformed('varint longer than 10 bytes');
                if (pos >= this.len)
                    throw malformed('truncated varint');
                const b = buf[pos++];
                length += (b & 0x7f) * scale;
                scale *= 128;
                if (b < 0x80)
                    break;
            }
            this.pos = pos;
        }
        if (length > this.len - pos)
            throw malformed(`length ${length} at offset ${pos} runs past the end (${this.len - pos} bytes left)`);
        return pos + length;
    }
    bool() {
        this.varint64();
        return (this.lo | this.hi) !== 0;
    }
    int32() {
        return this.varint32() | 0;
    }
    sint32() {
        const n = this.varint32();
        return (n >>> 1) ^ -(n & 1);
    }
    /** int64 varint as a signed decimal string. */
    int64() {
        this.varint64();
        return int64ToString(this.lo, this.hi);
    }
    /** uint64 varint as a decimal string. */
    uint64() {
        this.varint64();
        return uint64ToString(this.lo, this.hi);
    }
    need(n) {
        const pos = this.pos;
        if (n > this.len - pos)
            throw malformed('truncated fixed-width value');
        this.pos = pos + n;
        return pos;
    }
    fixed32() {
        return this.view.getUint32(this.need(4), true);
    }
    /** fixed64 into lo/hi. */
    fixed64() {
        const at = this.need(8);
        this.lo = this.view.getUint32(at, true);
        this.hi = this.view.getUint32(at + 4, true);
    }
    /** fixed64 as a decimal string, or undefined for 0 (the proto3 default). */
    fixed64OrUndefined() {
        this.fixed64();
        return this.lo === 0 && this.hi === 0 ? undefined : uint64ToString(this.lo, this.hi);
    }
    fixed64String() {
        this.fixed64();
        return uint64ToString(this.lo, this.hi);
    }
    sfixed64String() {
        this.fixed64();
        return int64ToString(this.lo, this.hi);
    }
    double() {
        return this.view.getFloat64(this.need(8), true);
    }
    string() {
        const end = this.lengthEnd();
        const start = this.pos;
        this.pos = end;
        const n = end - start;
        if (n === 0)
            return '';
        if (n > INTERN_MAX_BYTES)
            return this.nodeBuf.utf8Slice(start, end);
        // Short strings repeat (attribute keys, model names, "true"): look them up by their bytes.
        const buf = this.buf;
        let h = n;
        for (let i = start; i < end; i++)
            h = Math.imul(h ^ buf[i], 0x01000193);
        const slot = (h >>> 0) % INTERN_SLOTS;
        const at = slot * INTERN_MAX_BYTES;
        if (internLengths[slot] === n) {
            let i = 0;
            while (i < n && internBytes[at + i] === buf[start + i])
                i++;
            if (i === n)
                return internStrings[slot];
        }
        // Invalid sequences become U+FFFD (see the header).
        const s = this.nodeBuf.utf8Slice(start, end);
        internBytes.set(buf.subarray(start, end), at);
        internLengths[slot] = n;
        internStrings[slot] = s;
        return s;
    }
    /** bytes as lowercase hex (trace and span ids). */
    hex() {
        const end = this.lengthEnd();
        const buf = this.buf;
        let s = '';
        for (let i = this.pos; i < end; i++)
            s += HEX_BYTE[buf[i]];
        this.pos = end;
        return s;
    }
    base64() {
        const end = this.lengthEnd();
        const start = this.pos;
        this.pos = end;
        return start === end ? '' : this.nodeBuf.base64Slice(start, end);
    }
    /** Skips a field this decoder does not know; `known` has bit n set for each known field n. */
    skip(tag, known, message) {
        const field = tag >>> 3;
        const wire = tag & 7;
        if (field === 0)
            throw malformed(`field number 0 in ${message}`);
        if (field < 32 && ((known >>> field) & 1) !== 0)
            throw malformed(`wrong wire type ${wire} for field ${field} of ${message}`);
        switch (wire) {
            case VARINT:
                this.varint64();
                return;
            case I64:
                this.need(8);
                return;
            case LEN:
                this.pos = this.lengthEnd();
                return;
            case I32:
                this.need(4);
                return;
            case 3:
            case 4:
                throw malformed(`group (wire type ${wire}) in ${message}`);
            default:
                throw malformed(`invalid wire type ${wire} in ${message}`);
        }
    }
    /** A message's fields must end exactly where its length said. */
    expectEnd(end, message) {
        if (this.pos !== end)
            throw malformed(`a field of ${message} runs past the end of the message`);
    }
}
/** Bit mask of known field numbers, for `Reader.skip`. */
function fields(...numbers) {
    let mask = 0;
    for (const n of numbers)
        mask |= 1 << n;
    return mask;
}
// The `case` labels below are whole tags, (field number << 3) | wire type, with the field named
// in a comment: 10 = field 1 LEN, 16 = field 2 VARINT, 25 = field 3 I64, 133 = field 16 I32, ...
// ---------------------------------------------------------------- common
const ANY_VALUE_FIELDS = fields(1, 2, 3, 4, 5, 6, 7);
function decodeAnyValue(r, end, depth) {
    if (depth > MAX_ANY_VALUE_DEPTH)
        throw malformed(`AnyValue nested deeper than ${MAX_ANY_VALUE_DEPTH}`);
    // A oneof: the last member on the wire wins, so each member replaces the object.
    let v;
    while (r.pos < end) {
        const tag = r.varint32();
        switch (tag) {
            case 10: // 1 string_value
                v = { stringValue: r.string() };
                break;
            case 16: // 2 bool_value
                v = { boolValue: r.bool() };
                break;
            case 24: // 3 int_value (int64)
                v = { intValue: r.int64() };
                break;
            case 33: // 4 double_value
                v = { doubleValue: r.double() };
                break;
            case 42: // 5 array_value
                v = { arrayValue: decodeValueList(r, r.lengthEnd(), depth + 1) };
                break;
            case 50: // 6 kvlist_value
                v = { kvlistValue: decodeKeyValueList(r, r.lengthEnd(), depth + 1) };
                break;
            case 58: // 7 bytes_value
                v = { bytesValue: r.base64() };
                break;
            default:
                r.skip(tag, ANY_VALUE_FIELDS, 'AnyValue');
        }
    }
    r.expectEnd(end, 'AnyValue');
    return v ?? {};
}
const LIST_FIELDS = fields(1);
function decodeValueList(r, end, depth) {
    const out = {};
    while (r.pos < end) {
        const tag = r.varint32();
        if (tag === 10)
            (out.values ??= []).push(decodeAnyValue(r, r.lengthEnd(), depth));
        else
            r.skip(tag, LIST_FIELDS, 'ArrayValue');
    }
    r.expectEnd(end, 'ArrayValue');
    return out;
}
function decodeKeyValueList(r, end, depth) {
    const out = {};
    while (r.pos < end) {
        const tag = r.varint32();
        if (tag === 10)
            (out.values ??= []).push(decodeKeyValue(r, r.lengthEnd(), depth));
        else
            r.skip(tag, LIST_FIELDS, 'KeyValueList');
    }
    r.expectEnd(end, 'KeyValueList');
    return out;
}
const KEY_VALUE_FIELDS = fields(1, 2);
function decodeKeyValue(r, end, depth) {
    let key = '';
    let value;
    while (r.pos < end) {
        const tag = r.varint32();
        if (tag === 10)
            key = r.string();
        else if (tag === 18)
            value = decodeAnyValue(r, r.lengthEnd(), depth);
        else
            r.skip(tag, KEY_VALUE_FIELDS, 'KeyValue');
    }
    r.expectEnd(end, 'KeyValue');
    return value === undefined ? { key } : { key, value };
}
/** Appends one repeated KeyValue field (attributes, metadata, ...) to `list`. */
function pushKeyValue(r, list) {
    const kv = decodeKeyValue(r, r.lengthEnd(), 0);
    if (list === undefined)
        return [kv];
    list.push(kv);
    return list;
}
const RESOURCE_FIELDS = fields(1, 2); // 3 entity_refs: not part of types.ts, skipped
function decodeResource(r, end) {
    const out = {};
    while (r.pos < end) {
        const tag = r.varint32();
        switch (tag) {
            case 10: // 1 attributes
                out.attributes = pushKeyValue(r, out.attributes);
                break;
            case 16: {
                // 2 dropped_attributes_count
                const n = r.varint32();
                if (n !== 0)
                    out.droppedAttributesCount = n;
                else if (out.droppedAttributesCount !== undefined)
                    delete out.droppedAttributesCount;
                break;
            }
            default:
                r.skip(tag, RESOURCE_FIELDS, 'Resource');
        }
    }
    r.expectEnd(end, 'Resource');
    return out;
}
const SCOPE_FIELDS = fields(1, 2, 3, 4);
function decodeScope(r, end) {
    const out = {};
    while (r.pos < end) {
        const tag = r.varint32();
        switch (tag) {
            case 10: {
                const s = r.string();
                if (s !== '')
                    out.name = s;
                else if (out.name !== undefined)
                    delete out.name;
                break;
            }
            case 18: {
                const s = r.string();
                if (s !== '')
                    out.version = s;
                else if (out.version !== undefined)
                    delete out.version;
                break;
            }
            case 26:
                out.attributes = pushKeyValue(r, out.attributes);
                break;
            case 32: {
                const n = r.varint32();
                if (n !== 0)
                    out.droppedAttributesCount = n;
                else if (out.droppedAttributesCount !== undefined)
                    delete out.droppedAttributesCount;
                break;
            }
            default:
                r.skip(tag, SCOPE_FIELDS, 'InstrumentationScope');
        }
    }
    r.expectEnd(end, 'InstrumentationScope');
    return out;
}
/** One decoder for every container: they are few per request, unlike the records they hold. */
function containerDecoder(layout) {
    const { message, head, children, schemaUrlField } = layout;
    // Tags that no varint can equal (-1) stand for the fields a container lacks.
    const headTag = head === undefined ? -1 : (head.field << 3) | LEN;
    const childTag = (children.field << 3) | LEN;
    const schemaUrlTag = schemaUrlField === undefined ? -1 : (schemaUrlField << 3) | LEN;
    const known = fields(...[head?.field, children.field, schemaUrlField].filter((n) => n !== undefined));
    const childKey = children.key;
    const decodeChild = children.decode;
    return (r, end) => {
        const out = {};
        let list;
        while (r.pos < end) {
            const tag = r.varint32();
            if (tag === childTag) {
                const child = decodeChild(r, r.lengthEnd());
                // The list joins `out` at the first child, so keys keep the order of the wire.
                if (list === undefined)
                    out[childKey] = list = [child];
                else
                    list.push(child);
            }
            else if (tag === headTag && head !== undefined)
                out[head.key] = head.decode(r, r.lengthEnd());
            else if (tag === schemaUrlTag) {
                const s = r.string();
                if (s !== '')
                    out.schemaUrl = s;
                else if (out.schemaUrl !== undefined)
                    delete out.schemaUrl;
            }
            else
                r.skip(tag, known, message);
        }
        r.expectEnd(end, message);
        return out;
    };
}
/**
 * Decodes a whole export request of one signal: ExportXServiceRequest { repeated ResourceX = 1 },
 * ResourceX { Resource = 1; repeated ScopeX = 2; schema_url = 3 },
 * ScopeX { InstrumentationScope = 1; repeated record = 2; schema_url = 3 }, the records by `decodeRecord`.
 */
function requestDecoder(names, decodeRecord) {
    const decodeScopeX = containerDecoder({
        message: names.scopeMessage,
        head: { field: 1, key: 'scope', decode: decodeScope },
        children: { field: 2, key: names.recordsKey, decode: decodeRecord },
        schemaUrlField: 3,
    });
    const decodeResourceX = containerDecoder({
        message: names.resourceMessage,
        head: { field: 1, key: 'resource', decode: decodeResource },
        children: { field: 2, key: names.scopesKey, decode: decodeScopeX },
        schemaUrlField: 3,
    });
    const decodeRequest = containerDecoder({
        message: names.requestMessage,
        children: { field: 1, key: names.resourcesKey, decode: decodeResourceX },
    });
    return (buf) => {
        const r = new Reader(buf);
        return decodeRequest(r, r.len);
    };
}
// ---------------------------------------------------------------- logs
const LOG_RECORD_FIELDS = fields(1, 2, 3, 5, 6, 7, 8, 9, 10, 11, 12);
function decodeLogRecord(r, end) {
    const out = {};
    while (r.pos < end) {
        const tag = r.varint32();
        switch (tag) {
            case 9: {
                // 1 time_unix_nano fixed64
                const v = r.fixed64OrUndefined();
                if (v !== undefined)
                    out.timeUnixNano = v;
                else if (out.timeUnixNano !== undefined)
                    delete out.timeUnixNano;
                break;
            }
            case 89: {
                // 11 observed_time_unix_nano fixed64
                const v = r.fixed64OrUndefined();
                if (v !== undefined)
                    out.observedTimeUnixNano = v;
                else if (out.observedTimeUnixNano !== undefined)
                    delete out.observedTimeUnixNano;
                break;
            }
            case 16: {
                // 2 severity_number enum
                const n = r.int32();
                if (n !== 0)
                    out.severityNumber = n;
                else if (out.severityNumber !== undefined)
                    delete out.severityNumber;
                break;
            }
            case 26: {
                // 3 severity_text
                const s = r.string();
                if (s !== '')
                    out.severityText = s;
                else if (out.severityText !== undefined)
                    delete out.severityText;
                break;
            }
            case 42: // 5 body AnyValue
                out.body = decodeAnyValue(r, r.lengthEnd(), 0);
                break;
            case 50: // 6 attributes
                out.attributes = pushKeyValue(r, out.attributes);
                break;
            case 56: {
                // 7 dropped_attributes_count
                const n = r.varint32();
                if (n !== 0)
                    out.droppedAttributesCount = n;
                else if (out.droppedAttributesCount !== undefined)
                    delete out.droppedAttributesCount;
                break;
            }
            case 69: {
                // 8 flags fixed32
                const n = r.fixed32();
                if (n !== 0)
                    out.flags = n;
                else if (out.flags !== undefined)
                    delete out.flags;
                break;
            }
            case 74: {
                // 9 trace_id
                const s = r.hex();
                if (s !== '')
                    out.traceId = s;
                else if (out.traceId !== undefined)
                    delete out.traceId;
                break;
            }
            case 82: {
                // 10 span_id
                const s = r.hex();
                if (s !== '')
                    out.spanId = s;
                else if (out.spanId !== undefined)
                    delete out.spanId;
                break;
            }
            case 98: {
                // 12 event_name
                const s = r.string();
                if (s !== '')
                    out.eventName = s;
                else if (out.eventName !== undefined)
                    delete out.eventName;
                break;
            }
            default:
                r.skip(tag, LOG_RECORD_FIELDS, 'LogRecord');
        }
    }
    r.expectEnd(end, 'LogRecord');
    return out;
}
const decodeLogsRequest = requestDecoder({
    requestMessage: 'ExportLogsServiceRequest',
    resourceMessage: 'ResourceLogs',
    scopeMessage: 'ScopeLogs',
    resourcesKey: 'resourceLogs',
    scopesKey: 'scopeLogs',
    recordsKey: 'logRecords',
}, decodeLogRecord);
// ---------------------------------------------------------------- metrics
const EXEMPLAR_FIELDS = fields(2, 3, 4, 5, 6, 7);
function decodeExemplar(r, end) {
    const out = {};
    while (r.pos < end) {
        const tag = r.varint32();
        switch (tag) {
            case 58: // 7 filtered_attributes
                out.filteredAttributes = pushKeyValue(r, out.filteredAttributes);
                break;
            case 17: {
                // 2 time_unix_nano fixed64
                const v = r.fixed64OrUndefined();
                if (v !== undefined)
                    out.timeUnixNano = v;
                else if (out.timeUnixNano !== undefined)
                    delete out.timeUnixNano;
                break;
            }
            case 25: // 3 as_double (oneof value)
                if (out.asInt !== undefined)
                    delete out.asInt;
                out.asDouble = r.double();
                break;
            case 49: // 6 as_int sfixed64 (oneof value)
                if (out.asDouble !== undefined)
                    delete out.asDouble;
                out.asInt = r.sfixed64String();
                break;
            case 34: {
                // 4 span_id
                const s = r.hex();
                if (s !== '')
                    out.spanId = s;
                else if (out.spanId !== undefined)
                    delete out.spanId;
                break;
            }
            case 42: {
                // 5 trace_id
                const s = r.hex();
                if (s !== '')
                    out.traceId = s;
                else if (out.traceId !== undefined)
                    delete out.traceId;
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
function decodeNumberDataPoint(r, end) {
    const out = {};
    while (r.pos < end) {
        const tag = r.varint32();
        switch (tag) {
            case 58: // 7 attributes
                out.attributes = pushKeyValue(r, out.attributes);
                break;
            case 17: {
                // 2 start_time_unix_nano
                const v = r.fixed64OrUndefined();
                if (v !== undefined)
                    out.startTimeUnixNano = v;
                else if (out.startTimeUnixNano !== undefined)
                    delete out.startTimeUnixNano;
                break;
            }
            case 25: {
                // 3 time_unix_nano
                const v = r.fixed64OrUndefined();
                if (v !== undefined)
                    out.timeUnixNano = v;
                else if (out.timeUnixNano !== undefined)
                    delete out.timeUnixNano;
                break;
            }
            case 33: // 4 as_double (oneof value)
                if (out.asInt !== undefined)
                    delete out.asInt;
                out.asDouble = r.double();
                break;
            case 49: // 6 as_int sfixed64 (oneof value)
                if (out.asDouble !== undefined)
                    delete out.asDouble;
                out.asInt = r.sfixed64String();
                break;
            case 42: // 5 exemplars
                (out.exemplars ??= []).push(decodeExemplar(r, r.lengthEnd()));
                break;
            case 64: {
                // 8 flags uint32
                const n = r.varint32();
                if (n !== 0)
                    out.flags = n;
                else if (out.flags !== undefined)
                    delete out.flags;
                break;
            }
            default:
                r.skip(tag, NUMBER_POINT_FIELDS, 'NumberDataPoint');
        }
    }
    r.expectEnd(end, 'NumberDataPoint');
    return out;
}
/** Appends packed (LEN) or one unpacked (I64) fixed64 element as decimal strings. */
function readFixed64List(r, tag, list) {
    if ((tag & 7) === I64) {
        const out = list ?? [];
        out.push(r.fixed64String());
        return out;
    }
    const end = r.lengthEnd();
    const start = r.pos;
    if ((end - start) % 8 !== 0)
        throw malformed('packed fixed64 field length is not a multiple of 8');
    // Bounds were checked once for the whole list: read the elements straight from the view.
    const count = (end - start) / 8;
    const out = list ?? new Array(count);
    const base = list === undefined ? 0 : list.length;
    const view = r.view;
    for (let i = 0, at = start; i < count; i++, at += 8)
        out[base + i] = uint64ToString(view.getUint32(at, true), view.getUint32(at + 4, true));
    r.pos = end;
    return out;
}
/** Appends packed (LEN) or one unpacked (I64) double element. */
function readDoubleList(r, tag, list) {
    if ((tag & 7) === I64) {
        const out = list ?? [];
        out.push(r.double());
        return out;
    }
    const end = r.lengthEnd();
    const start = r.pos;
    if ((end - start) % 8 !== 0)
        throw malformed('packed double field length is not a multiple of 8');
    const count = (end - start) / 8;
    const out = list ?? new Array(count);
    const base = list === undefined ? 0 : list.length;
    const view = r.view;
    for (let i = 0, at = start; i < count; i++, at += 8)
        out[base + i] = view.getFloat64(at, true);
    r.pos = end;
    return out;
}
/** Appends packed (LEN) or one unpacked (VARINT) uint64 element as decimal strings. */
function readUint64List(r, tag, list) {
    const out = list ?? [];
    if ((tag & 7) === VARINT) {
        out.push(r.uint64());
        return out;
    }
    const end = r.lengthEnd();
    while (r.pos < end)
        out.push(r.uint64());
    r.expectEnd(end, 'packed uint64 list');
    return out;
}
const HISTOGRAM_POINT_FIELDS = fields(2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12);
function decodeHistogramDataPoint(r, end) {
    const out = {};
    while (r.pos < end) {
        const tag = r.varint32();
        switch (tag) {
            case 74: // 9 attributes
                out.attributes = pushKeyValue(r, out.attributes);
                break;
            case 17: {
                const v = r.fixed64OrUndefined();
                if (v !== undefined)
                    out.startTimeUnixNano = v;
                else if (out.startTimeUnixNano !== undefined)
                    delete out.startTimeUnixNano;
                break;
            }
            case 25: {
                const v = r.fixed64OrUndefined();
                if (v !== undefined)
                    out.timeUnixNano = v;
                else if (out.timeUnixNano !== undefined)
                    delete out.timeUnixNano;
                break;
            }
            case 33: {
                // 4 count fixed64
                const v = r.fixed64OrUndefined();
                if (v !== undefined)
                    out.count = v;
                else if (out.count !== undefined)
                    delete out.count;
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
                if (n !== 0)
                    out.flags = n;
                else if (out.flags !== undefined)
                    delete out.flags;
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
function decodeBuckets(r, end) {
    const out = {};
    while (r.pos < end) {
        const tag = r.varint32();
        switch (tag) {
            case 8: {
                // 1 offset sint32
                const n = r.sint32();
                if (n !== 0)
                    out.offset = n;
                else if (out.offset !== undefined)
                    delete out.offset;
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
function decodeExponentialHistogramDataPoint(r, end) {
    const out = {};
    while (r.pos < end) {
        const tag = r.varint32();
        switch (tag) {
            case 10: // 1 attributes
                out.attributes = pushKeyValue(r, out.attributes);
                break;
            case 17: {
                const v = r.fixed64OrUndefined();
                if (v !== undefined)
                    out.startTimeUnixNano = v;
                else if (out.startTimeUnixNano !== undefined)
                    delete out.startTimeUnixNano;
                break;
            }
            case 25: {
                const v = r.fixed64OrUndefined();
                if (v !== undefined)
                    out.timeUnixNano = v;
                else if (out.timeUnixNano !== undefined)
                    delete out.timeUnixNano;
                break;
            }
            case 33: {
                // 4 count fixed64
                const v = r.fixed64OrUndefined();
                if (v !== undefined)
                    out.count = v;
                else if (out.count !== undefined)
                    delete out.count;
                break;
            }
            case 41: // 5 optional double sum
                out.sum = r.double();
                break;
            case 48: {
                // 6 scale sint32
                const n = r.sint32();
                if (n !== 0)
                    out.scale = n;
                else if (out.scale !== undefined)
                    delete out.scale;
                break;
            }
            case 57: {
                // 7 zero_count fixed64
                const v = r.fixed64OrUndefined();
                if (v !== undefined)
                    out.zeroCount = v;
                else if (out.zeroCount !== undefined)
                    delete out.zeroCount;
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
                if (n !== 0)
                    out.flags = n;
                else if (out.flags !== undefined)
                    delete out.flags;
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
                if (d !== 0)
                    out.zeroThreshold = d;
                else if (out.zeroThreshold !== undefined)
                    delete out.zeroThreshold;
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
function decodeValueAtQuantile(r, end) {
    const out = {};
    while (r.pos < end) {
        const tag = r.varint32();
        if (tag === 9) {
            const d = r.double();
            if (d !== 0)
                out.quantile = d;
            else if (out.quantile !== undefined)
                delete out.quantile;
        }
        else if (tag === 17) {
            const d = r.double();
            if (d !== 0)
                out.value = d;
            else if (out.value !== undefined)
                delete out.value;
        }
        else
            r.skip(tag, QUANTILE_FIELDS, 'SummaryDataPoint.ValueAtQuantile');
    }
    r.expectEnd(end, 'SummaryDataPoint.ValueAtQuantile');
    return out;
}
const SUMMARY_POINT_FIELDS = fields(2, 3, 4, 5, 6, 7, 8);
function decodeSummaryDataPoint(r, end) {
    const out = {};
    while (r.pos < end) {
        const tag = r.varint32();
        switch (tag) {
            case 58: // 7 attributes
                out.attributes = pushKeyValue(r, out.attributes);
                break;
            case 17: {
                const v = r.fixed64OrUndefined();
                if (v !== undefined)
                    out.startTimeUnixNano = v;
                else if (out.startTimeUnixNano !== undefined)
                    delete out.startTimeUnixNano;
                break;
            }
            case 25: {
                const v = r.fixed64OrUndefined();
                if (v !== undefined)
                    out.timeUnixNano = v;
                else if (out.timeUnixNano !== undefined)
                    delete out.timeUnixNano;
                break;
            }
            case 33: {
                const v = r.fixed64OrUndefined();
                if (v !== undefined)
                    out.count = v;
                else if (out.count !== undefined)
                    delete out.count;
                break;
            }
            case 41: {
                // 5 sum: a plain double here (not `optional`)
                const d = r.double();
                if (d !== 0)
                    out.sum = d;
                else if (out.sum !== undefined)
                    delete out.sum;
                break;
            }
            case 50: // 6 quantile_values
                (out.quantileValues ??= []).push(decodeValueAtQuantile(r, r.lengthEnd()));
                break;
            case 64: {
                // 8 flags
                const n = r.varint32();
                if (n !== 0)
                    out.flags = n;
                else if (out.flags !== undefined)
                    delete out.flags;
                break;
            }
            default:
                r.skip(tag, SUMMARY_POINT_FIELDS, 'SummaryDataPoint');
        }
    }
    r.expectEnd(end, 'SummaryDataPoint');
    return out;
}
/** Gauge, Sum, Histogram, ExponentialHistogram and Summary share one layout: points=1, temporality=2, monotonic=3. */
function decodeMetricData(r, end, decodePoint, message, known) {
    const out = {};
    while (r.pos < end) {
        const tag = r.varint32();
        if (tag === 10)
            (out.dataPoints ??= []).push(decodePoint(r, r.lengthEnd()));
        else if (tag === 16 && (known & 4) !== 0) {
            const n = r.int32();
            if (n !== 0)
                out.aggregationTemporality = n;
            else if (out.aggregationTemporality !== undefined)
                delete out.aggregationTemporality;
        }
        else if (tag === 24 && (known & 8) !== 0) {
            if (r.bool())
                out.isMonotonic = true;
            else if (out.isMonotonic !== undefined)
                delete out.isMonotonic;
        }
        else
            r.skip(tag, known, message);
    }
    r.expectEnd(end, message);
    return out;
}
const POINTS_ONLY = fields(1);
const POINTS_AND_TEMPORALITY = fields(1, 2);
const SUM_FIELDS = fields(1, 2, 3);
const METRIC_FIELDS = fields(1, 2, 3, 5, 7, 9, 10, 11, 12);
function decodeMetric(r, end) {
    const out = {};
    while (r.pos < end) {
        const tag = r.varint32();
        switch (tag) {
            case 10: {
                const s = r.string();
                if (s !== '')
                    out.name = s;
                else if (out.name !== undefined)
                    delete out.name;
                break;
            }
            case 18: {
                const s = r.string();
                if (s !== '')
                    out.description = s;
                else if (out.description !== undefined)
                    delete out.description;
                break;
            }
            case 26: {
                const s = r.string();
                if (s !== '')
                    out.unit = s;
                else if (out.unit !== undefined)
                    delete out.unit;
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
                out.exponentialHistogram = decodeMetricData(r, r.lengthEnd(), decodeExponentialHistogramDataPoint, 'ExponentialHistogram', POINTS_AND_TEMPORALITY);
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
function clearMetricData(m) {
    // Only a malformed-but-legal request sets two kinds; the common case deletes nothing.
    if (m.gauge !== undefined)
        delete m.gauge;
    if (m.sum !== undefined)
        delete m.sum;
    if (m.histogram !== undefined)
        delete m.histogram;
    if (m.exponentialHistogram !== undefined)
        delete m.exponentialHistogram;
    if (m.summary !== undefined)
        delete m.summary;
}
const decodeMetricsRequest = requestDecoder({
    requestMessage: 'ExportMetricsServiceRequest',
    resourceMessage: 'ResourceMetrics',
    scopeMessage: 'ScopeMetrics',
    resourcesKey: 'resourceMetrics',
    scopesKey: 'scopeMetrics',
    recordsKey: 'metrics',
}, decodeMetric);
// ---------------------------------------------------------------- traces
const EVENT_FIELDS = fields(1, 2, 3, 4);
function decodeSpanEvent(r, end) {
    const out = {};
    while (r.pos < end) {
        const tag = r.varint32();
        switch (tag) {
            case 9: {
                const v = r.fixed64OrUndefined();
                if (v !== undefined)
                    out.timeUnixNano = v;
                else if (out.timeUnixNano !== undefined)
                    delete out.timeUnixNano;
                break;
            }
            case 18: {
                const s = r.string();
                if (s !== '')
                    out.name = s;
                else if (out.name !== undefined)
                    delete out.name;
                break;
            }
            case 26:
                out.attributes = pushKeyValue(r, out.attributes);
                break;
            case 32: {
                const n = r.varint32();
                if (n !== 0)
                    out.droppedAttributesCount = n;
                else if (out.droppedAttributesCount !== undefined)
                    delete out.droppedAttributesCount;
                break;
            }
            default:
                r.skip(tag, EVENT_FIELDS, 'Span.Event');
        }
    }
    r.expectEnd(end, 'Span.Event');
    return out;
}
const LINK_FIELDS = fields(1, 2, 3, 4, 5, 6);
function decodeSpanLink(r, end) {
    const out = {};
    while (r.pos < end) {
        const tag = r.varint32();
        switch (tag) {
            case 10: {
                const s = r.hex();
                if (s !== '')
                    out.traceId = s;
                else if (out.traceId !== undefined)
                    delete out.traceId;
                break;
            }
            case 18: {
                const s = r.hex();
                if (s !== '')
                    out.spanId = s;
                else if (out.spanId !== undefined)
                    delete out.spanId;
                break;
            }
            case 26: {
                const s = r.string();
                if (s !== '')
                    out.traceState = s;
                else if (out.traceState !== undefined)
                    delete out.traceState;
                break;
            }
            case 34:
                out.attributes = pushKeyValue(r, out.attributes);
                break;
            case 40: {
                const n = r.varint32();
                if (n !== 0)
                    out.droppedAttributesCount = n;
                else if (out.droppedAttributesCount !== undefined)
                    delete out.droppedAttributesCount;
                break;
            }
            case 53: {
                // 6 flags fixed32
                const n = r.fixed32();
                if (n !== 0)
                    out.flags = n;
                else if (out.flags !== undefined)
                    delete out.flags;
                break;
            }
            default:
                r.skip(tag, LINK_FIELDS, 'Span.Link');
        }
    }
    r.expectEnd(end, 'Span.Link');
    return out;
}
const STATUS_FIELDS = fields(2, 3);
function decodeStatus(r, end) {
    const out = {};
    while (r.pos < end) {
        const tag = r.varint32();
        if (tag === 18) {
            const s = r.string();
            if (s !== '')
                out.message = s;
            else if (out.message !== undefined)
                delete out.message;
        }
        else if (tag === 24) {
            const n = r.int32();
            if (n !== 0)
                out.code = n;
            else if (out.code !== undefined)
                delete out.code;
        }
        else
            r.skip(tag, STATUS_FIELDS, 'Status');
    }
    r.expectEnd(end, 'Status');
    return out;
}
const SPAN_FIELDS = fields(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16);
function decodeSpan(r, end) {
    const out = {};
    while (r.pos < end) {
        const tag = r.varint32();
        switch (tag) {
            case 10: {
                const s = r.hex();
                if (s !== '')
                    out.traceId = s;
                else if (out.traceId !== undefined)
                    delete out.traceId;
                break;
            }
            case 18: {
                const s = r.hex();
                if (s !== '')
                    out.spanId = s;
                else if (out.spanId !== undefined)
                    delete out.spanId;
                break;
            }
            case 26: {
                const s = r.string();
                if (s !== '')
                    out.traceState = s;
                else if (out.traceState !== undefined)
                    delete out.traceState;
                break;
            }
            case 34: {
                const s = r.hex();
                if (s !== '')
                    out.parentSpanId = s;
                else if (out.parentSpanId !== undefined)
                    delete out.parentSpanId;
                break;
            }
            case 133: {
                // 16 flags fixed32 (a two-byte tag)
                const n = r.fixed32();
                if (n !== 0)
                    out.flags = n;
                else if (out.flags !== undefined)
                    delete out.flags;
                break;
            }
            case 42: {
                const s = r.string();
                if (s !== '')
                    out.name = s;
                else if (out.name !== undefined)
                    delete out.name;
                break;
            }
            case 48: {
                // 6 kind enum
                const n = r.int32();
                if (n !== 0)
                    out.kind = n;
                else if (out.kind !== undefined)
                    delete out.kind;
                break;
            }
            case 57: {
                const v = r.fixed64OrUndefined();
                if (v !== undefined)
                    out.startTimeUnixNano = v;
                else if (out.startTimeUnixNano !== undefined)
                    delete out.startTimeUnixNano;
                break;
            }
            case 65: {
                const v = r.fixed64OrUndefined();
                if (v !== undefined)
                    out.endTimeUnixNano = v;
                else if (out.endTimeUnixNano !== undefined)
                    delete out.endTimeUnixNano;
                break;
            }
            case 74:
                out.attributes = pushKeyValue(r, out.attributes);
                break;
            case 80: {
                const n = r.varint32();
                if (n !== 0)
                    out.droppedAttributesCount = n;
                else if (out.droppedAttributesCount !== undefined)
                    delete out.droppedAttributesCount;
                break;
            }
            case 90:
                (out.events ??= []).push(decodeSpanEvent(r, r.lengthEnd()));
                break;
            case 96: {
                const n = r.varint32();
                if (n !== 0)
                    out.droppedEventsCount = n;
                else if (out.droppedEventsCount !== undefined)
                    delete out.droppedEventsCount;
                break;
            }
            case 106:
                (out.links ??= []).push(decodeSpanLink(r, r.lengthEnd()));
                break;
            case 112: {
                const n = r.varint32();
                if (n !== 0)
                    out.droppedLinksCount = n;
                else if (out.droppedLinksCount !== undefined)
                    delete out.droppedLinksCount;
                break;
            }
            case 122: // 15 status
                out.status = decodeStatus(r, r.lengthEnd());
                break;
            default:
                r.skip(tag, SPAN_FIELDS, 'Span');
        }
    }
    r.expectEnd(end, 'Span');
    return out;
}
const decodeTraceRequest = requestDecoder({
    requestMessage: 'ExportTraceServiceRequest',
    resourceMessage: 'ResourceSpans',
    scopeMessage: 'ScopeSpans',
    resourcesKey: 'resourceSpans',
    scopesKey: 'scopeSpans',
    recordsKey: 'spans',
}, decodeSpan);

;// CONCATENATED MODULE: ./src/collector/otlp/decode.ts



// `fatal`: a body that is not UTF-8 is refused, not silently repaired.
const utf8 = new TextDecoder('utf-8', { fatal: true });
/** Decodes an OTLP/HTTP export request body; MalformedRequestError when it cannot be one. */
function decodeExportRequest(signal, encoding, body) {
    if (encoding === 'json') {
        let text;
        try {
            text = utf8.decode(body);
        }
        catch {
            throw new MalformedRequestError('json: the body is not valid UTF-8');
        }
        return decodeJsonRequest(signal, text);
    }
    switch (signal) {
        case 'logs':
            return decodeLogsRequest(body);
        case 'metrics':
            return decodeMetricsRequest(body);
        default:
            return decodeTraceRequest(body);
    }
}

;// CONCATENATED MODULE: ./src/collector/otlp/response.ts
const CONTENT_TYPE = { protobuf: 'application/x-protobuf', json: 'application/json' };
const REJECTED_FIELD = {
    logs: 'rejectedLogRecords',
    metrics: 'rejectedDataPoints',
    traces: 'rejectedSpans',
};
const response_utf8 = new TextEncoder();
/** A minimal protobuf writer: enough for these two small messages. */
class Writer {
    bytes = [];
    /** Non-negative integers up to 2^53 (int64/uint64 varints). */
    varint(value) {
        let v = value;
        while (v >= 0x80) {
            this.bytes.push((v % 0x80) | 0x80);
            v = Math.floor(v / 0x80);
        }
        this.bytes.push(v);
    }
    /** int32 varint: a negative value is sign-extended to 10 bytes, as protobuf requires. */
    int32(value) {
        if (value >= 0)
            return this.varint(value);
        let v = BigInt.asUintN(64, BigInt(value));
        while (v >= 0x80n) {
            this.bytes.push(Number(v & 0x7fn) | 0x80);
            v >>= 7n;
        }
        this.bytes.push(Number(v));
    }
    tag(field, wireType) {
        this.varint(field * 8 + wireType);
    }
    lengthDelimited(field, content) {
        this.tag(field, 2);
        this.varint(content.length);
        for (const b of content)
            this.bytes.push(b);
    }
    finish() {
        return Uint8Array.from(this.bytes);
    }
}
function checkCount(rejected) {
    if (!Number.isSafeInteger(rejected) || rejected < 0)
        throw new RangeError(`rejected must be a non-negative integer, got ${rejected}`);
}
/** The Export*ServiceResponse for a request of `signal` of which `rejected` records were refused. */
function encodeExportResponse(signal, encoding, rejected, message) {
    checkCount(rejected);
    const hasPartialSuccess = rejected > 0 || (message !== undefined && message !== '');
    if (encoding === 'json') {
        if (!hasPartialSuccess)
            return { body: '{}', contentType: CONTENT_TYPE.json };
        const partialSuccess = {};
        if (rejected > 0)
            partialSuccess[REJECTED_FIELD[signal]] = String(rejected);
        if (message)
            partialSuccess.errorMessage = message;
        return { body: JSON.stringify({ partialSuccess }), contentType: CONTENT_TYPE.json };
    }
    if (!hasPartialSuccess)
        return { body: new Uint8Array(0), contentType: CONTENT_TYPE.protobuf };
    const partial = new Writer();
    if (rejected > 0) {
        partial.tag(1, 0);
        partial.varint(rejected);
    }
    if (message)
        partial.lengthDelimited(2, response_utf8.encode(message));
    const response = new Writer();
    response.lengthDelimited(1, partial.finish());
    return { body: response.finish(), contentType: CONTENT_TYPE.protobuf };
}
/** A google.rpc.Status body for a failed request. */
function encodeStatus(encoding, code, message) {
    if (!Number.isInteger(code) || code < -2147483648 || code > 2147483647)
        throw new RangeError(`code must be an int32, got ${code}`);
    if (encoding === 'json') {
        const status = {};
        if (code !== 0)
            status.code = code;
        if (message !== '')
            status.message = message;
        return { body: JSON.stringify(status), contentType: CONTENT_TYPE.json };
    }
    const w = new Writer();
    if (code !== 0) {
        w.tag(1, 0);
        w.int32(code);
    }
    if (message !== '')
        w.lengthDelimited(2, response_utf8.encode(message));
    return { body: w.finish(), contentType: CONTENT_TYPE.protobuf };
}

;// CONCATENATED MODULE: ./src/collector/server.ts






/**
 * OTLP/HTTP receiver (https://opentelemetry.io/docs/specs/otlp/#otlphttp): receive → decode →
 * keep/map → write, then answer. Every request is answered as soon as its events are on disk:
 * Codex waits for these answers at exit.
 */
const SIGNAL_PATHS = { '/v1/logs': 'logs', '/v1/metrics': 'metrics', '/v1/traces': 'traces' };
// google.rpc.Status carries a gRPC code, not the HTTP status.
const GRPC_INTERNAL = 13;
const GRPC_CODE_OF_STATUS = { 400: 3, 401: 16, 404: 5, 405: 12, 413: 8, 415: 3, 503: 14 };
// zlib loads on the first compressed body (Codex never compresses): the collector boots faster.
let zlibModule;
const loadZlib = () => (zlibModule ??= Promise.resolve(/* import() */).then(__nccwpck_require__.t.bind(__nccwpck_require__, 522, 23)));
/** Constant-time comparison without loading node:crypto at boot. */
function sameBytes(a, b) {
    if (a.length !== b.length)
        return false;
    let difference = 0;
    for (let i = 0; i < a.length; i++)
        difference |= a[i] ^ b[i];
    return difference === 0;
}
class HttpError extends Error {
    status;
    headers;
    constructor(status, message, headers = {}) {
        super(message);
        this.status = status;
        this.headers = headers;
    }
}
const DEFAULT_TIMEOUTS = { headersMs: 5_000, requestMs: 15_000, idleMs: 5_000, keepAliveMs: 5_000, drainMs: 10_000 };
/**
 * The defaults, or what the collector config's `timeouts` says: a knob for tests (so they need not
 * wait 15 s for a timeout), not part of CollectorConfig; the start step never writes it.
 */
function timeoutsOf(config) {
    const given = config.timeouts ?? {};
    const timeouts = { ...DEFAULT_TIMEOUTS };
    for (const key of Object.keys(timeouts)) {
        const value = given[key];
        if (typeof value === 'number' && Number.isFinite(value) && value > 0)
            timeouts[key] = value;
    }
    return timeouts;
}
function createCollector(config, writer, stats, sinks = []) {
    const secret = Buffer.from(config.secret, 'utf8');
    const timeouts = timeoutsOf(config);
    const settings = {
        attribution: config.attribution,
        options: { logUserPrompt: config.logUserPrompt, includeSpans: config.includeSpans },
    };
    let closing = false;
    let inFlight = 0;
    let exportSeq = 0;
    let idle;
    let requestShutdown;
    const shutdownRequested = new Promise((resolve) => (requestShutdown = resolve));
    const authorized = (req) => {
        const given = req.headers[SECRET_HEADER];
        if (typeof given !== 'string')
            return false;
        const candidate = Buffer.from(given, 'utf8');
        return sameBytes(candidate, secret);
    };
    const answer = (res, status, body, contentType, headers = {}) => {
        if (res.headersSent)
            return;
        res.writeHead(status, { 'content-type': contentType, 'content-length': String(Buffer.byteLength(body)), ...headers });
        res.end(body);
    };
    const fail = (res, encoding, error) => {
        stats.rejectedRequest(error.status, error.message);
        const { body, contentType } = encodeStatus(encoding, GRPC_CODE_OF_STATUS[error.status] ?? GRPC_INTERNAL, error.message);
        answer(res, error.status, body, contentType, error.headers);
    };
    async function readBody(req) {
        const declared = Number(req.headers['content-length'] ?? NaN);
        if (declared > config.maxBodyBytes)
            throw new HttpError(413, `body of ${declared} bytes exceeds the limit of ${config.maxBodyBytes}`, { connection: 'close' });
        const chunks = [];
        let size = 0;
        for await (const chunk of req) {
            size += chunk.length;
            if (size > config.maxBodyBytes)
                throw new HttpError(413, `body exceeds the limit of ${config.maxBodyBytes} bytes`, { connection: 'close' });
            chunks.push(chunk);
        }
        return chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, size);
    }
    async function decompress(body, contentEncoding) {
        if (contentEncoding === '' || contentEncoding === 'identity')
            return body;
        const options = { maxOutputLength: config.maxBodyBytes };
        const zlib = await loadZlib();
        try {
            return await new Promise((resolve, reject) => {
                const done = (error, result) => (error ? reject(error) : resolve(result));
                if (contentEncoding === 'gzip' || contentEncoding === 'x-gzip')
                    zlib.gunzip(body, options, done);
                else
                    zlib.inflate(body, options, done);
            });
        }
        catch (error) {
            if (error.code === 'ERR_BUFFER_TOO_LARGE' || error instanceof RangeError) {
                throw new HttpError(413, `decompressed body exceeds the limit of ${config.maxBodyBytes} bytes`);
            }
            throw new HttpError(400, `body is not valid ${contentEncoding}`);
        }
    }
    async function handleExport(req, res, signal) {
        const contentType = (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
        const encoding = contentType === 'application/json' ? 'json' : 'protobuf';
        if (closing)
            throw new HttpError(503, 'collector is shutting down', { 'retry-after': '1' });
        if (!authorized(req))
            throw new HttpError(401, `missing or wrong ${SECRET_HEADER} header`);
        if (contentType !== 'application/json' && contentType !== 'application/x-protobuf' && contentType !== 'application/protobuf') {
            throw new HttpError(415, `unsupported content type "${contentType}": use application/x-protobuf or application/json`);
        }
        const contentEncoding = (req.headers['content-encoding'] ?? '').trim().toLowerCase();
        if (!['', 'identity', 'gzip', 'x-gzip', 'deflate'].includes(contentEncoding)) {
            throw new HttpError(415, `unsupported content encoding "${contentEncoding}": use gzip, deflate or none`);
        }
        const wireBody = await readBody(req);
        stats.request(signal, encoding, wireBody.length);
        const body = await decompress(wireBody, contentEncoding);
        let decoded;
        try {
            decoded = decodeExportRequest(signal, encoding, body);
        }
        catch (error) {
            if (error instanceof MalformedRequestError)
                throw new HttpError(400, `malformed ${encoding} ${signal} request: ${error.message}`);
            throw error;
        }
        exportSeq += 1;
        const mapped = keepAndMap(signal, decoded, settings, exportSeq);
        try {
            writer.append(mapped.events);
        }
        catch (error) {
            // Never a 200 that drops data: the sender may retry.
            stats.writeError(error.message);
            throw new HttpError(503, `could not write the events: ${error.message}`, { 'retry-after': '1' });
        }
        stats.records(signal, mapped.received, mapped.events.length, mapped.dropped, mapped.rejected);
        if (mapped.events.length > 0)
            for (const sink of sinks)
                sink.accept(mapped.events);
        const response = encodeExportResponse(signal, encoding, mapped.rejected, mapped.rejected ? `${mapped.rejected} records could not be mapped` : undefined);
        answer(res, 200, response.body, response.contentType);
    }
    // Node checks the header and request deadlines every connectionsCheckingInterval (30 s by
    // default): check often enough that the deadlines mean what they say.
    const checkEveryMs = Math.max(50, Math.min(1_000, Math.floor(Math.min(timeouts.headersMs, timeouts.requestMs) / 4)));
    const server = external_node_http_default().createServer({ connectionsCheckingInterval: checkEveryMs }, async (req, res) => {
        inFlight += 1;
        const path = (req.url ?? '/').split('?')[0];
        const signal = SIGNAL_PATHS[path];
        const encoding = (req.headers['content-type'] ?? '').includes('json') ? 'json' : 'protobuf';
        try {
            if (signal) {
                if (req.method !== 'POST')
                    throw new HttpError(405, `${req.method} is not allowed on ${path}`, { allow: 'POST' });
                await handleExport(req, res, signal);
            }
            else if (path === HEALTH_PATH) {
                if (req.method !== 'GET')
                    throw new HttpError(405, `${req.method} is not allowed on ${path}`, { allow: 'GET' });
                if (!authorized(req))
                    throw new HttpError(401, `missing or wrong ${SECRET_HEADER} header`);
                answer(res, 200, JSON.stringify({ ok: !closing, pid: process.pid, eventsWritten: writer.eventsWritten }), 'application/json');
            }
            else if (path === SHUTDOWN_PATH) {
                if (req.method !== 'POST')
                    throw new HttpError(405, `${req.method} is not allowed on ${path}`, { allow: 'POST' });
                if (!authorized(req))
                    throw new HttpError(401, `missing or wrong ${SECRET_HEADER} header`);
                answer(res, 200, JSON.stringify({ ok: true, pid: process.pid }), 'application/json');
                requestShutdown();
            }
            else {
                throw new HttpError(404, `no such path: ${path}`);
            }
        }
        catch (error) {
            const httpError = error instanceof HttpError ? error : new HttpError(500, error.message ?? String(error));
            // Do not read the rest of an oversized or unwanted body: close the connection after answering,
            // and say so, or a keep-alive client would send its next request into a closed socket.
            if (!req.complete) {
                res.setHeader('connection', 'close');
                // Held now: req.socket is null once the body stream was abandoned (413 mid-body), and once
                // a `connection: close` answer is finished; touching it then crashed the collector.
                const socket = req.socket ?? res.socket;
                res.once('finish', () => socket?.destroy());
            }
            fail(res, encoding, httpError);
        }
        finally {
            inFlight -= 1;
            if (inFlight === 0)
                idle?.();
        }
    });
    // Slow or silent clients cannot hold the collector: bounded header and request time, idle sockets
    // closed (Node's deadlines only start with a request's first byte: a silent connection needs the
    // socket timeout), and a cap on connections.
    server.headersTimeout = Math.min(timeouts.headersMs, timeouts.requestMs);
    server.requestTimeout = timeouts.requestMs;
    server.keepAliveTimeout = timeouts.keepAliveMs;
    // No 'timeout' listener: the socket is destroyed. Observed on Node 20 and 24: a socket timeout
    // longer than headersTimeout never fires on a connection that sent nothing, hence the min.
    server.setTimeout(Math.min(timeouts.idleMs, server.headersTimeout));
    server.maxConnections = 256;
    return {
        server,
        shutdownRequested,
        listen: () => new Promise((resolve, reject) => {
            server.once('error', reject);
            server.listen(config.port, '127.0.0.1', () => {
                server.off('error', reject);
                resolve(server.address().port);
            });
        }),
        async stop() {
            // Late requests get 503 + Retry-After while the ones in flight finish; then close.
            closing = true;
            if (inFlight > 0) {
                await Promise.race([new Promise((resolve) => (idle = resolve)), new Promise((r) => setTimeout(r, timeouts.drainMs).unref())]);
            }
            const closed = new Promise((resolve) => server.close(() => resolve()));
            server.closeAllConnections();
            await closed;
        },
    };
}

;// CONCATENATED MODULE: ./src/collector/stats.ts

function emptySignal() {
    return { requests: 0, bytes: 0, byEncoding: {}, recordsReceived: 0, recordsKept: 0 };
}
/** Counters the post step reports; written once at exit (atomically: tmp file + rename). */
class StatsRecorder {
    stats = {
        startedAt: new Date().toISOString(),
        signals: { logs: emptySignal(), metrics: emptySignal(), traces: emptySignal() },
        eventsWritten: 0,
        dropped: {},
        rejected: {},
        writeErrors: 0,
    };
    request(signal, encoding, bytes) {
        const s = this.stats.signals[signal];
        s.requests += 1;
        s.bytes += bytes;
        s.byEncoding[encoding] = (s.byEncoding[encoding] ?? 0) + 1;
    }
    records(signal, received, kept, dropped, rejectedRecords) {
        const s = this.stats.signals[signal];
        s.recordsReceived += received;
        s.recordsKept += kept;
        this.stats.eventsWritten += kept;
        for (const [reason, count] of Object.entries(dropped))
            this.stats.dropped[reason] = (this.stats.dropped[reason] ?? 0) + count;
        if (rejectedRecords > 0)
            this.stats.dropped.rejected_record = (this.stats.dropped.rejected_record ?? 0) + rejectedRecords;
    }
    rejectedRequest(status, message) {
        this.stats.rejected[String(status)] = (this.stats.rejected[String(status)] ?? 0) + 1;
        this.stats.firstError ??= `${status}: ${message}`;
    }
    writeError(message) {
        this.stats.writeErrors += 1;
        this.stats.firstError ??= `write: ${message}`;
    }
    writeTo(path, stopReason) {
        this.stats.stoppedAt = new Date().toISOString();
        this.stats.stopReason = stopReason;
        const tmp = `${path}.tmp`;
        external_node_fs_default().writeFileSync(tmp, JSON.stringify(this.stats, null, 2), { mode: 0o600 });
        external_node_fs_default().renameSync(tmp, path);
    }
}

;// CONCATENATED MODULE: ./src/beacon/limits.ts
/** Size rules of the schema page: cap long strings, shrink oversized events. */
const MAX_TEXT = 4096; // prompt text, commands, messages
const MAX_RAW_STRING = 2048; // strings inside `raw`
const MAX_EVENT_BYTES = 64 * 1024;
const TRUNCATED_SUFFIX = '...[truncated]';
function capString(text, max) {
    if (text.length <= max)
        return text;
    // Do not split a surrogate pair: a lone surrogate would become U+FFFD when written.
    let end = max - TRUNCATED_SUFFIX.length;
    const code = text.charCodeAt(end - 1);
    if (code >= 0xd800 && code <= 0xdbff)
        end -= 1;
    return text.slice(0, end) + TRUNCATED_SUFFIX;
}
function capStringsDeep(value, max, depth) {
    if (typeof value === 'string') {
        const capped = capString(value, max);
        return { value: capped, cut: capped !== value };
    }
    if (value === null || typeof value !== 'object' || depth > 32)
        return { value, cut: false };
    let cut = false;
    if (Array.isArray(value)) {
        for (let i = 0; i < value.length; i++) {
            const r = capStringsDeep(value[i], max, depth + 1);
            value[i] = r.value;
            cut ||= r.cut;
        }
    }
    else {
        const obj = value;
        for (const key of Object.keys(obj)) {
            const r = capStringsDeep(obj[key], max, depth + 1);
            obj[key] = r.value;
            cut ||= r.cut;
        }
    }
    return { value, cut };
}
/**
 * Caps the event's strings in place and returns its JSON line (with `\n`), shrunk under
 * MAX_EVENT_BYTES if needed (drop `raw`, then cut the texts harder), marking `field_truncated`.
 */
function serializeWithinLimits(event) {
    let cut = false;
    const capText = (s) => {
        if (s === undefined)
            return s;
        const c = capString(s, MAX_TEXT);
        if (c !== s)
            cut = true;
        return c;
    };
    if (event.prompt)
        event.prompt.text = capText(event.prompt.text);
    if (event.command)
        event.command.command = capText(event.command.command);
    if (event.tool?.command !== undefined)
        event.tool.command = capText(event.tool.command);
    event.message = capText(event.message);
    if (event.raw)
        cut = capStringsDeep(event.raw, MAX_RAW_STRING, 0).cut || cut;
    if (cut)
        event.field_truncated = true;
    let line = JSON.stringify(event);
    if (Buffer.byteLength(line) <= MAX_EVENT_BYTES)
        return line + '\n';
    // Too big even with capped strings (many attributes): raw goes first, it is only context.
    event.field_truncated = true;
    delete event.raw;
    line = JSON.stringify(event);
    if (Buffer.byteLength(line) <= MAX_EVENT_BYTES)
        return line + '\n';
    for (const max of [1024, 256]) {
        if (event.prompt)
            event.prompt.text = capString(event.prompt.text, max);
        if (event.command)
            event.command.command = capString(event.command.command, max);
        if (event.tool?.command !== undefined)
            event.tool.command = capString(event.tool.command, max);
        if (event.message)
            event.message = capString(event.message, max);
        line = JSON.stringify(event);
        if (Buffer.byteLength(line) <= MAX_EVENT_BYTES)
            break;
    }
    return line + '\n';
}

;// CONCATENATED MODULE: ./src/beacon/sanitize.ts


/**
 * The one way an event becomes a line: secrets redacted in every string the record brought
 * (the attribution is the run's own and is redacted once, where it is built), sizes capped.
 */
function toJsonLine(event) {
    if (event.prompt)
        event.prompt.text = redactSecrets(event.prompt.text);
    if (event.message)
        event.message = redactSecrets(event.message);
    if (event.tool)
        redactDeep(event.tool);
    if (event.command)
        event.command.command = redactSecrets(event.command.command);
    if (event.approval)
        redactDeep(event.approval);
    if (event.raw)
        redactDeep(event.raw);
    return serializeWithinLimits(event);
}

;// CONCATENATED MODULE: ./src/collector/writer.ts


/**
 * Appends the events of one request to the capture file in a single write, synchronously, so
 * that the request is acknowledged only once its events are on disk. A failed or short write is
 * rolled back to the last whole line: the file never holds a torn line that we acknowledged.
 */
class CaptureWriter {
    path;
    fd;
    size;
    eventsWritten = 0;
    constructor(path) {
        this.path = path;
        this.fd = external_node_fs_default().openSync(path, 'a', 0o600);
        this.size = external_node_fs_default().fstatSync(this.fd).size;
    }
    /** Throws when the events could not be written; nothing of them stays in the file then. */
    append(events) {
        if (events.length === 0)
            return;
        // Encode line by line and join the bytes: ~3x faster than encoding one concatenated string
        // (which V8 must flatten first) for a 1000-record batch.
        const lines = events.map((event) => Buffer.from(toJsonLine(event), 'utf8'));
        const buffer = lines.length === 1 ? lines[0] : Buffer.concat(lines);
        let written = 0;
        try {
            while (written < buffer.length) {
                written += external_node_fs_default().writeSync(this.fd, buffer, written, buffer.length - written);
            }
        }
        catch (error) {
            if (written > 0) {
                try {
                    external_node_fs_default().ftruncateSync(this.fd, this.size);
                }
                catch {
                    // The file may be gone or read-only: nothing more to undo.
                }
            }
            throw error;
        }
        this.size += buffer.length;
        this.eventsWritten += events.length;
    }
    close() {
        try {
            external_node_fs_default().fsyncSync(this.fd);
        }
        catch {
            // fsync is best effort (not supported everywhere).
        }
        external_node_fs_default().closeSync(this.fd);
    }
}

;// CONCATENATED MODULE: ./src/collector/index.ts
/**
 * The collector process: spawned detached by the start step, stopped by the post step's
 * authenticated shutdown request (or SIGTERM, or its maximum lifetime). Imports no @actions/*:
 * it must start fast and stay small.
 */






function log(message) {
    process.stderr.write(`${new Date().toISOString()} collector: ${message}\n`);
}
async function main() {
    const configPath = process.argv[2];
    if (!configPath)
        throw new Error('usage: collector <config.json>');
    const config = JSON.parse(external_node_fs_default().readFileSync(configPath, 'utf8'));
    const stats = new StatsRecorder();
    const writer = new CaptureWriter(config.capturePath);
    // Only with the forward-endpoint input: otherwise nothing leaves loopback.
    const forwarder = config.forward ? new EventForwarder(config.forward, config.attribution, {}, log) : undefined;
    const collector = createCollector(config, writer, stats, forwarder ? [forwarder] : []);
    const port = await collector.listen();
    let stopping;
    const stop = (reason) => (stopping ??= (async () => {
        log(`stopping (${reason})`);
        await collector.stop();
        stats.stats.eventsWritten = writer.eventsWritten;
        writer.close();
        if (forwarder && config.forward)
            stats.stats.forward = await forwarder.close(config.forward.shutdownLimitMs * COLLECTOR_FLUSH_SHARE);
        stats.writeTo(config.statsPath, reason);
        log(`stopped: ${writer.eventsWritten} events written`);
        process.exit(0);
    })());
    void collector.shutdownRequested.then(() => stop('shutdown request'));
    process.on('SIGTERM', () => void stop('SIGTERM'));
    process.on('SIGINT', () => void stop('SIGINT'));
    // Never outlive the job by long, even if no post step ever asks us to stop.
    setTimeout(() => void stop("maximum lifetime reached"), Math.min(config.maxLifetimeMs, 2 ** 31 - 1)).unref();
    const ready = { port, pid: process.pid };
    external_node_fs_default().writeFileSync(`${config.readyPath}.tmp`, JSON.stringify(ready), { mode: 0o600 });
    external_node_fs_default().renameSync(`${config.readyPath}.tmp`, config.readyPath);
    log(`listening on 127.0.0.1:${port}`);
}
main().catch((error) => {
    log(`fatal: ${error.stack ?? String(error)}`);
    process.exit(1);
});

