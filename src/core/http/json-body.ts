/**
 * JSON request bodies (package creates and updates, resource matches, feature flags, the
 * admin API) read as the front end would: never more than a bound, so that no body, however
 * large, is held whole, and never one that would take more than a bound to parse (`json-budget.ts`). The bound is `maxJsonBodySize` (`--max-json-body-size`, 4 MiB):
 * the largest legitimate body, a resource match of 5,000 entries, is under 1 MiB.
 */
import { concatBytes } from "../bytes.js";
import { FrontEndError } from "./front-end-error.js";
import { JsonCounter } from "./json-budget.js";

/** The body's text, read up to `limit` bytes; a larger one is the front end's 413 before it is read whole. */
export async function readJsonText(request: Request, limit: number): Promise<string> {
  const declared = request.headers.get("content-length");
  if (declared !== null && Number(declared) > limit) throw tooLarge(`The JSON body is ${declared} bytes`, limit);
  if (!request.body) return "";
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  const counter = new JsonCounter();
  let size = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.length;
      if (size > limit) throw tooLarge("The JSON body is larger than that", limit);
      if (!counter.feed(value)) {
        throw new FrontEndError(
          413,
          `The JSON body holds ${counter.describe()}, the most the simulator parses of one body. Send less.`,
        );
      }
      chunks.push(value);
    }
  } catch (error) {
    reader.cancel().catch(() => {});
    throw error;
  }
  return new TextDecoder().decode(concatBytes(chunks));
}

const tooLarge = (what: string, limit: number) =>
  new FrontEndError(
    413,
    `${what}; the simulator reads at most ${limit} bytes of a JSON body. ` +
      "Send less, or raise the bound with --max-json-body-size (option maxJsonBodySize).",
  );
