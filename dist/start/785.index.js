export const id = 785;
export const ids = [785];
export const modules = {

/***/ 20785:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {


// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  finishCapture: () => (/* binding */ finishCapture)
});

// EXTERNAL MODULE: external "node:fs"
var external_node_fs_ = __webpack_require__(73024);
var external_node_fs_default = /*#__PURE__*/__webpack_require__.n(external_node_fs_);
// EXTERNAL MODULE: ./node_modules/@actions/core/lib/core.js + 7 modules
var core = __webpack_require__(33838);
// EXTERNAL MODULE: ./src/beacon/attribution.ts
var beacon_attribution = __webpack_require__(29153);
// EXTERNAL MODULE: ./src/beacon/redact.ts
var redact = __webpack_require__(57983);
// EXTERNAL MODULE: ./src/handoff/workspace.ts
var workspace = __webpack_require__(84651);
// EXTERNAL MODULE: ./src/inputs.ts
var src_inputs = __webpack_require__(38422);
// EXTERNAL MODULE: external "node:fs/promises"
var promises_ = __webpack_require__(51455);
// EXTERNAL MODULE: external "node:path"
var external_node_path_ = __webpack_require__(76760);
var external_node_path_default = /*#__PURE__*/__webpack_require__.n(external_node_path_);
;// CONCATENATED MODULE: ./src/harness/codex/name.ts
/** `harness.name` of the OpenAI Codex CLI, in its events and its session-file reader. */
const CODEX_HARNESS_NAME = 'codex_cli';
/** Codex's token metric (codex-telemetry.md "Metrics"), whose usage its session files also hold. */
const CODEX_TOKEN_METRIC = 'codex.turn.token_usage';

;// CONCATENATED MODULE: ./src/harness/codex/session-files/line-head.ts
/**
 * The start of one JSON line, read byte by byte without making it a string: the top-level
 * `"type"`, `"timestamp"` and `"payload"."type"`, wherever in the object those keys stand.
 * Used by ./lines.ts.
 */
const NEWLINE = 0x0a;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;
const COLON = 0x3a;
const COMMA = 0x2c;
/** Keys and values of interest are short; a longer string cannot be one of them. */
const CAPTURE_LIMIT = 128;
/** Stands for a key that is none of `type`, `payload`, `timestamp`, and for a string too long or malformed to be a value of interest. */
const SOMETHING_ELSE = '\u0000';
function isWhitespace(byte) {
    return byte === 0x20 || byte === 0x09 || byte === 0x0d;
}
/**
 * A resumable scan of one line's JSON structure, byte by byte, that follows only the depth, the
 * strings, and the keys at depth 1 and inside `"payload"` (depth 2). It stops at a newline.
 */
class LineHeadScanner {
    captured;
    head = { payloadEnded: false, notObject: false };
    /** The head changed since the caller last looked. */
    changed = false;
    /** The top-level object closed, or the line turned out not to be an object. */
    ended = false;
    /** Something other than white space came after the top-level object. */
    trailing = false;
    /** Anything other than white space was seen. */
    sawContent = false;
    depth = 0;
    inString = false;
    escaped = false;
    expectKey = false;
    inPayload = false;
    key1 = '';
    key2 = '';
    capture;
    capturedLength = 0;
    overflow = false;
    /** The captured string holds a backslash (an escape). */
    escapes = false;
    /**
     * `captured` holds the strings of interest as they are read (at least CAPTURE_LIMIT bytes): one
     * buffer can serve all the scanners of a file, one line after another, rather than one each.
     */
    constructor(captured = Buffer.alloc(CAPTURE_LIMIT)) {
        this.captured = captured;
    }
    /** Scans `data[from, to)`; returns where it stopped: at a newline (not consumed), after a change of the head, or `to`. */
    feed(data, from, to) {
        for (let at = from; at < to; at++) {
            const byte = data[at];
            if (byte === NEWLINE)
                return at;
            if (this.inString) {
                if (this.escaped)
                    this.escaped = false;
                else if (byte === BACKSLASH)
                    this.escaped = this.escapes = true;
                else if (byte === QUOTE) {
                    this.inString = false;
                    if (this.capture && this.endCapture())
                        return at + 1;
                    continue;
                }
                if (this.capture)
                    this.keep(byte);
                continue;
            }
            if (isWhitespace(byte))
                continue;
            this.sawContent = true;
            if (this.ended) {
                this.trailing = true;
                continue;
            }
            if (this.depth === 0 && byte !== OPEN_OBJECT) {
                this.head.notObject = true;
                this.ended = this.changed = true;
                return at + 1;
            }
            if (this.structural(byte))
                return at + 1;
        }
        return to;
    }
    /** One byte outside strings; true when the head changed. */
    structural(byte) {
        switch (byte) {
            case QUOTE:
                this.inString = true;
                this.capture = this.captureFor();
                this.capturedLength = 0;
                this.overflow = this.escapes = false;
                return false;
            case OPEN_OBJECT:
            case OPEN_ARRAY:
                this.depth++;
                if (this.depth === 1)
                    this.expectKey = true;
                if (this.depth === 2 && byte === OPEN_OBJECT && this.key1 === 'payload') {
                    this.inPayload = true;
                    this.expectKey = true;
                }
                return false;
            case CLOSE_OBJECT:
            case CLOSE_ARRAY:
                this.depth--;
                if (this.depth === 1 && this.inPayload) {
                    this.inPayload = false;
                    this.head.payloadEnded = this.changed = true;
                    return true;
                }
                if (this.depth <= 0) {
                    this.ended = this.changed = true;
                    return true;
                }
                return false;
            case COLON:
                this.expectKey = false;
                return false;
            case COMMA:
                this.expectKey = true;
                return false;
            default:
                return false;
        }
    }
    /** Which string of interest starts here, if any. */
    captureFor() {
        if (this.depth === 1) {
            if (this.expectKey)
                return 'key1';
            if (this.key1 === 'type')
                return 'type';
            if (this.key1 === 'timestamp')
                return 'timestamp';
        }
        else if (this.depth === 2 && this.inPayload) {
            if (this.expectKey)
                return 'key2';
            if (this.key2 === 'type')
                return 'payloadType';
        }
        return undefined;
    }
    keep(byte) {
        if (this.capturedLength < CAPTURE_LIMIT)
            this.captured[this.capturedLength++] = byte;
        else
            this.overflow = true;
    }
    /** A captured string ended; true when the head changed. */
    endCapture() {
        const which = this.capture;
        this.capture = undefined;
        // A string too long to be a key or value of interest stands for "something else".
        if (this.overflow)
            return this.endString(which, SOMETHING_ELSE);
        const length = this.capturedLength;
        // Keys are only ever compared with KEYS_OF_INTEREST: one with no escape is matched byte by byte, no string made.
        if ((which === 'key1' || which === 'key2') && !this.escapes)
            return this.endString(which, keyOfInterest(this.captured, length));
        return this.endString(which, decodeJsonString(this.captured.toString('utf8', 0, length)));
    }
    /** Puts a captured string where it belongs; true when the head changed. */
    endString(which, text) {
        if (which === 'key1')
            this.key1 = text;
        else if (which === 'key2')
            this.key2 = text;
        else if (this.head[which] === undefined) {
            this.head[which] = text;
            this.changed = true;
            return true;
        }
        return false;
    }
}
const KEYS_OF_INTEREST = ['type', 'payload', 'timestamp'];
/** The key of interest spelt by `bytes[0, length)` (a key with no escape), else SOMETHING_ELSE. */
function keyOfInterest(bytes, length) {
    for (const key of KEYS_OF_INTEREST) {
        if (key.length !== length)
            continue;
        let at = 0;
        while (at < length && bytes[at] === key.charCodeAt(at))
            at++;
        if (at === length)
            return key;
    }
    return SOMETHING_ELSE;
}
/** The value of a JSON string's inside (escapes included); a malformed one stands for "something else". */
function decodeJsonString(inside) {
    if (!inside.includes('\\'))
        return inside;
    try {
        return JSON.parse(`"${inside}"`);
    }
    catch {
        return SOMETHING_ELSE;
    }
}

;// CONCATENATED MODULE: ./src/harness/codex/session-files/lines.ts

/**
 * The lines of an open file, in order, in batches: the lines that end in one chunk, so that the
 * caller's loop awaits once a chunk, not once a line. `want` is asked while a chunk is scanned,
 * before the caller sees that chunk's lines. Breaking out of the loop stops reading.
 */
async function* scanLines(handle, options) {
    const { chunks, maxLineBytes, want } = options;
    // From a byte within the file, the line that byte `start - 1` belongs to is passed over (up to its newline).
    let position = Math.max(0, (options.start ?? 0) - 1);
    let lineStart = position;
    let skipping = position > 0;
    const captured = Buffer.alloc(CAPTURE_LIMIT); // one for the scanners of all the lines
    let scanner = new LineHeadScanner(captured);
    let decision;
    let parts = [];
    let size = 0;
    let tooLong = false;
    const decide = () => {
        if (decision !== undefined || !scanner.changed)
            return;
        scanner.changed = false;
        decision = want(scanner.head) ?? (scanner.ended ? false : undefined);
        if (decision === false)
            parts = [];
    };
    /** Keeps a piece of a line that may be wanted, up to the limit. */
    const keep = (piece) => {
        if (decision === false || tooLong)
            return;
        size += piece.length;
        if (size > maxLineBytes) {
            tooLong = true;
            parts = [];
        }
        else
            parts.push(piece);
    };
    const readInto = (buffer, from) => {
        const read = handle.read(buffer, 0, buffer.length, from);
        read.catch(() => undefined); // not an unhandled rejection while it waits: its error is thrown where it is awaited
        return read;
    };
    let current = 0;
    let reading = readInto(chunks[0], position);
    try {
        for (;;) {
            const { bytesRead } = await reading;
            if (bytesRead === 0)
                break;
            const data = chunks[current].subarray(0, bytesRead);
            // The next chunk is read into the other buffer (on libuv's threads) while this one is scanned.
            current ^= 1;
            reading = readInto(chunks[current], position + bytesRead);
            const lines = [];
            let at = 0;
            let pieceStart = 0;
            if (skipping) {
                const newline = data.indexOf(NEWLINE);
                if (newline < 0) {
                    position += bytesRead;
                    lineStart = position;
                    continue;
                }
                skipping = false;
                at = pieceStart = newline + 1;
                lineStart = position + at;
            }
            while (at < bytesRead) {
                let newline;
                if (decision === undefined) {
                    at = scanner.feed(data, at, bytesRead);
                    decide();
                    if (at >= bytesRead || data[at] !== NEWLINE)
                        continue;
                    newline = at;
                }
                else {
                    newline = data.indexOf(NEWLINE, at);
                    if (newline < 0)
                        break;
                }
                let text;
                if (decision === true) {
                    keep(data.subarray(pieceStart, newline));
                    if (!tooLong)
                        text = parts.length === 1 ? parts[0].toString('utf8') : Buffer.concat(parts).toString('utf8');
                }
                if (scanner.sawContent)
                    lines.push({ head: scanner.head, wanted: decision === true, text, tooLong: decision === true && tooLong, terminated: true, complete: true });
                at = pieceStart = newline + 1;
                lineStart = position + at;
                scanner = new LineHeadScanner(captured);
                decision = undefined;
                parts = [];
                size = 0;
                tooLong = false;
            }
            // The rest of the chunk belongs to a line that goes on: copied, since the chunk is reused.
            if (pieceStart < bytesRead && decision !== false && !tooLong)
                keep(Buffer.from(data.subarray(pieceStart, bytesRead)));
            position += bytesRead;
            if (lines.length > 0)
                yield lines;
        }
    }
    finally {
        // Left early, or stopped on an error: the read ahead must end before the caller closes the handle.
        await reading.catch(() => undefined);
    }
    if (lineStart >= position)
        return;
    // A last line with no newline: whole, or torn by a writer that stopped mid-line.
    const complete = await isWholeObject(handle, chunks[0], lineStart, position);
    if (!complete && !scanner.sawContent)
        return; // white space only
    decision ??= want(scanner.head) ?? false;
    const wanted = decision === true;
    const text = wanted && !tooLong ? Buffer.concat(parts).toString('utf8') : undefined;
    yield [{ head: scanner.head, wanted, text, tooLong: wanted && tooLong, terminated: false, complete }];
}
/** Whether the bytes [start, end) of the file hold exactly one whole JSON object (structurally), read again in chunks. */
async function isWholeObject(handle, chunk, start, end) {
    const scanner = new LineHeadScanner();
    for (let position = start; position < end;) {
        const { bytesRead } = await handle.read(chunk, 0, Math.min(chunk.length, end - position), position);
        if (bytesRead === 0)
            break;
        for (let at = 0; at < bytesRead;) {
            at = scanner.feed(chunk, at, bytesRead);
            if (chunk[at] === NEWLINE && at < bytesRead)
                return false; // the file changed under us
        }
        position += bytesRead;
    }
    return scanner.ended && !scanner.head.notObject && !scanner.trailing;
}

;// CONCATENATED MODULE: ./src/beacon/json-object.ts
/** A JSON object: not null, not an array. */
function isObject(value) {
    return value !== null && typeof value === 'object' && !Array.isArray(value);
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

;// CONCATENATED MODULE: ./src/beacon/integers.ts

/**
 * The integers of a line (schema page "What the reports compute", point 5): Beacon's readers take
 * a number as a Go int64 or float64, and a line holding `1e+300`, `10.5` or `4444.0` for a count
 * is dropped whole. JSON.stringify writes a safe integer (|n| <= 2^53-1) in plain decimal, exactly:
 * so every integer we write is one, and every total we add up stops at the largest.
 */
/** 2^53-1: the largest count that is written, and added up, exactly. */
const MAX_COUNT = Number.MAX_SAFE_INTEGER;
/** A whole number from 0 to MAX_COUNT. */
function isCount(value) {
    return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}
/** `a + b`, two counts, held at MAX_COUNT (saturated) rather than past it. */
function addCount(a, b) {
    const sum = a + b;
    return sum < MAX_COUNT ? sum : MAX_COUNT;
}
/** `raw.invalid_fields`: the fields of an event that were left out because their value could not be written. */
const INVALID_FIELDS = 'invalid_fields';
const notSafeInteger = (value) => value !== undefined && !(typeof value === 'number' && Number.isSafeInteger(value));
const notCount = (value) => value !== undefined && !isCount(value);
/** A metric's value (`raw.metric_value`): a token count, else any double but an integer too large to write exactly. */
const notMetricValue = (value, isToken) => value !== undefined && (isToken ? !isCount(value) : typeof value !== 'number' || !Number.isFinite(value) || (Number.isInteger(value) && !Number.isSafeInteger(value)));
/**
 * Leaves out, in place, each integer field of the event whose value is not a safe integer (or not
 * a count, where a count belongs), and names it in `raw.invalid_fields`: `command.exit_code`,
 * `command.duration_ms`, the token fields of `gen_ai.usage`, `raw.metric_count`, `raw.metric_value`.
 * Not `field_truncated`: the schema keeps that for an event shrunk to fit its size, and the list
 * says which number is missing (the sender's text of it stays in `raw.attributes`).
 */
function leaveOutUnwritableIntegers(event) {
    let invalid;
    const command = event.command;
    if (command !== undefined && command !== null && typeof command === 'object') {
        if (notSafeInteger(command.exit_code))
            (invalid ??= []).push(leaveOut(command, 'exit_code', 'command.'));
        if (notSafeInteger(command.duration_ms))
            (invalid ??= []).push(leaveOut(command, 'duration_ms', 'command.'));
    }
    const usage = event.gen_ai?.usage;
    if (usage !== undefined && usage !== null && typeof usage === 'object') {
        if (notCount(usage.input_tokens))
            (invalid ??= []).push(leaveOut(usage, 'input_tokens', 'gen_ai.usage.'));
        if (notCount(usage.output_tokens))
            (invalid ??= []).push(leaveOut(usage, 'output_tokens', 'gen_ai.usage.'));
        for (const [nested, field] of NESTED_USAGE) {
            const holder = usage[nested];
            if (holder !== undefined && (holder === null || typeof holder !== 'object' || notCount(holder[field])))
                (invalid ??= []).push(leaveOut(usage, nested, 'gen_ai.usage.', `.${field}`));
        }
    }
    const raw = event.raw;
    if (raw !== undefined && raw !== null && typeof raw === 'object') {
        if (notCount(raw.metric_count))
            (invalid ??= []).push(leaveOut(raw, 'metric_count', 'raw.'));
        if (notMetricValue(raw.metric_value, event.event?.action === ACTION.tokenUsage))
            (invalid ??= []).push(leaveOut(raw, 'metric_value', 'raw.'));
    }
    if (invalid === undefined)
        return;
    const holder = (event.raw ??= {});
    if (typeof holder !== 'object' || holder === null)
        return;
    const listed = holder[INVALID_FIELDS];
    holder[INVALID_FIELDS] = Array.isArray(listed) ? [...listed, ...invalid] : invalid;
}
const NESTED_USAGE = [
    ['cache_read', 'input_tokens'],
    ['cache_creation', 'input_tokens'],
    ['reasoning', 'output_tokens'],
];
function leaveOut(holder, key, prefix, suffix = '') {
    delete holder[key];
    return prefix + key + suffix;
}

;// CONCATENATED MODULE: ./src/harness/token-counts.ts

/** The fields of RawTokenCounts. */
const COUNT_FIELDS = ['input', 'cachedInput', 'output', 'reasoningOutput'];
/** The token types of the metric (`gen_ai.token.type`) that are counted, and the field of each. */
const FIELD_OF_TOKEN_TYPE = {
    input: 'input',
    cached_input: 'cachedInput',
    output: 'output',
    reasoning_output: 'reasoningOutput',
};
function emptyCounts() {
    return { input: 0, cachedInput: 0, output: 0, reasoningOutput: 0 };
}
/** Adds `more` into `into`, field by field, each held at 2^53-1 (a sum past it is neither exact nor writable); returns `into`. */
function addCounts(into, more) {
    for (const field of COUNT_FIELDS)
        into[field] = addCount(into[field], more[field]);
    return into;
}

;// CONCATENATED MODULE: ./src/harness/codex/session-files/records.ts




/**
 * What the lines of one Codex session file mean for its token usage (codex-session-files.md).
 * Each line is `{"timestamp": ..., "type": ..., "payload": {...}}`; only `session_meta`,
 * `turn_context`, `token_usage_record` and `event_msg` `token_count` lines are parsed.
 */
/** A wanted line longer than this is a problem, not read. */
const MAX_RECORD_BYTES = 4 * 1024 * 1024;
const KEPT_RESPONSE_IDS = 20;
const PARSED_TYPES = new Set(['session_meta', 'turn_context', 'token_usage_record']);
const TORN_LAST_LINE = 'torn last line';
const NOT_AN_OBJECT = 'a line that is not a JSON object';
const BAD_RECORD_USAGE = 'a token_usage_record line whose usage is not a set of whole numbers';
const BAD_TOKEN_COUNT = 'a token_count event whose usage is not a set of whole numbers';
/** Which lines are parsed, from what the line scanner read of their start (undefined: read on). */
function wantCodexLine(head) {
    if (head.notObject)
        return false;
    if (head.type === undefined)
        return undefined;
    if (PARSED_TYPES.has(head.type))
        return true;
    if (head.type !== 'event_msg')
        return false;
    if (head.payloadType !== undefined)
        return head.payloadType === 'token_count';
    return head.payloadEnded ? false : undefined;
}
/** The session id in a `rollout-<local time>-<session id>.jsonl` name. */
function sessionIdFromFileName(name) {
    return /-([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\.jsonl$/i.exec(name)?.[1];
}
/**
 * The lines of one file, taken in order; `take` says when the session began before `since`.
 * A file's tail is taken by a second one, made by `forTail()`: it starts with the head's session
 * and keeps what a 'summary' needs, the last record's running total (`thread_token_usage`).
 */
class CodexSessionFile {
    fileName;
    relativePath;
    sinceMs;
    tail;
    meta;
    /** The last token_usage_record's `thread_token_usage`, when whole numbers. */
    lastThread;
    /** Why a session_meta line could not be used, when none could. */
    metaTrouble;
    /** The latest valid line time, as written (made ISO once, in result()). */
    lastRecordAt = '';
    modelByTurn = new Map();
    latestTurn = { turnId: '', model: '' };
    usageRecords = 0;
    tokenCounts = 0;
    previousTotal;
    fromRecords = new TurnTable();
    fromTokenCounts = new TurnTable();
    problems = new ProblemTally();
    tokenCountProblems = new ProblemTally();
    constructor(fileName, relativePath, sinceMs, tail) {
        this.fileName = fileName;
        this.relativePath = relativePath;
        this.sinceMs = sinceMs;
        this.tail = tail;
        this.meta = tail?.meta;
    }
    get hasSessionMeta() {
        return this.meta !== undefined;
    }
    /** For the file's tail, once this one has taken the head up to the session_meta line. */
    forTail() {
        if (!this.meta)
            throw new Error('no session_meta yet');
        return new CodexSessionFile(this.fileName, this.relativePath, this.sinceMs, { meta: this.meta });
    }
    /** A tail's: whether it held a token_usage_record with a usable running total. */
    get hasThreadTotal() {
        return this.lastThread !== undefined;
    }
    /**
     * Which lines to parse, from what the line scanner read of their start (undefined: read on).
     * Once the file has had a token_usage_record, result() takes its usage from the records and
     * nothing from token_count events, so `event_msg` lines need no parsing any more: they are passed
     * over like other lines not parsed, once the head holds the line's timestamp (the only thing
     * of theirs still used, for lastRecordAt). Before the first record they are parsed as ever: the
     * file may have none. (So a malformed token_count line after a record goes unnamed, like any
     * line not parsed.)
     */
    want(head) {
        if (this.usageRecords > 0 && head.type === 'event_msg' && head.timestamp !== undefined && head.timestamp !== SOMETHING_ELSE)
            return false;
        return wantCodexLine(head);
    }
    /** Takes one line; 'older' when it was a session_meta from before `since` (read no further). */
    take(line) {
        const { head } = line;
        if (!line.terminated && !line.complete)
            return this.problems.add(TORN_LAST_LINE);
        if (head.notObject)
            return this.problems.add(NOT_AN_OBJECT);
        if (!line.wanted)
            return this.noteTime(head.timestamp);
        if (line.text === undefined) {
            if (head.type === 'session_meta')
                this.metaTrouble = 'its session_meta line is longer than 4 MiB';
            this.problems.add(`a line of type ${kindOf(head)} over 4 MiB, left unread`);
            return this.noteTime(head.timestamp);
        }
        let record;
        try {
            record = JSON.parse(line.text);
        }
        catch {
            return this.problems.add(line.terminated ? `a line of type ${kindOf(head)} that is not valid JSON` : TORN_LAST_LINE);
        }
        if (!isObject(record))
            return this.problems.add(NOT_AN_OBJECT);
        const at = validTime(record.timestamp);
        if (at)
            this.lastRecordAt = at;
        const payload = isObject(record.payload) ? record.payload : {};
        switch (record.type) {
            case 'session_meta':
                return this.sessionMeta(payload, isoTime(at));
            case 'turn_context':
                return this.turnContext(payload);
            case 'token_usage_record':
                return this.usageRecord(payload, at);
            case 'event_msg':
                return this.tokenCount(payload, at);
        }
        return undefined;
    }
    /** Reading stopped on an error after the session_meta line. */
    readFailed(code) {
        this.problems.add(`reading stopped early (${code})`);
    }
    /** The session, or why the file is not one. */
    result() {
        if (!this.meta)
            return { unreadable: this.metaTrouble ?? 'no session_meta line' };
        const usageSource = this.usageRecords > 0 ? 'token_usage_record' : this.tokenCounts > 0 ? 'token_count' : 'none';
        const turns = usageSource === 'token_usage_record' ? this.fromRecords.list() : usageSource === 'token_count' ? this.fromTokenCounts.list() : [];
        const problems = [...this.problems.list(), ...(usageSource === 'token_count' ? this.tokenCountProblems.list() : [])];
        const summary = this.tail !== undefined && this.lastThread !== undefined;
        const session = {
            sessionId: this.meta.id,
            file: this.fileName,
            relativePath: this.relativePath,
            startedAt: this.meta.startedAt,
            lastRecordAt: isoTime(this.lastRecordAt),
            usageSource,
            detail: summary ? 'summary' : 'full',
            thread: summary ? { ...this.lastThread } : sumOfTurns(turns),
            turns: summary ? [] : turns,
            problems,
        };
        if (summary && this.latestTurn.model)
            session.model = this.latestTurn.model;
        if (this.meta.cliVersion !== undefined)
            session.harnessVersion = this.meta.cliVersion;
        if (this.meta.originator !== undefined)
            session.originator = this.meta.originator;
        return { session };
    }
    /** A line not parsed: its time, if valid, is the latest (most lines repeat the one before: no need to check it again). */
    noteTime(timestamp) {
        if (timestamp !== undefined && timestamp !== this.lastRecordAt && validTime(timestamp))
            this.lastRecordAt = timestamp;
        return undefined;
    }
    sessionMeta(payload, lineTime) {
        if (this.meta)
            return undefined; // the first one is the session's
        const startedAt = isoTime(payload.timestamp) || lineTime;
        if (!startedAt) {
            this.metaTrouble = 'its session_meta line has no valid timestamp';
            return undefined;
        }
        this.meta = {
            id: stringOf(payload.id) ?? sessionIdFromFileName(this.fileName) ?? '',
            startedAt,
            cliVersion: stringOf(payload.cli_version),
            originator: stringOf(payload.originator),
        };
        return Date.parse(startedAt) < this.sinceMs ? 'older' : undefined;
    }
    turnContext(payload) {
        const turnId = stringOf(payload.turn_id) ?? '';
        const model = stringOf(payload.model) ?? '';
        if (turnId)
            this.modelByTurn.set(turnId, model);
        this.latestTurn = { turnId, model };
        return undefined;
    }
    usageRecord(payload, at) {
        this.usageRecords++;
        if (this.tail)
            this.lastThread = tokenCountsOf(payload.thread_token_usage);
        const usage = tokenCountsOf(payload.usage);
        if (!usage)
            return this.problems.add(BAD_RECORD_USAGE);
        const turnId = stringOf(payload.turn_id) ?? '';
        const model = turnId && this.modelByTurn.has(turnId) ? this.modelByTurn.get(turnId) : this.latestTurn.model;
        this.fromRecords.add(turnId, model, usage, stringOf(payload.response_id), at);
        return undefined;
    }
    /** An `event_msg`: only `token_count` ones with usage matter (used when the file has no token_usage_record). */
    tokenCount(payload, at) {
        if (payload.type !== 'token_count' || !isObject(payload.info))
            return undefined;
        this.tokenCounts++;
        const total = tokenCountsOf(payload.info.total_token_usage);
        const last = tokenCountsOf(payload.info.last_token_usage);
        if (!total || !last)
            return this.tokenCountProblems.add(BAD_TOKEN_COUNT);
        // token_count repeats itself (e.g. at a turn's end): a response counts once, when the total moves.
        const totalKey = `${total.input}/${total.cachedInput}/${total.output}/${total.reasoningOutput}`;
        if (totalKey === this.previousTotal)
            return undefined;
        this.previousTotal = totalKey;
        this.fromTokenCounts.add(this.latestTurn.turnId, this.latestTurn.model, last, undefined, at);
        return undefined;
    }
}
/** Usage summed per (turn id, model), in the order first seen; times as written (valid ones), made ISO by list(). */
class TurnTable {
    turns = [];
    byTurnAndModel = new Map();
    add(turnId, model, usage, responseId, at) {
        let byModel = this.byTurnAndModel.get(turnId);
        if (!byModel)
            this.byTurnAndModel.set(turnId, (byModel = new Map()));
        let turn = byModel.get(model);
        if (!turn) {
            turn = { turnId, model, usage: emptyCounts(), responses: 0, responseIds: [], firstAt: at, lastAt: at };
            byModel.set(model, turn);
            this.turns.push(turn);
        }
        addCounts(turn.usage, usage);
        turn.responses++;
        if (responseId !== undefined && turn.responseIds.length < KEPT_RESPONSE_IDS)
            turn.responseIds.push(responseId);
        if (at) {
            turn.firstAt ||= at;
            turn.lastAt = at;
        }
    }
    list() {
        return this.turns.map((turn) => ({ ...turn, firstAt: isoTime(turn.firstAt), lastAt: isoTime(turn.lastAt) }));
    }
}
function sumOfTurns(turns) {
    return turns.reduce((sum, turn) => addCounts(sum, turn.usage), emptyCounts());
}
/** Problems by kind, each listed once with its count. */
class ProblemTally {
    counts = new Map();
    add(kind) {
        this.counts.set(kind, (this.counts.get(kind) ?? 0) + 1);
        return undefined;
    }
    list() {
        return [...this.counts].map(([kind, count]) => `${kind} (${count})`);
    }
}
/** A line's record type for a problem's name: `event_msg token_count`, `session_meta`, ... */
function kindOf(head) {
    return head.type === 'event_msg' ? `event_msg ${head.payloadType}` : String(head.type);
}
/** Codex's usage object (`input_tokens`, ...) when its four counts are whole non-negative safe integers. */
function tokenCountsOf(value) {
    if (!isObject(value))
        return undefined;
    const counts = { input: value.input_tokens, cachedInput: value.cached_input_tokens, output: value.output_tokens, reasoningOutput: value.reasoning_output_tokens };
    return Object.values(counts).every(isCount) ? counts : undefined;
}
function stringOf(value) {
    return typeof value === 'string' ? value : undefined;
}
/** A timestamp as written when it is a valid one, else ''. */
function validTime(value) {
    return typeof value === 'string' && Number.isFinite(Date.parse(value)) ? value : '';
}
/** A timestamp as ISO UTC, or '' when it is not one. */
function isoTime(value) {
    if (typeof value !== 'string')
        return '';
    const ms = Date.parse(value);
    return Number.isFinite(ms) ? new Date(ms).toISOString() : '';
}

;// CONCATENATED MODULE: ./src/harness/codex/session-files.ts






/**
 * Codex's session files, `$CODEX_HOME/sessions/YYYY/MM/DD/rollout-<local time>-<id>.jsonl`: the
 * token usage of each model response, written as soon as it completes, so it is there even when
 * Codex was killed before it sent its token metric (codex-session-files.md).
 *
 * Files are streamed in fixed chunks; only the few record types that matter are parsed
 * (./session-files/lines.ts, ./session-files/records.ts). Their content (the whole conversation)
 * never leaves this module: only counts, ids, times and file names do.
 *
 * A large file is read as a 'summary': its head up to the session_meta line, then its tail, whose
 * last token_usage_record holds the session's running total (`thread_token_usage`). A file whose
 * tail holds none within TAIL_BYTES, and every small one, is read in full. `readFull` reads one
 * session's file in full when its turns are needed.
 */
const CHUNK_BYTES = 1024 * 1024;
/** A file smaller than this is read in full: its head and tail would be most of it. */
const FULL_READ_BELOW = 1024 * 1024;
/** How much of a large file's end is read for its last token_usage_record, widened in turn while none is found; then the whole file. */
const TAIL_BYTES = [64 * 1024, 512 * 1024, 4 * 1024 * 1024];
/** Smaller chunks for a file's head and tail, where only a little is read. */
const SMALL_CHUNK_BYTES = 16 * 1024;
/** No following a link swapped in after the walk; no blocking on a FIFO. */
const OPEN_FLAGS = external_node_fs_.constants.O_RDONLY | (external_node_fs_.constants.O_NOFOLLOW ?? 0) | (external_node_fs_.constants.O_NONBLOCK ?? 0);
const codexSessionFiles = {
    harnessName: CODEX_HARNESS_NAME,
    usageMetricName: CODEX_TOKEN_METRIC,
    readSessions,
    readFull,
};
/**
 * One set of buffers, lent to one read at a time and kept for the next (the scan, then each
 * `readFull`): a post step reads files in turn, so it holds one set, not one a read.
 */
let spareBuffers;
async function withBuffers(use) {
    const buffers = spareBuffers ?? {
        // Two of each, for reading the next chunk of a file while one is scanned (./session-files/lines.ts).
        chunks: [Buffer.allocUnsafe(CHUNK_BYTES), Buffer.allocUnsafe(CHUNK_BYTES)],
        small: [Buffer.allocUnsafe(SMALL_CHUNK_BYTES), Buffer.allocUnsafe(SMALL_CHUNK_BYTES)],
    };
    spareBuffers = undefined;
    try {
        return await use(buffers);
    }
    finally {
        spareBuffers = buffers;
    }
}
async function readSessions({ home, since }) {
    const root = external_node_path_default().join(home, 'sessions');
    const scan = { sessions: [], olderFilesSkipped: 0, unreadable: [] };
    const files = await findSessionFiles(root, scan.unreadable);
    const sinceMs = since.getTime();
    await withBuffers(async (buffers) => {
        for (const file of files) {
            if (file.mtimeMs < sinceMs) {
                scan.olderFilesSkipped++; // not opened
                continue;
            }
            const outcome = await readSessionFile(root, file.relative, sinceMs, buffers, 'summary');
            if ('session' in outcome)
                scan.sessions.push(outcome.session);
            else if ('older' in outcome)
                scan.olderFilesSkipped++;
            else
                scan.unreadable.push({ file: file.relative, reason: outcome.unreadable });
        }
    });
    scan.sessions.sort((a, b) => compareText(a.startedAt, b.startedAt) || compareText(a.file, b.file));
    return scan;
}
async function readFull(home, session) {
    if (session.detail === 'full')
        return session;
    const outcome = await withBuffers((buffers) => readSessionFile(external_node_path_default().join(home, 'sessions'), session.relativePath, -Infinity, buffers, 'full')).catch((error) => ({ unreadable: `cannot be read (${errorCode(error)})` }));
    if ('session' in outcome)
        return outcome.session;
    const reason = 'unreadable' in outcome ? outcome.unreadable : 'it began before the start step';
    return { ...session, problems: [...session.problems, `could not be read again in full: ${reason}`] };
}
/**
 * Every `*.jsonl` below the sessions folder, in name order, without following links. Entries so
 * named that are not regular files, and folders that cannot be listed, go to `unreadable`.
 */
async function findSessionFiles(root, unreadable) {
    const found = [];
    const rootStat = await (0,promises_.lstat)(root).catch((error) => error);
    if (rootStat instanceof Error) {
        // No sessions folder: Codex never ran with this home.
        if (!isMissing(rootStat))
            unreadable.push({ file: '.', reason: `the sessions folder cannot be examined (${errorCode(rootStat)})` });
        return found;
    }
    if (rootStat.isSymbolicLink()) {
        unreadable.push({ file: '.', reason: 'the sessions folder is a symbolic link, not followed' });
        return found;
    }
    const walk = async (relative) => {
        let names;
        try {
            names = await (0,promises_.readdir)(external_node_path_default().join(root, relative));
        }
        catch (error) {
            unreadable.push({ file: relative || '.', reason: `the folder cannot be listed (${errorCode(error)})` });
            return;
        }
        for (const name of names.sort(compareText)) {
            const child = relative ? `${relative}/${name}` : name;
            const isSessionFile = name.endsWith('.jsonl');
            let stat;
            try {
                stat = await (0,promises_.lstat)(external_node_path_default().join(root, child));
            }
            catch (error) {
                if (isSessionFile)
                    unreadable.push({ file: child, reason: `cannot be examined (${errorCode(error)})` });
                continue;
            }
            if (stat.isDirectory() && !isSessionFile)
                await walk(child);
            else if (!isSessionFile)
                continue;
            else if (stat.isFile())
                found.push({ relative: child, mtimeMs: stat.mtimeMs });
            else
                unreadable.push({ file: child, reason: `not a regular file (${stat.isDirectory() ? 'a folder' : stat.isSymbolicLink() ? 'a symbolic link, not followed' : 'a device, FIFO or socket'})` });
        }
    };
    await walk('');
    return found;
}
async function readSessionFile(root, relative, sinceMs, buffers, detail) {
    let handle;
    try {
        handle = await (0,promises_.open)(external_node_path_default().join(root, relative), OPEN_FLAGS);
    }
    catch (error) {
        return { unreadable: `cannot be opened (${errorCode(error)})` };
    }
    try {
        const stat = await handle.stat();
        if (!stat.isFile())
            return { unreadable: 'not a regular file' };
        const fileName = external_node_path_default().posix.basename(relative);
        if (detail === 'summary' && stat.size >= FULL_READ_BELOW) {
            const outcome = await readSummary(handle, stat.size, new CodexSessionFile(fileName, relative, sinceMs), buffers.small);
            if (outcome)
                return outcome;
        }
        return await readLines(handle, new CodexSessionFile(fileName, relative, sinceMs), buffers.chunks);
    }
    finally {
        await handle.close();
    }
}
/** The whole file, line by line. */
async function readLines(handle, session, chunks) {
    try {
        for await (const lines of scanLines(handle, { chunks, maxLineBytes: MAX_RECORD_BYTES, want: (head) => session.want(head) })) {
            for (const line of lines)
                if (session.take(line) === 'older')
                    return { older: true };
        }
    }
    catch (error) {
        if (!session.hasSessionMeta)
            return { unreadable: `cannot be read (${errorCode(error)})` };
        session.readFailed(errorCode(error));
    }
    return session.result();
}
/**
 * The head up to the session_meta line, then the tail (widened in turn) up to the end: the
 * session as a 'summary', or undefined when the whole file must be read instead (no session_meta
 * at the head, no token_usage_record with a running total in the widest tail, a read error).
 */
async function readSummary(handle, size, head, chunks) {
    try {
        scan: for await (const lines of scanLines(handle, { chunks, maxLineBytes: MAX_RECORD_BYTES, want: (line) => head.want(line) })) {
            for (const line of lines) {
                if (head.take(line) === 'older')
                    return { older: true };
                if (head.hasSessionMeta)
                    break scan;
            }
        }
        if (!head.hasSessionMeta)
            return undefined;
        for (const tailBytes of TAIL_BYTES) {
            if (tailBytes >= size)
                break;
            const tail = head.forTail();
            for await (const lines of scanLines(handle, { chunks, maxLineBytes: MAX_RECORD_BYTES, want: (line) => tail.want(line), start: size - tailBytes })) {
                for (const line of lines)
                    tail.take(line);
            }
            if (tail.hasThreadTotal)
                return tail.result();
        }
    }
    catch {
        // The full read names the error.
    }
    return undefined;
}
function isMissing(error) {
    const code = error.code;
    return code === 'ENOENT' || code === 'ENOTDIR';
}
function errorCode(error) {
    return error.code ?? error.message;
}
function compareText(a, b) {
    return a < b ? -1 : a > b ? 1 : 0;
}

;// CONCATENATED MODULE: ./src/harness/sessions.ts

/** The harnesses whose session files we can read. A second harness is one more entry. */
const READERS = [codexSessionFiles];
function sessionReaderFor(harnessName) {
    return READERS.find((reader) => reader.harnessName === harnessName);
}

// EXTERNAL MODULE: ./src/start/state.ts
var state = __webpack_require__(25121);
// EXTERNAL MODULE: external "node:child_process"
var external_node_child_process_ = __webpack_require__(31421);
// EXTERNAL MODULE: ./src/handoff/collector-config.ts
var collector_config = __webpack_require__(63400);
// EXTERNAL MODULE: external "node:http"
var external_node_http_ = __webpack_require__(37067);
var external_node_http_default = /*#__PURE__*/__webpack_require__.n(external_node_http_);
;// CONCATENATED MODULE: ./src/handoff/collector-client.ts


/**
 * A small control request to our collector (shutdown, health), with the control secret
 * (node:http: cheaper to load than fetch). The telemetry secret is refused on these paths.
 */
function collectorRequest(port, method, path, controlSecret, timeoutMs) {
    return new Promise((resolve, reject) => {
        const req = external_node_http_default().request({ host: '127.0.0.1', port, method, path, headers: { [collector_config/* CONTROL_HEADER */.GH]: controlSecret, 'content-length': '0' }, timeout: timeoutMs }, (res) => {
            let body = '';
            res.setEncoding('utf8');
            res.on('data', (chunk) => (body += chunk));
            res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
            res.on('error', reject);
        });
        req.on('timeout', () => req.destroy(new Error(`no answer from the collector within ${timeoutMs} ms`)));
        req.on('error', reject);
        req.end();
    });
}
/** The pid the collector reports about itself, or undefined when it does not answer as ours. */
async function collectorPid(port, path, method, controlSecret, timeoutMs) {
    const { status, body } = await collectorRequest(port, method, path, controlSecret, timeoutMs);
    if (status !== 200)
        return undefined;
    try {
        const pid = JSON.parse(body).pid;
        return typeof pid === 'number' ? pid : undefined;
    }
    catch {
        return undefined;
    }
}

// EXTERNAL MODULE: ./src/handoff/collector-command-line.ts
var collector_command_line = __webpack_require__(53356);
;// CONCATENATED MODULE: ./src/finish/stop-collector/stop-collector.ts





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
/** Whether the process's command line shows our collector, this run's instance (Linux: /proc; macOS: ps). */
function looksLikeOurCollector(pid, script, instance) {
    try {
        let commandLine;
        if (process.platform === 'linux')
            commandLine = external_node_fs_default().readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
        else if (process.platform === 'darwin')
            commandLine = (0,external_node_child_process_.execFileSync)('ps', ['-ww', '-p', String(pid), '-o', 'command='], { encoding: 'utf8' });
        else
            return undefined; // Windows: no cheap way; never kill what we cannot recognise
        // Empty for a process that just exited (a zombie): nothing to recognise.
        if (commandLine.trim() === '')
            return undefined;
        return commandLine.includes(script) && commandLine.split(/\s+/).includes((0,collector_command_line/* instanceArgument */.Bs)(instance));
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
        answeredPid = await collectorPid(ready.port, collector_config/* SHUTDOWN_PATH */.ze, 'POST', config.controlSecret, answerTimeoutMs);
    }
    catch {
        answeredPid = undefined; // refused (gone) or hung: decided below
    }
    // The answer proves nothing: whatever holds the port now can answer 200 with any pid. Before
    // waiting for a process or killing it, check that it is ours wherever the OS lets us tell.
    const { script, instance } = options;
    const recognise = () => (script && instance ? looksLikeOurCollector(pid, script, instance) : undefined);
    if (answeredPid === pid && recognise() !== false) {
        const started = Date.now();
        if (await waitForExit(pid, exitTimeoutMs))
            return { status: 'stopped', pid, waitedMs: Date.now() - started };
        // Still there: ours, or on an OS where we cannot tell, the process that answered as ours.
        if (recognise() !== false) {
            kill(pid);
            return { status: 'killed', pid, reason: `it did not exit within ${exitTimeoutMs} ms of the shutdown request` };
        }
    }
    if (!isAlive(pid))
        return { status: 'already-exited', pid };
    const ours = recognise();
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

;// CONCATENATED MODULE: ./src/beacon/secret-keywords.ts
/**
 * The cheap half of the second net for secrets (finish/runtime-log/secret-scan.ts runs the other
 * half, secretlint): which strings of a record may hold a secret that secretlint's recommended
 * preset reports, or one of the run's own secret values. The collector runs it on every line it
 * writes and notes the lines it flags (collector/suspect-lines.ts), so that the post step scans
 * only those; the post step runs it itself on a capture without those notes. No secretlint here:
 * the collector must stay small and fast.
 */

/**
 * For each rule of the preset, its keywords: tight enough that ordinary text (the word "account",
 * a `self_test`) seldom passes. The test of this file fails when the preset gains or loses a rule.
 */
const PRESET_KEYWORDS = {
    // The secret access key after its name (key ids are the collector's: the preset scans them only on request).
    '@secretlint/secretlint-rule-aws': [{ behind: String.raw `(?:CCESS|ccess)_?(?:KEY|[Kk]ey)["']?\s*(?::|=>|=)`, at: '[:=>]' }],
    // Only for .json and .p12 files: never fires here; its key is the privatekey rule's.
    '@secretlint/secretlint-rule-gcp': [{ behind: 'PRIVATE KEY(?: BLOCK)?-', at: '-' }],
    '@secretlint/secretlint-rule-npm': [{ prefix: 'npm', before: '_' }, { behind: '_authToken=', at: '=' }, { behind: ':x-oauth-basic@', at: '@' }],
    '@secretlint/secretlint-rule-slack': [
        { behind: String.raw `\bx(?:ox[a-z]|app)-`, at: '-' },
        { behind: String.raw `[Hh][Oo]{2}[Kk][Ss]\.[Ss][Ll][Aa][Cc][Kk]\.`, at: String.raw `\.` },
    ],
    // `scheme://user:password@`: at most 513 characters between `://` and `@`, none a slash or a space.
    '@secretlint/secretlint-rule-basicauth': [{ behind: String.raw `:\/\/[^\s/]{3,600}@`, at: '@' }],
    '@secretlint/secretlint-rule-openai': [{ prefix: 'sk', before: '-' }],
    '@secretlint/secretlint-rule-anthropic': [{ prefix: 'sk', before: '-' }],
    '@secretlint/secretlint-rule-groq': [{ prefix: 'gsk', before: '_' }],
    '@secretlint/secretlint-rule-huggingface': [{ prefix: 'hf', before: '_' }],
    '@secretlint/secretlint-rule-linear': [{ prefix: 'lin_api', before: '_' }],
    '@secretlint/secretlint-rule-notion': [{ prefix: 'ntn', before: '_' }],
    '@secretlint/secretlint-rule-privatekey': [{ behind: 'PRIVATE KEY(?: BLOCK)?-', at: '-' }],
    '@secretlint/secretlint-rule-sendgrid': [{ behind: String.raw `(?<![A-Za-z])SG\.`, at: String.raw `\.` }],
    '@secretlint/secretlint-rule-shopify': [{ prefix: 'shp(?:pa|ca|at|ss)', before: '_' }],
    '@secretlint/secretlint-rule-stripe': [{ prefix: '[sr]k_(?:live|test)', before: '_' }],
    '@secretlint/secretlint-rule-github': [{ prefix: 'gh[pousr]|github_pat', before: '_' }],
    '@secretlint/secretlint-rule-gitlab': [{ prefix: 'glpat', before: '-' }],
    '@secretlint/secretlint-rule-grafana': [{ prefix: 'glc|glsa', before: '_' }],
    '@secretlint/secretlint-rule-1password': [{ prefix: 'ops', before: '_' }],
    // Reported only with a user and a password: `mongodb+srv://u:p@`, `mysql://...@`, `postgres://...@`.
    '@secretlint/secretlint-rule-database-connection-string': [{ behind: String.raw `:\/\/[^\s/]{3,600}@`, at: '@' }],
    '@secretlint/secretlint-rule-hashicorp-vault': [{ prefix: 'hv[sbr]', before: '.' }],
    '@secretlint/secretlint-rule-vercel': [{ prefix: 'vc[pciark]', before: '_' }],
    '@secretlint/secretlint-rule-databricks': [{ pattern: 'dapi[a-fA-F0-9]{32}' }],
    '@secretlint/secretlint-rule-docker': [{ prefix: 'dckr_pat', before: '_' }],
    '@secretlint/secretlint-rule-figma': [{ prefix: 'figd', before: '_' }],
    '@secretlint/secretlint-rule-cloudflare': [{ prefix: 'cf(?:k|ut|at)', before: '_' }],
    '@secretlint/secretlint-rule-tailscale': [{ prefix: 'tskey', before: '-' }],
};
/** One pattern of all the keywords, an alternative per rare character. */
function keywordsPattern(keywords) {
    const prefixes = new Map();
    const behinds = new Map();
    const patterns = new Set();
    const add = (map, key, value) => map.set(key, (map.get(key) ?? new Set()).add(value));
    for (const keyword of keywords) {
        if ('pattern' in keyword)
            patterns.add(keyword.pattern);
        else if ('prefix' in keyword)
            add(prefixes, keyword.before === '.' ? String.raw `\.` : keyword.before, keyword.prefix);
        else
            add(behinds, keyword.at, keyword.behind);
    }
    const alternatives = [
        ...[...prefixes].map(([c, list]) => String.raw `${c}(?<=(?<![A-Za-z])(?:${[...list].join('|')})${c})[\w+/=\-]{16}`),
        ...[...behinds].map(([c, list]) => `${c}(?<=${[...list].join('|')})`),
        ...patterns,
    ];
    return new RegExp(alternatives.join('|'));
}
const KEYWORDS = keywordsPattern(Object.values(PRESET_KEYWORDS).flat());
/**
 * Each rule's own keywords: a text that holds none of a rule's keywords gives that rule nothing to
 * report, so the full scan runs only the rules whose keywords the text holds.
 */
const RULE_KEYWORDS = new Map(Object.entries(PRESET_KEYWORDS).map(([rule, keywords]) => [rule, keywordsPattern(keywords)]));
/** Fields of an event that are ours (envelope, attribution, normalized usage): never scanned. */
const OUR_FIELDS = new Set(['timestamp', 'vendor', 'product', 'schema_version', 'event', 'severity', 'endpoint', 'harness', 'origin', 'run', 'repository', 'branch', 'gen_ai', 'field_truncated']);
/** Shorter strings hold no secret any rule of the preset reports (the shortest: a 12-digit AWS account id with its name). */
const MIN_KEYWORD_LENGTH = 16;
const MAX_DEPTH = 128;
/** What `checkRecordStrings` saw in an event: MASKED and SUSPECT may both be set. */
const CLEAN = 0;
/** A value of the run's own secrets was there (and is masked now, when masking in place). */
const MASKED = 1;
/** A string holds a keyword of the preset: secretlint decides. */
const SUSPECT = 2;
/**
 * Every string of the event that the record brought (not OUR_FIELDS), checked for the run's secret
 * values (`masks`, from beacon/redact.ts's maskedValuesPattern) and the preset's keywords.
 * `maskInPlace`: replace the values found by `[REDACTED]` in the event itself.
 */
function checkRecordStrings(event, masks, maskInPlace) {
    let verdict = CLEAN;
    for (const key in event)
        if (!OUR_FIELDS.has(key))
            verdict |= checkValue(event, key, masks, maskInPlace, 0);
    return verdict;
}
function checkValue(parent, key, masks, maskInPlace, depth) {
    const value = parent[key];
    if (typeof value === 'string') {
        if (value.length < redact/* MIN_MASKED_LENGTH */.Ym)
            return CLEAN;
        let verdict = CLEAN;
        let text = value;
        if (masks) {
            masks.lastIndex = 0;
            if (masks.test(value)) {
                verdict = MASKED;
                if (maskInPlace)
                    parent[key] = text = value.replace(masks, redact/* REDACTED */.XF);
            }
        }
        return text.length >= MIN_KEYWORD_LENGTH && KEYWORDS.test(text) ? verdict | SUSPECT : verdict;
    }
    if (value === null || typeof value !== 'object' || depth > MAX_DEPTH)
        return CLEAN;
    let verdict = CLEAN;
    for (const inner in value)
        verdict |= checkValue(value, inner, masks, maskInPlace, depth + 1);
    return verdict;
}

;// CONCATENATED MODULE: ./src/finish/runtime-log/secret-scan.ts



/**
 * The post step's second net for secrets: what the runtime log holds of what tools did is scanned
 * with secretlint's recommended rule set (@secretlint/secretlint-rule-preset-recommend, the
 * ecosystem's maintained rules) and the run's exact secret values, and whatever they find is
 * replaced by `[REDACTED]`. The collector already redacted every string with its own rules
 * (beacon/redact.ts); this catches what those rules do not know (Stripe, GitLab, Shopify... keys).
 *
 * It must cost next to nothing when there is nothing to find: secretlint's rules cost about four
 * times a JSON.parse of the same text, and one `lintSource` call half a millisecond. So a string
 * goes to secretlint only when it holds one of the keywords of beacon/secret-keywords.ts, what
 * every secret the preset's rules report contains (as gitleaks keys its rules); secretlint itself is loaded on the first
 * such string. No file name is given, so the npm rule also looks for `.npmrc` and package.json
 * credentials. Only the strings a record brought are scanned: the envelope and the run's
 * attribution are ours.
 */
/**
 * Rules of the preset left out: `secretlint-disable` comments in scanned text would switch
 * reporting off, and the text is what a tool printed, anyone's to write.
 */
const LEFT_OUT_RULES = new Set(['@secretlint/secretlint-rule-filter-comments']);
const secret_scan_MAX_DEPTH = 128;
let loadedLint;
/**
 * secretlint's lintSource with the preset (all rules but LEFT_OUT_RULES), loaded once; given
 * `ruleIds`, with those rules only (a config per set of rules, made once).
 */
function lint() {
    return (loadedLint ??= (async () => {
        const [{ lintSource }, { rules }] = await Promise.all([__webpack_require__.e(/* import() */ 198).then(__webpack_require__.bind(__webpack_require__, 198)), __webpack_require__.e(/* import() */ 577).then(__webpack_require__.bind(__webpack_require__, 31577))]);
        const kept = rules.filter((rule) => !LEFT_OUT_RULES.has(rule.meta.id));
        const configs = new Map();
        const configFor = (ruleIds) => {
            const key = ruleIds ? ruleIds.join(' ') : '*';
            let config = configs.get(key);
            if (!config) {
                const wanted = ruleIds && new Set(ruleIds);
                config = { rules: kept.filter((rule) => !wanted || wanted.has(rule.meta.id)).map((rule) => ({ id: rule.meta.id, rule })) };
                configs.set(key, config);
            }
            return config;
        };
        return async (content, ruleIds) => {
            const result = await lintSource({ source: { filePath: '', content, ext: '.txt', contentType: 'text' }, options: { config: configFor(ruleIds), noPhysicFilePath: true } });
            return result.messages;
        };
    })());
}
/** What secretlint's preset (as the scan runs it) reports in a text: every rule, or `ruleIds` only. */
async function secretlintFindings(content, ruleIds) {
    return (await lint())(content, ruleIds);
}
/**
 * The rules that could report something in a text: those whose keywords it holds. Running only
 * these costs about a thirteenth of the whole preset (0.02 against 0.26 ms a string).
 */
function rulesFor(text) {
    const ids = [];
    for (const [id, keywords] of RULE_KEYWORDS)
        if (keywords.test(text))
            ids.push(id);
    return ids;
}
/** What a finding says is the secret: the values its rule reported, else its range. */
function secretsOf(content, finding) {
    const values = Object.values(finding.data ?? {}).filter((v) => typeof v === 'string' && v.length >= redact/* MIN_MASKED_LENGTH */.Ym && content.includes(v));
    return values.length > 0 ? values : [content.slice(finding.range[0], finding.range[1])];
}
class SecretScanner {
    masks;
    /** Strings secretlint was run on, secrets it found and replaced, runs that failed. */
    stats = { scanned: 0, found: 0, failed: 0 };
    /** Strings changed so far (`redact` compares before and after). */
    changes = 0;
    /** `maskValues`: the run's exact secret values (beacon/masked-values.ts), replaced wherever found. */
    constructor(maskValues = []) {
        this.masks = (0,redact/* maskedValuesPattern */.yE)(maskValues);
    }
    /**
     * Synchronous and cheap: masks the run's secret values in place (MASKED when one was there), and
     * says SUSPECT when a string holds a keyword of the preset (then `redact` decides).
     */
    check(event) {
        return checkRecordStrings(event, this.masks, true);
    }
    mask(text) {
        if (!this.masks || text.length < redact/* MIN_MASKED_LENGTH */.Ym)
            return text;
        this.masks.lastIndex = 0;
        return this.masks.test(text) ? text.replace(this.masks, redact/* REDACTED */.XF) : text;
    }
    /**
     * Every string of the event that the record brought, masked and, when it holds a keyword,
     * scanned with the full rule set; what is found is replaced in place. Returns whether anything changed.
     */
    async redact(event) {
        const before = this.changes;
        for (const key of Object.keys(event)) {
            if (OUR_FIELDS.has(key))
                continue;
            const value = event[key];
            const redacted = await this.redactValue(value);
            if (redacted !== value)
                event[key] = redacted;
        }
        return this.changes > before;
    }
    /** Masks and scans one string (returns it, changed or not). */
    async redactText(text) {
        const masked = this.mask(text);
        if (!KEYWORDS.test(masked)) {
            if (masked !== text)
                this.changes += 1;
            return masked;
        }
        let findings;
        try {
            findings = await secretlintFindings(masked, rulesFor(masked));
        }
        catch {
            // The rules could not run (never seen): the collector's redaction stands; the post step goes on.
            this.stats.failed += 1;
            if (masked !== text)
                this.changes += 1;
            return masked;
        }
        this.stats.scanned += 1;
        let out = masked;
        const secrets = [...new Set(findings.flatMap((f) => secretsOf(masked, f)))].filter((s) => !s.includes(redact/* REDACTED */.XF)).sort((a, b) => b.length - a.length);
        for (const secret of secrets) {
            if (!out.includes(secret))
                continue;
            out = out.split(secret).join(redact/* REDACTED */.XF);
            this.stats.found += 1;
        }
        if (out !== text)
            this.changes += 1;
        return out;
    }
    /** Every string inside a JSON-like value, in place (the usage file); returns the value. */
    async redactValue(value, depth = 0) {
        if (typeof value === 'string')
            return (value.length < redact/* MIN_MASKED_LENGTH */.Ym ? value : await this.redactText(value));
        if (value === null || typeof value !== 'object' || depth > secret_scan_MAX_DEPTH)
            return value;
        const obj = value;
        for (const key of Object.keys(obj)) {
            const before = obj[key];
            const after = await this.redactValue(before, depth + 1);
            if (after !== before)
                obj[key] = after;
        }
        return value;
    }
}

// EXTERNAL MODULE: external "node:readline"
var external_node_readline_ = __webpack_require__(80481);
var external_node_readline_default = /*#__PURE__*/__webpack_require__.n(external_node_readline_);
// EXTERNAL MODULE: external "node:buffer"
var external_node_buffer_ = __webpack_require__(4573);
;// CONCATENATED MODULE: ./src/finish/runtime-log/capture-link.ts

/**
 * A previous pass linked the capture as the runtime log and appended token events to it (a
 * finish step that failed later, then the post step): cut them off, so the capture is the
 * collector's again. Then the record goes: it is written anew only when this pass links.
 */
function restoreLinkedCapture(capturePath, recordPath) {
    let record;
    try {
        record = JSON.parse(external_node_fs_default().readFileSync(recordPath, 'utf8'));
    }
    catch {
        return;
    }
    try {
        const stat = external_node_fs_default().statSync(capturePath);
        if (stat.ino === record.ino && stat.size > record.captureBytes)
            external_node_fs_default().truncateSync(capturePath, record.captureBytes);
    }
    catch {
        // No capture (any more): nothing to restore.
    }
    external_node_fs_default().rmSync(recordPath, { force: true });
}
async function openIfPresent(file) {
    try {
        return await external_node_fs_default().promises.open(file, 'r');
    }
    catch (error) {
        if (error.code === 'ENOENT')
            return undefined;
        throw error;
    }
}
/** Copies the first `bytes` of `input` to `output`, whatever the read position of `input`. */
async function copyPrefix(input, output, bytes, chunkBytes) {
    const buffer = Buffer.allocUnsafe(Math.min(chunkBytes, Math.max(bytes, 1)));
    for (let at = 0; at < bytes;) {
        const { bytesRead } = await input.read(buffer, 0, Math.min(buffer.length, bytes - at), at);
        if (bytesRead === 0)
            throw new Error(`the capture is shorter than the ${bytes} bytes already read from it`);
        for (let done = 0; done < bytesRead;)
            done += (await output.write(buffer, done, bytesRead - done)).bytesWritten;
        at += bytesRead;
    }
}

;// CONCATENATED MODULE: ./src/finish/runtime-log/event-check.ts



/**
 * The envelope check every line passes before it reaches the runtime log: Beacon 1.0's required
 * fields and exact values, and the types of its known optional keys (a known key of the wrong
 * type makes the readers reject the whole line).
 */
const SEVERITIES = new Set(['info', 'low', 'medium', 'high', 'critical']);
const OSES = new Set(['linux', 'darwin', 'windows']);
const ORIGINS = new Set(['local', 'cloud', 'ci']);
const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?Z$/;
const optionalString = (value) => value === undefined || typeof value === 'string';
// Integers are safe integers: past 2^53-1 a number is neither exact nor always written in plain
// decimal (1e+300), and the readers drop such a line.
const optionalInteger = (value) => value === undefined || (typeof value === 'number' && Number.isSafeInteger(value));
const countOk = (value) => value === undefined || isCount(value);
/**
 * Why a parsed line is not a Beacon 1.0 event the readers accept, or undefined. Required fields
 * and exact values, and the types of the known optional keys (a known key of the wrong type makes
 * the readers reject the whole line, so such a line must not reach the runtime log).
 */
function eventProblem(e) {
    if (!isObject(e))
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
    if (!isObject(ev) || ev.kind !== 'agent_runtime' || typeof ev.action !== 'string' || ev.action === '' || typeof ev.category !== 'string') {
        return 'event is not {kind: "agent_runtime", action, category}';
    }
    if (!SEVERITIES.has(e.severity))
        return 'severity is not one of info, low, medium, high, critical';
    if (!isObject(e.endpoint) || typeof e.endpoint.hostname !== 'string' || !OSES.has(e.endpoint.os))
        return 'endpoint is not {hostname, os}';
    if (!isObject(e.harness) || typeof e.harness.name !== 'string')
        return 'harness.name is not a string';
    if (e.origin !== undefined && !ORIGINS.has(e.origin))
        return 'origin is not local, cloud or ci';
    if (e.user !== undefined && (!isObject(e.user) || !optionalString(e.user.name)))
        return 'user is not an object';
    if (e.run !== undefined) {
        if (!isObject(e.run))
            return 'run is not an object';
        for (const key in e.run) {
            const value = e.run[key];
            const ok = key === 'ephemeral' ? typeof value === 'boolean' : typeof value === 'string';
            if (!ok)
                return `run.${key} has the wrong type`;
        }
    }
    if (e.session !== undefined && (!isObject(e.session) || typeof e.session.id !== 'string'))
        return 'session.id is not a string';
    if (e.tool !== undefined && (!isObject(e.tool) || !optionalString(e.tool.name) || !optionalString(e.tool.command)))
        return 'tool is not {name, command}';
    if (e.command !== undefined) {
        const c = e.command;
        if (!isObject(c) || !optionalString(c.command) || !optionalInteger(c.exit_code) || !optionalInteger(c.duration_ms))
            return 'command is not {command, exit_code (int), duration_ms (int)}';
    }
    if (e.approval !== undefined) {
        const a = e.approval;
        if (!isObject(a) || (a.required !== undefined && typeof a.required !== 'boolean') || !optionalString(a.decision) || !optionalString(a.reason))
            return 'approval is not {required (bool), decision, reason}';
    }
    if (e.prompt !== undefined && (!isObject(e.prompt) || typeof e.prompt.text !== 'string'))
        return 'prompt.text is not a string';
    if (e.gen_ai !== undefined) {
        if (!isObject(e.gen_ai))
            return 'gen_ai is not an object';
        // Token events get a new usage anyway; any other event's usage must already be right.
        if (e.event.action !== ACTION.tokenUsage && e.gen_ai.usage !== undefined && !usageOk(e.gen_ai.usage))
            return 'gen_ai.usage holds a value that is not a whole number from 0 to 2^53-1';
    }
    if (!optionalString(e.model))
        return 'model is not a string';
    if (!optionalString(e.repository))
        return 'repository is not a string';
    if (!optionalString(e.branch))
        return 'branch is not a string';
    if (!optionalString(e.message))
        return 'message is not a string';
    if (e.raw !== undefined && !isObject(e.raw))
        return 'raw is not an object';
    if (e.field_truncated !== undefined && typeof e.field_truncated !== 'boolean')
        return 'field_truncated is not a boolean';
    return undefined;
}
function usageOk(usage) {
    if (!isObject(usage))
        return false;
    if (!countOk(usage.input_tokens) || !countOk(usage.output_tokens))
        return false;
    for (const [nested, field] of [['cache_read', 'input_tokens'], ['cache_creation', 'input_tokens'], ['reasoning', 'output_tokens']]) {
        const value = usage[nested];
        if (value !== undefined && (!isObject(value) || !countOk(value[field])))
            return false;
    }
    return usage.cost_usd === undefined || (typeof usage.cost_usd === 'number' && usage.cost_usd >= 0);
}

;// CONCATENATED MODULE: ./src/finish/runtime-log/log-stats.ts
/**
 * What writing the runtime log saw of the collector's files, apart from the events themselves:
 * lines read, lines skipped and why, token events that could not be used. Plain data; the list of
 * examples is capped.
 */
const MALFORMED_EXAMPLES = 5;
class LogReadCounter {
    stats = {
        captureFound: true,
        linesRead: 0,
        malformedLines: 0,
        malformedExamples: [],
        lastLineTorn: false,
        unusableTokenEvents: 0,
        oversizedExports: 0,
    };
    captureMissing() {
        this.stats.captureFound = false;
    }
    lineRead() {
        this.stats.linesRead += 1;
    }
    malformed(lineNumber, reason, torn = false) {
        this.stats.malformedLines += 1;
        if (torn)
            this.stats.lastLineTorn = true;
        if (this.stats.malformedExamples.length < MALFORMED_EXAMPLES)
            this.stats.malformedExamples.push({ line: lineNumber, reason });
    }
    unusableTokenEvent() {
        this.stats.unusableTokenEvents += 1;
    }
    oversizedExport() {
        this.stats.oversizedExports += 1;
    }
    snapshot() {
        return { ...this.stats, malformedExamples: this.stats.malformedExamples.map((example) => ({ ...example })) };
    }
}

;// CONCATENATED MODULE: ./src/finish/runtime-log/log-sink.ts
/** Size of the buffers new text is encoded into. */
const TEXT_BUFFER_BYTES = 256 << 10;
/** UTF-8 bytes per UTF-16 code unit, at most (a surrogate pair: 4 bytes for 2 units). */
const MAX_UTF8_PER_UNIT = 3;
/**
 * Buffered output: byte ranges of the read buffers (merged when contiguous) and new text. Each
 * flush starts writing in the background and first waits for the previous write, so writing
 * one chunk's output overlaps parsing the next; a read buffer is reused only after its write ended.
 * New text is encoded into buffers that are reused once their write has ended: a Buffer per
 * piece would outlive the write it waits for, get promoted, and pile up until a full GC (tens of
 * MB over the token events of a large log).
 */
class LogSink {
    output;
    parts = [];
    range;
    /** The buffer new text goes to, and its part not yet in `parts`. */
    textBuffer;
    textStart = 0;
    textEnd = 0;
    /** Text buffers of the parts collected since the last flush, and those free again. */
    textBuffersInUse = [];
    spareTextBuffers = [];
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
        const room = text.length * MAX_UTF8_PER_UNIT;
        if (!this.textBuffer || this.textBuffer.length - this.textEnd < room) {
            this.closePart();
            this.textBuffer = undefined;
            if (room > TEXT_BUFFER_BYTES) {
                this.parts.push(Buffer.from(text, 'utf8'));
                return;
            }
            this.textBuffer = this.spareTextBuffers.pop() ?? Buffer.allocUnsafe(TEXT_BUFFER_BYTES);
            this.textBuffersInUse.push(this.textBuffer);
            this.textStart = this.textEnd = 0;
        }
        this.textEnd += this.textBuffer.write(text, this.textEnd);
    }
    closePart() {
        if (this.textBuffer && this.textEnd > this.textStart) {
            this.parts.push(this.textBuffer.subarray(this.textStart, this.textEnd));
            this.textStart = this.textEnd;
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
        // The text buffers of these parts are free again once they are written; new text starts a new one.
        const textBuffers = this.textBuffersInUse;
        this.textBuffersInUse = [];
        this.textBuffer = undefined;
        // Caught here so a failure cannot surface as an unhandled rejection; rethrown by the next flush.
        this.inFlight = this.writeAll(parts).then(() => void this.spareTextBuffers.push(...textBuffers), (error) => {
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

;// CONCATENATED MODULE: ./src/finish/runtime-log/metric-exports.ts


/** More export requests than this with token points are not tallied: pairing is then left off. */
const MAX_EXPORTS = 10_000;
const MAX_VERSIONS = 5;
class MetricExportTally {
    exports = new Map();
    /** True once a token point could not be tallied (no export number, or too many exports). */
    overflowed = false;
    add(event, point, amount) {
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
            usage = { exportSeq, harness: String(event.harness?.name ?? ''), at: '', versions: [], byModel: Object.create(null) };
            this.exports.set(exportSeq, usage);
        }
        if (typeof event.timestamp === 'string' && event.timestamp > usage.at)
            usage.at = event.timestamp;
        const version = event.raw?.attributes?.['app.version'];
        if (typeof version === 'string' && !usage.versions.includes(version) && usage.versions.length < MAX_VERSIONS)
            usage.versions.push(version);
        if (!field)
            return;
        const model = typeof event.model === 'string' ? event.model : '';
        const counts = (usage.byModel[model] ??= emptyCounts());
        counts[field] = addCount(counts[field], amount);
    }
    list() {
        return [...this.exports.values()].sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : a.exportSeq - b.exportSeq));
    }
}

;// CONCATENATED MODULE: ./src/finish/runtime-log/normalize-tokens.ts


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
/**
 * The token point of a parsed `token.usage` event, or `undefined` when its `raw` does not hold a
 * usable value, a whole number from 0 to 2^53-1 (the event then gets no usage, and its series
 * neither advances nor resets: a missing value is never a reset).
 */
function tokenPointOf(event) {
    const raw = event.raw;
    if (!isObject(raw))
        return undefined;
    const value = raw.metric_value;
    if (!isCount(value))
        return undefined;
    const attributes = isObject(raw.attributes) ? raw.attributes : {};
    const genAi = isObject(event.gen_ai) ? event.gen_ai : {};
    const declaredType = isObject(genAi.token) && typeof genAi.token.type === 'string' ? genAi.token.type : undefined;
    const tokenType = declaredType ?? (typeof attributes.token_type === 'string' ? attributes.token_type : 'unknown');
    const metricName = typeof raw.metric_name === 'string' ? raw.metric_name : '';
    const model = typeof event.model === 'string' ? event.model : '';
    const startTime = typeof raw.metric_start_time === 'string' ? raw.metric_start_time : '';
    const resource = typeof raw.resource_id === 'string' ? raw.resource_id : '';
    const exportSeq = typeof raw.export_seq === 'number' ? raw.export_seq : null;
    const timestamp = typeof event.timestamp === 'string' ? event.timestamp : '';
    return {
        tokenType,
        value,
        temporality: raw.metric_temporality === 'Cumulative' ? 'Cumulative' : 'Delta',
        seriesKey: JSON.stringify([metricName, model, tokenType, stableEntries(attributes, 'token_type'), resource, startTime]),
        turnKey: JSON.stringify([exportSeq, resource, timestamp, metricName, model, stableEntries(attributes, 'token_type')]),
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
    // Token counts are whole and never negative (a point's value is a count: so is its difference).
    return isCount(amount) ? amount : 0;
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
function normalizeExport(points, series) {
    const amounts = points.map((point) => amountOf(point, series));
    const cachedByTurn = new Map();
    points.forEach((point, i) => {
        if (point.tokenType === 'cached_input')
            cachedByTurn.set(point.turnKey, (cachedByTurn.get(point.turnKey) ?? 0) + amounts[i]);
    });
    const usages = points.map((point, i) => {
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
    return { usages, amounts };
}
/** `normalizeExport`'s usages alone. */
function usageForExport(points, series) {
    return normalizeExport(points, series).usages;
}

;// CONCATENATED MODULE: ./src/finish/runtime-log/suspect-lines.ts

/** Every line is checked: no notes, or notes that cannot be read whole. */
const CHECK_EVERY_LINE = { mustCheck: () => true, noted: 0 };
const OFFSET = /^\d{1,16}$/;
/**
 * Notes past this size (about 100,000 lines) are not read: memory stays bounded, and a capture
 * where that many lines need the full scan gains little from skipping the rest.
 */
const MAX_NOTES_BYTES = 1 << 20;
/**
 * The notes for the capture `capture` (open), read after its size was taken, so that the notes
 * cover every line below that size. Anything wrong with them (missing, a line that is not an
 * offset, more than MAX_NOTES_BYTES) means every line is checked.
 */
async function readSuspectLines(capture, notesPath) {
    const coveredBytes = (await capture.stat()).size;
    let text;
    try {
        if ((await external_node_fs_default().promises.stat(notesPath)).size > MAX_NOTES_BYTES)
            return CHECK_EVERY_LINE;
        text = await external_node_fs_default().promises.readFile(notesPath, 'latin1');
    }
    catch {
        return CHECK_EVERY_LINE;
    }
    const starts = new Set();
    let from = 0;
    while (from < text.length) {
        const newline = text.indexOf('\n', from);
        // A torn last note: the collector stopped while noting, so its line was never written;
        // still, damaged notes are not trusted.
        if (newline === -1)
            return CHECK_EVERY_LINE;
        const note = text.slice(from, newline);
        if (!OFFSET.test(note))
            return CHECK_EVERY_LINE;
        starts.add(Number(note));
        from = newline + 1;
    }
    return { mustCheck: (offset) => offset >= coveredBytes || starts.has(offset), noted: starts.size };
}

;// CONCATENATED MODULE: ./src/finish/runtime-log/write-runtime-log.ts
















const DEFAULT_CHUNK_BYTES = 1 << 20;
const DEFAULT_MAX_EXPORT_LINES = 10_000;
const MAX_EXPORT_BYTES = 16 << 20;
const write_runtime_log_NEWLINE = 0x0a;
const FLUSH_EVERY_EVENTS = 512;
/** Stage one and two of one runtime log (see the file comment). */
class RuntimeLogWriter {
    options;
    capturePath;
    logPath;
    tokenPath;
    linkRecordPath;
    suspectLinesPath;
    spoolPath;
    chunkBytes;
    maxExportLines;
    counter = new LogReadCounter();
    series = new CumulativeSeries();
    exports = new MetricExportTally();
    scanner;
    /** A line held for the full scan (async), parsed: see `checkLine` and `copyLine`. */
    suspect;
    /** Which lines of the file being read get the secret check: the capture's suspect lines, or all. */
    suspectLines = CHECK_EVERY_LINE;
    /** The file offset of the read buffer's first byte (readLines). */
    bufferOffset = 0;
    input;
    tokenInput;
    output;
    sink;
    spool;
    spoolSink;
    making = 'copied';
    /** While linking, lines are only checked and counted: nothing is written until a line needs the copy. */
    linking = false;
    held = [];
    heldBytes = 0;
    heldSeq;
    /** The export already counted as oversized: one count per export, however many releases. */
    oversizedSeq = Symbol('none');
    tokenEventsAppended = 0;
    lineNumber = 0;
    /** Said of a malformed line of the token file, after its reason (its line numbers are its own). */
    whichFile = '';
    /**
     * Whether the current chunk's whole lines are valid UTF-8 (checked once per chunk: a newline
     * never falls inside a multi-byte sequence, so the lines of a valid chunk are valid too).
     */
    chunkIsUtf8 = true;
    /** Two read buffers in turn: one is parsed while the other's output may still be being written. */
    buffers;
    constructor(options) {
        this.options = options;
        this.capturePath = options.capturePath;
        this.logPath = options.logPath;
        if (external_node_path_default().resolve(this.capturePath) === external_node_path_default().resolve(this.logPath))
            throw new Error('the runtime log must not overwrite the capture it is made from');
        const companions = (0,workspace/* captureCompanions */.QK)(this.capturePath);
        this.tokenPath = options.tokenPath ?? companions.tokenPoints;
        this.linkRecordPath = companions.captureLink;
        this.suspectLinesPath = companions.suspectLines;
        this.spoolPath = `${this.logPath}.tokens-pending`;
        this.chunkBytes = options.chunkBytes ?? DEFAULT_CHUNK_BYTES;
        this.maxExportLines = options.maxExportLines ?? DEFAULT_MAX_EXPORT_LINES;
        this.scanner = options.secretScan ?? new SecretScanner();
        // Each has room for a carried partial line (< chunkBytes) plus one full read.
        this.buffers = [Buffer.allocUnsafe(this.chunkBytes * 2), Buffer.allocUnsafe(this.chunkBytes * 2)];
    }
    /** What writing saw of the lines so far. */
    get stats() {
        return this.counter.snapshot();
    }
    get log() {
        return this.making;
    }
    /** The usage per model of each metric export request whose token events were put aside. */
    get metricExports() {
        return this.exports.list();
    }
    /** True when some token points could not be told apart by export request. */
    get metricExportsIncomplete() {
        return this.exports.overflowed;
    }
    /** Stage one: the capture becomes the runtime log; the token events are normalized and put aside. */
    async writeCapture() {
        this.prepareOutput();
        await this.openInputs();
        try {
            if (!this.input && !this.tokenInput)
                return this.writeEmptyLog();
            this.linking = this.input !== undefined && this.options.linkCapture !== false;
            if (!this.linking)
                await this.startOutput('w');
            await this.startSpool();
            if (this.input) {
                const captureBytes = await this.readLines(this.input);
                await this.settleCapture(captureBytes);
            }
            this.releaseHeld();
            if (this.tokenInput)
                await this.readTokenFile(this.tokenInput);
            this.releaseHeld();
            await this.sink.drain();
            await this.spoolSink.drain();
        }
        catch (error) {
            await this.close();
            throw error;
        }
        finally {
            await this.input?.close();
            await this.tokenInput?.close();
            this.input = this.tokenInput = undefined;
        }
    }
    /** Stage two: the token events put aside (with their sessions), then the caller's own. */
    async appendTokenEvents(tail = {}) {
        try {
            // After an empty log (no capture, no token file) there may still be events to append.
            if (!this.sink)
                await this.startOutput('a');
            if (this.spool) {
                await this.spool.close();
                this.spool = undefined;
                for await (const line of external_node_readline_default().createInterface({ input: external_node_fs_default().createReadStream(this.spoolPath, 'utf8'), crlfDelay: Infinity })) {
                    if (line === '')
                        continue;
                    const event = JSON.parse(line);
                    const exportSeq = isObject(event.raw) ? event.raw.export_seq : undefined;
                    const sessionId = typeof exportSeq === 'number' ? tail.sessionOfExport?.(exportSeq) : undefined;
                    await this.writeTokenEvent(sessionId ? { ...event, session: { id: sessionId } } : event);
                }
            }
            for (const event of tail.extraEvents ?? [])
                await this.writeTokenEvent(event);
            await this.sink?.drain();
        }
        finally {
            await this.close();
        }
    }
    async writeTokenEvent(event) {
        this.options.onEvent?.(event);
        this.options.onTokenEvent?.(event);
        this.sink.text(JSON.stringify(event) + '\n');
        // Bounded memory: the text written so far goes out every so many events.
        if (++this.tokenEventsAppended % FLUSH_EVERY_EVENTS === 0)
            await this.sink.flush();
    }
    async close() {
        await this.spool?.close();
        await this.output?.close();
        this.spool = this.output = undefined;
        external_node_fs_default().rmSync(this.spoolPath, { force: true });
    }
    // ---- stage one, step by step ----
    /** A previous pass may have linked the capture and appended to it: undo that, start afresh. */
    prepareOutput() {
        external_node_fs_default().mkdirSync(external_node_path_default().dirname(external_node_path_default().resolve(this.logPath)), { recursive: true });
        restoreLinkedCapture(this.capturePath, this.linkRecordPath);
        // The log of a previous pass may be a link to the capture: writing through it would change the capture.
        external_node_fs_default().rmSync(this.logPath, { force: true });
        external_node_fs_default().rmSync(this.spoolPath, { force: true });
    }
    async openInputs() {
        this.input = await openIfPresent(this.capturePath);
        try {
            if (this.input)
                this.suspectLines = await readSuspectLines(this.input, this.suspectLinesPath);
            this.tokenInput = await openIfPresent(this.tokenPath);
        }
        catch (error) {
            await this.input?.close();
            throw error;
        }
    }
    /** No capture: the collector never ran or never wrote. An empty log still documents the run. */
    async writeEmptyLog() {
        external_node_fs_default().writeFileSync(this.logPath, '', { mode: 0o644 });
        this.counter.captureMissing();
        this.making = 'empty';
    }
    async startOutput(flags) {
        // Explicit mode: never writable by other users, whatever the umask.
        this.output = await external_node_fs_default().promises.open(this.logPath, flags, 0o644);
        this.sink = new LogSink(this.output);
    }
    async startSpool() {
        this.spool = await external_node_fs_default().promises.open(this.spoolPath, 'w', 0o600);
        this.spoolSink = new LogSink(this.spool);
    }
    /** From here on the log is a copy: what was checked so far (the first `bytes`) is copied as it is. */
    async beginCopy(bytes) {
        this.linking = false;
        await this.startOutput('w');
        if (bytes > 0)
            await copyPrefix(this.input, this.output, bytes, this.chunkBytes);
    }
    /**
     * The capture was read to its end while linking: link it as the runtime log. Had the collector
     * written on meanwhile, the link would publish unread lines, so that (and a file system without
     * hard links) makes a copy instead.
     */
    async settleCapture(captureBytes) {
        if (!this.linking)
            return;
        const stat = await this.input.stat();
        if (stat.size !== captureBytes)
            return this.beginCopy(captureBytes);
        const record = { captureBytes, ino: stat.ino };
        external_node_fs_default().writeFileSync(this.linkRecordPath, JSON.stringify(record), { mode: 0o600 });
        try {
            external_node_fs_default().linkSync(this.capturePath, this.logPath);
            // The capture is private (0600); as the runtime log it gets the log's mode.
            external_node_fs_default().chmodSync(this.logPath, 0o644);
            this.making = 'linked';
            this.linking = false;
            await this.startOutput('a');
        }
        catch {
            // Another file system (EXDEV), or one without hard links: copy instead.
            external_node_fs_default().rmSync(this.logPath, { force: true });
            external_node_fs_default().rmSync(this.linkRecordPath, { force: true });
            await this.beginCopy(captureBytes);
        }
    }
    async readTokenFile(file) {
        // The read buffers are reused: what the sink still holds of them is written first.
        await this.sink.drain();
        this.lineNumber = 0;
        this.whichFile = ` (in ${external_node_path_default().basename(this.tokenPath)})`;
        this.suspectLines = CHECK_EVERY_LINE;
        await this.readLines(file);
    }
    // ---- lines ----
    /**
     * While linking: checks one line and counts its event, or returns false, having changed
     * nothing, when the line could not stay as it is (it would be skipped or rewritten). A line that
     * may hold a secret is held in `suspect` for the full scan (`lineEndingLink`).
     */
    checkLine(buffer, start, end, hasNewline) {
        if (!hasNewline)
            return false;
        const text = buffer.toString('utf8', start, end);
        if (text === '' || text === '\r')
            return false;
        let event;
        try {
            event = JSON.parse(text);
        }
        catch {
            return false;
        }
        if (eventProblem(event) !== undefined)
            return false;
        const e = event;
        if (e.event.action === ACTION.tokenUsage)
            return false;
        if (!this.chunkIsUtf8 && !(0,external_node_buffer_.isUtf8)(buffer.subarray(start, end)))
            return false;
        const verdict = this.secretVerdict(e, start);
        if (verdict & MASKED)
            return false;
        if (verdict & SUSPECT) {
            this.suspect = e;
            return false;
        }
        this.acceptLine(e);
        return true;
    }
    /** The scanner's cheap check (masks in place), on the lines that need it; `start`: in the read buffer. */
    secretVerdict(e, start) {
        return this.suspectLines.mustCheck(this.bufferOffset + start) ? this.scanner.check(e) : CLEAN;
    }
    /** A line that stays as it is (linking), counted and reported. */
    acceptLine(e) {
        this.lineNumber += 1;
        this.counter.lineRead();
        this.options.onEvent?.(e);
    }
    /**
     * One line of a copy: skipped and counted when bad, written as it is or rewritten otherwise.
     * Returns true when the line may hold a secret: it is then held in `suspect`, for `writeSuspect`.
     */
    copyLine(buffer, start, end, hasNewline) {
        this.lineNumber += 1;
        let text = buffer.toString('utf8', start, end);
        if (text === '' || text === '\r')
            return false; // blank lines carry nothing
        this.counter.lineRead();
        let event;
        try {
            event = JSON.parse(text);
        }
        catch {
            this.counter.malformed(this.lineNumber, (hasNewline ? 'not valid JSON' : 'torn last line (no newline, not valid JSON)') + this.whichFile, !hasNewline);
            return false;
        }
        const problem = eventProblem(event);
        if (problem) {
            this.counter.malformed(this.lineNumber, problem + this.whichFile, false);
            return false;
        }
        const e = event;
        if (e.event.action === ACTION.tokenUsage) {
            this.holdTokenEvent(e, end - start);
            return false;
        }
        // Invalid UTF-8 became U+FFFD in the parsed copy: write that copy, never the bad bytes.
        // (An integer written as `1.0` is not looked for: the collector serializes with JSON.stringify,
        // which never prints one, and scanning every line's text would cost a sixth of the pass.)
        const verdict = this.secretVerdict(e, start);
        if (verdict & SUSPECT) {
            this.suspect = e;
            return true;
        }
        const rewrite = verdict & MASKED || (!this.chunkIsUtf8 && !(0,external_node_buffer_.isUtf8)(buffer.subarray(start, end)));
        this.options.onEvent?.(e);
        if (rewrite)
            text = JSON.stringify(e);
        if (rewrite)
            this.sink.text(text + '\n');
        else {
            this.sink.copy(buffer, start, hasNewline ? end + 1 : end);
            if (!hasNewline)
                this.sink.text('\n');
        }
        return false;
    }
    /** The held line of a copy, after the full scan: written as JSON, its secrets redacted. */
    async writeSuspect(scanned = false) {
        const e = this.suspect;
        this.suspect = undefined;
        if (!scanned)
            await this.scanner.redact(e);
        this.options.onEvent?.(e);
        this.sink.text(JSON.stringify(e) + '\n');
    }
    // ---- token events, held per export request ----
    holdTokenEvent(event, bytes) {
        const seq = isObject(event.raw) ? event.raw.export_seq : undefined;
        if (this.held.length > 0 && seq !== this.heldSeq)
            this.releaseHeld();
        if (this.held.length === 0)
            this.heldSeq = seq;
        const point = tokenPointOf(event);
        if (!point)
            this.counter.unusableTokenEvent();
        this.held.push({ tokenEvent: event, point });
        this.heldBytes += bytes;
        if (this.held.length >= this.maxExportLines || this.heldBytes >= MAX_EXPORT_BYTES) {
            // An absurdly large export: put aside what we hold (pairing across the cut may be lost).
            if (this.oversizedSeq !== this.heldSeq)
                this.counter.oversizedExport();
            this.oversizedSeq = this.heldSeq;
            this.releaseHeld();
        }
    }
    /** Normalizes the held export request's token points and puts its events aside. */
    releaseHeld() {
        if (this.held.length === 0)
            return;
        const points = this.held.filter((h) => h.point !== undefined).map((h) => h.point);
        const normalized = normalizeExport(points, this.series);
        let next = 0;
        for (const line of this.held) {
            const event = line.tokenEvent;
            const i = line.point ? next++ : -1;
            const usage = i >= 0 ? normalized.usages[i] : {};
            if (isObject(event.gen_ai))
                event.gen_ai.usage = usage;
            else
                event.gen_ai = { token: { type: line.point?.tokenType ?? 'unknown' }, usage };
            if (i >= 0)
                this.exports.add(event, line.point, normalized.amounts[i]);
            // The usage now holds a difference: marked Cumulative, Beacon's reader would difference it again.
            if (line.point?.temporality === 'Cumulative' && isObject(event.raw)) {
                event.raw.metric_temporality = 'Delta';
                event.raw.differenced_from = 'Cumulative';
            }
            // A number in raw that could not be written exactly (a capture not of our making) is left out.
            if (isObject(event.raw))
                leaveOutUnwritableIntegers(event);
            this.spoolSink.text(JSON.stringify(event) + '\n');
        }
        this.held = [];
        this.heldBytes = 0;
    }
    // ---- reading ----
    /**
     * While linking, the line that ends the linking: the log becomes a copy from this line on;
     * unless it was only suspect and the full scan finds nothing in it.
     */
    async lineEndingLink(view, start, end, hasNewline, checked) {
        if (this.linking) {
            // `checked`: the caller ran checkLine on this line already (and it held any suspect).
            if (!checked && this.checkLine(view, start, end, hasNewline))
                return;
            const suspect = this.suspect;
            if (suspect) {
                this.suspect = undefined;
                if (!(await this.scanner.redact(suspect)))
                    return this.acceptLine(suspect);
                // Found something: the log is a copy from here, this line rewritten.
                await this.beginCopy(this.bufferOffset + start);
                this.lineNumber += 1;
                this.counter.lineRead();
                this.suspect = suspect;
                return this.writeSuspect(true);
            }
            await this.beginCopy(this.bufferOffset + start);
        }
        if (this.copyLine(view, start, end, hasNewline))
            await this.writeSuspect();
    }
    /** Reads one file to its end, line by line; returns the bytes read. The sink must be drained before. */
    async readLines(file) {
        let turn = 0;
        let buffer = this.buffers[0];
        let filled = 0;
        // this.bufferOffset: the file offset of buffer[0].
        this.bufferOffset = 0;
        let skippingLongLine = false;
        for (;;) {
            // A synchronous read: the page cache answers it at once, and a write in flight goes on meanwhile.
            const bytesRead = external_node_fs_default().readSync(file.fd, buffer, filled, buffer.length - filled, null);
            const end = filled + bytesRead;
            const view = buffer.subarray(0, end);
            const wholeLinesEnd = bytesRead === 0 ? end : view.lastIndexOf(write_runtime_log_NEWLINE) + 1;
            this.chunkIsUtf8 = (0,external_node_buffer_.isUtf8)(view.subarray(0, wholeLinesEnd));
            let start = 0;
            for (;;) {
                const newline = view.indexOf(write_runtime_log_NEWLINE, start);
                if (newline === -1)
                    break;
                if (skippingLongLine)
                    skippingLongLine = false;
                else if (!this.linking) {
                    if (this.copyLine(view, start, newline, true))
                        await this.writeSuspect();
                }
                // Awaited only for the line that ends the linking: a promise per line would cost.
                else if (!this.checkLine(view, start, newline, true))
                    await this.lineEndingLink(view, start, newline, true, true);
                start = newline + 1;
            }
            if (bytesRead === 0) {
                if (start < end && !skippingLongLine)
                    await this.lineEndingLink(view, start, end, false, false);
                return this.bufferOffset + end;
            }
            // Also waits for the write of the other buffer's output: it is free to be read into next.
            await this.sink?.flush();
            await this.spoolSink?.flush();
            const next = this.buffers[(turn = 1 - turn)];
            const rest = end - start;
            if (rest >= this.chunkBytes) {
                // No event is this long: drop it up to its newline rather than let memory grow.
                if (this.linking)
                    await this.beginCopy(this.bufferOffset + start);
                if (!skippingLongLine) {
                    this.lineNumber += 1;
                    this.counter.lineRead();
                    this.counter.malformed(this.lineNumber, `line longer than ${this.chunkBytes} bytes${this.whichFile}`, false);
                }
                skippingLongLine = true;
                filled = 0;
                this.bufferOffset += end;
            }
            else {
                buffer.copy(next, 0, start, end);
                filled = rest;
                this.bufferOffset += start;
            }
            buffer = next;
        }
    }
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
/** Caps the strings inside `container` (an object or array, at `depth`) in place; whether one was cut. */
function capStringsIn(container, max, depth) {
    let cut = false;
    if (Array.isArray(container)) {
        for (let i = 0; i < container.length; i++)
            cut = capValueAt(container, i, max, depth) || cut;
    }
    else {
        for (const key of Object.keys(container))
            cut = capValueAt(container, key, max, depth) || cut;
    }
    return cut;
}
/** Caps `holder[key]`: a string in place, an object or array through its strings; whether one was cut. */
function capValueAt(holder, key, max, depth) {
    const slots = holder;
    const v = slots[key];
    if (typeof v === 'string') {
        if (v.length <= max)
            return false;
        slots[key] = capString(v, max);
        return true;
    }
    return v !== null && typeof v === 'object' && depth < 32 && capStringsIn(v, max, depth + 1);
}
/** capString, recording in `state.cut` whether it cut. */
function capText(text, state) {
    if (text === undefined || text.length <= MAX_TEXT)
        return text;
    state.cut = true;
    return capString(text, MAX_TEXT);
}
/** Whether a JSON line fits MAX_EVENT_BYTES; counting its UTF-8 bytes only when it might not. */
function fits(line) {
    // A UTF-16 unit is at most 3 UTF-8 bytes (a surrogate pair, 2 units, is 4).
    return line.length * 3 <= MAX_EVENT_BYTES || Buffer.byteLength(line) <= MAX_EVENT_BYTES;
}
/**
 * Caps the event's strings in place and returns its JSON line (with `\n`), shrunk under
 * MAX_EVENT_BYTES if needed (drop `raw`, then cut the texts harder), marking `field_truncated`.
 */
function serializeWithinLimits(event) {
    const state = { cut: false };
    if (event.prompt)
        event.prompt.text = capText(event.prompt.text, state);
    if (event.command)
        event.command.command = capText(event.command.command, state);
    if (event.tool?.command !== undefined)
        event.tool.command = capText(event.tool.command, state);
    event.message = capText(event.message, state);
    // `raw` is an object (a plain value there has no strings to cap).
    if (event.raw !== null && typeof event.raw === 'object' && capStringsIn(event.raw, MAX_RAW_STRING, 0))
        state.cut = true;
    if (state.cut)
        event.field_truncated = true;
    let line = JSON.stringify(event);
    if (fits(line))
        return line + '\n';
    // Too big even with capped strings (many attributes): raw goes first, it is only context.
    event.field_truncated = true;
    delete event.raw;
    line = JSON.stringify(event);
    if (fits(line))
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
        if (fits(line))
            break;
    }
    return line + '\n';
}

;// CONCATENATED MODULE: ./src/finish/account-usage/capped.ts

/**
 * Collections whose size does not grow with the log: past their cap, what does not fit is
 * counted (under OTHER_KEY) or left out, never kept.
 */
/** Group key for values past a map's cap. */
const OTHER_KEY = '(other)';
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
    maxChars;
    values = new Set();
    constructor(cap, maxChars) {
        this.cap = cap;
        this.maxChars = maxChars;
    }
    add(value) {
        if (typeof value !== 'string' || value === '' || this.values.size >= this.cap)
            return;
        this.values.add(capString(value, this.maxChars));
    }
}

;// CONCATENATED MODULE: ./src/finish/account-usage/run-report.ts

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
};
/** Group key when an event has no value for the group (no model, no repository). */
const NONE_KEY = '(none)';
function emptyUsageTotals() {
    return { input_tokens: 0, output_tokens: 0, cache_read_input_tokens: 0, cache_creation_input_tokens: 0, reasoning_output_tokens: 0, events: 0 };
}
function emptySessionTotals() {
    return { ...emptyUsageTotals(), models: [], sources: [] };
}
/** The disjoint total: input (uncached) + cache read + output, held at 2^53-1. Reasoning is inside output. */
/** Tool calls of every tool, the ones not listed by name included. */
function toolCallCount(report) {
    return Object.values(report.tools).reduce((n, t) => n + t.calls, 0) + report.otherToolCalls;
}
function totalTokens(totals) {
    return addCount(addCount(totals.input_tokens, totals.cache_read_input_tokens), totals.output_tokens);
}

;// CONCATENATED MODULE: ./src/finish/account-usage/tool-tally.ts





/** A duration in whole ms from 0 to 2^53-1 (a number, or Codex's string attribute), else undefined. */
function parseDuration(value) {
    const n = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : NaN;
    const ms = Number.isFinite(n) && n >= 0 ? Math.round(n) : undefined;
    return isCount(ms) ? ms : undefined;
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
class ToolTally {
    tools = new Map();
    otherToolCalls = 0;
    commandTotal = 0;
    commands = [];
    /** A tool's total duration reached 2^53-1 ms and was held there. */
    saturated = false;
    add(event, attributes) {
        const command = isObject(event.command) ? event.command : undefined;
        const toolName = typeof event.tool?.name === 'string' && event.tool.name ? event.tool.name : '(unnamed)';
        const success = parseSuccess(command?.success) ?? parseSuccess(attributes?.success);
        const duration = parseDuration(command?.duration_ms) ?? parseDuration(attributes?.duration_ms);
        this.countCall(toolName, success, duration);
        if (event.event.action === ACTION.commandExecuted && command && typeof command.command === 'string')
            this.listCommand(command, success, duration);
    }
    countCall(toolName, success, duration) {
        let stats = this.tools.get(toolName);
        if (!stats && this.tools.size < REPORT_LIMITS.tools) {
            stats = { calls: 0, succeeded: 0, failed: 0, totalDurationMs: 0, maxDurationMs: 0 };
            this.tools.set(toolName, stats);
        }
        if (!stats) {
            this.otherToolCalls += 1;
            return;
        }
        stats.calls += 1;
        if (success === true)
            stats.succeeded += 1;
        if (success === false)
            stats.failed += 1;
        if (duration !== undefined) {
            stats.totalDurationMs = addCount(stats.totalDurationMs, duration);
            if (stats.totalDurationMs === MAX_COUNT)
                this.saturated = true;
            stats.maxDurationMs = Math.max(stats.maxDurationMs, duration);
        }
    }
    listCommand(command, success, duration) {
        this.commandTotal += 1;
        if (this.commands.length >= REPORT_LIMITS.commands)
            return;
        const record = { command: capString(command.command, REPORT_LIMITS.commandChars) };
        if (Number.isSafeInteger(command.exit_code))
            record.exitCode = command.exit_code;
        if (duration !== undefined)
            record.durationMs = duration;
        if (success !== undefined)
            record.success = success;
        this.commands.push(record);
    }
    finish() {
        return {
            tools: Object.fromEntries([...this.tools].map(([name, stats]) => [name, { ...stats }])),
            otherToolCalls: this.otherToolCalls,
            commands: { total: this.commandTotal, listed: this.commands.map((c) => ({ ...c })) },
            saturated: this.saturated,
        };
    }
}

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

;// CONCATENATED MODULE: ./src/beacon/utc-time.ts
/**
 * `new Date(ms).toISOString()`, computed here for years 0000–9999. The first Date#toISOString call
 * of a process maps in about 1 MB of the node binary's pages, which the idle collector would
 * otherwise carry from its first log line on (BENCHMARKS.md, memory). Times outside those years,
 * and invalid ones, are left to Date: extended ±YYYYYY years, or its RangeError.
 */
/** 0000-01-01T00:00:00.000Z and 9999-12-31T23:59:59.999Z. */
const FIRST_MS = -62167219200000;
const LAST_MS = 253402300799999;
const DAY_MS = 86400000;
const two = (n) => (n < 10 ? `0${n}` : `${n}`);
function isoUtc(ms) {
    // `!(a && b)` is also true for NaN.
    if (!(ms >= FIRST_MS && ms <= LAST_MS))
        return new Date(ms).toISOString();
    // A Date truncates its time value toward zero (TimeClip).
    const time = Math.trunc(ms);
    const days = Math.floor(time / DAY_MS);
    let rest = time - days * DAY_MS;
    const millis = rest % 1000;
    rest = (rest - millis) / 1000;
    const seconds = rest % 60;
    rest = (rest - seconds) / 60;
    const minutes = rest % 60;
    const hours = (rest - minutes) / 60;
    // Civil date from days since 1970-01-01 (H. Hinnant, "chrono-compatible low-level date algorithms").
    const shifted = days + 719468; // days since 0000-03-01
    const era = Math.floor(shifted / 146097);
    const dayOfEra = shifted - era * 146097;
    const yearOfEra = Math.floor((dayOfEra - Math.floor(dayOfEra / 1460) + Math.floor(dayOfEra / 36524) - Math.floor(dayOfEra / 146096)) / 365);
    const dayOfYear = dayOfEra - (365 * yearOfEra + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100));
    const monthFromMarch = Math.floor((5 * dayOfYear + 2) / 153);
    const day = dayOfYear - Math.floor((153 * monthFromMarch + 2) / 5) + 1;
    const month = monthFromMarch < 10 ? monthFromMarch + 3 : monthFromMarch - 9;
    const year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0);
    const yyyy = year >= 1000 ? `${year}` : `${year}`.padStart(4, '0');
    const sss = millis >= 100 ? `${millis}` : millis >= 10 ? `0${millis}` : `00${millis}`;
    return `${yyyy}-${two(month)}-${two(day)}T${two(hours)}:${two(minutes)}:${two(seconds)}.${sss}Z`;
}

;// CONCATENATED MODULE: ./src/finish/account-usage/sessions/recovered-events.ts





/**
 * Usage recovered from a session file, as token events of the same shape and normalization as the
 * metric's (schema page "Token usage"): one event per token type per turn and model, input without
 * the turn's cached input, reasoning inside output, no cost. They carry the session and the model,
 * `raw.metric_name` like every token event (Beacon's reader keys its channels on it), and in `raw`
 * where they come from: the session file's name and the responses' ids, never its content.
 */
const RECOVERED_SOURCE = 'session_file';
/** A turn's usage of one token type, normalized like the metric's: input without the cached input. */
function turnUsageOf(tokenType, turn) {
    const { usage } = turn;
    return usageOf(tokenType, tokenType === 'input' ? Math.max(0, usage.input - usage.cachedInput) : usage[FIELD_OF_TOKEN_TYPE[tokenType]]);
}
function timestampOf(iso, fallback) {
    const ms = Date.parse(iso);
    return Number.isFinite(ms) ? isoUtc(ms) : fallback;
}
/** The token events of one session's recovered usage, turn by turn. */
function* recoveredEvents(session, options) {
    for (const turn of session.turns) {
        for (const [tokenType, field] of Object.entries(FIELD_OF_TOKEN_TYPE)) {
            const event = newEvent(options.attribution, {
                timestamp: timestampOf(turn.lastAt, options.now),
                action: ACTION.tokenUsage,
                category: 'metric',
                harness: options.harnessName,
            });
            event.message = options.metricName;
            event.session = { id: session.sessionId };
            if (turn.model)
                event.model = turn.model;
            event.gen_ai = { token: { type: tokenType }, usage: turnUsageOf(tokenType, turn) };
            event.raw = {
                source: RECOVERED_SOURCE,
                metric_name: options.metricName,
                metric_temporality: 'Delta',
                metric_value: turn.usage[field],
                session_file: session.file,
                turn_id: turn.turnId,
                responses: turn.responses,
                response_ids: turn.responseIds,
                // Where the metric's points carry the harness's version and originator, so do these.
                attributes: { ...(session.harnessVersion ? { 'app.version': session.harnessVersion } : {}), ...(session.originator ? { originator: session.originator } : {}), token_type: tokenType },
            };
            yield event;
        }
    }
}

;// CONCATENATED MODULE: ./src/finish/account-usage/usage-tally.ts





/** A usage field as a count (a whole number from 0 to 2^53-1), else 0. */
function countOf(value) {
    return isCount(value) ? value : 0;
}
/** `github_actions/<run_id>` (or `<provider>/<run_id>`), else `local`. */
function runKeyOf(event) {
    const run = isObject(event.run) ? event.run : undefined;
    return typeof run?.run_id === 'string' && run.run_id ? `${String(run.provider ?? 'ci')}/${run.run_id}` : 'local';
}
function keyOr(value) {
    return typeof value === 'string' && value ? value : NONE_KEY;
}
function sourceOf(event) {
    return isObject(event.raw) && event.raw.source === RECOVERED_SOURCE ? RECOVERED_SOURCE : 'metric';
}
/** Beacon's reader counts an event whose usage holds a field that is not zero. */
function countsUsage(usage) {
    return [usage.input_tokens, usage.output_tokens, usage.cache_read?.input_tokens, usage.cache_creation?.input_tokens, usage.reasoning?.output_tokens].some((n) => typeof n === 'number' && n !== 0);
}
/** Adds one event's usage to a group; whether a total (the disjoint total too) reached 2^53-1 and was held there. */
function addUsage(totals, usage) {
    totals.input_tokens = addCount(totals.input_tokens, countOf(usage.input_tokens));
    totals.output_tokens = addCount(totals.output_tokens, countOf(usage.output_tokens));
    totals.cache_read_input_tokens = addCount(totals.cache_read_input_tokens, countOf(usage.cache_read?.input_tokens));
    totals.cache_creation_input_tokens = addCount(totals.cache_creation_input_tokens, countOf(usage.cache_creation?.input_tokens));
    totals.reasoning_output_tokens = addCount(totals.reasoning_output_tokens, countOf(usage.reasoning?.output_tokens));
    totals.events += 1;
    return totals.input_tokens + totals.cache_read_input_tokens + totals.output_tokens >= MAX_COUNT || totals.cache_creation_input_tokens === MAX_COUNT || totals.reasoning_output_tokens === MAX_COUNT;
}
class UsageTally {
    tokenEvents = 0;
    tokenPoints = new CappedCounter(REPORT_LIMITS.groupKeys);
    total = emptyUsageTotals();
    byModel = new CappedMap(REPORT_LIMITS.groupKeys, emptyUsageTotals);
    byRun = new CappedMap(REPORT_LIMITS.groupKeys, emptyUsageTotals);
    byRepository = new CappedMap(REPORT_LIMITS.groupKeys, emptyUsageTotals);
    byHarness = new CappedMap(REPORT_LIMITS.groupKeys, emptyUsageTotals);
    bySession = new CappedMap(REPORT_LIMITS.groupKeys, emptySessionTotals);
    bySource = new CappedMap(2, emptyUsageTotals);
    /** A total reached 2^53-1 and was held there (its true figure is larger). */
    saturated = false;
    add(event) {
        this.tokenEvents += 1;
        const source = sourceOf(event);
        this.tokenPoints.add(typeof event.gen_ai?.token?.type === 'string' ? event.gen_ai.token.type : 'unknown');
        const usage = isObject(event.gen_ai?.usage) ? event.gen_ai.usage : undefined;
        if (!usage || !countsUsage(usage))
            return;
        const session = this.bySession.get(keyOr(event.session?.id));
        if (typeof event.model === 'string' && event.model && !session.models.includes(event.model) && session.models.length < REPORT_LIMITS.names)
            session.models.push(event.model);
        if (!session.sources.includes(source))
            session.sources.push(source);
        const groups = [this.total, this.byModel.get(keyOr(event.model)), session, this.byRun.get(runKeyOf(event)), this.byRepository.get(keyOr(event.repository)), this.byHarness.get(event.harness.name), this.bySource.get(source)];
        for (const totals of groups)
            if (addUsage(totals, usage))
                this.saturated = true;
    }
    finish() {
        return {
            saturated: this.saturated,
            usage: {
                total: { ...this.total },
                byModel: this.byModel.toObject(),
                byRun: this.byRun.toObject(),
                byRepository: this.byRepository.toObject(),
                byHarness: this.byHarness.toObject(),
                bySession: Object.fromEntries(Object.entries(this.bySession.toObject()).map(([id, totals]) => [id, { ...totals, models: [...totals.models], sources: [...totals.sources] }])),
                bySource: this.bySource.toObject(),
            },
            tokenEvents: this.tokenEvents,
            tokenPoints: this.tokenPoints.toObject(),
        };
    }
}

;// CONCATENATED MODULE: ./src/finish/account-usage/report-builder.ts






/**
 * Who made a tool decision, from Codex's `source` attribute (the event's `approval.reason`): its
 * configuration (an approval policy such as `never`, or a rule), a person asked, or a reviewer.
 */
function deciderOf(source) {
    const text = typeof source === 'string' ? source.toLowerCase() : '';
    if (text === 'config' || text === 'configuration')
        return 'configuration';
    if (text === 'user')
        return 'person';
    if (text.includes('review') || text.includes('guardian'))
        return 'reviewer';
    return 'other';
}
class DecisionTally {
    total = 0;
    denied = 0;
    byDecider = {};
    add(denied, source) {
        this.total += 1;
        if (denied)
            this.denied += 1;
        const decider = deciderOf(source);
        this.byDecider[decider] = (this.byDecider[decider] ?? 0) + 1;
    }
    finish() {
        return { total: this.total, denied: this.denied, byDecider: { ...this.byDecider } };
    }
}
class RunReportBuilder {
    events = 0;
    byAction = new CappedCounter(REPORT_LIMITS.groupKeys);
    byHarness = new CappedCounter(REPORT_LIMITS.groupKeys);
    codexEvents = 0;
    sessionIds = new Set();
    sessionsCapped = false;
    prompts = 0;
    decisions = new DecisionTally();
    models = new DistinctList(REPORT_LIMITS.names, REPORT_LIMITS.nameChars);
    codexVersions = new DistinctList(REPORT_LIMITS.names, REPORT_LIMITS.nameChars);
    toolCalls = new ToolTally();
    usage = new UsageTally();
    /** One valid event (checked by the runtime log's envelope check). */
    add(event) {
        this.events += 1;
        const action = event.event.action;
        const attributes = isObject(event.raw) && isObject(event.raw.attributes) ? event.raw.attributes : undefined;
        this.countSource(event, action, attributes);
        this.countSession(event.session?.id);
        switch (action) {
            case ACTION.promptSubmitted:
                this.prompts += 1;
                break;
            case ACTION.approvalRequested:
            case ACTION.approvalDenied:
                this.decisions.add(action === ACTION.approvalDenied, event.approval?.reason);
                break;
            case ACTION.commandExecuted:
            case ACTION.toolInvoked:
                this.toolCalls.add(event, attributes);
                break;
            case ACTION.tokenUsage:
                this.usage.add(event);
                break;
        }
    }
    /** Action, harness, model and Codex version of one event. */
    countSource(event, action, attributes) {
        const harness = event.harness.name;
        this.byAction.add(action);
        this.byHarness.add(harness);
        const isCodex = harness === CODEX_HARNESS;
        if (isCodex)
            this.codexEvents += 1;
        if (isCodex && attributes)
            this.codexVersions.add(attributes['app.version']);
        this.models.add(event.model);
    }
    countSession(sessionId) {
        if (typeof sessionId !== 'string' || !sessionId || this.sessionIds.has(sessionId))
            return;
        if (this.sessionIds.size < REPORT_LIMITS.sessions)
            this.sessionIds.add(sessionId);
        else
            this.sessionsCapped = true;
    }
    /** The report, with what writing the log saw of its lines. */
    finish(log) {
        const { saturated: toolsSaturated, ...tools } = this.toolCalls.finish();
        const { saturated: usageSaturated, ...usage } = this.usage.finish();
        return {
            ...log,
            events: this.events,
            byAction: this.byAction.toObject(),
            byHarness: this.byHarness.toObject(),
            codexEvents: this.codexEvents,
            sessions: this.sessionIds.size,
            sessionsCapped: this.sessionsCapped,
            prompts: this.prompts,
            ...tools,
            toolDecisions: this.decisions.finish(),
            models: [...this.models.values],
            codexVersions: [...this.codexVersions.values],
            ...usage,
            totalsSaturated: toolsSaturated || usageSaturated,
        };
    }
}

;// CONCATENATED MODULE: ./src/finish/account-usage/sessions/pair-sessions.ts

/** Clock slack between a session's last record and its process's exit flush. */
const SLACK_MS = 5_000;
/** Candidate sessions tried per export (closest in time first), and the largest set tried. */
const MAX_CANDIDATES = 12;
const MAX_SET_SIZE = 4;
/**
 * The session's usage per model, summed over its turns; models with no tokens left out. A
 * 'summary' session's total goes under its last model, else under `exportModel` (an export's
 * only model, while matching), else under ''.
 */
function sessionByModel(session, exportModel) {
    const byModel = Object.create(null);
    if (session.detail === 'summary') {
        byModel[session.model ?? exportModel ?? ''] = { ...session.thread };
        return withoutEmpty(byModel);
    }
    for (const turn of session.turns) {
        addCounts((byModel[turn.model] ??= emptyCounts()), turn.usage);
    }
    return withoutEmpty(byModel);
}
function withoutEmpty(byModel) {
    const kept = Object.create(null);
    for (const [model, counts] of Object.entries(byModel))
        if (COUNT_FIELDS.some((field) => counts[field] !== 0))
            kept[model] = counts;
    return kept;
}
function sumByModel(sets) {
    const sum = Object.create(null);
    for (const byModel of sets) {
        for (const [model, counts] of Object.entries(byModel))
            addCounts((sum[model] ??= emptyCounts()), counts);
    }
    return sum;
}
function sameUsage(a, b) {
    const models = Object.keys(a);
    if (models.length !== Object.keys(b).length)
        return false;
    return models.every((model) => b[model] !== undefined && COUNT_FIELDS.every((field) => a[model][field] === b[model][field]));
}
function ms(iso) {
    const t = Date.parse(iso);
    return Number.isFinite(t) ? t : 0;
}
/** Every subset of `items` of exactly `size`, in order (items are few: at most MAX_CANDIDATES). */
function* subsets(items, size, from = 0) {
    if (size === 0) {
        yield [];
        return;
    }
    for (let i = from; i <= items.length - size; i++)
        for (const rest of subsets(items, size - 1, i + 1))
            yield [items[i], ...rest];
}
function exactSet(metric, candidates) {
    for (let size = 1; size <= Math.min(MAX_SET_SIZE, candidates.length); size++) {
        for (const set of subsets(candidates, size))
            if (sameUsage(metric, sumByModel(set.map((c) => c.byModel))))
                return set;
    }
    return undefined;
}
/** How far apart two usages are: the sum of every field's difference, over every model of either. */
function usageDistance(a, b) {
    let distance = 0;
    for (const model of new Set([...Object.keys(a), ...Object.keys(b)])) {
        for (const field of COUNT_FIELDS)
            distance += Math.abs((a[model]?.[field] ?? 0) - (b[model]?.[field] ?? 0));
    }
    return distance;
}
/**
 * The candidate sharing a model with the export whose usage is nearest to it; candidates come
 * closest in time first, so time breaks a tie. Nearest in usage, not in time: a stopped session
 * may well have ended nearer to another process's flush than that process's own session did.
 */
function closestInUsage(metric, candidates) {
    let best;
    let bestDistance = Infinity;
    for (const candidate of candidates) {
        if (!Object.keys(candidate.byModel).some((model) => metric[model] !== undefined))
            continue;
        const distance = usageDistance(metric, candidate.byModel);
        if (distance < bestDistance)
            [best, bestDistance] = [candidate, distance];
    }
    return best;
}
/** A session's usage per model as one export sees it; the export's model when it has only one. */
function usageFor(session, metricByModel, full) {
    if (session.detail !== 'summary')
        return full.get(session);
    const models = Object.keys(metricByModel);
    return sessionByModel(session, models.length === 1 ? models[0] : undefined);
}
/** Pairs exports (any order) with sessions; see the file comment. */
function pairSessions(exports, sessions) {
    const full = new Map(sessions.filter((s) => s.detail !== 'summary').map((s) => [s, sessionByModel(s)]));
    const open = new Set(sessions);
    const ordered = [...exports].sort((a, b) => ms(a.at) - ms(b.at) || a.exportSeq - b.exportSeq);
    const paired = [];
    for (const metric of ordered) {
        const metricByModel = withoutEmpty(metric.byModel);
        // An export that adds nothing (a cumulative repeat at exit) is no process's record of a session.
        if (Object.keys(metricByModel).length === 0) {
            paired.push({ exportSeq: metric.exportSeq, at: metric.at, sessionIds: [], agreement: 'no-usage' });
            continue;
        }
        const at = ms(metric.at);
        // Sessions that had begun and ended by the time of the flush, closest first.
        const candidates = [...open]
            .filter((s) => ms(s.startedAt) <= at + SLACK_MS && ms(s.lastRecordAt || s.startedAt) <= at + SLACK_MS)
            .map((session) => ({ session, byModel: usageFor(session, metricByModel, full) }))
            .sort((a, b) => Math.abs(at - ms(a.session.lastRecordAt)) - Math.abs(at - ms(b.session.lastRecordAt)))
            .slice(0, MAX_CANDIDATES);
        const exact = exactSet(metricByModel, candidates);
        if (exact) {
            for (const c of exact)
                open.delete(c.session);
            paired.push({ exportSeq: metric.exportSeq, at: metric.at, sessionIds: exact.map((c) => c.session.sessionId), agreement: 'exact' });
            continue;
        }
        const closest = closestInUsage(metricByModel, candidates);
        if (!closest) {
            paired.push({ exportSeq: metric.exportSeq, at: metric.at, sessionIds: [], agreement: 'no-session' });
            continue;
        }
        open.delete(closest.session);
        paired.push({ exportSeq: metric.exportSeq, at: metric.at, sessionIds: [closest.session.sessionId], agreement: 'disagree', metricByModel, sessionByModel: closest.byModel });
    }
    return { exports: paired.sort((a, b) => a.exportSeq - b.exportSeq), unpaired: [...open] };
}

;// CONCATENATED MODULE: ./src/finish/account-usage/sessions/reconcile.ts

/** Every disagreement, model by model: what the usage file lists and validation warns of. */
function disagreementsOf(sessions) {
    return sessions.exports
        .filter((e) => e.agreement === 'disagree')
        .flatMap((e) => [...new Set([...Object.keys(e.metricByModel ?? {}), ...Object.keys(e.sessionByModel ?? {})])].map((model) => ({
        sessionIds: e.sessionIds,
        model,
        metric: e.metricByModel?.[model],
        sessionFile: e.sessionByModel?.[model],
    })));
}
const MAX_LISTED = 50;
async function scanSafely(options) {
    try {
        return await options.reader.readSessions({ home: options.home, since: options.since });
    }
    catch (error) {
        return { sessions: [], olderFilesSkipped: 0, unreadable: [{ file: 'sessions/', reason: error.message }] };
    }
}
/** The given sessions (all, when none given) read in full; the scan's list updated in place, in its order. */
async function readInFull(options, scan, which) {
    const replaced = new Map();
    for (const session of which ?? scan.sessions) {
        if (session.detail !== 'summary')
            continue;
        const full = await options.reader.readFull(options.home, session).catch((error) => ({ ...session, problems: [...session.problems, `could not be read again in full: ${error.message}`] }));
        replaced.set(session, full);
    }
    if (replaced.size > 0)
        scan.sessions = scan.sessions.map((s) => replaced.get(s) ?? s);
    return replaced;
}
function models(e) {
    return Object.values(e.byModel).filter((counts) => Object.values(counts).some((count) => count !== 0)).length;
}
async function reconcileSessions(options) {
    const scan = await scanSafely(options);
    const exports = options.exports.filter((e) => e.harness === options.reader.harnessName);
    // An export of several models is matched model by model: that needs every session's split.
    if (exports.some((e) => models(e) > 1))
        await readInFull(options, scan);
    let pairing = pairSessions(exports, scan.sessions);
    if (pairing.exports.some((e) => e.agreement === 'disagree' || e.agreement === 'no-session') && scan.sessions.some((s) => s.detail === 'summary')) {
        await readInFull(options, scan);
        pairing = pairSessions(exports, scan.sessions);
    }
    // Sessions no export counted: recovered turn by turn, or named for having no usage.
    const replaced = await readInFull(options, scan, pairing.unpaired);
    pairing = { ...pairing, unpaired: pairing.unpaired.map((s) => replaced.get(s) ?? s) };
    const withUsage = pairing.unpaired.filter((s) => Object.keys(sessionByModel(s)).length > 0);
    const withoutUsage = pairing.unpaired.filter((s) => !withUsage.includes(s));
    // Token points outside any tallied export may be these sessions' own: recovering them could count twice.
    const recoverySkipped = options.exportsIncomplete && withUsage.length > 0 ? 'some token metric points could not be told apart by export request, so no session could be ruled out as already counted' : undefined;
    const recoveredSessions = recoverySkipped ? [] : withUsage;
    const exportSessions = new Map(pairing.exports.filter((e) => e.sessionIds.length === 1).map((e) => [e.exportSeq, e.sessionIds[0]]));
    const report = {
        harness: options.reader.harnessName,
        versions: [...new Set(scan.sessions.map((s) => s.harnessVersion).filter((v) => typeof v === 'string' && v !== ''))].slice(0, 5),
        sessionFiles: {
            read: scan.sessions.length,
            olderLeftOut: scan.olderFilesSkipped,
            unreadable: scan.unreadable.slice(0, MAX_LISTED),
            problems: scan.sessions.flatMap((s) => s.problems.map((problem) => `${s.file}: ${problem}`)).slice(0, MAX_LISTED),
        },
        exports: pairing.exports.slice(0, MAX_LISTED),
        recovered: recoveredSessions.map((s) => {
            const usage = sessionByModel(s);
            return { sessionId: s.sessionId, file: s.file, models: Object.keys(usage), usage };
        }),
        withoutUsage: withoutUsage.map((s) => ({ sessionId: s.sessionId, file: s.file })).slice(0, MAX_LISTED),
        ...(recoverySkipped ? { recoverySkipped } : {}),
    };
    return { report, recoveredSessions, sessionOfExport: (exportSeq) => exportSessions.get(exportSeq) };
}

;// CONCATENATED MODULE: ./src/finish/account-usage/process-capture.ts




/**
 * The runtime log and the report of its events: the capture first; then, given a SessionSource,
 * the session files are read and paired with the metric exports; then the token events go in,
 * the metric's with their sessions and the usage recovered from session files after them.
 */
async function writeRuntimeLogWithReport(options, sessionSource) {
    const report = new RunReportBuilder();
    const writer = new RuntimeLogWriter({
        ...options,
        onEvent: (event) => {
            report.add(event);
            options.onEvent?.(event);
        },
    });
    await writer.writeCapture();
    let tail = {};
    let sessions;
    if (sessionSource) {
        const { reader, home, since, attribution } = sessionSource;
        const reconciled = await reconcileSessions({ reader, home, since, exports: writer.metricExports, exportsIncomplete: writer.metricExportsIncomplete });
        const now = new Date().toISOString();
        tail = {
            sessionOfExport: reconciled.sessionOfExport,
            extraEvents: (function* () {
                for (const session of reconciled.recoveredSessions)
                    yield* recoveredEvents(session, { attribution, harnessName: reader.harnessName, metricName: reader.usageMetricName, now });
            })(),
        };
        sessions = reconciled.report;
    }
    await writer.appendTokenEvents(tail);
    return { report: report.finish(writer.stats), log: writer.log, ...(sessions ? { sessions } : {}) };
}
/** The runtime log's report alone, with no session files: what tests of the log itself use. */
async function processCaptureLog(options) {
    return (await writeRuntimeLogWithReport(options)).report;
}

;// CONCATENATED MODULE: ./src/finish/validate/validate.ts




const CLEAN_STOP = 'shutdown request';
/** What an HTTP status the collector answered with usually means. */
const REJECTION_CAUSES = {
    '400': 'a body that could not be decoded as OTLP, or one of which nothing could be used (every data point refused, e.g. a token count that is not a whole number)',
    '401': 'a missing or wrong secret header (a stale config, another process sending to the port, or a shutdown or health request without the control secret, such as one with the telemetry secret of config.toml)',
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
    else if (stats?.stopReason?.startsWith(collector_config/* BOOT_FAILURE */.Gc)) {
        // Nothing reached it because it never served: the stop-reason warning below says why.
        diagnoses.push('The collector failed at boot, after the start step had handed it the socket: its log (collector.log in the work folder) has the details.');
    }
    else if (requests === 0 && (options.sessions?.sessionFiles.read ?? 0) > 0) {
        // Its session files are in the CODEX_HOME we prepared: Codex ran with it, and stopped before it sent anything.
        warnings.push('No telemetry request ever reached the collector, although Codex ran with this CODEX_HOME (its session files are there).');
        diagnoses.push('Codex was stopped within about a second of starting (it sends its logs in batches each second, its metrics only at a normal exit), or `[otel]` was overridden for it.');
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
    if (options.sessions)
        checkSessions(options.sessions, warnings, diagnoses);
    checkUnknownTelemetry(report, stats, options.sessions, warnings);
    if (exit?.status !== 'not-started')
        stopWarning(exit, stats, options.collectorLastWrite, warnings);
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
        const refused = stats.dropped.rejected_record ?? 0;
        if (refused > 0) {
            warnings.push(`The collector refused ${plural(refused, 'record')} it could not use (such as a token data point whose value is not a whole number from 0 to 2^53-1); ${refused === 1 ? 'it was' : 'they were'} not counted.`);
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
    if (report.totalsSaturated) {
        warnings.push(`Some totals reached ${MAX_COUNT} (2^53-1), the largest number this report holds exactly, and were held there: the true figures are larger.`);
    }
    if (report.oversizedExports > 0) {
        warnings.push(`${plural(report.oversizedExports, 'metrics export')} held too many token points to pair input with cached input completely.`);
    }
    return { ok: failures.length === 0, failures, warnings, diagnoses };
}
/**
 * A collector that did not stop at the post step's request, or not cleanly: said as a warning,
 * with when it stopped (its statistics' time; without them, the last change of its capture).
 */
function stopWarning(exit, stats, lastWrite, warnings) {
    const why = exit?.reason ? ` (${exit.reason})` : '';
    const lastSeen = lastWrite ? `it stopped after ${lastWrite}, when its capture last changed` : 'when it stopped is unknown (it left no capture)';
    if (exit?.status === 'left-alone') {
        warnings.push(`The collector could not be stopped${why} and was left running. What it wrote so far is used.`);
    }
    else if (stats === undefined) {
        warnings.push(`The collector left no statistics: it died or was killed before it could stop cleanly${why}; ${lastSeen}. What it wrote is still used.`);
    }
    else if (stats.stopReason === undefined) {
        warnings.push(`The collector did not record why it stopped: it was likely killed${stats.stoppedAt ? ` at ${stats.stoppedAt}` : `; ${lastSeen}`}. What it wrote is still used.`);
    }
    else if (stats.stopReason !== CLEAN_STOP) {
        warnings.push(`The collector stopped on its own (${stats.stopReason}) at ${stats.stoppedAt ?? 'an unknown time'}, not at the post step's request: telemetry sent after that was lost. What it wrote is still used.`);
    }
    else if (exit?.status === 'already-exited') {
        warnings.push(`The collector had already stopped at ${stats.stoppedAt ?? 'an unknown time'}, on a shutdown request sent before this step: telemetry sent after that was lost. What it wrote is still used.`);
    }
    else if (exit?.status === 'killed') {
        warnings.push(`The collector had to be killed${why}. What it wrote is still used.`);
    }
}
const FIELD_NAMES = { input: 'input', cachedInput: 'cached input', output: 'output', reasoningOutput: 'reasoning' };
/** The session files against the metric: recovery, disagreements, and files that could not be used. */
function checkSessions(sessions, warnings, diagnoses) {
    if (sessions.recovered.length > 0) {
        diagnoses.push(`Codex sent no token metric for ${plural(sessions.recovered.length, 'session')} (it was stopped, crashed or killed before its exit flush): that usage was recovered from its session files.`);
    }
    if (sessions.withoutUsage.length > 0) {
        diagnoses.push(`${plural(sessions.withoutUsage.length, 'session')} ended before any model response completed: no tokens were spent that could be recovered.`);
    }
    if (sessions.recoverySkipped)
        warnings.push(`Usage in session files was not recovered: ${sessions.recoverySkipped}.`);
    for (const { sessionIds, model, metric, sessionFile: file } of disagreementsOf(sessions)) {
        const fields = COUNT_FIELDS.filter((field) => (metric?.[field] ?? 0) !== (file?.[field] ?? 0));
        const figures = fields.map((field) => `${FIELD_NAMES[field]} ${metric?.[field] ?? 0} in the metric, ${file?.[field] ?? 0} in the session file`).join('; ');
        warnings.push(`The token metric and the session file of session ${sessionIds.join(', ')} disagree for model ${model || '(none)'}: ${figures}. The metric was counted.`);
    }
    for (const unreadable of sessions.sessionFiles.unreadable)
        warnings.push(`The session file ${unreadable.file} could not be read: ${unreadable.reason}.`);
    for (const problem of sessions.sessionFiles.problems)
        warnings.push(`Session file ${problem}; the rest of the file was still counted.`);
}
/**
 * Telemetry from Codex that looks like nothing we know: records arrived, but none of the events we
 * keep, or metrics from a run but no token metric. A Codex release that changed its telemetry
 * shows up here the day it ships, named by its version.
 */
function checkUnknownTelemetry(report, stats, sessions, warnings) {
    if (!stats)
        return;
    const versions = [...new Set([...report.codexVersions, ...(sessions?.versions ?? [])])];
    const version = versions.length ? `Codex ${versions.join(', ')}` : 'a Codex version that could not be told';
    const unknownLogs = stats.dropped.codex_log_not_kept ?? 0;
    if (report.codexEvents === 0 && unknownLogs > 0) {
        warnings.push(`Codex's telemetry looks like nothing this action knows: ${plural(unknownLogs, 'log record')} from ${version} arrived, none of them an event it keeps (codex.conversation_starts, codex.user_prompt, codex.tool_decision, codex.tool_result).`);
    }
    const unknownMetrics = stats.dropped.codex_metric_not_kept ?? 0;
    if (unknownMetrics > 0 && report.tokenEvents === 0) {
        warnings.push(`Codex's metrics arrived (${plural(unknownMetrics, 'metric')} from ${version}) but no codex.turn.token_usage among them: this Codex may report its token usage differently.`);
    }
}

// EXTERNAL MODULE: external "node:crypto"
var external_node_crypto_ = __webpack_require__(77598);
// EXTERNAL MODULE: ./node_modules/@actions/cache/lib/cache.js + 91 modules
var cache = __webpack_require__(18091);
;// CONCATENATED MODULE: ./src/finish/account-usage/usage-entry.ts

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
/** A breakdown's groups as entries, keys sorted. */
function usageBreakdown(groups) {
    return Object.fromEntries(Object.keys(groups)
        .sort()
        .map((key) => [key, usageEntry(groups[key])]));
}

;// CONCATENATED MODULE: ./src/finish/compare/record.ts




/**
 * The usage record one run leaves in the Actions cache for the next run of the same job to compare
 * with: totals, per-model tokens, events, tool calls, Codex version and where the run came from.
 * Small on purpose (a few KiB at most: models are capped, names cut), so the cache cost is nil.
 *
 * A restored record is data from outside this run (any earlier run of the branch wrote it), so
 * `parseUsageRecord` checks every field before anything is shown or linked.
 */
const RECORD_SCHEMA = 'beacon-usage-record/1';
const RECORD_LIMITS = {
    /** Models kept by name (largest total first); the rest are summed under OTHER_MODELS. A CI job uses one to three. */
    models: 12,
    modelChars: 64,
    codexVersions: 3,
    versionChars: 40,
    refChars: 255,
    /** A restored file larger than this is not read. */
    fileBytes: 64 * 1024,
};
const OTHER_MODELS = '(other models)';
const RECORD_TOKEN_FIELDS = ['input_tokens', 'cache_read_input_tokens', 'output_tokens', 'reasoning_output_tokens', 'total_tokens'];
function recordTokens(entry) {
    return {
        input_tokens: entry.input_tokens,
        cache_read_input_tokens: entry.cache_read_input_tokens,
        output_tokens: entry.output_tokens,
        reasoning_output_tokens: entry.reasoning_output_tokens,
        total_tokens: entry.total_tokens,
    };
}
function addTokens(into, more) {
    for (const field of RECORD_TOKEN_FIELDS)
        into[field] = addCount(into[field], more[field]);
}
function zeroTokens() {
    return { input_tokens: 0, cache_read_input_tokens: 0, output_tokens: 0, reasoning_output_tokens: 0, total_tokens: 0 };
}
/** Keeps the largest `RECORD_LIMITS.models` models by name and sums the rest, so the record stays small. */
function cappedModels(byModel) {
    const sorted = Object.entries(byModel).sort((a, b) => b[1].total_tokens - a[1].total_tokens || (a[0] < b[0] ? -1 : 1));
    // A Map, then Object.fromEntries: a model may be called "__proto__".
    const kept = new Map();
    let other;
    for (const [index, [model, entry]] of sorted.entries()) {
        const name = model.slice(0, RECORD_LIMITS.modelChars);
        if (index < RECORD_LIMITS.models && !kept.has(name)) {
            kept.set(name, recordTokens(entry));
        }
        else {
            other ??= zeroTokens();
            addTokens(other, recordTokens(entry));
        }
    }
    if (other) {
        const existing = kept.get(OTHER_MODELS);
        if (existing)
            addTokens(existing, other);
        else
            kept.set(OTHER_MODELS, other);
    }
    return Object.fromEntries(kept);
}
function buildUsageRecord(report, origin, now = new Date()) {
    return {
        schema: RECORD_SCHEMA,
        run_id: origin.runId,
        run_attempt: origin.runAttempt,
        commit: origin.commit,
        ref: origin.ref.slice(0, RECORD_LIMITS.refChars),
        created_at: now.toISOString(),
        codex_versions: report.codexVersions.slice(0, RECORD_LIMITS.codexVersions).map((v) => v.slice(0, RECORD_LIMITS.versionChars)),
        events: report.events,
        codex_events: report.codexEvents,
        tool_calls: toolCallCount(report),
        totals: recordTokens(usageEntry(report.usage.total)),
        by_model: cappedModels(usageBreakdown(report.usage.byModel)),
    };
}
function serializeUsageRecord(record) {
    return JSON.stringify(record) + '\n';
}
// What links and key checks rely on: a run id is digits, a commit is a hex object id.
const RUN_ID = /^\d{1,20}$/;
const ATTEMPT = /^\d{1,6}$/;
const COMMIT = /^[0-9a-f]{40}([0-9a-f]{24})?$/;
function parseTokens(value, where) {
    if (!isObject(value))
        return `${where} is not an object`;
    const tokens = zeroTokens();
    for (const field of RECORD_TOKEN_FIELDS) {
        const n = value[field];
        if (!isCount(n))
            return `${where}.${field} is not a whole number of tokens`;
        tokens[field] = n;
    }
    return tokens;
}
function boundedString(value, max) {
    return typeof value === 'string' && value.length > 0 && value.length <= max && !/[\u0000-\u001f\u007f]/.test(value);
}
/** A record read back from the cache, or why it cannot be used. */
function parseUsageRecord(text) {
    if (Buffer.byteLength(text) > RECORD_LIMITS.fileBytes)
        return { error: `the record is larger than ${RECORD_LIMITS.fileBytes} bytes` };
    let value;
    try {
        value = JSON.parse(text);
    }
    catch {
        return { error: 'the record is not JSON' };
    }
    if (!isObject(value))
        return { error: 'the record is not a JSON object' };
    if (value.schema !== RECORD_SCHEMA)
        return { error: `the record's schema is ${JSON.stringify(value.schema)}, not "${RECORD_SCHEMA}"` };
    if (typeof value.run_id !== 'string' || !RUN_ID.test(value.run_id))
        return { error: 'run_id is not a run id' };
    if (typeof value.run_attempt !== 'string' || !ATTEMPT.test(value.run_attempt))
        return { error: 'run_attempt is not a number' };
    if (typeof value.commit !== 'string' || !COMMIT.test(value.commit))
        return { error: 'commit is not a commit id' };
    if (!boundedString(value.ref, RECORD_LIMITS.refChars))
        return { error: 'ref is not a ref name' };
    if (typeof value.created_at !== 'string' || Number.isNaN(Date.parse(value.created_at)))
        return { error: 'created_at is not a time' };
    if (!Array.isArray(value.codex_versions) || value.codex_versions.length > RECORD_LIMITS.codexVersions || !value.codex_versions.every((v) => boundedString(v, RECORD_LIMITS.versionChars))) {
        return { error: 'codex_versions is not a short list of versions' };
    }
    for (const field of ['events', 'codex_events', 'tool_calls']) {
        if (!isCount(value[field]))
            return { error: `${field} is not a whole number` };
    }
    const totals = parseTokens(value.totals, 'totals');
    if (typeof totals === 'string')
        return { error: totals };
    if (!isObject(value.by_model))
        return { error: 'by_model is not an object' };
    const models = Object.entries(value.by_model);
    // One more than the cap: the summed OTHER_MODELS entry.
    if (models.length > RECORD_LIMITS.models + 1)
        return { error: `by_model has more than ${RECORD_LIMITS.models + 1} models` };
    const byModel = [];
    for (const [model, entry] of models) {
        if (!boundedString(model, RECORD_LIMITS.modelChars))
            return { error: 'a model name in by_model is empty, too long or has control characters' };
        const tokens = parseTokens(entry, `by_model[${JSON.stringify(model)}]`);
        if (typeof tokens === 'string')
            return { error: tokens };
        byModel.push([model, tokens]);
    }
    return {
        schema: RECORD_SCHEMA,
        run_id: value.run_id,
        run_attempt: value.run_attempt,
        commit: value.commit,
        ref: value.ref,
        created_at: value.created_at,
        codex_versions: value.codex_versions,
        events: value.events,
        codex_events: value.codex_events,
        tool_calls: value.tool_calls,
        totals,
        by_model: Object.fromEntries(byModel),
    };
}

;// CONCATENATED MODULE: ./src/finish/compare/math.ts

/** When a change is large: input tokens up by half or more, tool calls at least doubled. */
const LARGE_CHANGE = {
    inputRatio: 1.5,
    toolCallsRatio: 2,
};
function change(previous, current) {
    const delta = current - previous;
    return { previous, current, delta, percent: previous === 0 ? null : (delta / previous) * 100 };
}
/**
 * `current` reached `ratio` × `previous` and grew. From zero any growth counts: ratio × 0 is 0.
 * Compared in integers where possible so 1.5 × 1000 is exactly 1500.
 */
function reachedRatio(c, ratio) {
    return c.current > c.previous && c.current * 10 >= Math.round(ratio * 10) * c.previous;
}
function compareRecords(previous, current) {
    const totals = Object.fromEntries(RECORD_TOKEN_FIELDS.map((field) => [field, change(previous.totals[field], current.totals[field])]));
    const events = change(previous.events, current.events);
    const toolCalls = change(previous.tool_calls, current.tool_calls);
    const names = new Set([...Object.keys(current.by_model), ...Object.keys(previous.by_model)]);
    const models = [...names].map((model) => {
        const before = Object.hasOwn(previous.by_model, model) ? previous.by_model[model] : undefined;
        const now = Object.hasOwn(current.by_model, model) ? current.by_model[model] : undefined;
        return {
            model,
            presence: before && now ? 'both' : now ? 'new' : 'gone',
            total: change(before?.total_tokens ?? 0, now?.total_tokens ?? 0),
        };
    });
    models.sort((a, b) => b.total.current - a.total.current || b.total.previous - a.total.previous || (a.model < b.model ? -1 : 1));
    const findings = [];
    if (reachedRatio(totals.input_tokens, LARGE_CHANGE.inputRatio))
        findings.push({ kind: 'input-up', change: totals.input_tokens });
    for (const m of models)
        if (m.presence === 'new')
            findings.push({ kind: 'new-model', model: m.model });
    if (reachedRatio(toolCalls, LARGE_CHANGE.toolCallsRatio))
        findings.push({ kind: 'tool-calls-up', change: toolCalls });
    return { totals, events, toolCalls, models, findings };
}

;// CONCATENATED MODULE: ./src/finish/markdown.ts
/**
 * Markdown helpers shared by the job summary (publish/summary.ts) and the comparison section
 * (compare/render.ts). Every value from a run goes through `codeSpan`, where neither Markdown nor
 * HTML is interpreted; our own sentences that may carry outside text go through `plainLine`.
 */
const SUMMARY_LIMITS = {
    models: 50,
    tools: 50,
    commands: 100,
    commandChars: 200,
    nameChars: 100,
};
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

;// CONCATENATED MODULE: ./src/finish/compare/render.ts

const COMPARISON_MODELS = 20;
/** `+620 (+62.0%)`, `-5 (-100.0%)`, `+3 (new)`, `0`: the delta and its share of the previous value. */
function formatChange(c) {
    if (c.delta === 0)
        return c.previous === 0 ? '0' : '0 (0.0%)';
    const sign = c.delta > 0 ? '+' : '';
    const delta = `${sign}${formatInt(c.delta)}`;
    if (c.percent === null)
        return `${delta} (new)`;
    return `${delta} (${sign}${c.percent.toFixed(1)}%)`;
}
/** A plain sentence for a large change. Model names are shown in code spans. */
function findingSentence(finding) {
    switch (finding.kind) {
        case 'input-up': {
            const c = finding.change;
            return c.previous === 0
                ? `Input tokens (excluding cached input) went from none to ${formatInt(c.current)}.`
                : `Input tokens (excluding cached input) went from ${formatInt(c.previous)} to ${formatInt(c.current)}, up ${c.percent.toFixed(1)}%.`;
        }
        case 'new-model':
            return `Model ${codeSpan(shorten(finding.model, SUMMARY_LIMITS.nameChars))} was not used in the previous run.`;
        case 'tool-calls-up': {
            const c = finding.change;
            return c.previous === 0
                ? `Tool calls went from none to ${formatInt(c.current)}.`
                : `Tool calls went from ${formatInt(c.previous)} to ${formatInt(c.current)}, ${(c.current / c.previous).toFixed(1)} times as many.`;
        }
    }
}
function linkBase(base) {
    const server = base.serverUrl?.replace(/\/+$/, '');
    if (!server || !/^https?:\/\/[A-Za-z0-9.-]+(:\d+)?$/.test(server))
        return undefined;
    if (!base.repository || !/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/.test(base.repository))
        return undefined;
    return `${server}/${base.repository}`;
}
/** `refs/heads/main` → `main`, for display. */
function refDisplayName(ref) {
    return ref.replace(/^refs\/(heads|tags)\//, '');
}
function formatTime(iso) {
    const date = new Date(iso);
    return Number.isNaN(date.getTime()) ? '' : `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}
function previousRunLine(view, base) {
    const { baseline } = view;
    const repo = linkBase(base);
    // The record's run id and commit passed parseUsageRecord: digits and hex only.
    const run = repo ? `[run ${baseline.run_id}](${repo}/actions/runs/${baseline.run_id})` : `run ${baseline.run_id}`;
    const attempt = baseline.run_attempt !== '1' ? ` (attempt ${baseline.run_attempt})` : '';
    const short = baseline.commit.slice(0, 7);
    const commit = repo ? `[\`${short}\`](${repo}/commit/${baseline.commit})` : `\`${short}\``;
    const branch = codeSpan(shorten(refDisplayName(view.comparedRef), SUMMARY_LIMITS.nameChars));
    const where = view.pullRequest ? `the latest recorded run of this job on the base branch ${branch}` : `the latest recorded run of this job on ${branch}`;
    const when = formatTime(baseline.created_at);
    return `Compared with ${where}: ${run}${attempt}, commit ${commit}${when ? `, ${when}` : ''}.`;
}
function row(label, c) {
    return `| ${label} | ${formatInt(c.current)} | ${formatInt(c.previous)} | ${formatChange(c)} |`;
}
function renderComparison(view, base = {}) {
    if (view.status === 'none')
        return `*No usage comparison: ${plainText(view.note)}*`;
    const { comparison } = view;
    const parts = ['### Compared with the previous run', previousRunLine(view, base)];
    if (comparison.findings.length)
        parts.push(comparison.findings.map((f) => `- ${findingSentence(f)}`).join('\n'));
    const t = comparison.totals;
    parts.push([
        '| | This run | Previous run | Change |',
        '| --- | ---: | ---: | ---: |',
        row('Input', t.input_tokens),
        row('Cached input', t.cache_read_input_tokens),
        row('Output', t.output_tokens),
        row('Reasoning', t.reasoning_output_tokens),
        row('**Total tokens**', t.total_tokens),
        row('Events', comparison.events),
        row('Tool calls', comparison.toolCalls),
    ].join('\n'));
    if (comparison.models.length) {
        const shown = comparison.models.slice(0, COMPARISON_MODELS);
        const lines = ['| Model | Tokens this run | Previous run | Change |', '| --- | ---: | ---: | ---: |'];
        for (const m of shown)
            lines.push(row(tableCell(codeSpan(shorten(m.model, SUMMARY_LIMITS.nameChars))), m.total));
        const more = comparison.models.length - shown.length;
        parts.push(lines.join('\n') + (more > 0 ? `\n\n*${formatInt(more)} more models not shown.*` : ''));
    }
    return parts.join('\n\n');
}
/** Notes may carry an error message from the cache client: one line, no Markdown or HTML. */
function plainText(text) {
    return text
        .replace(/[\u0000-\u001f\u007f\u2028\u2029]+/g, ' ')
        .replace(/[\\`*_[\]<>|#~]/g, (c) => `\\${c}`)
        .replace(/&/g, '&amp;');
}

;// CONCATENATED MODULE: ./src/finish/compare/run-comparison.ts
/**
 * Usage over time: each run leaves a small usage record in the Actions cache, and the next run of
 * the same job finds the most recent one and compares (issue 9).
 *
 * Service. `@actions/cache` 6 speaks to one of two services and picks by itself: cache service v2
 * (Twirp JSON on ACTIONS_RESULTS_URL: CreateCacheEntry, FinalizeCacheEntryUpload,
 * GetCacheEntryDownloadURL, with the archive in Azure Blob Storage) when the runner sets
 * ACTIONS_CACHE_SERVICE_V2, which every github.com and ghe.com runner has done since the legacy
 * service was shut down in early 2025; the legacy v1 REST service (ACTIONS_CACHE_URL) only on
 * GitHub Enterprise Server, where the client forces v1. We call the client and let it choose;
 * the tests fake v2, the service current runners use.
 *
 * Keys. `beacon-usage-v1-<job>-<hash>-<run_id>-<attempt>`, where the hash covers the branch (full
 * ref) and what tells matrix legs apart and stays the same from run to run: the workflow file,
 * GITHUB_JOB, RUNNER_OS, RUNNER_ARCH, ImageOS and the `artifact-name` input. The matrix values
 * themselves are not in a step's environment, and the per-run ids that `defaultArtifactName` uses
 * change every run, so they cannot be part of a key meant to be found again. Legs that differ only
 * in other matrix values (say, the model) share a key unless each sets its own `artifact-name`;
 * when one leg then finds another's record of the same run, it says so instead of comparing.
 * Restore asks for `<prefix><run_id>-<attempt>` with the restore key `<prefix>`: the service
 * answers the most recently created record under that prefix.
 *
 * Scope. A cache entry belongs to the ref that saved it; a run can read its own ref's entries and
 * those of the default branch, a pull request also its base branch's. A push (or schedule,
 * dispatch) run compares with its own branch and saves; a pull request run compares with its base
 * branch (GITHUB_BASE_REF) and saves nothing: its entry would be readable only by later runs of the
 * same pull request (and under pull_request_target it would land in the base branch's scope,
 * making a pull request the base branch's baseline).
 *
 * Never in the way. No cache service (outside Actions, a runner without it): a one-line note.
 * Errors are the client's to log (it turns them into a warning and a miss); each call is bounded in
 * time (`CACHE_TIME_LIMITS`), because the client retries a failing service for about 30 s and puts
 * no timeout on a request that never answers. A call given up on keeps running inside the client,
 * so `abandoned` tells the caller to end the step itself once it is done, as actions/cache does.
 *
 * Files. The record is one small JSON file at a fixed path under RUNNER_TEMP: the client hashes
 * the path list into the entry's version, so the path must be the same string in every run (it is
 * on hosted runners, and on a self-hosted runner from run to run). The client archives it with tar
 * (and zstd when present) through @actions/exec, as actions/cache does on all hosted runners,
 * Windows included (GNU tar from Git for Windows, or bsdtar with zstd).
 */







const RECORD_KEY_PREFIX = 'beacon-usage-v1';
/**
 * A restore or save of one tiny entry takes well under a second on hosted runners. The restore
 * stops short of the client's first retry (3 s after a failed request), so a failing service
 * costs the post step at most this; the save, the last thing the step does, gets a little more.
 */
const CACHE_TIME_LIMITS = { restoreMs: 3_000, saveMs: 5_000 };
function legIdentity(env, artifactName) {
    const workflowRef = env.GITHUB_WORKFLOW_REF ?? '';
    const at = workflowRef.lastIndexOf('@');
    return {
        workflow: (at > 0 ? workflowRef.slice(0, at) : workflowRef) || env.GITHUB_WORKFLOW || '',
        job: env.GITHUB_JOB ?? '',
        os: env.RUNNER_OS ?? '',
        arch: env.RUNNER_ARCH ?? '',
        image: env.ImageOS ?? '',
        artifactName: artifactName ?? '',
    };
}
/**
 * `beacon-usage-v1-<job>-<hash>-`. The hash (a fixed 16 hex digits) covers the ref and the whole
 * leg identity, so one prefix never matches another leg's or branch's keys; the job name is only
 * there to make keys readable in the cache list. Keys have no commas and stay far below 512 chars.
 */
function recordKeyPrefix(ref, leg) {
    const hash = (0,external_node_crypto_.createHash)('sha256')
        .update(JSON.stringify([ref, leg.workflow, leg.job, leg.os, leg.arch, leg.image, leg.artifactName]))
        .digest('hex')
        .slice(0, 16);
    const job = leg.job.replace(/[^A-Za-z0-9_.-]+/g, '_').slice(0, 40) || 'job';
    return `${RECORD_KEY_PREFIX}-${job}-${hash}-`;
}
/**
 * What this run compares with and saves to, or why it cannot. Availability is the client's own
 * check (`isFeatureAvailable`), which reads `process.env`; the rest reads `env`.
 */
function planComparison(env, options = {}) {
    if (env.GITHUB_ACTIONS !== 'true')
        return { ok: false, reason: 'not running in GitHub Actions' };
    if (!env.ACTIONS_RUNTIME_TOKEN || !cache/* isFeatureAvailable */.w3()) {
        return { ok: false, reason: 'the Actions cache service is not available to this step (ACTIONS_RESULTS_URL, or ACTIONS_CACHE_URL on GitHub Enterprise Server, is not set)' };
    }
    const runId = env.GITHUB_RUN_ID ?? '';
    const runAttempt = env.GITHUB_RUN_ATTEMPT || '1';
    const commit = (env.GITHUB_SHA ?? '').toLowerCase();
    const ref = env.GITHUB_REF ?? '';
    if (!/^\d{1,20}$/.test(runId) || !/^\d{1,6}$/.test(runAttempt) || !/^[0-9a-f]{40}([0-9a-f]{24})?$/.test(commit) || !ref || ref.length > RECORD_LIMITS.refChars) {
        return { ok: false, reason: 'the run variables GITHUB_RUN_ID, GITHUB_RUN_ATTEMPT, GITHUB_SHA or GITHUB_REF are missing or malformed' };
    }
    if (!env.RUNNER_TEMP)
        return { ok: false, reason: 'RUNNER_TEMP is not set' };
    const leg = legIdentity(env, options.artifactName);
    const baseRef = env.GITHUB_BASE_REF;
    const pullRequest = Boolean(baseRef);
    const comparedRef = pullRequest ? `refs/heads/${baseRef}` : ref;
    const restorePrefix = recordKeyPrefix(comparedRef, leg);
    const ownKey = `${recordKeyPrefix(ref, leg)}${runId}-${runAttempt}`;
    const plan = {
        recordPath: external_node_path_default().join(env.RUNNER_TEMP, 'beacon-usage-record', 'usage-record.json'),
        comparedRef,
        pullRequest,
        restorePrefix,
        primaryKey: `${restorePrefix}${runId}-${runAttempt}`,
        origin: { runId, runAttempt, commit, ref },
    };
    if (pullRequest)
        plan.noSaveReason = 'a pull request run compares with its base branch and leaves no record of its own';
    else
        plan.saveKey = ownKey;
    return { ok: true, plan };
}
/** Waits for `work` at most `ms`; a late `work` keeps running, and its rejection is caught here. */
async function withinTime(work, ms) {
    let timer;
    const late = new Promise((resolve) => {
        timer = setTimeout(() => resolve({ state: 'late' }), ms);
    });
    const settled = work.then((value) => ({ state: 'done', value }), (error) => ({ state: 'error', error }));
    try {
        return await Promise.race([settled, late]);
    }
    finally {
        clearTimeout(timer);
    }
}
function firstLine(error) {
    const message = error instanceof Error ? error.message : String(error);
    return message.split('\n')[0].trim();
}
function seconds(ms) {
    return `${(ms / 1000).toFixed(ms % 1000 === 0 ? 0 : 1)} s`;
}
function removeFile(file) {
    external_node_fs_default().rmSync(file, { force: true });
}
function readSmallFile(file) {
    try {
        if (external_node_fs_default().statSync(file).size > RECORD_LIMITS.fileBytes)
            return undefined;
        return external_node_fs_default().readFileSync(file, 'utf8');
    }
    catch {
        return undefined;
    }
}
/** The two cache calls of one finish. Never throws. */
class UsageRecordCache {
    plan;
    log;
    limits;
    /** A cache call was given up on while still running in the client: the caller should end the step when done. */
    abandoned = false;
    restoreAbandoned = false;
    constructor(plan, log, limits = CACHE_TIME_LIMITS) {
        this.plan = plan;
        this.log = log;
        this.limits = limits;
    }
    async restore() {
        const { plan, log } = this;
        const branch = plan.comparedRef.replace(/^refs\/heads\//, '');
        try {
            // A file left by anything earlier must not pass for the restored record.
            removeFile(plan.recordPath);
            const outcome = await withinTime(cache/* restoreCache */.P3([plan.recordPath], plan.primaryKey, [plan.restorePrefix], { timeoutInMs: this.limits.restoreMs, segmentTimeoutInMs: this.limits.restoreMs }), this.limits.restoreMs);
            if (outcome.state === 'late') {
                this.abandoned = this.restoreAbandoned = true;
                return { status: 'none', note: `the Actions cache did not answer within ${seconds(this.limits.restoreMs)}` };
            }
            if (outcome.state === 'error')
                return { status: 'none', note: `the Actions cache could not be read: ${firstLine(outcome.error)}` };
            const matchedKey = outcome.value;
            if (!matchedKey) {
                log.info(`beacon: no earlier usage record under ${plan.restorePrefix}* (a first run, or the last record was evicted after 7 days unused; a cache error, if any, is logged above).`);
                return { status: 'none', note: `no earlier usage record of this job on ${branch} could be restored from the Actions cache` };
            }
            const text = readSmallFile(plan.recordPath);
            removeFile(plan.recordPath);
            if (text === undefined)
                return { status: 'none', note: `the entry ${matchedKey} was restored but held no readable usage record` };
            const record = parseUsageRecord(text);
            if ('error' in record)
                return { status: 'none', note: `the usage record restored from ${matchedKey} cannot be used: ${record.error}` };
            if (record.run_id === plan.origin.runId && record.run_attempt === plan.origin.runAttempt) {
                return {
                    status: 'none',
                    note: 'the only record found was written by another job of this same run under the same key (matrix legs that differ only in matrix values share it: give each leg its own artifact-name)',
                };
            }
            log.info(`beacon: comparing with run ${record.run_id} (commit ${record.commit.slice(0, 7)}, ${record.ref}), restored from the Actions cache entry ${matchedKey}.`);
            return { status: 'found', baseline: { ...record, cache_key: matchedKey } };
        }
        catch (error) {
            return { status: 'none', note: `the Actions cache could not be read: ${firstLine(error)}` };
        }
    }
    async save(record) {
        const { plan, log } = this;
        if (!plan.saveKey)
            return { status: 'skipped', reason: plan.noSaveReason ?? 'no key to save under' };
        // A late restore may still extract the previous record over the file we would save.
        if (this.restoreAbandoned)
            return { status: 'skipped', reason: 'the restore did not finish in time, so the cache is not written either' };
        const text = serializeUsageRecord(record);
        try {
            external_node_fs_default().mkdirSync(external_node_path_default().dirname(plan.recordPath), { recursive: true });
            external_node_fs_default().writeFileSync(plan.recordPath, text);
            const outcome = await withinTime(cache/* saveCache */.Io([plan.recordPath], plan.saveKey), this.limits.saveMs);
            if (outcome.state === 'late') {
                this.abandoned = true;
                return { status: 'failed', reason: `the Actions cache did not take it within ${seconds(this.limits.saveMs)}` };
            }
            removeFile(plan.recordPath);
            if (outcome.state === 'error')
                return { status: 'failed', reason: firstLine(outcome.error) };
            // The client logs why when it returns -1 (a failed request, a taken key).
            if (outcome.value <= 0)
                return { status: 'failed', reason: 'the cache client did not save it (its message is above)' };
            log.info(`beacon: saved this run's usage record (${Buffer.byteLength(text)} bytes) to the Actions cache as ${plan.saveKey}.`);
            return { status: 'saved', key: plan.saveKey, bytes: Buffer.byteLength(text) };
        }
        catch (error) {
            return { status: 'failed', reason: firstLine(error) };
        }
    }
}
/**
 * One finish's comparison, for main.ts: `begin` restores the previous record (before the usage
 * file and the summary are written), `summaryMarkdown` renders the section or the note,
 * `saveRecord` leaves this run's record at the end. Never throws.
 */
class RunComparison {
    log;
    linkEnv;
    result;
    constructor(log, linkEnv, 
    /** Undefined when compare is off; a note when there is nothing to compare with. */
    result) {
        this.log = log;
        this.linkEnv = linkEnv;
        this.result = result;
    }
    static async begin(options) {
        const env = options.env ?? process.env;
        const { log } = options;
        if (!options.enabled) {
            log.info('beacon: no usage comparison (compare: false).');
            return new RunComparison(log, env, undefined);
        }
        const planned = planComparison(env, options.artifactName === undefined ? {} : { artifactName: options.artifactName });
        if (!planned.ok) {
            log.info(`beacon: no usage comparison: ${planned.reason}.`);
            return new RunComparison(log, env, { note: planned.reason });
        }
        const recordCache = new UsageRecordCache(planned.plan, log, options.limits);
        const restored = await recordCache.restore();
        if (restored.status === 'none')
            log.info(`beacon: no usage comparison: ${restored.note}.`);
        return new RunComparison(log, env, { plan: planned.plan, cache: recordCache, restored });
    }
    /** The record the summary compared with, for beacon-usage.json. */
    get baseline() {
        return this.result && 'restored' in this.result && this.result.restored.status === 'found' ? this.result.restored.baseline : undefined;
    }
    /** A cache call is still running in the client after its time ran out: end the step once done. */
    get abandoned() {
        return Boolean(this.result && 'cache' in this.result && this.result.cache.abandoned);
    }
    /** The comparison section (or its one-line note); undefined with compare: false. */
    summaryMarkdown(report) {
        const { result } = this;
        if (!result)
            return undefined;
        const links = { serverUrl: this.linkEnv.GITHUB_SERVER_URL, repository: this.linkEnv.GITHUB_REPOSITORY };
        let view;
        if ('note' in result)
            view = { status: 'none', note: result.note };
        else if (result.restored.status === 'none')
            view = { status: 'none', note: result.restored.note };
        else {
            const current = buildUsageRecord(report, result.plan.origin);
            view = {
                status: 'compared',
                baseline: result.restored.baseline,
                comparison: compareRecords(result.restored.baseline, current),
                comparedRef: result.plan.comparedRef,
                pullRequest: result.plan.pullRequest,
            };
        }
        return renderComparison(view, links);
    }
    /** Leaves this run's record for the next run: only a run that captured Codex events is worth comparing with. */
    async saveRecord(report) {
        const { result } = this;
        if (!result || !('cache' in result))
            return undefined;
        const saved = report.codexEvents === 0
            ? { status: 'skipped', reason: 'no Codex events were captured, so it would be no baseline for the next run' }
            : await result.cache.save(buildUsageRecord(report, result.plan.origin));
        if (saved.status === 'skipped')
            this.log.info(`beacon: this run's usage record is not saved: ${saved.reason}.`);
        if (saved.status === 'failed')
            this.log.info(`beacon: this run's usage record was not saved: ${saved.reason}.`);
        return saved;
    }
}

;// CONCATENATED MODULE: ./src/finish/publish/artifact.ts
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
    // Loaded only when there is something to upload: it is most of the post step's start-up time.
    const { DefaultArtifactClient } = await __webpack_require__.e(/* import() */ 458).then(__webpack_require__.bind(__webpack_require__, 67458));
    const client = new DefaultArtifactClient();
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
            const message = artifact_firstLine(error);
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
function artifact_firstLine(error) {
    const message = error instanceof Error ? error.message : String(error);
    return message.split('\n')[0].trim();
}

// EXTERNAL MODULE: external "node:module"
var external_node_module_ = __webpack_require__(98995);
// EXTERNAL MODULE: ./src/forward/endpoint.ts
var endpoint = __webpack_require__(14952);
;// CONCATENATED MODULE: ./src/forward/exporter.ts
/**
 * One OTLP/HTTP JSON export with the retries the OTLP specification describes
 * (https://opentelemetry.io/docs/specs/otlp/#otlphttp-response): 429, 502, 503 and 504 and network
 * errors are retried, after `Retry-After` when the answer gives one, else after an exponential
 * backoff with jitter; any other answer is final. A 2xx may still reject some records (partial
 * success): those are counted, never resent. Every wait and request ends by a deadline.
 */




/** A ForwardError as one line of the step log: our words, then what came from outside. */
function errorText(error) {
    return [error.message, error.outside].filter((part) => part).join(': ');
}
/** A request this side ended (its time limit), told apart from what the network or the peer said. */
class OwnAbort extends Error {
}
// node:https (with tls and crypto) only when an https endpoint is used: loaded at boot it costs
// the collector ~2 MB of RSS for nothing in most jobs (BENCHMARKS.md, memory).
const requireBuiltin = (0,external_node_module_.createRequire)(import.meta.url);
const httpsModule = () => requireBuiltin('node:https');
const RETRYABLE_STATUS = new Set([429, 502, 503, 504]);
const PARTIAL_SUCCESS_FIELD = { logs: 'rejectedLogRecords', metrics: 'rejectedDataPoints' };
const MAX_RESPONSE_BYTES = 64 * 1024;
const NOT_SENT = { message: 'not sent before the time limit' };
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
    return (0,redact/* redactSecrets */.fp)(text.replace(/\s+/g, ' ').trim()).slice(0, 300);
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
        this.agent = isHttps ? new (httpsModule().Agent)({ keepAlive: true, maxSockets: 1 }) : new (external_node_http_default()).Agent({ keepAlive: true, maxSockets: 1 });
    }
    async export(signal, body, options) {
        const url = (0,endpoint/* signalUrl */.OH)(this.endpoint, signal);
        const payload = Buffer.from(body, 'utf8');
        let attempts = 0;
        let lastError;
        for (;;) {
            if (options.abort?.aborted)
                return { ok: false, attempts, rejectedRecords: 0, reason: 'shutdown_limit', error: lastError ?? NOT_SENT };
            const remaining = options.deadline() - Date.now();
            if (remaining <= 0)
                return { ok: false, attempts, rejectedRecords: 0, reason: options.deadlineReason(), error: lastError ?? NOT_SENT };
            attempts += 1;
            const attempt = await this.post(url, payload, Math.min(this.timing.requestTimeoutMs, remaining), options.abort);
            let waitMs;
            if (attempt.kind === 'answer' && attempt.status >= 200 && attempt.status < 300) {
                return { ok: true, attempts, ...this.partialSuccess(signal, attempt.body) };
            }
            if (attempt.kind === 'answer') {
                const said = attempt.body ? statusMessage(attempt.body) : '';
                lastError = { message: `HTTP ${attempt.status}`, ...(said ? { outside: said } : {}) };
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
            const said = typeof partial?.errorMessage === 'string' ? describe(partial.errorMessage) : '';
            return { rejectedRecords: rejected, error: { message: `the receiver rejected ${rejected} records`, ...(said ? { outside: said } : {}) } };
        }
        catch {
            return { rejectedRecords: 0 }; // an answer we cannot read is still a 2xx
        }
    }
    post(url, payload, timeoutMs, abort) {
        return new Promise((resolve) => {
            const client = url.startsWith('https:') ? httpsModule() : (external_node_http_default());
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
                res.on('error', (error) => done({ kind: 'network', error: networkError(error) }));
            });
            const timer = setTimeout(() => req.destroy(new OwnAbort(`no answer within ${timeoutMs} ms`)), timeoutMs);
            const onAbort = () => req.destroy(new OwnAbort('the time limit was reached'));
            abort?.addEventListener('abort', onAbort, { once: true });
            req.on('error', (error) => done({ kind: 'network', error: networkError(error) }));
            req.end(payload);
        });
    }
}
/**
 * A failed request: our own time limits in our words; anything else as outside text (a network
 * or TLS error can name the peer and quote its certificate).
 */
function networkError(error) {
    if (error instanceof OwnAbort)
        return { message: error.message };
    return { outside: describe(error.code && !error.message.includes(error.code) ? `${error.code}: ${error.message}` : error.message) };
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

;// CONCATENATED MODULE: ./src/finish/publish/forward-usage.ts
/**
 * The post step's part of forwarding: the normalized token usage of the runtime log, sent as OTLP
 * metrics, and the report of what reached the organization's pipeline (the collector's counters
 * for the events, ours for the metrics).
 *
 * Metric (GenAI semantic conventions, `gen_ai.client.token.usage`: a histogram of `{token}` with
 * the recommended bucket boundaries, delta temporality over the capture): one data point per
 * model and kind of token, built from the token events of the log, one measurement per event.
 * The conventions name only `gen_ai.token.type` = `input` | `output`, and count cached tokens
 * inside input; so cached input is a part of `input`, told apart by `gen_ai.token.cache` =
 * `read` | `creation` | `uncached` (the breakdown proposed for the metric, which keeps points
 * disjoint: the `input` points add up to all input, as the conventions count it). `output`
 * includes reasoning; reasoning goes to its own histogram, `beacon.gen_ai.client.token.reasoning`,
 * so that no point is counted twice. Attributes: `gen_ai.operation.name` = `chat`,
 * `gen_ai.provider.name` = `openai` (Codex speaks the OpenAI Responses API), `gen_ai.request.model`
 * (the model Codex asked for; Codex reports no response model).
 */







const TOKEN_USAGE_METRIC = 'gen_ai.client.token.usage';
const REASONING_METRIC = 'beacon.gen_ai.client.token.reasoning';
/** The bucket boundaries the conventions recommend for `gen_ai.client.token.usage`. */
const TOKEN_BUCKETS = [1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216, 67108864];
const DELTA = 1;
function emptyHistogram() {
    return { count: 0, sum: 0, min: Infinity, max: -Infinity, bucketCounts: new Array(TOKEN_BUCKETS.length + 1).fill(0) };
}
function record(histogram, value) {
    histogram.count += 1;
    histogram.sum = addCount(histogram.sum, value);
    histogram.min = Math.min(histogram.min, value);
    histogram.max = Math.max(histogram.max, value);
    // Bucket i holds (bounds[i-1], bounds[i]]; the last one everything above.
    let i = 0;
    while (i < TOKEN_BUCKETS.length && value > TOKEN_BUCKETS[i])
        i++;
    histogram.bucketCounts[i] += 1;
}
/** The measurements of one normalized token event: kind and value of each usage field it carries. */
function measurementsOf(usage) {
    if (!isObject(usage))
        return [];
    const found = [];
    if (isCount(usage.input_tokens))
        found.push(['input.uncached', usage.input_tokens]);
    if (isObject(usage.cache_read) && isCount(usage.cache_read.input_tokens))
        found.push(['input.read', usage.cache_read.input_tokens]);
    if (isObject(usage.cache_creation) && isCount(usage.cache_creation.input_tokens))
        found.push(['input.creation', usage.cache_creation.input_tokens]);
    if (isCount(usage.output_tokens))
        found.push(['output', usage.output_tokens]);
    if (isObject(usage.reasoning) && isCount(usage.reasoning.output_tokens))
        found.push(['reasoning', usage.reasoning.output_tokens]);
    return found;
}
/**
 * Sums normalized token events into series. The post step feeds it each token event as it
 * writes it, so forwarding never reads the runtime log again (1.8 GB at a million events).
 */
class UsageSeriesBuilder {
    byKey = new Map();
    add(event) {
        if (event.event?.action !== ACTION.tokenUsage)
            return;
        const harness = typeof event.harness?.name === 'string' ? event.harness.name : 'unknown';
        const model = typeof event.model === 'string' && event.model ? event.model : undefined;
        const recovered = event.raw?.source === RECOVERED_SOURCE;
        for (const [kind, value] of measurementsOf(event.gen_ai?.usage)) {
            const key = JSON.stringify([harness, model ?? null, kind, recovered]);
            let entry = this.byKey.get(key);
            if (!entry)
                this.byKey.set(key, (entry = { harness, ...(model ? { model } : {}), kind, ...(recovered ? { recovered } : {}), histogram: emptyHistogram() }));
            record(entry.histogram, value);
        }
    }
    build() {
        return [...this.byKey.values()];
    }
}
function pointAttributes(series) {
    const list = [];
    pushAttribute(list, 'gen_ai.operation.name', 'chat');
    pushAttribute(list, 'gen_ai.provider.name', 'openai');
    pushAttribute(list, 'gen_ai.request.model', series.model);
    if (series.kind !== 'reasoning') {
        const [type, cache] = series.kind.split('.');
        pushAttribute(list, 'gen_ai.token.type', type);
        pushAttribute(list, 'gen_ai.token.cache', cache);
    }
    if (series.recovered)
        pushAttribute(list, 'beacon.usage.source', RECOVERED_SOURCE);
    return list;
}
/** The ExportMetricsServiceRequest (OTLP/JSON) of the series, one resource per harness. */
function usageMetricsBody(all, attribution, startNanos, endNanos) {
    const harnesses = [...new Set(all.map((s) => s.harness))];
    const resourceMetrics = harnesses.map((harness) => {
        const metric = (name, description, series) => ({
            name,
            description,
            unit: '{token}',
            histogram: {
                aggregationTemporality: DELTA,
                dataPoints: series.map((s) => ({
                    attributes: pointAttributes(s),
                    startTimeUnixNano: startNanos,
                    timeUnixNano: endNanos,
                    count: String(s.histogram.count),
                    sum: s.histogram.sum,
                    bucketCounts: s.histogram.bucketCounts.map(String),
                    explicitBounds: TOKEN_BUCKETS,
                    min: s.histogram.min,
                    max: s.histogram.max,
                })),
            },
        });
        const mine = all.filter((s) => s.harness === harness);
        const usage = mine.filter((s) => s.kind !== 'reasoning');
        const reasoning = mine.filter((s) => s.kind === 'reasoning');
        const metrics = [];
        if (usage.length)
            metrics.push(metric(TOKEN_USAGE_METRIC, 'Number of input and output tokens used.', usage));
        if (reasoning.length)
            metrics.push(metric(REASONING_METRIC, `Reasoning tokens: a part of the output tokens of ${TOKEN_USAGE_METRIC}, never to be added to them.`, reasoning));
        return { resource: { attributes: resourceAttributes(attribution, harness) }, scopeMetrics: [{ scope: SCOPE, metrics }] };
    });
    return JSON.stringify({ resourceMetrics });
}
/** A problem as one line of the step log. */
function problemText(problem) {
    return problem.error ? `${problem.text}; ${problem.lastError ? 'last error: ' : ''}${errorText(problem.error)}` : problem.text;
}
const DROP_REASONS = {
    queue_full: 'the queue was full',
    rejected: 'refused by the receiver',
    retries_exhausted: 'still failing after retries',
    shutdown_limit: 'not sent within the shutdown time limit',
};
function describeDrops(dropped) {
    return Object.entries(dropped)
        .filter(([, n]) => n > 0)
        .map(([reason, n]) => `${n} ${DROP_REASONS[reason] ?? reason}`)
        .join(', ');
}
/**
 * Sends the token metrics within what is left of the shutdown limit (at least the collector's
 * unused share), and sums up what was forwarded. Never throws.
 */
async function forwardRun(options) {
    const { config, collectorStats } = options;
    const logs = collectorStats?.forward;
    const flushMs = logs?.flushMs ?? 0;
    const timeLimitMs = Math.max(config.shutdownLimitMs * (1 - COLLECTOR_FLUSH_SHARE), config.shutdownLimitMs - flushMs);
    const metrics = await sendUsage(options, timeLimitMs);
    const problems = [];
    if (!logs) {
        problems.push({ text: 'the collector left no forwarding counters (it did not stop cleanly), so whether the events arrived is unknown' });
    }
    else {
        const lost = Object.values(logs.recordsDropped).reduce((a, b) => a + b, 0);
        const text = `${lost} of ${logs.recordsQueued + (logs.recordsDropped.queue_full ?? 0)} events were not forwarded (${describeDrops(logs.recordsDropped)})`;
        if (lost > 0)
            problems.push({ text, ...(logs.lastError ? { error: logs.lastError, lastError: true } : {}) });
    }
    if (metrics.rejectedPoints > 0) {
        problems.push({ text: `${metrics.rejectedPoints} of ${metrics.dataPoints} token usage data points were not forwarded (${DROP_REASONS.rejected})`, ...(metrics.error ? { error: metrics.error } : {}) });
    }
    if (metrics.status === 'failed') {
        const text = `the token usage metrics (${metrics.dataPoints} data points) were not forwarded (${DROP_REASONS[metrics.reason ?? 'rejected'] ?? metrics.reason})`;
        problems.push({ text, ...(metrics.error ? { error: metrics.error, lastError: true } : {}) });
    }
    return { endpoint: config.endpoint, required: config.required, ...(logs ? { logs } : {}), metrics, problems };
}
async function sendUsage(options, timeLimitMs) {
    const started = Date.now();
    const series = options.usage;
    const dataPoints = series.length;
    const tokens = series.filter((s) => s.kind !== 'reasoning').reduce((n, s) => n + s.histogram.sum, 0);
    if (dataPoints === 0)
        return { status: 'nothing-to-send', dataPoints, rejectedPoints: 0, tokens, retries: 0, durationMs: Date.now() - started };
    const startMs = Date.parse(options.collectorStats?.startedAt ?? '');
    // Delta over the capture: from the collector's start (else from now) to now.
    const body = usageMetricsBody(series, options.attribution, msToUnixNanos(Number.isFinite(startMs) ? startMs : started), msToUnixNanos(Date.now()));
    const exporter = new OtlpHttpExporter(options.config.endpoint, options.config.headers, FORWARDER_DEFAULTS);
    const abort = new AbortController();
    const limit = setTimeout(() => abort.abort(), timeLimitMs);
    try {
        const outcome = await exporter.export('metrics', body, { deadline: () => started + timeLimitMs, deadlineReason: () => 'shutdown_limit', abort: abort.signal });
        const retries = Math.max(0, outcome.attempts - 1);
        const durationMs = Date.now() - started;
        if (outcome.ok)
            return { status: 'sent', dataPoints, rejectedPoints: Math.min(dataPoints, outcome.rejectedRecords), tokens, retries, ...(outcome.error ? { error: outcome.error } : {}), durationMs };
        return { status: 'failed', dataPoints, rejectedPoints: 0, tokens, retries, reason: outcome.reason, error: outcome.error, durationMs };
    }
    finally {
        clearTimeout(limit);
        exporter.close();
    }
}

;// CONCATENATED MODULE: ./src/finish/publish/failed-part-way.ts




/**
 * A stage threw: upload what exists (the runtime log when it is complete, else the raw capture
 * and token file as the collector wrote them, with the usage file if it was written) and say so
 * in the summary. Returns the message the step fails (or warns) with. Nothing here throws.
 */
async function publishWhatExists(error, progress, context) {
    const { paths, stepName: step } = context;
    const safely = (work, fallback) => safelyOr(work, fallback, context.warn);
    const reason = await safely(() => context.redact(failed_part_way_errorText(error)), failed_part_way_errorText(error));
    let uploaded;
    let files = [];
    if (context.uploadArtifact && !progress.artifactAttempted) {
        if (progress.runtimeLogComplete) {
            files = [paths.runtimeLog, paths.usage];
        }
        else {
            // A log linked to the capture may have had token events appended part way: cut them off
            // again, so that the capture uploaded is what the collector wrote.
            await safely(() => restoreLinkedCapture(paths.capture, paths.captureLink), undefined);
            files = [paths.capture, paths.tokenPoints, paths.usage];
        }
        files = files.filter(isFile);
        uploaded = await safely(() => context.upload(files), undefined);
    }
    if (context.jobSummary) {
        const lines = [`## Beacon: the ${step} failed`, '', `The ${step} failed while ${progress.stage}: ${codeSpan(reason)}`, ''];
        if (uploaded?.status === 'uploaded') {
            const what = progress.runtimeLogComplete ? 'The runtime log, complete before the failure,' : 'The raw capture, as the collector wrote it,';
            lines.push(`${what} was uploaded as the artifact ${codeSpan(uploaded.name)}: ${files.map((file) => codeSpan(external_node_path_default().relative(paths.workDir, file))).join(', ')}.`, '');
        }
        else if (progress.artifactAttempted) {
            lines.push('The artifact upload was tried before the failure (see the step log).', '');
        }
        else {
            lines.push(`Nothing was uploaded; the files written so far are in ${codeSpan(paths.workDir)} for the rest of this job.`, '');
        }
        await context.writeSummary(lines.join('\n'));
    }
    return `beacon: the ${step} failed while ${progress.stage}: ${reason}`;
}
function failed_part_way_errorText(error) {
    const text = error instanceof Error ? error.message : String(error);
    return text.trim() || (error instanceof Error ? error.name : 'an unknown error');
}
function isFile(file) {
    try {
        return external_node_fs_default().statSync(file).isFile();
    }
    catch {
        return false;
    }
}
async function safelyOr(work, fallback, warn) {
    try {
        return await work();
    }
    catch (error) {
        warn(failed_part_way_errorText(error));
        return fallback;
    }
}

;// CONCATENATED MODULE: ./src/finish/publish/summary.ts


/** 1 MiB minus room for the runner's own additions. */
const SUMMARY_MAX_BYTES = 1024 * 1024 - 8 * 1024;
const SUMMARY_NOTES = {
    noCost: 'No cost: Codex emits none.',
    perSession: 'Per-session usage: each token metric export is paired with the session its Codex process ran; a session whose process sent no metric is counted from its session file.',
};
const CUT_NOTE = '\n\n*The summary was cut here to stay under the 1 MiB limit of a job summary.*\n';
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
const SESSION_ROWS = 50;
/** A session id short enough for a table, still telling sessions of one job apart (UUIDv7 ids begin with the time). */
function shortSessionId(id) {
    return id.length > 13 ? `${id.slice(0, 4)}…${id.slice(-8)}` : id;
}
const SOURCE_WORDS = { metric: 'metric', session_file: 'recovered from session file', 'metric+session_file': 'metric and session file' };
/** Tokens by session: which session spent what, and where the numbers come from. */
function sessionTable(usage) {
    const sessions = Object.entries(usage.by_session).sort((a, b) => b[1].total_tokens - a[1].total_tokens || (a[0] < b[0] ? -1 : 1));
    if (sessions.length === 0)
        return '';
    const rows = sessions.slice(0, SESSION_ROWS).map(([id, entry]) => {
        const models = entry.models.map((m) => codeSpan(shorten(m, SUMMARY_LIMITS.nameChars))).join(', ');
        const [label, ...numbers] = usageRow(id === '(none)' ? '*no session*' : codeSpan(shortSessionId(id)), entry);
        return [tableCell(label), tableCell(models), ...numbers, SOURCE_WORDS[entry.source] ?? plainLine(entry.source)];
    });
    return '**By session**\n\n' + table(['Session', 'Model', 'Input', 'Cached input', 'Output', 'Reasoning', 'Total', 'Source'], ['l', 'l', 'r', 'r', 'r', 'r', 'r', 'l'], rows) + notShown(sessions.length - SESSION_ROWS, 'sessions');
}
/** One plain sentence when usage was recovered from session files, or a stopped session had none. */
function recoverySentence(usage, sessions) {
    if (!sessions)
        return '';
    const lines = [];
    const recovered = sessions.recovered.length;
    if (recovered > 0) {
        const tokens = usage.by_source.session_file?.total_tokens ?? 0;
        lines.push(`Codex was stopped before it reported its token metric: ${formatInt(tokens)} tokens of ${recovered === 1 ? '1 session were' : `${formatInt(recovered)} sessions were`} recovered from its session files.`);
    }
    if (sessions.withoutUsage.length > 0) {
        const n = sessions.withoutUsage.length;
        lines.push(`${n === 1 ? '1 session' : `${formatInt(n)} sessions`} stopped before any model response completed: no tokens to recover.`);
    }
    if (sessions.sessionFiles.olderLeftOut > 0) {
        const n = sessions.sessionFiles.olderLeftOut;
        lines.push(`${n === 1 ? '1 session file' : `${formatInt(n)} session files`} from before this job's start step (a reused \`codex-home\`) left out.`);
    }
    return lines.join(' ');
}
const DECIDERS = [
    ['configuration', 'by configuration, no one asked'],
    ['person', 'by a person asked'],
    ['reviewer', 'by a reviewer'],
    ['other', 'by another source'],
];
/** Who decided on the tool calls: a configuration decision is never called a requested approval. */
function toolDecisionsLine(decisions) {
    if (decisions.total === 0)
        return 'Tool decisions: none';
    const who = DECIDERS.filter(([key]) => decisions.byDecider[key]).map(([key, words]) => `${formatInt(decisions.byDecider[key])} ${words}`);
    return `Tool decisions: ${formatInt(decisions.total)} (${who.join(', ')}), denied: ${formatInt(decisions.denied)}`;
}
function activity(report) {
    const parts = [];
    parts.push([
        `- Sessions: ${formatInt(report.sessions)}${report.sessionsCapped ? '+' : ''}`,
        `- Prompts: ${formatInt(report.prompts)}`,
        `- Tool calls: ${formatInt(toolCallCount(report))}`,
        `- Commands run: ${formatInt(report.commands.total)}`,
        `- ${toolDecisionsLine(report.toolDecisions)}`,
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
        recoverySentence(usage, extras.sessions),
        sessionTable(usage),
        extras.comparison ?? '',
        '### Agent activity',
        activity(report),
        tokenPie(usage),
        '### Notes',
        `- ${SUMMARY_NOTES.noCost}\n- ${SUMMARY_NOTES.perSession}`,
        '### Validation',
        validationSection(validation),
        artifactLine(extras.artifact),
        forwardingSection(extras.forwarding),
    ].filter((section) => section !== '');
    return limitBytes(sections.join('\n\n') + '\n', extras.maxBytes ?? SUMMARY_MAX_BYTES);
}
/** The "Forwarding" section: batches and records sent, retried and dropped, and why. */
function forwardingSection(forwarding) {
    if (!forwarding)
        return '';
    const { logs, metrics } = forwarding;
    const dropped = (n) => (n > 0 ? `**${formatInt(n)}**` : '0');
    const rows = [];
    if (logs) {
        const lost = Object.values(logs.recordsDropped).reduce((a, b) => a + b, 0);
        const retried = logs.batchesRetried > 0 ? `${formatInt(logs.batchesRetried)} (${formatInt(logs.retries)} retries)` : '0';
        rows.push(['Logs (events)', formatInt(logs.batchesSent), formatInt(logs.recordsSent), retried, `${formatInt(logs.batchesDropped)} / ${dropped(lost)}`]);
    }
    else {
        rows.push(['Logs (events)', 'unknown', 'unknown', 'unknown', 'unknown']);
    }
    const metricsSent = metrics.status === 'sent';
    const metricsRetried = metrics.retries > 0 ? `1 (${formatInt(metrics.retries)} retries)` : '0';
    if (metrics.status === 'nothing-to-send')
        rows.push(['Metrics (token usage)', '0', '0', '0', '0 / 0']);
    else if (metricsSent)
        rows.push(['Metrics (token usage)', '1', formatInt(metrics.dataPoints - metrics.rejectedPoints), metricsRetried, `0 / ${dropped(metrics.rejectedPoints)}`]);
    else
        rows.push(['Metrics (token usage)', '0', '0', metricsRetried, `1 / ${dropped(metrics.dataPoints)}`]);
    const parts = [
        `To ${codeSpan(shorten(forwarding.endpoint, 200))} over OTLP/HTTP: the kept events as log records, the token usage as the \`gen_ai.client.token.usage\` metric (data points).`,
        table(['Signal', 'Batches sent', 'Records sent', 'Batches retried', 'Batches / records dropped'], ['l', 'r', 'r', 'r', 'r'], rows),
    ];
    if (forwarding.problems.length > 0) {
        const consequence = forwarding.required ? 'forward-required is true: the step fails.' : 'A warning only (forward-required is false).';
        parts.push(`**Lost**\n\n${forwarding.problems.map((p) => `- ${problemMarkdown(p)}`).join('\n')}\n\n${consequence}`);
    }
    else {
        parts.push('Everything arrived.');
    }
    return `### Forwarding\n\n${parts.join('\n\n')}`;
}
/** Longest receiver text shown (the exporter keeps 300 characters of it already). */
const OUTSIDE_CHARS = 300;
/** A forwarding loss: our words plain, what the receiver or the network said only inside a code span. */
function problemMarkdown(problem) {
    if (!problem.error)
        return plainLine(problem.text);
    return `${plainLine(problem.text)}; ${problem.lastError ? 'last error: ' : ''}${errorMarkdown(problem.error)}`;
}
function errorMarkdown(error) {
    return [error.message ? plainLine(error.message) : '', error.outside ? codeSpan(shorten(error.outside, OUTSIDE_CHARS)) : ''].filter((part) => part).join(': ');
}

;// CONCATENATED MODULE: ./src/finish/publish/usage-file.ts



const USAGE_NOTES = {
    noCost: 'no cost: Codex emits none',
    perSession: 'per-session usage: the token metric carries no conversation id, so each metric export is paired with the session its process ran (by model, totals and time); usage of a session whose process sent no metric is recovered from its session file',
    saturated: 'saturated: some totals reached 9007199254740991 (2^53-1), the largest number held exactly, and were held there: the true figures are larger',
};
function figures(counts) {
    return { input_tokens: counts?.input ?? 0, cached_input_tokens: counts?.cachedInput ?? 0, output_tokens: counts?.output ?? 0, reasoning_output_tokens: counts?.reasoningOutput ?? 0 };
}
function reconciliationBlock(sessions) {
    return {
        session_files: { read: sessions.sessionFiles.read, older_left_out: sessions.sessionFiles.olderLeftOut, unreadable: sessions.sessionFiles.unreadable, problems: sessions.sessionFiles.problems },
        metric_exports: sessions.exports.map((e) => ({ export_seq: e.exportSeq, at: e.at, session_ids: e.sessionIds, agreement: e.agreement })),
        recovered_sessions: sessions.recovered.map((s) => ({ session_id: s.sessionId, file: s.file, models: s.models })),
        sessions_without_usage: sessions.withoutUsage.map((s) => ({ session_id: s.sessionId, file: s.file })),
        disagreements: disagreementsOf(sessions).map((d) => ({ session_ids: d.sessionIds, model: d.model, metric: figures(d.metric), session_file: figures(d.sessionFile), counted: 'metric' })),
        ...(sessions.recoverySkipped ? { recovery_skipped: sessions.recoverySkipped } : {}),
    };
}
function sessionBreakdown(report) {
    const bySession = report.usage.bySession;
    return Object.fromEntries(Object.keys(bySession)
        .sort()
        .map((id) => [id, { ...usageEntry(bySession[id]), models: bySession[id].models, source: bySession[id].sources.join('+') }]));
}
function buildUsageFile(report, options = {}) {
    return {
        source: 'beacon-action',
        ...(options.logName ? { log: options.logName } : {}),
        totals: usageEntry(report.usage.total),
        by_model: usageBreakdown(report.usage.byModel),
        by_run: usageBreakdown(report.usage.byRun),
        by_repository: usageBreakdown(report.usage.byRepository),
        by_harness: usageBreakdown(report.usage.byHarness),
        by_session: sessionBreakdown(report),
        by_source: usageBreakdown(report.usage.bySource),
        token_data_points: Object.fromEntries(Object.keys(report.tokenPoints).sort().map((key) => [key, report.tokenPoints[key]])),
        ...(options.sessions ? { reconciliation: reconciliationBlock(options.sessions) } : {}),
        notes: [USAGE_NOTES.noCost, USAGE_NOTES.perSession, ...(report.totalsSaturated ? [USAGE_NOTES.saturated] : [])],
        ...(options.baseline ? { baseline: options.baseline } : {}),
    };
}
function writeUsageFile(filePath, usage) {
    external_node_fs_default().writeFileSync(filePath, JSON.stringify(usage, null, 2) + '\n', { mode: 0o644 });
}

;// CONCATENATED MODULE: ./src/finish/secrets-at-rest.ts


/**
 * The end of the finish: what still holds a secret of the run is no longer needed, so it goes.
 * collector.json holds both secrets and the `forward-headers` values in clear text: removed.
 * CODEX_HOME's config.toml holds the telemetry secret: taken out, the rest of the file (the
 * user's settings, its mode) kept as it is. run.json holds none. Never throws, and finds nothing
 * to do a second time (a post step after a `mode: finish` step, or run again).
 */
function removeSecretsAtRest(paths, run, warn) {
    const secret = run.telemetrySecret;
    if (secret) {
        const codexConfig = external_node_path_default().join(run.codexHome, 'config.toml');
        try {
            const text = external_node_fs_default().readFileSync(codexConfig, 'utf8');
            // Written in place: the file keeps its owner and mode.
            if (text.includes(secret))
                external_node_fs_default().writeFileSync(codexConfig, text.split(secret).join(''));
        }
        catch (error) {
            if (error.code !== 'ENOENT')
                warn(`the telemetry secret could not be taken out of ${codexConfig}: ${error.message}`);
        }
    }
    try {
        external_node_fs_default().rmSync(paths.collectorConfig, { force: true });
    }
    catch (error) {
        warn(`${paths.collectorConfig}, which holds the run's secrets, could not be removed: ${error.message}`);
    }
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
    const workDir = process.env[workspace/* WORK_DIR_ENV */.mk];
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
    const paths = (0,workspace/* workspacePaths */.s6)(workDir);
    const run = readJson(paths.runFile);
    const collectorConfig = readJson(paths.collectorConfig);
    // The run's own secret values (the start step's), masked in everything the post step writes.
    (0,redact/* setMaskedValues */.Qp)(collectorConfig?.maskValues ?? []);
    let endNow = false;
    try {
        if (external_node_fs_default().existsSync(paths.finished))
            core.info('beacon: this capture was already finished (by a mode: finish step, or an earlier run of this post step).');
        else
            endNow = await finishRun(trigger, inputs, paths, run, collectorConfig);
    }
    finally {
        // Once finished (and after a post step in any case: nothing comes after it), no file of the run
        // keeps a secret. A `mode: finish` step that failed half way leaves them to its post step.
        if (trigger === 'post' || external_node_fs_default().existsSync(paths.finished)) {
            removeSecretsAtRest(paths, { telemetrySecret: collectorConfig?.secret, codexHome: run?.codexHome ?? paths.codexHome }, (message) => core.warning(`beacon: ${message}`));
        }
    }
    // A cache call given up on keeps running inside @actions/cache (retries, or a request with no
    // timeout) and would hold the step open; like actions/cache itself, end the step now.
    if (endNow)
        process.exit();
}
/** Everything but the clean-up; true when the step must end at once (see finishCapture). */
async function finishRun(trigger, inputs, paths, run, collectorConfig) {
    const { outcome, lastWrite } = await stopTheCollector(paths, run, collectorConfig);
    if (!run) {
        // The start step failed half way and has already failed the job with its reason: do not
        // fail it a second time for the missing events.
        core.warning('beacon: the start step did not complete (see its error), so nothing was captured in this job.');
        return false;
    }
    // With forward-endpoint, the token metrics are summed as the log is written: no second read.
    const usageSeries = collectorConfig?.forward ? new UsageSeriesBuilder() : undefined;
    // The second net for secrets (the full rule set and the run's values): the log, the usage file, the summary.
    const scanner = new SecretScanner(collectorConfig?.maskValues ?? []);
    // What is done so far: a stage that throws (a full disk, a bug) must not lose what came before it.
    const progress = { stage: 'writing the runtime log', runtimeLogComplete: false, artifactAttempted: false };
    // Outside the try: a cache call given up on must still end the step when a later stage throws.
    let comparison;
    try {
        const { report, sessions } = await buildRuntimeLog({ paths, run, collectorConfig, outcome, usageSeries, scanner });
        progress.runtimeLogComplete = true;
        // Before the usage file and the summary: both carry what this run is compared with.
        progress.stage = 'looking up the run to compare with';
        const compared = (comparison = await RunComparison.begin({ enabled: inputs.compare !== false, artifactName: inputs.artifactName, log: { info: core.info } }));
        progress.stage = 'writing the usage file';
        const usage = buildUsageFile(report, { logName: 'beacon-runtime.jsonl', ...(sessions ? { sessions } : {}), ...(compared.baseline ? { baseline: compared.baseline } : {}) });
        writeUsageFile(paths.usage, await scanner.redactValue(usage));
        progress.stage = 'validating the run';
        const stats = readJson(paths.stats);
        const validation = validateRun(report, stats, {
            minEvents: inputs.minEvents,
            requireTelemetry: inputs.requireTelemetry,
            collectorExit: { status: outcome.status, ...('reason' in outcome ? { reason: outcome.reason } : {}) },
            ...(lastWrite ? { collectorLastWrite: lastWrite } : {}),
            ...(sessions ? { sessions } : {}),
        });
        for (const warning of validation.warnings)
            core.warning(`beacon: ${warning}`);
        for (const diagnosis of validation.diagnoses)
            core.info(`beacon: ${diagnosis}`);
        progress.failures = validation.failures;
        progress.stage = 'forwarding';
        const forwarding = collectorConfig?.forward && usageSeries ? await forward(collectorConfig.forward, collectorConfig.attribution, stats, usageSeries.build()) : undefined;
        if (forwarding?.required && forwarding.problems.length > 0)
            progress.forwardingFailure = `beacon: forwarding (forward-required): ${forwarding.problems.map(problemText).join('; ')}.`;
        progress.stage = 'uploading the artifact';
        progress.artifactAttempted = inputs.uploadArtifact;
        const artifact = inputs.uploadArtifact ? await upload(paths, inputs, [paths.runtimeLog, paths.usage]) : undefined;
        progress.stage = 'writing the job summary';
        if (inputs.jobSummary) {
            await writeSummary(() => scanner.redactText(renderSummary(report, usage, validation, {
                ...(artifact?.status === 'uploaded' ? { artifact: { name: artifact.name, url: artifact.url } } : {}),
                ...(forwarding ? { forwarding } : {}),
                ...(sessions ? { sessions } : {}),
                comparison: compared.summaryMarkdown(report),
            })));
        }
        progress.stage = 'setting the outputs';
        setOutputs(trigger, report, paths);
        progress.stage = 'recording that the run is finished';
        external_node_fs_default().writeFileSync(paths.finished, JSON.stringify({ finishedAt: new Date().toISOString(), trigger }), { mode: 0o600 });
        progress.stage = 'saving the record for later comparisons';
        await compared.saveRecord(report);
        reportFailures(progress);
        return compared.abandoned;
    }
    catch (error) {
        await failedPartWay(error, progress, { trigger, inputs, paths, scanner });
        reportFailures(progress);
        return comparison?.abandoned ?? false;
    }
}
function reportFailures(progress) {
    if (progress.failures && progress.failures.length > 0)
        core.setFailed(`beacon: ${progress.failures.join(' ')}`);
    if (progress.forwardingFailure)
        core.setFailed(progress.forwardingFailure);
}
/** A stage threw: publish what exists, then fail the step under require-telemetry (else a warning). */
async function failedPartWay(error, progress, context) {
    const { trigger, inputs, paths, scanner } = context;
    const message = await publishWhatExists(error, progress, {
        stepName: trigger === 'post' ? 'post step' : 'finish step',
        paths,
        uploadArtifact: inputs.uploadArtifact,
        jobSummary: inputs.jobSummary,
        redact: (text) => scanner.redactText(text),
        upload: (files) => upload(paths, inputs, files),
        writeSummary: (markdown) => writeSummary(() => markdown),
        warn: (text) => core.warning(`beacon: ${text}`),
    });
    if (inputs.requireTelemetry)
        core.setFailed(message);
    else
        core.warning(message);
}
/**
 * Stop: the collector is asked to stop (or found gone). Also when it last wrote, read before the
 * runtime log is made of its capture (which changes the capture's time).
 */
async function stopTheCollector(paths, run, collectorConfig) {
    const outcome = await stopCollector({
        config: collectorConfig,
        ready: readJson(paths.ready),
        script: run?.collector.script,
        instance: run?.collector.instance,
    });
    describeStop(outcome);
    let lastWrite;
    for (const file of [paths.capture, paths.tokenPoints]) {
        try {
            lastWrite = Math.max(lastWrite ?? 0, external_node_fs_default().statSync(file).mtimeMs);
        }
        catch {
            // not written
        }
    }
    return { outcome, lastWrite: lastWrite === undefined ? undefined : isoUtc(lastWrite) };
}
/**
 * The runtime log and the report of its events, with the session files read between its stages
 * (account-usage/process-capture.ts). A collector left running may still write: then the log is
 * a copy of what was read, not the capture itself.
 */
async function buildRuntimeLog({ paths, run, collectorConfig, outcome, usageSeries, scanner }) {
    const reader = sessionReaderFor(CODEX_HARNESS);
    const attribution = collectorConfig?.attribution ?? (0,redact/* redactDeep */.KL)((0,beacon_attribution/* attributionFromEnv */.$V)(process.env));
    const { report, sessions } = await writeRuntimeLogWithReport({
        capturePath: paths.capture,
        tokenPath: paths.tokenPoints,
        logPath: paths.runtimeLog,
        linkCapture: outcome.status !== 'left-alone',
        secretScan: scanner,
        ...(usageSeries ? { onTokenEvent: (event) => usageSeries.add(event) } : {}),
    }, reader ? { reader, home: run.codexHome, since: new Date(run.startedAt), attribution } : undefined);
    return { report, sessions };
}
/** The job summary; a summary that cannot be written is a warning, never a failure. */
async function writeSummary(render) {
    try {
        await core.summary.addRaw(await render()).write();
    }
    catch (error) {
        core.warning(`beacon: the job summary could not be written: ${error.message}`);
    }
}
/** The log line with the totals; in a `mode: finish` step, the token numbers as step outputs. */
function setOutputs(trigger, report, paths) {
    const total = report.usage.total;
    core.info(`beacon: ${report.events} events, ${totalTokens(total)} tokens (input ${total.input_tokens}, cached ${total.cache_read_input_tokens}, output ${total.output_tokens}, reasoning ${total.reasoning_output_tokens}). Log: ${paths.runtimeLog}`);
    core.setOutput('log-path', paths.runtimeLog);
    if (trigger !== 'finish-step')
        return;
    core.setOutput('input-tokens', String(total.input_tokens));
    core.setOutput('cached-input-tokens', String(total.cache_read_input_tokens));
    core.setOutput('output-tokens', String(total.output_tokens));
    core.setOutput('reasoning-output-tokens', String(total.reasoning_output_tokens));
    core.setOutput('total-tokens', String(totalTokens(total)));
    core.setOutput('events', String(report.events));
    core.setOutput('usage-json', paths.usage);
}
/** With forward-endpoint: the token metrics go out now; what was lost is a warning, or a failure under forward-required. */
async function forward(config, attribution, stats, usage) {
    const report = await forwardRun({ config, attribution, usage, collectorStats: stats });
    const events = report.logs ? `${report.logs.recordsSent} events in ${report.logs.batchesSent} batches (${report.logs.retries} retries)` : 'an unknown number of events';
    core.info(`beacon: forwarded to ${report.endpoint}: ${events}; token metrics: ${report.metrics.status} (${report.metrics.dataPoints} data points, ${report.metrics.durationMs} ms).`);
    if (!report.required)
        for (const problem of report.problems)
            core.warning(`beacon: forwarding: ${problemText(problem)}.`);
    return report;
}
async function upload(paths, inputs, files) {
    const result = await uploadRuntimeArtifact({
        name: inputs.artifactName ?? defaultArtifactName(process.env),
        files: files.filter((file) => external_node_fs_default().existsSync(file)),
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
