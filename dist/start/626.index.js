export const id = 626;
export const ids = [626];
export const modules = {

/***/ 53626:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {


// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  finishCapture: () => (/* binding */ finishCapture)
});

// EXTERNAL MODULE: external "node:fs"
var external_node_fs_ = __webpack_require__(73024);
var external_node_fs_default = /*#__PURE__*/__webpack_require__.n(external_node_fs_);
// EXTERNAL MODULE: ./node_modules/@actions/core/lib/core.js + 11 modules
var core = __webpack_require__(91659);
// EXTERNAL MODULE: ./src/handoff/workspace.ts
var workspace = __webpack_require__(84651);
// EXTERNAL MODULE: ./src/inputs.ts
var src_inputs = __webpack_require__(38422);
// EXTERNAL MODULE: ./src/start/state.ts
var state = __webpack_require__(25121);
// EXTERNAL MODULE: external "node:crypto"
var external_node_crypto_ = __webpack_require__(77598);
// EXTERNAL MODULE: ./node_modules/@actions/artifact/lib/artifact.js + 356 modules
var artifact = __webpack_require__(65495);
;// CONCATENATED MODULE: ./src/finish/artifact.ts
/**
 * Upload of the Beacon runtime files as a workflow artifact, with `@actions/artifact` 6.
 *
 * The upload is best effort: `uploadRuntimeArtifact` never throws, it says what happened and the
 * caller decides how loud to be (a failure becomes a warning, a skip a plain line).
 */


/** How many other names to try after the requested one was taken: `<name>-2`, `<name>-3`. */
const CONFLICT_RETRIES = 2;
/**
 * A name unique per job and attempt, matrix legs included, with nothing for the user to set.
 *
 * Matrix legs share `GITHUB_JOB`, and the `matrix` context is not in a step's environment. What a
 * JavaScript action step does get, per job, is the job run's backend id: the last part of the
 * `Actions.Results:<runBackendId>:<jobBackendId>` scope of `ACTIONS_RUNTIME_TOKEN`. It is the very
 * id the artifact service scopes uploads by, so it differs between legs and is the same for every
 * step of one job (the post step and a `mode: finish` step agree). Without the token (outside
 * Actions, where nothing is uploaded anyway) `RUNNER_TRACKING_ID`, a per-job GUID the runner sets,
 * stands in. `RUNNER_NAME` is not used: a self-hosted runner runs several legs under one name.
 * Only a short hash goes into the name: it need not be readable, and the id is not ours to show.
 */
function defaultArtifactName(env = process.env) {
    const job = nameSafe(env.GITHUB_JOB) || 'job';
    const attempt = nameSafe(env.GITHUB_RUN_ATTEMPT) || '1';
    const jobIdentity = jobRunBackendId(env.ACTIONS_RUNTIME_TOKEN) ?? env.RUNNER_TRACKING_ID;
    const base = `beacon-runtime-${job}-${attempt}`;
    return jobIdentity ? `${base}-${(0,external_node_crypto_.createHash)('sha256').update(jobIdentity).digest('hex').slice(0, 8)}` : base;
}
async function uploadRuntimeArtifact(upload) {
    const { name, files, rootDirectory, retentionDays, log } = upload;
    // The client reads these from process.env when it is called, so this check does too.
    const env = process.env;
    if (!env.ACTIONS_RUNTIME_TOKEN || !env.ACTIONS_RESULTS_URL) {
        return {
            status: 'skipped',
            reason: 'not running in a GitHub Actions JavaScript step (ACTIONS_RUNTIME_TOKEN or ACTIONS_RESULTS_URL is not set)',
        };
    }
    if (files.length === 0)
        return { status: 'skipped', reason: 'there are no runtime files to upload' };
    // The client would refuse too, but only after printing its own warning annotation.
    const serverHost = hostOf(env.GITHUB_SERVER_URL);
    if (serverHost !== undefined && isEnterpriseServer(serverHost)) {
        return {
            status: 'failed',
            reason: `artifact upload is not supported on GitHub Enterprise Server (${serverHost}) by @actions/artifact 6`,
        };
    }
    const client = new artifact/* DefaultArtifactClient */.t9();
    const triedNames = [];
    for (let attempt = 0; attempt <= CONFLICT_RETRIES; attempt++) {
        const candidate = attempt === 0 ? name : `${name}-${attempt + 1}`;
        triedNames.push(candidate);
        try {
            const options = retentionDays ? { retentionDays } : {};
            const { id, size } = await client.uploadArtifact(candidate, files, rootDirectory, options);
            if (id === undefined)
                return { status: 'failed', reason: `the artifact service did not return an id for "${candidate}"` };
            // A warning: a later job downloading by the requested name would not find it.
            if (candidate !== name)
                log.warning(`beacon: the artifact name "${name}" was taken in this run; uploaded as "${candidate}" instead.`);
            const url = artifactUrl(env, id);
            log.info(`beacon: uploaded artifact "${candidate}" (${size ?? 0} bytes)${url ? `: ${url}` : ''}.`);
            return { status: 'uploaded', name: candidate, requestedName: name, id, size: size ?? 0, ...(url ? { url } : {}) };
        }
        catch (error) {
            const message = firstLine(error);
            if (!isNameConflict(message))
                return { status: 'failed', reason: `the artifact service did not take the upload: ${message}` };
        }
    }
    return {
        status: 'failed',
        reason: `the artifact names ${triedNames.map((n) => `"${n}"`).join(', ')} are all taken in this workflow run`,
    };
}
function artifactUrl(env, id) {
    const { GITHUB_SERVER_URL: server, GITHUB_REPOSITORY: repository, GITHUB_RUN_ID: runId } = env;
    if (!server || !repository || !runId)
        return undefined;
    return `${server.replace(/\/+$/, '')}/${repository}/actions/runs/${runId}/artifacts/${id}`;
}
// The service answers a taken name with Twirp `already_exists`, which the client reports as
// "Failed request: (409) Conflict: an artifact with this name already exists on the workflow run".
function isNameConflict(message) {
    return message.includes('(409)') || /already exists/i.test(message);
}
/** The job run's backend id from the token's `Actions.Results` scope; the signature is not checked. */
function jobRunBackendId(token) {
    const payload = token?.split('.')[1];
    if (!payload)
        return undefined;
    try {
        const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
        if (typeof claims.scp !== 'string')
            return undefined;
        for (const scope of claims.scp.split(' ')) {
            const [kind, , jobId] = scope.split(':');
            if (kind === 'Actions.Results' && jobId)
                return jobId;
        }
    }
    catch {
        // Not a JWT: fall back like outside Actions.
    }
    return undefined;
}
// Same rule as the client's isGhes(): github.com, *.ghe.com (data residency) and *.localhost are
// served by the results service; any other host is an Enterprise Server.
function isEnterpriseServer(host) {
    const lower = host.toLowerCase();
    return lower !== 'github.com' && !lower.endsWith('.ghe.com') && !lower.endsWith('.localhost');
}
function hostOf(url) {
    if (!url)
        return undefined;
    try {
        return new URL(url).hostname;
    }
    catch {
        return undefined;
    }
}
// Keep what artifact names allow (the client rejects " : < > | * ? \ / and line breaks).
function nameSafe(value) {
    return (value ?? '').trim().replace(/[^A-Za-z0-9._-]+/g, '_');
}
// The client's errors can run to several lines (a NetworkError appends a paragraph on self-hosted
// runners); the first one says what went wrong.
function firstLine(error) {
    const message = error instanceof Error ? error.message : String(error);
    return message.split('\n')[0].trim();
}

// EXTERNAL MODULE: external "node:path"
var external_node_path_ = __webpack_require__(76760);
var external_node_path_default = /*#__PURE__*/__webpack_require__.n(external_node_path_);
// EXTERNAL MODULE: external "node:buffer"
var external_node_buffer_ = __webpack_require__(4573);
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

;// CONCATENATED MODULE: ./src/finish/normalize-tokens.ts
/**
 * Keys an object's entries in sorted order, so that two attribute sets that differ only in
 * key order give the same key.
 */
function stableEntries(attributes, skip) {
    return Object.keys(attributes)
        .filter((key) => key !== skip)
        .sort()
        .map((key) => [key, attributes[key]]);
}
function isObject(value) {
    return value !== null && typeof value === 'object' && !Array.isArray(value);
}
/**
 * The token point of a parsed `token.usage` event, or `undefined` when its `raw` does not hold a
 * usable value (the event then gets no usage).
 */
function tokenPointOf(event) {
    const raw = event.raw;
    if (!isObject(raw))
        return undefined;
    const value = raw.metric_value;
    if (typeof value !== 'number' || !Number.isFinite(value))
        return undefined;
    const attributes = isObject(raw.attributes) ? raw.attributes : {};
    const genAi = isObject(event.gen_ai) ? event.gen_ai : {};
    const declaredType = isObject(genAi.token) && typeof genAi.token.type === 'string' ? genAi.token.type : undefined;
    const tokenType = declaredType ?? (typeof attributes.token_type === 'string' ? attributes.token_type : 'unknown');
    const metricName = typeof raw.metric_name === 'string' ? raw.metric_name : '';
    const model = typeof event.model === 'string' ? event.model : '';
    const startTime = typeof raw.metric_start_time === 'string' ? raw.metric_start_time : '';
    const exportSeq = typeof raw.export_seq === 'number' ? raw.export_seq : null;
    const timestamp = typeof event.timestamp === 'string' ? event.timestamp : '';
    return {
        tokenType,
        value,
        temporality: raw.metric_temporality === 'Cumulative' ? 'Cumulative' : 'Delta',
        seriesKey: JSON.stringify([metricName, model, tokenType, stableEntries(attributes, 'token_type'), startTime]),
        turnKey: JSON.stringify([exportSeq, timestamp, metricName, model, stableEntries(attributes, 'token_type')]),
    };
}
/**
 * The last value of each cumulative series seen so far, across exports. Bounded: past `maxSeries`
 * the least recently updated series is forgotten (its next point would then count fully, which
 * only a log with an absurd number of series can reach).
 */
class CumulativeSeries {
    maxSeries;
    last = new Map();
    constructor(maxSeries = 50_000) {
        this.maxSeries = maxSeries;
    }
    /** The amount a cumulative point adds: growth since the previous point, or all of it after a reset. */
    amount(seriesKey, value) {
        const previous = this.last.get(seriesKey);
        // Re-insert so that Map order is least recently updated first.
        this.last.delete(seriesKey);
        this.last.set(seriesKey, value);
        if (this.last.size > this.maxSeries)
            this.last.delete(this.last.keys().next().value);
        if (previous === undefined)
            return value; // the first point of a series counts fully
        if (value < previous)
            return value; // a drop is a reset: the series restarted from zero
        return value - previous;
    }
    get size() {
        return this.last.size;
    }
}
/** Amount of one point: delta points are amounts already, cumulative points are differenced. */
function amountOf(point, series) {
    const amount = point.temporality === 'Cumulative' ? series.amount(point.seriesKey, point.value) : point.value;
    // Token counts are whole and never negative, whatever a sender wrote.
    return Math.max(0, Math.round(amount));
}
/**
 * The usage object of one point, given its amount. `input` arrives already reduced by the
 * cached input of its turn (see `usageForExport`). Types without a usage field get `{}`.
 */
function usageOf(tokenType, amount) {
    switch (tokenType) {
        case 'input':
            return { input_tokens: amount };
        case 'cached_input':
            return { cache_read: { input_tokens: amount } };
        case 'output':
            return { output_tokens: amount };
        case 'reasoning_output':
            return { reasoning: { output_tokens: amount } };
        default:
            // `total` (the server's own figure, may disagree), `cache_write_input` and unknown types:
            // the value stays in raw.metric_value only.
            return {};
    }
}
/**
 * The usage of every point of one export request, in the given order. Cumulative points are
 * differenced against `series` (which this updates); then each turn's `input` amount is reduced
 * by the `cached_input` amount of the same turn, never below 0, so input and cache are disjoint.
 */
function usageForExport(points, series) {
    const amounts = points.map((point) => amountOf(point, series));
    const cachedByTurn = new Map();
    points.forEach((point, i) => {
        if (point.tokenType === 'cached_input')
            cachedByTurn.set(point.turnKey, (cachedByTurn.get(point.turnKey) ?? 0) + amounts[i]);
    });
    return points.map((point, i) => {
        let amount = amounts[i];
        if (point.tokenType === 'input') {
            const cached = cachedByTurn.get(point.turnKey) ?? 0;
            const disjoint = Math.max(0, amount - cached);
            // Should a turn hold two input points, the cache is subtracted once in total.
            cachedByTurn.set(point.turnKey, cached - (amount - disjoint));
            amount = disjoint;
        }
        return usageOf(point.tokenType, amount);
    });
}
/** True when the usage object holds at least one field (the readers' "event that carries usage"). */
function carriesUsage(usage) {
    return usage !== undefined && Object.keys(usage).length > 0;
}

;// CONCATENATED MODULE: ./src/beacon/limits.ts
/** Size rules of the schema page: cap long strings, shrink oversized events. */
const MAX_TEXT = 4096; // prompt text, commands, messages
const MAX_RAW_STRING = 2048; // strings inside `raw`
const MAX_EVENT_BYTES = (/* unused pure expression or super */ null && (64 * 1024));
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

;// CONCATENATED MODULE: ./src/finish/report.ts



/**
 * What one pass over the runtime log learned: the input of the usage file, the validation and
 * the job summary. Plain data (JSON-serializable). Every list and map is capped so that its size
 * does not grow with the log: what does not fit is counted, not kept.
 */
const CODEX_HARNESS = 'codex_cli';
const REPORT_LIMITS = {
    commands: 200,
    commandChars: 500,
    tools: 200,
    groupKeys: 200,
    sessions: 10_000,
    names: 50,
    nameChars: 200,
    malformedExamples: 5,
};
/** Group key for values past a map's cap. */
const OTHER_KEY = '(other)';
/** Group key when an event has no value for the group (no model, no repository). */
const NONE_KEY = '(none)';
function emptyUsageTotals() {
    return { input_tokens: 0, output_tokens: 0, cache_read_input_tokens: 0, cache_creation_input_tokens: 0, reasoning_output_tokens: 0, events: 0 };
}
/** The disjoint total: input (uncached) + cache read + output. Reasoning is inside output. */
function totalTokens(totals) {
    return totals.input_tokens + totals.cache_read_input_tokens + totals.output_tokens;
}
function report_isObject(value) {
    return value !== null && typeof value === 'object' && !Array.isArray(value);
}
function nonNegativeInteger(value) {
    return typeof value === 'number' && Number.isInteger(value) && value > 0 ? value : 0;
}
function parseDuration(value) {
    const n = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : NaN;
    return Number.isFinite(n) && n >= 0 ? Math.round(n) : undefined;
}
function parseSuccess(value) {
    if (typeof value === 'boolean')
        return value;
    if (value === 'true')
        return true;
    if (value === 'false')
        return false;
    return undefined;
}
/** A Map with at most `cap` keys; later keys fall into OTHER_KEY. */
class CappedMap {
    cap;
    create;
    map = new Map();
    constructor(cap, create) {
        this.cap = cap;
        this.create = create;
    }
    get(key) {
        let value = this.map.get(key);
        if (value === undefined) {
            if (this.map.size >= this.cap)
                key = OTHER_KEY;
            value = this.map.get(key);
            if (value === undefined) {
                value = this.create();
                this.map.set(key, value);
            }
        }
        return value;
    }
    /** Own-property object (Object.fromEntries), so a key such as `__proto__` stays a plain key. */
    toObject() {
        return Object.fromEntries([...this.map].map(([key, value]) => [key, { ...value }]));
    }
}
class CappedCounter {
    counts;
    constructor(cap) {
        this.counts = new CappedMap(cap, () => ({ n: 0 }));
    }
    add(key, by = 1) {
        this.counts.get(key).n += by;
    }
    toObject() {
        return Object.fromEntries([...this.counts.map].map(([k, v]) => [k, v.n]));
    }
}
/** Distinct short strings, first `cap` kept in arrival order. */
class DistinctList {
    cap;
    values = new Set();
    constructor(cap) {
        this.cap = cap;
    }
    add(value) {
        if (typeof value !== 'string' || value === '' || this.values.size >= this.cap)
            return;
        this.values.add(capString(value, REPORT_LIMITS.nameChars));
    }
}
/**
 * Accumulates a RunReport one parsed event at a time. Token events must be added after their
 * `gen_ai.usage` was normalized (process-log does that per export request).
 */
class RunReportBuilder {
    captureFound = true;
    linesRead = 0;
    events = 0;
    malformedLines = 0;
    malformedExamples = [];
    lastLineTorn = false;
    byAction = new CappedCounter(REPORT_LIMITS.groupKeys);
    byHarness = new CappedCounter(REPORT_LIMITS.groupKeys);
    codexEvents = 0;
    sessionIds = new Set();
    sessionsCapped = false;
    prompts = 0;
    tools = new Map();
    otherToolCalls = 0;
    commandTotal = 0;
    commands = [];
    approvalsRequested = 0;
    approvalsDenied = 0;
    models = new DistinctList(REPORT_LIMITS.names);
    codexVersions = new DistinctList(REPORT_LIMITS.names);
    usageTotal = emptyUsageTotals();
    byModel = new CappedMap(REPORT_LIMITS.groupKeys, emptyUsageTotals);
    byRun = new CappedMap(REPORT_LIMITS.groupKeys, emptyUsageTotals);
    byRepository = new CappedMap(REPORT_LIMITS.groupKeys, emptyUsageTotals);
    byHarnessUsage = new CappedMap(REPORT_LIMITS.groupKeys, emptyUsageTotals);
    tokenEvents = 0;
    tokenPoints = new CappedCounter(REPORT_LIMITS.groupKeys);
    unusableTokenEvents = 0;
    oversizedExports = 0;
    captureMissing() {
        this.captureFound = false;
    }
    lineRead() {
        this.linesRead += 1;
    }
    malformed(lineNumber, reason, torn = false) {
        this.malformedLines += 1;
        if (torn)
            this.lastLineTorn = true;
        if (this.malformedExamples.length < REPORT_LIMITS.malformedExamples)
            this.malformedExamples.push({ line: lineNumber, reason });
    }
    unusableTokenEvent() {
        this.unusableTokenEvents += 1;
    }
    oversizedExport() {
        this.oversizedExports += 1;
    }
    /** One valid event (already checked by process-log's envelope check). */
    add(event) {
        this.events += 1;
        const action = event.event.action;
        const harness = event.harness.name;
        this.byAction.add(action);
        this.byHarness.add(harness);
        const isCodex = harness === CODEX_HARNESS;
        if (isCodex)
            this.codexEvents += 1;
        const raw = report_isObject(event.raw) ? event.raw : undefined;
        const attributes = raw && report_isObject(raw.attributes) ? raw.attributes : undefined;
        if (isCodex && attributes)
            this.codexVersions.add(attributes['app.version']);
        this.models.add(event.model);
        const sessionId = event.session?.id;
        if (typeof sessionId === 'string' && sessionId && !this.sessionIds.has(sessionId)) {
            if (this.sessionIds.size < REPORT_LIMITS.sessions)
                this.sessionIds.add(sessionId);
            else
                this.sessionsCapped = true;
        }
        switch (action) {
            case ACTION.promptSubmitted:
                this.prompts += 1;
                break;
            case ACTION.approvalRequested:
                this.approvalsRequested += 1;
                break;
            case ACTION.approvalDenied:
                this.approvalsRequested += 1;
                this.approvalsDenied += 1;
                break;
            case ACTION.commandExecuted:
            case ACTION.toolInvoked:
                this.addToolCall(event, attributes);
                break;
            case ACTION.tokenUsage:
                this.addTokenEvent(event);
                break;
        }
    }
    addToolCall(event, attributes) {
        const command = report_isObject(event.command) ? event.command : undefined;
        const toolName = typeof event.tool?.name === 'string' && event.tool.name ? event.tool.name : '(unnamed)';
        const success = parseSuccess(command?.success) ?? parseSuccess(attributes?.success);
        const duration = parseDuration(command?.duration_ms) ?? parseDuration(attributes?.duration_ms);
        let stats = this.tools.get(toolName);
        if (!stats && this.tools.size < REPORT_LIMITS.tools) {
            stats = { calls: 0, succeeded: 0, failed: 0, totalDurationMs: 0, maxDurationMs: 0 };
            this.tools.set(toolName, stats);
        }
        if (stats) {
            stats.calls += 1;
            if (success === true)
                stats.succeeded += 1;
            if (success === false)
                stats.failed += 1;
            if (duration !== undefined) {
                stats.totalDurationMs += duration;
                stats.maxDurationMs = Math.max(stats.maxDurationMs, duration);
            }
        }
        else {
            this.otherToolCalls += 1;
        }
        if (event.event.action === ACTION.commandExecuted && command && typeof command.command === 'string') {
            this.commandTotal += 1;
            if (this.commands.length < REPORT_LIMITS.commands) {
                const record = { command: capString(command.command, REPORT_LIMITS.commandChars) };
                if (typeof command.exit_code === 'number')
                    record.exitCode = command.exit_code;
                if (duration !== undefined)
                    record.durationMs = duration;
                if (success !== undefined)
                    record.success = success;
                this.commands.push(record);
            }
        }
    }
    addTokenEvent(event) {
        this.tokenEvents += 1;
        const tokenType = typeof event.gen_ai?.token?.type === 'string' ? event.gen_ai.token.type : 'unknown';
        this.tokenPoints.add(tokenType);
        const usage = report_isObject(event.gen_ai?.usage) ? event.gen_ai.usage : undefined;
        if (!carriesUsage(usage))
            return;
        const run = report_isObject(event.run) ? event.run : undefined;
        const runKey = typeof run?.run_id === 'string' && run.run_id ? `${String(run.provider ?? 'ci')}/${run.run_id}` : 'local';
        const groups = [
            this.usageTotal,
            this.byModel.get(typeof event.model === 'string' && event.model ? event.model : NONE_KEY),
            this.byRun.get(runKey),
            this.byRepository.get(typeof event.repository === 'string' && event.repository ? event.repository : NONE_KEY),
            this.byHarnessUsage.get(event.harness.name),
        ];
        const input = nonNegativeInteger(usage.input_tokens);
        const output = nonNegativeInteger(usage.output_tokens);
        const cacheRead = nonNegativeInteger(usage.cache_read?.input_tokens);
        const cacheCreation = nonNegativeInteger(usage.cache_creation?.input_tokens);
        const reasoning = nonNegativeInteger(usage.reasoning?.output_tokens);
        for (const totals of groups) {
            totals.input_tokens += input;
            totals.output_tokens += output;
            totals.cache_read_input_tokens += cacheRead;
            totals.cache_creation_input_tokens += cacheCreation;
            totals.reasoning_output_tokens += reasoning;
            totals.events += 1;
        }
    }
    finish() {
        return {
            captureFound: this.captureFound,
            linesRead: this.linesRead,
            events: this.events,
            malformedLines: this.malformedLines,
            malformedExamples: this.malformedExamples.slice(),
            lastLineTorn: this.lastLineTorn,
            byAction: this.byAction.toObject(),
            byHarness: this.byHarness.toObject(),
            codexEvents: this.codexEvents,
            sessions: this.sessionIds.size,
            sessionsCapped: this.sessionsCapped,
            prompts: this.prompts,
            tools: Object.fromEntries([...this.tools].map(([name, stats]) => [name, { ...stats }])),
            otherToolCalls: this.otherToolCalls,
            commands: { total: this.commandTotal, listed: this.commands.map((c) => ({ ...c })) },
            approvals: { requested: this.approvalsRequested, denied: this.approvalsDenied },
            models: [...this.models.values],
            codexVersions: [...this.codexVersions.values],
            usage: {
                total: { ...this.usageTotal },
                byModel: this.byModel.toObject(),
                byRun: this.byRun.toObject(),
                byRepository: this.byRepository.toObject(),
                byHarness: this.byHarnessUsage.toObject(),
            },
            tokenEvents: this.tokenEvents,
            tokenPoints: this.tokenPoints.toObject(),
            unusableTokenEvents: this.unusableTokenEvents,
            oversizedExports: this.oversizedExports,
        };
    }
}

;// CONCATENATED MODULE: ./src/finish/process-log.ts






const DEFAULT_CHUNK_BYTES = 1 << 20;
const DEFAULT_MAX_EXPORT_LINES = 10_000;
const MAX_EXPORT_BYTES = 16 << 20;
const NEWLINE = 0x0a;
const SEVERITIES = new Set(['info', 'low', 'medium', 'high', 'critical']);
const OSES = new Set(['linux', 'darwin', 'windows']);
const ORIGINS = new Set(['local', 'cloud', 'ci']);
const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?Z$/;
function process_log_isObject(value) {
    return value !== null && typeof value === 'object' && !Array.isArray(value);
}
const optionalString = (value) => value === undefined || typeof value === 'string';
const optionalInteger = (value) => value === undefined || (typeof value === 'number' && Number.isInteger(value));
const countOk = (value) => value === undefined || (typeof value === 'number' && Number.isInteger(value) && value >= 0);
/**
 * Why a parsed line is not a Beacon 1.0 event the readers accept, or undefined. Required fields
 * and exact values, and the types of the known optional keys (a known key of the wrong type makes
 * the readers reject the whole line, so such a line must not reach the runtime log).
 */
function eventProblem(e) {
    if (!process_log_isObject(e))
        return 'not a JSON object';
    if (e.vendor !== 'beacon')
        return 'vendor is not "beacon"';
    if (e.product !== 'endpoint-agent')
        return 'product is not "endpoint-agent"';
    if (e.schema_version !== SCHEMA_VERSION)
        return `schema_version is not "${SCHEMA_VERSION}"`;
    if (typeof e.timestamp !== 'string' || !TIMESTAMP.test(e.timestamp))
        return 'timestamp is not RFC 3339 UTC';
    const ev = e.event;
    if (!process_log_isObject(ev) || ev.kind !== 'agent_runtime' || typeof ev.action !== 'string' || ev.action === '' || typeof ev.category !== 'string') {
        return 'event is not {kind: "agent_runtime", action, category}';
    }
    if (!SEVERITIES.has(e.severity))
        return 'severity is not one of info, low, medium, high, critical';
    if (!process_log_isObject(e.endpoint) || typeof e.endpoint.hostname !== 'string' || !OSES.has(e.endpoint.os))
        return 'endpoint is not {hostname, os}';
    if (!process_log_isObject(e.harness) || typeof e.harness.name !== 'string')
        return 'harness.name is not a string';
    if (e.origin !== undefined && !ORIGINS.has(e.origin))
        return 'origin is not local, cloud or ci';
    if (e.user !== undefined && (!process_log_isObject(e.user) || !optionalString(e.user.name)))
        return 'user is not an object';
    if (e.run !== undefined) {
        if (!process_log_isObject(e.run))
            return 'run is not an object';
        for (const key in e.run) {
            const value = e.run[key];
            const ok = key === 'ephemeral' ? typeof value === 'boolean' : typeof value === 'string';
            if (!ok)
                return `run.${key} has the wrong type`;
        }
    }
    if (e.session !== undefined && (!process_log_isObject(e.session) || typeof e.session.id !== 'string'))
        return 'session.id is not a string';
    if (e.tool !== undefined && (!process_log_isObject(e.tool) || !optionalString(e.tool.name) || !optionalString(e.tool.command)))
        return 'tool is not {name, command}';
    if (e.command !== undefined) {
        const c = e.command;
        if (!process_log_isObject(c) || !optionalString(c.command) || !optionalInteger(c.exit_code) || !optionalInteger(c.duration_ms))
            return 'command is not {command, exit_code (int), duration_ms (int)}';
    }
    if (e.approval !== undefined) {
        const a = e.approval;
        if (!process_log_isObject(a) || (a.required !== undefined && typeof a.required !== 'boolean') || !optionalString(a.decision) || !optionalString(a.reason))
            return 'approval is not {required (bool), decision, reason}';
    }
    if (e.prompt !== undefined && (!process_log_isObject(e.prompt) || typeof e.prompt.text !== 'string'))
        return 'prompt.text is not a string';
    if (e.gen_ai !== undefined) {
        if (!process_log_isObject(e.gen_ai))
            return 'gen_ai is not an object';
        // Token events get a new usage anyway; any other event's usage must already be right.
        if (e.event.action !== ACTION.tokenUsage && e.gen_ai.usage !== undefined && !usageOk(e.gen_ai.usage))
            return 'gen_ai.usage holds a value that is not a non-negative integer';
    }
    if (!optionalString(e.model))
        return 'model is not a string';
    if (!optionalString(e.repository))
        return 'repository is not a string';
    if (!optionalString(e.branch))
        return 'branch is not a string';
    if (!optionalString(e.message))
        return 'message is not a string';
    if (e.raw !== undefined && !process_log_isObject(e.raw))
        return 'raw is not an object';
    if (e.field_truncated !== undefined && typeof e.field_truncated !== 'boolean')
        return 'field_truncated is not a boolean';
    return undefined;
}
function usageOk(usage) {
    if (!process_log_isObject(usage))
        return false;
    if (!countOk(usage.input_tokens) || !countOk(usage.output_tokens))
        return false;
    for (const [nested, field] of [['cache_read', 'input_tokens'], ['cache_creation', 'input_tokens'], ['reasoning', 'output_tokens']]) {
        const value = usage[nested];
        if (value !== undefined && (!process_log_isObject(value) || !countOk(value[field])))
            return false;
    }
    return usage.cost_usd === undefined || (typeof usage.cost_usd === 'number' && usage.cost_usd >= 0);
}
/**
 * Buffered output: byte ranges of the read buffers (merged when contiguous) and new text. Each
 * flush starts writing in the background and first waits for the previous write, so writing
 * one chunk's output overlaps parsing the next; a read buffer is reused only after its write ended.
 */
class LogSink {
    output;
    parts = [];
    text_ = '';
    range;
    inFlight = Promise.resolve();
    failure;
    constructor(output) {
        this.output = output;
    }
    copy(buffer, start, end) {
        if (this.range && this.range.buffer === buffer && this.range.end === start) {
            this.range.end = end;
            return;
        }
        this.closePart();
        this.range = { buffer, start, end };
    }
    text(text) {
        if (this.range)
            this.closePart();
        this.text_ += text;
    }
    closePart() {
        if (this.text_) {
            this.parts.push(Buffer.from(this.text_, 'utf8'));
            this.text_ = '';
        }
        if (this.range) {
            this.parts.push(this.range.buffer.subarray(this.range.start, this.range.end));
            this.range = undefined;
        }
    }
    /** Waits for the previous write, then starts writing everything collected since. */
    async flush() {
        await this.inFlight;
        if (this.failure)
            throw this.failure;
        this.closePart();
        if (this.parts.length === 0)
            return;
        const parts = this.parts;
        this.parts = [];
        // Caught here so a failure cannot surface as an unhandled rejection; rethrown by the next flush.
        this.inFlight = this.writeAll(parts).catch((error) => {
            this.failure = error;
        });
    }
    /** Flushes and waits until everything is written. */
    async drain() {
        await this.flush();
        await this.inFlight;
        if (this.failure)
            throw this.failure;
    }
    async writeAll(parts) {
        let pending = parts;
        while (pending.length > 0) {
            const { bytesWritten } = await this.output.writev(pending);
            // A short write: keep what was not written yet.
            let skip = bytesWritten;
            const rest = [];
            for (const part of pending) {
                if (skip >= part.length) {
                    skip -= part.length;
                    continue;
                }
                rest.push(skip > 0 ? part.subarray(skip) : part);
                skip = 0;
            }
            pending = rest;
        }
    }
}
async function processCaptureLog(options) {
    const { capturePath, logPath } = options;
    if (external_node_path_default().resolve(capturePath) === external_node_path_default().resolve(logPath))
        throw new Error('the runtime log must not overwrite the capture it is made from');
    const chunkBytes = options.chunkBytes ?? DEFAULT_CHUNK_BYTES;
    const maxExportLines = options.maxExportLines ?? DEFAULT_MAX_EXPORT_LINES;
    const report = new RunReportBuilder();
    const series = new CumulativeSeries();
    external_node_fs_default().mkdirSync(external_node_path_default().dirname(external_node_path_default().resolve(logPath)), { recursive: true });
    let input;
    try {
        input = await external_node_fs_default().promises.open(capturePath, 'r');
    }
    catch (error) {
        if (error.code !== 'ENOENT')
            throw error;
        // No capture: the collector never ran or never wrote. An empty log still documents the run.
        external_node_fs_default().writeFileSync(logPath, '');
        report.captureMissing();
        return report.finish();
    }
    let output;
    try {
        output = await external_node_fs_default().promises.open(logPath, 'w');
    }
    catch (error) {
        await input.close();
        throw error;
    }
    const sink = new LogSink(output);
    let held = [];
    let heldBytes = 0;
    let heldSeq;
    // The export already counted as oversized: one count per export, however many releases.
    let oversizedSeq = Symbol('none');
    const releaseHeld = () => {
        if (held.length === 0)
            return;
        const tokenLines = held.filter((h) => h.point !== undefined);
        const usages = usageForExport(tokenLines.map((h) => h.point), series);
        let next = 0;
        for (const line of held) {
            if (line.text !== undefined) {
                sink.text(line.text + '\n');
                continue;
            }
            const event = line.tokenEvent;
            const usage = line.point ? usages[next++] : {};
            if (process_log_isObject(event.gen_ai))
                event.gen_ai.usage = usage;
            else
                event.gen_ai = { token: { type: line.point?.tokenType ?? 'unknown' }, usage };
            report.add(event);
            sink.text(JSON.stringify(event) + '\n');
        }
        held = [];
        heldBytes = 0;
    };
    const hold = (line, bytes) => {
        held.push(line);
        heldBytes += bytes;
        if (held.length >= maxExportLines || heldBytes >= MAX_EXPORT_BYTES) {
            // An absurdly large export: write what we hold (pairing across the cut may be lost).
            if (oversizedSeq !== heldSeq)
                report.oversizedExport();
            oversizedSeq = heldSeq;
            releaseHeld();
        }
    };
    let lineNumber = 0;
    // Whether the current chunk's whole lines are valid UTF-8 (checked once per chunk: a newline
    // never falls inside a multi-byte sequence, so the lines of a valid chunk are valid too).
    let chunkIsUtf8 = true;
    const handleLine = (buffer, start, end, hasNewline) => {
        lineNumber += 1;
        let text = buffer.toString('utf8', start, end);
        if (text === '' || text === '\r')
            return; // blank lines carry nothing
        report.lineRead();
        let event;
        try {
            event = JSON.parse(text);
        }
        catch {
            report.malformed(lineNumber, hasNewline ? 'not valid JSON' : 'torn last line (no newline, not valid JSON)', !hasNewline);
            return;
        }
        const problem = eventProblem(event);
        if (problem) {
            report.malformed(lineNumber, problem, false);
            return;
        }
        const e = event;
        // Invalid UTF-8 became U+FFFD in the parsed copy: write that copy, never the bad bytes.
        // (An integer written as `1.0` is not looked for: the collector serializes with JSON.stringify,
        // which never prints one, and scanning every line's text would cost a sixth of the pass.)
        const rewrite = !chunkIsUtf8 && !(0,external_node_buffer_.isUtf8)(buffer.subarray(start, end));
        if (rewrite)
            text = JSON.stringify(e);
        if (e.event.action === ACTION.tokenUsage) {
            const seq = process_log_isObject(e.raw) ? e.raw.export_seq : undefined;
            if (held.length > 0 && seq !== heldSeq)
                releaseHeld();
            if (held.length === 0)
                heldSeq = seq;
            const point = tokenPointOf(e);
            if (!point)
                report.unusableTokenEvent();
            hold({ tokenEvent: e, point }, end - start);
            return;
        }
        report.add(e);
        // Other metric lines of the same export keep their place between its token lines.
        if (held.length > 0 && process_log_isObject(e.raw) && e.raw.otel_signal === 'metrics') {
            hold({ text }, end - start);
            return;
        }
        releaseHeld();
        if (rewrite)
            sink.text(text + '\n');
        else {
            sink.copy(buffer, start, hasNewline ? end + 1 : end);
            if (!hasNewline)
                sink.text('\n');
        }
    };
    try {
        // Two buffers in turn: one is parsed while the other's output may still be being written.
        // Each has room for a carried partial line (< chunkBytes) plus one full read.
        const buffers = [Buffer.allocUnsafe(chunkBytes * 2), Buffer.allocUnsafe(chunkBytes * 2)];
        let turn = 0;
        let buffer = buffers[0];
        let filled = 0;
        let skippingLongLine = false;
        for (;;) {
            const { bytesRead } = await input.read(buffer, filled, buffer.length - filled, null);
            const end = filled + bytesRead;
            const view = buffer.subarray(0, end);
            const wholeLinesEnd = bytesRead === 0 ? end : view.lastIndexOf(NEWLINE) + 1;
            chunkIsUtf8 = (0,external_node_buffer_.isUtf8)(view.subarray(0, wholeLinesEnd));
            let start = 0;
            for (;;) {
                const newline = view.indexOf(NEWLINE, start);
                if (newline === -1)
                    break;
                if (skippingLongLine)
                    skippingLongLine = false;
                else
                    handleLine(view, start, newline, true);
                start = newline + 1;
            }
            if (bytesRead === 0) {
                if (start < end && !skippingLongLine)
                    handleLine(view, start, end, false);
                break;
            }
            // Also waits for the write of the other buffer's output: it is free to be read into next.
            await sink.flush();
            const next = buffers[(turn = 1 - turn)];
            const rest = end - start;
            if (rest >= chunkBytes) {
                // No event is this long: drop it up to its newline rather than let memory grow.
                if (!skippingLongLine) {
                    lineNumber += 1;
                    report.lineRead();
                    report.malformed(lineNumber, `line longer than ${chunkBytes} bytes`, false);
                }
                skippingLongLine = true;
                filled = 0;
            }
            else {
                buffer.copy(next, 0, start, end);
                filled = rest;
            }
            buffer = next;
        }
        releaseHeld();
        await sink.drain();
    }
    finally {
        await input.close();
        await output.close();
    }
    return report.finish();
}

// EXTERNAL MODULE: external "node:child_process"
var external_node_child_process_ = __webpack_require__(31421);
// EXTERNAL MODULE: ./src/handoff/collector-config.ts
var collector_config = __webpack_require__(63400);
// EXTERNAL MODULE: ./src/handoff/collector-client.ts
var collector_client = __webpack_require__(10709);
;// CONCATENATED MODULE: ./src/finish/stop-collector.ts




function isAlive(pid) {
    try {
        process.kill(pid, 0);
    }
    catch (error) {
        return error.code === 'EPERM';
    }
    // The collector's parent (the start step) is gone, so once it exits it may linger as a zombie
    // until the system reaps it: that is exited too.
    if (process.platform === 'linux') {
        try {
            const stat = external_node_fs_default().readFileSync(`/proc/${pid}/stat`, 'utf8');
            return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
        }
        catch {
            return false;
        }
    }
    return true;
}
async function waitForExit(pid, timeoutMs) {
    const deadline = Date.now() + timeoutMs;
    while (isAlive(pid)) {
        if (Date.now() > deadline)
            return false;
        await new Promise((resolve) => setTimeout(resolve, 10));
    }
    return true;
}
/** Whether the process's command line shows our collector (Linux: /proc; macOS: ps). */
function looksLikeOurCollector(pid, script, configPath) {
    try {
        let commandLine;
        if (process.platform === 'linux')
            commandLine = external_node_fs_default().readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
        else if (process.platform === 'darwin')
            commandLine = (0,external_node_child_process_.execFileSync)('ps', ['-p', String(pid), '-o', 'command='], { encoding: 'utf8' });
        else
            return undefined; // Windows: no cheap way; never kill what we cannot recognise
        return commandLine.includes(script) && commandLine.includes(configPath);
    }
    catch {
        return undefined;
    }
}
async function stopCollector(options) {
    const { config, ready } = options;
    if (!config || !ready)
        return { status: 'not-started' };
    const answerTimeoutMs = options.answerTimeoutMs ?? 5_000;
    const exitTimeoutMs = options.exitTimeoutMs ?? 20_000;
    const pid = ready.pid;
    let answeredPid;
    try {
        answeredPid = await (0,collector_client/* collectorPid */.R)(ready.port, collector_config/* SHUTDOWN_PATH */.ze, 'POST', config.secret, answerTimeoutMs);
    }
    catch {
        answeredPid = undefined; // refused (gone) or hung: decided below
    }
    if (answeredPid === pid) {
        const started = Date.now();
        if (await waitForExit(pid, exitTimeoutMs))
            return { status: 'stopped', pid, waitedMs: Date.now() - started };
        // It answered with our secret, so it is ours: kill it.
        kill(pid);
        return { status: 'killed', pid, reason: `it did not exit within ${exitTimeoutMs} ms of the shutdown request` };
    }
    if (!isAlive(pid))
        return { status: 'already-exited', pid };
    const ours = options.script ? looksLikeOurCollector(pid, options.script, options.configPath) : undefined;
    if (ours) {
        kill(pid);
        await waitForExit(pid, 2_000);
        return { status: 'killed', pid, reason: 'it did not answer the shutdown request' };
    }
    return {
        status: 'left-alone',
        pid,
        reason: ours === false ? `process ${pid} is not our collector any more (a reused pid)` : `process ${pid} did not answer and cannot be recognised as our collector on this OS`,
    };
}
function kill(pid) {
    try {
        process.kill(pid, 'SIGKILL');
    }
    catch {
        // gone meanwhile
    }
}

;// CONCATENATED MODULE: ./src/finish/summary.ts
/** 1 MiB minus room for the runner's own additions. */
const SUMMARY_MAX_BYTES = 1024 * 1024 - 8 * 1024;
const SUMMARY_LIMITS = {
    models: 50,
    tools: 50,
    commands: 100,
    commandChars: 200,
    nameChars: 100,
};
const SUMMARY_NOTES = {
    noCost: 'No cost: Codex emits none.',
    noSessionSplit: 'No per-session token split: the metric has no conversation id.',
};
const CUT_NOTE = '\n\n*The summary was cut here to stay under the 1 MiB limit of a job summary.*\n';
function formatInt(n) {
    return Math.round(n)
        .toString()
        .replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}
function formatMs(ms) {
    if (ms < 1000)
        return `${formatInt(ms)} ms`;
    if (ms < 60_000)
        return `${(ms / 1000).toFixed(1)} s`;
    return `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`;
}
/** Cuts a display string to `max` UTF-16 units, never inside a surrogate pair. */
function shorten(text, max) {
    if (text.length <= max)
        return text;
    let end = max - 1;
    const code = text.charCodeAt(end - 1);
    if (code >= 0xd800 && code <= 0xdbff)
        end -= 1;
    return text.slice(0, end) + '…';
}
/**
 * A Markdown code span that shows `text` literally: control characters (newlines would end a table
 * row) become spaces, and the fence is one backtick longer than the longest backtick run inside,
 * which is how CommonMark "escapes" backticks in code.
 */
function codeSpan(text) {
    const flat = text.replace(/[\u0000-\u001f\u007f\u2028\u2029]+/g, ' ');
    if (flat === '')
        return '*(empty)*';
    let longestRun = 0;
    for (const run of flat.match(/`+/g) ?? [])
        longestRun = Math.max(longestRun, run.length);
    const fence = '`'.repeat(longestRun + 1);
    // One space each side is stripped by the renderer; it keeps a leading/trailing backtick or space intact.
    const pad = /^[` ]|[` ]$/.test(flat) ? ' ' : '';
    return `${fence}${pad}${flat}${pad}${fence}`;
}
/** A table cell: an unescaped pipe would end the cell, even inside a code span (GFM). */
function tableCell(markdown) {
    return markdown.replace(/\|/g, '\\|');
}
/** Our own sentences may carry values from outside (an error message): keep them plain text, one line. */
function plainLine(text) {
    return text
        .replace(/[\u0000-\u001f\u007f\u2028\u2029]+/g, ' ')
        .replace(/&/g, '&amp;')
        .replace(/</g, '&lt;')
        .replace(/>/g, '&gt;');
}
function table(header, align, rows) {
    const lines = [`| ${header.join(' | ')} |`, `| ${align.map((a) => (a === 'r' ? '---:' : '---')).join(' | ')} |`];
    for (const row of rows)
        lines.push(`| ${row.join(' | ')} |`);
    return lines.join('\n');
}
function notShown(n, what) {
    return n > 0 ? `\n\n*${formatInt(n)} more ${what} not shown.*` : '';
}
function usageRow(label, entry) {
    return [
        label,
        formatInt(entry.input_tokens),
        formatInt(entry.cache_read_input_tokens),
        formatInt(entry.output_tokens),
        formatInt(entry.reasoning_output_tokens),
        formatInt(entry.total_tokens),
    ];
}
function headline(report, usage) {
    const models = report.models.length ? report.models.slice(0, 5).map((m) => codeSpan(shorten(m, SUMMARY_LIMITS.nameChars))).join(', ') : 'none seen';
    const moreModels = report.models.length > 5 ? ` and ${report.models.length - 5} more` : '';
    const version = report.codexVersions.length ? report.codexVersions.slice(0, 3).map((v) => codeSpan(shorten(v, 40))).join(', ') : 'unknown';
    return [
        `**Models:** ${models}${moreModels}`,
        `**Total tokens:** ${formatInt(usage.totals.total_tokens)}`,
        `**Events:** ${formatInt(report.events)} (${formatInt(report.codexEvents)} from Codex)`,
        `**Codex:** ${version}`,
    ].join(' · ');
}
function tokenTable(usage) {
    const models = Object.entries(usage.by_model).sort((a, b) => b[1].total_tokens - a[1].total_tokens || (a[0] < b[0] ? -1 : 1));
    if (models.length === 0)
        return '*No token usage was captured.*';
    const rows = models.slice(0, SUMMARY_LIMITS.models).map(([model, totals]) => usageRow(tableCell(codeSpan(shorten(model, SUMMARY_LIMITS.nameChars))), totals));
    if (models.length > 1)
        rows.push(usageRow('**All models**', usage.totals));
    return (table(['Model', 'Input', 'Cached input', 'Output', 'Reasoning', 'Total'], ['l', 'r', 'r', 'r', 'r', 'r'], rows) +
        notShown(models.length - SUMMARY_LIMITS.models, 'models') +
        '\n\nInput excludes cached input; output includes reasoning; total = input + cached input + output.');
}
function activity(report) {
    const parts = [];
    parts.push([
        `- Sessions: ${formatInt(report.sessions)}${report.sessionsCapped ? '+' : ''}`,
        `- Prompts: ${formatInt(report.prompts)}`,
        `- Tool calls: ${formatInt(Object.values(report.tools).reduce((n, t) => n + t.calls, 0) + report.otherToolCalls)}`,
        `- Commands run: ${formatInt(report.commands.total)}`,
        `- Approvals requested: ${formatInt(report.approvals.requested)}, denied: ${formatInt(report.approvals.denied)}`,
    ].join('\n'));
    const tools = Object.entries(report.tools).sort((a, b) => b[1].calls - a[1].calls || (a[0] < b[0] ? -1 : 1));
    if (tools.length > 0) {
        const rows = tools
            .slice(0, SUMMARY_LIMITS.tools)
            .map(([name, t]) => [tableCell(codeSpan(shorten(name, SUMMARY_LIMITS.nameChars))), formatInt(t.calls), formatInt(t.succeeded), formatInt(t.failed), formatMs(t.totalDurationMs), formatMs(t.maxDurationMs)]);
        const otherCalls = report.otherToolCalls > 0 ? `\n\n*${formatInt(report.otherToolCalls)} calls of other tools not listed.*` : '';
        parts.push('**Tool calls**\n\n' +
            table(['Tool', 'Calls', 'Succeeded', 'Failed', 'Total duration', 'Max duration'], ['l', 'r', 'r', 'r', 'r', 'r'], rows) +
            notShown(tools.length - SUMMARY_LIMITS.tools, 'tools') +
            otherCalls);
    }
    const listed = report.commands.listed.slice(0, SUMMARY_LIMITS.commands);
    if (listed.length > 0) {
        const rows = listed.map((c) => [
            tableCell(codeSpan(shorten(c.command, SUMMARY_LIMITS.commandChars))),
            c.exitCode === undefined ? '' : String(c.exitCode),
            c.durationMs === undefined ? '' : formatMs(c.durationMs),
        ]);
        parts.push('**Commands run**\n\n' + table(['Command', 'Exit code', 'Duration'], ['l', 'r', 'r'], rows) + notShown(report.commands.total - listed.length, 'commands'));
    }
    return parts.join('\n\n');
}
function tokenPie(usage) {
    const t = usage.totals;
    const slices = [
        ['Input (uncached)', t.input_tokens],
        ['Cached input', t.cache_read_input_tokens],
        ['Output (without reasoning)', Math.max(0, t.output_tokens - t.reasoning_output_tokens)],
        ['Reasoning', t.reasoning_output_tokens],
    ];
    const shown = slices.filter(([, n]) => n > 0);
    if (shown.length === 0)
        return '';
    const lines = ['pie showData', '    title Token mix', ...shown.map(([label, n]) => `    "${label}" : ${n}`)];
    return `<details><summary>Token mix</summary>\n\n\`\`\`mermaid\n${lines.join('\n')}\n\`\`\`\n\n</details>`;
}
function validationSection(validation) {
    const list = (items) => items.map((item) => `- ${plainLine(item)}`).join('\n');
    const parts = [];
    if (validation.failures.length)
        parts.push(`**Failed**\n\n${list(validation.failures)}`);
    if (validation.warnings.length)
        parts.push(`**Warnings**\n\n${list(validation.warnings)}`);
    if (validation.diagnoses.length)
        parts.push(`**Likely causes**\n\n${list(validation.diagnoses)}`);
    if (parts.length === 0)
        parts.push('All checks passed.');
    return parts.join('\n\n');
}
function artifactLine(artifact) {
    if (!artifact)
        return '';
    const name = codeSpan(shorten(artifact.name, SUMMARY_LIMITS.nameChars));
    const url = artifact.url && /^https?:\/\/[^\s<>()]+$/.test(artifact.url) ? artifact.url : undefined;
    return url ? `**Artifact:** [${name}](${url})` : `**Artifact:** ${name}`;
}
/** Keeps the summary under `maxBytes`: cut at a line boundary (never inside a UTF-8 sequence) and say so. */
function limitBytes(markdown, maxBytes) {
    if (Buffer.byteLength(markdown) <= maxBytes)
        return markdown;
    const bytes = Buffer.from(markdown, 'utf8');
    const room = Math.max(0, maxBytes - Buffer.byteLength(CUT_NOTE));
    const lastNewline = bytes.lastIndexOf(0x0a, room - 1);
    return bytes.toString('utf8', 0, lastNewline > 0 ? lastNewline : 0) + CUT_NOTE;
}
function renderSummary(report, usage, validation, extras = {}) {
    const sections = [
        `## ${plainLine(extras.title ?? 'Codex telemetry')}`,
        headline(report, usage),
        '### Token usage by model',
        tokenTable(usage),
        '### Agent activity',
        activity(report),
        tokenPie(usage),
        '### Notes',
        `- ${SUMMARY_NOTES.noCost}\n- ${SUMMARY_NOTES.noSessionSplit}`,
        '### Validation',
        validationSection(validation),
        artifactLine(extras.artifact),
    ].filter((section) => section !== '');
    return limitBytes(sections.join('\n\n') + '\n', extras.maxBytes ?? SUMMARY_MAX_BYTES);
}

;// CONCATENATED MODULE: ./src/finish/usage-file.ts


const USAGE_NOTES = {
    noCost: 'no cost: Codex emits none',
    noSessionSplit: 'no per-session split: the Codex token metric carries no conversation id',
};
function usageEntry(totals) {
    return {
        input_tokens: totals.input_tokens,
        output_tokens: totals.output_tokens,
        cache_read_input_tokens: totals.cache_read_input_tokens,
        cache_creation_input_tokens: totals.cache_creation_input_tokens,
        reasoning_output_tokens: totals.reasoning_output_tokens,
        cost_usd: null,
        events: totals.events,
        total_tokens: totalTokens(totals),
    };
}
function breakdown(groups) {
    return Object.fromEntries(Object.keys(groups)
        .sort()
        .map((key) => [key, usageEntry(groups[key])]));
}
function buildUsageFile(report, options = {}) {
    return {
        source: 'beacon-action',
        ...(options.logName ? { log: options.logName } : {}),
        totals: usageEntry(report.usage.total),
        by_model: breakdown(report.usage.byModel),
        by_run: breakdown(report.usage.byRun),
        by_repository: breakdown(report.usage.byRepository),
        by_harness: breakdown(report.usage.byHarness),
        token_data_points: Object.fromEntries(Object.keys(report.tokenPoints).sort().map((key) => [key, report.tokenPoints[key]])),
        notes: [USAGE_NOTES.noCost, USAGE_NOTES.noSessionSplit],
    };
}
function writeUsageFile(filePath, usage) {
    external_node_fs_default().writeFileSync(filePath, JSON.stringify(usage, null, 2) + '\n');
}

;// CONCATENATED MODULE: ./src/finish/validate.ts
const CLEAN_STOP = 'shutdown request';
/** What an HTTP status the collector answered with usually means. */
const REJECTION_CAUSES = {
    '400': 'a body that could not be decoded as OTLP',
    '401': 'a missing or wrong secret header (a stale config, or another process sending to the port)',
    '413': 'a body larger than the collector accepts',
    '415': 'an unsupported content type or encoding',
    '503': 'the collector shutting down, or failing to write',
};
function plural(n, one, many = `${one}s`) {
    return `${n} ${n === 1 ? one : many}`;
}
function validateRun(report, stats, options) {
    const failures = [];
    const warnings = [];
    const diagnoses = [];
    const exit = options.collectorExit;
    if (report.codexEvents < options.minEvents) {
        const message = `${plural(report.codexEvents, 'event')} from Codex (harness codex_cli) were captured; at least ${options.minEvents} ${options.minEvents === 1 ? 'is' : 'are'} required (min-events).`;
        (options.requireTelemetry ? failures : warnings).push(message);
    }
    const requests = stats ? stats.signals.logs.requests + stats.signals.metrics.requests + stats.signals.traces.requests : undefined;
    if (exit?.status === 'not-started') {
        warnings.push('No collector was started for this job, so nothing could be captured.');
        diagnoses.push('Run this action (mode start) before the step that runs Codex, in the same job.');
    }
    else if (requests === 0) {
        warnings.push('No telemetry request ever reached the collector.');
        diagnoses.push('The usual cause: `codex-home` was not passed to openai/codex-action, or Codex did not run.');
    }
    else if (!report.captureFound && stats === undefined) {
        warnings.push('The collector wrote no capture file.');
    }
    if (report.codexEvents > 0 && report.tokenEvents === 0) {
        warnings.push('Codex events were captured but no token usage metric.');
        diagnoses.push('Codex sends its metrics only at a normal exit: it was cancelled or killed, or `metrics_exporter` was overridden in its configuration.');
    }
    if (exit?.status !== 'not-started') {
        const why = exit?.reason ? ` (${exit.reason})` : '';
        if (exit?.status === 'left-alone') {
            warnings.push(`The collector could not be stopped${why} and was left running. What it wrote so far is used.`);
        }
        else if (stats === undefined) {
            warnings.push(`The collector left no statistics: it died or was killed before it could stop cleanly${why}. What it wrote is still used.`);
        }
        else if (stats.stopReason === undefined) {
            warnings.push('The collector did not record why it stopped: it was likely killed. What it wrote is still used.');
        }
        else if (stats.stopReason !== CLEAN_STOP) {
            warnings.push(`The collector stopped on its own (${stats.stopReason}), not at the post step's request: telemetry sent after that was lost. What it wrote is still used.`);
        }
        else if (exit?.status === 'killed' || exit?.status === 'already-exited') {
            warnings.push(`The collector ${exit.status === 'killed' ? 'had to be killed' : 'had already exited'}${why}. What it wrote is still used.`);
        }
    }
    if (stats) {
        const rejected = Object.entries(stats.rejected).filter(([, n]) => n > 0);
        if (rejected.length > 0) {
            const total = rejected.reduce((sum, [, n]) => sum + n, 0);
            const byStatus = rejected.map(([status, n]) => `${n} with status ${status}`).join(', ');
            warnings.push(`The collector rejected ${plural(total, 'request')} (${byStatus}).`);
            for (const [status] of rejected) {
                const cause = REJECTION_CAUSES[status];
                if (cause)
                    diagnoses.push(`Status ${status} means ${cause}.`);
            }
            if (stats.firstError)
                diagnoses.push(`First error: ${stats.firstError}`);
        }
        if (stats.writeErrors > 0) {
            warnings.push(`The collector failed to write events ${plural(stats.writeErrors, 'time')}; those requests were refused so the sender could retry.`);
        }
    }
    if (report.malformedLines > 0) {
        const torn = report.lastLineTorn ? ' (the last one was cut off: the collector stopped in the middle of a write)' : '';
        warnings.push(`${plural(report.malformedLines, 'malformed line')} of the capture ${report.malformedLines === 1 ? 'was' : 'were'} skipped${torn}.`);
    }
    if (report.unusableTokenEvents > 0) {
        warnings.push(`${plural(report.unusableTokenEvents, 'token event')} had no usable value and ${report.unusableTokenEvents === 1 ? 'was' : 'were'} not counted.`);
    }
    if (report.oversizedExports > 0) {
        warnings.push(`${plural(report.oversizedExports, 'metrics export')} held too many token points to pair input with cached input completely.`);
    }
    return { ok: failures.length === 0, failures, warnings, diagnoses };
}

;// CONCATENATED MODULE: ./src/finish/main.ts












function readJson(file) {
    try {
        return JSON.parse(external_node_fs_default().readFileSync(file, 'utf8'));
    }
    catch {
        return undefined;
    }
}
function locateWorkDir(trigger, inputs) {
    if (trigger === 'post') {
        // The post step of a `mode: finish` use: its main step already did the work.
        if (inputs.mode === 'finish' || core.getState(state/* STATE_ROLE */.N) === 'finish-step')
            return undefined;
        const workDir = core.getState(state/* STATE_WORK_DIR */.a);
        if (!workDir)
            core.notice('beacon: nothing to finish: the start step of this action failed or did not run.');
        return workDir || undefined;
    }
    core.saveState(state/* STATE_ROLE */.N, 'finish-step');
    const workDir = process.env[workspace/* WORK_DIR_ENV */.m];
    if (!workDir)
        core.warning('beacon: mode: finish found no capture started earlier in this job. Add the action (mode: start, the default) before the step that runs Codex.');
    return workDir || undefined;
}
/** How the collector stopped, for the log; validateRun turns the unusual cases into warnings. */
function describeStop(outcome) {
    if (outcome.status === 'stopped')
        core.info(`beacon: collector (pid ${outcome.pid}) stopped after ${outcome.waitedMs} ms.`);
    else
        core.info(`beacon: collector ${outcome.status}${'reason' in outcome ? `: ${outcome.reason}` : ''}.`);
}
async function finishCapture(trigger) {
    const inputs = (0,src_inputs/* readFinishInputs */.P_)(core.getInput);
    const workDir = locateWorkDir(trigger, inputs);
    if (!workDir)
        return;
    const paths = (0,workspace/* workspacePaths */.s)(workDir);
    if (external_node_fs_default().existsSync(paths.finished)) {
        core.info('beacon: this capture was already finished by a mode: finish step.');
        return;
    }
    const outcome = await stopCollector({
        config: readJson(paths.collectorConfig),
        ready: readJson(paths.ready),
        script: readJson(paths.runFile)?.collector.script,
        configPath: paths.collectorConfig,
    });
    describeStop(outcome);
    const report = await processCaptureLog({ capturePath: paths.capture, logPath: paths.runtimeLog });
    const usage = buildUsageFile(report, { logName: 'beacon-runtime.jsonl' });
    writeUsageFile(paths.usage, usage);
    const stats = readJson(paths.stats);
    const validation = validateRun(report, stats, {
        minEvents: inputs.minEvents,
        requireTelemetry: inputs.requireTelemetry,
        collectorExit: { status: outcome.status, ...('reason' in outcome ? { reason: outcome.reason } : {}) },
    });
    for (const warning of validation.warnings)
        core.warning(`beacon: ${warning}`);
    for (const diagnosis of validation.diagnoses)
        core.info(`beacon: ${diagnosis}`);
    const artifact = inputs.uploadArtifact ? await upload(paths, inputs) : undefined;
    if (inputs.jobSummary) {
        try {
            const markdown = renderSummary(report, usage, validation, artifact?.status === 'uploaded' ? { artifact: { name: artifact.name, url: artifact.url } } : {});
            await core.summary.addRaw(markdown).write();
        }
        catch (error) {
            core.warning(`beacon: the job summary could not be written: ${error.message}`);
        }
    }
    const total = report.usage.total;
    core.info(`beacon: ${report.events} events, ${totalTokens(total)} tokens (input ${total.input_tokens}, cached ${total.cache_read_input_tokens}, output ${total.output_tokens}, reasoning ${total.reasoning_output_tokens}). Log: ${paths.runtimeLog}`);
    core.setOutput('log-path', paths.runtimeLog);
    if (trigger === 'finish-step') {
        core.setOutput('input-tokens', String(total.input_tokens));
        core.setOutput('cached-input-tokens', String(total.cache_read_input_tokens));
        core.setOutput('output-tokens', String(total.output_tokens));
        core.setOutput('reasoning-output-tokens', String(total.reasoning_output_tokens));
        core.setOutput('total-tokens', String(totalTokens(total)));
        core.setOutput('events', String(report.events));
        core.setOutput('usage-json', paths.usage);
    }
    external_node_fs_default().writeFileSync(paths.finished, JSON.stringify({ finishedAt: new Date().toISOString(), trigger }), { mode: 0o600 });
    if (validation.failures.length > 0)
        core.setFailed(`beacon: ${validation.failures.join(' ')}`);
}
async function upload(paths, inputs) {
    const result = await uploadRuntimeArtifact({
        name: inputs.artifactName ?? defaultArtifactName(process.env),
        files: [paths.runtimeLog, paths.usage].filter((file) => external_node_fs_default().existsSync(file)),
        rootDirectory: paths.workDir,
        retentionDays: inputs.retentionDays,
        log: { info: core.info, warning: core.warning },
    });
    if (result.status === 'failed')
        core.warning(`beacon: the artifact was not uploaded: ${result.reason}`);
    if (result.status === 'skipped')
        core.info(`beacon: no artifact upload: ${result.reason}.`);
    return result;
}


/***/ })

};
