// Deployment cool-downs shared by every isolate of the proxy: one Durable Object per model
// name holds when each of its deployments may be used again. A Durable Object rather than the
// Cache API: the cache is per data center and does nothing on workers.dev, while a cool-down
// learnt anywhere should spare every isolate the same failed attempt (ARCHITECTURE.md,
// "Deployments and routing"). Without the binding, the library keeps them per isolate.
import type { CooldownStore } from "../../src/index.ts";
import type { DurableObjectNamespace, DurableObjectState } from "../cloudflare.ts";
import { callDurable, numberArg, serveMethods, stringArg, stringsArg } from "./calls.ts";

const PREFIX = "until:";

/** The cool-down store the library's router uses, backed by the DeploymentCooldowns objects. */
export function durableCooldownStore(namespace: DurableObjectNamespace): CooldownStore {
  return {
    cooling: (name, keys) => callDurable(namespace, name, "cooling", { keys }),
    coolDown: (name, key, until) => callDurable(namespace, name, "coolDown", { key, until }),
    recover: (name, key) => callDurable(namespace, name, "recover", { key }),
  };
}

/** The Durable Object class (a class because the runtime instantiates it; wrangler.toml names it). */
export class DeploymentCooldowns {
  readonly #storage: DurableObjectState["storage"];

  constructor(state: DurableObjectState) {
    this.#storage = state.storage;
  }

  fetch(request: Request): Promise<Response> {
    const storage = this.#storage;
    return serveMethods(request, {
      async cooling(args) {
        const keys = stringsArg(args, "keys").map((key) => PREFIX + key);
        const now = Date.now();
        const out: Record<string, number> = {};
        const ended: string[] = [];
        for (const [stored, until] of await storage.get<number>(keys)) {
          if (until > now) out[stored.slice(PREFIX.length)] = until;
          else ended.push(stored);
        }
        if (ended.length) await storage.delete(ended);
        return out;
      },
      async coolDown(args) {
        await storage.put({ [PREFIX + stringArg(args, "key")]: numberArg(args, "until") });
        return null;
      },
      async recover(args) {
        await storage.delete([PREFIX + stringArg(args, "key")]);
        return null;
      },
    });
  }
}
