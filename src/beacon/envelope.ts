import { SCHEMA_VERSION, type Attribution, type BeaconEvent, type Severity } from './event.js';

/** A new event with the required envelope and the run's attribution; the caller adds the rest. */
export function newEvent(
  attribution: Attribution,
  fields: { timestamp: string; action: string; category: string; harness: string; severity?: Severity },
): BeaconEvent {
  const event: BeaconEvent = {
    timestamp: fields.timestamp,
    vendor: 'beacon',
    product: 'endpoint-agent',
    schema_version: SCHEMA_VERSION,
    event: { kind: 'agent_runtime', action: fields.action, category: fields.category },
    severity: fields.severity ?? 'info',
    endpoint: attribution.endpoint,
    harness: { name: fields.harness },
  };
  if (attribution.origin) event.origin = attribution.origin;
  if (attribution.run) event.run = attribution.run;
  if (attribution.repository) event.repository = attribution.repository;
  if (attribution.branch) event.branch = attribution.branch;
  return event;
}
