/**
 * `HEAD` on every GET route (Rails routes HEAD to the GET route; `Rack::Head` drops the body): the
 * GET's status and headers, its `Content-Length`, no body; errors included. Through each adapter.
 */
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { ADAPTERS, setup, theContract, type Client } from "./support/client.js";
import { packageGuid } from "./support/world.js";
import type { Simulator } from "../src/index.js";

beforeAll(async () => {
  await theContract();
});

for (const adapter of ADAPTERS) {
  describe(`HEAD through ${adapter}`, () => {
    let sim: Simulator;
    let api: Client;
    let close: () => Promise<void>;
    afterEach(() => close());
    const start = async () => {
      ({ sim, api, close } = await setup({}, adapter));
    };

    it("answers each GET route's status and headers with no body", async () => {
      await start();
      const ready = packageGuid(sim, "web-app", "READY");
      for (const path of [
        "/",
        "/v3",
        "/v3/packages",
        `/v3/packages/${ready}`,
        "/v3/apps",
        "/v3/organizations",
        "/v3/spaces?include=organization",
        "/v3/feature_flags/app_bits_upload",
      ]) {
        const get = await api.call(path, { user: "admin" });
        const head = await api.call(path, { user: "admin", method: "HEAD" });
        expect([path, head.status]).toEqual([path, get.status]);
        expect(head.bytes.byteLength).toBe(0);
        expect(head.headers.get("content-type")).toBe(get.headers.get("content-type"));
        expect(head.headers.get("content-length")).toBe(String(get.bytes.byteLength));
        expect(head.headers.get("x-vcap-request-id")).toBeTruthy();
      }
    });

    it("answers the download's headers (its 302 and Location) and no bytes; the local blobstore's, with the zip's length", async () => {
      await start();
      const path = `/v3/packages/${packageGuid(sim, "web-app", "READY")}/download`;
      // Not following the redirect (the default blobstore is remote): the download's own answer, a 302.
      const get = await api.call(path, { user: "admin", redirect: "manual" });
      const head = await api.call(path, { user: "admin", method: "HEAD", redirect: "manual" });
      expect(get.status).toBe(302);
      expect(head.status).toBe(get.status);
      expect(head.headers.get("location")).toMatch(/\/blobstore\/packages\//);
      expect(head.bytes.byteLength).toBe(0);
      await close();
      ({ sim, api, close } = await setup({ blobstore: "local" }, adapter));
      const local = `/v3/packages/${packageGuid(sim, "web-app", "READY")}/download`;
      const zip = await api.call(local, { user: "admin" });
      const headLocal = await api.call(local, { user: "admin", method: "HEAD" });
      expect([zip.status, headLocal.status]).toEqual([200, 200]);
      expect(zip.bytes.byteLength).toBeGreaterThan(0);
      expect(headLocal.headers.get("content-length")).toBe(String(zip.bytes.byteLength));
      expect(headLocal.headers.get("content-disposition")).toBe(zip.headers.get("content-disposition"));
      expect(headLocal.bytes.byteLength).toBe(0);
    });

    it("answers errors bodiless too: 401 without a token, 404 for an unknown package or route", async () => {
      await start();
      const unauthenticated = await api.call("/v3/packages", { method: "HEAD" });
      expect([unauthenticated.status, unauthenticated.bytes.byteLength]).toEqual([401, 0]);
      const missing = await api.call("/v3/packages/no-such-package", { user: "admin", method: "HEAD" });
      expect([missing.status, missing.bytes.byteLength]).toEqual([404, 0]);
      const unknown = await api.call("/v3/no_such_route", { user: "admin", method: "HEAD", unchecked: true });
      expect([unknown.status, unknown.bytes.byteLength]).toEqual([404, 0]);
      // POST-only routes have no GET to borrow: 404 as for any unknown route.
      const upload = await api.call("/v3/resource_matches", { user: "admin", method: "HEAD", unchecked: true });
      expect(upload.status).toBe(404);
    });
  });
}
