// Exact, shared counts for a client key's limits: one Durable Object per key name holds the
// tokens its finished requests used today (UTC) and the streams it has open. A request is
// admitted while the tokens counted so far are below the key's tokens_per_day: a request in
// flight counts once it has finished, so a key can end a day over its limit by what its last
// requests used (concurrent_streams and the rate limit bound that). Each open stream holds a
// lease until its request ends, renewed every LEASE_RENEW_MS while it is open (however long it
// runs: no timeout bounds a stream that keeps sending); a lease left behind by an isolate that
// died is no longer renewed, and lapses within LEASE_MS.
import type { DurableObjectNamespace, DurableObjectState } from "../cloudflare.ts";
import {
  callDurable,
  type DurableMethods,
  optionalNumberArg,
  optionalStringArg,
  serveMethods,
  stringArg,
} from "./calls.ts";

/** A stream whose lease was not renewed for this long no longer counts against concurrent_streams. */
const LEASE_MS = 15 * 60_000;

/** How often an open stream renews its lease: three chances before it lapses. */
export const LEASE_RENEW_MS = LEASE_MS / 3;

const TOKENS = "tokens:";
const LEASE = "lease:";

export type Admission =
  | { ok: true }
  | { ok: false; limit: "tokens_per_day"; used: number; retryAfterS: number }
  | { ok: false; limit: "concurrent_streams"; open: number; retryAfterS: number };

export interface AdmitRequest {
  tokensPerDay?: number;
  /** With `lease`: the key's limit of open streams, and the request's id that holds one. */
  concurrentStreams?: number;
  lease?: string;
}

export interface Settlement {
  /** Input plus output tokens of the finished request, when known. */
  tokens?: number;
  /** The lease admit() gave the request, now returned. */
  lease?: string;
}

export interface KeyLimitsClient {
  admit(key: string, request: AdmitRequest): Promise<Admission>;
  /** Keeps an open stream's lease from lapsing (a lease already returned stays returned). */
  renew(key: string, lease: string): Promise<void>;
  settle(key: string, settlement: Settlement): Promise<void>;
}

export function keyLimitsClient(namespace: DurableObjectNamespace): KeyLimitsClient {
  return {
    admit: (key, request) => callDurable(namespace, key, "admit", request),
    renew: async (key, lease) => {
      await callDurable(namespace, key, "renew", { lease });
    },
    settle: async (key, settlement) => {
      await callDurable(namespace, key, "settle", settlement);
    },
  };
}

/** YYYY-MM-DD in UTC. */
function dayOf(time: number): string {
  return new Date(time).toISOString().slice(0, 10);
}

function secondsToMidnight(time: number): number {
  const next = new Date(time);
  next.setUTCHours(24, 0, 0, 0);
  return Math.max(1, Math.ceil((next.getTime() - time) / 1000));
}

/** The Durable Object class (a class because the runtime instantiates it; wrangler.toml names it). */
export class KeyLimits {
  readonly #methods: DurableMethods;

  constructor(state: DurableObjectState) {
    this.#methods = keyLimitMethods(state.storage);
  }

  fetch(request: Request): Promise<Response> {
    return serveMethods(request, this.#methods);
  }
}

function keyLimitMethods(storage: DurableObjectState["storage"]): DurableMethods {
  // The day whose earlier counts are gone: pruning lists the storage, so it runs once a day.
  let pruned: string | undefined;

  async function openLeases(now: number): Promise<string[]> {
    const leases = await storage.list<number>({ prefix: LEASE });
    const lapsed = [...leases].filter(([, until]) => until <= now).map(([name]) => name);
    if (lapsed.length) await storage.delete(lapsed);
    return [...leases.keys()].filter((name) => !lapsed.includes(name));
  }

  return {
    async admit(args): Promise<Admission> {
      const now = Date.now();
      const tokensPerDay = optionalNumberArg(args, "tokensPerDay");
      if (tokensPerDay !== undefined) {
        const used = (await storage.get<number>(TOKENS + dayOf(now))) ?? 0;
        if (used >= tokensPerDay)
          return { ok: false, limit: "tokens_per_day", used, retryAfterS: secondsToMidnight(now) };
      }
      const streams = optionalNumberArg(args, "concurrentStreams");
      if (streams !== undefined) {
        const lease = stringArg(args, "lease");
        const open = await openLeases(now);
        if (open.length >= streams)
          return { ok: false, limit: "concurrent_streams", open: open.length, retryAfterS: 2 };
        await storage.put({ [LEASE + lease]: now + LEASE_MS });
      }
      return { ok: true };
    },
    async renew(args) {
      const name = LEASE + stringArg(args, "lease");
      const until = await storage.get<number>(name);
      // Settled, or lapsed: renewing must not bring it back.
      if (until !== undefined && until > Date.now()) await storage.put({ [name]: Date.now() + LEASE_MS });
      return null;
    },
    async settle(args) {
      const now = Date.now();
      const tokens = optionalNumberArg(args, "tokens");
      if (tokens) {
        const today = TOKENS + dayOf(now);
        await storage.put({ [today]: ((await storage.get<number>(today)) ?? 0) + tokens });
        // Only today's count is ever read: earlier days go once a day.
        if (pruned !== today) {
          const past = [...(await storage.list<number>({ prefix: TOKENS })).keys()].filter((name) => name !== today);
          if (past.length) await storage.delete(past);
          pruned = today;
        }
      }
      const lease = optionalStringArg(args, "lease");
      if (lease) await storage.delete([LEASE + lease]);
      return null;
    },
    /** What the limits stand at now (for tests and operators). */
    async read() {
      const now = Date.now();
      return {
        day: dayOf(now),
        tokens: (await storage.get<number>(TOKENS + dayOf(now))) ?? 0,
        streams: (await openLeases(now)).length,
      };
    },
  };
}
