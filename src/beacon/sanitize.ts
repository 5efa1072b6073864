import type { BeaconEvent } from './event.js';
import { leaveOutUnwritableIntegers } from './integers.js';
import { serializeWithinLimits } from './limits.js';
import { redactDeep, redactSecrets } from './redact.js';

/**
 * The one way an event becomes a line: secrets redacted in every string the record brought
 * (the attribution is the run's own and is redacted once, where it is built), integers that could
 * not be written exactly left out (./integers.ts), sizes capped.
 */
export function toJsonLine(event: BeaconEvent): string {
  leaveOutUnwritableIntegers(event);
  if (event.prompt) event.prompt.text = redactSecrets(event.prompt.text);
  if (event.message) event.message = redactSecrets(event.message);
  if (event.tool) redactDeep(event.tool);
  if (event.command) event.command.command = redactSecrets(event.command.command);
  if (event.approval) redactDeep(event.approval);
  if (event.raw) redactDeep(event.raw);
  return serializeWithinLimits(event);
}
