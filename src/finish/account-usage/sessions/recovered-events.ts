import type { Attribution, BeaconEvent, TokenUsage } from '../../../beacon/event.js';
import { ACTION } from '../../../beacon/event.js';
import { newEvent } from '../../../beacon/envelope.js';
import { isoUtc } from '../../../beacon/utc-time.js';
import type { SessionTurnUsage, SessionUsage } from '../../../harness/sessions.js';
import { FIELD_OF_TOKEN_TYPE } from '../../../harness/token-counts.js';
import { usageOf } from '../../runtime-log/normalize-tokens.js';

/**
 * Usage recovered from a session file, as token events of the same shape and normalization as the
 * metric's (schema page "Token usage"): one event per token type per turn and model, input without
 * the turn's cached input, reasoning inside output, no cost. They carry the session and the model,
 * `raw.metric_name` like every token event (Beacon's reader keys its channels on it), and in `raw`
 * where they come from: the session file's name and the responses' ids, never its content.
 */

export const RECOVERED_SOURCE = 'session_file';

/** A turn's usage of one token type, normalized like the metric's: input without the cached input. */
function turnUsageOf(tokenType: string, turn: SessionTurnUsage): TokenUsage {
  const { usage } = turn;
  return usageOf(tokenType, tokenType === 'input' ? Math.max(0, usage.input - usage.cachedInput) : usage[FIELD_OF_TOKEN_TYPE[tokenType]!]);
}

function timestampOf(iso: string, fallback: string): string {
  const ms = Date.parse(iso);
  return Number.isFinite(ms) ? isoUtc(ms) : fallback;
}

export interface RecoveredEventOptions {
  attribution: Attribution;
  harnessName: string;
  /** The metric these events stand in for, e.g. `codex.turn.token_usage`. */
  metricName: string;
  /** Timestamp for a turn whose records had none. */
  now: string;
}

/** The token events of one session's recovered usage, turn by turn. */
export function* recoveredEvents(session: SessionUsage, options: RecoveredEventOptions): Generator<BeaconEvent> {
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
      if (turn.model) event.model = turn.model;
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
