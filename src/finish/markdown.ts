/**
 * Markdown helpers shared by the job summary (publish/summary.ts) and the comparison section
 * (compare/render.ts). Every value from a run goes through `codeSpan`, where neither Markdown nor
 * HTML is interpreted; our own sentences that may carry outside text go through `plainLine`.
 */

export const SUMMARY_LIMITS = {
  models: 50,
  tools: 50,
  commands: 100,
  commandChars: 200,
  nameChars: 100,
} as const;

export function formatInt(n: number): string {
  return Math.round(n)
    .toString()
    .replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

export function formatMs(ms: number): string {
  if (ms < 1000) return `${formatInt(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  return `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`;
}

/** Cuts a display string to `max` UTF-16 units, never inside a surrogate pair. */
export function shorten(text: string, max: number): string {
  if (text.length <= max) return text;
  let end = max - 1;
  const code = text.charCodeAt(end - 1);
  if (code >= 0xd800 && code <= 0xdbff) end -= 1;
  return text.slice(0, end) + '…';
}

/**
 * A Markdown code span that shows `text` literally: control characters (newlines would end a table
 * row) become spaces, and the fence is one backtick longer than the longest backtick run inside,
 * which is how CommonMark "escapes" backticks in code.
 */
export function codeSpan(text: string): string {
  const flat = text.replace(/[\u0000-\u001f\u007f\u2028\u2029]+/g, ' ');
  if (flat === '') return '*(empty)*';
  let longestRun = 0;
  for (const run of flat.match(/`+/g) ?? []) longestRun = Math.max(longestRun, run.length);
  const fence = '`'.repeat(longestRun + 1);
  // One space each side is stripped by the renderer; it keeps a leading/trailing backtick or space intact.
  const pad = /^[` ]|[` ]$/.test(flat) ? ' ' : '';
  return `${fence}${pad}${flat}${pad}${fence}`;
}

/** A table cell: an unescaped pipe would end the cell, even inside a code span (GFM). */
export function tableCell(markdown: string): string {
  return markdown.replace(/\|/g, '\\|');
}

/** Our own sentences may carry values from outside (an error message): keep them plain text, one line. */
export function plainLine(text: string): string {
  return text
    .replace(/[\u0000-\u001f\u007f\u2028\u2029]+/g, ' ')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;');
}

export function table(header: string[], align: ('l' | 'r')[], rows: string[][]): string {
  const lines = [`| ${header.join(' | ')} |`, `| ${align.map((a) => (a === 'r' ? '---:' : '---')).join(' | ')} |`];
  for (const row of rows) lines.push(`| ${row.join(' | ')} |`);
  return lines.join('\n');
}

export function notShown(n: number, what: string): string {
  return n > 0 ? `\n\n*${formatInt(n)} more ${what} not shown.*` : '';
}
