/**
 * The `resources` field of an upload (`app/messages/package_upload_message.rb`,
 * `app/messages/v2_v3_resource_translator.rb`): a JSON string of cached files to
 * add. V3 entries are translated to the V2 shape the job works with. Every 422
 * the upload gives for its `resources` comes from {@link readResourcesField}.
 */
import { CfError } from "../errors.js";

/** A resource entry as the job sees it (V2 names). Values are not validated at request time. */
export interface V2Resource {
  fn: unknown;
  size: unknown;
  sha1: unknown;
  mode: unknown;
}

export type ParsedResources = { ok: true; entries: V2Resource[] } | { ok: false };

/** Ruby's `String#blank?`: empty or whitespace only. */
export function isBlank(value: string | null): boolean {
  return value === null || /^\s*$/.test(value);
}

/** The field is parsed only when non-blank, and `"[]"` counts as blank (`package_upload_message.rb`). */
export function resourcesAreBlank(value: string | null): boolean {
  return isBlank(value) || value === "[]";
}

/**
 * Parses and translates a non-blank `resources` value. Anything that is not a
 * JSON array of objects, or a V3 entry whose `checksum` is not an object, fails:
 * the caller answers 422 `Resources must be valid JSON.`
 */
export function parseResources(value: string): ParsedResources {
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    return { ok: false };
  }
  return translateResources(parsed);
}

/** The translation step of {@link parseResources}, for a value already parsed. */
export function translateResources(parsed: unknown): ParsedResources {
  if (!Array.isArray(parsed)) return { ok: false };
  const entries: V2Resource[] = [];
  for (const entry of parsed) {
    if (typeof entry !== "object" || entry === null || Array.isArray(entry)) return { ok: false };
    const e = entry as Record<string, unknown>;
    if ("checksum" in e && "size_in_bytes" in e) {
      const checksum = e.checksum;
      if (typeof checksum !== "object" || checksum === null || Array.isArray(checksum)) return { ok: false };
      entries.push({
        sha1: (checksum as Record<string, unknown>).value,
        size: e.size_in_bytes,
        fn: e.path,
        mode: e.mode,
      });
    } else {
      entries.push({ fn: e.fn, size: e.size, sha1: e.sha1, mode: e.mode });
    }
  }
  return { ok: true, entries };
}

/**
 * Check 4 of the upload (`packages_controller.rb#upload`): a non-blank `resources` must parse
 * and translate, else 422 `Resources must be valid JSON.` Answers the entries for the job.
 * `onParsed` hears the parsed JSON (`undefined` when the text is not JSON), for the journal.
 */
export function readResourcesField(
  text: string | null,
  withBits: boolean,
  onParsed?: (parsed: unknown) => void,
): V2Resource[] {
  if (resourcesAreBlank(text)) {
    // The real controller answers 500 to a whitespace-only `resources` sent with bits (it reaches
    // JSON.parse in the action). The simulator names the mistake instead of failing opaquely.
    if (withBits && text !== null && text !== "" && isBlank(text)) throw invalidResources();
    return [];
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text!);
  } catch {
    onParsed?.(undefined);
    throw invalidResources();
  }
  onParsed?.(parsed);
  const result = translateResources(parsed);
  if (!result.ok) throw invalidResources();
  return result.entries;
}

const invalidResources = () => new CfError("UnprocessableEntity", "Resources must be valid JSON.");
