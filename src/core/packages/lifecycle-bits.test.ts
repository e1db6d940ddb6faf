// Unit tests of the package lifecycle's stored bits: copies, counted references to a blob, expiry.
import { describe, expect, it } from "vitest";
import type { PackageData } from "../world/model.js";
import {
  APP,
  OTHER_APP,
  NULL_CHECKSUM,
  setup,
  digest,
  readyBits,
  failedBits,
  uploadReady,
  expectBlob,
  expectNoBlob,
} from "../../../test/support/lifecycle.js";

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

  it("a docker copy is READY at once with the source's image and no credentials (package_copy.rb)", async () => {
    const docker = { image: "nginx:1", username: "alice" };
    const { lifecycle, pkg } = await setup([
      { guid: "d1", appGuid: APP, type: "docker", state: "READY", createdAt: 100, docker },
    ]);
    const copy = lifecycle.startCopy(pkg("d1"), { guid: "copy", appGuid: OTHER_APP });
    expect(copy).toMatchObject({ type: "docker", state: "READY", blobId: null });
    expect(copy.docker).toEqual({ image: "nginx:1", username: null, password: null });
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
