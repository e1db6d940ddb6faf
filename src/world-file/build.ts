/**
 * A world document that follows the schema, turned into the simulator's
 * `WorldData`. What the schema cannot check is checked here (names and guids
 * unique, roles naming orgs and spaces of the file, fields that fit the
 * package), and every such problem is collected, so that a file with several
 * mistakes is fixed in one round. Nothing here touches a file system: the
 * loader passes in how to read the bits a package names.
 *
 * Everything a file leaves out is derived deterministically: guids from the
 * names leading to an entity (`stableGuid`), user guids from the user's name
 * (`userGuid`, as for the fixture users), timestamps from the entity's place
 * in the file.
 */
import type { ScenarioSetting } from "../core/scenarios/catalog.js";
import { ScenarioError, parseScenario } from "../core/scenarios/parse.js";
import { stableGuid, userGuid } from "../core/world/stable-guid.js";
import type {
  AppData,
  OrgData,
  OrgRole,
  PackageData,
  PackageState,
  SpaceData,
  SpaceRole,
  UserData,
  WorldData,
} from "../core/world/model.js";
import { bitsOf, generatedBits, type ReadBits } from "./bits.js";
import { buildClients } from "./build-clients.js";
import type { DocApp, DocOrg, DocPackage, DocScenario, DocSpace, DocUser, WorldDocument } from "./document.js";
import { formatLocation, type PathProblem, type Segment } from "./problems.js";

/** The world, or every problem found on the way to it. */
export type BuildResult = { ok: true; world: WorldData } | { ok: false; problems: PathProblem[] };

/** The first default timestamp; each entity without one gets a second more than the one before. */
const DEFAULT_TIME = Date.UTC(2025, 0, 1, 0, 0, 0);
const DEFAULT_ERROR = "The app upload is invalid: Invalid zip archive.";

/** What the builder carries from entity to entity. */
interface Build {
  world: WorldData;
  problems: PathProblem[];
  readBits: ReadBits;
  /** The default time of the next entity. */
  clock: number;
  /** Guids handed out, by `kind:guid`: where each came from. */
  guids: Map<string, string>;
  /** Org name → its guid and its spaces' guids by name, for roles. */
  orgs: Map<string, { guid: string; spaces: Map<string, string> }>;
}

/**
 * Builds the world of `doc`, a document that has passed the schema. `readBits`
 * reads what a READY package's `bits` names; a missing file is one more problem.
 */
export async function buildWorld(doc: WorldDocument, readBits: ReadBits): Promise<BuildResult> {
  const b: Build = {
    world: { orgs: [], spaces: [], apps: [], users: [], packages: [] },
    problems: [],
    readBits,
    clock: DEFAULT_TIME,
    guids: new Map(),
    orgs: new Map(),
  };
  const orgNames = new Names("org", "");
  for (const [oi, org] of (doc.orgs ?? []).entries()) {
    const at: Segment[] = ["orgs", oi];
    await buildOrg(b, org, at, orgNames.check(b, org.name, at));
  }
  const userNames = new Names("user", "");
  for (const [ui, user] of (doc.users ?? []).entries()) {
    const at: Segment[] = ["users", ui];
    userNames.check(b, user.name, at);
    buildUser(b, user, at);
  }
  if (doc.clients) b.world.clients = buildClients(doc.clients, b.problems);
  if (doc.feature_flags) {
    b.world.featureFlags = {};
    for (const [name, setting] of Object.entries(doc.feature_flags)) {
      b.world.featureFlags[name] =
        typeof setting === "boolean"
          ? { enabled: setting, customErrorMessage: null }
          : { enabled: setting.enabled, customErrorMessage: setting.custom_error_message ?? null };
    }
  }
  if (doc.scenario !== undefined) {
    const setting = scenarioOf(b, doc.scenario, ["scenario"]);
    if (setting) b.world.scenario = setting;
  }
  if (doc.blobstore !== undefined) b.world.blobstore = doc.blobstore;
  return b.problems.length ? { ok: false, problems: b.problems } : { ok: true, world: b.world };
}

/** A scenario through the simulator's own parser; its complaint is a problem at `at`. */
function scenarioOf(b: Build, value: DocScenario, at: Segment[]): ScenarioSetting | null {
  try {
    return parseScenario(value);
  } catch (error) {
    if (!(error instanceof ScenarioError)) throw error;
    b.problems.push({ at, problem: error.message });
    return null;
  }
}

/** Names that must be unique among their siblings: the first place of each. */
class Names {
  private readonly first = new Map<string, Segment[]>();
  constructor(
    private readonly kind: string,
    private readonly where: string,
  ) {}

  /** Records `name` at `at`; answers whether it was taken already (and reports it then). */
  check(b: Build, name: string, at: Segment[]): boolean {
    const first = this.first.get(name);
    if (!first) {
      this.first.set(name, at);
      return false;
    }
    const problem = `duplicate ${this.kind} name "${name}"${this.where} (first at ${formatLocation(first)})`;
    b.problems.push({ at: [...at, "name"], problem });
    return true;
  }
}

function timeOf(b: Build, iso: string | undefined): number {
  const t = iso === undefined ? b.clock : Math.floor(Date.parse(iso) / 1000) * 1000;
  b.clock += 1000;
  return t;
}

/**
 * The guid of the entity at `at`, given or derived, once per kind. Below a
 * duplicate name a derived guid repeats one from before; only the name is
 * reported then, not each guid that follows from it.
 */
function guidFor(
  b: Build,
  kind: string,
  given: string | undefined,
  derivedFrom: string,
  at: Segment[],
  dup: boolean,
): string {
  const guid = (given ?? stableGuid(kind, derivedFrom)).toLowerCase();
  if (given === undefined && dup) return guid;
  const before = b.guids.get(`${kind}:${guid}`);
  if (before === undefined) {
    b.guids.set(`${kind}:${guid}`, formatLocation(at));
  } else {
    b.problems.push({ at: [...at, "guid"], problem: `${guid} is already the guid of ${before}` });
  }
  return guid;
}

async function buildOrg(b: Build, org: DocOrg, at: Segment[], dup: boolean): Promise<void> {
  const data: OrgData = {
    guid: guidFor(b, "org", org.guid, org.name, at, dup),
    name: org.name,
    suspended: org.suspended ?? false,
    beingDeleted: org.being_deleted ?? false,
    createdAt: timeOf(b, org.created_at),
  };
  b.world.orgs.push(data);
  const spaces = new Map<string, string>();
  // Roles name the first org of a name; a duplicate is reported already.
  if (!dup) b.orgs.set(org.name, { guid: data.guid, spaces });
  const names = new Names("space", ` in org ${org.name}`);
  for (const [si, space] of (org.spaces ?? []).entries()) {
    const spaceAt: Segment[] = [...at, "spaces", si];
    const spaceDup = names.check(b, space.name, spaceAt) || dup;
    const guid = await buildSpace(b, { org, orgGuid: data.guid }, space, spaceAt, spaceDup);
    if (!spaces.has(space.name)) spaces.set(space.name, guid);
  }
}

async function buildSpace(
  b: Build,
  parent: { org: DocOrg; orgGuid: string },
  space: DocSpace,
  at: Segment[],
  dup: boolean,
): Promise<string> {
  const path = `${parent.org.name}/${space.name}`;
  const data: SpaceData = {
    guid: guidFor(b, "space", space.guid, path, at, dup),
    name: space.name,
    orgGuid: parent.orgGuid,
    suspended: space.suspended ?? false,
    beingDeleted: space.being_deleted ?? false,
    createdAt: timeOf(b, space.created_at),
  };
  b.world.spaces.push(data);
  const names = new Names("app", ` in space ${path}`);
  for (const [ai, app] of (space.apps ?? []).entries()) {
    const appAt: Segment[] = [...at, "apps", ai];
    const appDup = names.check(b, app.name, appAt) || dup;
    await buildApp(b, { path, spaceGuid: data.guid }, app, appAt, appDup);
  }
  return data.guid;
}

async function buildApp(
  b: Build,
  parent: { path: string; spaceGuid: string },
  app: DocApp,
  at: Segment[],
  dup: boolean,
): Promise<void> {
  const path = `${parent.path}/${app.name}`;
  const createdAt = timeOf(b, app.created_at);
  const data: AppData = {
    guid: guidFor(b, "app", app.guid, path, at, dup),
    name: app.name,
    spaceGuid: parent.spaceGuid,
    lifecycle: app.lifecycle ?? "buildpack",
    state: app.state ?? "STOPPED",
    createdAt,
    updatedAt: createdAt,
  };
  b.world.apps.push(data);
  for (const [pi, p] of (app.packages ?? []).entries()) {
    const pAt: Segment[] = [...at, "packages", pi];
    const guid = guidFor(b, "package", p.guid, `${path}#${pi}`, pAt, dup);
    b.world.packages.push(await buildPackage(b, p, pAt, { guid, app: data }));
  }
}

/** Reports the fields that do not fit the package's type and state. */
function checkPackage(b: Build, p: DocPackage, at: Segment[], type: "bits" | "docker", state: PackageState): void {
  const report = (key: string, problem: string) => b.problems.push({ at: [...at, key], problem });
  if (type === "bits") {
    for (const key of ["image", "username", "password"] as const) {
      const what = key === "image" ? "an image" : `a ${key}`;
      if (p[key] !== undefined) report(key, `only a docker package has ${what} (this one is a bits package)`);
    }
  } else if (p.image === undefined) {
    report("image", "is required for a docker package");
  }
  if (p.bits !== undefined && (type === "docker" || state !== "READY")) {
    const which = type === "docker" ? "a docker package" : state;
    report("bits", `only a READY bits package has bits (this one is ${which})`);
  }
  if (p.error !== undefined && state !== "FAILED") {
    report("error", `only a FAILED package has an error (this one is ${state})`);
  }
}

async function buildPackage(
  b: Build,
  p: DocPackage,
  at: Segment[],
  { guid, app }: { guid: string; app: AppData },
): Promise<PackageData> {
  const type = p.type ?? (p.image !== undefined ? "docker" : "bits");
  const state: PackageState = p.state ?? (type === "docker" ? "READY" : "AWAITING_UPLOAD");
  checkPackage(b, p, at, type, state);
  const createdAt = timeOf(b, p.created_at);
  const data: PackageData = {
    guid,
    appGuid: app.guid,
    type,
    state,
    createdAt,
    updatedAt: p.updated_at === undefined ? createdAt : Math.floor(Date.parse(p.updated_at) / 1000) * 1000,
  };
  if (state === "FAILED") data.error = p.error ?? DEFAULT_ERROR;
  if (type === "docker") {
    // Without an image the problem is reported and this world is never answered.
    data.docker = { image: p.image ?? "", username: p.username ?? null, password: p.password ?? null };
  }
  if (p.labels) data.labels = { ...p.labels };
  if (p.annotations) data.annotations = { ...p.annotations };
  if (p.scenario !== undefined) {
    const setting = scenarioOf(b, p.scenario, [...at, "scenario"]);
    if (setting) data.scenario = setting;
  }
  if (type === "bits" && state === "READY") {
    if (p.bits === undefined) {
      data.bits = await generatedBits(app.name);
    } else {
      const bits = await bitsOf(await b.readBits(p.bits), p.bits);
      if ("problem" in bits) b.problems.push({ at: [...at, "bits"], problem: bits.problem });
      else data.bits = bits.bytes;
    }
  }
  return data;
}

function buildUser(b: Build, user: DocUser, at: Segment[]): void {
  const orgRoles: Array<{ orgGuid: string; role: OrgRole }> = [];
  const spaceRoles: Array<{ spaceGuid: string; role: SpaceRole }> = [];
  const addOrgRole = (orgGuid: string, role: OrgRole) => {
    if (!orgRoles.some((r) => r.orgGuid === orgGuid && r.role === role)) orgRoles.push({ orgGuid, role });
  };
  for (const [ri, ref] of (user.roles ?? []).entries()) {
    const target = roleTarget(b, ref, [...at, "roles", ri]);
    if (!target) continue;
    if (target.spaceGuid === undefined) {
      addOrgRole(target.orgGuid, target.role as OrgRole);
      continue;
    }
    const { spaceGuid, role } = target;
    if (!spaceRoles.some((r) => r.spaceGuid === spaceGuid && r.role === role)) {
      spaceRoles.push({ spaceGuid, role: role as SpaceRole });
    }
    // A space role needs membership of the org, as the Cloud Controller requires.
    addOrgRole(target.orgGuid, "org_user");
  }
  const data: UserData = { guid: userGuid(user.name), name: user.name, orgRoles, spaceRoles };
  if (user.global_role) data.globalRole = user.global_role;
  if (user.password !== undefined) data.password = user.password;
  b.world.users.push(data);
}

/** The org (and space) a role names, or null when the file has no such org or space (reported). */
function roleTarget(
  b: Build,
  ref: string,
  at: Segment[],
): { role: string; orgGuid: string; spaceGuid?: string } | null {
  // The schema's pattern has checked the shape: `role@org` or `role@org/space`.
  const [role, target] = ref.split("@") as [string, string];
  const [orgName, spaceName] = target.split("/") as [string, string | undefined];
  const org = b.orgs.get(orgName);
  if (!org) {
    const known = [...b.orgs.keys()].join(", ") || "none";
    b.problems.push({ at, problem: `unknown org "${orgName}" in "${ref}" (orgs in this file: ${known})` });
    return null;
  }
  if (spaceName === undefined) return { role, orgGuid: org.guid };
  const spaceGuid = org.spaces.get(spaceName);
  if (!spaceGuid) {
    const known = [...org.spaces.keys()].join(", ") || "none";
    const problem = `unknown space "${spaceName}" of org ${orgName} in "${ref}" (its spaces: ${known})`;
    b.problems.push({ at, problem });
    return null;
  }
  return { role, orgGuid: org.guid, spaceGuid };
}
