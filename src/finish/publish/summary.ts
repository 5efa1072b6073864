import { toolCallCount, type RunReport } from '../account-usage/run-report.js';
import type { SessionReconciliation } from '../account-usage/sessions/reconcile.js';
import { SUMMARY_LIMITS, codeSpan, formatInt, formatMs, notShown, plainLine, shorten, table, tableCell } from '../markdown.js';
import type { ValidationResult } from '../validate/validate.js';
import type { ForwardError } from '../../handoff/collector-config.js';
import type { ForwardingReport, ForwardProblem } from './forward-usage.js';
import type { UsageEntry } from '../account-usage/usage-entry.js';
import type { UsageFile } from './usage-file.js';

/**
 * The job summary as one Markdown string (the caller hands it to `core.summary.addRaw().write()`;
 * this module stays free of @actions/core so it can be tested). Every string that comes from the
 * run (commands, tool names, models) is rendered inside a code span, where neither Markdown nor
 * HTML is interpreted, with its pipes escaped for tables. Prompt text is never read here.
 */

export interface SummaryExtras {
  /** The uploaded artifact, if any. */
  artifact?: { name: string; url?: string };
  /** The comparison with the previous run (its section, or a one-line note), as Markdown from compare-summary.ts, which escapes its values. */
  comparison?: string;
  /** Heading of the summary. */
  title?: string;
  /** Byte ceiling of the whole summary (GitHub refuses a step summary over 1 MiB). */
  maxBytes?: number;
  /** What reached the organization's OpenTelemetry pipeline (forward-endpoint). */
  forwarding?: ForwardingReport;
  /** The session files, reconciled with the token metric. */
  sessions?: SessionReconciliation;
}

/** 1 MiB minus room for the runner's own additions. */
export const SUMMARY_MAX_BYTES = 1024 * 1024 - 8 * 1024;

export const SUMMARY_NOTES = {
  noCost: 'No cost: Codex emits none.',
  perSession: 'Per-session usage: each token metric export is paired with the session its Codex process ran; a session whose process sent no metric is counted from its session file.',
} as const;

const CUT_NOTE = '\n\n*The summary was cut here to stay under the 1 MiB limit of a job summary.*\n';

function usageRow(label: string, entry: UsageEntry): string[] {
  return [
    label,
    formatInt(entry.input_tokens),
    formatInt(entry.cache_read_input_tokens),
    formatInt(entry.output_tokens),
    formatInt(entry.reasoning_output_tokens),
    formatInt(entry.total_tokens),
  ];
}

function headline(report: RunReport, usage: UsageFile): string {
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

function tokenTable(usage: UsageFile): string {
  const models = Object.entries(usage.by_model).sort((a, b) => b[1].total_tokens - a[1].total_tokens || (a[0] < b[0] ? -1 : 1));
  if (models.length === 0) return '*No token usage was captured.*';
  const rows = models.slice(0, SUMMARY_LIMITS.models).map(([model, totals]) => usageRow(tableCell(codeSpan(shorten(model, SUMMARY_LIMITS.nameChars))), totals));
  if (models.length > 1) rows.push(usageRow('**All models**', usage.totals));
  return (
    table(['Model', 'Input', 'Cached input', 'Output', 'Reasoning', 'Total'], ['l', 'r', 'r', 'r', 'r', 'r'], rows) +
    notShown(models.length - SUMMARY_LIMITS.models, 'models') +
    '\n\nInput excludes cached input; output includes reasoning; total = input + cached input + output.'
  );
}

const SESSION_ROWS = 50;

/** A session id short enough for a table, still telling sessions of one job apart (UUIDv7 ids begin with the time). */
function shortSessionId(id: string): string {
  return id.length > 13 ? `${id.slice(0, 4)}…${id.slice(-8)}` : id;
}

const SOURCE_WORDS: Record<string, string> = { metric: 'metric', session_file: 'recovered from session file', 'metric+session_file': 'metric and session file' };

/** Tokens by session: which session spent what, and where the numbers come from. */
function sessionTable(usage: UsageFile): string {
  const sessions = Object.entries(usage.by_session).sort((a, b) => b[1].total_tokens - a[1].total_tokens || (a[0] < b[0] ? -1 : 1));
  if (sessions.length === 0) return '';
  const rows = sessions.slice(0, SESSION_ROWS).map(([id, entry]) => {
    const models = entry.models.map((m) => codeSpan(shorten(m, SUMMARY_LIMITS.nameChars))).join(', ');
    const [label, ...numbers] = usageRow(id === '(none)' ? '*no session*' : codeSpan(shortSessionId(id)), entry);
    return [tableCell(label!), tableCell(models), ...numbers, SOURCE_WORDS[entry.source] ?? plainLine(entry.source)];
  });
  return '**By session**\n\n' + table(['Session', 'Model', 'Input', 'Cached input', 'Output', 'Reasoning', 'Total', 'Source'], ['l', 'l', 'r', 'r', 'r', 'r', 'r', 'l'], rows) + notShown(sessions.length - SESSION_ROWS, 'sessions');
}

/** One plain sentence when usage was recovered from session files, or a stopped session had none. */
function recoverySentence(usage: UsageFile, sessions: SessionReconciliation | undefined): string {
  if (!sessions) return '';
  const lines: string[] = [];
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

const DECIDERS: [key: string, words: string][] = [
  ['configuration', 'by configuration, no one asked'],
  ['person', 'by a person asked'],
  ['reviewer', 'by a reviewer'],
  ['other', 'by another source'],
];

/** Who decided on the tool calls: a configuration decision is never called a requested approval. */
function toolDecisionsLine(decisions: RunReport['toolDecisions']): string {
  if (decisions.total === 0) return 'Tool decisions: none';
  const who = DECIDERS.filter(([key]) => decisions.byDecider[key]).map(([key, words]) => `${formatInt(decisions.byDecider[key]!)} ${words}`);
  return `Tool decisions: ${formatInt(decisions.total)} (${who.join(', ')}), denied: ${formatInt(decisions.denied)}`;
}

function activity(report: RunReport): string {
  const parts: string[] = [];
  parts.push(
    [
      `- Sessions: ${formatInt(report.sessions)}${report.sessionsCapped ? '+' : ''}`,
      `- Prompts: ${formatInt(report.prompts)}`,
      `- Tool calls: ${formatInt(toolCallCount(report))}`,
      `- Commands run: ${formatInt(report.commands.total)}`,
      `- ${toolDecisionsLine(report.toolDecisions)}`,
    ].join('\n'),
  );

  const tools = Object.entries(report.tools).sort((a, b) => b[1].calls - a[1].calls || (a[0] < b[0] ? -1 : 1));
  if (tools.length > 0) {
    const rows = tools
      .slice(0, SUMMARY_LIMITS.tools)
      .map(([name, t]) => [tableCell(codeSpan(shorten(name, SUMMARY_LIMITS.nameChars))), formatInt(t.calls), formatInt(t.succeeded), formatInt(t.failed), formatMs(t.totalDurationMs), formatMs(t.maxDurationMs)]);
    const otherCalls = report.otherToolCalls > 0 ? `\n\n*${formatInt(report.otherToolCalls)} calls of other tools not listed.*` : '';
    parts.push(
      '**Tool calls**\n\n' +
        table(['Tool', 'Calls', 'Succeeded', 'Failed', 'Total duration', 'Max duration'], ['l', 'r', 'r', 'r', 'r', 'r'], rows) +
        notShown(tools.length - SUMMARY_LIMITS.tools, 'tools') +
        otherCalls,
    );
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

function tokenPie(usage: UsageFile): string {
  const t = usage.totals;
  const slices: [string, number][] = [
    ['Input (uncached)', t.input_tokens],
    ['Cached input', t.cache_read_input_tokens],
    ['Output (without reasoning)', Math.max(0, t.output_tokens - t.reasoning_output_tokens)],
    ['Reasoning', t.reasoning_output_tokens],
  ];
  const shown = slices.filter(([, n]) => n > 0);
  if (shown.length === 0) return '';
  const lines = ['pie showData', '    title Token mix', ...shown.map(([label, n]) => `    "${label}" : ${n}`)];
  return `<details><summary>Token mix</summary>\n\n\`\`\`mermaid\n${lines.join('\n')}\n\`\`\`\n\n</details>`;
}

function validationSection(validation: ValidationResult): string {
  const list = (items: string[]) => items.map((item) => `- ${plainLine(item)}`).join('\n');
  const parts: string[] = [];
  if (validation.failures.length) parts.push(`**Failed**\n\n${list(validation.failures)}`);
  if (validation.warnings.length) parts.push(`**Warnings**\n\n${list(validation.warnings)}`);
  if (validation.diagnoses.length) parts.push(`**Likely causes**\n\n${list(validation.diagnoses)}`);
  if (parts.length === 0) parts.push('All checks passed.');
  return parts.join('\n\n');
}

function artifactLine(artifact: SummaryExtras['artifact']): string {
  if (!artifact) return '';
  const name = codeSpan(shorten(artifact.name, SUMMARY_LIMITS.nameChars));
  const url = artifact.url && /^https?:\/\/[^\s<>()]+$/.test(artifact.url) ? artifact.url : undefined;
  return url ? `**Artifact:** [${name}](${url})` : `**Artifact:** ${name}`;
}

/** Keeps the summary under `maxBytes`: cut at a line boundary (never inside a UTF-8 sequence) and say so. */
export function limitBytes(markdown: string, maxBytes: number): string {
  if (Buffer.byteLength(markdown) <= maxBytes) return markdown;
  const bytes = Buffer.from(markdown, 'utf8');
  const room = Math.max(0, maxBytes - Buffer.byteLength(CUT_NOTE));
  const lastNewline = bytes.lastIndexOf(0x0a, room - 1);
  return bytes.toString('utf8', 0, lastNewline > 0 ? lastNewline : 0) + CUT_NOTE;
}

export function renderSummary(report: RunReport, usage: UsageFile, validation: ValidationResult, extras: SummaryExtras = {}): string {
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
function forwardingSection(forwarding: ForwardingReport | undefined): string {
  if (!forwarding) return '';
  const { logs, metrics } = forwarding;
  const dropped = (n: number) => (n > 0 ? `**${formatInt(n)}**` : '0');
  const rows: string[][] = [];
  if (logs) {
    const lost = Object.values(logs.recordsDropped).reduce((a, b) => a + b, 0);
    const retried = logs.batchesRetried > 0 ? `${formatInt(logs.batchesRetried)} (${formatInt(logs.retries)} retries)` : '0';
    rows.push(['Logs (events)', formatInt(logs.batchesSent), formatInt(logs.recordsSent), retried, `${formatInt(logs.batchesDropped)} / ${dropped(lost)}`]);
  } else {
    rows.push(['Logs (events)', 'unknown', 'unknown', 'unknown', 'unknown']);
  }
  const metricsSent = metrics.status === 'sent';
  const metricsRetried = metrics.retries > 0 ? `1 (${formatInt(metrics.retries)} retries)` : '0';
  if (metrics.status === 'nothing-to-send') rows.push(['Metrics (token usage)', '0', '0', '0', '0 / 0']);
  else if (metricsSent) rows.push(['Metrics (token usage)', '1', formatInt(metrics.dataPoints - metrics.rejectedPoints), metricsRetried, `0 / ${dropped(metrics.rejectedPoints)}`]);
  else rows.push(['Metrics (token usage)', '0', '0', metricsRetried, `1 / ${dropped(metrics.dataPoints)}`]);
  const parts = [
    `To ${codeSpan(shorten(forwarding.endpoint, 200))} over OTLP/HTTP: the kept events as log records, the token usage as the \`gen_ai.client.token.usage\` metric (data points).`,
    table(['Signal', 'Batches sent', 'Records sent', 'Batches retried', 'Batches / records dropped'], ['l', 'r', 'r', 'r', 'r'], rows),
  ];
  if (forwarding.problems.length > 0) {
    const consequence = forwarding.required ? 'forward-required is true: the step fails.' : 'A warning only (forward-required is false).';
    parts.push(`**Lost**\n\n${forwarding.problems.map((p) => `- ${problemMarkdown(p)}`).join('\n')}\n\n${consequence}`);
  } else {
    parts.push('Everything arrived.');
  }
  return `### Forwarding\n\n${parts.join('\n\n')}`;
}

/** Longest receiver text shown (the exporter keeps 300 characters of it already). */
const OUTSIDE_CHARS = 300;

/** A forwarding loss: our words plain, what the receiver or the network said only inside a code span. */
function problemMarkdown(problem: ForwardProblem): string {
  if (!problem.error) return plainLine(problem.text);
  return `${plainLine(problem.text)}; ${problem.lastError ? 'last error: ' : ''}${errorMarkdown(problem.error)}`;
}

function errorMarkdown(error: ForwardError): string {
  return [error.message ? plainLine(error.message) : '', error.outside ? codeSpan(shorten(error.outside, OUTSIDE_CHARS)) : ''].filter((part) => part).join(': ');
}
