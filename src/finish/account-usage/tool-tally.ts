import { ACTION } from '../../beacon/event.js';
import { MAX_COUNT, addCount, isCount } from '../../beacon/integers.js';
import { capString } from '../../beacon/limits.js';
import { REPORT_LIMITS, type CommandRecord, type ToolStats } from './run-report.js';
import { isObject } from '../../beacon/json-object.js';

/** Tool calls by tool name, and the commands run, from `command.executed` / `tool.invoked` events. */

type Json = Record<string, any>;


/** A duration in whole ms from 0 to 2^53-1 (a number, or Codex's string attribute), else undefined. */
function parseDuration(value: unknown): number | undefined {
  const n = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : NaN;
  const ms = Number.isFinite(n) && n >= 0 ? Math.round(n) : undefined;
  return isCount(ms) ? ms : undefined;
}

function parseSuccess(value: unknown): boolean | undefined {
  if (typeof value === 'boolean') return value;
  if (value === 'true') return true;
  if (value === 'false') return false;
  return undefined;
}

export class ToolTally {
  private readonly tools = new Map<string, ToolStats>();
  private otherToolCalls = 0;
  private commandTotal = 0;
  private readonly commands: CommandRecord[] = [];
  /** A tool's total duration reached 2^53-1 ms and was held there. */
  private saturated = false;

  add(event: Json, attributes: Json | undefined): void {
    const command = isObject(event.command) ? event.command : undefined;
    const toolName = typeof event.tool?.name === 'string' && event.tool.name ? event.tool.name : '(unnamed)';
    const success = parseSuccess(command?.success) ?? parseSuccess(attributes?.success);
    const duration = parseDuration(command?.duration_ms) ?? parseDuration(attributes?.duration_ms);
    this.countCall(toolName, success, duration);
    if (event.event.action === ACTION.commandExecuted && command && typeof command.command === 'string') this.listCommand(command, success, duration);
  }

  private countCall(toolName: string, success: boolean | undefined, duration: number | undefined): void {
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
    if (success === true) stats.succeeded += 1;
    if (success === false) stats.failed += 1;
    if (duration !== undefined) {
      stats.totalDurationMs = addCount(stats.totalDurationMs, duration);
      if (stats.totalDurationMs === MAX_COUNT) this.saturated = true;
      stats.maxDurationMs = Math.max(stats.maxDurationMs, duration);
    }
  }

  private listCommand(command: Json, success: boolean | undefined, duration: number | undefined): void {
    this.commandTotal += 1;
    if (this.commands.length >= REPORT_LIMITS.commands) return;
    const record: CommandRecord = { command: capString(command.command, REPORT_LIMITS.commandChars) };
    if (Number.isSafeInteger(command.exit_code)) record.exitCode = command.exit_code;
    if (duration !== undefined) record.durationMs = duration;
    if (success !== undefined) record.success = success;
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
