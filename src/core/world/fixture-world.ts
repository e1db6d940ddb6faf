/**
 * The seeded fixture world: the orgs, spaces, apps, users and packages that
 * `npx mock-packages` serves when no world file is given.
 *
 * Names are fixed so that tests and people can find things; guids and
 * timestamps come from a faker instance seeded with `seed`, so the same seed
 * gives the same world on every run and machine. User guids depend on the
 * user's name only, so a token minted by `mock-packages token` works whatever
 * seed the server was started with.
 *
 * The simulator imports this module only when it needs the default world, so
 * that faker (some 440 KB in a browser bundle) loads only then.
 */
// The English locale alone: the package root loads every locale (about 30 MiB more memory).
import { faker as englishFaker } from "@faker-js/faker/locale/en";
import { createMemoryStore, getBytes } from "../blob-store.js";
import { writeZip } from "../zip/writer.js";
import type { GlobalRole, OrgRole, PackageData, SpaceRole, UserData, WorldData } from "./model.js";
import { userGuid } from "./stable-guid.js";
import { ZIP_DATE } from "./zip-date.js";

/** The seed used when none is given. */
export const DEFAULT_SEED = 4010;

/** The fixture users, one for each role that `lib/cloud_controller/permissions.rb` tells apart. */
export const FIXTURE_USERS = [
  "admin",
  "admin-read-only",
  "global-auditor",
  "space-developer",
  "space-manager",
  "space-auditor",
  "space-supporter",
  "org-manager",
  "org-auditor",
  "org-billing-manager",
  "no-role",
] as const;
export type FixtureUserName = (typeof FIXTURE_USERS)[number];

/** The files of the READY fixture package's zip. */
export const READY_PACKAGE_FILES: Record<string, string> = {
  "package.json":
    JSON.stringify({ name: "web-app", version: "1.0.0", scripts: { start: "node server.js" } }, null, 2) + "\n",
  "server.js":
    "const http = require('http');\n" +
    "http.createServer((req, res) => res.end('hello from web-app\\n')).listen(process.env.PORT || 8080);\n",
  "public/index.html": "<!doctype html><title>web-app</title><h1>web-app</h1>\n",
};

/** Builds the default fixture world for a seed. */
export async function buildFixtureWorld(seed: number = DEFAULT_SEED): Promise<WorldData> {
  const random = seededRandom(seed);
  // The order of the calls below decides every value: changing it changes the world of every seed.
  const places = fixturePlaces(random);
  const dockerApp = { guid: "", name: "docker-app", spaceGuid: places.mockSpace.guid, lifecycle: "docker" as const };
  const packages = await fixturePackages(random, { ...places, dockerApp });
  // Drawn last, so that every other value of every seed is what it was before the docker app.
  dockerApp.guid = random.guid();
  for (const p of packages) if (p.appGuid === "") p.appGuid = dockerApp.guid;
  return {
    orgs: [places.mockOrg, places.suspendedOrg],
    spaces: [places.mockSpace, places.suspendedSpace],
    apps: [
      places.webApp,
      places.workerApp,
      { ...dockerApp, state: "STARTED" as const, createdAt: places.appAt },
      places.suspendedApp,
    ],
    users: fixtureUsers(places),
    packages,
  };
}

type SeededRandom = ReturnType<typeof seededRandom>;

/** A faker instance of our own, seeded (never the shared singleton), and the values the world takes from it. */
function seededRandom(seed: number) {
  // The locale entry exports an instance only; its class makes one of our own.
  const FakerClass = englishFaker.constructor as new (options: {
    locale: typeof englishFaker.rawDefinitions;
    seed: number;
  }) => typeof englishFaker;
  const faker = new FakerClass({ locale: englishFaker.rawDefinitions, seed });
  // Timestamps are whole seconds, in the year before a fixed reference date.
  const refDate = Date.UTC(2025, 0, 15, 12, 0, 0);
  return {
    faker,
    past: () => Math.floor(faker.date.past({ years: 1, refDate }).getTime() / 1000) * 1000,
    later: (t: number) => t + faker.number.int({ min: 1, max: 3600 }) * 1000,
    guid: () => faker.string.uuid(),
  };
}

/** Two orgs (one suspended), a space in each, and three apps. */
function fixturePlaces({ past, later, guid }: SeededRandom) {
  const mockOrg = { guid: guid(), name: "mock-org", createdAt: past() };
  const suspendedOrg = { guid: guid(), name: "suspended-org", suspended: true, createdAt: past() };
  const mockSpace = { guid: guid(), name: "mock-space", orgGuid: mockOrg.guid, createdAt: later(mockOrg.createdAt) };
  const suspendedSpace = {
    guid: guid(),
    name: "suspended-space",
    orgGuid: suspendedOrg.guid,
    createdAt: later(suspendedOrg.createdAt),
  };
  const appAt = later(mockSpace.createdAt);
  const webApp = {
    guid: guid(),
    name: "web-app",
    spaceGuid: mockSpace.guid,
    state: "STARTED" as const,
    createdAt: appAt,
  };
  const workerApp = {
    guid: guid(),
    name: "worker-app",
    spaceGuid: mockSpace.guid,
    state: "STOPPED" as const,
    createdAt: later(appAt),
  };
  const suspendedApp = {
    guid: guid(),
    name: "suspended-app",
    spaceGuid: suspendedSpace.guid,
    state: "STOPPED" as const,
    createdAt: later(suspendedSpace.createdAt),
  };
  return { mockOrg, suspendedOrg, mockSpace, suspendedSpace, appAt, webApp, workerApp, suspendedApp };
}

/**
 * A package in every state for web-app, a docker one for docker-app (the controller makes
 * docker packages for docker apps only), and one waiting in the suspended org.
 */
async function fixturePackages(
  { faker, later, guid }: SeededRandom,
  { appAt, webApp, dockerApp, suspendedApp }: ReturnType<typeof fixturePlaces> & { dockerApp: { guid: string } },
): Promise<PackageData[]> {
  const pkg = (
    appGuid: string,
    type: PackageData["type"],
    state: PackageData["state"],
    extra: Partial<PackageData> = {},
  ): PackageData => {
    const createdAt = later(appAt);
    return { guid: guid(), appGuid, type, state, createdAt, updatedAt: later(createdAt), ...extra };
  };
  return [
    pkg(webApp.guid, "bits", "AWAITING_UPLOAD", { labels: { "example.com/purpose": "upload-target" } }),
    pkg(webApp.guid, "bits", "PROCESSING_UPLOAD"),
    pkg(webApp.guid, "bits", "READY", { bits: await readyPackageZip() }),
    pkg(webApp.guid, "bits", "FAILED", { error: "The app upload is invalid: Invalid zip archive." }),
    pkg(webApp.guid, "bits", "EXPIRED"),
    // docker-app's guid is drawn after the packages: this one gets it then.
    pkg(dockerApp.guid, "docker", "READY", {
      docker: {
        image: `registry.example.local/${faker.word.noun()}/docker-app:${faker.system.semver()}`,
        username: null,
        password: null,
      },
    }),
    pkg(suspendedApp.guid, "bits", "AWAITING_UPLOAD"),
  ];
}

/** One user per role; the space developer is one in the suspended org's space too. */
function fixtureUsers({ mockOrg, suspendedOrg, mockSpace, suspendedSpace }: ReturnType<typeof fixturePlaces>) {
  const user = (
    name: FixtureUserName,
    roles: { global?: GlobalRole; org?: OrgRole[]; space?: SpaceRole[]; suspended?: boolean } = {},
  ): UserData => ({
    guid: userGuid(name),
    name,
    ...(roles.global ? { globalRole: roles.global } : {}),
    orgRoles: [
      ...(roles.org ?? []).map((role) => ({ orgGuid: mockOrg.guid, role })),
      ...(roles.space || roles.org ? [{ orgGuid: mockOrg.guid, role: "org_user" as const }] : []),
      ...(roles.suspended ? [{ orgGuid: suspendedOrg.guid, role: "org_user" as const }] : []),
    ],
    spaceRoles: [
      ...(roles.space ?? []).map((role) => ({ spaceGuid: mockSpace.guid, role })),
      ...(roles.suspended ? (roles.space ?? []).map((role) => ({ spaceGuid: suspendedSpace.guid, role })) : []),
    ],
  });
  return [
    user("admin", { global: "admin" }),
    user("admin-read-only", { global: "admin_read_only" }),
    user("global-auditor", { global: "global_auditor" }),
    user("space-developer", { space: ["space_developer"], suspended: true }),
    user("space-manager", { space: ["space_manager"] }),
    user("space-auditor", { space: ["space_auditor"] }),
    user("space-supporter", { space: ["space_supporter"] }),
    user("org-manager", { org: ["org_manager"] }),
    user("org-auditor", { org: ["org_auditor"] }),
    user("org-billing-manager", { org: ["org_billing_manager"] }),
    user("no-role"),
  ];
}

/** The READY package's zip, made with the simulator's own zip writer (no jszip on the server's path). */
async function readyPackageZip(): Promise<Uint8Array> {
  const store = createMemoryStore();
  const out = store.create();
  const encoder = new TextEncoder();
  const files = Object.entries(READY_PACKAGE_FILES).map(([name, text]) => {
    const bytes = encoder.encode(text);
    return { name, mode: 0o644, size: bytes.length, read: async (s: number, e: number) => bytes.slice(s, e) };
  });
  await writeZip(out, null, [], files, ZIP_DATE.getTime());
  return getBytes(store, (await out.finish()).id);
}
