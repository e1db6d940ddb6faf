/**
 * The request checker's cost is bounded by the violations it lists, not by the size
 * of what it checks: at most 20 violations per request plus one line saying there
 * are more, however many entries of an upload's `resources` (or of a JSON body)
 * break the schema. The tests count violations, never time: an input that used to
 * freeze the checker for minutes now gives the same short verdict as a small one.
 */
import { beforeAll, describe, expect, it } from "vitest";
import type { ContractVerdict, JournalMultipart, RequestChecker } from "../core/journal/journal.js";
import { createContractChecker } from "./index.js";

let checker: RequestChecker;
beforeAll(async () => {
  checker = await createContractChecker();
});

const GUID = "3f1c6a8e-0000-4000-8000-000000000001";
const SHA1 = "a9993e364706816aba3e25717850c26c9cd0d89d";
const V3_ENTRY = { path: "lib/a.js", mode: "644", checksum: { value: SHA1 }, size_in_bytes: 70000 };
const NO_SIZE = { path: "lib/b.js", mode: "644", checksum: { value: SHA1 } };

/** An upload whose multipart body has only a `resources` field with these parsed entries (or this raw text). */
function checkUpload(resources: JournalMultipart["resources"], size = 100): ContractVerdict {
  return checker.checkRequest({
    method: "POST",
    path: `/v3/packages/${GUID}/upload`,
    query: "",
    headers: { authorization: "bearer [redacted]", "content-type": "multipart/form-data; boundary=x" },
    body: null,
    multipart: { parts: [{ name: "resources", filename: null, contentType: null, size }], bits: null, resources },
  });
}

/** `[1,1,1,…]`: every entry breaks the schema (three violations each: not a V3 entry, not a V2 entry, neither). */
function ones(bytes: number): unknown[] {
  return new Array<number>(Math.floor(bytes / 2)).fill(1);
}

function checkResourceMatches(body: string): ContractVerdict {
  return checker.checkRequest({
    method: "POST",
    path: "/v3/resource_matches",
    query: "",
    headers: { authorization: "bearer [redacted]", "content-type": "application/json" },
    body,
    multipart: null,
  });
}

describe("the resources field of an upload", () => {
  it("lists the first 20 violations and one line saying where the rest start (100 broken entries)", () => {
    const verdict = checkUpload({ entries: ones(200) });
    expect(verdict.valid).toBe(false);
    expect(verdict.violations).toHaveLength(21);
    expect(verdict.violations.slice(0, 3)).toEqual([
      { location: "body.resources[0]", message: "must be object" },
      { location: "body.resources[0]", message: "must be object" },
      { location: "body.resources[0]", message: "must match a schema in anyOf" },
    ]);
    expect(verdict.violations[19]!.location).toBe("body.resources[6]");
    expect(verdict.violations[20]).toEqual({
      location: "body.resources",
      message:
        "… and more violations from body.resources[6] on: checking stopped at that entry and skipped " +
        "the 93 entries after it (the checker lists at most 20 violations per request)",
    });
  });

  it("gives a 1 MiB [1,1,…] the same 20 violations as 64 KiB, plus the one line", () => {
    const small = checkUpload({ entries: ones(64 * 1024) });
    const big = checkUpload({ entries: ones(1024 * 1024) });
    expect(big.violations).toHaveLength(21);
    expect(small.violations).toHaveLength(21);
    expect(big.violations.slice(0, 20)).toEqual(small.violations.slice(0, 20));
    expect(big.violations[20]!.message).toContain(`skipped the ${512 * 1024 - 7} entries after it`);
  });

  it("names each violation by entry index and property, as before", () => {
    const entries = [V3_ENTRY, V3_ENTRY, { ...V3_ENTRY, checksum: { value: 1 } }, { ...V3_ENTRY, mode: 644 }];
    const verdict = checkUpload({ entries });
    expect(verdict.violations).toContainEqual({
      location: "body.resources[2].checksum.value",
      message: "must be string",
    });
    expect(verdict.violations).toContainEqual({ location: "body.resources[3].mode", message: "must be string" });
    expect(verdict.violations.every((v) => /^body\.resources\[[23]\]/.test(v.location))).toBe(true);
  });

  it("lists every violation, with no extra line, when there are at most 20", () => {
    // Five entries that are not objects (3 violations each), then one without its size (5: the
    // V3 size_in_bytes, the three V2 names, and anyOf): exactly 20.
    const verdict = checkUpload({ entries: [...new Array<unknown>(5).fill(1), V3_ENTRY, NO_SIZE] });
    expect(verdict.violations).toHaveLength(20);
    expect(verdict.violations).toContainEqual({
      location: "body.resources[6]",
      message: "must have required property 'size_in_bytes'",
    });
    expect(verdict.violations.at(-1)).toEqual({
      location: "body.resources[6]",
      message: "must match a schema in anyOf",
    });
  });

  it("keeps checking valid entries after a full list, and says there are more only when an entry breaks", () => {
    const twenty = [...new Array<unknown>(5).fill(1), NO_SIZE];
    const validAfter = checkUpload({ entries: [...twenty, ...new Array(1000).fill(V3_ENTRY)] });
    expect(validAfter.violations).toHaveLength(20);
    const brokenLater = checkUpload({ entries: [...twenty, ...new Array(1000).fill(V3_ENTRY), 1, V3_ENTRY] });
    expect(brokenLater.violations).toHaveLength(21);
    expect(brokenLater.violations[20]!.message).toContain("from body.resources[1006] on");
    expect(brokenLater.violations[20]!.message).toContain("skipped the 1 entry after it");
    const brokenLast = checkUpload({ entries: [...twenty, 1] });
    expect(brokenLast.violations[20]!.message).toBe(
      "… and more violations in body.resources[6], the last entry (the checker lists at most 20 violations per request)",
    );
  });

  it("a huge array of deeply nested values: one short verdict", () => {
    let nested: unknown = 1;
    for (let i = 0; i < 30; i++) nested = [nested];
    const verdict = checkUpload({ entries: new Array(100_000).fill(nested) });
    expect(verdict.violations).toHaveLength(21);
  });

  it("a resources value that is not a JSON array: one violation, whatever its size", () => {
    const text = JSON.stringify(Object.fromEntries(ones(128 * 1024).map((v, i) => [`k${i}`, v])));
    expect(checkUpload({ invalid: text }, text.length).violations).toEqual([
      { location: "body.resources", message: "the resources field is not a JSON array" },
    ]);
  });

  it("hands Prism a placeholder, not the resources text (a text holding the boundary breaks nothing)", () => {
    const text =
      'x\r\n--mock-packages-contract-check\r\nContent-Disposition: form-data; name="bits"; filename="a"\r\n\r\ny';
    expect(checkUpload({ invalid: text }, text.length).violations).toEqual([
      { location: "body.resources", message: "the resources field is not a JSON array" },
    ]);
  });
});

describe("a JSON body", () => {
  it("caps Prism's violations too: 100 broken entries give 20 and a line with the count", () => {
    const verdict = checkResourceMatches(JSON.stringify({ resources: new Array(100).fill(1) }));
    expect(verdict.violations).toHaveLength(21);
    expect(verdict.violations[0]).toEqual({
      location: "body.resources.0",
      message: "Request body property resources.0 must be object",
    });
    expect(verdict.violations[20]).toEqual({
      location: "request",
      message: "… and 80 more violations not listed (the checker lists at most 20 violations per request)",
    });
  });

  it("over 64 KiB, lists the body's first violation in Prism's words and says it stopped there", () => {
    const entries = new Array(3000).fill(V3_ENTRY);
    entries[2500] = { ...V3_ENTRY, mode: 644 };
    entries[2600] = { ...V3_ENTRY, mode: 644 };
    const body = JSON.stringify({ resources: entries });
    expect(body.length).toBeGreaterThan(64 * 1024);
    expect(checkResourceMatches(body).violations).toEqual([
      {
        location: "body.resources.2500.mode",
        message: "Request body property resources.2500.mode must be string,null",
      },
      {
        location: "body",
        message:
          "… and possibly more violations in the body: a JSON body over 64 KiB is checked only up to its first violation",
      },
    ]);
  });

  it("a 1 MiB body of broken entries gives the same short verdict as a 128 KiB one", () => {
    const small = checkResourceMatches(JSON.stringify({ resources: ones(128 * 1024) }));
    const big = checkResourceMatches(JSON.stringify({ resources: ones(1024 * 1024) }));
    expect(big.violations).toHaveLength(2);
    expect(big.violations).toEqual(small.violations);
  });

  it("still checks a big body's content type and token with Prism", () => {
    const verdict = checker.checkRequest({
      method: "POST",
      path: "/v3/resource_matches",
      query: "",
      headers: { "content-type": "text/plain" },
      body: JSON.stringify({ resources: new Array(3000).fill(V3_ENTRY) }),
      multipart: null,
    });
    const messages = verdict.violations.map((v) => `${v.location}: ${v.message}`).join("\n");
    expect(messages).toContain("header.authorization");
    expect(messages).toContain("Supported content types: application/json");
  });

  it("a valid body over 64 KiB is valid", () => {
    const verdict = checkResourceMatches(JSON.stringify({ resources: new Array(3000).fill(V3_ENTRY) }));
    expect(verdict).toEqual({ operationId: "createResourceMatches", valid: true, violations: [] });
  });
});
