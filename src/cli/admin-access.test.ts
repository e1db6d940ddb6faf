import { describe, expect, it } from "vitest";
import { adminAccess, adminFlagProblem, adminTokenLine, exposureWarning } from "./admin-access.js";

describe("adminAccess", () => {
  it("needs no token on a loopback host", () => {
    for (const host of ["127.0.0.1", "localhost", "::1", "127.0.0.2"]) {
      expect(adminAccess({}, host)).toEqual({ adminOrigins: undefined, adminToken: undefined, generated: false });
    }
  });

  it("makes a new random token for any other host, unless given one, told --admin-open, or --no-admin", () => {
    const a = adminAccess({}, "0.0.0.0");
    const b = adminAccess({}, "0.0.0.0");
    expect(a.generated).toBe(true);
    expect(a.adminToken).toMatch(/^[\w-]{32}$/);
    expect(b.adminToken).not.toBe(a.adminToken);
    expect(adminAccess({ "admin-open": true }, "192.168.1.5").adminToken).toBeUndefined();
    expect(adminAccess({ "no-admin": true }, "::").adminToken).toBeUndefined();
    expect(adminAccess({ "admin-token": "mine" }, "0.0.0.0")).toMatchObject({ adminToken: "mine", generated: false });
    expect(adminAccess({ "admin-token": "mine" }, "127.0.0.1").adminToken).toBe("mine");
  });
});

describe("adminFlagProblem", () => {
  it("accepts origins, and names what is wrong otherwise", () => {
    expect(adminFlagProblem({ "admin-origin": ["http://a.example:3000", "https://b.example"] })).toBeNull();
    expect(adminFlagProblem({ "admin-origin": ["null"] })).toContain("got 'null'");
    expect(adminFlagProblem({ "admin-token": "a b" })).toContain("--admin-token takes a non-empty token");
  });
});

describe("exposureWarning and adminTokenLine", () => {
  const base = { admin: true, adminToken: "t", generated: true, signingKey: undefined };
  const flat = (s: string | null) => s!.replace(/\s+/g, " ");

  it("says nothing on a loopback host", () => {
    expect(exposureWarning("127.0.0.1", base)).toBeNull();
  });

  it("is one paragraph, wrapped for a terminal, that fits what is exposed", () => {
    const text = exposureWarning("0.0.0.0", base)!;
    expect(text.split("\n").every((line) => line.length <= 88)).toBe(true);
    expect(text).not.toMatch(/\n\n/);
    expect(flat(exposureWarning("::", { ...base, signingKey: "k" }))).toContain("a token signed by your --signing-key");
    expect(flat(exposureWarning("::", { ...base, adminToken: undefined }))).toContain("is open to all of them");
    expect(flat(exposureWarning("::", { ...base, admin: false }))).toContain("The admin API is off (--no-admin).");
    expect(flat(exposureWarning("::", { ...base, generated: false }))).toContain("given with --admin-token");
  });

  it("prints a made token, never a given one", () => {
    expect(adminTokenLine({ adminToken: "abc", generated: true })).toMatch(/^Admin token: abc /);
    expect(adminTokenLine({ adminToken: "abc", generated: false })).not.toContain("abc");
    expect(adminTokenLine({ adminToken: undefined, generated: false })).toBeNull();
  });
});
