// The floor of what Node can do here: a bare node:http server that reads the whole body,
// hashes it with sha256 (and, for uploads over 1 MiB, drains it to a temporary file),
// then answers a fixed JSON. Used by scripts/bench.ts as server C.
import { createHash } from "node:crypto";
import { createWriteStream, mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";

const dir = mkdtempSync(join(tmpdir(), "bare-server-"));
let n = 0;
const body = JSON.stringify({ guid: "9d8ec3b2-5dd4-4a1b-b1a0-2c6c3f0f2b77", state: "PROCESSING_UPLOAD" });
const server = createServer((req, res) => {
  const hash = createHash("sha256");
  const big = Number(req.headers["content-length"] ?? 0) > 1024 * 1024;
  const file = big ? createWriteStream(join(dir, `upload-${++n}`)) : null;
  req.on("data", (chunk) => {
    hash.update(chunk);
    if (file && !file.write(chunk)) {
      req.pause();
      file.once("drain", () => req.resume());
    }
  });
  req.on("end", () => {
    const done = () => {
      hash.digest("hex");
      res.writeHead(req.method === "POST" && !req.url.endsWith("/upload") ? 201 : 200, {
        "content-type": "application/json; charset=utf-8",
        "content-length": Buffer.byteLength(body),
      });
      res.end(body);
    };
    if (file) file.end(done);
    else done();
  });
});
server.listen(Number(process.argv[2] ?? 0), "127.0.0.1", () => {
  console.log(`listening on http://127.0.0.1:${server.address().port}`);
});
const stop = () => {
  server.close();
  rmSync(dir, { recursive: true, force: true });
  process.exit(0);
};
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
