/**
 * `POST /v3/packages/{guid}/upload`: every row of the controller's order of
 * checks (`packages_controller.rb#upload`), the step-5 messages, and the front end's answers (nginx).
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { buildAppZip, buildCfUploadBody, buildMultipart } from "../fixtures/index.js";
import { mintUserToken, type Simulator } from "../src/index.js";
import { postUpload, type UploadBody } from "./support/api.js";
import { ADAPTERS, setup, tokenFor, type Client } from "./support/client.js";
import { expect422, expectError } from "./support/errors.js";
import { orgByName, packageGuid, spaceByName } from "./support/world.js";

describe.each(ADAPTERS)("upload checks (%s)", (adapter) => {
  let sim: Simulator;
  let api: Client;
  let close: () => Promise<void>;
  let zip: Uint8Array<ArrayBuffer>;

  beforeEach(async () => {
    ({ sim, api, close } = await setup({}, adapter));
    zip = await buildAppZip({ "index.js": "console.log('hi')\n" });
  });
  afterEach(() => close());

  /** An upload with no token unless `init` gives a user or a token. */
  const upload = (guid: string, body: UploadBody, init: { user?: string; token?: string } = {}) =>
    postUpload(api, guid, body, { user: null, ...init });

  const awaiting = () => packageGuid(sim, "web-app", "AWAITING_UPLOAD");
  const bitsBody = () => buildCfUploadBody({ bits: zip });

  describe("row 1: authentication", () => {
    it("answers 401 CF-NotAuthenticated without a token", async () => {
      expectError(await upload(awaiting(), bitsBody()), 401, "CF-NotAuthenticated", 10002, "Authentication error");
    });

    it("answers 401 CF-InvalidAuthToken for a malformed token", async () => {
      expectError(
        await upload(awaiting(), bitsBody(), { token: "not-a-jwt" }),
        401,
        "CF-InvalidAuthToken",
        1000,
        "Invalid Auth Token",
      );
    });

    it("answers 401 CF-InvalidAuthToken for an expired token", async () => {
      const token = await mintUserToken("space-developer", { expired: true });
      expectError(
        await upload(awaiting(), bitsBody(), { token }),
        401,
        "CF-InvalidAuthToken",
        1000,
        "Invalid Auth Token",
      );
    });

    it("answers 401 CF-InvalidAuthToken for a token signed with another key", async () => {
      const token = await mintUserToken("space-developer", { signingKey: "someone-else" });
      expectError(
        await upload(awaiting(), bitsBody(), { token }),
        401,
        "CF-InvalidAuthToken",
        1000,
        "Invalid Auth Token",
      );
    });

    it("accepts the scheme word in any case", async () => {
      const token = await tokenFor("space-developer");
      for (const scheme of ["bearer", "Bearer", "BEARER"]) {
        const r = await api.call(`/v3/packages/${awaiting()}`, { headers: { authorization: `${scheme} ${token}` } });
        expect(r.status, scheme).toBe(200);
      }
    });

    it("checks authentication before the body: an unauthenticated empty upload is 401, not 422", async () => {
      const empty = buildMultipart([]);
      expectError(await upload("no-such-guid", empty), 401, "CF-NotAuthenticated", 10002, "Authentication error");
    });
  });

  describe("row 2: write scope", () => {
    for (const user of ["admin-read-only", "global-auditor"]) {
      it(`answers 403 to ${user}, whose token has no cloud_controller.write`, async () => {
        expectError(
          await upload(awaiting(), bitsBody(), { user }),
          403,
          "CF-NotAuthorized",
          10003,
          "You are not authorized to perform the requested action",
        );
      });
    }

    it("answers 403 to a space developer whose token lacks the write scope, before validation", async () => {
      const token = await mintUserToken("space-developer", { scope: ["cloud_controller.read"] });
      expectError(
        await upload("unknown", buildMultipart([]), { token }),
        403,
        "CF-NotAuthorized",
        10003,
        "You are not authorized to perform the requested action",
      );
    });
  });

  describe("row 3: the app_bits_upload feature flag", () => {
    beforeEach(() => {
      sim.state.featureFlags.get("app_bits_upload")!.enabled = false;
    });

    it("answers 403 CF-FeatureDisabled to non-admins", async () => {
      expectError(
        await upload(awaiting(), bitsBody(), { user: "space-developer" }),
        403,
        "CF-FeatureDisabled",
        330002,
        "Feature Disabled: app_bits_upload",
      );
    });

    it("uses the flag's custom error message", async () => {
      sim.state.featureFlags.get("app_bits_upload")!.customErrorMessage = "uploads are frozen";
      expectError(
        await upload(awaiting(), bitsBody(), { user: "space-developer" }),
        403,
        "CF-FeatureDisabled",
        330002,
        "Feature Disabled: uploads are frozen",
      );
    });

    it("lets admins bypass it", async () => {
      expect((await upload(awaiting(), bitsBody(), { user: "admin" })).status).toBe(200);
    });

    it("comes before validation: an empty upload is 403, not 422", async () => {
      expectError(
        await upload("unknown", buildMultipart([]), { user: "space-developer" }),
        403,
        "CF-FeatureDisabled",
        330002,
        "Feature Disabled: app_bits_upload",
      );
    });
  });

  describe("row 4: resources must be valid JSON", () => {
    const invalid = [
      "[abcddf]",
      "null",
      "42",
      '"a string"',
      '{"path":"a"}',
      "[1, 2]",
      '[{"checksum":"abc","size_in_bytes":1}]',
    ];
    for (const value of invalid) {
      it(`answers 422 for resources=${value}`, async () => {
        const body = buildMultipart([{ name: "resources", content: value }]);
        expect422(await upload(awaiting(), body, { user: "space-developer" }), "Resources must be valid JSON.");
      });
    }

    it("comes before the package lookup: an unknown guid with bad JSON is 422, not 404", async () => {
      const body = buildMultipart([{ name: "resources", content: "[oops" }]);
      expect422(await upload("no-such-package", body, { user: "space-developer" }), "Resources must be valid JSON.");
    });

    it("does not validate entries at request time (a sha1 of 'abc' is accepted)", async () => {
      const body = buildMultipart([{ name: "resources", content: '[{"fn":"a.txt","sha1":"abc","size":3}]' }]);
      expect((await upload(awaiting(), body, { user: "space-developer" })).status).toBe(200);
    });
  });

  describe("row 5: message validation", () => {
    it("requires bits or resources", async () => {
      const body = buildMultipart([{ name: "resources", content: "[]" }]);
      expect422(
        await upload(awaiting(), body, { user: "space-developer" }),
        "Upload must include either resources or bits",
      );
    });

    it("comes before the 404: an empty upload to an unknown guid is 422", async () => {
      const body = buildMultipart([{ name: "resources", content: "[]" }]);
      expect422(
        await upload("no-such-package", body, { user: "space-developer" }),
        "Upload must include either resources or bits",
      );
    });

    it("names unknown file fields as the upload module forwards them, in request order", async () => {
      const body = buildMultipart([
        { name: "cached_resources", filename: "c.json", content: "[]" },
        { name: "bits", filename: "package.zip", contentType: "application/zip", content: zip },
      ]);
      expect422(
        await upload(awaiting(), body, { user: "space-developer" }),
        "Unknown field(s): 'cached_resources_name', 'cached_resources_path'",
      );
    });

    it("drops text fields other than resources, as the upload module does", async () => {
      const body = buildMultipart([
        { name: "comment", content: "hello" },
        { name: "bits", filename: "package.zip", content: zip },
      ]);
      expect((await upload(awaiting(), body, { user: "space-developer" })).status).toBe(200);
    });

    it("answers a form with nothing forwarded with the upload module's dummy field", async () => {
      const body = buildMultipart([{ name: "comment", content: "hello" }]);
      expect422(
        await upload(awaiting(), body, { user: "space-developer" }),
        "Unknown field(s): '<ngx_upload_module_dummy>', Upload must include either resources or bits, File field missing path information",
      );
    });

    it("answers the seed's curl sample (multipart without a boundary) with 422", async () => {
      const r = await postUpload(api, awaiting(), { body: "{}", contentType: "multipart/form-data" });
      expect422(r, "Upload must include either resources or bits");
    });
  });

  describe("rows 6 and 7: visibility and write access", () => {
    it("answers 404 for an unknown package", async () => {
      expectError(
        await upload("8c0b5f8e-0000-4000-8000-000000000000", bitsBody(), { user: "space-developer" }),
        404,
        "CF-ResourceNotFound",
        10010,
        "Package not found",
      );
    });

    for (const user of ["org-auditor", "org-billing-manager", "no-role", "a-stranger"]) {
      it(`answers 404 to ${user}, who cannot read the space`, async () => {
        expectError(
          await upload(awaiting(), bitsBody(), { user }),
          404,
          "CF-ResourceNotFound",
          10010,
          "Package not found",
        );
      });
    }

    for (const user of ["space-manager", "space-auditor", "space-supporter", "org-manager"]) {
      it(`answers 403 to ${user}, who can read but not write`, async () => {
        expectError(
          await upload(awaiting(), bitsBody(), { user }),
          403,
          "CF-NotAuthorized",
          10003,
          "You are not authorized to perform the requested action",
        );
      });
    }
  });

  describe("row 8: org and space state", () => {
    const suspendedPackage = () => packageGuid(sim, "suspended-app", "AWAITING_UPLOAD");

    it("answers 403 CF-OrgSuspended to a space developer of a suspended org", async () => {
      expectError(
        await upload(suspendedPackage(), bitsBody(), { user: "space-developer" }),
        403,
        "CF-OrgSuspended",
        10017,
        "The organization is suspended",
      );
    });

    it("lets an admin upload to a suspended org", async () => {
      expect((await upload(suspendedPackage(), bitsBody(), { user: "admin" })).status).toBe(200);
    });

    it("answers 403 CF-SpaceSuspended for a suspended space", async () => {
      spaceByName(sim, "mock-space").suspended = true;
      expectError(
        await upload(awaiting(), bitsBody(), { user: "space-developer" }),
        403,
        "CF-SpaceSuspended",
        10019,
        "The space is suspended",
      );
    });

    it("answers 422 CF-ResourceBeingDeleted for an org being deleted, before suspension", async () => {
      orgByName(sim, "mock-org").beingDeleted = true;
      orgByName(sim, "mock-org").suspended = true;
      expectError(
        await upload(awaiting(), bitsBody(), { user: "space-developer" }),
        422,
        "CF-ResourceBeingDeleted",
        10020,
        "The organization is being deleted",
      );
    });

    it("answers 422 CF-ResourceBeingDeleted for a space being deleted", async () => {
      spaceByName(sim, "mock-space").beingDeleted = true;
      expectError(
        await upload(awaiting(), bitsBody(), { user: "space-developer" }),
        422,
        "CF-ResourceBeingDeleted",
        10020,
        "The space is being deleted",
      );
    });
  });

  describe("rows 9 and 10: type and state", () => {
    it("answers 422 for a docker package", async () => {
      const docker = packageGuid(sim, "docker-app", "READY", "docker");
      expect422(await upload(docker, bitsBody(), { user: "space-developer" }), "Package type must be bits.");
    });

    for (const state of ["PROCESSING_UPLOAD", "READY", "FAILED", "EXPIRED"] as const) {
      it(`answers 400 CF-PackageBitsAlreadyUploaded for a ${state} package`, async () => {
        expectError(
          await upload(packageGuid(sim, "web-app", state), bitsBody(), { user: "space-developer" }),
          400,
          "CF-PackageBitsAlreadyUploaded",
          150004,
          "Bits may be uploaded only once. Create a new package to upload different bits.",
        );
      });
    }
  });

  describe("row 12: success", () => {
    it("answers 200 with the package in PROCESSING_UPLOAD, no checksum yet, no Location", async () => {
      const guid = awaiting();
      const before = sim.state.packages.get(guid)!.updatedAt;
      const r = await upload(guid, bitsBody(), { user: "space-developer" });
      expect(r.status).toBe(200);
      expect(r.headers.get("location")).toBeNull();
      expect(r.headers.get("content-type")).toBe("application/json; charset=utf-8");
      expect(r.json.state).toBe("PROCESSING_UPLOAD");
      expect(r.json.data).toEqual({ error: null, checksum: { type: "sha256", value: null } });
      expect(Date.parse(r.json.updated_at)).toBeGreaterThan(before);
    });

    it("accepts bits and resources together, in either order", async () => {
      const body = buildMultipart([
        { name: "bits", filename: "package.zip", content: zip },
        { name: "resources", content: "[]" },
      ]);
      expect((await upload(awaiting(), body, { user: "space-developer" })).status).toBe(200);
    });

    it("keeps nothing of a rejected upload in the store", async () => {
      await upload(packageGuid(sim, "web-app", "READY"), bitsBody(), { user: "space-developer" });
      const packagesWithBits = [...sim.state.packages.values()].filter((p) => p.blobId).length;
      expect(packagesWithBits).toBe(1);
    });
  });

  describe("the front end (nginx) before the controller", () => {
    it("answers a JSON body with 415 and an explanation", async () => {
      const r = await postUpload(api, awaiting(), { body: '{"resources":[]}', contentType: "application/json" });
      expect(r.status).toBe(415);
      expect(r.headers.get("content-type")).toBe("text/html");
      expect(r.text).toContain("<center><h1>415 Unsupported Media Type</h1></center>");
      expect(r.headers.get("x-mock-packages-detail")).toContain("not multipart/form-data");
    });

    it("answers a bits_path in the query with nginx's 422 page, before anything else", async () => {
      const r = await postUpload(api, awaiting(), bitsBody(), { query: "?bits_path=/etc/passwd" });
      expect(r.status).toBe(422);
      expect(r.headers.get("content-type")).toBe("text/html");
      expect(r.text).toContain("<center><h1>422 Unprocessable Entity</h1></center>");
      expect(r.headers.get("x-mock-packages-detail")).toContain("bits_path");
      expect(sim.state.packages.get(awaiting())!.state).toBe("AWAITING_UPLOAD");
    });

    it("answers 413 for a body over the limit, before authentication", async () => {
      await close();
      ({ sim, api, close } = await setup({ maxBodySize: 1024 }, adapter));
      const big = buildCfUploadBody({ bits: new Uint8Array(4096) });
      const r = await upload(packageGuid(sim, "web-app", "AWAITING_UPLOAD"), big);
      expect(r.status).toBe(413);
      expect(r.text).toContain("413 Request Entity Too Large");
    });

    it("answers a truncated multipart body with 400 CF-MessageParseError", async () => {
      const whole = bitsBody();
      const cut = { body: whole.body.subarray(0, whole.body.length - 40), contentType: whole.contentType };
      const r = await upload(awaiting(), cut, { user: "space-developer" });
      expect(r.status).toBe(400);
      expect(r.json.errors[0].title).toBe("CF-MessageParseError");
      expect(r.json.errors[0].detail).toMatch(
        /^Request invalid due to parse error: the body ended before the closing boundary/,
      );
      expect(sim.state.packages.get(awaiting())!.state).toBe("AWAITING_UPLOAD");
    });
  });
});
