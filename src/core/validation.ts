/**
 * Small checks that the request messages of several endpoints share
 * (`app/messages/base_message.rb`: unknown keys are refused by name, in request order).
 */

/** `Unknown field(s): 'a', 'b'` for keys outside `allowed`, in request order; null when none. */
export function unknownFieldsMessage(keys: readonly string[], allowed: readonly string[]): string | null {
  const unknown = keys.filter((k) => !allowed.includes(k));
  return unknown.length ? `Unknown field(s): ${unknown.map((k) => `'${k}'`).join(", ")}` : null;
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * Sets `map[key]` as the map's own property, whatever the key: `__proto__` included (a plain
 * assignment would change the map's prototype, or do nothing, instead of storing the key).
 */
export function setOwn<T>(map: Record<string, T>, key: string, value: T): void {
  // Only `__proto__` needs defining; a plain assignment keeps the object fast for every other key.
  if (key === "__proto__")
    Object.defineProperty(map, key, { value, enumerable: true, writable: true, configurable: true });
  else map[key] = value;
}
