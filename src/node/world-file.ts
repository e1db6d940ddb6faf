/**
 * World files: a team describes its own world (orgs, spaces, apps, packages,
 * users and their roles, feature flags) by name in YAML or JSON, and the
 * simulator starts on it. The format is published as a JSON Schema in
 * `fixtures/world.schema.json`; `fixtures/world-file.example.yaml` is a
 * documented sample.
 *
 * Everything a file leaves out is derived deterministically: guids from the
 * names leading to an entity (`stableGuid`), user guids from the user's name
 * (`userGuid`, as for the fixture users, so `mock-packages token --user NAME`
 * works), timestamps from the entity's place in the file.
 *
 * @example
 * import { createSimulator } from "mock-packages";
 * import { loadWorldFile } from "mock-packages/node";
 * const sim = createSimulator({ world: await loadWorldFile("my-world.yaml") });
 */
import { readFile, readdir, stat } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { Ajv2020 } from "ajv/dist/2020.js";
import type { ErrorObject, ValidateFunction } from "ajv";
import ajvFormats from "ajv-formats";
import { parseDocument } from "yaml";
import { stableGuid, userGuid } from "../core/world/stable-guid.js";
import { ZIP_DATE } from "../core/world/zip-date.js";
import type {
  AppData,
  GlobalRole,
  OrgData,
  OrgRole,
  PackageData,
  PackageState,
  SpaceData,
  SpaceRole,
  UserData,
  WorldData,
} from "../core/world/model.js";
import { createMemoryStore, getBytes } from "../core/blob-store.js";
import { ZipFormatError, readZipDirectory } from "../core/zip/reader.js";
import { writeZip, type AppendedFile } from "../core/zip/writer.js";

/** Where the published schema lives. */
export const WORLD_SCHEMA_URL = new URL("../../fixtures/world.schema.json", import.meta.url);

/**
 * A world file that cannot be loaded. The message names the file, the place in
 * it (`orgs[0].spaces[1].apps[0].packages[2].state`, or `line 3, column 7` for a
 * syntax error) and what is wrong.
 */
export class WorldFileError extends Error {
  /** The file as it was given to {@link loadWorldFile}. */
  readonly file: string;
  /** The place in the file, or null when the problem is the file as a whole. */
  readonly location: string | null;
  /** What is wrong, without the file and place. */
  readonly problem: string;

  constructor(file: string, location: string | null, problem: string) {
    super(location === null ? `${file}: ${problem}` : `${file}: ${location}: ${problem}`);
    this.name = "WorldFileError";
    this.file = file;
    this.location = location;
    this.problem = problem;
  }
}

// ---------------------------------------------------------------------------
// The document, as the schema allows it.

interface DocPackage {
  guid?: string;
  type?: "bits" | "docker";
  state?: PackageState;
  bits?: string;
  error?: string;
  image?: string;
  username?: string;
  password?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  created_at?: string;
  updated_at?: string;
}
interface DocApp {
  name: string;
  guid?: string;
  lifecycle?: "buildpack" | "docker";
  state?: "STARTED" | "STOPPED";
  created_at?: string;
  packages?: DocPackage[];
}
interface DocSpace {
  name: string;
  guid?: string;
  suspended?: boolean;
  being_deleted?: boolean;
  created_at?: string;
  apps?: DocApp[];
}
interface DocOrg {
  name: string;
  guid?: string;
  suspended?: boolean;
  being_deleted?: boolean;
  created_at?: string;
  spaces?: DocSpace[];
}
interface DocUser {
  name: string;
  global_role?: GlobalRole;
  roles?: string[];
}
interface WorldDocument {
  orgs?: DocOrg[];
  users?: DocUser[];
  feature_flags?: Record<string, boolean | { enabled: boolean; custom_error_message?: string | null }>;
}

// ---------------------------------------------------------------------------
// Paths inside the document.

type Segment = string | number;

/** `orgs[0].spaces[1].name`; keys that are not plain words are quoted: `labels["example.com/x"]`. */
export function formatLocation(segments: readonly Segment[]): string {
  let out = "";
  for (const s of segments) {
    if (typeof s === "number") out += `[${s}]`;
    else if (/^[A-Za-z_$][\w$-]*$/.test(s)) out += out === "" ? s : `.${s}`;
    else out += `[${JSON.stringify(s)}]`;
  }
  return out === "" ? "(top level)" : out;
}

function pointerSegments(pointer: string): Segment[] {
  if (pointer === "") return [];
  return pointer
    .slice(1)
    .split("/")
    .map((s) => s.replace(/~1/g, "/").replace(/~0/g, "~"))
    .map((s) => (/^(0|[1-9]\d*)$/.test(s) ? Number(s) : s));
}

// ---------------------------------------------------------------------------
// Parsing.

function parseText(file: string, text: string): unknown {
  if (/\.json$/i.test(file)) {
    try {
      return JSON.parse(text);
    } catch (error) {
      const message = (error as Error).message;
      const at = /at position (\d+)/.exec(message);
      const what = message
        .replace(/\s*\(line \d+ column \d+\)/, "")
        .replace(/ in JSON at position \d+/, "")
        .replace(/^JSON\.parse: /, "");
      if (!at) throw new WorldFileError(file, null, `invalid JSON: ${what}`);
      const { line, column } = lineColumn(text, Number(at[1]));
      throw new WorldFileError(file, `line ${line}, column ${column}`, `invalid JSON: ${what}`);
    }
  }
  const doc = parseDocument(text, { uniqueKeys: true, prettyErrors: true });
  const first = doc.errors[0];
  if (first) {
    const what = first.message.split("\n")[0]!.replace(/ at line \d+, column \d+:?$/, "");
    const pos = first.linePos?.[0];
    throw new WorldFileError(file, pos ? `line ${pos.line}, column ${pos.col}` : null, `invalid YAML: ${what}`);
  }
  return doc.toJS({ maxAliasCount: 1000 });
}

function lineColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let start = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text[i] === "\n") {
      line++;
      start = i + 1;
    }
  }
  return { line, column: offset - start + 1 };
}

// ---------------------------------------------------------------------------
// Validation against the published schema, with messages for people.

let validator: Promise<ValidateFunction> | undefined;

/** The compiled schema (ajv, JSON Schema 2020-12), loaded once. */
function schemaValidator(): Promise<ValidateFunction> {
  validator ??= readFile(WORLD_SCHEMA_URL, "utf8").then((text) => {
    const ajv = new Ajv2020({ allErrors: false, verbose: true, strict: true, allowUnionTypes: true });
    ajvFormats.default(ajv);
    return ajv.compile(JSON.parse(text) as object);
  });
  return validator;
}

const TYPE_WORDS: Record<string, string> = {
  string: "a string",
  boolean: "true or false",
  object: "a mapping",
  array: "a list",
  number: "a number",
  integer: "a whole number",
  null: "null",
};

function shown(value: unknown): string {
  if (value === undefined) return "nothing";
  if (Array.isArray(value)) return "a list";
  if (value !== null && typeof value === "object") return "a mapping";
  const text = JSON.stringify(value);
  return text.length > 60 ? `${text.slice(0, 57)}…"` : text;
}

/** Explanations of the schema's patterns. */
const PATTERN_HINTS: Record<string, string> = {
  "^[^/@]+$": 'must not contain "/" or "@" (they separate names in roles)',
};
const ROLE_HINT =
  'must be "<space role>@<org>/<space>" or "<org role>@<org>", with space roles space_developer, space_manager, ' +
  "space_auditor, space_supporter and org roles org_manager, org_auditor, org_billing_manager, org_user, " +
  'e.g. "space_developer@acme/dev"';

/** "true or false", "a string", …, joined: "a, b or c". */
function either(words: string[]): string {
  if (words.length <= 1) return words[0] ?? "";
  const last = words[words.length - 1]!;
  return `${words.slice(0, -1).join(", ")}${words.some((w) => w.includes(" or ")) ? ", or" : " or"} ${last}`;
}

/** The article of a schema title: "an org", "an app", "a space", "a user". */
const withArticle = (title: string) => (/^[aeio]/i.test(title) ? `an ${title}` : `a ${title}`);

function schemaProblem(errors: readonly ErrorObject[]): { at: Segment[]; problem: string } {
  // Branches of anyOf explain themselves better than the anyOf does.
  const useful = errors.filter((e) => !["anyOf", "oneOf", "if", "propertyNames"].includes(e.keyword));
  const candidates = (useful.length ? useful : errors).map((e) => {
    const at = pointerSegments(e.instancePath);
    const params = e.params as Record<string, unknown>;
    const propertyName = (e as { propertyName?: string }).propertyName;
    if (e.keyword === "required") at.push(String(params.missingProperty));
    if (e.keyword === "additionalProperties") at.push(String(params.additionalProperty));
    if (propertyName !== undefined) at.push(propertyName);
    return { e, at, propertyName };
  });
  // The deepest place is the most specific one.
  const depth = Math.max(...candidates.map((c) => c.at.length));
  const here = candidates.filter((c) => c.at.length === depth);
  const { e, at, propertyName } = here[0]!;
  const params = e.params as Record<string, unknown>;
  const value = e.data;
  let problem: string;
  switch (e.keyword) {
    case "type": {
      const types = here
        .filter((c) => c.e.keyword === "type")
        .flatMap((c) => String((c.e.params as { type: string }).type).split(","));
      problem = `must be ${either([...new Set(types)].map((t) => TYPE_WORDS[t] ?? t))} (got ${shown(value)})`;
      break;
    }
    case "enum": {
      const allowed = (params.allowedValues as unknown[]).map(String);
      problem =
        propertyName !== undefined
          ? `is not a feature flag; the flags are ${allowed.join(", ")}`
          : `must be one of ${allowed.join(", ")} (got ${shown(value)})`;
      break;
    }
    case "required":
      problem = "is required";
      break;
    case "additionalProperties": {
      const parent = e.parentSchema as { title?: string; properties?: Record<string, unknown> } | undefined;
      const known = Object.keys(parent?.properties ?? {}).filter((k) => k !== "$schema");
      problem = `is not a property of ${parent?.title ? withArticle(parent.title) : "this object"}; its properties are ${known.join(", ")}`;
      break;
    }
    case "format": {
      const example =
        params.format === "uuid"
          ? "a guid such as 0c6d6e6a-2f1b-4a5e-9a39-3f5f4b7c8d90"
          : "a date-time such as 2025-01-15T12:00:00Z";
      problem = `must be ${example} (got ${shown(value)})`;
      break;
    }
    case "minLength":
      problem = "must not be empty";
      break;
    case "pattern": {
      const pattern = String(params.pattern);
      const hint =
        PATTERN_HINTS[pattern] ?? (pattern.includes("space_developer") ? ROLE_HINT : `must match ${pattern}`);
      problem = `${hint} (got ${shown(value)})`;
      break;
    }
    default:
      problem = `${e.message ?? "is not valid"} (got ${shown(value)})`;
  }
  return { at, problem };
}

// ---------------------------------------------------------------------------
// Loading.

/** The first default timestamp; each entity without one gets a second more than the one before. */
const DEFAULT_TIME = Date.UTC(2025, 0, 1, 0, 0, 0);

const escapeHtml = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

/** Orders names as bytes, so that folders zip the same on every machine and locale. */
const byName = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

async function zipOf(files: Array<{ name: string; mode: number; bytes: Uint8Array }>): Promise<Uint8Array> {
  const store = createMemoryStore();
  const out = store.create();
  const append: AppendedFile[] = files.map((f) => ({
    name: f.name,
    mode: f.mode,
    size: f.bytes.length,
    read: async (s: number, e: number) => f.bytes.slice(s, e),
  }));
  await writeZip(out, null, [], append, ZIP_DATE.getTime());
  return getBytes(store, (await out.finish()).id);
}

/** The files of a folder, recursively, sorted, with their modes; symlinks to files are followed, to folders skipped. */
async function folderFiles(root: string): Promise<Array<{ name: string; mode: number; bytes: Uint8Array }>> {
  const out: Array<{ name: string; mode: number; bytes: Uint8Array }> = [];
  const walk = async (dir: string, prefix: string): Promise<void> => {
    const entries = (await readdir(dir, { withFileTypes: true })).sort((a, b) => byName(a.name, b.name));
    for (const entry of entries) {
      const full = join(dir, entry.name);
      const name = prefix + entry.name;
      if (entry.isDirectory()) {
        await walk(full, `${name}/`);
        continue;
      }
      if (!entry.isFile() && !entry.isSymbolicLink()) continue;
      const info = await stat(full).catch(() => null);
      if (!info?.isFile()) continue;
      out.push({ name, mode: info.mode & 0o7777, bytes: new Uint8Array(await readFile(full)) });
    }
  };
  await walk(root, "");
  return out;
}

/**
 * Reads a world file (YAML, or JSON when it ends in `.json`), checks it against
 * `fixtures/world.schema.json` and its references, reads the bits it names
 * (relative to the file), and answers the world for `createSimulator({ world })`.
 * Throws {@link WorldFileError} naming the file, the place in it and the problem.
 */
export async function loadWorldFile(file: string): Promise<WorldData> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why =
      code === "ENOENT" ? "no such file" : code === "EISDIR" ? "is a folder, not a file" : (error as Error).message;
    throw new WorldFileError(file, null, `cannot read the world file: ${why}`);
  }
  const data = parseText(file, text);
  const validate = await schemaValidator();
  if (data === null || data === undefined) {
    throw new WorldFileError(
      file,
      null,
      "the file is empty; a world file is a mapping with orgs, users and feature_flags",
    );
  }
  if (!validate(data)) {
    const { at, problem } = schemaProblem(validate.errors ?? []);
    throw new WorldFileError(file, formatLocation(at), problem);
  }
  return buildWorld(file, data as WorldDocument, dirname(resolve(file)));
}

async function buildWorld(file: string, doc: WorldDocument, baseDir: string): Promise<WorldData> {
  const fail = (at: Segment[], problem: string): never => {
    throw new WorldFileError(file, formatLocation(at), problem);
  };
  let clock = DEFAULT_TIME;
  const timeOf = (iso: string | undefined): number => {
    const t = iso === undefined ? clock : Math.floor(Date.parse(iso) / 1000) * 1000;
    clock += 1000;
    return t;
  };
  /** Guids already handed out, per kind: where each came from. */
  const guidsSeen = new Map<string, string>();
  const guidFor = (kind: string, given: string | undefined, derivedFrom: string, at: Segment[]): string => {
    const guid = (given ?? stableGuid(kind, derivedFrom)).toLowerCase();
    const before = guidsSeen.get(`${kind}:${guid}`);
    if (before !== undefined) fail([...at, "guid"], `${guid} is already the guid of ${before}`);
    guidsSeen.set(`${kind}:${guid}`, formatLocation(at));
    return guid;
  };

  const world: WorldData = { orgs: [], spaces: [], apps: [], users: [], packages: [] };
  /** Org name → its guid and spaces by name, for roles. */
  const orgIndex = new Map<string, { guid: string; spaces: Map<string, string> }>();
  const orgFirstAt = new Map<string, Segment[]>();

  for (const [oi, org] of (doc.orgs ?? []).entries()) {
    const orgAt: Segment[] = ["orgs", oi];
    const firstAt = orgFirstAt.get(org.name);
    if (firstAt) fail([...orgAt, "name"], `duplicate org name "${org.name}" (first at ${formatLocation(firstAt)})`);
    orgFirstAt.set(org.name, orgAt);
    const orgData: OrgData = {
      guid: guidFor("org", org.guid, org.name, orgAt),
      name: org.name,
      suspended: org.suspended ?? false,
      beingDeleted: org.being_deleted ?? false,
      createdAt: timeOf(org.created_at),
    };
    world.orgs.push(orgData);
    const spaces = new Map<string, string>();
    orgIndex.set(org.name, { guid: orgData.guid, spaces });
    const spaceFirstAt = new Map<string, Segment[]>();

    for (const [si, space] of (org.spaces ?? []).entries()) {
      const spaceAt: Segment[] = [...orgAt, "spaces", si];
      const first = spaceFirstAt.get(space.name);
      if (first) {
        fail(
          [...spaceAt, "name"],
          `duplicate space name "${space.name}" in org ${org.name} (first at ${formatLocation(first)})`,
        );
      }
      spaceFirstAt.set(space.name, spaceAt);
      const spaceData: SpaceData = {
        guid: guidFor("space", space.guid, `${org.name}/${space.name}`, spaceAt),
        name: space.name,
        orgGuid: orgData.guid,
        suspended: space.suspended ?? false,
        beingDeleted: space.being_deleted ?? false,
        createdAt: timeOf(space.created_at),
      };
      world.spaces.push(spaceData);
      spaces.set(space.name, spaceData.guid);
      const appFirstAt = new Map<string, Segment[]>();

      for (const [ai, app] of (space.apps ?? []).entries()) {
        const appAt: Segment[] = [...spaceAt, "apps", ai];
        const firstApp = appFirstAt.get(app.name);
        if (firstApp) {
          fail(
            [...appAt, "name"],
            `duplicate app name "${app.name}" in space ${org.name}/${space.name} (first at ${formatLocation(firstApp)})`,
          );
        }
        appFirstAt.set(app.name, appAt);
        const appPath = `${org.name}/${space.name}/${app.name}`;
        const createdAt = timeOf(app.created_at);
        const appData: AppData = {
          guid: guidFor("app", app.guid, appPath, appAt),
          name: app.name,
          spaceGuid: spaceData.guid,
          lifecycle: app.lifecycle ?? "buildpack",
          state: app.state ?? "STOPPED",
          createdAt,
          updatedAt: createdAt,
        };
        world.apps.push(appData);

        for (const [pi, p] of (app.packages ?? []).entries()) {
          const pAt: Segment[] = [...appAt, "packages", pi];
          world.packages.push(await buildPackage(p, pAt, appData, `${appPath}#${pi}`));
        }
      }
    }
  }

  async function buildPackage(p: DocPackage, at: Segment[], app: AppData, derivedFrom: string): Promise<PackageData> {
    const type = p.type ?? (p.image !== undefined ? "docker" : "bits");
    const state: PackageState = p.state ?? (type === "docker" ? "READY" : "AWAITING_UPLOAD");
    if (type === "bits") {
      for (const key of ["image", "username", "password"] as const) {
        if (p[key] !== undefined)
          fail(
            [...at, key],
            `only a docker package has ${key === "image" ? "an image" : `a ${key}`} (this one is a bits package)`,
          );
      }
    } else {
      if (p.image === undefined) fail([...at, "image"], "is required for a docker package");
      if (p.bits !== undefined)
        fail([...at, "bits"], "only a READY bits package has bits (this one is a docker package)");
    }
    if (p.bits !== undefined && state !== "READY") {
      fail([...at, "bits"], `only a READY bits package has bits (this one is ${state})`);
    }
    if (p.error !== undefined && state !== "FAILED") {
      fail([...at, "error"], `only a FAILED package has an error (this one is ${state})`);
    }
    const guid = guidFor("package", p.guid, derivedFrom, at);
    const createdAt = timeOf(p.created_at);
    const data: PackageData = {
      guid,
      appGuid: app.guid,
      type,
      state,
      createdAt,
      updatedAt: p.updated_at === undefined ? createdAt : Math.floor(Date.parse(p.updated_at) / 1000) * 1000,
    };
    if (state === "FAILED") data.error = p.error ?? "The app upload is invalid: Invalid zip archive.";
    if (type === "docker")
      data.docker = { image: p.image!, username: p.username ?? null, password: p.password ?? null };
    if (p.labels) data.labels = { ...p.labels };
    if (p.annotations) data.annotations = { ...p.annotations };
    if (type === "bits" && state === "READY") {
      data.bits =
        p.bits === undefined
          ? await zipOf([
              {
                name: "index.html",
                mode: 0o644,
                bytes: new TextEncoder().encode(
                  `<!doctype html><title>${escapeHtml(app.name)}</title><h1>${escapeHtml(app.name)}</h1>\n`,
                ),
              },
            ])
          : await readBits(p.bits, [...at, "bits"]);
    }
    return data;
  }

  async function readBits(ref: string, at: Segment[]): Promise<Uint8Array> {
    const full = resolve(baseDir, ref);
    const info = await stat(full).catch((error: NodeJS.ErrnoException) => {
      if (error.code === "ENOENT") return fail(at, `no such file or folder: ${ref} (looked for ${full})`);
      return fail(at, `cannot read ${ref}: ${error.message}`);
    });
    if (info.isDirectory()) {
      const files = await folderFiles(full);
      if (files.length === 0) fail(at, `the folder ${ref} holds no files`);
      return zipOf(files);
    }
    const bytes = new Uint8Array(await readFile(full));
    try {
      await readZipDirectory(async (s, e) => bytes.slice(s, e), bytes.length);
    } catch (error) {
      if (error instanceof ZipFormatError) fail(at, `${ref} is not a zip archive (${error.message})`);
      throw error;
    }
    return bytes;
  }

  const userFirstAt = new Map<string, Segment[]>();
  for (const [ui, user] of (doc.users ?? []).entries()) {
    const userAt: Segment[] = ["users", ui];
    const first = userFirstAt.get(user.name);
    if (first) fail([...userAt, "name"], `duplicate user name "${user.name}" (first at ${formatLocation(first)})`);
    userFirstAt.set(user.name, userAt);
    const orgRoles: Array<{ orgGuid: string; role: OrgRole }> = [];
    const spaceRoles: Array<{ spaceGuid: string; role: SpaceRole }> = [];
    const addOrgRole = (orgGuid: string, role: OrgRole) => {
      if (!orgRoles.some((r) => r.orgGuid === orgGuid && r.role === role)) orgRoles.push({ orgGuid, role });
    };
    const orgNames = () => [...orgIndex.keys()].join(", ") || "none";
    for (const [ri, ref] of (user.roles ?? []).entries()) {
      const at: Segment[] = [...userAt, "roles", ri];
      // The schema's pattern has checked the shape: `role@org` or `role@org/space`.
      const [role, target] = ref.split("@") as [string, string];
      const [orgName, spaceName] = target.split("/") as [string, string | undefined];
      const org = orgIndex.get(orgName);
      if (!org) fail(at, `unknown org "${orgName}" in "${ref}" (orgs in this file: ${orgNames()})`);
      if (spaceName === undefined) {
        addOrgRole(org!.guid, role as OrgRole);
        continue;
      }
      const spaceGuid = org!.spaces.get(spaceName);
      if (!spaceGuid) {
        fail(
          at,
          `unknown space "${spaceName}" of org ${orgName} in "${ref}" (its spaces: ${[...org!.spaces.keys()].join(", ") || "none"})`,
        );
      }
      if (!spaceRoles.some((r) => r.spaceGuid === spaceGuid && r.role === role)) {
        spaceRoles.push({ spaceGuid: spaceGuid!, role: role as SpaceRole });
      }
      // A space role needs membership of the org, as the Cloud Controller requires.
      addOrgRole(org!.guid, "org_user");
    }
    const data: UserData = { guid: userGuid(user.name), name: user.name, orgRoles, spaceRoles };
    if (user.global_role) data.globalRole = user.global_role;
    world.users.push(data);
  }

  if (doc.feature_flags) {
    world.featureFlags = {};
    for (const [name, setting] of Object.entries(doc.feature_flags)) {
      world.featureFlags[name] =
        typeof setting === "boolean"
          ? { enabled: setting, customErrorMessage: null }
          : { enabled: setting.enabled, customErrorMessage: setting.custom_error_message ?? null };
    }
  }
  return world;
}
