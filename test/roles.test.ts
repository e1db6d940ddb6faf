/**
 * The role table of `lib/cloud_controller/permissions.rb`, cell by cell: upload, show, download,
 * delete and resource matches for every fixture role, plus jobs for every role
 * and the `app_bits_upload` feature flag.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { buildAppZip } from "../fixtures/index.js";
import type { Simulator } from "../src/index.js";
import { matchResources, upload as cfUpload } from "./support/api.js";
import { setup, type Answer, type Client } from "./support/client.js";
import { NOT_AUTHORIZED, expectError } from "./support/errors.js";
import { sha256 } from "./support/hash.js";
import { packageGuid } from "./support/world.js";

let sim: Simulator;
let api: Client;

beforeEach(async () => {
  ({ sim, api } = await setup());
});
afterEach(() => sim.close());

const expectNotAuthorized = (a: Answer) => expectError(a, 403, "CF-NotAuthorized", 10003, NOT_AUTHORIZED);
const expectPackageNotFound = (a: Answer) => expectError(a, 404, "CF-ResourceNotFound", 10010, "Package not found");
const expectFeatureDisabled = (a: Answer) =>
  expectError(a, 403, "CF-FeatureDisabled", 330002, "Feature Disabled: app_bits_upload");

const SHA1 = "0123456789abcdef0123456789abcdef01234567";
const RESOURCE_MATCH_BODY = JSON.stringify({
  resources: [{ checksum: { value: SHA1 }, size_in_bytes: 70000, path: "a", mode: "644" }],
});

/** Uploads a small zip to the AWAITING_UPLOAD package of `app` as `user` ("" sends no token). */
async function upload(user: string, app = "web-app"): Promise<Answer> {
  const bits = await buildAppZip({ "index.js": "console.log('hi')\n" });
  return cfUpload(api, packageGuid(sim, app, "AWAITING_UPLOAD"), { bits }, { user });
}

const show = (user: string) => api.call(`/v3/packages/${packageGuid(sim, "web-app", "READY")}`, { user });
const download = (user: string) => api.call(`/v3/packages/${packageGuid(sim, "web-app", "READY")}/download`, { user });
const remove = (user: string) =>
  api.call(`/v3/packages/${packageGuid(sim, "web-app", "AWAITING_UPLOAD")}`, { method: "DELETE", user });
const resourceMatches = (user: string) => matchResources(api, RESOURCE_MATCH_BODY, user);

type Outcome = 200 | 201 | 202 | 403 | 404;
interface Row {
  upload: Outcome;
  show: Outcome;
  download: Outcome;
  delete: Outcome;
  resourceMatches: Outcome;
}

const WRITER: Row = { upload: 200, show: 200, download: 200, delete: 202, resourceMatches: 201 };
const READER: Row = { upload: 403, show: 200, download: 403, delete: 403, resourceMatches: 201 };
const OUTSIDER: Row = { upload: 404, show: 404, download: 404, delete: 404, resourceMatches: 201 };

// The role table (permissions.rb, spec/request/packages_spec.rb), one entry per fixture user.
const TABLE: Record<string, Row> = {
  admin: WRITER,
  "space-developer": WRITER,
  "admin-read-only": { upload: 403, show: 200, download: 200, delete: 403, resourceMatches: 403 },
  "global-auditor": { upload: 403, show: 200, download: 403, delete: 403, resourceMatches: 403 },
  "org-manager": READER,
  "space-manager": READER,
  "space-auditor": READER,
  "space-supporter": READER,
  "org-auditor": OUTSIDER,
  "org-billing-manager": OUTSIDER,
  "no-role": OUTSIDER,
};

describe("the role table (permissions.rb)", () => {
  for (const [user, row] of Object.entries(TABLE)) {
    describe(user, () => {
      it(`Upload → ${row.upload}`, async () => {
        const guid = packageGuid(sim, "web-app", "AWAITING_UPLOAD");
        const r = await upload(user);
        if (row.upload === 200) {
          expect(r.status, r.text).toBe(200);
          expect(r.json.guid).toBe(guid);
          expect(r.json.state).toBe("PROCESSING_UPLOAD");
          expect(sim.state.packages.get(guid)!.state).not.toBe("AWAITING_UPLOAD");
        } else {
          if (row.upload === 403) expectNotAuthorized(r);
          else expectPackageNotFound(r);
          expect(sim.state.packages.get(guid)!.state).toBe("AWAITING_UPLOAD");
        }
      });

      it(`Show → ${row.show}`, async () => {
        const r = await show(user);
        if (row.show === 200) {
          expect(r.status, r.text).toBe(200);
          expect(r.json.guid).toBe(packageGuid(sim, "web-app", "READY"));
          expect(r.json.state).toBe("READY");
        } else {
          expectPackageNotFound(r);
        }
      });

      it(`Download → ${row.download}`, async () => {
        const r = await download(user);
        if (row.download === 200) {
          expect(r.status, r.text).toBe(200);
          expect(r.headers.get("content-type")).toBe("application/zip");
          const pkg = sim.state.packages.get(packageGuid(sim, "web-app", "READY"))!;
          expect(sha256(r.bytes)).toBe(pkg.checksum.value);
        } else if (row.download === 403) {
          expectNotAuthorized(r);
        } else {
          expectPackageNotFound(r);
        }
      });

      it(`Delete → ${row.delete}`, async () => {
        const guid = packageGuid(sim, "web-app", "AWAITING_UPLOAD");
        const r = await remove(user);
        if (row.delete === 202) {
          expect(r.status, r.text).toBe(202);
          expect(r.text).toBe("");
          expect(r.headers.get("location")).toMatch(new RegExp(`^${api.origin}/v3/jobs/[0-9a-f-]{36}$`));
        } else {
          if (row.delete === 403) expectNotAuthorized(r);
          else expectPackageNotFound(r);
          expect(sim.state.jobs.size).toBe(0);
          expect(sim.state.packages.has(guid)).toBe(true);
        }
      });

      it(`Resource matches → ${row.resourceMatches}`, async () => {
        const r = await resourceMatches(user);
        if (row.resourceMatches === 201) {
          expect(r.status, r.text).toBe(201);
          expect(r.json).toEqual({ resources: [] });
        } else {
          expectNotAuthorized(r);
        }
      });
    });
  }
});

describe("GET /v3/jobs/{guid} for every role", () => {
  for (const user of Object.keys(TABLE)) {
    it(`answers 200 to ${user}`, async () => {
      const del = await remove("admin");
      expect(del.status).toBe(202);
      const jobGuid = del.headers.get("location")!.split("/").pop()!;
      const r = await api.call(`/v3/jobs/${jobGuid}`, { user });
      expect(r.status, r.text).toBe(200);
      expect(r.json.guid).toBe(jobGuid);
      expect(r.json.operation).toBe("package.delete");
    });
  }
});

describe("the app_bits_upload feature flag, off", () => {
  beforeEach(() => {
    sim.state.featureFlags.get("app_bits_upload")!.enabled = false;
  });

  const holdersOfWriteScope = [
    "space-developer",
    "org-manager",
    "space-manager",
    "space-auditor",
    "space-supporter",
    "org-auditor",
    "org-billing-manager",
    "no-role",
  ];

  for (const user of holdersOfWriteScope) {
    it(`answers 403 CF-FeatureDisabled to ${user} on upload`, async () => {
      expectFeatureDisabled(await upload(user));
      expect(sim.state.packages.get(packageGuid(sim, "web-app", "AWAITING_UPLOAD"))!.state).toBe("AWAITING_UPLOAD");
    });

    it(`answers 403 CF-FeatureDisabled to ${user} on resource matches`, async () => {
      expectFeatureDisabled(await resourceMatches(user));
    });
  }

  for (const user of ["admin-read-only", "global-auditor"]) {
    it(`still answers 403 CF-NotAuthorized to ${user}: the scope check comes first`, async () => {
      expectNotAuthorized(await upload(user));
      expectNotAuthorized(await resourceMatches(user));
    });
  }

  it("lets admins bypass it", async () => {
    expect((await upload("admin")).status).toBe(200);
    const r = await resourceMatches("admin");
    expect(r.status).toBe(201);
    expect(r.json).toEqual({ resources: [] });
  });
});

describe("a suspended org (permissions.rb)", () => {
  it("answers a space developer's upload with 403 CF-OrgSuspended", async () => {
    expectError(
      await upload("space-developer", "suspended-app"),
      403,
      "CF-OrgSuspended",
      10017,
      "The organization is suspended",
    );
    expect(sim.state.packages.get(packageGuid(sim, "suspended-app", "AWAITING_UPLOAD"))!.state).toBe("AWAITING_UPLOAD");
  });

  it("still lets an admin upload (200)", async () => {
    const r = await upload("admin", "suspended-app");
    expect(r.status, r.text).toBe(200);
    expect(r.json.state).toBe("PROCESSING_UPLOAD");
  });
});

describe("no token (security_context_setter.rb)", () => {
  it("answers 401 on every column", async () => {
    const answers = [await upload(""), await show(""), await download(""), await remove(""), await resourceMatches("")];
    for (const a of answers) expectError(a, 401, "CF-NotAuthenticated", 10002, "Authentication error");
  });
});
