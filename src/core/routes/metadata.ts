/**
 * `metadata` in package bodies (`app/messages/validators/metadata_validator.rb`,
 * `app/messages/metadata_validator_helper.rb`): labels and annotations as maps; a null value
 * removes a key. Keys are `[prefix/]name`: the prefix a DNS name of at most 253 characters
 * other than `cloudfoundry.org`, the name at most 63 of `[A-Za-z0-9_.-]`, starting and ending
 * alphanumeric; label values likewise (or empty), annotation values at most 5000 characters.
 */
import { isPlainObject, setOwn } from "../validation.js";

export interface MetadataChanges {
  labels?: Record<string, string | null>;
  annotations?: Record<string, string | null>;
}

const MAX_NAME = 63;
const MAX_PREFIX = 253;
const MAX_ANNOTATION_VALUE = 5000;
const INVALID_CHAR = /[^\w\-.]/;
const ALPHANUMERIC_START_END = /^(?=[a-zA-Z\d]).*[a-zA-Z\d]$/;
/** `CloudController::DomainDecorator::DOMAIN_REGEX` (`\Z` lets one trailing newline through). */
const DOMAIN = /^(?:(?:[a-z0-9]|[a-z0-9][a-z0-9-]{0,61}[a-z0-9])\.)+(?:[a-z0-9]|[a-z0-9][a-z0-9-]{0,61}[a-z0-9])\n?$/i;

/** Ruby's `str[0...8]`: the first 8 characters (code points, not UTF-16 units). */
const first8 = (s: string) => Array.from(s).slice(0, 8).join("");
const chars = (s: string) => Array.from(s).length;

/** `MetadataHelpers.extract_prefix`: Ruby's `split('/')` drops trailing empty fields. */
function extractPrefix(key: string): [string | null, string] {
  if (!key.includes("/")) return [null, key];
  const parts = key.split("/");
  while (parts.length > 0 && parts[parts.length - 1] === "") parts.pop();
  return [parts[0] ?? null, parts[1] ?? ""];
}

/** `MetadataValidatorHelper#key_error`: the first thing wrong with a key, or null. */
export function metadataKeyError(key: string): string | null {
  if (key.trim() === "") return "key cannot be empty string";
  if (key.split("/").length - 1 > 1) return "key has more than one '/'";
  const [prefix, name] = extractPrefix(key);
  if (prefix !== null) {
    if (!DOMAIN.test(prefix)) return `prefix '${prefix}' must be in valid dns format`;
    if (chars(prefix) > MAX_PREFIX) return `prefix '${first8(prefix)}...' is greater than ${MAX_PREFIX} characters`;
    if (prefix.toLowerCase() === "cloudfoundry.org") return "prefix 'cloudfoundry.org' is reserved";
  }
  if (name.trim() === "") return "key cannot be empty string";
  return nameOrValueError(name);
}

/** `MetadataValidatorHelper#value_error` for a label value (already `to_s`), or null. */
export function labelValueError(value: string): string | null {
  return value === "" ? null : nameOrValueError(value);
}

function nameOrValueError(s: string): string | null {
  if (INVALID_CHAR.test(s)) return `'${s}' contains invalid characters`;
  if (!ALPHANUMERIC_START_END.test(s)) return `'${s}' starts or ends with invalid characters`;
  if (chars(s) > MAX_NAME) return `'${first8(s)}...' is greater than ${MAX_NAME} characters`;
  return null;
}

/** A scalar as the database column stores it (Ruby's `to_s`); null stays null (a removal). */
function scalar(value: unknown): string | null | undefined {
  if (value === null || typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  return undefined;
}

/** Rails' `present?` for a JSON value: not null, not false, not a blank string, not empty. */
function present(value: unknown): boolean {
  if (value === null || value === undefined || value === false) return false;
  if (typeof value === "string") return value.trim() !== "";
  if (Array.isArray(value)) return value.length > 0;
  return !isPlainObject(value) || Object.keys(value).length > 0;
}

function validateLabels(map: Record<string, unknown>, messages: string[]): Record<string, string | null> {
  const out: Record<string, string | null> = {};
  for (const [key, value] of Object.entries(map)) {
    const keyError = metadataKeyError(key);
    if (keyError) messages.push(`Metadata label key error: ${keyError}`);
    const text = scalar(value);
    const valueError = labelValueError(text ?? (text === null ? "" : JSON.stringify(value)));
    if (valueError) messages.push(`Metadata label value error: ${valueError}`);
    if (text !== undefined) setOwn(out, key, text);
  }
  return out;
}

function validateAnnotations(map: Record<string, unknown>, messages: string[]): Record<string, string | null> {
  const out: Record<string, string | null> = {};
  for (const [key, value] of Object.entries(map)) {
    // The key is checked only when the value is present (metadata_validator.rb).
    const keyError = present(value) ? metadataKeyError(key) : null;
    if (keyError) messages.push(`Metadata annotation key error: ${keyError}`);
    const text = scalar(value);
    if (text === undefined) {
      // The controller would fail storing it; the simulator answers 422 instead.
      messages.push("Metadata annotations must be an object of strings");
      continue;
    }
    if (text !== null && typeof value === "string" && chars(text) > MAX_ANNOTATION_VALUE) {
      messages.push(`Metadata annotation value error: '${first8(text)}...' is greater than 5000 characters`);
    }
    setOwn(out, key, text);
  }
  return out;
}

/** The metadata of a body, or null when it has none; its problems are pushed onto `messages`. */
export function validateMetadata(value: unknown, messages: string[]): MetadataChanges | null {
  if (value === undefined) return null;
  if (!isPlainObject(value)) {
    messages.push("Metadata must be an object");
    return null;
  }
  const extra = Object.keys(value).filter((k) => k !== "labels" && k !== "annotations");
  if (extra.length) messages.push(`Metadata has unexpected field(s): ${extra.map((k) => `'${k}'`).join(" ")}`);
  const out: MetadataChanges = {};
  const { labels, annotations } = value;
  if (labels !== undefined && labels !== null && labels !== false) {
    if (!isPlainObject(labels)) messages.push("Metadata 'labels' is not an object");
    else out.labels = validateLabels(labels, messages);
  }
  if (annotations !== undefined && annotations !== null && annotations !== false) {
    if (!isPlainObject(annotations)) messages.push("Metadata 'annotations' is not an object");
    else out.annotations = validateAnnotations(annotations, messages);
  }
  return out;
}
