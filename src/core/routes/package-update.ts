/**
 * `PATCH /v3/packages/{guid}` (`packages_controller.rb#update`, `package_update_message.rb`,
 * `app/actions/package_update.rb`): metadata, and a docker package's registry `username`
 * and `password`.
 */
import { findReadablePackage, requireActiveOrgAndSpace, requireSpaceWrite } from "../auth/permissions.js";
import type { Context } from "../context.js";
import { CfError } from "../errors.js";
import { json, type Answer } from "../http/answer.js";
import { presentPackage } from "../presenters.js";
import { isPlainObject, unknownFieldsMessage } from "../validation.js";
import { validateMetadata } from "./metadata.js";

/**
 * The message first (422: metadata, then unknown keys), then the package (404), then
 * credentials for a bits package (422), write access (403) and an active org and space.
 * `username` and `password` are not validated; a null one leaves the stored value as it is.
 */
export async function handleUpdatePackage(ctx: Context): Promise<Answer> {
  const perms = await ctx.writer();
  const body = await ctx.jsonBody();
  if (!isPlainObject(body)) throw new CfError("MessageParseError", "invalid request body");
  const messages: string[] = [];
  const metadata = validateMetadata(body.metadata, messages);
  const unknown = unknownFieldsMessage(Object.keys(body), ["metadata", "username", "password"]);
  if (unknown) messages.push(unknown);
  if (messages.length) throw new CfError("UnprocessableEntity", messages);
  const { pkg, space, org } = findReadablePackage(ctx.state, perms, ctx.params.guid!);
  // `message.username || message.password`: in Ruby only nil and false are falsy.
  const credentials = truthy(body.username) || truthy(body.password);
  if (pkg.type !== "docker" && credentials) {
    throw new CfError("UnprocessableEntity", "Cannot update Docker credentials for a buildpack app.");
  }
  requireSpaceWrite(perms, space);
  requireActiveOrgAndSpace(perms, org, space);
  const update = {
    ...(metadata ?? {}),
    ...(credentials ? { username: credential(body.username), password: credential(body.password) } : {}),
  };
  return json(200, presentPackage(ctx.lifecycle.updatePackage(pkg.guid, update), ctx.present));
}

function truthy(value: unknown): boolean {
  return value !== undefined && value !== null && value !== false;
}

/** A credential to store: a string, or a number or boolean as its text; anything else is left alone. */
function credential(value: unknown): string | undefined {
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  return undefined;
}
