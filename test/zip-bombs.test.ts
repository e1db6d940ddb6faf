/**
 * Zip bombs against the real command (issue 10, finding 3): an entry that declares
 * little and inflates to a lot must stop at what it declares, with the real job's text,
 * and the server's memory must stay flat while it does. Measured as the peak resident
 * memory (`VmHWM` in /proc/<pid>/status, reset before each upload) of a server run as a
 * child process: a bomb inflated whole shows as hundreds of MiB.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildAppZip } from "../fixtures/index.js";
import { cfUploadBody, postUpload } from "./support/api.js";
import { overHttp, tokenFor, type Client } from "./support/client.js";
import { startCli, type RunningCli } from "./support/cli.js";
import { peakMiB, resetPeak } from "./support/proc.js";
import { buildZipBomb } from "./support/zip-bomb.js";

const MiB = 1024 * 1024;
const MAX_PACKAGE = 128 * MiB;
/**
 * Growth of the server's peak memory allowed for one upload. Measured: 5 MiB for the first bomb, 35-40 MiB
 * for 32-40 MiB inflated into the store (garbage not yet collected); 640 MiB and 130 MiB before streaming.
 */
const PEAK_GROWTH_MiB = 64;
const INVALID_ZIP = "The app upload is invalid: Invalid zip archive.";

describe.skipIf(process.platform !== "linux")("zip bombs (the server's peak memory, in a child process)", () => {
  let server: RunningCli;
  let api: Client;
  let app: string;

  beforeAll(async () => {
    server = await startCli(["--processing-delay", "0", "--quiet", "--max-package-size", String(MAX_PACKAGE)]);
    api = overHttp(server.url);
    const apps = await api.call("/v3/apps?names=web-app", { user: "space-developer" });
    app = apps.json.resources[0].guid;
    // Warm up: the first upload loads the job's modules (fflate among them); the bombs are measured after it.
    const warm = await uploadAndWait(await buildAppZip({ "index.js": "console.log('warm')\n".repeat(2000) }));
    expect(warm.state, JSON.stringify(warm.data)).toBe("READY");
  }, 30_000);
  afterAll(async () => {
    await server?.stop();
  });

  /** Creates a bits package of web-app, uploads `zip` to it, and polls until its job is done. */
  async function uploadAndWait(zip: Uint8Array): Promise<any> {
    const created = await api.call("/v3/packages", {
      method: "POST",
      user: "space-developer",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ type: "bits", relationships: { app: { data: { guid: app } } } }),
    });
    expect(created.status, created.text).toBe(201);
    const guid = created.json.guid as string;
    const up = await postUpload(api, guid, cfUploadBody(zip));
    expect(up.status, up.text).toBe(200);
    for (let i = 0; i < 600; i++) {
      const pkg = (await api.call(`/v3/packages/${guid}`, { token: await tokenFor("space-developer") })).json;
      if (pkg.state !== "PROCESSING_UPLOAD") return pkg;
      await new Promise((r) => setTimeout(r, 25));
    }
    throw new Error(`package ${guid} still PROCESSING_UPLOAD after 15 s`);
  }

  /** Uploads `zip` and answers the finished package and how far the server's peak memory rose. */
  async function measured(zip: Uint8Array): Promise<{ pkg: any; growthMiB: number; ms: number }> {
    resetPeak(server.child.pid!);
    const before = peakMiB(server.child.pid!);
    const started = performance.now();
    const pkg = await uploadAndWait(zip);
    const ms = performance.now() - started;
    const growthMiB = Math.max(0, peakMiB(server.child.pid!) - before);
    console.info(
      `zip bomb: ${zip.length} bytes → ${pkg.state}, peak +${growthMiB.toFixed(1)} MiB, ${ms.toFixed(0)} ms`,
    );
    return { pkg, growthMiB, ms };
  }

  it("stops an entry that declares 100 bytes and inflates to 256 MiB: FAILED, Invalid zip archive", async () => {
    const bomb = buildZipBomb({ inflatesTo: 256 * MiB, declares: 100 });
    expect(bomb.zip.length).toBeLessThan(300 * 1024);
    const { pkg, growthMiB } = await measured(bomb.zip);
    expect(pkg.state).toBe("FAILED");
    expect(pkg.data).toEqual({ error: INVALID_ZIP, checksum: { type: "sha256", value: null } });
    expect(growthMiB, "the bomb was inflated far past its declared size in memory").toBeLessThan(PEAK_GROWTH_MiB);
  });

  it("inflates an entry that declares 40 MiB (under the package limit) to 40 MiB and no further, memory flat", async () => {
    const bomb = buildZipBomb({ inflatesTo: 256 * MiB, declares: 40 * MiB });
    const { pkg, growthMiB } = await measured(bomb.zip);
    expect(pkg.state).toBe("FAILED");
    expect(pkg.data.error).toBe(INVALID_ZIP);
    expect(growthMiB).toBeLessThan(PEAK_GROWTH_MiB);
  });

  it("fails an honest entry over --max-package-size before inflating anything", async () => {
    const bomb = buildZipBomb({ inflatesTo: 256 * MiB, crc: false });
    expect(bomb.declaredSize).toBeGreaterThan(MAX_PACKAGE);
    const { pkg, growthMiB } = await measured(bomb.zip);
    expect(pkg.state).toBe("FAILED");
    expect(pkg.data.error).toBe(`The app package is invalid: Package may not be larger than ${MAX_PACKAGE} bytes`);
    expect(growthMiB).toBeLessThan(PEAK_GROWTH_MiB);
  });

  it("still inflates an honest 32 MiB entry of zeros to READY with memory flat", async () => {
    const bomb = buildZipBomb({ inflatesTo: 32 * MiB });
    const { pkg, growthMiB } = await measured(bomb.zip);
    expect(pkg.state, JSON.stringify(pkg.data)).toBe("READY");
    expect(growthMiB).toBeLessThan(PEAK_GROWTH_MiB);
  });
});
