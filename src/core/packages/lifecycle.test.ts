import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { createMemoryStore, getBytes, putBytes, type BlobStore } from "../blob-store.js";
import type { PackageData, WorldData } from "../world/model.js";
import { createWorld, type PackageLifecycle } from "./lifecycle.js";

const APP = "app-1";
const OTHER_APP = "app-2";
/** The clock's time when a world is created; `tick` moves it on. */
const START = 1_000_000;
const NULL_CHECKSUM = { type: "sha256", value: null };

function worldOf(packages: PackageData[]): WorldData {
  return {
    orgs: [{ guid: "org-1", name: "org", createdAt: 0 }],
    spaces: [{ guid: "space-1", name: "space", orgGuid: "org-1", createdAt: 0 }],
    apps: [APP, OTHER_APP].map((guid) => ({ guid, name: guid, spaceGuid: "space-1", createdAt: 0 })),
    users: [],
    packages,
  };
}

/** A lifecycle over a memory store and a clock that moves only when told. */
async function setup(packages: PackageData[] = [], maxValidPackagesStored = 5) {
  const store = createMemoryStore();
  let clock = START;
  const { state, lifecycle } = await createWorld(worldOf(packages), {
    store,
    now: () => clock,
    maxValidPackagesStored,
  });
  return {
    store,
    state,
    lifecycle,
    /** The package as the state holds it now (throws when it is gone). */
    pkg(guid: string) {
      const p = state.packages.get(guid);
      if (!p) throw new Error(`test: no package ${guid}`);
      return p;
    },
    tick(ms = 1_000) {
      clock += ms;
      return clock;
    },
  };
}

const bytes = (text: string) => new TextEncoder().encode(text);
const digest = (algorithm: "sha1" | "sha256", text: string) => createHash(algorithm).update(text).digest("hex");

/** A READY bits package as a world describes it, its bits the given text. */
const readyBits = (guid: string, text: string, createdAt: number, appGuid = APP): PackageData => ({
  guid,
  appGuid,
  type: "bits",
  state: "READY",
  createdAt,
  bits: bytes(text),
});

const failedBits = (guid: string, createdAt: number, appGuid = APP): PackageData => ({
  guid,
  appGuid,
  type: "bits",
  state: "FAILED",
  createdAt,
  error: "boom",
});

/** Uploads `text` to a new bits package of `appGuid` and finishes it READY. */
async function uploadReady(lifecycle: PackageLifecycle, store: BlobStore, guid: string, text: string, appGuid = APP) {
  lifecycle.create({ guid, appGuid, type: "bits", docker: null });
  lifecycle.acceptUpload(guid);
  return lifecycle.finishUpload(guid, { state: "READY", blob: await putBytes(store, bytes(text)) });
}

async function expectBlob(store: BlobStore, blobId: string | null, text: string) {
  expect(blobId).not.toBeNull();
  expect(new TextDecoder().decode(await getBytes(store, blobId!))).toBe(text);
}

async function expectNoBlob(store: BlobStore, blobId: string) {
  await expect(store.size(blobId)).rejects.toThrow(`mock-packages: no stored blob '${blobId}'`);
}

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

describe("startCopy and finishCopy", () => {
  const SOURCE = readyBits("src", "source bits", 100);

  it("a bits copy is COPYING, created now, then READY with the source's checksum, sha1 and bytes", async () => {
    const { lifecycle, store, pkg, tick } = await setup([SOURCE]);
    const started = tick();
    const copy = lifecycle.startCopy(pkg("src"), { guid: "copy", appGuid: OTHER_APP, labels: { a: "b" } });
    expect(copy).toMatchObject({
      guid: "copy",
      appGuid: OTHER_APP,
      type: "bits",
      state: "COPYING",
      createdAt: started,
      updatedAt: started,
      checksum: NULL_CHECKSUM,
      sha1: null,
      blobId: null,
      docker: null,
      labels: { a: "b" },
    });
    const finished = tick();
    await lifecycle.finishCopy("copy");
    expect(pkg("copy")).toMatchObject({
      state: "READY",
      createdAt: started,
      updatedAt: finished,
      error: null,
      checksum: { type: "sha256", value: digest("sha256", "source bits") },
      sha1: digest("sha1", "source bits"),
    });
    await expectBlob(store, pkg("copy").blobId, "source bits");
  });

  it("a docker copy is READY at once with a copy of the source's docker data", async () => {
    const docker = { image: "nginx:1", username: "alice" };
    const { lifecycle, pkg } = await setup([
      { guid: "d1", appGuid: APP, type: "docker", state: "READY", createdAt: 100, docker },
    ]);
    const copy = lifecycle.startCopy(pkg("d1"), { guid: "copy", appGuid: OTHER_APP });
    expect(copy).toMatchObject({ type: "docker", state: "READY", blobId: null });
    expect(copy.docker).toEqual({ image: "nginx:1", username: "alice", password: "***" });
    expect(copy.docker).not.toBe(pkg("d1").docker);
    await lifecycle.finishCopy("copy");
    expect(pkg("copy").state).toBe("READY");
  });

  it("a copy of a package without bits ends FAILED", async () => {
    const { lifecycle, pkg } = await setup([
      failedBits("failed", 100),
      { guid: "empty", appGuid: APP, type: "bits", state: "READY", createdAt: 100 },
    ]);
    lifecycle.create({ guid: "awaiting", appGuid: APP, type: "bits", docker: null });
    for (const source of ["failed", "empty", "awaiting"]) {
      lifecycle.startCopy(pkg(source), { guid: `copy-of-${source}`, appGuid: OTHER_APP });
      await lifecycle.finishCopy(`copy-of-${source}`);
      expect(pkg(`copy-of-${source}`)).toMatchObject({
        state: "FAILED",
        error: "failed to copy - source package has no bits",
        blobId: null,
        checksum: NULL_CHECKSUM,
      });
    }
  });

  it("does nothing for a package that is not a copy in flight", async () => {
    const { lifecycle, pkg } = await setup([
      { guid: "loaded", appGuid: APP, type: "bits", state: "COPYING", createdAt: 100 },
    ]);
    await lifecycle.finishCopy("loaded");
    await lifecycle.finishCopy("nope");
    expect(pkg("loaded").state).toBe("COPYING");
  });

  it("leaves the copy's bits readable when the source is deleted before the copy finishes", async () => {
    const { lifecycle, store, pkg } = await setup([SOURCE]);
    const blobId = pkg("src").blobId!;
    lifecycle.startCopy(pkg("src"), { guid: "copy", appGuid: OTHER_APP });
    await lifecycle.delete("src");
    await expectBlob(store, blobId, "source bits");
    await lifecycle.finishCopy("copy");
    expect(pkg("copy").state).toBe("READY");
    await expectBlob(store, pkg("copy").blobId, "source bits");
  });

  it("leaves the copy's bits readable when the source is deleted after the copy finished", async () => {
    const { lifecycle, store, pkg } = await setup([SOURCE]);
    lifecycle.startCopy(pkg("src"), { guid: "copy", appGuid: OTHER_APP });
    await lifecycle.finishCopy("copy");
    await lifecycle.delete("src");
    await expectBlob(store, pkg("copy").blobId, "source bits");
  });

  it("leaves the copy's bits readable when the source expires before the copy finishes", async () => {
    const { lifecycle, store, pkg } = await setup([SOURCE], 1);
    lifecycle.startCopy(pkg("src"), { guid: "copy", appGuid: OTHER_APP });
    await uploadReady(lifecycle, store, "newer", "newer bits");
    expect(pkg("src").state).toBe("EXPIRED");
    await lifecycle.finishCopy("copy");
    expect(pkg("copy")).toMatchObject({
      state: "READY",
      checksum: { type: "sha256", value: digest("sha256", "source bits") },
      sha1: digest("sha1", "source bits"),
    });
    await expectBlob(store, pkg("copy").blobId, "source bits");
  });

  it("leaves the copy's bits readable when the source expires after the copy finished", async () => {
    const { lifecycle, store, pkg } = await setup([SOURCE], 1);
    lifecycle.startCopy(pkg("src"), { guid: "copy", appGuid: OTHER_APP });
    await lifecycle.finishCopy("copy");
    await uploadReady(lifecycle, store, "newer", "newer bits");
    expect(pkg("src").state).toBe("EXPIRED");
    await expectBlob(store, pkg("copy").blobId, "source bits");
  });

  it("leaves the source's bits when the copy is deleted", async () => {
    const { lifecycle, store, pkg } = await setup([SOURCE]);
    lifecycle.startCopy(pkg("src"), { guid: "copy", appGuid: OTHER_APP });
    await lifecycle.finishCopy("copy");
    await lifecycle.delete("copy");
    await expectBlob(store, pkg("src").blobId, "source bits");
  });

  it("leaves the source's bits when the copy is deleted while COPYING", async () => {
    const { lifecycle, store, pkg } = await setup([SOURCE]);
    lifecycle.startCopy(pkg("src"), { guid: "copy", appGuid: OTHER_APP });
    await lifecycle.delete("copy");
    await lifecycle.finishCopy("copy");
    expect(pkg("src").state).toBe("READY");
    await expectBlob(store, pkg("src").blobId, "source bits");
  });
});

describe("the stored blob", () => {
  const SOURCE = readyBits("src", "shared", 100);

  it("leaves the store when the last holder is deleted: the source, then the copy", async () => {
    const { lifecycle, store, pkg } = await setup([SOURCE]);
    const blobId = pkg("src").blobId!;
    lifecycle.startCopy(pkg("src"), { guid: "copy", appGuid: OTHER_APP });
    await lifecycle.finishCopy("copy");
    expect(pkg("copy").blobId).toBe(blobId);
    await lifecycle.delete("src");
    await expectBlob(store, blobId, "shared");
    await lifecycle.delete("copy");
    await expectNoBlob(store, blobId);
  });

  it("leaves the store when the last holder is deleted: the copy, then the source", async () => {
    const { lifecycle, store, pkg } = await setup([SOURCE]);
    const blobId = pkg("src").blobId!;
    lifecycle.startCopy(pkg("src"), { guid: "copy", appGuid: OTHER_APP });
    await lifecycle.finishCopy("copy");
    await lifecycle.delete("copy");
    await expectBlob(store, blobId, "shared");
    await lifecycle.delete("src");
    await expectNoBlob(store, blobId);
  });

  it("leaves the store when a copy in flight, deleted, lets go after its source was deleted", async () => {
    const { lifecycle, store, pkg } = await setup([SOURCE]);
    const blobId = pkg("src").blobId!;
    lifecycle.startCopy(pkg("src"), { guid: "copy", appGuid: OTHER_APP });
    await lifecycle.delete("src");
    await lifecycle.delete("copy");
    await expectBlob(store, blobId, "shared");
    await lifecycle.finishCopy("copy");
    await expectNoBlob(store, blobId);
  });

  it("is shared by two copies and leaves only with the last of the three", async () => {
    const { lifecycle, store, pkg } = await setup([SOURCE]);
    const blobId = pkg("src").blobId!;
    for (const guid of ["copy-1", "copy-2"]) {
      lifecycle.startCopy(pkg("src"), { guid, appGuid: OTHER_APP });
      await lifecycle.finishCopy(guid);
    }
    for (const guid of ["src", "copy-1"]) {
      await lifecycle.delete(guid);
      await expectBlob(store, blobId, "shared");
    }
    await lifecycle.delete("copy-2");
    await expectNoBlob(store, blobId);
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

describe("expiry", () => {
  /** The states of the given packages, by guid. */
  const statesOf = (pkg: (guid: string) => { state: string }, ...guids: string[]) =>
    Object.fromEntries(guids.map((g) => [g, pkg(g).state]));

  it("expires the oldest finished bits packages beyond maxValidPackagesStored, clearing their bits", async () => {
    const { lifecycle, store, pkg, tick } = await setup(
      [readyBits("p1", "one", 100), failedBits("p2", 200), readyBits("p3", "three", 300)],
      2,
    );
    const blobId = pkg("p1").blobId!;
    await uploadReady(lifecycle, store, "p4", "four");
    const now = tick(0);
    expect(statesOf(pkg, "p1", "p2", "p3", "p4")).toEqual({
      p1: "EXPIRED",
      p2: "EXPIRED",
      p3: "READY",
      p4: "READY",
    });
    expect(pkg("p1")).toMatchObject({ checksum: NULL_CHECKSUM, sha1: null, blobId: null, updatedAt: now });
    expect(pkg("p2")).toMatchObject({ checksum: NULL_CHECKSUM, sha1: null, blobId: null, updatedAt: now });
    await expectNoBlob(store, blobId);
    await expectBlob(store, pkg("p3").blobId, "three");
  });

  it("expires nothing while an app has maxValidPackagesStored finished packages or fewer", async () => {
    const { lifecycle, store, pkg } = await setup([readyBits("p1", "one", 100)], 2);
    await uploadReady(lifecycle, store, "p2", "two");
    expect(statesOf(pkg, "p1", "p2")).toEqual({ p1: "READY", p2: "READY" });
  });

  it("orders packages created at the same time by guid", async () => {
    const { lifecycle, store, pkg } = await setup([readyBits("p-b", "b", 100), readyBits("p-a", "a", 100)], 2);
    await uploadReady(lifecycle, store, "p-c", "c");
    expect(statesOf(pkg, "p-a", "p-b", "p-c")).toEqual({ "p-a": "EXPIRED", "p-b": "READY", "p-c": "READY" });
  });

  it("is triggered by a FAILED upload and by a finished copy too", async () => {
    const { lifecycle, pkg } = await setup(
      [readyBits("p1", "one", 100), readyBits("p2", "two", 200), readyBits("other", "o", 50, OTHER_APP)],
      1,
    );
    lifecycle.create({ guid: "p3", appGuid: APP, type: "bits", docker: null });
    lifecycle.acceptUpload("p3");
    await lifecycle.finishUpload("p3", { state: "FAILED", error: "bad zip" });
    expect(statesOf(pkg, "p1", "p2", "p3")).toEqual({ p1: "EXPIRED", p2: "EXPIRED", p3: "FAILED" });
    lifecycle.startCopy(pkg("p3"), { guid: "copy", appGuid: OTHER_APP });
    await lifecycle.finishCopy("copy");
    expect(statesOf(pkg, "other", "copy")).toEqual({ other: "EXPIRED", copy: "FAILED" });
  });

  it("is not triggered by an EXPIRED outcome", async () => {
    const { lifecycle, pkg } = await setup([readyBits("p1", "one", 100), readyBits("p2", "two", 200)], 1);
    lifecycle.create({ guid: "p3", appGuid: APP, type: "bits", docker: null });
    lifecycle.acceptUpload("p3");
    await lifecycle.finishUpload("p3", { state: "EXPIRED" });
    expect(statesOf(pkg, "p1", "p2")).toEqual({ p1: "READY", p2: "READY" });
  });

  it("counts only READY and FAILED packages", async () => {
    const { lifecycle, store, pkg } = await setup(
      [
        readyBits("ready", "r", 100),
        { guid: "expired", appGuid: APP, type: "bits", state: "EXPIRED", createdAt: 10 },
        { guid: "awaiting", appGuid: APP, type: "bits", state: "AWAITING_UPLOAD", createdAt: 20 },
        { guid: "processing", appGuid: APP, type: "bits", state: "PROCESSING_UPLOAD", createdAt: 30 },
        { guid: "copying", appGuid: APP, type: "bits", state: "COPYING", createdAt: 40 },
      ],
      2,
    );
    await uploadReady(lifecycle, store, "new", "n");
    expect(statesOf(pkg, "ready", "new", "awaiting", "processing", "copying")).toEqual({
      ready: "READY",
      new: "READY",
      awaiting: "AWAITING_UPLOAD",
      processing: "PROCESSING_UPLOAD",
      copying: "COPYING",
    });
  });

  it("never counts or expires docker packages", async () => {
    const docker = (guid: string, createdAt: number): PackageData => ({
      guid,
      appGuid: APP,
      type: "docker",
      state: "READY",
      createdAt,
    });
    const { lifecycle, store, pkg } = await setup([docker("d1", 10), docker("d2", 20), readyBits("p1", "one", 100)], 1);
    lifecycle.create({ guid: "d3", appGuid: APP, type: "docker", docker: null });
    expect(pkg("p1").state).toBe("READY");
    await uploadReady(lifecycle, store, "p2", "two");
    expect(statesOf(pkg, "d1", "d2", "d3", "p1", "p2")).toEqual({
      d1: "READY",
      d2: "READY",
      d3: "READY",
      p1: "EXPIRED",
      p2: "READY",
    });
  });

  it("leaves other apps' packages untouched", async () => {
    const { lifecycle, store, pkg } = await setup(
      [readyBits("o1", "o1", 10, OTHER_APP), readyBits("o2", "o2", 20, OTHER_APP), readyBits("p1", "one", 100)],
      1,
    );
    await uploadReady(lifecycle, store, "p2", "two");
    expect(statesOf(pkg, "o1", "o2", "p1", "p2")).toEqual({ o1: "READY", o2: "READY", p1: "EXPIRED", p2: "READY" });
    await expectBlob(store, pkg("o1").blobId, "o1");
  });

  it("does not count an expired package again", async () => {
    const { lifecycle, store, pkg } = await setup([readyBits("p1", "one", 100), readyBits("p2", "two", 200)], 2);
    await uploadReady(lifecycle, store, "p3", "three");
    expect(pkg("p1").state).toBe("EXPIRED");
    await lifecycle.delete("p2");
    await uploadReady(lifecycle, store, "p4", "four");
    expect(statesOf(pkg, "p1", "p3", "p4")).toEqual({ p1: "EXPIRED", p3: "READY", p4: "READY" });
  });
});

describe("updateMetadata", () => {
  it("sets labels and annotations, removes a key given null, and updates updatedAt", async () => {
    const { lifecycle, tick } = await setup([
      { ...readyBits("p1", "x", 100), labels: { env: "prod", tier: "web" }, annotations: { note: "old" } },
    ]);
    const now = tick();
    const updated = lifecycle.updateMetadata("p1", {
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
    expect(lifecycle.updateMetadata("p1", { labels: { c: "3" } })).toMatchObject({
      labels: { a: "1", c: "3" },
      annotations: { b: "2" },
    });
  });

  it("refuses a package that does not exist", async () => {
    const { lifecycle } = await setup();
    expect(() => lifecycle.updateMetadata("nope", { labels: {} })).toThrow("mock-packages: no package nope");
  });
});
