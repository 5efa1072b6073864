import type { Change, Finding, UsageComparison } from './math.js';
import type { Baseline } from './record.js';
import { SUMMARY_LIMITS, codeSpan, formatInt, shorten, tableCell } from '../markdown.js';

/**
 * The comparison section of the job summary, or the one line saying why there is none, as Markdown
 * (publish/summary.ts places it after the token table). Values from the restored record are escaped like every other value of the run: names in
 * code spans, links only to checked run ids and commit ids under the checked server and repository.
 */

export type ComparisonView =
  | {
      status: 'compared';
      baseline: Baseline;
      comparison: UsageComparison;
      /** The branch whose runs were searched (for a pull request, its base branch). */
      comparedRef: string;
      pullRequest: boolean;
    }
  | { status: 'none'; note: string };

/** Where the links point: GITHUB_SERVER_URL and GITHUB_REPOSITORY of this run. */
export interface LinkBase {
  serverUrl?: string;
  repository?: string;
}

const COMPARISON_MODELS = 20;

/** `+620 (+62.0%)`, `-5 (-100.0%)`, `+3 (new)`, `0`: the delta and its share of the previous value. */
export function formatChange(c: Change): string {
  if (c.delta === 0) return c.previous === 0 ? '0' : '0 (0.0%)';
  const sign = c.delta > 0 ? '+' : '';
  const delta = `${sign}${formatInt(c.delta)}`;
  if (c.percent === null) return `${delta} (new)`;
  return `${delta} (${sign}${c.percent.toFixed(1)}%)`;
}

/** A plain sentence for a large change. Model names are shown in code spans. */
export function findingSentence(finding: Finding): string {
  switch (finding.kind) {
    case 'input-up': {
      const c = finding.change;
      return c.previous === 0
        ? `Input tokens (excluding cached input) went from none to ${formatInt(c.current)}.`
        : `Input tokens (excluding cached input) went from ${formatInt(c.previous)} to ${formatInt(c.current)}, up ${c.percent!.toFixed(1)}%.`;
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

function linkBase(base: LinkBase): string | undefined {
  const server = base.serverUrl?.replace(/\/+$/, '');
  if (!server || !/^https?:\/\/[A-Za-z0-9.-]+(:\d+)?$/.test(server)) return undefined;
  if (!base.repository || !/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/.test(base.repository)) return undefined;
  return `${server}/${base.repository}`;
}

/** `refs/heads/main` → `main`, for display. */
export function refDisplayName(ref: string): string {
  return ref.replace(/^refs\/(heads|tags)\//, '');
}

function formatTime(iso: string): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? '' : `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

function previousRunLine(view: Extract<ComparisonView, { status: 'compared' }>, base: LinkBase): string {
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

function row(label: string, c: Change): string {
  return `| ${label} | ${formatInt(c.current)} | ${formatInt(c.previous)} | ${formatChange(c)} |`;
}

export function renderComparison(view: ComparisonView, base: LinkBase = {}): string {
  if (view.status === 'none') return `*No usage comparison: ${plainText(view.note)}*`;
  const { comparison } = view;
  const parts = ['### Compared with the previous run', previousRunLine(view, base)];
  if (comparison.findings.length) parts.push(comparison.findings.map((f) => `- ${findingSentence(f)}`).join('\n'));

  const t = comparison.totals;
  parts.push(
    [
      '| | This run | Previous run | Change |',
      '| --- | ---: | ---: | ---: |',
      row('Input', t.input_tokens),
      row('Cached input', t.cache_read_input_tokens),
      row('Output', t.output_tokens),
      row('Reasoning', t.reasoning_output_tokens),
      row('**Total tokens**', t.total_tokens),
      row('Events', comparison.events),
      row('Tool calls', comparison.toolCalls),
    ].join('\n'),
  );

  if (comparison.models.length) {
    const shown = comparison.models.slice(0, COMPARISON_MODELS);
    const lines = ['| Model | Tokens this run | Previous run | Change |', '| --- | ---: | ---: | ---: |'];
    for (const m of shown) lines.push(row(tableCell(codeSpan(shorten(m.model, SUMMARY_LIMITS.nameChars))), m.total));
    const more = comparison.models.length - shown.length;
    parts.push(lines.join('\n') + (more > 0 ? `\n\n*${formatInt(more)} more models not shown.*` : ''));
  }
  return parts.join('\n\n');
}

/** Notes may carry an error message from the cache client: one line, no Markdown or HTML. */
function plainText(text: string): string {
  return text
    .replace(/[\u0000-\u001f\u007f\u2028\u2029]+/g, ' ')
    .replace(/[\\`*_[\]<>|#~]/g, (c) => `\\${c}`)
    .replace(/&/g, '&amp;');
}
