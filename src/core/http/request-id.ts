/**
 * `X-VCAP-Request-ID` on every answer, as the Cloud Controller's router and
 * Rails middleware send it (`middleware/vcap_request_id.rb`). The ids come from
 * their own seeded source, so that guids do not depend on how many requests came first.
 */
import type { IdSource } from "../ids.js";
import type { Answer } from "./answer.js";

export function withRequestIds<A extends unknown[]>(
  next: (request: Request, ...rest: A) => Promise<Answer>,
  ids: IdSource,
): (request: Request, ...rest: A) => Promise<Answer> {
  return async (request, ...rest) => {
    const answer = await next(request, ...rest);
    if (!answer.dropConnection && answer.headers["X-VCAP-Request-ID"] === undefined) {
      answer.headers["X-VCAP-Request-ID"] = ids.uuid();
    }
    return answer;
  };
}
