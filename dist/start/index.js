import { createRequire as __WEBPACK_EXTERNAL_createRequire } from "module";
/******/ var __webpack_modules__ = ({

/***/ 29153:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   $V: () => (/* binding */ attributionFromEnv)
/* harmony export */ });
/* unused harmony exports endpointOs, ciRunFromEnv */
/* harmony import */ var node_os__WEBPACK_IMPORTED_MODULE_0__ = __nccwpck_require__(48161);
/* harmony import */ var node_os__WEBPACK_IMPORTED_MODULE_0___default = /*#__PURE__*/__nccwpck_require__.n(node_os__WEBPACK_IMPORTED_MODULE_0__);

function endpointOs(platform = process.platform) {
    if (platform === 'win32')
        return 'windows';
    if (platform === 'darwin')
        return 'darwin';
    return 'linux';
}
/** `refs/pull/123/merge` → `123`. */
function pullRequestNumber(ref) {
    return /^refs\/pull\/(\d+)\//.exec(ref ?? '')?.[1];
}
/** The CI run as the schema page defines it, from the runner's variables. */
function ciRunFromEnv(env) {
    if (env.GITHUB_ACTIONS === 'true') {
        const run = { provider: 'github_actions', ephemeral: true };
        const set = (key, value) => {
            if (value)
                run[key] = value;
        };
        set('run_id', env.GITHUB_RUN_ID);
        set('run_attempt', env.GITHUB_RUN_ATTEMPT);
        set('workflow', env.GITHUB_WORKFLOW);
        set('job', env.GITHUB_JOB);
        set('event_name', env.GITHUB_EVENT_NAME);
        set('commit', env.GITHUB_SHA);
        set('repository', env.GITHUB_REPOSITORY);
        set('branch', env.GITHUB_HEAD_REF || env.GITHUB_REF_NAME);
        set('actor', env.GITHUB_ACTOR);
        const isPullRequest = env.GITHUB_EVENT_NAME === 'pull_request' || env.GITHUB_EVENT_NAME === 'pull_request_target';
        const prNumber = isPullRequest ? pullRequestNumber(env.GITHUB_REF) : undefined;
        if (prNumber) {
            run.pr = `${env.GITHUB_SERVER_URL ?? 'https://github.com'}/${env.GITHUB_REPOSITORY}/pull/${prNumber}`;
            run.pr_number = prNumber;
        }
        return run;
    }
    if (env.CI)
        return { provider: 'ci', ephemeral: true };
    return undefined;
}
function attributionFromEnv(env, hostname = node_os__WEBPACK_IMPORTED_MODULE_0___default().hostname()) {
    const run = ciRunFromEnv(env);
    const attribution = { endpoint: { hostname, os: endpointOs() } };
    if (run) {
        attribution.origin = 'ci';
        attribution.run = run;
    }
    else {
        attribution.origin = 'local';
    }
    if (env.GITHUB_REPOSITORY) {
        attribution.repository = `${env.GITHUB_SERVER_URL ?? 'https://github.com'}/${env.GITHUB_REPOSITORY}`;
    }
    const branch = env.GITHUB_HEAD_REF || env.GITHUB_REF_NAME;
    if (branch)
        attribution.branch = branch;
    return attribution;
}


/***/ }),

/***/ 57983:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   KL: () => (/* binding */ redactDeep),
/* harmony export */   Qp: () => (/* binding */ setMaskedValues),
/* harmony export */   XF: () => (/* binding */ REDACTED),
/* harmony export */   Ym: () => (/* binding */ MIN_MASKED_LENGTH),
/* harmony export */   fp: () => (/* binding */ redactSecrets),
/* harmony export */   yE: () => (/* binding */ maskedValuesPattern)
/* harmony export */ });
/* unused harmony export redactSecretsUnfiltered */
/**
 * Secret redaction for every string we write: the collector's rules (this file) and the run's
 * exact secret values (`setMaskedValues`). Two cheap checks let nearly every string through
 * untouched; the rest goes through one combined pass. This runs on the collector's hot path, so it
 * keeps to patterns: the post step scans the runtime log again with secretlint's full rule set
 * (src/finish/runtime-log/secret-scan.ts), a second net for the artifact. Forwarded events only
 * ever get this file's redaction, so it catches every kind SECURITY.md lists by itself.
 */
const REDACTED = '[REDACTED]';
// Private key blocks are redacted first and whole, up to their END line or, cut short (Codex keeps
// 2 KiB of output), to the end of the string: they span lines, quotes and JSON escapes (`\n`).
const KEY_BLOCK = /-----BEGIN[ A-Z0-9]*PRIVATE KEY(?: BLOCK)?-----[\s\S]*?(?:-----END[ A-Z0-9]*PRIVATE KEY(?: BLOCK)?-----|$)/g;
// A value after a secret-named key: quoted (the quotes kept, spaces and escapes inside), as an
// escaped quote (JSON inside a JSON string), or bare up to a delimiter.
const valueGroup = (name) => String.raw `(?<${name}>\$\{\{[^}\n]*\}\}|"(?:[^"\\\n]|\\.)*"?|'[^'\n]*'?|\\"(?:[^"\\\n]|\\[^"\n])*(?:\\")?|(?![{\[])[^\s"'&,;})\]\\]+)`;
// Names that say "secret" (matched case-insensitively, so camelCase `accessToken`, `clientSecret` too).
const SECRET_NAME = String.raw `(?:api[_-]?key|access[_-]?key|secret[_-]?key|private[_-]?key|key|token|secret|password|passwd|pwd|credentials?|authorization|auth|signature)`;
// Each alternative captures what to keep (a prefix such as `password=`) in a named group;
// the rest of the match is the secret.
const PATTERNS = [
    // `Authorization: Bearer xyz`, `Bearer xyz`, `Basic xyz`
    String.raw `(?<scheme>\b(?:Bearer|Basic)\s+)[A-Za-z0-9\-._~+/]{8,}=*`,
    // `token <value>` only when the value looks like one (long), not "token counting"
    String.raw `(?<tokenWord>\btoken\s+)(?=[A-Za-z0-9_\-.]*\d)[A-Za-z0-9_\-.]{20,}`,
    // name=value, name: value, name => value, for names ending in key, token, secret, password...
    // (quotes allowed around the name, so JSON and YAML text are covered too)
    String.raw `(?<assign>\b[A-Za-z0-9_.\-]*${SECRET_NAME}\\?["']?[ \t]*(?:[:=]|=>)[ \t]*)(?!\[REDACTED\])(?:(?:Bearer|Basic|token)\s+)?${valueGroup('value')}`,
    // A secret-named snake_case word and its value on a command line: `aws configure set
    // aws_secret_access_key <value>` (a long value with a digit: not "secret_key is missing")
    String.raw `(?<spaced>\b(?:[A-Za-z0-9]*_)?(?:secret_access_key|session_token|client_secret|api_key|access_token|auth_token|refresh_token|private_key|secret_key)\s+)(?=[A-Za-z0-9/+=_\-.~]*\d)[A-Za-z0-9/+=_\-.~]{16,}`,
    // Command-line options: `--password hunter2`, `--client-secret "a b"`, `--token xyz`
    String.raw `(?<flag>(?:^|\s)--(?:[A-Za-z0-9]+-)*(?:password|passwd|token|secret|key|credentials?)\s+)(?!-)${valueGroup('flagValue')}`,
    // Credentials in URLs: `postgres://user:pass@host`, `https://x-access-token:ghs_...@github.com`
    String.raw `(?<url>\b[A-Za-z][A-Za-z0-9+.\-]{1,30}://)[^\s/@"'<>:]*:[^\s/@"'<>]*(?=@)`,
    // Slack incoming webhooks: the path is the secret
    String.raw `(?<hook>\bhooks\.slack\.com/(?:services|workflows|triggers)/)[A-Za-z0-9/_\-]+`,
    // Azure SAS signatures (`...&sig=...`), also AWS presigned URLs' `X-Amz-Signature` via `signature=` above
    String.raw `(?<sas>[?&;]sig=)[A-Za-z0-9%+/=]{16,}`,
    // JSON Web Tokens (header and payload are base64url JSON: `eyJ`)
    String.raw `\beyJ[A-Za-z0-9_\-]{8,}\.eyJ[A-Za-z0-9_\-]{8,}\.[A-Za-z0-9_\-]*`,
    // OpenAI-style keys (sk-..., sk-proj-..., sk-ant-...)
    String.raw `\bsk-(?:proj-|ant-)?[A-Za-z0-9_\-]{16,}`,
    // GitHub tokens
    String.raw `\b(?:ghp|gho|ghu|ghs|ghr)_[A-Za-z0-9]{30,}`,
    String.raw `\bgithub_pat_[A-Za-z0-9_]{20,}`,
    // npm access tokens
    String.raw `\bnpm_[A-Za-z0-9]{36}\b`,
    // AWS access key ids
    String.raw `\b(?:AKIA|ASIA)[A-Z0-9]{16}\b`,
    // Google API keys
    String.raw `\bAIza[A-Za-z0-9_\-]{35}`,
    // Slack tokens (bot, user, app, refresh...)
    String.raw `\b(?:xox[a-z]|xapp)-[A-Za-z0-9-]{10,}`,
    // Azure AD client secrets (`abc8Q~...`)
    String.raw `(?<![A-Za-z0-9_~.])[A-Za-z0-9_~.]{3}\dQ~[A-Za-z0-9_~.\-]{31,34}(?![A-Za-z0-9_~.\-])`,
];
const SECRET = new RegExp(PATTERNS.join('|'), 'gi');
// A secret-named key's value that is no secret: `key=true`, `token: null`, `timeout_key=30`, a
// variable that names the secret rather than holding it (`$TOKEN`, `${{ secrets.X }}`, `%KEY%`).
const NOT_A_SECRET = /^(?:["']|\\")?(?:true|false|null|none|nil|undefined|yes|no|on|off|\d{1,6}|string|number|boolean|bool|int|str|any|unknown|object|bytes|\$\{\{[^}]*\}\}|\$\{?[A-Za-z_][A-Za-z0-9_]*\}?|%[A-Za-z_][A-Za-z0-9_]*%|\*+|)(?:["']|\\")?$/i;
// Two cheap checks come first: each passes every string SECRET (or KEY_BLOCK) matches, and most
// strings fail one. Words first (the fastest scan; most strings have none)...
const MAYBE_SECRET = /key|token|secret|pass|pwd|auth|cred|bearer|basic|sig|sk-|gh[pousr]_|github_pat_|npm_|AKIA|ASIA|AIza|xox|xapp|eyJ|Q~|PRIVATE|:\/\/|slack\.com/i;
// ...then what each alternative cannot match without (a `:`, `=` or `=>` after a secret-ish
// name, found by looking behind each; a URL with a user and a password...). "Original token
// count: 108", in every Codex tool output, has the word but none of these.
const LIKELY_SECRET = new RegExp([
    // Each alternative starts at a character that is rare in ordinary output (`:`, `=`, `@`, `~`,
    // `_`, `-`), then looks behind or ahead: letters at the start would make the scan slow.
    String.raw `[:=](?<=(?:key|token|secret|passw(?:or)?d|pwd|credentials?|auth(?:orization)?|signature)\\?["']?[ \t]*[:=])`,
    String.raw `=(?<=[?&;]sig=)`,
    String.raw `@(?<=:\/\/[^\s/@"'<>:]*:[^\s/@"'<>]*@)`,
    String.raw `~(?<=\dQ~)`,
    String.raw `_(?:(?<=(?:npm|gh[pousr]|github_pat)_)|(?=(?:key|token|secret)\s+[A-Za-z0-9/+=_\-.~]{16}))`,
    String.raw `-(?:(?<=(?:sk|xox[a-z]|xapp)-)|(?<=--)[A-Za-z0-9-]*(?:password|passwd|token|secret|key|credentials?)\s+[^\s-]|(?=----BEGIN))`,
    String.raw `\b(?:Bearer\s+[A-Za-z0-9\-._~+/]{8}|Basic\s+[A-Za-z0-9\-._~+/]{8}|token\s+[A-Za-z0-9_\-.]{20}|(?:AKIA|ASIA)[A-Z0-9]{16}|AIza|eyJ[A-Za-z0-9_\-]{8,}\.|hooks\.slack\.com\/)`,
].join('|'), 'i');
/** The run's own secret values (`setMaskedValues`). */
let maskedValues;
/**
 * Values redacted wherever they appear, whatever their shape (as the runner masks registered
 * secrets in the job log): the secret-named environment variables the start step saw and the
 * forward headers (./masked-values.ts). Replaces the previous list; [] turns it off.
 */
function setMaskedValues(values) {
    maskedValues = maskedValuesPattern(values);
}
/**
 * One pattern for the values long enough to mask, as they are and as they look escaped in JSON
 * or a URL, longest first; undefined when there is none.
 */
function maskedValuesPattern(values) {
    const forms = new Set();
    for (const value of values) {
        if (value.length < MIN_MASKED_LENGTH)
            continue;
        forms.add(value);
        forms.add(JSON.stringify(value).slice(1, -1));
        forms.add(encodeURIComponent(value));
    }
    // The escaped forms are never shorter than the value.
    const sorted = [...forms].sort((a, b) => b.length - a.length);
    return sorted.length > 0 ? new RegExp(sorted.map(escapeRegExp).join('|'), 'g') : undefined;
}
/** Shorter values are not masked: a `*_KEY=true` must not blank every "true" we write. */
const MIN_MASKED_LENGTH = 8;
function escapeRegExp(text) {
    return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
function redactSecrets(text) {
    // No masked value is shorter than MIN_MASKED_LENGTH: most strings need no look.
    if (maskedValues && text.length >= MIN_MASKED_LENGTH) {
        maskedValues.lastIndex = 0;
        if (maskedValues.test(text))
            text = text.replace(maskedValues, REDACTED);
    }
    if (!MAYBE_SECRET.test(text) || !LIKELY_SECRET.test(text))
        return text;
    return redactPatterns(text);
}
/** redactSecrets without the cheap checks: what it must always equal (tests compare the two). */
function redactSecretsUnfiltered(text) {
    if (maskedValues)
        text = text.replace(maskedValues, REDACTED);
    return redactPatterns(text);
}
function redactPatterns(text) {
    const withoutKeys = text.includes('-----BEGIN') ? text.replace(KEY_BLOCK, REDACTED) : text;
    return withoutKeys.replace(SECRET, (match, ...args) => {
        const groups = args[args.length - 1];
        const keep = groups.scheme ?? groups.tokenWord ?? groups.assign ?? groups.spaced ?? groups.flag ?? groups.url ?? groups.hook ?? groups.sas ?? '';
        const value = groups.value ?? groups.flagValue;
        if (value === undefined)
            return keep + REDACTED;
        if (NOT_A_SECRET.test(value))
            return match;
        // A quoted value keeps its quotes: `password: "[REDACTED]"`.
        const open = /^(?:\\"|["'])/.exec(value)?.[0] ?? '';
        const close = open && value.length > open.length && value.endsWith(open) ? open : '';
        return match.slice(0, match.length - value.length) + open + REDACTED + close;
    });
}
// An object key that names a secret (`{"password": "..."}`, `{"accessToken": "..."}`): its string
// value is redacted whole. snake, kebab and dotted names, and camelCase ones.
const CAMEL_SECRET_KEY_NAME = /[a-z0-9](?:ApiKey|Secret|Password|Passwd|Token|Credentials?|Authorization|PrivateKey|AccessKey|SecretKey)$/;
const SNAKE_SECRET_KEY_NAME = /(?:^|[_.\-])(?:api[_-]?key|secret|password|passwd|pwd|token|credentials?|authorization|private[_-]?key|access[_-]?key|secret[_-]?key)$/i;
/** Whether an object key names a secret (its string value is then redacted whole). */
function isSecretKeyName(key) {
    return SNAKE_SECRET_KEY_NAME.test(key) || CAMEL_SECRET_KEY_NAME.test(key);
}
/** Redacts every string inside a JSON-like value, in place; returns the value. */
// Deeper than anything the decoders keep (64 AnyValue levels) plus the event's own nesting.
const MAX_REDACT_DEPTH = 128;
function redactDeep(value, depth = 0) {
    if (value === null || typeof value !== 'object')
        return value;
    // Never leave a deeper value unchecked: what lies past the limit is replaced.
    if (depth > MAX_REDACT_DEPTH)
        return REDACTED;
    // Stores only what changed: nearly every string comes back as it was.
    if (Array.isArray(value)) {
        for (let i = 0; i < value.length; i++) {
            const v = value[i];
            const r = typeof v === 'string' ? redactSecrets(v) : redactDeep(v, depth + 1);
            if (r !== v)
                value[i] = r;
        }
        return value;
    }
    const obj = value;
    for (const key of Object.keys(obj)) {
        const v = obj[key];
        const r = typeof v === 'string' ? (v && isSecretKeyName(key) && !NOT_A_SECRET.test(v) ? REDACTED : redactSecrets(v)) : redactDeep(v, depth + 1);
        if (r !== v)
            obj[key] = r;
    }
    return value;
}


/***/ }),

/***/ 14952:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   B_: () => (/* binding */ checkForwardEndpoint),
/* harmony export */   Kl: () => (/* binding */ maskedPartsOfHeader),
/* harmony export */   OH: () => (/* binding */ signalUrl),
/* harmony export */   oz: () => (/* binding */ DEFAULT_FORWARD_SHUTDOWN_LIMIT_MS),
/* harmony export */   r9: () => (/* binding */ parseForwardHeaders)
/* harmony export */ });
/* unused harmony exports SIGNAL_PATH, isLoopbackHost */
/* harmony import */ var _beacon_redact_js__WEBPACK_IMPORTED_MODULE_0__ = __nccwpck_require__(57983);
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
/** `<scheme> <credential>` (RFC 9110 auth-scheme, then the credential): Bearer, Basic, token, ApiKey, ... */
const SCHEME_AND_CREDENTIAL = /^[A-Za-z][!#$%&'*+.^_`|~0-9A-Za-z-]*[ \t]+(\S(?:.*\S)?)$/;
/**
 * What to mask in the step log for one `forward-headers` value: the value, and for a value such
 * as `Bearer <token>` the credential alone too, which is what a receiver or a tool would print.
 */
function maskedPartsOfHeader(value) {
    const credential = SCHEME_AND_CREDENTIAL.exec(value)?.[1];
    return credential !== undefined && credential.length >= _beacon_redact_js__WEBPACK_IMPORTED_MODULE_0__/* .MIN_MASKED_LENGTH */ .Ym ? [value, credential] : [value];
}


/***/ }),

/***/ 53356:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   Bs: () => (/* binding */ instanceArgument),
/* harmony export */   HB: () => (/* binding */ CONFIG_FD_FLAG),
/* harmony export */   pv: () => (/* binding */ CONFIG_MESSAGE),
/* harmony export */   rr: () => (/* binding */ CONFIG_IPC_FLAG)
/* harmony export */ });
/* unused harmony exports configSourceOf, isConfigMessage */
/**
 * How the collector gets its config, and how the post step tells it from any other process. Its
 * command line names no path into the private working folder and holds no secret:
 * - `--config-fd=N` (Linux, macOS): the start step opens collector.json and the collector inherits
 *   it as file descriptor N;
 * - `--config-ipc`: the start step sends the file's text over the IPC channel (Windows, whose
 *   handles are not inherited by number), before the listening socket (listen-socket.ts);
 * - a plain path argument: the collector reads that file (the tests and benchmarks that run it alone).
 * `--instance=ID` is a random id of the run, not a secret: the post step finds it in run.json and
 * on the command line of the process it is about to stop, so that a reused pid is told apart.
 */

const CONFIG_FD_FLAG = '--config-fd=';
const CONFIG_IPC_FLAG = '--config-ipc';
const INSTANCE_FLAG = '--instance=';
/** Sent over IPC with the config's JSON text: `{ type: CONFIG_MESSAGE, text }`. */
const CONFIG_MESSAGE = 'beacon:config';
/** The instance argument of a run's collector, as its command line shows it. */
function instanceArgument(instance) {
    return `${INSTANCE_FLAG}${instance}`;
}
function configSourceOf(args) {
    for (const arg of args) {
        if (arg === CONFIG_IPC_FLAG)
            return { kind: 'ipc' };
        const fd = fdArgument(arg, CONFIG_FD_FLAG);
        if (fd !== undefined)
            return { kind: 'fd', fd };
    }
    const path = args.find((arg) => !arg.startsWith('--'));
    if (path === undefined)
        throw new Error(`usage: collector (<config.json> | ${CONFIG_FD_FLAG}N | ${CONFIG_IPC_FLAG}) [--listen-fd=N | --listen-ipc] [${INSTANCE_FLAG}ID]`);
    return { kind: 'path', path };
}
function isConfigMessage(message) {
    return typeof message === 'object' && message !== null && message.type === CONFIG_MESSAGE && typeof message.text === 'string';
}


/***/ }),

/***/ 63400:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   GH: () => (/* binding */ CONTROL_HEADER),
/* harmony export */   Gc: () => (/* binding */ BOOT_FAILURE),
/* harmony export */   NR: () => (/* binding */ SECRET_HEADER),
/* harmony export */   ze: () => (/* binding */ SHUTDOWN_PATH)
/* harmony export */ });
/* unused harmony export HEALTH_PATH */
const SECRET_HEADER = 'x-beacon-secret';
const CONTROL_HEADER = 'x-beacon-control';
/** The stats file's `stopReason` of a collector that died before it served: `failed to start: <error>`. */
const BOOT_FAILURE = 'failed to start';
const HEALTH_PATH = '/health';
const SHUTDOWN_PATH = '/shutdown';


/***/ }),

/***/ 84651:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   QK: () => (/* binding */ captureCompanions),
/* harmony export */   mk: () => (/* binding */ WORK_DIR_ENV),
/* harmony export */   s6: () => (/* binding */ workspacePaths)
/* harmony export */ });
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_0__ = __nccwpck_require__(76760);
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_0___default = /*#__PURE__*/__nccwpck_require__.n(node_path__WEBPACK_IMPORTED_MODULE_0__);

/**
 * The private working folder of one use of the action, and what lives in it. The start step
 * creates it; the post step (or a later `mode: finish` step) finds it through state or
 * `BEACON_WORK_DIR`, and reads `run.json` there.
 */
const WORK_DIR_ENV = 'BEACON_WORK_DIR';
function workspacePaths(workDir) {
    return {
        workDir,
        runFile: node_path__WEBPACK_IMPORTED_MODULE_0___default().join(workDir, 'run.json'),
        collectorConfig: node_path__WEBPACK_IMPORTED_MODULE_0___default().join(workDir, 'collector.json'),
        ready: node_path__WEBPACK_IMPORTED_MODULE_0___default().join(workDir, 'collector-ready.json'),
        collectorLog: node_path__WEBPACK_IMPORTED_MODULE_0___default().join(workDir, 'collector.log'),
        capture: node_path__WEBPACK_IMPORTED_MODULE_0___default().join(workDir, 'capture.jsonl'),
        ...captureCompanions(node_path__WEBPACK_IMPORTED_MODULE_0___default().join(workDir, 'capture.jsonl')),
        stats: node_path__WEBPACK_IMPORTED_MODULE_0___default().join(workDir, 'collector-stats.json'),
        runtimeLog: node_path__WEBPACK_IMPORTED_MODULE_0___default().join(workDir, 'beacon-runtime.jsonl'),
        usage: node_path__WEBPACK_IMPORTED_MODULE_0___default().join(workDir, 'beacon-usage.json'),
        finished: node_path__WEBPACK_IMPORTED_MODULE_0___default().join(workDir, 'finished.json'),
        codexHome: node_path__WEBPACK_IMPORTED_MODULE_0___default().join(workDir, 'codex-home'),
    };
}
/**
 * The files that go with a capture. `tokenPoints`: the collector writes its `token.usage` events
 * there, not in the capture, so that the post step can make the capture itself the runtime log
 * (a hard link, no copy) and append the normalized token events after it. `captureLink`: written
 * by the post step before it links, so that a second pass can cut those appended lines off again.
 * `suspectLines`: the byte offsets of the capture lines that may hold a secret (one decimal a
 * line), noted by the collector as it writes them, so that the post step scans only those lines.
 */
function captureCompanions(capturePath) {
    const stem = capturePath.endsWith('.jsonl') ? capturePath.slice(0, -'.jsonl'.length) : capturePath;
    return { tokenPoints: `${stem}.tokens.jsonl`, captureLink: `${stem}.link.json`, suspectLines: `${stem}.suspect-lines` };
}


/***/ }),

/***/ 38422:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   P_: () => (/* binding */ readFinishInputs),
/* harmony export */   aT: () => (/* binding */ readStartInputs)
/* harmony export */ });
/* unused harmony export InputError */
/* harmony import */ var node_fs__WEBPACK_IMPORTED_MODULE_0__ = __nccwpck_require__(73024);
/* harmony import */ var node_fs__WEBPACK_IMPORTED_MODULE_0___default = /*#__PURE__*/__nccwpck_require__.n(node_fs__WEBPACK_IMPORTED_MODULE_0__);
/* harmony import */ var smol_toml__WEBPACK_IMPORTED_MODULE_1__ = __nccwpck_require__(3292);
/* harmony import */ var _forward_endpoint_js__WEBPACK_IMPORTED_MODULE_2__ = __nccwpck_require__(14952);



class InputError extends Error {
    name = 'InputError';
}
const TRUE = ['true', 'True', 'TRUE'];
const FALSE = ['false', 'False', 'FALSE'];
function booleanInput(read, name, fallback) {
    const value = read(name).trim();
    if (value === '')
        return fallback;
    if (TRUE.includes(value))
        return true;
    if (FALSE.includes(value))
        return false;
    throw new InputError(`Input "${name}" must be true or false, got "${value}".`);
}
function oneOf(read, name, allowed, fallback) {
    const value = read(name).trim();
    if (value === '')
        return fallback;
    if (allowed.includes(value))
        return value;
    throw new InputError(`Input "${name}" must be one of ${allowed.map((a) => `"${a}"`).join(', ')}, got "${value}".`);
}
function integerInput(read, name, min, max) {
    const value = read(name).trim();
    if (value === '')
        return undefined;
    if (!/^\d+$/.test(value) || Number(value) < min || Number(value) > max) {
        throw new InputError(`Input "${name}" must be a whole number from ${min} to ${max}, got "${value}".`);
    }
    return Number(value);
}
// Characters the artifact service refuses in names.
const BAD_ARTIFACT_NAME = /[":<>|*?\r\n\\/]/;
function readStartInputs(read) {
    const inputs = {
        includeCodexSpans: booleanInput(read, 'include-codex-spans', false),
        logUserPrompt: booleanInput(read, 'log-user-prompt', false),
        otelProtocol: oneOf(read, 'otel-protocol', ['binary', 'json'], 'binary'),
        environment: read('environment').trim() || 'ci',
        exportEnv: booleanInput(read, 'export-env', true),
    };
    const codexHome = read('codex-home').trim();
    if (codexHome) {
        if (node_fs__WEBPACK_IMPORTED_MODULE_0___default().existsSync(codexHome) && !node_fs__WEBPACK_IMPORTED_MODULE_0___default().statSync(codexHome).isDirectory()) {
            throw new InputError(`Input "codex-home" must be a folder, got "${codexHome}", which is a file.`);
        }
        inputs.codexHome = codexHome;
    }
    const codexConfig = read('codex-config').trim();
    if (codexConfig) {
        let text;
        try {
            text = node_fs__WEBPACK_IMPORTED_MODULE_0___default().readFileSync(codexConfig, 'utf8');
        }
        catch (error) {
            throw new InputError(`Input "codex-config" names "${codexConfig}", which cannot be read: ${error.code ?? error.message}.`);
        }
        try {
            (0,smol_toml__WEBPACK_IMPORTED_MODULE_1__/* .parse */ .qg)(text);
        }
        catch (error) {
            throw new InputError(`Input "codex-config" names "${codexConfig}", which is not valid TOML: ${firstLine(error.message)}`);
        }
        inputs.codexConfig = codexConfig;
    }
    const forward = readForwardInputs(read);
    if (forward)
        inputs.forward = forward;
    return inputs;
}
/** forward-endpoint, forward-headers, forward-required. A header value is never repeated in an error. */
function readForwardInputs(read) {
    const required = booleanInput(read, 'forward-required', false);
    const endpointText = read('forward-endpoint').trim();
    // Without an endpoint nothing is forwarded, whatever the headers say.
    if (!endpointText) {
        if (required)
            throw new InputError('Input "forward-required" is true, but "forward-endpoint" is empty.');
        return undefined;
    }
    const endpoint = (0,_forward_endpoint_js__WEBPACK_IMPORTED_MODULE_2__/* .checkForwardEndpoint */ .B_)(endpointText);
    if ('problem' in endpoint)
        throw new InputError(`Input "forward-endpoint" ${endpoint.problem}.`);
    const headers = (0,_forward_endpoint_js__WEBPACK_IMPORTED_MODULE_2__/* .parseForwardHeaders */ .r9)(read('forward-headers'));
    if ('problem' in headers)
        throw new InputError(`Input "forward-headers" ${headers.problem}.`);
    return { endpoint: endpoint.value, headers: headers.value, required };
}
function readFinishInputs(read) {
    const inputs = {
        mode: oneOf(read, 'mode', ['start', 'finish'], 'start'),
        minEvents: integerInput(read, 'min-events', 0, 1_000_000_000) ?? 1,
        requireTelemetry: booleanInput(read, 'require-telemetry', true),
        uploadArtifact: booleanInput(read, 'upload-artifact', true),
        jobSummary: booleanInput(read, 'job-summary', true),
    };
    if (read('compare').trim() !== '')
        inputs.compare = booleanInput(read, 'compare', true);
    const retention = integerInput(read, 'retention-days', 1, 90);
    if (retention !== undefined)
        inputs.retentionDays = retention;
    const artifactName = read('artifact-name').trim();
    if (artifactName) {
        if (BAD_ARTIFACT_NAME.test(artifactName)) {
            throw new InputError(`Input "artifact-name" must not contain any of " : < > | * ? \\ / or line breaks, got "${artifactName}".`);
        }
        inputs.artifactName = artifactName;
    }
    return inputs;
}
function firstLine(text) {
    return text.split('\n')[0] ?? text;
}


/***/ }),

/***/ 25121:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   N: () => (/* binding */ STATE_ROLE),
/* harmony export */   a: () => (/* binding */ STATE_WORK_DIR)
/* harmony export */ });
/** Names of the values the main step saves for its own post step (`core.saveState`). */
const STATE_WORK_DIR = 'workDir';
/** `start`, or `finish-step` for a `mode: finish` use whose post step must do nothing. */
const STATE_ROLE = 'role';


/***/ }),

/***/ 42613:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("assert");

/***/ }),

/***/ 20181:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("buffer");

/***/ }),

/***/ 35317:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("child_process");

/***/ }),

/***/ 49140:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("constants");

/***/ }),

/***/ 76982:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("crypto");

/***/ }),

/***/ 24434:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("events");

/***/ }),

/***/ 79896:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("fs");

/***/ }),

/***/ 91943:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("fs/promises");

/***/ }),

/***/ 58611:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("http");

/***/ }),

/***/ 65692:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("https");

/***/ }),

/***/ 69278:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("net");

/***/ }),

/***/ 34589:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:assert");

/***/ }),

/***/ 16698:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:async_hooks");

/***/ }),

/***/ 4573:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:buffer");

/***/ }),

/***/ 31421:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:child_process");

/***/ }),

/***/ 37540:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:console");

/***/ }),

/***/ 77598:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:crypto");

/***/ }),

/***/ 53053:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:diagnostics_channel");

/***/ }),

/***/ 40610:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:dns");

/***/ }),

/***/ 78474:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:events");

/***/ }),

/***/ 73024:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:fs");

/***/ }),

/***/ 51455:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:fs/promises");

/***/ }),

/***/ 37067:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:http");

/***/ }),

/***/ 32467:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:http2");

/***/ }),

/***/ 44708:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:https");

/***/ }),

/***/ 98995:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:module");

/***/ }),

/***/ 77030:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:net");

/***/ }),

/***/ 48161:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:os");

/***/ }),

/***/ 76760:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:path");

/***/ }),

/***/ 643:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:perf_hooks");

/***/ }),

/***/ 1708:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:process");

/***/ }),

/***/ 41792:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:querystring");

/***/ }),

/***/ 80481:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:readline");

/***/ }),

/***/ 57075:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:stream");

/***/ }),

/***/ 46193:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:string_decoder");

/***/ }),

/***/ 41692:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:tls");

/***/ }),

/***/ 73136:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:url");

/***/ }),

/***/ 57975:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:util");

/***/ }),

/***/ 73429:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:util/types");

/***/ }),

/***/ 75919:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:worker_threads");

/***/ }),

/***/ 38522:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:zlib");

/***/ }),

/***/ 70857:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("os");

/***/ }),

/***/ 16928:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("path");

/***/ }),

/***/ 2203:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("stream");

/***/ }),

/***/ 13193:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("string_decoder");

/***/ }),

/***/ 53557:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("timers");

/***/ }),

/***/ 64756:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("tls");

/***/ }),

/***/ 52018:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("tty");

/***/ }),

/***/ 87016:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("url");

/***/ }),

/***/ 39023:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("util");

/***/ }),

/***/ 43106:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("zlib");

/***/ }),

/***/ 3292:
/***/ ((__unused_webpack___webpack_module__, __webpack_exports__, __nccwpck_require__) => {


// EXPORTS
__nccwpck_require__.d(__webpack_exports__, {
  qg: () => (/* reexport */ parse),
  As: () => (/* reexport */ stringify)
});

// UNUSED EXPORTS: TomlDate, TomlError, default

;// CONCATENATED MODULE: ./node_modules/smol-toml/dist/error.js
/*!
 * Copyright (c) Squirrel Chat et al., All rights reserved.
 * SPDX-License-Identifier: BSD-3-Clause
 *
 * Redistribution and use in source and binary forms, with or without
 * modification, are permitted provided that the following conditions are met:
 *
 * 1. Redistributions of source code must retain the above copyright notice, this
 *    list of conditions and the following disclaimer.
 * 2. Redistributions in binary form must reproduce the above copyright notice,
 *    this list of conditions and the following disclaimer in the
 *    documentation and/or other materials provided with the distribution.
 * 3. Neither the name of the copyright holder nor the names of its contributors
 *    may be used to endorse or promote products derived from this software without
 *    specific prior written permission.
 *
 * THIS SOFTWARE IS PROVIDED BY THE COPYRIGHT HOLDERS AND CONTRIBUTORS "AS IS" AND
 * ANY EXPRESS OR IMPLIED WARRANTIES, INCLUDING, BUT NOT LIMITED TO, THE IMPLIED
 * WARRANTIES OF MERCHANTABILITY AND FITNESS FOR A PARTICULAR PURPOSE ARE
 * DISCLAIMED. IN NO EVENT SHALL THE COPYRIGHT HOLDER OR CONTRIBUTORS BE LIABLE
 * FOR ANY DIRECT, INDIRECT, INCIDENTAL, SPECIAL, EXEMPLARY, OR CONSEQUENTIAL
 * DAMAGES (INCLUDING, BUT NOT LIMITED TO, PROCUREMENT OF SUBSTITUTE GOODS OR
 * SERVICES; LOSS OF USE, DATA, OR PROFITS; OR BUSINESS INTERRUPTION) HOWEVER
 * CAUSED AND ON ANY THEORY OF LIABILITY, WHETHER IN CONTRACT, STRICT LIABILITY,
 * OR TORT (INCLUDING NEGLIGENCE OR OTHERWISE) ARISING IN ANY WAY OUT OF THE USE
 * OF THIS SOFTWARE, EVEN IF ADVISED OF THE POSSIBILITY OF SUCH DAMAGE.
 */
function getLineColFromPtr(string, ptr) {
    let lines = string.slice(0, ptr).split(/\r?\n/);
    return [lines.length, lines.pop().length + 1];
}
function makeCodeBlock(string, line, column) {
    let lines = string.split(/\r?\n/);
    let codeblock = '';
    let numberLen = (Math.log10(line + 1) | 0) + 1;
    for (let i = line - 1; i <= line + 1; i++) {
        let l = lines[i - 1];
        if (!l)
            continue;
        codeblock += i.toString().padEnd(numberLen, ' ');
        codeblock += ':  ';
        codeblock += l;
        codeblock += '\n';
        if (i === line) {
            codeblock += ' '.repeat(numberLen + column + 2);
            codeblock += '^\n';
        }
    }
    return codeblock;
}
class TomlError extends Error {
    line;
    column;
    codeblock;
    constructor(message, options) {
        const [line, column] = getLineColFromPtr(options.toml, options.ptr);
        const codeblock = makeCodeBlock(options.toml, line, column);
        super(`Invalid TOML document: ${message}\n\n${codeblock}`, options);
        this.line = line;
        this.column = column;
        this.codeblock = codeblock;
    }
    /** @internal */
    static x(message, ctx, ptr) {
        throw new TomlError(message, { toml: ctx.s, ptr: ptr ?? ctx.p });
    }
}

;// CONCATENATED MODULE: ./node_modules/smol-toml/dist/primitive.js
/*!
 * Copyright (c) Squirrel Chat et al., All rights reserved.
 * SPDX-License-Identifier: BSD-3-Clause
 *
 * Redistribution and use in source and binary forms, with or without
 * modification, are permitted provided that the following conditions are met:
 *
 * 1. Redistributions of source code must retain the above copyright notice, this
 *    list of conditions and the following disclaimer.
 * 2. Redistributions in binary form must reproduce the above copyright notice,
 *    this list of conditions and the following disclaimer in the
 *    documentation and/or other materials provided with the distribution.
 * 3. Neither the name of the copyright holder nor the names of its contributors
 *    may be used to endorse or promote products derived from this software without
 *    specific prior written permission.
 *
 * THIS SOFTWARE IS PROVIDED BY THE COPYRIGHT HOLDERS AND CONTRIBUTORS "AS IS" AND
 * ANY EXPRESS OR IMPLIED WARRANTIES, INCLUDING, BUT NOT LIMITED TO, THE IMPLIED
 * WARRANTIES OF MERCHANTABILITY AND FITNESS FOR A PARTICULAR PURPOSE ARE
 * DISCLAIMED. IN NO EVENT SHALL THE COPYRIGHT HOLDER OR CONTRIBUTORS BE LIABLE
 * FOR ANY DIRECT, INDIRECT, INCIDENTAL, SPECIAL, EXEMPLARY, OR CONSEQUENTIAL
 * DAMAGES (INCLUDING, BUT NOT LIMITED TO, PROCUREMENT OF SUBSTITUTE GOODS OR
 * SERVICES; LOSS OF USE, DATA, OR PROFITS; OR BUSINESS INTERRUPTION) HOWEVER
 * CAUSED AND ON ANY THEORY OF LIABILITY, WHETHER IN CONTRACT, STRICT LIABILITY,
 * OR TORT (INCLUDING NEGLIGENCE OR OTHERWISE) ARISING IN ANY WAY OUT OF THE USE
 * OF THIS SOFTWARE, EVEN IF ADVISED OF THE POSSIBILITY OF SUCH DAMAGE.
 */

/** @internal */
function parseString(ctx) {
    let startPtr = ctx.p;
    let c = ctx.s.charCodeAt(ctx.p++);
    let first = c;
    let isLiteral = c === 0x27; /* ' */
    let isMultiline = c === ctx.s.charCodeAt(ctx.p) && c === ctx.s.charCodeAt(ctx.p + 1);
    if (isMultiline) {
        // Trim initial newline
        if ((c = ctx.s.charCodeAt(ctx.p += 2)) === 0xa /* \n */)
            ctx.p++;
        else if (c === 0xd /* \r */ && ctx.s.charCodeAt(ctx.p + 1) === 0xa /* \n */)
            ctx.p += 2;
    }
    // For the record: it is not worth it to use a fast-path for literal strings using `indexOf`.
    // Doing a char-by-char iteration ends up dispatching less instructions, for the same wall-clock runtime.
    let parsed = '';
    let sliceStart = ctx.p;
    // states:
    //   0 - decoding
    //   1 - decoding escape
    //   2 - whitespace escape (no newline encountered yet, must fail on non-whitespace)
    //   3 - whitespace escape (newline encountered, allowed to transition back to normal decode)
    let state = 0;
    for (; ctx.p < ctx.s.length; ctx.p++) {
        c = ctx.s.charCodeAt(ctx.p);
        // Deal with newlines first, since that simplifies control character checking and handling across all states
        if (isMultiline && (c === 0xa /* \n */ || (c === 0xd /* \r */ && ctx.s.charCodeAt(ctx.p + 1) === 0xa /* \n */))) {
            state = state && 3;
        }
        // Control characters are banned in TOML, so we throw an error if we encounter them
        else if ((c < 0x20 && c !== 0x9 /* \t */) || c === 0x7f) {
            TomlError.x('control characters are not allowed in strings', ctx);
        }
        // The string might terminate while we're parsing through a newline escape.
        // It must have encountered a newline; otherwise, it'll simply fail in another branch.
        else if ((!state || state === 3) && c === first && (!isMultiline || (ctx.s.charCodeAt(ctx.p + 1) === first && ctx.s.charCodeAt(ctx.p + 2) === first))) {
            if (isMultiline) {
                // If the string ends with 4-5 quotes, then the first 1-2 are part of the string
                if (ctx.s.charCodeAt(ctx.p + 3) === first)
                    ctx.p++;
                if (ctx.s.charCodeAt(ctx.p + 3) === first)
                    ctx.p++;
            }
            // If we're in a newline escape still, then there's nothing to add.
            if (!state) {
                // Avoid a useless concat operation if the string can be used as-is.
                let s = ctx.s.slice(sliceStart, ctx.p);
                parsed = parsed ? parsed + s : s;
            }
            ctx.p += isMultiline ? 3 : 1;
            return parsed;
        }
        // Baseline state; keep moving forward unless an escape sequence starts
        else if (!state) {
            if (!isLiteral && c === 0x5c /* \ */) {
                parsed += ctx.s.slice(sliceStart, (sliceStart = ctx.p));
                state = 1;
            }
        }
        else if (state === 1) {
            if (c === 0x78 /* x */ || c === 0x75 /* u */ || c === 0x55 /* U */) { // Unicode escape
                let errPtr = ctx.p++ - 1;
                let value = 0;
                let len = c === 0x78 /* x */ ? 2 : c === 0x75 /* u */ ? 4 : 8;
                for (let j = 0; j < len; j++, ctx.p++) {
                    let hex = ctx.s.charCodeAt(ctx.p);
                    let digit = 
                    /* 0-9 */ hex >= 0x30 && hex <= 0x39 ? hex - 0x30 :
                        /* A-F */ hex >= 0x41 && hex <= 0x46 ? hex - 0x41 + 10 :
                            /* a-f */ hex >= 0x61 && hex <= 0x66 ? hex - 0x61 + 10 : -1;
                    if (digit < 0)
                        TomlError.x('invalid non-hex character in unicode escape', ctx);
                    value = (value << 4) | digit;
                }
                // Because JS does bitwise on signed 32bit integers, all 0xfzzzzzzz values are actually seen as negative
                if (value < 0 || value > 0x10ffff || (value >= 0xd800 && value <= 0xdfff)) {
                    TomlError.x('invalid unicode escape', ctx, errPtr);
                }
                parsed += String.fromCodePoint(value);
                sliceStart = ctx.p--;
                state = 0;
            }
            // Newline escape sequence. We only need to care about spaces and tabs; newlines are dealt with earlier
            else if (isMultiline && (c === 0x20 || c === 0x9 /* \t */)) {
                state = 2;
            }
            // Basic escape sequence
            else {
                if (c === 0x62 /* b */)
                    parsed += '\b';
                else if (c === 0x74 /* t */)
                    parsed += '\t';
                else if (c === 0x6e /* n */)
                    parsed += '\n';
                else if (c === 0x66 /* f */)
                    parsed += '\f';
                else if (c === 0x72 /* r */)
                    parsed += '\r';
                else if (c === 0x65 /* e */)
                    parsed += '\x1b';
                else if (c === 0x22 /* " */)
                    parsed += '"';
                else if (c === 0x5c /* \ */)
                    parsed += '\\';
                else
                    TomlError.x('unrecognised escape sequence', ctx);
                sliceStart = ctx.p + 1;
                state = 0;
            }
        }
        // Newline escape continuation: keep moving forward until the first non-whitespace char
        else if (c !== 0x20 && c !== 0x9 /* \t */) {
            if (state === 2)
                TomlError.x('invalid escape: only line-ending whitespace may be escaped', ctx, sliceStart);
            // State cannot be zero, or we'd have branched earlier already.
            // If it's a backslash, immediately transition to the escape state so it can be processed.
            state = !isLiteral && c === 0x5c /* \ */ ? 1 : 0;
            sliceStart = ctx.p;
        }
    }
    TomlError.x('unfinished string', ctx, startPtr);
}

;// CONCATENATED MODULE: ./node_modules/smol-toml/dist/date.js
/*!
 * Copyright (c) Squirrel Chat et al., All rights reserved.
 * SPDX-License-Identifier: BSD-3-Clause
 *
 * Redistribution and use in source and binary forms, with or without
 * modification, are permitted provided that the following conditions are met:
 *
 * 1. Redistributions of source code must retain the above copyright notice, this
 *    list of conditions and the following disclaimer.
 * 2. Redistributions in binary form must reproduce the above copyright notice,
 *    this list of conditions and the following disclaimer in the
 *    documentation and/or other materials provided with the distribution.
 * 3. Neither the name of the copyright holder nor the names of its contributors
 *    may be used to endorse or promote products derived from this software without
 *    specific prior written permission.
 *
 * THIS SOFTWARE IS PROVIDED BY THE COPYRIGHT HOLDERS AND CONTRIBUTORS "AS IS" AND
 * ANY EXPRESS OR IMPLIED WARRANTIES, INCLUDING, BUT NOT LIMITED TO, THE IMPLIED
 * WARRANTIES OF MERCHANTABILITY AND FITNESS FOR A PARTICULAR PURPOSE ARE
 * DISCLAIMED. IN NO EVENT SHALL THE COPYRIGHT HOLDER OR CONTRIBUTORS BE LIABLE
 * FOR ANY DIRECT, INDIRECT, INCIDENTAL, SPECIAL, EXEMPLARY, OR CONSEQUENTIAL
 * DAMAGES (INCLUDING, BUT NOT LIMITED TO, PROCUREMENT OF SUBSTITUTE GOODS OR
 * SERVICES; LOSS OF USE, DATA, OR PROFITS; OR BUSINESS INTERRUPTION) HOWEVER
 * CAUSED AND ON ANY THEORY OF LIABILITY, WHETHER IN CONTRACT, STRICT LIABILITY,
 * OR TORT (INCLUDING NEGLIGENCE OR OTHERWISE) ARISING IN ANY WAY OUT OF THE USE
 * OF THIS SOFTWARE, EVEN IF ADVISED OF THE POSSIBILITY OF SUCH DAMAGE.
 */
let DATE_TIME_RE = /^(\d{4}-\d{2}-\d{2})?[Tt ]?(?:(\d{2}):\d{2}(?::\d{2}(?:\.\d+)?)?)?(Z|z|[-+]\d{2}:\d{2})?$/i;
class TomlDate extends Date {
    #hasDate = false;
    #hasTime = false;
    #offset = null;
    constructor(date, fasttype, unsafeDelim) {
        let hasDate = true;
        let hasTime = true;
        let offset = 'Z';
        let c;
        if (typeof date === 'string') {
            if (fasttype)
                prep: {
                    // Date-time
                    if (fasttype < 3) {
                        if (+date.slice(11, 13) > 23) {
                            date = '';
                            break prep;
                        }
                        // Local
                        if (fasttype === 2) {
                            offset = null;
                            date += 'Z';
                        }
                        // Offset; keep track of offset if not Z
                        else if ((c = date.charCodeAt(date.length - 1)) !== 0x5a /* Z */ && c !== 0x7a /* z */) {
                            offset = date.slice(date.length - 6);
                        }
                        if (unsafeDelim)
                            date = date.slice(0, 10) + 'T' + date.slice(11);
                    }
                    // Time
                    else if (fasttype === 4) {
                        date = +date.slice(0, 2) > 23 ? '' : `0000-01-01T${date}Z`;
                    }
                    hasDate = fasttype !== 4;
                    hasTime = fasttype !== 3;
                }
            else {
                let match = date.match(DATE_TIME_RE);
                if (match) {
                    if (!match[1]) {
                        hasDate = false;
                        date = `0000-01-01T${date}`;
                    }
                    hasTime = !!match[2];
                    // Make sure to use T instead of a space. Breaks in case of extreme values otherwise.
                    hasTime && date[10] === ' ' && (date = date.replace(' ', 'T'));
                    // Do not allow rollover hours.
                    if (match[2] && +match[2] > 23) {
                        date = '';
                    }
                    else {
                        offset = match[3] || null;
                        if (!offset && hasTime)
                            date += 'Z';
                    }
                }
                else {
                    date = '';
                }
            }
        }
        super(date);
        if (!isNaN(this.getTime())) {
            this.#hasDate = hasDate;
            this.#hasTime = hasTime;
            this.#offset = offset;
        }
    }
    isDateTime() {
        return this.#hasDate && this.#hasTime;
    }
    isLocal() {
        return !this.#hasDate || !this.#hasTime || !this.#offset;
    }
    isDate() {
        return this.#hasDate && !this.#hasTime;
    }
    isTime() {
        return this.#hasTime && !this.#hasDate;
    }
    isValid() {
        return this.#hasDate || this.#hasTime;
    }
    toISOString() {
        let iso = super.toISOString();
        // Local Date
        if (this.isDate())
            return iso.slice(0, 10);
        // Local Time
        if (this.isTime())
            return iso.slice(11, 23);
        // Local DateTime
        if (this.#offset === null)
            return iso.slice(0, -1);
        // Offset DateTime
        if (this.#offset === 'Z' || this.#offset === 'z')
            return iso;
        // This part is quite annoying: JS strips the original timezone from the ISO string representation
        // Instead of using a "modified" date and "Z", we restore the representation "as authored"
        let offset = (+(this.#offset.slice(1, 3)) * 60) + +(this.#offset.slice(4, 6));
        offset = this.#offset[0] === '-' ? offset : -offset;
        let offsetDate = new Date(this.getTime() - (offset * 60e3));
        return offsetDate.toISOString().slice(0, -1) + this.#offset;
    }
    static wrapAsOffsetDateTime(jsDate, offset = 'Z') {
        let date = new TomlDate(jsDate);
        date.#offset = offset;
        return date;
    }
    static wrapAsLocalDateTime(jsDate) {
        let date = new TomlDate(jsDate);
        date.#offset = null;
        return date;
    }
    static wrapAsLocalDate(jsDate) {
        let date = new TomlDate(jsDate);
        date.#hasTime = false;
        date.#offset = null;
        return date;
    }
    static wrapAsLocalTime(jsDate) {
        let date = new TomlDate(jsDate);
        date.#hasDate = false;
        date.#offset = null;
        return date;
    }
}

;// CONCATENATED MODULE: ./node_modules/smol-toml/dist/extract.js
/*!
 * Copyright (c) Squirrel Chat et al., All rights reserved.
 * SPDX-License-Identifier: BSD-3-Clause
 *
 * Redistribution and use in source and binary forms, with or without
 * modification, are permitted provided that the following conditions are met:
 *
 * 1. Redistributions of source code must retain the above copyright notice, this
 *    list of conditions and the following disclaimer.
 * 2. Redistributions in binary form must reproduce the above copyright notice,
 *    this list of conditions and the following disclaimer in the
 *    documentation and/or other materials provided with the distribution.
 * 3. Neither the name of the copyright holder nor the names of its contributors
 *    may be used to endorse or promote products derived from this software without
 *    specific prior written permission.
 *
 * THIS SOFTWARE IS PROVIDED BY THE COPYRIGHT HOLDERS AND CONTRIBUTORS "AS IS" AND
 * ANY EXPRESS OR IMPLIED WARRANTIES, INCLUDING, BUT NOT LIMITED TO, THE IMPLIED
 * WARRANTIES OF MERCHANTABILITY AND FITNESS FOR A PARTICULAR PURPOSE ARE
 * DISCLAIMED. IN NO EVENT SHALL THE COPYRIGHT HOLDER OR CONTRIBUTORS BE LIABLE
 * FOR ANY DIRECT, INDIRECT, INCIDENTAL, SPECIAL, EXEMPLARY, OR CONSEQUENTIAL
 * DAMAGES (INCLUDING, BUT NOT LIMITED TO, PROCUREMENT OF SUBSTITUTE GOODS OR
 * SERVICES; LOSS OF USE, DATA, OR PROFITS; OR BUSINESS INTERRUPTION) HOWEVER
 * CAUSED AND ON ANY THEORY OF LIABILITY, WHETHER IN CONTRACT, STRICT LIABILITY,
 * OR TORT (INCLUDING NEGLIGENCE OR OTHERWISE) ARISING IN ANY WAY OUT OF THE USE
 * OF THIS SOFTWARE, EVEN IF ADVISED OF THE POSSIBILITY OF SUCH DAMAGE.
 */




function isDigit(char, base = 10) {
    return base === 16
        ? (char > 0x2f && char < 0x3a) || (char > 0x40 && char < 0x47) || (char > 0x60 && char < 0x67)
        : (char > 0x2f && char < 0x30 + base);
}
function isEndOfValue(char, delim) {
    // Whitespace -- we're permissive on `\r` for performance; it'll be dealt with later anyway
    return char === 0x20 || char === 0x9 /* \t */ || char === 0xa /* \n */ || char === 0xd /* \r */ ||
        // Structure end or next value delimiter
        (delim && (char === delim || char === 0x2c /* , */)) ||
        // Comment
        char === 0x23; /* # */
}
/** @internal */
function extractValue(ctx, end) {
    let errPtr = ctx.p;
    let c = ctx.s.charCodeAt(ctx.p);
    // Structs
    if (c === 0x5b /* [ */ || c === 0x7b /* { */) {
        ctx.d-- || TomlError.x('document contains excessively nested structures. aborting.', ctx);
        let value = c === 0x5b /* [ */
            ? parseArray(ctx)
            : parseInlineTable(ctx);
        ctx.d++;
        return value;
    }
    // Strings
    if (c === 0x22 /* " */ || c === 0x27 /* ' */) {
        return parseString(ctx);
    }
    // Booleans
    // We can fast-path because the first character is enough to know the only possible value
    if (c === 0x74 /* t */) { // Only possible valid value is `true`
        if (ctx.s.charCodeAt(++ctx.p) !== 0x72 || ctx.s.charCodeAt(++ctx.p) !== 0x75 || ctx.s.charCodeAt(++ctx.p) !== 0x65)
            TomlError.x('invalid value', ctx, errPtr);
        return ctx.p++, true;
    }
    if (c === 0x66 /* f */) { // Only possible valid value is `false`
        if (ctx.s.charCodeAt(++ctx.p) !== 0x61 || ctx.s.charCodeAt(++ctx.p) !== 0x6c || ctx.s.charCodeAt(++ctx.p) !== 0x73 || ctx.s.charCodeAt(++ctx.p) !== 0x65)
            TomlError.x('invalid value', ctx, errPtr);
        return ctx.p++, false;
    }
    if (c === 0x2b /* + */ || c === 0x2d /* - */) {
        return parseNumber(ctx, ctx.p, ctx.s.charCodeAt(++ctx.p), 0x2c - c, end);
    }
    // Rough heuristic, but `parseDate` falls back to number parsing if it's a false positive.
    // e.g.: `a = 1\n-------------- = 1` would match this heuristic, but gracefully fallback to numbers.
    if (ctx.s.charCodeAt(ctx.p + 4) === 0x2d /* - */ && ctx.s.charCodeAt(ctx.p + 7) === 0x2d /* - */) {
        return parseDate(ctx, c, end);
    }
    // Same logic as above; `parseTime` falls back to number parsing if it's a false positive.
    if (ctx.s.charCodeAt(ctx.p + 2) === 0x3a /* : */) {
        return parseTime(ctx, c, end);
    }
    return parseNumber(ctx, ctx.p, c, 0, end);
}
// State:
// 0: init
// 1: integer
// 2: fractional dot
// 3: fractional
// 4: exponent letter
// 5: exponent
// 6: exponent sign
// 7: exponent with sign
// >9: underscore; see below
//     -> 12: was integer
//     -> 14: was fractional
//     -> 16: was exponent
// states 2-5, 14, 16 are ONLY permitted iif base === 10
function parseNumber(ctx, startPtr, startChr, sign, endChr) {
    let c = startChr;
    let state = 0;
    let hasUnderscores = false;
    // (+/-)inf
    if (c === 0x69 /* i */) {
        if (ctx.s.charCodeAt(++ctx.p) !== 0x6e || ctx.s.charCodeAt(++ctx.p) !== 0x66)
            TomlError.x('invalid value', ctx, startPtr);
        return ctx.p++, (sign || 1) / 0;
    }
    // (+/-)nan
    if (c === 0x6e /* n */) {
        if (ctx.s.charCodeAt(++ctx.p) !== 0x61 || ctx.s.charCodeAt(++ctx.p) !== 0x6e)
            TomlError.x('invalid value', ctx, startPtr);
        return ctx.p++, NaN;
    }
    // Leading zero
    // Only allowed cases: `0<EOV>`, `0.(...)`, `0e(...)`, `0x(...)`, `0b(...)`, `0o(...)`
    // FWIW, `0e(...)` is a stupid case, but it's not banned per-se so we have to parse it
    if (c === 0x30 /* 0 */) {
        if (++ctx.p >= ctx.s.length || isEndOfValue(c = ctx.s.charCodeAt(ctx.p), endChr))
            return ctx.bi === true ? 0n : 0; // note: conveniently deals with `-0`
        if (!sign) {
            if (c === 0x78 /* x */)
                return parseIntegerBaseN(ctx, startPtr, 16, endChr);
            else if (c === 0x62 /* b */)
                return parseIntegerBaseN(ctx, startPtr, 2, endChr);
            else if (c === 0x6f /* o */)
                return parseIntegerBaseN(ctx, startPtr, 8, endChr);
        }
        if (c === 0x2e /* . */)
            state = 2;
        else if (c === 0x65 /* e */ || c === 0x45 /* E */)
            state = 4;
        else
            TomlError.x('illegal leading zero', ctx, startPtr);
    }
    // If the 1st char is not a digit by now, then it's not a valid TOML value at all
    else if (!isDigit(c))
        TomlError.x('invalid value', ctx, startPtr);
    while (++ctx.p < ctx.s.length && (c = ctx.s.charCodeAt(ctx.p), !isEndOfValue(c, endChr))) {
        if (!state)
            state = 1; // Detects single-digit numbers we can use a fast parse path for
        // The way the states are numbered is not random: underscores are always permitted in odd-numbered states and
        // never permitted in even-numbered ones.
        if (c === 0x5f /* _ */) {
            if (!(state & 1))
                TomlError.x('illegal underscore', ctx);
            state += 11; // 11 is a marker that makes the state even and greater than 9; see the numbering + rationale above
            hasUnderscores = true;
        }
        // Transition to fractional part.
        else if (state === 1 && c === 0x2e /* . */)
            state = 2;
        // Transition to exponent part.
        else if ((state === 1 || state === 3) && (c === 0x65 /* e */ || c === 0x45 /* E */))
            state = 4;
        // + and - are permitted in state 4 only (handled before entering the function for state 0)
        else if (state === 4 && (c === 0x2b /* + */ || c === 0x2d /* - */)) {
            state = 6;
        }
        // All special cases have been handled; only digits are allowed here
        else if (!isDigit(c))
            TomlError.x(`illegal character in numeric literal`, ctx);
        // Clear state flags
        else if (state > 9)
            state -= 11;
        else if (!(state & 1))
            state++;
    }
    // Single-char number; we can fast-path these very easily.
    if (!state) {
        let val = (startChr - 0x30 /* 0 */) * (sign || 1);
        return ctx.bi === true ? BigInt(val) : val;
    }
    // Even-numbered states absolutely require a digit next; not even end of value is permitted
    if (!(state & 1))
        TomlError.x('unfinished numeric value', ctx, startPtr);
    let str = ctx.s.slice(startPtr, ctx.p);
    if (hasUnderscores)
        str = str.replaceAll('_', ''); // perf: replaceAll 1.25x faster than replace with a regex
    return state > 1
        ? parseFloat(str)
        : parseInteger(ctx, str, 10, startPtr);
}
function parseIntegerBaseN(ctx, startPtr, base, endChr) {
    let c, underscore = 1;
    while (++ctx.p < ctx.s.length && (c = ctx.s.charCodeAt(ctx.p), !isEndOfValue(c, endChr))) {
        if (c === 0x5f /* _ */) {
            if (underscore & 1)
                TomlError.x('illegal underscore', ctx);
            underscore = 3;
        }
        // We only need to check if the number is a valid digit, nothing else is permitted
        else if (!isDigit(c, base))
            TomlError.x(`illegal character in numeric literal`, ctx);
        // Clear underscore flag
        else if (underscore & 1)
            underscore--;
    }
    // Trailing underscore is not allowed
    if (underscore & 1)
        TomlError.x('unfinished numeric value', ctx);
    let str = ctx.s.slice(startPtr + 2, ctx.p);
    if (underscore)
        str = str.replaceAll('_', ''); // perf: replaceAll 1.25x faster than replace with a regex
    return parseInteger(ctx, str, base, startPtr);
}
function parseInteger(ctx, str, base, startPtr) {
    if (ctx.bi !== true)
        int: {
            let val = parseInt(str, base);
            if (!Number.isSafeInteger(val)) {
                if (ctx.bi)
                    break int;
                TomlError.x('integer value cannot be represented losslessly', ctx, startPtr);
            }
            return val;
        }
    return base === 10 ? BigInt(str) : BigInt((base === 2 ? '0b' : base === 8 ? '0o' : '0x') + str);
}
function parseDate(ctx, c, endChr) {
    let startPtr = ctx.p++, unsafeSeparator;
    if (!isDigit(c) ||
        !isDigit(ctx.s.charCodeAt(ctx.p++)) ||
        !isDigit(ctx.s.charCodeAt(ctx.p++)) ||
        !isDigit(ctx.s.charCodeAt(ctx.p++))) {
        return parseNumber(ctx, ctx.p = startPtr, c, 0, endChr);
    }
    ctx.p += 5;
    if (!isDigit(ctx.s.charCodeAt(ctx.p++)))
        TomlError.x('invalid date-time: date part is malformed', ctx, startPtr);
    if (ctx.p >= ctx.s.length || (((c = ctx.s.charCodeAt(ctx.p)) !== 0x20 || (unsafeSeparator = true, !isDigit(ctx.s.charCodeAt(ctx.p + 1)))) && c !== 0x54 /* T */ && c !== 0x74 /* t */)) {
        let t = ctx.s.slice(startPtr, ctx.p);
        return readDate(ctx, t, 3, false, startPtr);
    }
    if (ctx.s.charCodeAt(ctx.p += 3) !== 0x3a /* : */)
        TomlError.x('invalid date-time: time part is malformed', ctx, startPtr);
    if (ctx.s.charCodeAt(ctx.p += 3) === 0x3a /* : */)
        ctx.p += 3;
    if (ctx.s.charCodeAt(ctx.p) === 0x2e /* . */)
        while (isDigit(ctx.s.charCodeAt(++ctx.p)))
            ;
    if (c = ctx.s.charCodeAt(ctx.p)) {
        if (c === 0x5a /* Z */ || c === 0x7a /* z */) {
            let t = ctx.s.slice(startPtr, ++ctx.p);
            return readDate(ctx, t, 1, unsafeSeparator, startPtr, '[+00:00]');
        }
        if (c === 0x2b /* + */ || c === 0x2d /* - */) {
            // Temporal's ZonedDateTime is weird asf when it comes to dealing with traditional offsets...
            // It's 1.2x faster to allocate a new string to pass to ZDT than use Instant.toZonedDateTimeISO
            let t = ctx.s.slice(startPtr, ctx.p += 6);
            return readDate(ctx, t, 1, unsafeSeparator, startPtr, !ctx.ld && ('[' + ctx.s.slice(ctx.p - 6, ctx.p) + ']'));
        }
    }
    let t = ctx.s.slice(startPtr, ctx.p);
    return readDate(ctx, t, 2, unsafeSeparator, startPtr);
}
function parseTime(ctx, c, endChr) {
    let start = ctx.p;
    if (!isDigit(c) || !isDigit(ctx.s.charCodeAt(++ctx.p))) {
        return parseNumber(ctx, --ctx.p, c, 0, endChr);
    }
    if (ctx.s.charCodeAt(ctx.p += 4) === 0x3a /* : */)
        ctx.p += 3;
    if (ctx.s.charCodeAt(ctx.p) === 0x2e /* . */)
        while (isDigit(ctx.s.charCodeAt(++ctx.p)))
            ;
    let t = ctx.s.slice(start, ctx.p);
    return readDate(ctx, t, 4, false, start);
}
function readDate(ctx, str, type, unsafeDelim, errPtr, temporalSuffix) {
    if (ctx.ld) {
        let date = new TomlDate(str, type, unsafeDelim);
        if (!date.isValid())
            TomlError.x('invalid date', ctx, errPtr);
        return date;
    }
    try {
        if (temporalSuffix)
            str += temporalSuffix;
        switch (type) {
            case 1: return Temporal.ZonedDateTime.from(str);
            case 2: return Temporal.PlainDateTime.from(str);
            case 3: return Temporal.PlainDate.from(str);
            case 4: return Temporal.PlainTime.from(str);
        }
    }
    catch (e) {
        TomlError.x(e instanceof Error ? e.message : '' + e, ctx, errPtr);
    }
}

;// CONCATENATED MODULE: ./node_modules/smol-toml/dist/util.js
/*!
 * Copyright (c) Squirrel Chat et al., All rights reserved.
 * SPDX-License-Identifier: BSD-3-Clause
 *
 * Redistribution and use in source and binary forms, with or without
 * modification, are permitted provided that the following conditions are met:
 *
 * 1. Redistributions of source code must retain the above copyright notice, this
 *    list of conditions and the following disclaimer.
 * 2. Redistributions in binary form must reproduce the above copyright notice,
 *    this list of conditions and the following disclaimer in the
 *    documentation and/or other materials provided with the distribution.
 * 3. Neither the name of the copyright holder nor the names of its contributors
 *    may be used to endorse or promote products derived from this software without
 *    specific prior written permission.
 *
 * THIS SOFTWARE IS PROVIDED BY THE COPYRIGHT HOLDERS AND CONTRIBUTORS "AS IS" AND
 * ANY EXPRESS OR IMPLIED WARRANTIES, INCLUDING, BUT NOT LIMITED TO, THE IMPLIED
 * WARRANTIES OF MERCHANTABILITY AND FITNESS FOR A PARTICULAR PURPOSE ARE
 * DISCLAIMED. IN NO EVENT SHALL THE COPYRIGHT HOLDER OR CONTRIBUTORS BE LIABLE
 * FOR ANY DIRECT, INDIRECT, INCIDENTAL, SPECIAL, EXEMPLARY, OR CONSEQUENTIAL
 * DAMAGES (INCLUDING, BUT NOT LIMITED TO, PROCUREMENT OF SUBSTITUTE GOODS OR
 * SERVICES; LOSS OF USE, DATA, OR PROFITS; OR BUSINESS INTERRUPTION) HOWEVER
 * CAUSED AND ON ANY THEORY OF LIABILITY, WHETHER IN CONTRACT, STRICT LIABILITY,
 * OR TORT (INCLUDING NEGLIGENCE OR OTHERWISE) ARISING IN ANY WAY OUT OF THE USE
 * OF THIS SOFTWARE, EVEN IF ADVISED OF THE POSSIBILITY OF SUCH DAMAGE.
 */

/** @internal */
function skipComment(ctx) {
    for (; ctx.p < ctx.s.length; ctx.p++) {
        let c = ctx.s.charCodeAt(ctx.p);
        if (c === 0xa /* \n */)
            break;
        if (c === 0xd /* \r */ && ctx.s.charCodeAt(ctx.p + 1) === 0xa /* \n */) {
            ctx.p++;
            break;
        }
        if ((c < 0x20 && c !== 0x9 /* \t */) || c === 0x7f) {
            TomlError.x('control characters are not allowed in comments', ctx);
        }
    }
}
/** @internal */
function skipVoid(ctx, banNewLines, banComments) {
    let c;
    while (ctx.p < ctx.s.length) {
        while (ctx.p < ctx.s.length && ((c = ctx.s.charCodeAt(ctx.p)) === 0x20 ||
            c === 0x9 /* \t */ ||
            (!banNewLines &&
                (c === 0xa /* \n */ || (c === 0xd /* \r */ && ctx.s.charCodeAt(ctx.p + 1) === 0xa /* \n */)))))
            ctx.p++;
        if (banComments || c !== 0x23 /* # */)
            break;
        skipComment(ctx);
    }
}

;// CONCATENATED MODULE: ./node_modules/smol-toml/dist/struct.js
/*!
 * Copyright (c) Squirrel Chat et al., All rights reserved.
 * SPDX-License-Identifier: BSD-3-Clause
 *
 * Redistribution and use in source and binary forms, with or without
 * modification, are permitted provided that the following conditions are met:
 *
 * 1. Redistributions of source code must retain the above copyright notice, this
 *    list of conditions and the following disclaimer.
 * 2. Redistributions in binary form must reproduce the above copyright notice,
 *    this list of conditions and the following disclaimer in the
 *    documentation and/or other materials provided with the distribution.
 * 3. Neither the name of the copyright holder nor the names of its contributors
 *    may be used to endorse or promote products derived from this software without
 *    specific prior written permission.
 *
 * THIS SOFTWARE IS PROVIDED BY THE COPYRIGHT HOLDERS AND CONTRIBUTORS "AS IS" AND
 * ANY EXPRESS OR IMPLIED WARRANTIES, INCLUDING, BUT NOT LIMITED TO, THE IMPLIED
 * WARRANTIES OF MERCHANTABILITY AND FITNESS FOR A PARTICULAR PURPOSE ARE
 * DISCLAIMED. IN NO EVENT SHALL THE COPYRIGHT HOLDER OR CONTRIBUTORS BE LIABLE
 * FOR ANY DIRECT, INDIRECT, INCIDENTAL, SPECIAL, EXEMPLARY, OR CONSEQUENTIAL
 * DAMAGES (INCLUDING, BUT NOT LIMITED TO, PROCUREMENT OF SUBSTITUTE GOODS OR
 * SERVICES; LOSS OF USE, DATA, OR PROFITS; OR BUSINESS INTERRUPTION) HOWEVER
 * CAUSED AND ON ANY THEORY OF LIABILITY, WHETHER IN CONTRACT, STRICT LIABILITY,
 * OR TORT (INCLUDING NEGLIGENCE OR OTHERWISE) ARISING IN ANY WAY OUT OF THE USE
 * OF THIS SOFTWARE, EVEN IF ADVISED OF THE POSSIBILITY OF SUCH DAMAGE.
 */




/** @internal */
function parseKey(ctx, end = 0x3d /* = */) {
    // States:
    // 0: before first char
    // 1: parsing bare key
    // 2: after key component
    let startPtr;
    let state = 0;
    let parsed = [];
    let sliceStart;
    let c = ctx.s.charCodeAt(startPtr = ctx.p);
    do {
        // End of key
        if (c === end) {
            if (!state)
                TomlError.x('unexpected end of key', ctx);
            if (state === 1)
                parsed.push(ctx.s.slice(sliceStart, ctx.p));
            return ctx.p++, parsed;
        }
        // Dotted key separator
        else if (c === 0x2e /* . */) {
            if (!state)
                TomlError.x('illegal empty bare key', ctx);
            if (state === 1)
                parsed.push(ctx.s.slice(sliceStart, ctx.p));
            state = 0;
        }
        // Quoted key
        else if (!state && (c === 0x22 /* " */ || c === 0x27 /* ' */)) {
            if (c === ctx.s.charCodeAt(ctx.p + 1) && c === ctx.s.charCodeAt(ctx.p + 2))
                TomlError.x('illegal quoted key: multiline strings are not allowed', ctx);
            parsed.push(parseString(ctx));
            state = 2;
            ctx.p--;
        }
        // Whitespace; no-op in state 0 and 2, end of bare key in state 1
        else if (c === 0x20 || c === 0x9 /* \t */) {
            if (state === 1) {
                parsed.push(ctx.s.slice(sliceStart, ctx.p));
                state = 2;
            }
        }
        // If state is post-key, no character is allowed; otherwise ensure it's a bare-key component
        else if (state === 2 || (c < 0x30 && c !== 0x2d /* - */) || (c > 0x39 && c < 0x41) || (c > 0x5a && c < 0x61 && c !== 0x5f /* _ */) || c > 0x7a) {
            TomlError.x('illegal character in key', ctx);
        }
        // Illegal character
        else if (!state) {
            state = 1;
            sliceStart = ctx.p;
        }
    } while (c = ctx.s.charCodeAt(++ctx.p));
    TomlError.x('incomplete key-value: cannot find end of key', ctx, startPtr);
}
/** @internal */
function parseInlineTable(ctx) {
    let startPtr = ctx.p++;
    let res = Object.create(null);
    let seen = new Set();
    let c;
    while (ctx.p < ctx.s.length) {
        skipVoid(ctx);
        if ((c = ctx.s.charCodeAt(ctx.p)) === 0x7d /* } */) {
            ctx.p++;
            return res;
        }
        let k;
        let t = res;
        let hasOwn = false;
        let errPtr = ctx.p;
        let key = parseKey(ctx);
        for (let i = 0; i < key.length; i++) {
            if (i)
                t = hasOwn ? t[k] : (t[k] = Object.create(null));
            k = key[i];
            if ((hasOwn = Object.hasOwn(t, k)) && (typeof t[k] !== 'object' || seen.has(t[k]))) {
                TomlError.x('trying to redefine an already defined value', ctx, errPtr);
            }
            let unsafe = k === '__proto__';
            if (ctx.uk && (unsafe || k === 'constructor')) {
                t = ctx.uk !== 1 && TomlError.x('document contains an unsafe property', ctx, errPtr);
                break;
            }
            if (!hasOwn && unsafe) {
                Object.defineProperty(t, k, { enumerable: true, configurable: true, writable: true });
            }
        }
        if (hasOwn) {
            TomlError.x('trying to redefine an already defined value', ctx, errPtr);
        }
        skipVoid(ctx, true, true);
        let value = extractValue(ctx, 0x7d /* } */);
        if (t && typeof (t[k] = value) === 'object')
            seen.add(value);
        skipVoid(ctx);
        if ((c = ctx.s.charCodeAt(ctx.p++)) === 0x7d /* } */) {
            return res;
        }
        if (c !== 0x2c /* , */)
            TomlError.x('expected comma or end of structure', ctx, ctx.p - 1);
    }
    TomlError.x('unfinished table', ctx, startPtr);
}
/** @internal */
function parseArray(ctx) {
    let startPtr = ctx.p++;
    let res = [];
    let c;
    while (ctx.p < ctx.s.length) {
        skipVoid(ctx);
        if ((c = ctx.s.charCodeAt(ctx.p)) === 0x5d /* ] */) {
            ctx.p++;
            return res;
        }
        res.push(extractValue(ctx, 0x5d /* ] */));
        skipVoid(ctx);
        if ((c = ctx.s.charCodeAt(ctx.p++)) === 0x5d /* ] */) {
            return res;
        }
        if (c !== 0x2c /* , */)
            TomlError.x('expected comma or end of structure', ctx, ctx.p - 1);
    }
    TomlError.x('unfinished array', ctx, startPtr);
}

;// CONCATENATED MODULE: ./node_modules/smol-toml/dist/parse.js
/*!
 * Copyright (c) Squirrel Chat et al., All rights reserved.
 * SPDX-License-Identifier: BSD-3-Clause
 *
 * Redistribution and use in source and binary forms, with or without
 * modification, are permitted provided that the following conditions are met:
 *
 * 1. Redistributions of source code must retain the above copyright notice, this
 *    list of conditions and the following disclaimer.
 * 2. Redistributions in binary form must reproduce the above copyright notice,
 *    this list of conditions and the following disclaimer in the
 *    documentation and/or other materials provided with the distribution.
 * 3. Neither the name of the copyright holder nor the names of its contributors
 *    may be used to endorse or promote products derived from this software without
 *    specific prior written permission.
 *
 * THIS SOFTWARE IS PROVIDED BY THE COPYRIGHT HOLDERS AND CONTRIBUTORS "AS IS" AND
 * ANY EXPRESS OR IMPLIED WARRANTIES, INCLUDING, BUT NOT LIMITED TO, THE IMPLIED
 * WARRANTIES OF MERCHANTABILITY AND FITNESS FOR A PARTICULAR PURPOSE ARE
 * DISCLAIMED. IN NO EVENT SHALL THE COPYRIGHT HOLDER OR CONTRIBUTORS BE LIABLE
 * FOR ANY DIRECT, INDIRECT, INCIDENTAL, SPECIAL, EXEMPLARY, OR CONSEQUENTIAL
 * DAMAGES (INCLUDING, BUT NOT LIMITED TO, PROCUREMENT OF SUBSTITUTE GOODS OR
 * SERVICES; LOSS OF USE, DATA, OR PROFITS; OR BUSINESS INTERRUPTION) HOWEVER
 * CAUSED AND ON ANY THEORY OF LIABILITY, WHETHER IN CONTRACT, STRICT LIABILITY,
 * OR TORT (INCLUDING NEGLIGENCE OR OTHERWISE) ARISING IN ANY WAY OUT OF THE USE
 * OF THIS SOFTWARE, EVEN IF ADVISED OF THE POSSIBILITY OF SUCH DAMAGE.
 */




function peekTable(ctx, key, table, meta, type) {
    let t = table;
    let m = meta;
    let k;
    let hasOwn = false;
    let state;
    for (let i = 0; i < key.length; i++) {
        if (i) {
            t = hasOwn ? t[k] : (t[k] = Object.create(null));
            m = (state = m[k]).c;
            if (type === 0 /* Type.DOTTED */ && (state.t === 1 /* Type.EXPLICIT */ || state.t === 2 /* Type.ARRAY */)) {
                return null;
            }
            if (state.t === 2 /* Type.ARRAY */) {
                let l = t.length - 1;
                t = t[l];
                m = m[l].c;
            }
        }
        k = key[i];
        if ((hasOwn = Object.hasOwn(t, k)) && m[k]?.t === 0 /* Type.DOTTED */ && m[k]?.d) {
            return null;
        }
        if (!hasOwn) {
            let unsafe = k === '__proto__';
            if (ctx.uk && (unsafe || k === 'constructor'))
                return false;
            if (unsafe) {
                Object.defineProperty(t, k, { enumerable: true, configurable: true, writable: true });
                Object.defineProperty(m, k, { enumerable: true, configurable: true, writable: true });
            }
            m[k] = {
                t: i < key.length - 1 && type === 2 /* Type.ARRAY */
                    ? 3 /* Type.ARRAY_DOTTED */ : type,
                d: false,
                i: 0,
                c: Object.create(null),
            };
        }
    }
    state = m[k];
    if (state.t !== type && !(type === 1 /* Type.EXPLICIT */ && state.t === 3 /* Type.ARRAY_DOTTED */)) {
        // Bad key type!
        return null;
    }
    if (type === 2 /* Type.ARRAY */) {
        if (!state.d) {
            state.d = true;
            t[k] = [];
        }
        t[k].push(t = Object.create(null));
        state.c[state.i++] = (state = { t: 1 /* Type.EXPLICIT */, d: false, i: 0, c: Object.create(null) });
    }
    if (state.d) {
        // Redefining a table!
        return null;
    }
    state.d = true;
    if (type === 1 /* Type.EXPLICIT */) {
        t = hasOwn ? t[k] : (t[k] = Object.create(null));
    }
    else if (type === 0 /* Type.DOTTED */ && hasOwn) {
        return null;
    }
    return [k, t, state.c];
}
function validateTablePeek(ctx, peek, ptr) {
    if (peek === null || ctx.uk === 2)
        TomlError.x(peek === null
            ? 'trying to redefine an already defined table or value'
            : 'document contains an unsafe property', ctx, ptr);
}
function parse(toml, options = {}) {
    let ctx = {
        s: toml,
        p: 0,
        d: options.maxDepth ?? 1000,
        bi: options.integersAsBigInt ?? false,
        ld: options.useLegacyDate ?? true,
        uk: options.unsafeKeyBehaviour === 'throw' ? 2 : options.unsafeKeyBehaviour === 'drop' ? 1 : 0,
    };
    let res = Object.create(null);
    let meta = Object.create(null);
    let tmp;
    let skipping = false;
    let tbl = res;
    let m = meta;
    // BOM is allowed, skip.
    // JS is UTF-16, so we have to check for the UTF-16 BOM instead of the UTF-8 BOM sequence!
    if (toml.charCodeAt(0) === 0xfeff)
        ctx.p++;
    skipVoid(ctx);
    while (ctx.p < toml.length) {
        if (toml.charCodeAt(ctx.p) === 0x5b /* [ */) {
            let isTableArray = toml.charCodeAt(++ctx.p) === 0x5b; /* [ */
            tmp = ctx.p += +isTableArray;
            skipping = false;
            let k = parseKey(ctx, 0x5d /* ] */);
            if (isTableArray) {
                if (toml.charCodeAt(ctx.p) !== 0x5d /* ] */) {
                    TomlError.x('expected end of table array declaration', ctx);
                }
                ctx.p++;
            }
            let p = peekTable(ctx, k, res, meta, isTableArray ? 2 /* Type.ARRAY */ : 1 /* Type.EXPLICIT */);
            if (!p) {
                validateTablePeek(ctx, p, tmp);
                skipping = true;
            }
            else {
                m = p[2];
                tbl = p[1];
            }
        }
        else {
            tmp = ctx.p;
            let k = parseKey(ctx);
            let p = peekTable(ctx, k, tbl, m, 0 /* Type.DOTTED */);
            if (!p && !skipping)
                validateTablePeek(ctx, p, tmp);
            skipVoid(ctx, true, true);
            let v = extractValue(ctx, void 0);
            if (p && !skipping)
                p[1][p[0]] = v;
        }
        skipVoid(ctx, true);
        if (ctx.p < toml.length && (tmp = toml.charCodeAt(ctx.p)) !== 0xa /* \n */ && (tmp !== 0xd /* \r */ || toml.charCodeAt(ctx.p + 1) !== 0xa /* \n */)) {
            TomlError.x('each key-value declaration must be followed by an end-of-line', ctx);
        }
        skipVoid(ctx);
    }
    return res;
}

;// CONCATENATED MODULE: ./node_modules/smol-toml/dist/stringify.js
/*!
 * Copyright (c) Squirrel Chat et al., All rights reserved.
 * SPDX-License-Identifier: BSD-3-Clause
 *
 * Redistribution and use in source and binary forms, with or without
 * modification, are permitted provided that the following conditions are met:
 *
 * 1. Redistributions of source code must retain the above copyright notice, this
 *    list of conditions and the following disclaimer.
 * 2. Redistributions in binary form must reproduce the above copyright notice,
 *    this list of conditions and the following disclaimer in the
 *    documentation and/or other materials provided with the distribution.
 * 3. Neither the name of the copyright holder nor the names of its contributors
 *    may be used to endorse or promote products derived from this software without
 *    specific prior written permission.
 *
 * THIS SOFTWARE IS PROVIDED BY THE COPYRIGHT HOLDERS AND CONTRIBUTORS "AS IS" AND
 * ANY EXPRESS OR IMPLIED WARRANTIES, INCLUDING, BUT NOT LIMITED TO, THE IMPLIED
 * WARRANTIES OF MERCHANTABILITY AND FITNESS FOR A PARTICULAR PURPOSE ARE
 * DISCLAIMED. IN NO EVENT SHALL THE COPYRIGHT HOLDER OR CONTRIBUTORS BE LIABLE
 * FOR ANY DIRECT, INDIRECT, INCIDENTAL, SPECIAL, EXEMPLARY, OR CONSEQUENTIAL
 * DAMAGES (INCLUDING, BUT NOT LIMITED TO, PROCUREMENT OF SUBSTITUTE GOODS OR
 * SERVICES; LOSS OF USE, DATA, OR PROFITS; OR BUSINESS INTERRUPTION) HOWEVER
 * CAUSED AND ON ANY THEORY OF LIABILITY, WHETHER IN CONTRACT, STRICT LIABILITY,
 * OR TORT (INCLUDING NEGLIGENCE OR OTHERWISE) ARISING IN ANY WAY OUT OF THE USE
 * OF THIS SOFTWARE, EVEN IF ADVISED OF THE POSSIBILITY OF SUCH DAMAGE.
 */
let BARE_KEY = /^[a-z0-9-_]+$/i;
let HAS_WELLFORMED = !!(''.isWellFormed);
function extendedTypeOf(obj) {
    let type = typeof obj;
    if (type === 'object') {
        if (Array.isArray(obj))
            return 'array';
        if (typeof obj.getUTCDate === 'function' && obj instanceof Date)
            return 'date';
        if (globalThis.Temporal) {
            if (obj.until) {
                if (obj instanceof Temporal.ZonedDateTime)
                    return 'temporal/tz+uc';
                if (obj instanceof Temporal.PlainDateTime || obj instanceof Temporal.PlainDate)
                    return 'temporal/uc';
                if (obj instanceof Temporal.PlainTime || obj instanceof Temporal.Instant)
                    return 'temporal';
                if (obj instanceof Temporal.PlainYearMonth)
                    return 'temporal/x';
            }
            else if ((obj.toPlainDate && obj instanceof Temporal.PlainMonthDay) ||
                (obj.negated && obj instanceof Temporal.Duration)) {
                return 'temporal/x';
            }
        }
    }
    return type;
}
function isArrayOfTables(obj) {
    for (let i = 0; i < obj.length; i++) {
        if (extendedTypeOf(obj[i]) !== 'object')
            return false;
    }
    return obj.length != 0;
}
function formatWellFormedStringUnchecked(s) {
    return JSON.stringify(s).replaceAll('\x7f', '\\u007f');
}
function formatString(s) {
    return formatWellFormedStringUnchecked(HAS_WELLFORMED ? s.toWellFormed() : s);
}
function formatKey(s) {
    if (BARE_KEY.test(s))
        return s;
    if (HAS_WELLFORMED && !s.isWellFormed())
        throw new RangeError('key contains illegal lone surrogates');
    return formatWellFormedStringUnchecked(s);
}
function stringifyValue(val, type, depth, numberAsFloat, strictTemporal) {
    if (depth === 0) {
        throw new Error('Could not stringify the object: maximum object depth exceeded');
    }
    switch (type) {
        // @ts-expect-error -- intentional fallthrough case
        case 'number':
            if (isNaN(val))
                return 'nan';
            if (val === Infinity)
                return 'inf';
            if (val === -Infinity)
                return '-inf';
            if (Number.isInteger(val) && (numberAsFloat || !Number.isSafeInteger(val)))
                return val.toFixed(1);
        case 'bigint':
        case 'boolean':
        case 'temporal':
            return val.toString();
        case 'string':
            return formatString(val);
        case 'date':
            if (isNaN(val.getTime()))
                throw new TypeError('cannot serialize invalid date');
            return val.toISOString();
        case 'object':
            return stringifyInlineTable(val, depth, numberAsFloat, strictTemporal);
        case 'array':
            return stringifyArray(val, depth, numberAsFloat, strictTemporal);
        // @ts-expect-error -- intentional fallthrough case
        case 'temporal/tz+uc':
            if (strictTemporal) {
                let tz = val.timeZoneId;
                let tzc = tz.charCodeAt(0);
                if (
                // Classic offset
                tzc !== 0x2b /* + */ && tzc !== 0x2d /* - */ &&
                    (
                    // Fast pre-check pass; see below for the actually accepted values
                    (tzc !== 0x55 /* U */ && tzc !== 0x47 /* G */ && tzc !== 0x5a /* Z */ && tzc !== 0x45 /* E */) ||
                        (
                        // UTC and its aliases; Temporal implementations don't all canonicalise unfortunately
                        tz !== 'UTC' && tz !== 'UCT' && tz !== 'Universal' && tz !== 'Zulu' &&
                            // GMT is a TZ but it's for all intents and purposes equivalent to UTC. Safe to downgrade.
                            !tz.startsWith('GMT') && tz !== 'Greenwich' &&
                            // Etc/* are all safe to downgrade to offset (either UTC, GMT, or offset)
                            !tz.startsWith('Etc/')))) {
                    throw new TypeError('Temporal objects with an IANA timezone are not allowed in Temporal strict mode');
                }
            }
        case 'temporal/uc':
            if (strictTemporal && val.calendarId !== 'iso8601')
                throw new TypeError('Temporal objects with a non-default calendar are not allowed in Temporal strict mode');
            return val.toString({
                calendarName: 'never',
                timeZoneName: 'never',
            });
        case 'temporal/x':
            throw new TypeError('Unsupported ' + val[Symbol.toStringTag]);
    }
}
function stringifyInlineTable(obj, depth, numberAsFloat, strictTemporal) {
    let keys = Object.keys(obj);
    if (keys.length === 0)
        return '{}';
    let res = '{ ';
    for (let i = 0; i < keys.length; i++) {
        let k = keys[i];
        if (i)
            res += ', ';
        res += formatKey(k) + ' = ' + stringifyValue(obj[k], extendedTypeOf(obj[k]), depth - 1, numberAsFloat, strictTemporal);
    }
    return res + ' }';
}
function stringifyArray(array, depth, numberAsFloat, strictTemporal) {
    if (array.length === 0)
        return '[]';
    let res = '[ ';
    for (let i = 0; i < array.length; i++) {
        if (i)
            res += ', ';
        if (array[i] === null || array[i] === void 0) {
            throw new TypeError('arrays cannot contain null or undefined values');
        }
        res += stringifyValue(array[i], extendedTypeOf(array[i]), depth - 1, numberAsFloat, strictTemporal);
    }
    return res + ' ]';
}
function stringifyArrayTable(array, key, depth, numberAsFloat, strictTemporal) {
    if (depth === 0) {
        throw new Error('Could not stringify the object: maximum object depth exceeded');
    }
    let res = '';
    for (let i = 0; i < array.length; i++) {
        res += `${res && '\n'}[[${key}]]\n`;
        res += stringifyTable(0, array[i], key, depth, numberAsFloat, strictTemporal);
    }
    return res;
}
function stringifyTable(tableKey, obj, prefix, depth, numberAsFloat, strictTemporal) {
    if (depth === 0) {
        throw new Error('Could not stringify the object: maximum object depth exceeded');
    }
    let preamble = '';
    let tables = '';
    let keys = Object.keys(obj);
    for (let i = 0; i < keys.length; i++) {
        let k = keys[i];
        if (obj[k] !== null && obj[k] !== void 0) {
            let type = extendedTypeOf(obj[k]);
            if (type === 'symbol' || type === 'function') {
                throw new TypeError(`cannot serialize values of type '${type}'`);
            }
            let key = formatKey(k);
            if (type === 'array' && isArrayOfTables(obj[k])) {
                tables += (tables && '\n') + stringifyArrayTable(obj[k], prefix ? `${prefix}.${key}` : key, depth - 1, numberAsFloat, strictTemporal);
            }
            else if (type === 'object') {
                let tblKey = prefix ? `${prefix}.${key}` : key;
                tables += (tables && '\n') + stringifyTable(tblKey, obj[k], tblKey, depth - 1, numberAsFloat, strictTemporal);
            }
            else {
                preamble += key;
                preamble += ' = ';
                preamble += stringifyValue(obj[k], type, depth, numberAsFloat, strictTemporal);
                preamble += '\n';
            }
        }
    }
    if (tableKey && (preamble || !tables)) // Create table only if necessary
        preamble = preamble ? `[${tableKey}]\n${preamble}` : `[${tableKey}]`;
    return preamble && tables
        ? `${preamble}\n${tables}`
        : preamble || tables;
}
function stringify(obj, { maxDepth = 1000, numbersAsFloat = false, strictTemporal = false } = {}) {
    if (extendedTypeOf(obj) !== 'object') {
        throw new TypeError('stringify can only be called with an object');
    }
    let str = stringifyTable(0, obj, '', maxDepth, numbersAsFloat, strictTemporal);
    if (str[str.length - 1] !== '\n')
        return str + '\n';
    return str;
}

;// CONCATENATED MODULE: ./node_modules/smol-toml/dist/index.js
/*!
 * Copyright (c) Squirrel Chat et al., All rights reserved.
 * SPDX-License-Identifier: BSD-3-Clause
 *
 * Redistribution and use in source and binary forms, with or without
 * modification, are permitted provided that the following conditions are met:
 *
 * 1. Redistributions of source code must retain the above copyright notice, this
 *    list of conditions and the following disclaimer.
 * 2. Redistributions in binary form must reproduce the above copyright notice,
 *    this list of conditions and the following disclaimer in the
 *    documentation and/or other materials provided with the distribution.
 * 3. Neither the name of the copyright holder nor the names of its contributors
 *    may be used to endorse or promote products derived from this software without
 *    specific prior written permission.
 *
 * THIS SOFTWARE IS PROVIDED BY THE COPYRIGHT HOLDERS AND CONTRIBUTORS "AS IS" AND
 * ANY EXPRESS OR IMPLIED WARRANTIES, INCLUDING, BUT NOT LIMITED TO, THE IMPLIED
 * WARRANTIES OF MERCHANTABILITY AND FITNESS FOR A PARTICULAR PURPOSE ARE
 * DISCLAIMED. IN NO EVENT SHALL THE COPYRIGHT HOLDER OR CONTRIBUTORS BE LIABLE
 * FOR ANY DIRECT, INDIRECT, INCIDENTAL, SPECIAL, EXEMPLARY, OR CONSEQUENTIAL
 * DAMAGES (INCLUDING, BUT NOT LIMITED TO, PROCUREMENT OF SUBSTITUTE GOODS OR
 * SERVICES; LOSS OF USE, DATA, OR PROFITS; OR BUSINESS INTERRUPTION) HOWEVER
 * CAUSED AND ON ANY THEORY OF LIABILITY, WHETHER IN CONTRACT, STRICT LIABILITY,
 * OR TORT (INCLUDING NEGLIGENCE OR OTHERWISE) ARISING IN ANY WAY OUT OF THE USE
 * OF THIS SOFTWARE, EVEN IF ADVISED OF THE POSSIBILITY OF SUCH DAMAGE.
 */





/** @deprecated use `import * as ... from 'smol-toml'` instead */
/* harmony default export */ const dist = ({ parse: parse, stringify: stringify, TomlDate: TomlDate, TomlError: TomlError });


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
/******/ 		id: moduleId,
/******/ 		loaded: false,
/******/ 		exports: {}
/******/ 	};
/******/ 
/******/ 	// Execute the module function
/******/ 	var threw = true;
/******/ 	try {
/******/ 		__webpack_modules__[moduleId].call(module.exports, module, module.exports, __nccwpck_require__);
/******/ 		threw = false;
/******/ 	} finally {
/******/ 		if(threw) delete __webpack_module_cache__[moduleId];
/******/ 	}
/******/ 
/******/ 	// Flag the module as loaded
/******/ 	module.loaded = true;
/******/ 
/******/ 	// Return the exports of the module
/******/ 	return module.exports;
/******/ }
/******/ 
/******/ // expose the modules object (__webpack_modules__)
/******/ __nccwpck_require__.m = __webpack_modules__;
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
/******/ /* webpack/runtime/ensure chunk */
/******/ (() => {
/******/ 	__nccwpck_require__.f = {};
/******/ 	// This file contains only the entry chunk.
/******/ 	// The chunk loading function for additional chunks
/******/ 	__nccwpck_require__.e = (chunkId) => {
/******/ 		return Promise.all(Object.keys(__nccwpck_require__.f).reduce((promises, key) => {
/******/ 			__nccwpck_require__.f[key](chunkId, promises);
/******/ 			return promises;
/******/ 		}, []));
/******/ 	};
/******/ })();
/******/ 
/******/ /* webpack/runtime/get javascript chunk filename */
/******/ (() => {
/******/ 	// This function allow to reference async chunks
/******/ 	__nccwpck_require__.u = (chunkId) => {
/******/ 		// return url for filenames based on template
/******/ 		return "" + chunkId + ".index.js";
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
/******/ /* webpack/runtime/node module decorator */
/******/ (() => {
/******/ 	__nccwpck_require__.nmd = (module) => {
/******/ 		module.paths = [];
/******/ 		if (!module.children) module.children = [];
/******/ 		return module;
/******/ 	};
/******/ })();
/******/ 
/******/ /* webpack/runtime/import chunk loading */
/******/ (() => {
/******/ 	// no baseURI
/******/ 	
/******/ 	// object to store loaded and loading chunks
/******/ 	// undefined = chunk not loaded, null = chunk preloaded/prefetched
/******/ 	// [resolve, Promise] = chunk loading, 0 = chunk loaded
/******/ 	var installedChunks = {
/******/ 		792: 0
/******/ 	};
/******/ 	
/******/ 	var installChunk = (data) => {
/******/ 		var {ids, modules, runtime} = data;
/******/ 		// add "modules" to the modules object,
/******/ 		// then flag all "ids" as loaded and fire callback
/******/ 		var moduleId, chunkId, i = 0;
/******/ 		for(moduleId in modules) {
/******/ 			if(__nccwpck_require__.o(modules, moduleId)) {
/******/ 				__nccwpck_require__.m[moduleId] = modules[moduleId];
/******/ 			}
/******/ 		}
/******/ 		if(runtime) runtime(__nccwpck_require__);
/******/ 		for(;i < ids.length; i++) {
/******/ 			chunkId = ids[i];
/******/ 			if(__nccwpck_require__.o(installedChunks, chunkId) && installedChunks[chunkId]) {
/******/ 				installedChunks[chunkId][0]();
/******/ 			}
/******/ 			installedChunks[ids[i]] = 0;
/******/ 		}
/******/ 	
/******/ 	}
/******/ 	
/******/ 	__nccwpck_require__.f.j = (chunkId, promises) => {
/******/ 			// import() chunk loading for javascript
/******/ 			var installedChunkData = __nccwpck_require__.o(installedChunks, chunkId) ? installedChunks[chunkId] : undefined;
/******/ 			if(installedChunkData !== 0) { // 0 means "already installed".
/******/ 	
/******/ 				// a Promise means "currently loading".
/******/ 				if(installedChunkData) {
/******/ 					promises.push(installedChunkData[1]);
/******/ 				} else {
/******/ 					if(true) { // all chunks have JS
/******/ 						// setup Promise in chunk cache
/******/ 						var promise = import("./" + __nccwpck_require__.u(chunkId)).then(installChunk, (e) => {
/******/ 							if(installedChunks[chunkId] !== 0) installedChunks[chunkId] = undefined;
/******/ 							throw e;
/******/ 						});
/******/ 						var promise = Promise.race([promise, new Promise((resolve) => (installedChunkData = installedChunks[chunkId] = [resolve]))])
/******/ 						promises.push(installedChunkData[1] = promise);
/******/ 					}
/******/ 				}
/******/ 			}
/******/ 	};
/******/ 	
/******/ 	// no prefetching
/******/ 	
/******/ 	// no preloaded
/******/ 	
/******/ 	// no external install chunk
/******/ 	
/******/ 	// no on chunks loaded
/******/ })();
/******/ 
/************************************************************************/
var __webpack_exports__ = {};

// EXTERNAL MODULE: ./src/inputs.ts
var src_inputs = __nccwpck_require__(38422);
// EXTERNAL MODULE: external "node:fs"
var external_node_fs_ = __nccwpck_require__(73024);
var external_node_fs_default = /*#__PURE__*/__nccwpck_require__.n(external_node_fs_);
// EXTERNAL MODULE: external "node:path"
var external_node_path_ = __nccwpck_require__(76760);
var external_node_path_default = /*#__PURE__*/__nccwpck_require__.n(external_node_path_);
// EXTERNAL MODULE: external "node:crypto"
var external_node_crypto_ = __nccwpck_require__(77598);
// EXTERNAL MODULE: ./src/beacon/attribution.ts
var attribution = __nccwpck_require__(29153);
// EXTERNAL MODULE: ./src/forward/endpoint.ts
var endpoint = __nccwpck_require__(14952);
// EXTERNAL MODULE: ./src/beacon/redact.ts
var redact = __nccwpck_require__(57983);
;// CONCATENATED MODULE: ./src/beacon/masked-values.ts


/**
 * The run's own secret values, masked wherever they appear in what we write, whatever their shape
 * (redact.ts, `setMaskedValues`), as the runner masks registered secrets in the job log: the values
 * of the environment variables the start step sees whose names say secret, and the forward headers.
 * The start step hands them to the collector and the post step in the collector's 0600 config file.
 */
// A part of the name (split at `_`, `-`, `.`) that says secret: OPENAI_API_KEY, GITHUB_TOKEN,
// DB_PASSWORD, NPMTOKEN, AZURE_CLIENT_SECRET, SSH_PRIVATE_KEY, ACTIONS_RUNTIME_TOKEN...
const SECRET_PART = /^(?:[A-Z0-9]*(?:TOKEN|SECRET|PASSWORD|PASSWD|APIKEY|CREDENTIALS?|PASSPHRASE)|KEY|PASS|PWD|AUTH|PRIVATE|SIGNATURE|COOKIE|SAS|PAT|SESSION|CERT)$/i;
// ...unless the name says the value is where the secret is, not the secret (SSH_AUTH_SOCK,
// GOOGLE_APPLICATION_CREDENTIALS_FILE, ACTIONS_ID_TOKEN_REQUEST_URL, KEY_PATH).
const NOT_THE_SECRET = /^(?:URL|URI|ENDPOINT|PATH|FILE|DIR|HOME|SOCK|NAME|TYPE|MODE|ENABLED|DISABLED|VERSION|HOST|PORT|REGION)$/i;
const NOT_SECRET_VALUE = /^(?:true|false|null|none|undefined|yes|no|on|off|\d+)$/i;
/** At most this many values, each cut at this length: the masking pattern stays small. */
const MAX_VALUES = 256;
const MAX_VALUE_LENGTH = 4096;
function isSecretEnvName(name) {
    const parts = name.split(/[_\-.]+/).filter(Boolean);
    if (parts.length === 0 || NOT_THE_SECRET.test(parts[parts.length - 1]))
        return false;
    return parts.some((part) => SECRET_PART.test(part));
}
/** The values to mask: secret-named variables' values (and their lines), header values and their credential parts. */
function secretValuesOf(env, headers = {}) {
    const values = new Set();
    const add = (value) => {
        const v = value.trim();
        if (v.length >= redact/* MIN_MASKED_LENGTH */.Ym && v.length <= MAX_VALUE_LENGTH && !NOT_SECRET_VALUE.test(v))
            values.add(v);
    };
    for (const [name, value] of Object.entries(env)) {
        if (!value || !isSecretEnvName(name))
            continue;
        add(value);
        // A multi-line secret (a key file in a variable) is also masked line by line, as the runner does.
        if (value.includes('\n'))
            for (const line of value.split(/\r?\n/))
                add(line);
    }
    // `Bearer <token>`: the credential alone too, as the step log masks it.
    for (const value of Object.values(headers))
        for (const part of (0,endpoint/* maskedPartsOfHeader */.Kl)(value))
            add(part);
    return [...values].slice(0, MAX_VALUES);
}

// EXTERNAL MODULE: ./src/handoff/workspace.ts
var workspace = __nccwpck_require__(84651);
// EXTERNAL MODULE: ./node_modules/smol-toml/dist/index.js + 8 modules
var dist = __nccwpck_require__(3292);
// EXTERNAL MODULE: ./src/handoff/collector-config.ts
var collector_config = __nccwpck_require__(63400);
;// CONCATENATED MODULE: ./src/harness/codex/config.ts


/** The root key and provider table that openai/codex-action adds to the config itself. */
const CODEX_ACTION_PROVIDER = 'codex-action-responses-proxy';
function otlpHttp(settings, signalPath) {
    return {
        'otlp-http': {
            // Codex uses the endpoint exactly as written: it does not append /v1/logs.
            endpoint: `${settings.endpoint}${signalPath}`,
            protocol: settings.protocol,
            headers: { [collector_config/* SECRET_HEADER */.NR]: settings.secret },
        },
    };
}
function otelTable(settings) {
    return {
        environment: settings.environment,
        log_user_prompt: settings.logUserPrompt,
        // Codex's default logs one codex.sse_event per streamed text delta, and we keep none of them.
        // With this off, a 1,100-word answer sends 28 log records (14 kB) instead of 1,110 (438 kB).
        log_sse_deltas: false,
        exporter: otlpHttp(settings, '/v1/logs'),
        // Without it Codex sends its metrics (token usage included) to Statsig, not to us.
        metrics_exporter: otlpHttp(settings, '/v1/metrics'),
        trace_exporter: settings.includeSpans ? otlpHttp(settings, '/v1/traces') : 'none',
    };
}
function isTable(value) {
    return value !== null && typeof value === 'object' && !Array.isArray(value) && !(value instanceof Date);
}
/** `overlay` wins key by key; tables merge recursively. */
function deepMerge(base, overlay) {
    const merged = { ...base };
    for (const [key, value] of Object.entries(overlay)) {
        merged[key] = isTable(merged[key]) && isTable(value) ? deepMerge(merged[key], value) : value;
    }
    return merged;
}
/**
 * Our config: every setting of the given sources (an existing CODEX_HOME config, then the
 * user's `codex-config` on top), with `[otel]` replaced by ours.
 */
function buildCodexConfig(sources, settings) {
    const warnings = [];
    const notices = [];
    let config = {};
    for (const source of sources) {
        let parsed;
        try {
            parsed = (0,dist/* parse */.qg)(source.text);
        }
        catch (error) {
            throw new Error(`${source.name} is not valid TOML: ${error.message.split('\n')[0]}`);
        }
        config = deepMerge(config, parsed);
    }
    if ('otel' in config)
        notices.push('The merged Codex config had its own [otel] table: it was replaced, so that Codex reports to this action.');
    if (typeof config.model_provider === 'string') {
        warnings.push(`The merged Codex config sets model_provider = "${config.model_provider}". openai/codex-action prepends its own model_provider line to config.toml and then fails with a TOML "duplicate key" error: remove model_provider from your config when you run Codex through openai/codex-action.`);
    }
    const providers = config.model_providers;
    if (isTable(providers) && CODEX_ACTION_PROVIDER in providers) {
        delete providers[CODEX_ACTION_PROVIDER];
        if (Object.keys(providers).length === 0)
            delete config.model_providers;
        notices.push(`Removed [model_providers.${CODEX_ACTION_PROVIDER}] left by an earlier openai/codex-action run: it appends that table itself and fails on a duplicate.`);
    }
    if ('profiles' in config || 'profile' in config) {
        warnings.push('The merged Codex config uses the legacy [profiles] tables or a profile key, which Codex 0.169 rejects as an error: move those settings to the root or to $CODEX_HOME/<name>.config.toml.');
    }
    delete config.otel;
    config.otel = otelTable(settings);
    return { toml: (0,dist/* stringify */.As)(config) + '\n', warnings, notices };
}

// EXTERNAL MODULE: external "node:child_process"
var external_node_child_process_ = __nccwpck_require__(31421);
// EXTERNAL MODULE: external "node:net"
var external_node_net_ = __nccwpck_require__(77030);
var external_node_net_default = /*#__PURE__*/__nccwpck_require__.n(external_node_net_);
;// CONCATENATED MODULE: ./src/handoff/listen-socket.ts
/**
 * How the collector gets its listening socket. The start step binds 127.0.0.1:0 itself and hands
 * the bound socket to the collector, so the endpoint exists (the kernel queues connections) before
 * the collector has booted, and the step need not wait for that boot. The collector's arguments
 * say which way it came (its config comes its own way: collector-command-line.ts):
 * - `--listen-fd=N` (Linux, macOS): inherited as file descriptor N at spawn;
 * - `--listen-ipc`: sent over the IPC channel (Windows, where a socket cannot be inherited as a
 *   descriptor); the collector answers LISTENING_MESSAGE once it serves it;
 * - neither: the collector binds `config.port` itself (the tests and benchmarks that run it alone).
 */
const LISTEN_FD_FLAG = '--listen-fd=';
const LISTEN_IPC_FLAG = '--listen-ipc';
/** Sent with the socket over IPC. */
const LISTEN_MESSAGE = 'beacon:listen';
/** The collector's answer over IPC once it accepts on the socket it was sent. */
const LISTENING_MESSAGE = 'beacon:listening';
function listenSourceOf(args) {
    for (const arg of args) {
        if (arg === LISTEN_IPC_FLAG)
            return { kind: 'ipc' };
        const fd = start_fdArgument(arg, LISTEN_FD_FLAG);
        if (fd !== undefined)
            return { kind: 'fd', fd };
    }
    return { kind: 'own-port' };
}
/** N of an argument `<flag>N`: a descriptor from 3 up (after stdin, stdout, stderr); undefined for another argument. */
function start_fdArgument(arg, flag) {
    if (!arg.startsWith(flag))
        return undefined;
    const fd = Number(arg.slice(flag.length));
    if (!Number.isInteger(fd) || fd < 3)
        throw new Error(`bad argument ${arg}: expected a file descriptor from 3 up`);
    return fd;
}

// EXTERNAL MODULE: ./src/handoff/collector-command-line.ts
var collector_command_line = __nccwpck_require__(53356);
;// CONCATENATED MODULE: ./src/start/launch-collector.ts





/**
 * Starts the collector as a detached background process on a listening socket this step bound.
 * The endpoint exists from the moment of the bind: the kernel queues connections until the
 * collector, still booting, accepts them. So the step hands the socket over and goes on without
 * waiting for the collector's own Node boot (BENCHMARKS.md, start step).
 *
 * Its environment is an allowlist: runner tokens (ACTIONS_RUNTIME_TOKEN, GITHUB_TOKEN, ...) and
 * INPUT_* never reach it, but RUNNER_TRACKING_ID does, so the runner reaps it at the end of the
 * job even if our post step never runs. Its command line holds no secret and no path into the
 * working folder: the config comes as a descriptor or over IPC, the same way as the socket
 * (handoff/collector-command-line.ts), and a random instance id tells the process apart.
 */
const ENV_ALLOWLIST = ['PATH', 'Path', 'PATHEXT', 'SystemRoot', 'SYSTEMROOT', 'windir', 'ComSpec', 'TEMP', 'TMP', 'TMPDIR', 'HOME', 'USERPROFILE', 'LANG', 'LC_ALL', 'TZ', 'RUNNER_TRACKING_ID', 'RUNNER_TEMP', 'NODE_EXTRA_CA_CERTS', 'SSL_CERT_FILE'];
function collectorEnvironment(env) {
    const clean = {};
    for (const name of ENV_ALLOWLIST)
        if (env[name] !== undefined)
            clean[name] = env[name];
    return clean;
}
/**
 * Node options of the collector process (BENCHMARKS.md, memory). A smaller young generation: peak
 * RSS under a million records drops from ~250 MB to ~170 MB at no measurable cost in throughput.
 * No allocation-site pretenuring: with four requests in flight V8 otherwise decides, in about one
 * run in four, that the decoder's short-lived objects survive, allocates them in old space and
 * peaks at 180-200 MB.
 */
const COLLECTOR_NODE_ARGS = ['--max-semi-space-size=8', '--no-allocation-site-pretenuring'];
/** The descriptor number the collector inherits its listening socket as (after stdin, stdout, stderr). */
const INHERITED_FD = 3;
/** ... and its config file as, opened for reading. */
const CONFIG_FD = 4;
/**
 * A listening socket on 127.0.0.1 with a free port. This process never serves it: it binds and
 * hands over. Nobody knows the port before the hand-over, yet a connection accepted here meanwhile
 * is closed rather than held.
 */
function bindLoopback() {
    return new Promise((resolve, reject) => {
        const server = external_node_net_default().createServer({ pauseOnConnect: true }, (socket) => socket.destroy());
        server.once('error', reject);
        server.listen(0, '127.0.0.1', () => {
            server.off('error', reject);
            resolve(server);
        });
    });
}
function portOf(server) {
    return server.address().port;
}
/** The listening socket's descriptor; undefined on Windows, where a socket is a handle instead. */
function descriptorOf(server) {
    if (process.platform === 'win32')
        return undefined;
    // `server.listen(handle)` takes this object as documented; Node offers no public getter for the fd.
    const fd = server._handle?.fd;
    return typeof fd === 'number' && fd >= 0 ? fd : undefined;
}
/**
 * Spawns the collector, hands it the listener, writes the ready file, and returns without waiting
 * for the collector's boot (over IPC: until it has taken the socket).
 */
async function launchCollector(options) {
    const { listener } = options;
    const port = portOf(listener);
    const fd = options.handOver === 'ipc' ? undefined : descriptorOf(listener);
    const handOver = fd === undefined ? 'ipc' : 'fd';
    let child;
    try {
        const out = external_node_fs_default().openSync(options.logPath, 'a', 0o600);
        const args = handOver === 'fd' ? [`${collector_command_line/* CONFIG_FD_FLAG */.HB}${CONFIG_FD}`, `${LISTEN_FD_FLAG}${INHERITED_FD}`] : [collector_command_line/* CONFIG_IPC_FLAG */.rr, LISTEN_IPC_FLAG];
        let config;
        try {
            config = handOver === 'fd' ? external_node_fs_default().openSync(options.configPath, 'r') : undefined;
            child = (0,external_node_child_process_.spawn)(process.execPath, [...COLLECTOR_NODE_ARGS, options.script, (0,collector_command_line/* instanceArgument */.Bs)(options.instance), ...args], {
                detached: true,
                // Never the step's own pipes: the runner would wait for them (and kill us on Windows).
                stdio: ['ignore', out, out, fd ?? 'ipc', ...(config === undefined ? [] : [config])],
                env: collectorEnvironment(options.env ?? process.env),
                windowsHide: true,
            });
        }
        finally {
            external_node_fs_default().closeSync(out);
            if (config !== undefined)
                external_node_fs_default().closeSync(config);
        }
        const pid = child.pid;
        if (pid === undefined) {
            // Node reports a failed spawn (ENOENT, EACCES, EAGAIN...) with an 'error' event, just after.
            const error = await new Promise((resolve) => child.once('error', resolve));
            throw new Error(`the collector could not be started: ${error.message}`);
        }
        // The spawn returns once the child has its copy of the descriptor: ours can go at once.
        if (handOver === 'ipc')
            await sendOverIpc(child, external_node_fs_default().readFileSync(options.configPath, 'utf8'), listener, options.timeoutMs, options.logPath);
        const ready = { port, pid };
        external_node_fs_default().writeFileSync(`${options.readyPath}.tmp`, JSON.stringify(ready), { mode: 0o600 });
        external_node_fs_default().renameSync(`${options.readyPath}.tmp`, options.readyPath);
        child.unref();
        const launched = child;
        return { pid, port, handOver, kill: () => launched.exitCode === null && launched.signalCode === null && tryKill(pid) };
    }
    catch (error) {
        if (child?.pid !== undefined && child.exitCode === null)
            tryKill(child.pid);
        throw error;
    }
    finally {
        listener.close();
    }
}
async function sendOverIpc(child, configText, listener, timeoutMs, logPath) {
    try {
        await new Promise((resolve, reject) => child.send({ type: collector_command_line/* CONFIG_MESSAGE */.pv, text: configText }, (error) => (error ? reject(error) : resolve())));
        await new Promise((resolve, reject) => child.send(LISTEN_MESSAGE, listener, (error) => (error ? reject(error) : resolve())));
        await new Promise((resolve, reject) => {
            const settle = (error) => {
                clearTimeout(timer);
                child.off('message', onMessage);
                child.off('exit', onExit);
                if (error)
                    reject(error);
                else
                    resolve();
            };
            const onMessage = (message) => message === LISTENING_MESSAGE && settle();
            const onExit = (code, signal) => settle(new Error(`the collector exited before it took its listening socket (${signal ? `signal ${signal}` : `exit code ${code}`}).${collectorLogTail(logPath)}`));
            const timer = setTimeout(() => settle(new Error(`the collector did not take its listening socket within ${timeoutMs} ms.${collectorLogTail(logPath)}`)), timeoutMs);
            child.on('message', onMessage);
            child.once('exit', onExit);
        });
    }
    finally {
        if (child.connected)
            child.disconnect();
    }
}
function collectorLogTail(logPath) {
    try {
        const text = external_node_fs_default().readFileSync(logPath, 'utf8').trim();
        return text ? `\nCollector log:\n${text.slice(-4000)}` : '';
    }
    catch {
        return '';
    }
}
function tryKill(pid) {
    try {
        process.kill(pid);
    }
    catch {
        // already gone
    }
}

// EXTERNAL MODULE: external "node:os"
var external_node_os_ = __nccwpck_require__(48161);
var external_node_os_default = /*#__PURE__*/__nccwpck_require__.n(external_node_os_);
;// CONCATENATED MODULE: ./src/start/runner-commands.ts



/** `name<<DELIMITER\nvalue\nDELIMITER\n`, as @actions/core's prepareKeyValueMessage. */
function appendKeyValue(fileVariable, name, value) {
    const file = process.env[fileVariable];
    if (!file)
        return false;
    const delimiter = `ghadelimiter_${(0,external_node_crypto_.randomUUID)()}`;
    if (name.includes(delimiter) || value.includes(delimiter))
        throw new Error(`Unexpected input: the value of ${name} contains the delimiter`);
    external_node_fs_default().appendFileSync(file, `${name}<<${delimiter}${(external_node_os_default()).EOL}${value}${(external_node_os_default()).EOL}${delimiter}${(external_node_os_default()).EOL}`, { encoding: 'utf8' });
    return true;
}
/** Workflow command data escaping (`%`, CR, LF), as @actions/core's escapeData. */
function escapeData(text) {
    return text.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}
function issue(command, message) {
    process.stdout.write(`::${command}::${escapeData(message)}${(external_node_os_default()).EOL}`);
}
const runnerCommands = {
    setOutput(name, value) {
        if (!appendKeyValue('GITHUB_OUTPUT', name, value))
            process.stdout.write(`${(external_node_os_default()).EOL}::set-output name=${name}::${escapeData(value)}${(external_node_os_default()).EOL}`);
    },
    saveState(name, value) {
        if (!appendKeyValue('GITHUB_STATE', name, value))
            process.stdout.write(`::save-state name=${name}::${escapeData(value)}${(external_node_os_default()).EOL}`);
    },
    exportVariable(name, value) {
        process.env[name] = value;
        if (!appendKeyValue('GITHUB_ENV', name, value))
            process.stdout.write(`::set-env name=${name}::${escapeData(value)}${(external_node_os_default()).EOL}`);
    },
    setSecret(value) {
        issue('add-mask', value);
    },
    info(message) {
        process.stdout.write(message + (external_node_os_default()).EOL);
    },
    warning(message) {
        issue('warning', message);
    },
};

;// CONCATENATED MODULE: ./src/start/prepare-workspace.ts




/**
 * A fresh private working folder under RUNNER_TEMP (the OS temp folder outside Actions).
 * 0711: other users may reach CODEX_HOME inside it (openai/codex-action can run Codex as an
 * unprivileged user) but cannot list it; everything else in it is 0600.
 */
function createWorkspace(env) {
    const parent = env.RUNNER_TEMP || external_node_os_default().tmpdir();
    external_node_fs_default().mkdirSync(parent, { recursive: true });
    const workDir = external_node_fs_default().mkdtempSync(external_node_path_default().join(parent, 'beacon-'));
    external_node_fs_default().chmodSync(workDir, 0o711);
    return (0,workspace/* workspacePaths */.s6)(workDir);
}
/** CODEX_HOME must exist before Codex starts and be readable by the user who runs Codex. */
function ensureCodexHome(codexHome) {
    external_node_fs_default().mkdirSync(codexHome, { recursive: true, mode: 0o755 });
}
function writePrivateJson(file, value) {
    external_node_fs_default().writeFileSync(file, JSON.stringify(value, null, 2), { mode: 0o600 });
}

// EXTERNAL MODULE: ./src/start/state.ts
var state = __nccwpck_require__(25121);
;// CONCATENATED MODULE: ./src/start/main.ts














/**
 * The main step: inputs → listening socket → collector spawned on it → CODEX_HOME config → outputs.
 * The step is on every job's critical path, so it never waits for the collector's boot: the socket
 * it bound queues Codex's requests until the collector serves them (launch-collector.ts).
 */
const MAX_BODY_BYTES = 32 * 1024 * 1024;
// Hosted jobs end after 6 hours; the runner reaps the collector before that anyway.
const DEFAULT_MAX_LIFETIME_MS = (6 * 60 + 15) * 60 * 1000;
async function startCapture(readInput) {
    const inputs = (0,src_inputs/* readStartInputs */.aT)(readInput);
    const paths = createWorkspace(process.env);
    // The telemetry secret goes to Codex's config.toml; the control secret (shutdown, health) only
    // to the private collector.json; the instance id, not a secret, to the collector's command line.
    const secret = (0,external_node_crypto_.randomBytes)(32).toString('base64url');
    const controlSecret = (0,external_node_crypto_.randomBytes)(32).toString('base64url');
    const instance = (0,external_node_crypto_.randomBytes)(8).toString('hex');
    const core = runnerCommands;
    core.setSecret(secret);
    core.setSecret(controlSecret);
    for (const value of Object.values(inputs.forward?.headers ?? {}))
        for (const part of (0,endpoint/* maskedPartsOfHeader */.Kl)(value))
            core.setSecret(part);
    // Saved before anything can fail, so that the post step cleans up after a half-done start.
    core.saveState(state/* STATE_WORK_DIR */.a, paths.workDir);
    core.saveState(state/* STATE_ROLE */.N, 'start');
    core.exportVariable(workspace/* WORK_DIR_ENV */.mk, paths.workDir);
    // Bound here, so the port is known now and the endpoint answers as soon as the collector is up.
    const listener = await bindLoopback();
    // The run's secret values are masked in everything written from here on, the attribution included.
    const maskValues = secretValuesOf(process.env, inputs.forward?.headers);
    (0,redact/* setMaskedValues */.Qp)(maskValues);
    const collectorConfig = {
        secret,
        controlSecret,
        port: portOf(listener),
        capturePath: paths.capture,
        statsPath: paths.stats,
        readyPath: paths.ready,
        harness: 'codex',
        includeSpans: inputs.includeCodexSpans,
        logUserPrompt: inputs.logUserPrompt,
        maxBodyBytes: MAX_BODY_BYTES,
        maxLifetimeMs: Number(process.env.BEACON_COLLECTOR_MAX_LIFETIME_MS) || DEFAULT_MAX_LIFETIME_MS,
        attribution: (0,redact/* redactDeep */.KL)((0,attribution/* attributionFromEnv */.$V)(process.env)),
        maskValues,
    };
    if (inputs.forward) {
        const shutdownLimitMs = Number(process.env.BEACON_FORWARD_SHUTDOWN_LIMIT_MS) || endpoint/* DEFAULT_FORWARD_SHUTDOWN_LIMIT_MS */.oz;
        collectorConfig.forward = { endpoint: inputs.forward.endpoint, headers: inputs.forward.headers, required: inputs.forward.required, shutdownLimitMs };
    }
    // The collector bundle beside ours (dist/start → dist/collector). Not `new URL(..., import.meta.url)`:
    // ncc would copy the file it points at as an asset.
    const script = external_node_path_default().resolve(external_node_path_default().dirname(process.argv[1] ?? '.'), '..', 'collector', 'index.js');
    try {
        writePrivateJson(paths.collectorConfig, collectorConfig);
    }
    catch (error) {
        listener.close();
        throw error;
    }
    // Closes the listener whatever happens: from here on the collector's copy is the only one.
    const collector = await launchCollector({ script, configPath: paths.collectorConfig, instance, readyPath: paths.ready, logPath: paths.collectorLog, listener, timeoutMs: 15_000 });
    try {
        await finishStart(core, inputs, paths, secret, { script, instance }, collector);
    }
    catch (error) {
        collector.kill();
        throw error;
    }
}
/** Everything after the hand-over: the collector boots meanwhile, and nothing here waits for it. */
async function finishStart(core, inputs, paths, secret, { script, instance }, collector) {
    const endpoint = `http://127.0.0.1:${collector.port}`;
    core.info(`Collector started on ${endpoint} (pid ${collector.pid}); requests wait on the port until it is up.`);
    const codexHome = external_node_path_default().resolve(inputs.codexHome ?? paths.codexHome);
    ensureCodexHome(codexHome);
    const configFile = external_node_path_default().join(codexHome, 'config.toml');
    const sources = [];
    const existing = external_node_fs_default().existsSync(configFile);
    if (existing)
        sources.push({ name: `the existing ${configFile}`, text: external_node_fs_default().readFileSync(configFile, 'utf8') });
    if (inputs.codexConfig)
        sources.push({ name: `codex-config "${inputs.codexConfig}"`, text: external_node_fs_default().readFileSync(inputs.codexConfig, 'utf8') });
    const merged = buildCodexConfig(sources, {
        endpoint,
        secret,
        protocol: inputs.otelProtocol,
        environment: inputs.environment,
        logUserPrompt: inputs.logUserPrompt,
        includeSpans: inputs.includeCodexSpans,
    });
    for (const warning of merged.warnings)
        core.warning(warning);
    for (const notice of merged.notices)
        core.info(notice);
    // A new one readable by the user who runs Codex (the telemetry secret is the only secret in it,
    // good for sending telemetry only). An existing one keeps its mode: never more readable than it was.
    external_node_fs_default().writeFileSync(configFile, merged.toml, { mode: 0o644 });
    if (!existing)
        external_node_fs_default().chmodSync(configFile, 0o644);
    const run = {
        version: 1,
        workDir: paths.workDir,
        codexHome,
        logPath: paths.runtimeLog,
        usagePath: paths.usage,
        collector: { pid: collector.pid, port: collector.port, endpoint, script, instance },
        harness: 'codex',
        startedAt: new Date().toISOString(),
    };
    writePrivateJson(paths.runFile, run);
    core.setOutput('codex-home', codexHome);
    core.setOutput('collector-endpoint', endpoint);
    core.setOutput('log-path', paths.runtimeLog);
    if (inputs.exportEnv)
        core.exportVariable('CODEX_HOME', codexHome);
    if (inputs.forward)
        core.info(`Kept events are also forwarded to ${inputs.forward.endpoint} (OTLP/HTTP JSON).`);
    core.info(`CODEX_HOME ${codexHome} sends Codex telemetry to the collector; the runtime log will be ${paths.runtimeLog}.`);
}

;// CONCATENATED MODULE: ./src/start/index.ts
/**
 * Entry of the main step (`dist/start/index.js`). It imports no @actions/* statically (see
 * runner-commands.ts): @actions/core is a chunk of its own, loaded only to fail the step or for a
 * `mode: finish` use.
 */


/** What `core.getInput` does: `INPUT_<NAME>` with spaces as underscores, upper case, trimmed. */
const readInput = (name) => (process.env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] ?? '').trim();
const loadCore = () => __nccwpck_require__.e(/* import() */ 838).then(__nccwpck_require__.bind(__nccwpck_require__, 33838));
async function main() {
    try {
        // The post step's inputs are checked here too: a wrong value fails now, not at the end.
        if ((0,src_inputs/* readFinishInputs */.P_)(readInput).mode === 'finish') {
            // A later use of the action with `mode: finish`: loaded only then, so start stays small and fast.
            const { finishCapture } = await Promise.all(/* import() */[__nccwpck_require__.e(838), __nccwpck_require__.e(91), __nccwpck_require__.e(785)]).then(__nccwpck_require__.bind(__nccwpck_require__, 20785));
            await finishCapture('finish-step');
        }
        else {
            await startCapture(readInput);
        }
    }
    catch (error) {
        (await loadCore()).setFailed(error.message);
    }
}
void main();

