/**
 * The hostile requests of `npm run worst-case`, one shape each. A shape sends its
 * request(s) to a fresh server and answers what came back, in a few words for the
 * table: `401`, `200 → FAILED`, `8 × 401; journal 500 (120 B)`, `no answer (ECONNRESET)`.
 */
import { randomUUID } from "node:crypto";
import { buildAppZip } from "../../fixtures/index.js";
import { buildZipBomb } from "../../test/support/zip-bomb.js";
import { bigZip } from "../big-zip.js";
import {
  bytes,
  concat,
  jsonArray,
  longNamesZip,
  multipart,
  nestedArrays,
  noise,
  oneLongString,
  type FormPart,
  type Source,
} from "./bodies.js";
import { answerOf, callJson, send } from "./http.js";

const KiB = 1024;
const MiB = 1024 * KiB;
const GiB = 1024 * MiB;

/** What a shape works against: a fresh server, its fixture admin, one of its packages. */
export interface Target {
  url: string;
  /** A token of the fixture user `admin`. */
  admin: string;
  /** A fixture package in AWAITING_UPLOAD (an upload to it is accepted). */
  awaiting: string;
  /** The fixture app web-app, for new packages. */
  app: string;
  /** Aborted when the shape runs out of time or the server dies. */
  signal: AbortSignal;
}

export interface Shape {
  name: string;
  /** More flags for the server (`--contract-verdicts`). */
  args?: string[];
  run(t: Target): Promise<string>;
}

/** Uploads a form of `parts` to a package: to any guid without a token, else as the admin. */
function upload(t: Target, parts: FormPart[], options: { guid?: string; token?: string } = {}) {
  const form = multipart(parts);
  const headers: Record<string, string> = { "content-type": form.contentType };
  if (options.token) headers.authorization = `bearer ${options.token}`;
  const guid = options.guid ?? randomUUID();
  return send(`${t.url}/v3/packages/${guid}/upload`, { method: "POST", headers, body: form.body, signal: t.signal });
}

const resources = (body: Source): FormPart => ({ name: "resources", body });
const bits = (body: Source): FormPart => ({ name: "bits", filename: "package.zip", body });

/** Polls a package until its background job is done; answers its state. */
async function settled(t: Target, guid: string): Promise<string> {
  for (;;) {
    const pkg = await callJson(`${t.url}/v3/packages/${guid}`, { token: t.admin, signal: t.signal });
    const state = pkg.json?.state as string | undefined;
    if (state !== "PROCESSING_UPLOAD") return state ?? `GET ${answerOf({ bytes: 0, ...pkg })}`;
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** An authenticated upload to the AWAITING_UPLOAD package, then its job: `200 → FAILED`. */
async function uploadAndSettle(t: Target, parts: FormPart[]): Promise<string> {
  const sent = await upload(t, parts, { guid: t.awaiting, token: t.admin });
  if (sent.status !== 200 && sent.status !== 202) return answerOf(sent);
  return `${sent.status} → ${await settled(t, t.awaiting)}`;
}

/** `GET /__mock/journal` after what came before: `8 × 401; journal 200 (512 MiB)`. Not when the server stopped answering. */
async function thenJournal(t: Target, before: string): Promise<string> {
  if (before.includes("no answer")) return before;
  const sent = await send(`${t.url}/__mock/journal`, { signal: t.signal });
  return `${before}; journal ${answerOf(sent)} (${size(sent.bytes)})`;
}

const size = (n: number) =>
  n >= MiB ? `${(n / MiB).toFixed(0)} MiB` : n >= KiB ? `${(n / KiB).toFixed(0)} KiB` : `${n} B`;

/** `n` requests one after another, summed up: `8 × 401`, or `401, 401, no answer (EPIPE)`. */
async function times(n: number, one: () => Promise<string>): Promise<string> {
  const answers: string[] = [];
  for (let i = 0; i < n && !answers.some((a) => a.startsWith("no answer")); i++) answers.push(await one());
  return new Set(answers).size === 1 && answers.length === n ? `${n} × ${answers[0]}` : answers.join(", ");
}

/** `n` requests at once, counted by answer: `50 × 200 → READY`. */
async function atOnce(n: number, one: (i: number) => Promise<string>): Promise<string> {
  const answers = await Promise.all(Array.from({ length: n }, (_, i) => one(i)));
  const counts = new Map<string, number>();
  for (const a of answers) counts.set(a, (counts.get(a) ?? 0) + 1);
  return [...counts].map(([a, c]) => `${c} × ${a}`).join(", ");
}

/** Creates a bits package of web-app and uploads a small zip to it, as `cf push` does; answers its end. */
async function smallPush(t: Target, zip: Uint8Array): Promise<string> {
  const created = await callJson(`${t.url}/v3/packages`, {
    method: "POST",
    token: t.admin,
    json: { type: "bits", relationships: { app: { data: { guid: t.app } } } },
    signal: t.signal,
  });
  if (created.status !== 201) return `create ${created.status ?? created.error}`;
  const sent = await upload(t, [resources(bytes("[]")), bits(bytes(zip))], { guid: created.json.guid, token: t.admin });
  if (sent.status !== 200) return answerOf(sent);
  const state = await settled(t, created.json.guid);
  // EXPIRED: it was READY, and five newer packages of the app were READY before it was looked at.
  return `200 → ${state === "EXPIRED" ? "READY" : state}`;
}

/** A JSON body to any route: `PUT /__mock/scenario`, `POST /v3/resource_matches`. */
async function jsonBody(t: Target, method: string, path: string, body: Source, token?: string) {
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (token) headers.authorization = `bearer ${token}`;
  return answerOf(await send(`${t.url}${path}`, { method, headers, body, signal: t.signal }));
}

/** About 10 KB of zipped app: what a small `cf push` sends. */
const smallApp = () => buildAppZip({ "index.js": "console.log('hello');\n".repeat(400), "package.json": "{}\n" });

export const SHAPES: Shape[] = [
  // (1) A `resources` field that is cheap to send and dear to parse.
  {
    name: "`resources` `[{},…]` 63 MiB, no token",
    run: (t) => upload(t, [resources(jsonArray("{}", 63 * MiB))]).then(answerOf),
  },
  {
    name: "`resources` `[{},…]` 63 MiB, admin",
    run: (t) => uploadAndSettle(t, [resources(jsonArray("{}", 63 * MiB))]),
  },
  {
    name: "`resources` `[{},…]` 4 MiB, no token",
    run: (t) => upload(t, [resources(jsonArray("{}", 4 * MiB))]).then(answerOf),
  },
  {
    name: "`resources` `[[[…]]]` 4 MiB deep, no token",
    run: (t) => upload(t, [resources(nestedArrays(4 * MiB))]).then(answerOf),
  },
  {
    name: "`resources` `[[[…]]]` 63 MiB deep, no token",
    run: (t) => upload(t, [resources(nestedArrays(63 * MiB))]).then(answerOf),
  },
  // (1b) The dearest `resources` the simulator still parses: just under its 40,000 objects and
  // arrays, or its 150,000 values, authenticated, so that check 4 parses them and the job runs.
  {
    name: "`resources` 39,990 × `{}` (just under the bound), admin",
    run: (t) => uploadAndSettle(t, [resources(jsonArray("{}", 39_990 * 3 + 1))]),
  },
  {
    name: "`resources` 149,000 × `1` (just under the bound), admin",
    run: (t) => uploadAndSettle(t, [resources(jsonArray("1", 149_000 * 2 + 1))]),
  },
  {
    name: '`--contract-verdicts`: `resources` 39,990 × `{"fn":1}`, admin',
    args: ["--contract-verdicts"],
    run: (t) => uploadAndSettle(t, [resources(jsonArray('{"fn":1}', 39_990 * 9 + 1))]),
  },
  // (2) The contract checker on a long `resources`.
  ...[64 * KiB, 1 * MiB, 4 * MiB].map((n) => ({
    name: `\`--contract-verdicts\`: \`resources\` \`[1,…]\` ${size(n)}, no token`,
    args: ["--contract-verdicts"],
    run: (t: Target) => upload(t, [resources(jsonArray("1", n))]).then(answerOf),
  })),
  // (3) A zip bomb: 3 MB that inflate to 3 GiB, declaring 100 bytes.
  {
    name: "zip bomb: 3 MB → 3 GiB declaring 100 B, admin",
    run: (t) =>
      uploadAndSettle(t, [
        resources(bytes("[]")),
        bits(bytes(buildZipBomb({ inflatesTo: 3 * GiB, declares: 100 }).zip)),
      ]),
  },
  // (4) What the journal keeps: big `resources` fields, long entry names.
  {
    name: '8 × `resources` `["xxx…"]` 64 MiB, no token; journal',
    run: async (t) =>
      thenJournal(t, await times(8, () => upload(t, [resources(oneLongString(64 * MiB))]).then(answerOf))),
  },
  {
    name: "3 × zip of 65,535-byte names (250 MiB), no token; journal",
    run: async (t) => {
      const zip = () => upload(t, [resources(bytes("[]")), bits(longNamesZip(250 * MiB))]).then(answerOf);
      return thenJournal(t, await times(3, zip));
    },
  },
  // (5) JSON bodies, which the routes read whole.
  {
    name: "`PUT /__mock/scenario` 700 MiB JSON",
    run: (t) =>
      jsonBody(t, "PUT", "/__mock/scenario", concat(bytes('{"name":"'), oneLongString(700 * MiB), bytes('"}'))),
  },
  {
    name: "`POST /v3/resource_matches` 39,990 × `{}` (just under the bound), admin; journal",
    run: async (t) =>
      thenJournal(
        t,
        await jsonBody(
          t,
          "POST",
          "/v3/resource_matches",
          concat(bytes('{"resources":'), jsonArray("{}", 39_990 * 3 + 1), bytes("}")),
          t.admin,
        ),
      ),
  },
  {
    name: "`POST /v3/resource_matches` `[{},…]` 64 MiB, admin; journal",
    run: async (t) => {
      const body = concat(bytes('{"resources":'), jsonArray("{}", 64 * MiB - 16), bytes("}"));
      return thenJournal(t, await jsonBody(t, "POST", "/v3/resource_matches", body, t.admin));
    },
  },
  // Plain big bodies, and many at once.
  {
    name: "bits: 1 GiB of noise (no zip), admin",
    run: (t) => uploadAndSettle(t, [resources(bytes("[]")), bits(noise(GiB))]),
  },
  {
    name: "bits: an honest 1000 MiB zip, admin",
    run: (t) => uploadAndSettle(t, [resources(bytes("[]")), bits(bigZip(1000 * MiB))]),
  },
  {
    name: "50 × `cf push` of a 10 KB zip at once, admin",
    run: async (t) => atOnce(50, async () => smallPush(t, await smallApp())),
  },
  {
    name: "50 × `resources` `[{},…]` 4 MiB at once, no token",
    run: (t) => atOnce(50, () => upload(t, [resources(jsonArray("{}", 4 * MiB))]).then(answerOf)),
  },
];
