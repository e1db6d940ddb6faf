/**
 * A world file's `clients`: UAA clients of the `client_credentials` grant.
 */
import type { ClientData } from "../core/world/model.js";
import type { DocClient } from "./document.js";
import type { PathProblem, Segment } from "./problems.js";

/** The clients as the world holds them; duplicate ids and the reserved `cf` are problems. */
export function buildClients(clients: readonly DocClient[], problems: PathProblem[]): ClientData[] {
  const firstAt = new Map<string, number>();
  return clients.map((client, ci) => {
    const at: Segment[] = ["clients", ci, "id"];
    const first = firstAt.get(client.id);
    if (first !== undefined) {
      problems.push({ at, problem: `duplicate client id "${client.id}" (first at clients[${first}].id)` });
    } else firstAt.set(client.id, ci);
    if (client.id === "cf") {
      const problem = `the client "cf" is the cf CLI's own (password and refresh grants); give this client another id`;
      problems.push({ at, problem });
    }
    return {
      id: client.id,
      secret: client.secret,
      ...(client.scopes ? { scopes: [...client.scopes] } : {}),
      ...(client.admin !== undefined ? { admin: client.admin } : {}),
    };
  });
}
