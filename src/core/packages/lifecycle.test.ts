// Unit tests of the package lifecycle: loading, creating, accepting and finishing uploads, deleting, metadata.
import { describe, expect, it } from "vitest";
import { putBytes } from "../blob-store.js";
import {
  APP,
  OTHER_APP,
  NULL_CHECKSUM,
  setup,
  bytes,
  digest,
  readyBits,
  failedBits,
  uploadReady,
  expectBlob,
  expectNoBlob,
} from "../../../test/support/lifecycle.js";

describe("createWorld: loading a world's packages", () => {
  it("stores a READY bits package's bytes, with their sha256 as checksum and their sha1", async () => {
    const { store, pkg } = await setup([{ ...readyBits("p1", "zip bytes", 100), updatedAt: 150 }]);
    expect(pkg("p1")).toMatchObject({
      state: "READY",
      createdAt: 100,
      updatedAt: 150,
      error: null,
      checksum: { type: "sha256", value: digest("sha256", "zip bytes") },
      sha1: digest("sha1", "zip bytes"),
    });
    await expectBlob(store, pkg("p1").blobId, "zip bytes");
  });

  it("takes createdAt as updatedAt when the world leaves it out", async () => {
    const { pkg } = await setup([readyBits("p1", "x", 100)]);
    expect(pkg("p1").updatedAt).toBe(100);
  });

  it("gives a READY bits package without bits no blob and a null checksum", async () => {
    const { pkg } = await setup([{ guid: "p1", appGuid: APP, type: "bits", state: "READY", createdAt: 100 }]);
    expect(pkg("p1")).toMatchObject({ state: "READY", blobId: null, checksum: NULL_CHECKSUM, sha1: null });
  });

  it("stores no bits for a package that is not READY", async () => {
    const { pkg } = await setup([
      { guid: "p1", appGuid: APP, type: "bits", state: "AWAITING_UPLOAD", createdAt: 100, bits: bytes("x") },
    ]);
    expect(pkg("p1")).toMatchObject({ state: "AWAITING_UPLOAD", blobId: null, checksum: NULL_CHECKSUM });
  });

  it("gives a FAILED package the default error text when the world leaves it out", async () => {
    const { pkg } = await setup([
      { guid: "p1", appGuid: APP, type: "bits", state: "FAILED", createdAt: 100 },
      { guid: "p2", appGuid: APP, type: "bits", state: "FAILED", createdAt: 100, error: null },
      failedBits("p3", 100),
    ]);
    expect(pkg("p1").error).toBe("The app upload is invalid: Invalid zip archive.");
    expect(pkg("p2").error).toBe("The app upload is invalid: Invalid zip archive.");
    expect(pkg("p3").error).toBe("boom");
  });

  it("gives a docker package the default image, and no username or password", async () => {
    const { pkg } = await setup([{ guid: "d1", appGuid: APP, type: "docker", state: "READY", createdAt: 100 }]);
    expect(pkg("d1").docker).toEqual({ image: "cloudfoundry/diego-docker-app:latest", username: null, password: null });
  });

  it("redacts a docker password whenever a username is set, whatever password the world gives", async () => {
    const { pkg } = await setup([
      {
        guid: "d1",
        appGuid: APP,
        type: "docker",
        state: "READY",
        createdAt: 100,
        docker: { image: "nginx:1", username: "alice", password: "secret" },
      },
      {
        guid: "d2",
        appGuid: APP,
        type: "docker",
        state: "READY",
        createdAt: 100,
        docker: { image: "nginx:2", password: "secret" },
      },
    ]);
    expect(pkg("d1").docker).toEqual({ image: "nginx:1", username: "alice", password: "***" });
    expect(pkg("d2").docker).toEqual({ image: "nginx:2", username: null, password: null });
  });

  // The controller presents `password: docker_username && '***'` (package_presenter.rb), and in
  // Ruby "" is truthy: an empty username still gets a redacted password.
  it("redacts the password of an empty docker username too", async () => {
    const { pkg } = await setup([
      {
        guid: "d1",
        appGuid: APP,
        type: "docker",
        state: "READY",
        createdAt: 100,
        docker: { image: "i", username: "" },
      },
    ]);
    expect(pkg("d1").docker).toEqual({ image: "i", username: "", password: "***" });
  });

  it("gives a bits package no docker data, and copies labels and annotations", async () => {
    const { pkg } = await setup([
      { ...readyBits("p1", "x", 100), labels: { env: "prod" }, annotations: { note: "n" } },
    ]);
    expect(pkg("p1")).toMatchObject({ docker: null, labels: { env: "prod" }, annotations: { note: "n" } });
  });

  it("loads the world's apps into the state beside its packages", async () => {
    const { state } = await setup();
    expect([...state.apps.keys()]).toEqual([APP, OTHER_APP]);
  });
});

describe("create", () => {
  it("starts a bits package AWAITING_UPLOAD, created now, with no checksum", async () => {
    const { lifecycle, tick } = await setup();
    const now = tick();
    const created = lifecycle.create({ guid: "p1", appGuid: APP, type: "bits", docker: null });
    expect(created).toEqual({
      guid: "p1",
      appGuid: APP,
      type: "bits",
      state: "AWAITING_UPLOAD",
      createdAt: now,
      updatedAt: now,
      error: null,
      checksum: NULL_CHECKSUM,
      sha1: null,
      blobId: null,
      docker: null,
      labels: {},
      annotations: {},
    });
  });

  it("starts a docker package READY with the docker data given", async () => {
    const { lifecycle } = await setup();
    const docker = { image: "nginx:1", username: "alice", password: "***" };
    const created = lifecycle.create({ guid: "d1", appGuid: APP, type: "docker", docker });
    expect(created).toMatchObject({ state: "READY", type: "docker", docker });
  });

  it("keeps the labels and annotations given", async () => {
    const { lifecycle } = await setup();
    const created = lifecycle.create({
      guid: "p1",
      appGuid: APP,
      type: "bits",
      docker: null,
      labels: { env: "prod" },
      annotations: { owner: "team-a" },
    });
    expect(created).toMatchObject({ labels: { env: "prod" }, annotations: { owner: "team-a" } });
  });

  it("puts the package in the state", async () => {
    const { lifecycle, state } = await setup();
    const created = lifecycle.create({ guid: "p1", appGuid: APP, type: "bits", docker: null });
    expect(state.packages.get("p1")).toBe(created);
  });
});

describe("acceptUpload", () => {
  it("moves AWAITING_UPLOAD to PROCESSING_UPLOAD, updated now, with a null sha256 checksum", async () => {
    const { lifecycle, tick } = await setup();
    lifecycle.create({ guid: "p1", appGuid: APP, type: "bits", docker: null });
    const now = tick();
    expect(lifecycle.acceptUpload("p1")).toMatchObject({
      state: "PROCESSING_UPLOAD",
      updatedAt: now,
      error: null,
      checksum: NULL_CHECKSUM,
    });
  });

  it("refuses a package in any other state, naming it", async () => {
    const { lifecycle } = await setup([readyBits("p1", "x", 100), failedBits("p2", 100)]);
    lifecycle.create({ guid: "p3", appGuid: APP, type: "bits", docker: null });
    lifecycle.acceptUpload("p3");
    expect(() => lifecycle.acceptUpload("p1")).toThrow("mock-packages: package p1 is READY");
    expect(() => lifecycle.acceptUpload("p2")).toThrow("mock-packages: package p2 is FAILED");
    expect(() => lifecycle.acceptUpload("p3")).toThrow("mock-packages: package p3 is PROCESSING_UPLOAD");
  });

  it("refuses a package that does not exist", async () => {
    const { lifecycle } = await setup();
    expect(() => lifecycle.acceptUpload("nope")).toThrow("mock-packages: no package nope");
  });
});

describe("finishUpload", () => {
  /** A package PROCESSING_UPLOAD, as the upload route leaves it. */
  async function processing() {
    const env = await setup();
    env.lifecycle.create({ guid: "p1", appGuid: APP, type: "bits", docker: null });
    env.lifecycle.acceptUpload("p1");
    return { ...env, now: env.tick() };
  }

  it("READY: takes the stored blob with its sha256 and sha1", async () => {
    const { lifecycle, store, pkg, now } = await processing();
    const blob = await putBytes(store, bytes("the zip"));
    expect(await lifecycle.finishUpload("p1", { state: "READY", blob })).toBe(true);
    expect(pkg("p1")).toMatchObject({
      state: "READY",
      updatedAt: now,
      error: null,
      blobId: blob.id,
      checksum: { type: "sha256", value: digest("sha256", "the zip") },
      sha1: digest("sha1", "the zip"),
    });
    await expectBlob(store, pkg("p1").blobId, "the zip");
  });

  it("FAILED: takes the error text and keeps a null checksum", async () => {
    const { lifecycle, pkg, now } = await processing();
    expect(await lifecycle.finishUpload("p1", { state: "FAILED", error: "too big" })).toBe(true);
    expect(pkg("p1")).toMatchObject({
      state: "FAILED",
      updatedAt: now,
      error: "too big",
      blobId: null,
      checksum: NULL_CHECKSUM,
      sha1: null,
    });
  });

  it("EXPIRED: ends EXPIRED without bits", async () => {
    const { lifecycle, pkg, now } = await processing();
    expect(await lifecycle.finishUpload("p1", { state: "EXPIRED" })).toBe(true);
    expect(pkg("p1")).toMatchObject({
      state: "EXPIRED",
      updatedAt: now,
      error: null,
      blobId: null,
      checksum: NULL_CHECKSUM,
      sha1: null,
    });
  });

  it("for a package that is gone: answers false and deletes a READY outcome's blob", async () => {
    const { lifecycle, store, state } = await processing();
    await lifecycle.delete("p1");
    const blob = await putBytes(store, bytes("late zip"));
    expect(await lifecycle.finishUpload("p1", { state: "READY", blob })).toBe(false);
    await expectNoBlob(store, blob.id);
    expect(state.packages.has("p1")).toBe(false);
  });

  it("for a package that is gone: answers false to a FAILED or EXPIRED outcome", async () => {
    const { lifecycle, state } = await processing();
    await lifecycle.delete("p1");
    expect(await lifecycle.finishUpload("p1", { state: "FAILED", error: "x" })).toBe(false);
    expect(await lifecycle.finishUpload("p1", { state: "EXPIRED" })).toBe(false);
    expect(state.packages.has("p1")).toBe(false);
  });

  it("for a package that is not processing: answers false, changes nothing, deletes the outcome's blob", async () => {
    const { lifecycle, store, pkg } = await setup([readyBits("p1", "kept", 100)]);
    lifecycle.create({ guid: "p2", appGuid: APP, type: "bits", docker: null });
    const before = { ...pkg("p1") };
    const blob = await putBytes(store, bytes("late zip"));
    expect(await lifecycle.finishUpload("p1", { state: "READY", blob })).toBe(false);
    expect(await lifecycle.finishUpload("p2", { state: "FAILED", error: "x" })).toBe(false);
    expect(pkg("p1")).toEqual(before);
    expect(pkg("p2").state).toBe("AWAITING_UPLOAD");
    await expectNoBlob(store, blob.id);
    await expectBlob(store, pkg("p1").blobId, "kept");
  });
});

describe("delete", () => {
  it("removes the package and deletes the bits it alone held", async () => {
    const { lifecycle, store, state, pkg } = await setup([readyBits("p1", "x", 100)]);
    const blobId = pkg("p1").blobId!;
    await lifecycle.delete("p1");
    expect(state.packages.has("p1")).toBe(false);
    await expectNoBlob(store, blobId);
  });

  it("removes the scenario bound to the package, and only that one", async () => {
    const { lifecycle, state } = await setup([readyBits("p1", "x", 100), readyBits("p2", "y", 100)]);
    state.packageScenarios.set("p1", { name: "slow", latency: 10 });
    state.packageScenarios.set("p2", { name: "expires" });
    await lifecycle.delete("p1");
    expect([...state.packageScenarios]).toEqual([["p2", { name: "expires" }]]);
  });

  it("does nothing for a package that does not exist", async () => {
    const { lifecycle, state } = await setup([readyBits("p1", "x", 100)]);
    state.packageScenarios.set("nope", { name: "slow" });
    await lifecycle.delete("nope");
    expect([...state.packages.keys()]).toEqual(["p1"]);
  });

  it("takes a deleted package out of the expiry count", async () => {
    const { lifecycle, store, pkg } = await setup([readyBits("old", "o", 100), readyBits("mid", "m", 200)], 2);
    await lifecycle.delete("mid");
    await uploadReady(lifecycle, store, "new", "n");
    expect(pkg("old").state).toBe("READY");
  });
});

describe("updatePackage", () => {
  it("sets labels and annotations, removes a key given null, and updates updatedAt", async () => {
    const { lifecycle, tick } = await setup([
      { ...readyBits("p1", "x", 100), labels: { env: "prod", tier: "web" }, annotations: { note: "old" } },
    ]);
    const now = tick();
    const updated = lifecycle.updatePackage("p1", {
      labels: { env: null, team: "a" },
      annotations: { note: "new", gone: null },
    });
    expect(updated).toMatchObject({
      labels: { tier: "web", team: "a" },
      annotations: { note: "new" },
      updatedAt: now,
    });
  });

  it("leaves the other kind alone when only one is given", async () => {
    const { lifecycle } = await setup([{ ...readyBits("p1", "x", 100), labels: { a: "1" }, annotations: { b: "2" } }]);
    expect(lifecycle.updatePackage("p1", { labels: { c: "3" } })).toMatchObject({
      labels: { a: "1", c: "3" },
      annotations: { b: "2" },
    });
  });

  it("refuses a package that does not exist", async () => {
    const { lifecycle } = await setup();
    expect(() => lifecycle.updatePackage("nope", { labels: {} })).toThrow("mock-packages: no package nope");
  });
});
