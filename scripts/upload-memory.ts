/**
 * Measures the server's peak memory (VmHWM from /proc) while it receives,
 * processes and stores one large upload through the real CLI.
 *
 *   npx tsx scripts/upload-memory.ts [MiB]     (default 512)
 */
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { createHash } from "node:crypto";
import { fileURLToPath } from "node:url";
import { bigZip, streamUpload } from "./big-zip.js";

const mib = Number(process.argv[2] ?? 512);
const bin = fileURLToPath(new URL("../bin/mock-packages.mjs", import.meta.url));

function vm(pid: number, key: string): number {
  const m = new RegExp(`${key}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return m ? Number(m[1]) / 1024 : NaN;
}

const child = spawn(process.execPath, [bin, "--port", "0", "--processing-delay", "0", "--quiet"], {
  stdio: ["ignore", "pipe", "inherit"],
});
const url = await new Promise<string>((resolve) => {
  let out = "";
  child.stdout.on("data", (d) => {
    out += d;
    const m = /listening on (\S+)/.exec(out);
    if (m) resolve(m[1]!);
  });
});
const pid = child.pid!;
const idle = vm(pid, "VmRSS");
const token = await new Promise<string>((resolve) => {
  const t = spawn(process.execPath, [bin, "token", "--user", "space-developer"]);
  let out = "";
  t.stdout.on("data", (d) => (out += d));
  t.on("close", () => resolve(out.trim()));
});
const auth = { authorization: `bearer ${token}` };
const apps = (await (await fetch(`${url}/v3/apps?names=web-app`, { headers: auth })).json()) as {
  resources: Array<{ guid: string }>;
};
const list = (await (
  await fetch(`${url}/v3/packages?states=AWAITING_UPLOAD&app_guids=${apps.resources[0]!.guid}`, { headers: auth })
).json()) as { resources: Array<{ guid: string }> };
const guid = list.resources[0]!.guid;

const zip = bigZip(mib * 1024 * 1024);
const hash = createHash("sha256");
const started = performance.now();
const { status } = await streamUpload(`${url}/v3/packages/${guid}/upload`, auth, zip, (chunk) => hash.update(chunk));
const uploaded = performance.now() - started;
let state = "PROCESSING_UPLOAD";
let checksum = "";
while (state === "PROCESSING_UPLOAD") {
  await new Promise((r) => setTimeout(r, 100));
  const p = (await (await fetch(`${url}/v3/packages/${guid}`, { headers: auth })).json()) as {
    state: string;
    data: { checksum: { value: string } };
  };
  state = p.state;
  checksum = p.data.checksum.value;
}
const total = performance.now() - started;
const peak = vm(pid, "VmHWM");
child.kill("SIGTERM");
console.log(
  JSON.stringify(
    {
      uploadMiB: mib,
      status,
      finalState: state,
      checksumMatchesUpload: checksum === hash.digest("hex"),
      idleRssMiB: Math.round(idle),
      peakRssMiB: Math.round(peak),
      uploadSeconds: +(uploaded / 1000).toFixed(2),
      uploadMiBps: Math.round(mib / (uploaded / 1000)),
      untilReadySeconds: +(total / 1000).toFixed(2),
    },
    null,
    2,
  ),
);
