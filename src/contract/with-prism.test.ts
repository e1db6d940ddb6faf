import { describe, expect, it } from "vitest";
import { PRISM, withPrism } from "./with-prism.js";

/** An import failure as Node reports a package that is not installed. */
function notFound(name: string): Error {
  return Object.assign(new Error(`Cannot find package '${name}' imported from /app/node_modules/x.js`), {
    code: "ERR_MODULE_NOT_FOUND",
  });
}

describe("withPrism", () => {
  it("answers the module when it loads", async () => {
    await expect(withPrism(async () => ({ ok: 1 }))).resolves.toEqual({ ok: 1 });
  });

  it("turns a missing Prism into an error that says what to install", async () => {
    const error = await withPrism(() => Promise.reject(notFound(PRISM))).catch((e: Error) => e);
    expect((error as Error).message).toBe(
      "mock-packages/contract needs @stoplight/prism-http, an optional peer dependency that is not installed. " +
        "Install it beside mock-packages: npm install --save-dev @stoplight/prism-http@5.12.0",
    );
    expect((error as Error).cause).toBeInstanceOf(Error);
  });

  it("leaves any other failure as it is", async () => {
    const other = notFound("left-pad");
    await expect(withPrism(() => Promise.reject(other))).rejects.toBe(other);
  });
});
