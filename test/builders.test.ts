/**
 * The zip builders of fixtures/zip.ts: the same bytes for the same input, the
 * shape each promises, and what the simulator's job does with each upload
 * (`app/jobs/v3/package_bits.rb`, `lib/cloud_controller/app_packager.rb`: the exact `data.error` texts).
 */
import JSZip from "jszip";
import { afterEach, describe, expect, it } from "vitest";
import {
  DECLARING_SIZE_ENTRY,
  ESCAPING_ZIP_ENTRIES,
  buildAppZip,
  buildEmptyZip,
  buildEscapingZip,
  buildSymlinkZip,
  buildZipDeclaringSize,
  notAZip,
} from "../fixtures/index.js";
import type { Simulator, SimulatorOptions } from "../src/index.js";
import { ZipFormatError, readZipDirectory } from "../src/core/zip/reader.js";
import { setup, type Client } from "./support/client.js";
import { downloadPackage, uploadAndSettle } from "./support/api.js";
import { sha1, sha256 } from "./support/hash.js";
import { readStoredZip } from "./support/stored-zip.js";
import { packageGuid } from "./support/world.js";

const INVALID_ZIP = "The app upload is invalid: Invalid zip archive.";
const EMPTY_ZIP = "The app upload is invalid: Invalid zip archive (zipfile is empty).";
const TOO_LARGE = "The app package is invalid: Package may not be larger than 1073741824 bytes";

const directory = (b: Uint8Array) => readZipDirectory(async (s, e) => b.slice(s, e), b.length);

let sim: Simulator | undefined;
let api: Client;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

/** Uploads `bits` to web-app's AWAITING_UPLOAD package of a fresh simulator and answers the settled package. */
async function uploadFresh(bits: Uint8Array, options: SimulatorOptions = {}): Promise<any> {
  ({ sim, api } = await setup(options));
  return uploadAndSettle(sim, api, packageGuid(sim, "web-app", "AWAITING_UPLOAD"), { bits });
}

const failedWith = (error: string) => ({ error, checksum: { type: "sha256", value: null } });

describe("determinism: the same input gives the same bytes", () => {
  const twice: Array<[string, () => Promise<Uint8Array> | Uint8Array]> = [
    [
      "buildAppZip",
      () => buildAppZip({ "a.js": "1", "bin/run": { content: "#!/bin/sh\n", mode: 0o755 } }, { directories: true }),
    ],
    ["buildEmptyZip", () => buildEmptyZip()],
    ["notAZip", () => notAZip(300, 42)],
    ["buildEscapingZip", () => buildEscapingZip()],
    ["buildSymlinkZip", () => buildSymlinkZip({ current: "releases/v2" }, { "releases/v2/app.js": "2" })],
    ["buildZipDeclaringSize", () => buildZipDeclaringSize(5000, "tiny")],
  ];
  it.each(twice)("%s", async (_name, build) => {
    const a = await build();
    const b = await build();
    expect(a.length).toBeGreaterThan(0);
    expect(sha256(a)).toBe(sha256(b));
    expect(Buffer.from(a).equals(Buffer.from(b))).toBe(true);
  });
});

describe("buildEmptyZip", () => {
  it("is the 22-byte end record alone: no entries", async () => {
    const zip = await buildEmptyZip();
    expect([...zip]).toEqual([0x50, 0x4b, 0x05, 0x06, ...new Array(18).fill(0)]);
    expect((await directory(zip)).entries).toEqual([]);
  });
});

describe("notAZip", () => {
  it("has the size asked for, depends on the seed only, and carries no 0x50 byte", () => {
    expect(notAZip().length).toBe(64);
    expect(notAZip(4096, 9).length).toBe(4096);
    expect(notAZip(0).length).toBe(0);
    // xorshift32 from seed 1, low byte of each step (computed independently).
    expect([...notAZip(8, 1)]).toEqual([0x21, 0x01, 0xc5, 0x4f, 0xd1, 0xd0, 0x1a, 0xb2]);
    expect(sha256(notAZip(64, 1))).not.toBe(sha256(notAZip(64, 2)));
    for (let seed = 1; seed <= 20; seed++) expect(notAZip(4096, seed).includes(0x50)).toBe(false);
  });

  it("is refused by the simulator's zip reader (no end-of-central-directory signature)", async () => {
    const junk = notAZip(1000, 3);
    await expect(directory(junk)).rejects.toThrow(ZipFormatError);
    await expect(directory(junk)).rejects.toThrow("end-of-central-directory signature not found");
  });

  it("rejects a negative or fractional size", () => {
    expect(() => notAZip(-1)).toThrow("notAZip: size must be an integer of 0 or more, got -1");
    expect(() => notAZip(1.5)).toThrow(RangeError);
  });
});

describe("buildEscapingZip", () => {
  it("keeps the escaping names verbatim, in order", async () => {
    const entries = await readStoredZip(await buildEscapingZip());
    expect(entries.map((e) => e.name)).toEqual(["../escape.txt", "../../etc/evil", "/abs/path.txt"]);
    expect(ESCAPING_ZIP_ENTRIES).toEqual(["../escape.txt", "../../etc/evil", "/abs/path.txt"]);
    expect(entries.map((e) => e.text)).toEqual(["escaped one level\n", "escaped two levels\n", "absolute path\n"]);
    expect(entries.map((e) => e.mode)).toEqual([0o100644, 0o100644, 0o100644]);
  });

  it("is renamed by jszip when loaded, which is why tests read zips with readZipDirectory", async () => {
    const names = Object.keys((await JSZip.loadAsync(await buildEscapingZip())).files);
    expect(names).not.toContain("../escape.txt");
  });
});

describe("buildSymlinkZip", () => {
  it("writes files first, then links with mode 0o120777 and the target as content", async () => {
    const zip = await buildSymlinkZip(
      { current: "releases/v2", "etc-passwd": "/etc/passwd" },
      { "releases/v2/app.js": { content: "console.log(2)\n", mode: 0o755 } },
    );
    expect(await readStoredZip(zip)).toEqual([
      { name: "releases/v2/app.js", mode: 0o100755, isSymlink: false, isDirectory: false, text: "console.log(2)\n" },
      { name: "current", mode: 0o120777, isSymlink: true, isDirectory: false, text: "releases/v2" },
      { name: "etc-passwd", mode: 0o120777, isSymlink: true, isDirectory: false, text: "/etc/passwd" },
    ]);
  });
});

describe("buildZipDeclaringSize", () => {
  it("patches the size in the central directory and in the local header, nothing else", async () => {
    const zip = await buildZipDeclaringSize(1073741825);
    const dir = await directory(zip);
    expect(dir.entries.map((e) => [e.name, e.uncompressedSize, e.compressedSize, e.method])).toEqual([
      [DECLARING_SIZE_ENTRY, 1073741825, 5, 0],
    ]);
    expect(dir.totalUncompressed).toBe(1073741825);
    const local = new DataView(zip.buffer, zip.byteOffset, zip.byteLength);
    expect(local.getUint32(0, true)).toBe(0x04034b50);
    expect(local.getUint32(18, true)).toBe(5); // compressed size: the real one
    expect(local.getUint32(22, true)).toBe(1073741825);
    expect(
      new TextDecoder().decode(zip.slice(30 + DECLARING_SIZE_ENTRY.length, 35 + DECLARING_SIZE_ENTRY.length)),
    ).toBe("small");
    expect(zip.length).toBeLessThan(200);
  });

  it("takes other content, and refuses sizes the 32-bit field cannot hold", async () => {
    const dir = await directory(await buildZipDeclaringSize(7, "twelve bytes"));
    expect([dir.entries[0]!.uncompressedSize, dir.entries[0]!.compressedSize]).toEqual([7, 12]);
    await expect(buildZipDeclaringSize(0xffffffff)).rejects.toThrow(
      "buildZipDeclaringSize: declared must be an integer from 0 to 4294967294, got 4294967295",
    );
    await expect(buildZipDeclaringSize(-1)).rejects.toThrow(RangeError);
  });
});

describe("what the simulator does with each upload", () => {
  it("notAZip: FAILED, Invalid zip archive.", async () => {
    const pkg = await uploadFresh(notAZip());
    expect(pkg.state).toBe("FAILED");
    expect(pkg.data).toEqual(failedWith(INVALID_ZIP));
  });

  it("buildEmptyZip: FAILED, zipfile is empty", async () => {
    const pkg = await uploadFresh(await buildEmptyZip());
    expect(pkg.state).toBe("FAILED");
    expect(pkg.data).toEqual(failedWith(EMPTY_ZIP));
  });

  it("buildZipDeclaringSize over the limit: FAILED with the size message, decided before inflating", async () => {
    const pkg = await uploadFresh(await buildZipDeclaringSize(1073741825));
    expect(pkg.state).toBe("FAILED");
    expect(pkg.data).toEqual(failedWith(TOO_LARGE));
  });

  it("buildZipDeclaringSize exactly at the limit passes the size check and fails the entry check", async () => {
    // Had the size come from inflating, both zips would fail alike; the lie is only caught when the entry is read.
    const pkg = await uploadFresh(await buildZipDeclaringSize(1073741824));
    expect(pkg.state).toBe("FAILED");
    expect(pkg.data).toEqual(failedWith(INVALID_ZIP));
  });

  it("buildZipDeclaringSize follows maxPackageSize", async () => {
    const pkg = await uploadFresh(await buildZipDeclaringSize(1001), { maxPackageSize: 1000 });
    expect(pkg.data).toEqual(failedWith("The app package is invalid: Package may not be larger than 1000 bytes"));
  });

  it("buildEscapingZip: READY, and the stored zip keeps the escaping names", async () => {
    const pkg = await uploadFresh(await buildEscapingZip());
    expect(pkg.state).toBe("READY");
    expect(pkg.data.error).toBeNull();
    const stored = await downloadPackage(api, pkg.guid);
    expect(pkg.data.checksum).toEqual({ type: "sha256", value: sha256(stored) });
    const entries = await readStoredZip(stored);
    expect(entries.map((e) => [e.name, e.text])).toEqual([
      ["../escape.txt", "escaped one level\n"],
      ["../../etc/evil", "escaped two levels\n"],
      ["/abs/path.txt", "absolute path\n"],
    ]);
  });

  it("buildSymlinkZip: READY, and the stored zip keeps the links as links", async () => {
    const pkg = await uploadFresh(
      await buildSymlinkZip({ current: "releases/v2", "etc-passwd": "/etc/passwd" }, { "releases/v2/app.js": "2" }),
    );
    expect(pkg.state).toBe("READY");
    const stored = await downloadPackage(api, pkg.guid);
    expect(pkg.data.checksum).toEqual({ type: "sha256", value: sha256(stored) });
    expect((await readStoredZip(stored)).map((e) => [e.name, e.mode, e.isSymlink, e.text])).toEqual([
      ["releases/v2/app.js", 0o100644, false, "2"],
      ["current", 0o120777, true, "releases/v2"],
      ["etc-passwd", 0o120777, true, "/etc/passwd"],
    ]);
  });

  it("buildSymlinkZip: links never enter the resource cache, files do", async () => {
    await uploadFresh(await buildSymlinkZip({ "link-to-far-away": "some/target/path" }, { "regular.txt": "cached!" }), {
      resourceCacheMinSize: 1,
    });
    const cached = [...sim!.state.resourceCache.keys()];
    expect(cached).toEqual([sha1("cached!")]);
  });
});
