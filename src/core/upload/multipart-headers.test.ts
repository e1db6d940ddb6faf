// Unit tests of the multipart parser's header readers: the boundary of a Content-Type, and header parameters.
import { describe, expect, it } from "vitest";
import { getBoundary, parseHeaderParams } from "./multipart.js";

describe("getBoundary", () => {
  it.each([
    ["multipart/form-data; boundary=abc", "abc"],
    ["multipart/form-data;boundary=abc", "abc"],
    ["Multipart/Form-Data; BOUNDARY=XyZ", "XyZ"],
    ["multipart/form-data ; boundary = abc ", "abc"],
    ["multipart/form-data; charset=utf-8; boundary=abc", "abc"],
    ["multipart/form-data; boundary=abc; charset=utf-8", "abc"],
    ["multipart/form-data; boundary=abc def", "abc"],
    ['multipart/form-data; boundary="a b;c=d"', "a b;c=d"],
    ["multipart/form-data; boundary=----WebKitFormBoundary7MA4YWxkTrZu0gW", "----WebKitFormBoundary7MA4YWxkTrZu0gW"],
  ])("reads %j as %j", (contentType, boundary) => {
    expect(getBoundary(contentType)).toBe(boundary);
  });

  it.each([
    "multipart/form-data",
    "multipart/form-data; boundary=",
    'multipart/form-data; boundary=""',
    "multipart/form-data; boundary=;",
    "boundary=abc",
    "multipart/form-data; xboundary=abc",
    "multipart/form-data; boundary2=abc",
  ])("finds no boundary in %j", (contentType) => {
    expect(getBoundary(contentType)).toBeNull();
  });

  // RFC 2046 allows 1 to 70 characters; the code accepts up to 200.
  it("takes boundaries of 1 to 200 characters", () => {
    for (const n of [1, 70, 71, 200])
      expect(getBoundary(`multipart/form-data; boundary=${"b".repeat(n)}`)).toBe("b".repeat(n));
    expect(getBoundary(`multipart/form-data; boundary=${"b".repeat(201)}`)).toBeNull();
    expect(getBoundary(`multipart/form-data; boundary="${"b".repeat(201)}"`)).toBeNull();
  });
});

describe("parseHeaderParams", () => {
  const params = (value: string) => {
    const parsed = parseHeaderParams(value);
    return { value: parsed.value, params: Object.fromEntries(parsed.params) };
  };

  it("reads the value in lower case and quoted or unquoted parameters", () => {
    expect(params('form-data; name="bits"; filename="package.zip"')).toEqual({
      value: "form-data",
      params: { name: "bits", filename: "package.zip" },
    });
    expect(params(" Form-Data ; NAME = bits ;filename= a.zip ")).toEqual({
      value: "form-data",
      params: { name: "bits", filename: "a.zip" },
    });
    expect(params("form-data")).toEqual({ value: "form-data", params: {} });
  });

  it("unescapes quoted pairs and keeps semicolons inside quotes", () => {
    expect(params('form-data; filename="a\\"b\\\\c.txt"; name="f"').params).toEqual({
      filename: 'a"b\\c.txt',
      name: "f",
    });
    expect(params('form-data; filename="x; name=evil"').params).toEqual({ filename: "x; name=evil" });
  });

  it("keeps the first of a repeated parameter, and an empty one", () => {
    expect(params('form-data; name="a"; name="b"; filename=""').params).toEqual({ name: "a", filename: "" });
  });

  it("decodes RFC 5987 key*= values, which win over key= in either order", () => {
    const euro = "filename*=UTF-8''%E2%82%AC%20rates.txt";
    expect(params(`attachment; ${euro}`).params).toEqual({ filename: "€ rates.txt" });
    expect(params(`attachment; filename="plain.txt"; ${euro}`).params).toEqual({ filename: "€ rates.txt" });
    expect(params(`attachment; ${euro}; filename="plain.txt"`).params).toEqual({ filename: "€ rates.txt" });
    expect(params("attachment; filename*=utf-8'en'a%2Fb").params).toEqual({ filename: "a/b" });
  });

  // RFC 5987 §3.2.1: recipients must support both UTF-8 and ISO-8859-1.
  it("decodes RFC 5987 values in ISO-8859-1 byte for byte", () => {
    expect(params("attachment; filename*=iso-8859-1'en'%A3%20rates").params).toEqual({ filename: "£ rates" });
    expect(params("attachment; filename*=ISO-8859-1''%E9t%E9.txt").params).toEqual({ filename: "été.txt" });
  });

  it("keeps an RFC 5987 value it cannot decode as it was sent", () => {
    expect(params("attachment; filename*=UTF-8''%E2%8").params).toEqual({ filename: "UTF-8''%E2%8" });
    expect(params("attachment; filename*=plain").params).toEqual({ filename: "plain" });
  });
});
