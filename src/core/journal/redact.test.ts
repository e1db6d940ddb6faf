import { describe, expect, it } from "vitest";
import { redactCredential, redactHeaders, redactPath, redactQuery } from "./redact.js";

describe("redactCredential", () => {
  it.each([
    ["bearer abc.def.ghi", "bearer [redacted]"],
    ["Bearer   abc", "Bearer [redacted]"],
    ["bearerabc", "bearer[redacted]"],
    ["Basic dXNlcjpwYXNz", "Basic [redacted]"],
    ["Digest username=x, response=y", "Digest [redacted]"],
    ["eyJhbGciOiJIUzI1NiJ9.e30.c2ln", "[redacted]"],
    ["hunter2 with spaces", "[redacted]"],
    ["bearer", "bearer"],
    ["", ""],
  ])("%j → %j", (sent, kept) => {
    expect(redactCredential(sent)).toBe(kept);
  });
});

describe("redactHeaders", () => {
  it("leaves ordinary headers alone and redacts by name and by name part", () => {
    const out = redactHeaders(
      new Headers({
        accept: "application/json",
        "content-type": "application/json",
        "x-csrf-token": "t",
        "x-amz-security-token": "t",
        "x-my-apikey": "t",
        "set-cookie": "sid=1; Path=/; HttpOnly",
      }),
    );
    expect(out).toEqual({
      accept: "application/json",
      "content-type": "application/json",
      "x-csrf-token": "[redacted]",
      "x-amz-security-token": "[redacted]",
      "x-my-apikey": "[redacted]",
      "set-cookie": "sid=[redacted]; Path=[redacted]; [redacted]",
    });
  });
});

describe("redactQuery and redactPath", () => {
  it("redacts credential parameters, even with encoded names, and keeps the rest as sent", () => {
    expect(redactQuery("")).toBe("");
    expect(redactQuery("?")).toBe("?");
    expect(redactQuery("?per_page=5&access%5Ftoken=x&id_token=y&&flag&X-Amz-Signature=z&names=a%20b")).toBe(
      "?per_page=5&access%5Ftoken=[redacted]&id_token=[redacted]&&flag&X-Amz-Signature=[redacted]&names=a%20b",
    );
  });

  it("redacts path parameters that carry credentials", () => {
    expect(redactPath("/v3/packages")).toBe("/v3/packages");
    expect(redactPath("/v3/packages;jsessionid=abc;lang=en/x")).toBe("/v3/packages;jsessionid=[redacted];lang=en/x");
  });
});
