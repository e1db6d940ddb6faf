/**
 * Small worlds for the package lifecycle's unit tests (src/core/packages/lifecycle*.test.ts):
 * one app and another, packages made to order, and checks on the blob store.
 */
import { createHash } from "node:crypto";
import { expect } from "vitest";
import { createMemoryStore, getBytes, putBytes, type BlobStore } from "../../src/core/blob-store.js";
import type { PackageData, WorldData } from "../../src/core/world/model.js";
import { createWorld, type PackageLifecycle } from "../../src/core/packages/lifecycle.js";

export const APP = "app-1";
export const OTHER_APP = "app-2";
/** The clock's time when a world is created; `tick` moves it on. */
export const START = 1_000_000;
export const NULL_CHECKSUM = { type: "sha256", value: null };

export function worldOf(packages: PackageData[]): WorldData {
  return {
    orgs: [{ guid: "org-1", name: "org", createdAt: 0 }],
    spaces: [{ guid: "space-1", name: "space", orgGuid: "org-1", createdAt: 0 }],
    apps: [APP, OTHER_APP].map((guid) => ({ guid, name: guid, spaceGuid: "space-1", createdAt: 0 })),
    users: [],
    packages,
  };
}

/** A lifecycle over a memory store and a clock that moves only when told. */
export async function setup(packages: PackageData[] = [], maxValidPackagesStored = 5) {
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

export const bytes = (text: string) => new TextEncoder().encode(text);
export const digest = (algorithm: "sha1" | "sha256", text: string) => createHash(algorithm).update(text).digest("hex");

/** A READY bits package as a world describes it, its bits the given text. */
export const readyBits = (guid: string, text: string, createdAt: number, appGuid = APP): PackageData => ({
  guid,
  appGuid,
  type: "bits",
  state: "READY",
  createdAt,
  bits: bytes(text),
});

export const failedBits = (guid: string, createdAt: number, appGuid = APP): PackageData => ({
  guid,
  appGuid,
  type: "bits",
  state: "FAILED",
  createdAt,
  error: "boom",
});

/** Uploads `text` to a new bits package of `appGuid` and finishes it READY. */
export async function uploadReady(
  lifecycle: PackageLifecycle,
  store: BlobStore,
  guid: string,
  text: string,
  appGuid = APP,
) {
  lifecycle.create({ guid, appGuid, type: "bits", docker: null });
  lifecycle.acceptUpload(guid);
  return lifecycle.finishUpload(guid, { state: "READY", blob: await putBytes(store, bytes(text)) });
}

export async function expectBlob(store: BlobStore, blobId: string | null, text: string) {
  expect(blobId).not.toBeNull();
  expect(new TextDecoder().decode(await getBytes(store, blobId!))).toBe(text);
}

export async function expectNoBlob(store: BlobStore, blobId: string) {
  await expect(store.size(blobId)).rejects.toThrow(`mock-packages: no stored blob '${blobId}'`);
}
