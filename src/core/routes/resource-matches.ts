/**
 * `POST /v3/resource_matches` (`app/messages/resource_match_create_message.rb`,
 * `lib/cloud_controller/resource_pool.rb`): which of the listed
 * files the resource cache already holds.
 */
import type { Context } from "../context.js";
import { CfError } from "../errors.js";
import { requireAppBitsUploadFlag } from "../auth/permissions.js";
import { isPlainObject } from "../validation.js";
import { json, type Answer } from "../http/answer.js";

const ENTRY_PREFIX = "Resources array contains at least one resource with ";
const OCTAL = /^[0-7]+$/;

/**
 * Every message appears at most once, in the order the entries first give it (ActiveModel
 * errors keep insertion order). Keys besides `resources`, and keys of an entry besides
 * `checksum.value`, `size_in_bytes` and `mode`, are not checked (no NoAdditionalKeysValidator).
 */
function validate(body: Record<string, unknown>): string[] {
  const resources = body.resources;
  if (!Array.isArray(resources)) return ["Resources must be an array"];
  const messages = new Set<string>();
  if (resources.length > 5000) messages.add("Resources array can have at most 5000 resources");
  if (resources.length < 1) messages.add("Resources must have at least 1 resource");
  const add = (m: string) => messages.add(ENTRY_PREFIX + m);
  for (const r of resources) {
    const e = isPlainObject(r) ? r : {};
    const checksum = e.checksum;
    if (!isPlainObject(checksum)) add("a non-object checksum");
    else if (typeof checksum.value !== "string") add("a non-string checksum value");
    else if (checksum.value.length !== 40) add("a non-SHA1 checksum value");
    const size = e.size_in_bytes;
    if (typeof size !== "number" || !Number.isInteger(size)) add("a non-integer size_in_bytes");
    else if (size < 0) add("a negative size_in_bytes");
    const mode = e.mode;
    if (mode !== undefined && mode !== null) {
      if (typeof mode !== "string") add("a non-string mode");
      else if (!OCTAL.test(mode)) add("an incorrect mode");
    }
  }
  return [...messages];
}

/**
 * A matched entry as `resource_match_presenter.rb` rebuilds it from the V2 fingerprint
 * (`v2_v3_resource_translator.rb`): these four keys in this order, nothing else; a
 * missing `path` is null.
 */
function present(r: Record<string, unknown>) {
  return {
    checksum: { value: (r.checksum as { value: string }).value },
    size_in_bytes: r.size_in_bytes as number,
    path: r.path ?? null,
    mode: r.mode ?? null,
  };
}

export async function handleResourceMatches(ctx: Context): Promise<Answer> {
  // Authentication; write scope (admin_read_only and global_auditor get 403); the flag; validation.
  const perms = await ctx.writer();
  requireAppBitsUploadFlag(ctx.state, perms);
  const body = await ctx.jsonBody();
  if (!isPlainObject(body)) throw new CfError("UnprocessableEntity", "Resources must be an array");
  const messages = validate(body);
  if (messages.length) throw new CfError("UnprocessableEntity", messages);
  const matching = ctx.state.featureFlags.get("resource_matching");
  if (matching && !matching.enabled) return json(201, { resources: [] });
  const { resourceCacheMinSize: min, resourceCacheMaxSize: max } = ctx.services.options;
  const matched = (body.resources as Array<Record<string, unknown>>).filter((r) => {
    const size = r.size_in_bytes as number;
    // Strict bounds here, inclusive when caching (resource_pool.rb `size_allowed?` vs the packer).
    if (!(min < size && size < max)) return false;
    // An entry without a mode never matches, despite the documented 0744 default.
    if (typeof r.mode !== "string" || parseInt(r.mode, 8) < 0o600) return false;
    // A match is a use: it keeps the file from eviction the longest.
    return ctx.state.resourceCache.touch((r.checksum as { value: string }).value);
  });
  return json(201, { resources: matched.map(present) });
}
