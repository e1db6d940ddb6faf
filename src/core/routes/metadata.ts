/**
 * `metadata` in package bodies (`app/messages/metadata_base_message.rb`): labels and
 * annotations as maps of strings; a null value removes a key.
 */
import { isPlainObject, unknownFieldsMessage } from "../validation.js";

export interface MetadataChanges {
  labels?: Record<string, string | null>;
  annotations?: Record<string, string | null>;
}

/** The metadata of a body, or null when it has none; its problems are pushed onto `messages`. */
export function validateMetadata(value: unknown, messages: string[]): MetadataChanges | null {
  if (value === undefined) return null;
  if (!isPlainObject(value)) {
    messages.push("Metadata must be an object");
    return null;
  }
  const extra = unknownFieldsMessage(Object.keys(value), ["labels", "annotations"]);
  if (extra) messages.push(`Metadata ${extra.charAt(0).toLowerCase()}${extra.slice(1)}`);
  const out: MetadataChanges = {};
  for (const kind of ["labels", "annotations"] as const) {
    const map = value[kind];
    if (map === undefined) continue;
    if (!isPlainObject(map) || Object.values(map).some((v) => v !== null && typeof v !== "string")) {
      messages.push(`Metadata ${kind} must be an object of strings`);
      continue;
    }
    out[kind] = map as Record<string, string | null>;
  }
  return out;
}
