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
  // Short strings the record named (ids, the model, the user): a hostile sender could put anything there.
  if (event.session) event.session.id = redactSecrets(event.session.id);
  if (event.model) event.model = redactSecrets(event.model);
  if (event.user) redactDeep(event.user);
  if (event.trace) redactDeep(event.trace);
  return serializeWithinLimits(event);
}
