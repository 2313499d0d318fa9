/** Reading JSON that another writer (another replica, another version) stored in Redis. */

/** Parses `text` as a JSON object; undefined for invalid JSON or anything but an object. */
export function parseJsonObject(text: string): Record<string, unknown> | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}
