// Deployment cool-downs shared by every isolate of the proxy: one Durable Object per model
// name holds when each of its deployments may be used again. A Durable Object rather than the
// Cache API: the cache is per data center and does nothing on workers.dev, while a cool-down
// learnt anywhere should spare every isolate the same failed attempt (ARCHITECTURE.md,
// "Deployments and routing"). Without the binding, the library keeps them per isolate.
import type { CooldownStore } from "../../src/index.ts";
import type { DurableObjectNamespace, DurableObjectState } from "../cloudflare.ts";
import { callDurable, type DurableMethods, numberArg, serveMethods, stringArg, stringsArg } from "./calls.ts";

const PREFIX = "until:";

/**
 * An isolate reads a model's cool-downs from its object at most once per READ_CACHE_MS and
 * answers from that copy meanwhile: a cool-down learnt elsewhere reaches it within that time (at
 * worst one more fast failed attempt, after which it knows by itself), and the object is asked
 * once a second per model and isolate, not once per request. What the isolate learns itself
 * goes into its copy at once, and to the object.
 */
const READ_CACHE_MS = 1000;

/** The cool-down store the library's router uses, backed by the DeploymentCooldowns objects. */
export function durableCooldownStore(namespace: DurableObjectNamespace, now: () => number = Date.now): CooldownStore {
  const read = new Map<string, { at: number; until: Record<string, number> }>();
  // A read on its way, which every request that needs the model's copy meanwhile awaits (many
  // arrive together), with when it started and what this isolate learns while it is (newer than
  // what it brings back: a key's time, or undefined once it recovered).
  const reading = new Map<
    string,
    { at: number; until: Promise<Record<string, number>>; learnt: Map<string, number | undefined> }
  >();

  function fresh(name: string, keys: readonly string[]): Promise<Record<string, number>> {
    const pending = reading.get(name);
    const at = now();
    // A read as old as the copy's life is given up for a new one: workerd cancels an ended
    // request's I/O, so a read whose request stopped waiting for it (the router waits 1 s) may
    // never settle, and every later request would wait on it. What was learnt meanwhile carries on.
    if (pending && at - pending.at < READ_CACHE_MS) return pending.until;
    const learnt = new Map<string, number | undefined>(pending?.learnt);
    // Every key of the model, so that the copy answers for any of them.
    const until = callDurable<Record<string, number>>(namespace, name, "cooling", { keys })
      .then((answer) => {
        for (const [key, time] of learnt) {
          if (time === undefined) delete answer[key];
          else answer[key] = time;
        }
        // A replaced read answering late brings older news than the copy its successor made.
        if ((read.get(name)?.at ?? Number.NEGATIVE_INFINITY) <= at) read.set(name, { at, until: answer });
        return answer;
      })
      .finally(() => {
        if (reading.get(name)?.until === until) reading.delete(name);
      });
    reading.set(name, { at, until, learnt });
    return until;
  }

  return {
    async cooling(name, keys) {
      const copy = read.get(name);
      const until = copy && now() - copy.at < READ_CACHE_MS ? copy.until : await fresh(name, keys);
      const time = now();
      return Object.fromEntries(keys.flatMap((key) => ((until[key] ?? 0) > time ? [[key, until[key]!]] : [])));
    },
    async coolDown(name, key, until) {
      const copy = read.get(name);
      if (copy) copy.until[key] = until;
      reading.get(name)?.learnt.set(key, until);
      await callDurable(namespace, name, "coolDown", { key, until });
    },
    async recover(name, key) {
      delete read.get(name)?.until[key];
      reading.get(name)?.learnt.set(key, undefined);
      await callDurable(namespace, name, "recover", { key });
    },
  };
}

/** The Durable Object class (a class because the runtime instantiates it; wrangler.toml names it). */
export class DeploymentCooldowns {
  readonly #methods: DurableMethods;

  constructor(state: DurableObjectState) {
    this.#methods = cooldownMethods(state.storage);
  }

  fetch(request: Request): Promise<Response> {
    return serveMethods(request, this.#methods);
  }
}

function cooldownMethods(storage: DurableObjectState["storage"]): DurableMethods {
  return {
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
  };
}
