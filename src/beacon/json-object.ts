/** A parsed JSON object whose shape is still being checked. */
export type Json = Record<string, any>;

/** A JSON object: not null, not an array. */
export function isObject(value: unknown): value is Json {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
