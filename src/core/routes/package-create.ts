/**
 * `POST /v3/packages` (`app/messages/package_create_message.rb`, `app/actions/package_create.rb`)
 * and its copy form, `POST /v3/packages?source_guid=` (`app/actions/package_copy.rb`).
 */
import {
  findReadablePackage,
  requireActiveOrgAndSpace,
  requireSpaceWrite,
  type Permissions,
} from "../auth/permissions.js";
import type { Context } from "../context.js";
import { CfError } from "../errors.js";
import { json, type Answer } from "../http/answer.js";
import { presentPackage } from "../presenters.js";
import { isPlainObject, unknownFieldsMessage } from "../validation.js";
import type { PackageRecord } from "../world/model.js";
import { validateMetadata } from "./metadata.js";
import { appGuidOf, blank, validateAppRelationship } from "./relationships.js";

/**
 * Body validation, then the app (422 when missing or unreadable), write access, an active
 * org and space, and a package type that fits the app's lifecycle.
 */
export async function handleCreatePackage(ctx: Context): Promise<Answer> {
  const perms = await ctx.writer();
  if (ctx.url.searchParams.has("source_guid")) return copyPackage(ctx, perms);
  const body = await ctx.jsonBody();
  if (!isPlainObject(body)) throw new CfError("MessageParseError", "invalid request body");
  // The validators in the order PackageCreateMessage runs them: its parent's MetadataValidator,
  // then NoAdditionalKeysValidator, DockerDataValidator, BitsDataValidator, RelationshipValidator, type.
  const messages: string[] = [];
  const metadata = validateMetadata(body.metadata, messages);
  const unknown = unknownFieldsMessage(Object.keys(body), ["type", "relationships", "data", "metadata"]);
  if (unknown) messages.push(unknown);
  const type = body.type;
  const docker = type === "docker" ? dockerData(body.data, messages) : null;
  if (
    type === "bits" &&
    body.data !== undefined &&
    body.data !== null &&
    !(isPlainObject(body.data) && Object.keys(body.data).length === 0)
  ) {
    messages.push("Data must be empty if provided for bits packages");
  }
  const appGuid = validateAppRelationship(body.relationships, messages);
  if (type !== "bits" && type !== "docker") messages.push("Type must be one of 'bits, docker'");
  if (messages.length) throw new CfError("UnprocessableEntity", messages);

  const { app, space, org } = readableApp(ctx, perms, appGuid ?? "");
  requireSpaceWrite(perms, space);
  requireActiveOrgAndSpace(perms, org, space);
  if (type === "bits" && app.lifecycle === "docker") {
    throw new CfError("UnprocessableEntity", "Cannot create bits package for a Docker app.");
  }
  if (type === "docker" && app.lifecycle !== "docker") {
    throw new CfError("UnprocessableEntity", "Cannot create Docker package for a buildpack app.");
  }
  const pkg = ctx.lifecycle.create({
    guid: ctx.services.ids.uuid(),
    appGuid: app.guid,
    type: type as PackageRecord["type"],
    docker,
    ...metadataValues(metadata),
  });
  return json(201, presentPackage(pkg, ctx.present));
}

/**
 * The copy (`packages_controller.rb#create_copy`, `package_copy.rb#copy`). Only
 * `relationships.app.data.guid` is read from the body; the rest is ignored. Then, in order:
 * the destination app (422 when missing or unreadable), write access to it (403), its org and
 * space; the source package (422 when missing or unreadable), write access to its space, its
 * org and space; a destination that is the source's own app (422). Bits copies start COPYING
 * and end READY with the source's bits after the processing delay.
 */
async function copyPackage(ctx: Context, perms: Permissions): Promise<Answer> {
  const body = await ctx.jsonBody();
  if (!isPlainObject(body)) throw new CfError("MessageParseError", "invalid request body");
  const appGuid = appGuidOf(body.relationships) ?? "";
  const { app, space, org } = readableApp(ctx, perms, appGuid);
  requireSpaceWrite(perms, space);
  requireActiveOrgAndSpace(perms, org, space);
  const source = readableSource(ctx, perms, ctx.url.searchParams.get("source_guid") ?? "");
  requireSpaceWrite(perms, source.space);
  requireActiveOrgAndSpace(perms, source.org, source.space);
  if (source.pkg.appGuid === app.guid) {
    throw new CfError("UnprocessableEntity", "Source and destination app cannot be the same");
  }
  const copy = ctx.lifecycle.startCopy(source.pkg, { guid: ctx.services.ids.uuid(), appGuid: app.guid });
  if (copy.state === "COPYING") {
    const { scheduler, options } = ctx.services;
    const lifecycle = ctx.lifecycle;
    scheduler.run(async () => {
      await scheduler.sleep(options.processingDelay);
      await lifecycle.finishCopy(copy.guid);
    });
  }
  return json(201, presentPackage(copy, ctx.present));
}

/** The package a copy is made from: it must exist and be readable, else 422. */
function readableSource(ctx: Context, perms: Permissions, guid: string) {
  try {
    return findReadablePackage(ctx.state, perms, guid);
  } catch (e) {
    if (!(e instanceof CfError)) throw e;
    throw new CfError("UnprocessableEntity", "Source package is invalid. Ensure it exists and you have access to it.");
  }
}

/** The app a package is created in, with its space and org: it must exist and be readable, else 422. */
function readableApp(ctx: Context, perms: Permissions, appGuid: string) {
  const app = ctx.state.apps.get(appGuid);
  const space = app ? ctx.state.spaces.get(app.spaceGuid) : undefined;
  const org = space ? ctx.state.orgOfSpace(space) : undefined;
  if (!app || !space || !org || !perms.canReadFromSpace(space)) {
    throw new CfError("UnprocessableEntity", "App is invalid. Ensure it exists and you have access to it.");
  }
  return { app, space, org };
}

/**
 * `DockerDataValidator`: `image` must be a string and present, and `data` may hold only
 * `image`, `username` and `password`; its messages are prefixed `Data `.
 */
function dockerData(data: unknown, messages: string[]): PackageRecord["docker"] {
  const fields = isPlainObject(data) ? data : {};
  const image = fields.image;
  if (typeof image !== "string") messages.push("Data Image must be a string");
  if (blank(image)) messages.push("Data Image required");
  const unknown = unknownFieldsMessage(Object.keys(fields), ["image", "username", "password"]);
  if (unknown) messages.push(`Data ${unknown}`);
  if (typeof image !== "string" || blank(image)) return null;
  const username = typeof fields.username === "string" ? fields.username : null;
  // `docker_username && '***'` (package_presenter.rb): in Ruby an empty string is a username too.
  return { image, username, password: username !== null ? "***" : null };
}

/** The metadata a create starts with: only the keys that set a value. */
function metadataValues(metadata: ReturnType<typeof validateMetadata>) {
  const values = (map: Record<string, string | null> | undefined) =>
    Object.fromEntries(Object.entries(map ?? {}).filter((e): e is [string, string] => e[1] !== null));
  return { labels: values(metadata?.labels), annotations: values(metadata?.annotations) };
}
