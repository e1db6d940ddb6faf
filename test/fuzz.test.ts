/**
 * Property-based fuzzing of the HTTP server with fast-check: at least 10,000
 * generated requests per run (batches of 8 sent concurrently, keep-alive),
 * mixing malformed multipart, hostile `resources` JSON, random bits, zip bombs, odd paths,
 * every method, fixture and random guids, and every kind of token; and the shapes of issue 10:
 * fields and JSON bodies of more values than the simulator parses, zips of long names.
 *
 * Invariants for every request: the server answers; never 500 (no scenario
 * asks for one); the answer matches spec/openapi.yaml, or is 404 CF-NotFound
 * for what the document does not define; error bodies are the CF envelope or
 * the nginx page; and the world changes only through requests that got a 2xx.
 *
 * Replay a failure with the seed it prints: FUZZ_SEED=<n> npx vitest run test/fuzz.test.ts
 * (FUZZ_RUNS=<batches> changes the length; FUZZ_SHRINK=1 lets fast-check shrink the failing batch).
 */
import { createHash } from "node:crypto";
import { Agent, request as httpRequest } from "node:http";
import { readdirSync } from "node:fs";
import fc from "fast-check";
import { zipSync } from "fflate";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  FIXTURE_USERS,
  buildAppZip,
  buildEmptyZip,
  buildEscapingZip,
  buildSymlinkZip,
  buildZipDeclaringSize,
  notAZip,
} from "../fixtures/index.js";
import { mintUserToken, type Simulator } from "../src/index.js";
import type { Contract } from "../src/contract/contract.js";
import { createFileStore, type FileStore } from "../src/node/index.js";
import { liveBlobs, ownedBlobs } from "./support/blobs.js";
import { setup, theContract, tokenFor } from "./support/client.js";
import { buildZipBomb } from "./support/zip-bomb.js";

const SEED = Number(process.env.FUZZ_SEED ?? 4010);
const BATCH = 8;
/** Batches per run: 1260 × 8 = 10,080 requests. */
const RUNS = Number(process.env.FUZZ_RUNS ?? 1260);
const MIN_REQUESTS = 10_000;
/** The world returns to the fixtures every this many batches, so uploads keep finding AWAITING_UPLOAD packages. */
const RESET_EVERY = 150;
const REQUEST_TIMEOUT_MS = 15_000;
const REPLAY = `FUZZ_SEED=${SEED} npx vitest run test/fuzz.test.ts`;

// ---------------------------------------------------------------------------
// Recipes: what fast-check generates. Plain, small data (big payloads are
// described, not spelled out), turned into bytes when the batch is sent.

type GuidPick =
  | { from: "package"; index: number }
  | { from: "awaiting"; index: number }
  | { from: "app"; index: number }
  | { from: "job"; index: number }
  | { from: "uuid"; value: string }
  | { from: "text"; value: string }
  | { from: "long"; length: number };

type Target =
  | { kind: "package"; guid: GuidPick; suffix: string }
  | { kind: "packages"; query: Array<[string, string]>; sourceGuid: GuidPick | null }
  | { kind: "apps"; guid: GuidPick | null; packages: boolean; query: Array<[string, string]> }
  | { kind: "job"; guid: GuidPick }
  | { kind: "flags"; name: string | null }
  | { kind: "fixed"; path: string }
  | { kind: "admin"; path: string; guid: GuidPick | null }
  | { kind: "raw"; path: string }
  /** POST /v3/packages with a well-formed body: keeps AWAITING_UPLOAD packages coming. */
  | { kind: "create"; app: number };

type Auth =
  | { kind: "none" }
  | { kind: "valid"; user: string; scheme: string }
  | { kind: "expired"; user: string }
  | { kind: "wrong-key"; user: string }
  | { kind: "alg-none"; user: string }
  | { kind: "garbage"; value: string };

type Resources =
  | { kind: "text"; value: string }
  | { kind: "deep"; depth: number; objects: boolean }
  | { kind: "many"; count: number; v2: boolean }
  /** Costly to parse or to keep (issue 10): more values than the simulator parses, or more bytes than it reads. */
  | { kind: "costly"; shape: "objects" | "objects-at-limit" | "numbers" }
  | { kind: "bytes"; value: Uint8Array };

type Bits =
  | { kind: "zip"; index: number }
  | { kind: "bytes"; value: Uint8Array }
  | { kind: "truncated-zip"; index: number; keep: number }
  /** A zip of one entry of zeros that inflates to `inflatesTo` bytes and declares `declares` (support/zip-bomb.ts). */
  | { kind: "bomb"; inflatesTo: number; declares: number | null }
  /** A zip of 35 entries named with 60,000 bytes each: more names than the journal keeps (issue 10). */
  | { kind: "long-names" };

type Part =
  | { kind: "resources"; value: Resources; name: string }
  | { kind: "bits"; value: Bits; filename: string; contentType: string | null; name: string }
  | { kind: "field"; name: string; value: string }
  | { kind: "no-disposition"; value: Uint8Array }
  | { kind: "huge-header"; size: number }
  | { kind: "bad-header"; line: string }
  | { kind: "nameless"; filename: string | null };

type Body =
  /** The body `cf push` sends: `resources`, then `bits` as package.zip (either may be left out). */
  | { kind: "cf"; resources: Resources | null; bits: Bits | null }
  | {
      kind: "multipart";
      boundary: string;
      /** How the Content-Type names the boundary. */
      header: "same" | "missing" | "other" | "quoted" | "too-long" | "empty" | "upper";
      parts: Part[];
      preamble: string;
      closing: boolean;
      /** Cut the body to this fraction of its length (a truncated upload), or null. */
      truncate: number | null;
      lineEnd: "\r\n" | "\n";
      /** Transport padding (spaces and tabs) after each delimiter, allowed by RFC 2046. */
      padding?: string;
    }
  | { kind: "json"; value: JsonBody; contentType: string }
  | { kind: "raw"; value: Uint8Array; contentType: string | null }
  | { kind: "empty"; contentType: string | null };

type JsonBody =
  | { kind: "create-bits"; app: number }
  | { kind: "create-docker"; app: number; image: string }
  | { kind: "labels"; labels: Record<string, string | null> }
  | { kind: "flag"; enabled: unknown; message: unknown }
  | { kind: "matches"; resources: Resources }
  | { kind: "scenario"; name: string }
  | { kind: "value"; value: unknown }
  | { kind: "text"; value: string };

interface Recipe {
  /** Send the body chunked, without a Content-Length. */
  chunked: boolean;
  method: string;
  target: Target;
  auth: Auth;
  prefer: string | null;
  body: Body | null;
  headers: Array<[string, string]>;
}

// ---------------------------------------------------------------------------
// Arbitraries.

const METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "HEAD"] as const;
const USERS = [...FIXTURE_USERS, "unknown-user"];
const HEX = "0123456789abcdef".split("");
const hex = (min: number, max: number) => fc.string({ unit: fc.constantFrom(...HEX), minLength: min, maxLength: max });
/** Printable ASCII and Latin-1: what a header value may carry. */
const headerText = (max: number) =>
  fc.string({
    unit: fc.oneof(
      fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)),
      fc.integer({ min: 0xa0, max: 0xff }).map((c) => String.fromCharCode(c)),
    ),
    maxLength: max,
  });
const smallBytes = (max: number) => fc.uint8Array({ maxLength: max });

const guidPick: fc.Arbitrary<GuidPick> = fc.oneof(
  { weight: 8, arbitrary: fc.nat(200).map((index) => ({ from: "package" as const, index })) },
  { weight: 5, arbitrary: fc.nat(50).map((index) => ({ from: "awaiting" as const, index })) },
  { weight: 2, arbitrary: fc.nat(20).map((index) => ({ from: "app" as const, index })) },
  { weight: 1, arbitrary: fc.nat(20).map((index) => ({ from: "job" as const, index })) },
  { weight: 2, arbitrary: fc.uuid().map((value) => ({ from: "uuid" as const, value })) },
  {
    weight: 2,
    arbitrary: fc
      .oneof(
        fc.string({ unit: "grapheme", maxLength: 12 }),
        fc.constantFrom("..", ".", "%2e%2e", "%2F", "%00", "%ZZ", "__proto__", "constructor", "null", "upload"),
      )
      .map((value) => ({ from: "text" as const, value })),
  },
  { weight: 1, arbitrary: fc.integer({ min: 64, max: 6000 }).map((length) => ({ from: "long" as const, length })) },
);

const queryPairs = fc.array(
  fc.tuple(
    fc.constantFrom(
      "states",
      "types",
      "guids",
      "app_guids",
      "space_guids",
      "organization_guids",
      "page",
      "per_page",
      "order_by",
      "label_selector",
      "created_ats",
      "names",
      "include",
      "bogus",
    ),
    fc.oneof(
      fc.constantFrom(
        "READY",
        "AWAITING_UPLOAD,FAILED",
        "bits",
        "docker",
        "-created_at",
        "updated_at",
        "0",
        "1",
        "5001",
      ),
      fc.constantFrom("env=prod", "!env", "env in (a,b)", "env notin (a", "a=b,c!=d", "web-app", "-1", "1.5", ""),
      fc.integer().map(String),
      headerText(16),
    ),
  ),
  { maxLength: 3 },
);

const target: fc.Arbitrary<Target> = fc.oneof(
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("create" as const), app: fc.nat(5) }) },
  {
    weight: 10,
    arbitrary: fc.record({
      kind: fc.constant("package" as const),
      guid: guidPick,
      suffix: fc.oneof(
        { weight: 6, arbitrary: fc.constant("/upload") },
        { weight: 3, arbitrary: fc.constant("") },
        { weight: 2, arbitrary: fc.constant("/download") },
        { weight: 1, arbitrary: fc.constantFrom("/upload/", "/upload/extra", "/", "/bits", "//upload") },
      ),
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant("packages" as const),
      query: queryPairs,
      sourceGuid: fc.option(guidPick, { freq: 4 }),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant("apps" as const),
      guid: fc.option(guidPick, { freq: 3 }),
      packages: fc.boolean(),
      query: queryPairs,
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("job" as const), guid: guidPick }) },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant("flags" as const),
      name: fc.option(fc.constantFrom("app_bits_upload", "resource_matching", "diego_docker", "nope", "__proto__"), {
        freq: 4,
      }),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant("fixed" as const),
      path: fc.constantFrom("/", "/v3", "/v3/", "/v3/resource_matches", "/v3/packages/", "/v2/info", "/favicon.ico"),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant("admin" as const),
      path: fc.constantFrom(
        "/__mock/scenarios",
        "/__mock/scenario",
        "/__mock/journal",
        "/__mock/packages/{guid}/scenario",
        "/__mock/nope",
      ),
      guid: fc.option(guidPick, { freq: 2 }),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant("raw" as const),
      path: fc.oneof(
        fc.constantFrom(
          "/v3/packages/%2e%2e/upload",
          "/v3/packages/../upload",
          "/v3/packages/./upload",
          "/v3/packages/%2E%2E/%2e%2e/v3",
          "//v3//packages",
          "/v3/packages/%ZZ/upload",
          "/v3/packages/%00/upload",
          "/v3/packages/%2F/upload",
          "/v3/packages/%F0%9F%A6%84/upload",
          "/v3/packages/%C3%A9t%C3%A9",
          "/v3/packages/a%2Fb/download",
          "/v3/../../../../etc/passwd",
          "/v3/packages?%zz=1",
          "/v3/packages/x/upload?bits_path=/etc/passwd",
          "*",
          "/%",
          "/v3/jobs/%2e",
        ),
        fc.webPath().map((p) => (p.startsWith("/") ? p : `/${p}`)),
        fc
          .string({ unit: "grapheme", minLength: 1, maxLength: 20 })
          .map((s) => `/v3/packages/${encodeURIComponent(s)}/upload`),
      ),
    }),
  },
);

const auth: fc.Arbitrary<Auth> = fc.oneof(
  { weight: 2, arbitrary: fc.constant({ kind: "none" as const }) },
  {
    weight: 12,
    arbitrary: fc.record({
      kind: fc.constant("valid" as const),
      user: fc.oneof(
        { weight: 4, arbitrary: fc.constantFrom("space-developer", "admin") },
        { weight: 5, arbitrary: fc.constantFrom(...USERS) },
      ),
      scheme: fc.constantFrom("bearer ", "Bearer ", "BEARER ", "bearer  ", " bearer ", "Bearer\t"),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("expired" as const), user: fc.constantFrom(...USERS) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("wrong-key" as const), user: fc.constantFrom(...USERS) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("alg-none" as const), user: fc.constantFrom(...USERS) }) },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant("garbage" as const),
      value: fc.oneof(
        fc.constantFrom(
          "bearer",
          "Bearer ",
          "Basic dXNlcjpwYXNz",
          "bearer a.b.c",
          "bearer ....",
          "Bearer eyJ",
          "token",
        ),
        headerText(60),
        headerText(30).map((s) => `bearer ${s}`),
      ),
    }),
  },
);

/** Prefer headers that pick no 500, no hang, no reset and no 2-second latency. */
const prefer = fc.option(
  fc.constantFrom(
    "respond-async",
    "code=200",
    "code=202",
    "code=400",
    "code=401",
    "code=403",
    "code=404",
    "code=422",
    "code=429",
    "code=503",
    "code=999",
    "code=abc",
    "scenario=processing-fails",
    "scenario=stuck-processing",
    "scenario=expires",
    "scenario=async-upload",
    "scenario=not-found",
    "scenario=org-suspended",
    "scenario=nope",
    "return=minimal",
    "wait=5, respond-async",
    "code=404, code=401",
  ),
  { freq: 6 },
);

const sha1ish = fc.oneof({ weight: 4, arbitrary: hex(40, 40) }, { weight: 1, arbitrary: hex(0, 45) });
const hostileNumber = fc.oneof(fc.integer(), fc.constantFrom(1e308, -1, 0, 2 ** 53 + 1, 65536, 536870913), fc.double());
const anything = fc.oneof(fc.jsonValue({ maxDepth: 2 }), hostileNumber, fc.constant(undefined));

/** The SHA-1 of ZIPS[2]'s big.bin, which enters the resource cache once that zip is uploaded. */
const CACHED_SHA1 = createHash("sha1").update(new Uint8Array(70_000).fill(5)).digest("hex");
const cachedEntry = fc.record({
  path: fc.oneof(
    fc.constantFrom("copy.bin", "dir/copy.bin", "../copy.bin", "/abs/copy.bin"),
    fc.string({ maxLength: 8 }),
  ),
  size_in_bytes: fc.constantFrom(70_000, 69_999, 0),
  checksum: fc.constant({ value: CACHED_SHA1 }),
  mode: fc.option(fc.constantFrom("644", "755", "0600", "400", "100644"), { nil: undefined }),
});

const v3Entry = fc.record(
  {
    path: fc.oneof(
      fc.constantFrom("a.js", "../x", "/abs", "a/../../b", "dir/", ""),
      fc.string({ maxLength: 12 }),
      anything,
    ),
    size_in_bytes: fc.oneof(hostileNumber, anything),
    checksum: fc.oneof(
      { weight: 4, arbitrary: fc.record({ value: fc.oneof(sha1ish, anything) }) },
      { weight: 1, arbitrary: anything },
    ),
    mode: fc.oneof(fc.constantFrom("644", "0644", "100644", "0", "777", "abc", "-1"), anything),
  },
  { requiredKeys: [] },
);
const v2Entry = fc.record(
  { fn: fc.oneof(fc.string({ maxLength: 12 }), anything), size: hostileNumber, sha1: sha1ish, mode: anything },
  { requiredKeys: [] },
);

const resources: fc.Arbitrary<Resources> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc
      .oneof(
        fc.constantFrom(
          "[]",
          "",
          "   ",
          " \n\t",
          "null",
          "1",
          '"s"',
          "{}",
          "[abcddf]",
          "[1,2]",
          "[[]]",
          "[null]",
          "[{}]",
          "{",
          "[{",
        ),
        fc.constantFrom(
          '[{"__proto__":{"polluted":"yes"},"fn":"a.js","size":1,"sha1":"da39a3ee5e6b4b0d3255bfef95601890afd80709"}]',
          '{"__proto__":[]}',
          '[{"constructor":{"prototype":{"polluted":"yes"}},"fn":"x","size":1,"sha1":"x"}]',
          '[{"checksum":{"__proto__":{"value":"abc"}},"size_in_bytes":1,"path":"a"}]',
          '[{"path":"a","size_in_bytes":1e999,"checksum":{"value":"da39a3ee5e6b4b0d3255bfef95601890afd80709"}}]',
          '[{"path":"a","size_in_bytes":123456789012345678901234567890,"checksum":{"value":"x"},"mode":"644"}]',
          '[{"fn":"a","size":-1e400,"sha1":"x"}]',
          '[{"checksum":"abc","size_in_bytes":1}]',
          '[{"checksum":{"value":5},"size_in_bytes":"x","path":{},"mode":[]}]',
          '[{"path":"a","size_in_bytes":1,"checksum":{"value":"da39a3ee5e6b4b0d3255bfef95601890afd80709"},"mode":7}]',
          '["\\ud800"]',
        ),
        fc.json({ maxDepth: 3 }),
      )
      .map((value) => ({ kind: "text" as const, value })),
  },
  {
    weight: 4,
    arbitrary: fc
      .array(fc.oneof(v3Entry, v2Entry, cachedEntry), { maxLength: 6 })
      .map((entries) => ({ kind: "text" as const, value: JSON.stringify(entries) })),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant("deep" as const),
      depth: fc.oneof(fc.integer({ min: 100, max: 2000 }), fc.integer({ min: 10_000, max: 200_000 })),
      objects: fc.boolean(),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant("many" as const),
      count: fc.constantFrom(4999, 5000, 5001, 6000),
      v2: fc.boolean(),
    }),
  },
  {
    weight: 1,
    arbitrary: fc
      .constantFrom(...(["objects", "objects-at-limit", "numbers"] as const))
      .map((shape) => ({ kind: "costly" as const, shape })),
  },
  { weight: 1, arbitrary: smallBytes(64).map((value) => ({ kind: "bytes" as const, value })) },
);

/** Indexes into ZIPS, built before the run. */
const ZIP_COUNT = 10;
const bits: fc.Arbitrary<Bits> = fc.oneof(
  { weight: 12, arbitrary: fc.nat(ZIP_COUNT - 1).map((index) => ({ kind: "zip" as const, index })) },
  { weight: 9, arbitrary: smallBytes(4096).map((value) => ({ kind: "bytes" as const, value })) },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant("truncated-zip" as const),
      index: fc.nat(ZIP_COUNT - 1),
      keep: fc.integer({ min: 0, max: 1000 }).map((n) => n / 1000),
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant("bomb" as const),
      inflatesTo: fc.integer({ min: 1, max: 4 * 1024 * 1024 }),
      // Its true size (null), little, any 32-bit size, or more than the package limit.
      declares: fc.oneof(fc.constant(null), fc.constantFrom(0, 100, 65_536), fc.nat(0xfffffffe), fc.constant(2 ** 31)),
    }),
  },
  // Rare: some 4 MB each.
  { weight: 1, arbitrary: fc.constant({ kind: "long-names" as const }) },
);

const fieldName = fc.oneof(
  fc.constantFrom(
    "resources",
    "bits",
    "_method",
    "bits_path",
    "bits_name",
    "upload_start_time",
    "cached_resources",
    "",
    "<ngx_upload_module_dummy>",
  ),
  fc.string({ maxLength: 10 }).filter((s) => !/["\r\n]/.test(s)),
);
const filename = fc.oneof(
  fc.constantFrom(
    "package.zip",
    "",
    "../../../../tmp/evil",
    "/etc/passwd",
    "a\\b.zip",
    "ü.zip",
    "x;y=z.zip",
    "..",
    "nul\u0000.zip",
  ),
  fc.string({ unit: "grapheme", maxLength: 12 }).filter((s) => !/["\r\n]/.test(s)),
);

const part: fc.Arbitrary<Part> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({
      kind: fc.constant("resources" as const),
      value: resources,
      name: fc.constantFrom("resources", "resources", "resources", "Resources", "resources "),
    }),
  },
  {
    weight: 6,
    arbitrary: fc.record({
      kind: fc.constant("bits" as const),
      value: bits,
      filename,
      contentType: fc.option(fc.constantFrom("application/octet-stream", "application/zip", "text/plain"), { freq: 3 }),
      name: fc.constantFrom("bits", "bits", "bits", "Bits", "file"),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({ kind: fc.constant("field" as const), name: fieldName, value: fc.string({ maxLength: 40 }) }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("no-disposition" as const), value: smallBytes(64) }) },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant("huge-header" as const),
      size: fc.integer({ min: 16 * 1024 + 1, max: 40 * 1024 }),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant("bad-header" as const),
      line: fc.oneof(
        fc.constantFrom(
          "no colon here",
          ": empty name",
          "Content-Disposition",
          "Content-Disposition: form-data; name=",
          "Content-Disposition: attachment; filename*=UTF-8''%ZZ",
        ),
        headerText(40),
      ),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("nameless" as const), filename: fc.option(filename) }) },
);

const contentTypeText = fc.option(
  fc.constantFrom(
    "application/json",
    "text/plain",
    "multipart/form-data",
    "multipart/form-data; boundary=",
    "multipart/mixed; boundary=x",
    "application/x-www-form-urlencoded",
    "application/octet-stream",
    "MULTIPART/FORM-DATA; BOUNDARY=zzz",
    "application/json; charset=utf-8",
  ),
  { freq: 6 },
);

const jsonBody: fc.Arbitrary<JsonBody> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ kind: fc.constant("create-bits" as const), app: fc.nat(5) }) },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant("create-docker" as const),
      app: fc.nat(5),
      image: fc.string({ maxLength: 20 }),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant("labels" as const),
      labels: fc.dictionary(
        fc.oneof(
          fc.constantFrom("env", "canberra.au/potato", "__proto__", "a/b/c", "-bad", "x".repeat(70)),
          fc.string({ maxLength: 8 }),
        ),
        fc.option(fc.string({ maxLength: 10 })),
        { maxKeys: 3 },
      ),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant("flag" as const),
      enabled: fc.oneof(fc.boolean(), anything),
      message: anything,
    }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("matches" as const), resources }) },
  // Only scenarios that answer without a 500, a hang or a reset.
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant("scenario" as const),
      name: fc.constantFrom("cloud-controller", "processing-fails", "not-found", "nope", ""),
    }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("value" as const), value: fc.jsonValue({ maxDepth: 3 }) }) },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant("text" as const),
      value: fc.oneof(
        fc.string({ maxLength: 30 }),
        fc.constantFrom("{", '{"type":', "[]", "null", '""', '{"__proto__":{"polluted":1}}'),
      ),
    }),
  },
);

const boundaryText = fc.oneof(
  hex(60, 60),
  fc.constantFrom("x", "----WebKitFormBoundary7MA4YWxkTrZu0gW", "a b", "=", "--", "é"),
  fc.string({ unit: fc.constantFrom(..."abcXYZ0189'()+_,-./:=?".split("")), minLength: 1, maxLength: 70 }),
);

const body: fc.Arbitrary<Body> = fc.oneof(
  {
    weight: 8,
    arbitrary: fc.record({
      kind: fc.constant("cf" as const),
      resources: fc.option(resources, { freq: 3 }),
      bits: fc.option(bits, { freq: 6 }),
    }),
  },
  {
    weight: 10,
    arbitrary: fc.record({
      kind: fc.constant("multipart" as const),
      boundary: boundaryText,
      header: fc.oneof(
        { weight: 12, arbitrary: fc.constant("same" as const) },
        { weight: 1, arbitrary: fc.constantFrom("missing", "other", "quoted", "too-long", "empty", "upper") },
      ),
      parts: fc.array(part, { maxLength: 5 }),
      preamble: fc.oneof(
        { weight: 6, arbitrary: fc.constant("") },
        { weight: 1, arbitrary: fc.string({ maxLength: 30 }) },
      ),
      closing: fc.oneof({ weight: 8, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) }),
      truncate: fc.option(
        fc.integer({ min: 0, max: 999 }).map((n) => n / 1000),
        { freq: 8 },
      ),
      lineEnd: fc.oneof(
        { weight: 12, arbitrary: fc.constant("\r\n" as const) },
        { weight: 1, arbitrary: fc.constant("\n" as const) },
      ),
      padding: fc.oneof(
        { weight: 8, arbitrary: fc.constant("") },
        { weight: 1, arbitrary: fc.string({ unit: fc.constantFrom(" ", "\t"), minLength: 1, maxLength: 40 }) },
        { weight: 1, arbitrary: fc.constantFrom(" x", "\u00a0", " ".repeat(70_000)) },
      ),
    }),
  },
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant("json" as const),
      value: jsonBody,
      contentType: fc.oneof(
        { weight: 6, arbitrary: fc.constant("application/json") },
        { weight: 1, arbitrary: fc.constantFrom("text/plain", "multipart/form-data; boundary=x", "") },
      ),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({ kind: fc.constant("raw" as const), value: smallBytes(2048), contentType: contentTypeText }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("empty" as const), contentType: contentTypeText }) },
);

/** The method a target is usually called with, or any method. */
function naturalMethods(t: Target): string[] {
  switch (t.kind) {
    case "package":
      return t.suffix.startsWith("/upload")
        ? ["POST"]
        : t.suffix === "/download"
          ? ["GET"]
          : ["GET", "PATCH", "DELETE"];
    case "packages":
      return ["GET", "POST"];
    case "flags":
      return t.name === null ? ["GET"] : ["GET", "PATCH"];
    case "fixed":
      return t.path === "/v3/resource_matches" ? ["POST"] : ["GET"];
    case "admin":
      return ["GET", "PUT", "DELETE"];
    case "create":
      return ["POST"];
    default:
      return ["GET"];
  }
}

const anyRecipe: fc.Arbitrary<Recipe> = target.chain((t) =>
  fc.record({
    chunked: fc.oneof({ weight: 5, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
    method: fc.oneof(
      { weight: 3, arbitrary: fc.constantFrom(...naturalMethods(t)) },
      { weight: 1, arbitrary: fc.constantFrom(...METHODS) },
    ),
    target: fc.constant(t),
    auth,
    prefer,
    body: fc.option(body, { freq: 8 }),
    headers: fc.array(
      fc.oneof(
        fc.tuple(
          fc.constantFrom(
            "x-extra",
            "origin",
            "accept",
            "x-forwarded-for",
            "x-requested-with",
            "accept-encoding",
            "cookie",
          ),
          headerText(40),
        ),
        // Sent only on raw requests (fetch sets Host itself).
        fc.tuple(
          fc.constant("host"),
          fc.oneof(
            fc.constantFrom("a b", "ä.example", "x/y", "user@h", "h:99999", "", "[::1]:80", "api.example.com"),
            headerText(20),
          ),
        ),
      ),
      { maxLength: 2 },
    ),
  }),
);

const writer = fc.oneof(
  { weight: 5, arbitrary: fc.constant("space-developer") },
  { weight: 2, arbitrary: fc.constant("admin") },
  { weight: 1, arbitrary: fc.constantFrom(...USERS) },
);

/** What `cf push` does: an upload to a package that waits for bits, by a user who may write, mostly without Prefer. */
const pushRecipe: fc.Arbitrary<Recipe> = fc.record({
  chunked: fc.oneof({ weight: 5, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
  method: fc.constant("POST"),
  target: fc.record({
    kind: fc.constant("package" as const),
    guid: fc.nat(50).map((index) => ({ from: "awaiting" as const, index })),
    suffix: fc.constant("/upload"),
  }),
  auth: fc.record({ kind: fc.constant("valid" as const), user: writer, scheme: fc.constantFrom("bearer ", "Bearer ") }),
  prefer: fc.option(
    fc.constantFrom("respond-async", "scenario=processing-fails", "scenario=expires", "scenario=stuck-processing"),
    { freq: 8 },
  ),
  body: fc.oneof(
    {
      weight: 6,
      arbitrary: fc.record({
        kind: fc.constant("cf" as const),
        resources: fc.option(resources, { freq: 3 }),
        bits: fc.option(bits, { freq: 8 }),
      }),
    },
    { weight: 1, arbitrary: body },
    // Duplicate fields: several `resources` and `bits` parts in one form.
    {
      weight: 1,
      arbitrary: fc.record({
        kind: fc.constant("multipart" as const),
        boundary: hex(60, 60),
        header: fc.constant("same" as const),
        parts: fc.array(
          fc.oneof(
            fc.record({ kind: fc.constant("resources" as const), value: resources, name: fc.constant("resources") }),
            fc.record({
              kind: fc.constant("bits" as const),
              value: bits,
              filename: filename,
              contentType: fc.constant(null),
              name: fc.constant("bits"),
            }),
          ),
          { minLength: 2, maxLength: 4 },
        ),
        preamble: fc.constant(""),
        closing: fc.constant(true),
        truncate: fc.constant(null),
        lineEnd: fc.constant("\r\n" as const),
      }),
    },
  ),
  headers: fc.constant([]),
});

/** A well-formed create by a user who may write: keeps AWAITING_UPLOAD packages coming. */
const createRecipe: fc.Arbitrary<Recipe> = fc.record({
  chunked: fc.constant(false),
  method: fc.constant("POST"),
  target: fc.record({ kind: fc.constant("create" as const), app: fc.nat(5) }),
  auth: fc.record({ kind: fc.constant("valid" as const), user: writer, scheme: fc.constant("bearer ") }),
  prefer: fc.constant(null),
  body: fc.constant(null),
  headers: fc.constant([]),
});

const recipe: fc.Arbitrary<Recipe> = fc.oneof(
  { weight: 12, arbitrary: anyRecipe },
  { weight: 3, arbitrary: pushRecipe },
  { weight: 1, arbitrary: createRecipe },
);

// ---------------------------------------------------------------------------
// Materialising a recipe.

interface World {
  packages: string[];
  /** Packages in AWAITING_UPLOAD when the batch started. */
  awaiting: string[];
  apps: string[];
  jobs: string[];
  tokens: Map<string, string>;
  expired: Map<string, string>;
  wrongKey: Map<string, string>;
}

interface Wire {
  method: string;
  /** The request target exactly as sent. */
  path: string;
  headers: Record<string, string>;
  body: Uint8Array | null;
  /** Guid the request names, for attributing changes. */
  guid: string | null;
  /** Sent with node:http (fetch would normalise the path before it leaves). */
  raw: boolean;
  chunked: boolean;
}

const encoder = new TextEncoder();
let ZIPS: Uint8Array[] = [];

function pickGuid(pick: GuidPick, world: World): string {
  const from = (list: string[], index: number) => (list.length ? list[index % list.length]! : "none");
  switch (pick.from) {
    case "package":
      return from(world.packages, pick.index);
    case "awaiting":
      return from(world.awaiting.length ? world.awaiting : world.packages, pick.index);
    case "app":
      return from(world.apps, pick.index);
    case "job":
      return from(world.jobs, pick.index);
    case "uuid":
      return pick.value;
    case "text":
      return pick.value;
    case "long":
      return "a".repeat(pick.length);
  }
}

/** A path segment for a guid: text picks may hold raw escapes on purpose, everything else is encoded. */
function segment(pick: GuidPick, guid: string): string {
  if (pick.from === "text" && /^[\x21-\x7e]*$/.test(guid)) return guid === "" ? "" : guid;
  return encodeURIComponent(guid);
}

function queryString(pairs: Array<[string, string]>): string {
  if (!pairs.length) return "";
  return "?" + pairs.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join("&");
}

/** `many` lists by count and flavour: a few fixed bodies of up to 600 kB, built once and sent as often as drawn. */
const MANY = new Map<string, Uint8Array>();

function resourcesText(r: Resources): Uint8Array {
  switch (r.kind) {
    case "text":
      return encoder.encode(r.value);
    case "bytes":
      return r.value;
    case "deep":
      return encoder.encode(
        r.objects ? '{"a":'.repeat(r.depth) + "1" + "}".repeat(r.depth) : "[".repeat(r.depth) + "]".repeat(r.depth),
      );
    case "costly":
      return costlyResources(r.shape);
    case "many": {
      const key = `${r.count}:${r.v2}`;
      const built = MANY.get(key);
      if (built) return built;
      const entries: unknown[] = [];
      for (let i = 0; i < r.count; i++) {
        const sha1 = (i.toString(16) + "0".repeat(40)).slice(0, 40);
        entries.push(
          r.v2
            ? { fn: `f/${i}.txt`, size: 70_000 + i, sha1, mode: "644" }
            : { path: `f/${i}.txt`, mode: "644", checksum: { value: sha1 }, size_in_bytes: 70_000 + i },
        );
      }
      const bytes = encoder.encode(JSON.stringify(entries));
      MANY.set(key, bytes);
      return bytes;
    }
  }
}

/**
 * Texts that cost much to parse, built once: 70,000 objects (over the 40,000 the simulator parses),
 * 39,990 (just under) and 310,000 numbers (over 150,000 values). Texts over the 4 MiB the front end
 * keeps of a field, or reads of a JSON body, would slow the run by half: test/bounded-input.test.ts
 * sends them to the real command instead.
 */
function costlyResources(shape: "objects" | "objects-at-limit" | "numbers"): Uint8Array {
  const key = `costly:${shape}`;
  const built = MANY.get(key);
  if (built) return built;
  const text =
    shape === "objects"
      ? `[${"{},".repeat(70_000)}{}]`
      : shape === "objects-at-limit"
        ? `[${"{},".repeat(39_990)}{}]`
        : `[${"1,".repeat(310_000)}1]`;
  const bytes = encoder.encode(text);
  MANY.set(key, bytes);
  return bytes;
}

let LONG_NAMES: Uint8Array | undefined;

function bitsBytes(b: Bits): Uint8Array {
  switch (b.kind) {
    case "zip":
      return ZIPS[b.index % ZIPS.length]!;
    case "bytes":
      return b.value;
    case "truncated-zip": {
      const zip = ZIPS[b.index % ZIPS.length]!;
      return zip.subarray(0, Math.floor(zip.length * b.keep));
    }
    case "bomb":
      return buildZipBomb({ inflatesTo: b.inflatesTo, declares: b.declares ?? undefined }).zip;
    case "long-names":
      if (!LONG_NAMES) {
        const files: Record<string, Uint8Array> = {};
        for (let i = 0; i < 35; i++) files[`${i}`.padStart(60_000, "n")] = new Uint8Array(1);
        LONG_NAMES = zipSync(files, { level: 0 });
      }
      return LONG_NAMES;
  }
}

function concat(chunks: Uint8Array[]): Uint8Array {
  let size = 0;
  for (const c of chunks) size += c.length;
  const out = new Uint8Array(size);
  let offset = 0;
  for (const c of chunks) {
    out.set(c, offset);
    offset += c.length;
  }
  return out;
}

function multipart(b: Extract<Body, { kind: "multipart" }>): { bytes: Uint8Array; contentType: string } {
  const nl = b.lineEnd;
  const chunks: Uint8Array[] = [encoder.encode(b.preamble)];
  const pad = b.padding ?? "";
  const head = (lines: string[]) =>
    encoder.encode(`--${b.boundary}${pad}${nl}${lines.map((l) => l + nl).join("")}${nl}`);
  for (const p of b.parts) {
    switch (p.kind) {
      case "resources":
        chunks.push(head([`Content-Disposition: form-data; name="${p.name}"`]), resourcesText(p.value));
        break;
      case "bits": {
        const lines = [`Content-Disposition: form-data; name="${p.name}"; filename="${p.filename}"`];
        if (p.contentType) lines.push(`Content-Type: ${p.contentType}`);
        chunks.push(head(lines), bitsBytes(p.value));
        break;
      }
      case "field":
        chunks.push(head([`Content-Disposition: form-data; name="${p.name}"`]), encoder.encode(p.value));
        break;
      case "no-disposition":
        chunks.push(head(["Content-Type: application/octet-stream"]), p.value);
        break;
      case "huge-header":
        chunks.push(
          head(['Content-Disposition: form-data; name="resources"', `X-Padding: ${"p".repeat(p.size)}`]),
          encoder.encode("[]"),
        );
        break;
      case "bad-header":
        chunks.push(head([p.line]), encoder.encode("x"));
        break;
      case "nameless":
        chunks.push(
          head([
            p.filename === null
              ? "Content-Disposition: form-data"
              : `Content-Disposition: form-data; filename="${p.filename}"`,
          ]),
          encoder.encode("y"),
        );
        break;
    }
    chunks.push(encoder.encode(nl));
  }
  if (b.closing) chunks.push(encoder.encode(`--${b.boundary}--${nl}`));
  let bytes = concat(chunks);
  if (b.truncate !== null) bytes = bytes.subarray(0, Math.floor(bytes.length * b.truncate));
  const contentType = {
    same: `multipart/form-data; boundary=${b.boundary}`,
    upper: `Multipart/Form-Data; BOUNDARY=${b.boundary}`,
    quoted: `multipart/form-data; boundary="${b.boundary}"`,
    missing: "multipart/form-data",
    empty: "multipart/form-data; boundary=",
    other: "multipart/form-data; boundary=not-the-one-in-the-body",
    "too-long": `multipart/form-data; boundary=${"b".repeat(201)}`,
  }[b.header];
  return { bytes, contentType };
}

function jsonText(j: JsonBody, world: World): string {
  switch (j.kind) {
    case "create-bits":
      return JSON.stringify({
        type: "bits",
        relationships: { app: { data: { guid: world.apps[j.app % world.apps.length] } } },
      });
    case "create-docker":
      return JSON.stringify({
        type: "docker",
        data: { image: j.image },
        relationships: { app: { data: { guid: world.apps[j.app % world.apps.length] } } },
      });
    case "labels":
      return JSON.stringify({ metadata: { labels: j.labels, annotations: j.labels } });
    case "flag":
      return JSON.stringify({ enabled: j.enabled, custom_error_message: j.message });
    case "matches":
      return `{"resources":${new TextDecoder().decode(resourcesText(j.resources))}}`;
    case "scenario":
      return JSON.stringify({ name: j.name });
    case "value":
      return JSON.stringify(j.value) ?? "";
    case "text":
      return j.value;
  }
}

function b64(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString("base64url");
}

function authHeader(a: Auth, world: World): string | null {
  switch (a.kind) {
    case "none":
      return null;
    case "valid":
      return `${a.scheme}${world.tokens.get(a.user)}`;
    case "expired":
      return `bearer ${world.expired.get(a.user)}`;
    case "wrong-key":
      return `bearer ${world.wrongKey.get(a.user)}`;
    case "alg-none": {
      const payload = world.tokens.get(a.user)!.split(".")[1];
      return `bearer ${b64({ alg: "none", typ: "JWT" })}.${payload}.`;
    }
    case "garbage":
      return a.value;
  }
}

function materialise(r: Recipe, world: World): Wire {
  let path: string;
  let guid: string | null = null;
  let raw = false;
  const t = r.target;
  switch (t.kind) {
    case "package":
      guid = pickGuid(t.guid, world);
      path = `/v3/packages/${segment(t.guid, guid)}${t.suffix}`;
      raw = t.guid.from === "text";
      break;
    case "packages": {
      const query = [...t.query];
      if (t.sourceGuid) {
        guid = pickGuid(t.sourceGuid, world);
        query.push(["source_guid", guid]);
      }
      path = `/v3/packages${queryString(query)}`;
      break;
    }
    case "apps":
      guid = t.guid ? pickGuid(t.guid, world) : null;
      path = `/v3/apps${guid === null ? "" : `/${encodeURIComponent(guid)}${t.packages ? "/packages" : ""}`}${queryString(t.query)}`;
      break;
    case "job":
      guid = pickGuid(t.guid, world);
      path = `/v3/jobs/${encodeURIComponent(guid)}`;
      break;
    case "flags":
      path = t.name === null ? "/v3/feature_flags" : `/v3/feature_flags/${t.name}`;
      break;
    case "fixed":
      path = t.path;
      break;
    case "admin":
      guid = t.guid ? pickGuid(t.guid, world) : pickGuid({ from: "package", index: 0 }, world);
      path = t.path.replace("{guid}", encodeURIComponent(guid));
      break;
    case "raw":
      path = t.path;
      raw = true;
      break;
    case "create":
      path = "/v3/packages";
      break;
  }
  const headers: Record<string, string> = {};
  for (const [k, v] of r.headers) headers[k] = v;
  if ("host" in headers && !raw) delete headers.host;
  const authorization = authHeader(r.auth, world);
  if (authorization !== null) headers.authorization = authorization;
  if (r.prefer !== null) headers.prefer = r.prefer;
  let bytes: Uint8Array | null = null;
  const chosen: Body | null =
    t.kind === "create"
      ? { kind: "json", value: { kind: "create-bits", app: t.app }, contentType: "application/json" }
      : r.body;
  if (chosen && r.method !== "GET" && r.method !== "HEAD") {
    const b = chosen;
    if (b.kind === "cf") {
      const m = multipart({
        kind: "multipart",
        boundary: "d3b6e6f0c5a1f0f1e5b2f1b4a9e4a0c6d8f7e6c5b4a39281706f5e4d3c2b",
        header: "same",
        parts: [
          ...(b.resources ? [{ kind: "resources" as const, value: b.resources, name: "resources" }] : []),
          ...(b.bits
            ? [
                {
                  kind: "bits" as const,
                  value: b.bits,
                  filename: "package.zip",
                  contentType: "application/octet-stream",
                  name: "bits",
                },
              ]
            : []),
        ],
        preamble: "",
        closing: true,
        truncate: null,
        lineEnd: "\r\n",
      });
      bytes = m.bytes;
      headers["content-type"] = m.contentType;
    } else if (b.kind === "multipart") {
      const m = multipart(b);
      bytes = m.bytes;
      headers["content-type"] = m.contentType;
    } else if (b.kind === "json") {
      bytes = encoder.encode(jsonText(b.value, world));
      if (b.contentType) headers["content-type"] = b.contentType;
    } else if (b.kind === "raw") {
      bytes = b.value;
      if (b.contentType) headers["content-type"] = b.contentType;
    } else {
      bytes = new Uint8Array(0);
      if (b.contentType) headers["content-type"] = b.contentType;
    }
  }
  // Never a CORS preflight: that is a browser feature the document does not describe.
  delete headers["access-control-request-method"];
  return { method: r.method, path, headers, body: bytes, guid, raw, chunked: r.chunked };
}

// ---------------------------------------------------------------------------
// Sending.

interface Answer {
  status: number;
  headers: Headers;
  text: string;
}

// Idle sockets are closed on this side after 1 s, well before the server's keepAliveTimeout (5 s):
// otherwise a socket the server is just closing can be taken for the next request, which then
// fails with ECONNRESET (a race of the harness, not an answer of the server). Node's agent only
// honours the server's `Keep-Alive: timeout=5` hint when it has a timeout of its own.
const rawAgent = new Agent({ keepAlive: true, maxSockets: BATCH, timeout: 1000 });

function sendRaw(origin: string, wire: Wire): Promise<Answer> {
  const { hostname, port } = new URL(origin);
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: hostname,
        port,
        method: wire.method,
        path: wire.path,
        headers: {
          ...wire.headers,
          // Node's client frames a body of GET/DELETE/OPTIONS only when told how: say it.
          ...(wire.body
            ? wire.chunked
              ? { "transfer-encoding": "chunked" }
              : { "content-length": String(wire.body.length) }
            : {}),
        },
        agent: rawAgent,
        timeout: REQUEST_TIMEOUT_MS,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => {
          const headers = new Headers();
          for (let i = 0; i < res.rawHeaders.length; i += 2) headers.append(res.rawHeaders[i]!, res.rawHeaders[i + 1]!);
          resolve({ status: res.statusCode ?? 0, headers, text: Buffer.concat(chunks).toString("utf8") });
        });
        res.on("error", reject);
      },
    );
    req.on("timeout", () => req.destroy(new Error(`no answer within ${REQUEST_TIMEOUT_MS} ms`)));
    req.on("error", reject);
    if (wire.body && wire.chunked) {
      // Several writes without a Content-Length: Node sends them chunked.
      for (let i = 0; i < wire.body.length; i += 1000) req.write(Buffer.from(wire.body.subarray(i, i + 1000)));
      req.end();
    } else req.end(wire.body ? Buffer.from(wire.body) : undefined);
  });
}

async function send(origin: string, wire: Wire): Promise<Answer> {
  if (wire.raw) return sendRaw(origin, wire);
  const bytes = wire.body;
  const body =
    bytes && wire.chunked
      ? new ReadableStream<Uint8Array>({
          start(controller) {
            for (let i = 0; i < bytes.length; i += 1000) controller.enqueue(bytes.slice(i, i + 1000));
            controller.close();
          },
        })
      : (bytes as Uint8Array<ArrayBuffer> | null);
  const response = await fetch(origin + wire.path, {
    method: wire.method,
    headers: wire.headers,
    body,
    signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    duplex: "half",
  } as RequestInit);
  return { status: response.status, headers: response.headers, text: await response.text() };
}

// ---------------------------------------------------------------------------
// The world, before and after.

function snapshot(sim: Simulator): Map<string, string> {
  const s = sim.state;
  const m = new Map<string, string>();
  for (const p of s.packages.values()) {
    m.set(
      `package ${p.guid}`,
      JSON.stringify([p.state, p.type, p.appGuid, p.checksum, p.error, p.blobId, p.labels, p.annotations, p.docker]),
    );
  }
  for (const f of s.featureFlags.values()) m.set(`flag ${f.name}`, JSON.stringify([f.enabled, f.customErrorMessage]));
  m.set("jobs", String(s.jobs.size));
  for (const [sha1, c] of s.resourceCache) m.set(`cache ${sha1}`, c.blobId);
  m.set("scenario", JSON.stringify(s.scenario));
  for (const [g, sc] of s.packageScenarios) m.set(`package-scenario ${g}`, JSON.stringify(sc));
  for (const a of s.apps.values()) m.set(`app ${a.guid}`, JSON.stringify(a));
  for (const o of s.orgs.values()) m.set(`org ${o.guid}`, JSON.stringify(o));
  for (const sp of s.spaces.values()) m.set(`space ${sp.guid}`, JSON.stringify(sp));
  m.set("users", String(s.users.size));
  return m;
}

interface Sent {
  wire: Wire;
  answer: Answer | null;
  error: unknown;
  /** The path as the server saw it. */
  pathname: string;
}

const ok = (s: Sent) => s.answer !== null && s.answer.status >= 200 && s.answer.status < 300;
const isUpload = (s: Sent) => s.wire.method === "POST" && /\/upload\/?$/.test(s.pathname);

/** Which successful request of the batch could have made this change. */
function explained(key: string, before: string | undefined, after: string | undefined, batch: Sent[]): boolean {
  const succeeded = batch.filter(ok);
  const names = (s: Sent, id: string) => s.wire.guid === id || safeDecode(s.wire.path).includes(id);
  const [kind, id] = [
    key.slice(0, key.indexOf(" ") === -1 ? key.length : key.indexOf(" ")),
    key.slice(key.indexOf(" ") + 1),
  ];
  switch (kind) {
    case "package": {
      if (succeeded.some((s) => names(s, id))) return true;
      // A new package: a create or a copy.
      if (
        before === undefined &&
        succeeded.some((s) => s.wire.method === "POST" && /^\/v3\/packages\/?$/.test(s.pathname))
      )
        return true;
      // Older packages of an app expire when another one finishes (an upload or a copy).
      if (after !== undefined && JSON.parse(after)[0] === "EXPIRED") {
        return succeeded.some(
          (s) => isUpload(s) || (s.wire.method === "POST" && /^\/v3\/packages\/?$/.test(s.pathname)),
        );
      }
      return false;
    }
    case "flag":
      return succeeded.some(
        (s) => s.wire.method === "PATCH" && new RegExp(`^/v3/feature_flags/${id}/?$`).test(s.pathname),
      );
    case "jobs":
      return succeeded.some((s) => s.wire.method !== "GET" && s.wire.method !== "HEAD");
    case "cache":
      return succeeded.some(isUpload);
    case "scenario":
    case "package-scenario":
      return succeeded.some(
        (s) => s.pathname.startsWith("/__mock/") && (s.wire.method === "PUT" || s.wire.method === "DELETE"),
      );
    default:
      return false;
  }
}

/** The path the simulator routes on: the target read as a path (never as `//host`), dot segments resolved, slashes merged. */
function serverPathname(target: string): string {
  try {
    return new URL("http://h" + (target.startsWith("/") ? target : `/${target}`)).pathname.replace(/\/{2,}/g, "/");
  } catch {
    return target;
  }
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

// ---------------------------------------------------------------------------
// Checks of one answer.

const NOT_FOUND = { detail: "Unknown request", title: "CF-NotFound", code: 10000 };
const NGINX_PAGE =
  /^<html>\r\n<head><title>(\d{3}) [^<]+<\/title><\/head>\r\n<body>\r\n<center><h1>\1 [^<]+<\/h1><\/center>\r\n<hr><center>nginx<\/center>\r\n/;

function describeSent(s: Sent): string {
  const w = s.wire;
  const headers = Object.entries(w.headers)
    .map(([k, v]) => `${k}: ${v.length > 120 ? v.slice(0, 120) + `… (${v.length} chars)` : v}`)
    .join("\n    ");
  const body = w.body
    ? `${w.body.length} bytes: ${JSON.stringify(new TextDecoder().decode(w.body.subarray(0, 300)))}`
    : "none";
  const answer = s.answer
    ? `${s.answer.status} ${s.answer.headers.get("content-type") ?? ""}\n  ${s.answer.text.slice(0, 600)}`
    : `no answer: ${String(s.error)}`;
  return `${w.method} ${w.path.length > 300 ? w.path.slice(0, 300) + "…" : w.path}${w.raw ? " (raw)" : ""}${w.chunked && w.body ? " (chunked)" : ""}\n    ${headers}\n  body ${body}\n→ ${answer}`;
}

/** Returns what is wrong with one answer, or null. */
function checkAnswer(s: Sent, contract: Contract): string | null {
  if (!s.answer) return `the server did not answer (${String((s.error as Error)?.cause ?? s.error)})`;
  const { status, headers, text } = s.answer;
  if (status === 500) return "500: no scenario asks for one";
  if (status >= 500 && !(status === 503 && s.wire.headers.prefer?.includes("503")))
    return `${status} without a scenario asking for it`;
  const type = headers.get("content-type") ?? "";
  const head = s.wire.method === "HEAD";
  let json: any;
  if (type.includes("json") && !head) {
    try {
      json = JSON.parse(text);
    } catch {
      return "the body says JSON but does not parse";
    }
  }
  const op = contract.findOperation(s.wire.method, s.pathname);
  if (!op) {
    if (status !== 404)
      return `${s.wire.method} ${s.pathname} is not in spec/openapi.yaml: expected 404 CF-NotFound, got ${status}`;
    if (!head && JSON.stringify(json) !== JSON.stringify({ errors: [NOT_FOUND] }))
      return "404 for an undefined route must be CF-NotFound";
  } else {
    const verdict = contract.checkResponse(s.wire.method, s.pathname, {
      status,
      headers,
      body: type.includes("json") ? json : text,
    });
    if (verdict.violations.length)
      return `breaks spec/openapi.yaml (${op.iid ?? op.id}): ${JSON.stringify(verdict.violations)}`;
  }
  if (status >= 400 && !head) {
    if (type.includes("json")) {
      const errors = json?.errors;
      if (!Array.isArray(errors) || errors.length === 0) return "an error without the CF envelope";
      for (const e of errors) {
        if (JSON.stringify(Object.keys(e)) !== '["detail","title","code"]')
          return "an error entry must have exactly detail, title, code";
        if (
          typeof e.detail !== "string" ||
          !/^(CF-[A-Za-z]+|UnknownError)$/.test(e.title) ||
          !Number.isInteger(e.code)
        ) {
          return "a malformed error entry";
        }
      }
    } else if (!(type.startsWith("text/html") && NGINX_PAGE.test(text) && text.includes(`<title>${status} `))) {
      return `an error body that is neither the CF envelope nor the nginx page (${type})`;
    }
  }
  return null;
}

// ---------------------------------------------------------------------------

describe("fuzzing the HTTP server", () => {
  let sim: Simulator;
  let origin: string;
  let close: () => Promise<void>;
  let store: FileStore;
  let contract: Contract;
  const world: World = {
    packages: [],
    awaiting: [],
    apps: [],
    jobs: [],
    tokens: new Map(),
    expired: new Map(),
    wrongKey: new Map(),
  };

  beforeAll(async () => {
    store = createFileStore();
    // One server for the whole run; the store is ours so that its folder can be inspected.
    const running = await setup({ processingDelay: 0, store }, "http");
    sim = running.sim;
    close = running.close;
    origin = running.api.origin;
    contract = await theContract();
    for (const user of USERS) {
      world.tokens.set(user, await tokenFor(user));
      world.expired.set(user, await mintUserToken(user, { expired: true }));
      world.wrongKey.set(user, await mintUserToken(user, { signingKey: "not-the-simulator-key" }));
    }
    ZIPS = [
      await buildAppZip({ "index.js": "console.log('fuzz')\n" }),
      await buildAppZip(
        { "a/b/c.txt": "nested\n", "run.sh": { content: "#!/bin/sh\n", mode: 0o755 } },
        { directories: true },
      ),
      await buildAppZip({ "big.bin": new Uint8Array(70_000).fill(5), "small.txt": "s" }),
      await buildAppZip({ "private.txt": { content: "p", mode: 0o400 } }, { compression: "STORE" }),
      await buildEscapingZip(),
      await buildSymlinkZip({ "etc-passwd": "/etc/passwd", up: "../../.." }, { "app.js": "1" }),
      await buildZipDeclaringSize(0xfffffffe),
      await buildZipDeclaringSize(3),
      await buildEmptyZip(),
      notAZip(512, 3),
    ];
    expect(ZIPS).toHaveLength(ZIP_COUNT);
    // Loading Prism and building the zips takes seconds when the rest of the suite runs beside it.
  }, 60_000);

  afterAll(async () => {
    rawAgent.destroy();
    await close?.();
    store?.dispose();
  });

  it(
    `answers ≥ ${MIN_REQUESTS} generated requests within the contract, without 500s or unearned changes (seed ${SEED})`,
    { timeout: 120_000 },
    async () => {
      const api = origin;
      let requests = 0;
      let batches = 0;
      let failed = false;
      const statuses = new Map<string, number>();
      const uploads = new Map<string, number>();
      const moves = new Map<string, number>();
      const started = performance.now();

      const property = fc.asyncProperty(fc.array(recipe, { minLength: BATCH, maxLength: BATCH }), async (recipes) => {
        batches++;
        if (failed || batches % RESET_EVERY === 0) await sim.reset();
        world.packages = [...sim.state.packages.keys()].sort();
        world.awaiting = [...sim.state.packages.values()]
          .filter((p) => p.state === "AWAITING_UPLOAD")
          .map((p) => p.guid)
          .sort();
        world.apps = [...sim.state.apps.keys()].sort();
        world.jobs = [...sim.state.jobs.keys()].sort();
        const before = snapshot(sim);
        const wires = recipes.map((r) => materialise(r, world));
        const batch: Sent[] = await Promise.all(
          wires.map(async (wire) => {
            const pathname = serverPathname(wire.path);
            try {
              return { wire, answer: await send(api, wire), error: null, pathname };
            } catch (error) {
              return { wire, answer: null, error, pathname };
            }
          }),
        );
        requests += batch.length;
        for (const sent of batch) {
          const key = sent.answer ? String(sent.answer.status) : "none";
          statuses.set(key, (statuses.get(key) ?? 0) + 1);
          if (isUpload(sent)) uploads.set(key, (uploads.get(key) ?? 0) + 1);
        }
        await sim.idle();
        const after = snapshot(sim);
        const problems: string[] = [];
        for (const s of batch) {
          const wrong = checkAnswer(s, contract);
          if (wrong) problems.push(`${wrong}\n  ${describeSent(s)}`);
        }
        for (const key of new Set([...before.keys(), ...after.keys()])) {
          const b = before.get(key);
          const a = after.get(key);
          if (b !== a && key.startsWith("package ")) {
            const move = `${b === undefined ? "new" : JSON.parse(b)[0]}→${a === undefined ? "deleted" : JSON.parse(a)[0]}`;
            moves.set(move, (moves.get(move) ?? 0) + 1);
          }
          if (b !== a && !explained(key, b, a, batch)) {
            problems.push(`the world changed with no 2xx to explain it: ${key}\n  before ${b}\n  after  ${a}`);
          }
        }
        if (problems.length) {
          failed = true;
          throw new Error(
            `batch ${batches} (replay: ${REPLAY}):\n${problems.join("\n\n")}\n\nthe whole batch:\n${batch.map(describeSent).join("\n\n")}`,
          );
        }
      });

      try {
        await fc.assert(property, { seed: SEED, numRuns: RUNS, endOnFailure: !process.env.FUZZ_SHRINK });
      } catch (error) {
        (error as Error).message = `fuzzing failed with seed ${SEED} — replay: ${REPLAY}\n${(error as Error).message}`;
        throw error;
      }
      const seconds = (performance.now() - started) / 1000;
      const tally = (m: Map<string, number>) =>
        [...m]
          .sort()
          .map(([k, v]) => `${k}×${v}`)
          .join(" ");
      console.info(
        `fuzz: ${requests} requests in ${batches} batches, ${seconds.toFixed(1)} s (${Math.round(requests / seconds)}/s), seed ${SEED}\n` +
          `  statuses: ${tally(statuses)}\n  uploads:  ${tally(uploads)}\n  package changes: ${tally(moves)}`,
      );
      expect(requests, `seed ${SEED}`).toBeGreaterThanOrEqual(MIN_REQUESTS);

      // After the run: alive, still serving, nothing left behind, no prototype polluted.
      await sim.idle();
      const v3 = await fetch(`${api}/v3`);
      expect(v3.status).toBe(200);
      expect(
        contract.checkResponse("GET", "/v3", { status: 200, headers: v3.headers, body: await v3.json() }).violations,
      ).toEqual([]);
      expect(({} as Record<string, unknown>).polluted, "Object.prototype was polluted").toBeUndefined();
      // The journal stayed within its byte budget and still serialises (issue 10).
      const journal = await fetch(`${api}/__mock/journal`);
      expect(journal.status).toBe(200);
      const kept = (await journal.json()) as { entries: unknown[]; dropped: number };
      expect(JSON.stringify(kept.entries).length).toBeLessThanOrEqual(64 * 1024 * 1024);
      expect(kept.entries.length + kept.dropped).toBeGreaterThan(0);
      const expected = new Set(ownedBlobs(sim));
      const leftovers = readdirSync(store.directory).filter((name) => !expected.has(name));
      expect(leftovers, `files in ${store.directory} that no READY package or cache entry owns (seed ${SEED})`).toEqual(
        [],
      );
      // Blobs small enough to stay in memory leave no file: probe every id the store handed out.
      const live = await liveBlobs(store);
      expect(
        live.filter((id) => !expected.has(id)),
        `blobs no READY package or cache entry owns (seed ${SEED})`,
      ).toEqual([]);
    },
  );
});
