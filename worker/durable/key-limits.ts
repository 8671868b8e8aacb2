// Exact, shared counts for a client key's limits: one Durable Object per key name holds the
// tokens its finished requests used today (UTC) and what its requests in flight hold.
//
// Tokens per day: a request's usage is known only once it has finished, so each request of a key
// with tokens_per_day reserves, when it is admitted, the most it is expected to use (its prompt's
// estimate plus its output limit: token-estimate.ts; one with no limit, on an imported model, is
// sent with what it reserved as its limit). A request is admitted while the tokens used
// today plus the reservations of the requests still in flight are below the limit; its own
// reservation need not fit (one large request never locks a key out). When it ends its reservation
// is replaced by what it used. So requests running at once cannot spend more than the day has left,
// and a key ends a day over its limit by at most about one request: the last one admitted (and by
// what the estimates fell short, should a template's own tokens make a prompt longer than its text).
//
// One day per request: a request is admitted against, reserves on and counts on one UTC day, the
// one admit() answers with: the day it began (that of its usage row), or today's if that day is
// over by the time the request reaches this object. It counts there even when it ends after
// 00:00 UTC (it adds to a day that is over, which no admission reads any more). Its reservation
// holds against that day's tokens alone, so that a request still running at midnight keeps
// nothing of the new day's.
//
// Each request in flight holds a lease: its reservation, and for a stream of a key with
// concurrent_streams, its place among the open streams. A lease lasts until its request ends,
// renewed every LEASE_RENEW_MS while the request is open (however long it runs: no timeout bounds
// a stream that keeps sending); one left behind by an isolate that died is no longer renewed, and
// lapses within LEASE_MS, reservation and place alike.
//
// A settlement may be tried again: a call can fail after the object ran it (its answer lost), and
// a settlement never applied would leave its lease holding until it lapsed. So settling leaves a
// mark of the lease, for SETTLED_MS: a settlement that finds it counts nothing, rather than the
// request's tokens twice. Marks are kept apart from the leases (SETTLED), which every admission
// lists: a key's admissions read what is in flight, not the last minute's requests.
import type { DurableObjectNamespace, DurableObjectState } from "../cloudflare.ts";
import {
  callDurable,
  type DurableMethods,
  optionalNumberArg,
  optionalStringArg,
  serveMethods,
  stringArg,
} from "./calls.ts";

/** A lease not renewed for this long no longer holds anything. */
const LEASE_MS = 15 * 60_000;

/** How often an open request renews its lease: three chances before it lapses. */
export const LEASE_RENEW_MS = LEASE_MS / 3;

/**
 * How long a settled lease's mark is kept: the proxy tries a settlement again within seconds,
 * inside ctx.waitUntil's 30 s. Lapsed marks are deleted at most once in this time, by a
 * settlement: a key serving 10 requests a second lists 600 of them a minute.
 */
const SETTLED_MS = 60_000;

/**
 * Retry-After when the tokens left are held by requests in flight: they free them as they finish,
 * most within seconds.
 */
const IN_FLIGHT_RETRY_S = 2;

const TOKENS = "tokens:";
const LEASE = "lease:";
/** A settled lease's mark, apart from the leases (an admission lists those). */
const SETTLED = "settled:";

/** What a request in flight holds, stored under LEASE + its id. */
interface Lease {
  /** When it lapses unless renewed. */
  until: number;
  /** Tokens reserved against tokens_per_day. */
  tokens: number;
  /** Whether it takes a place among the key's open streams (concurrent_streams). */
  stream: boolean;
  /** The day its request is counted on; unset on a lease stored before days were, which holds on any. */
  day?: string;
}

export type Admission =
  /** `day`: the day it was admitted against and holds its reservation on, which settle() must count it on. */
  | { ok: true; day: string }
  | { ok: false; limit: "tokens_per_day"; used: number; retryAfterS: number }
  | { ok: false; limit: "tokens_in_flight"; used: number; reserved: number; requests: number; retryAfterS: number }
  | { ok: false; limit: "concurrent_streams"; open: number; retryAfterS: number };

export interface AdmitRequest {
  tokensPerDay?: number;
  /** With tokensPerDay: the tokens this request reserves while it is in flight. */
  reserve?: number;
  /** For a stream: the key's limit of open streams. */
  concurrentStreams?: number;
  /** The request's id, under which it holds its lease (its reservation, its stream's place). */
  lease?: string;
  /**
   * The day (YYYY-MM-DD, UTC) the request began; default: today. It is admitted against that day,
   * or against today's if that day is over here (Admission's `day` says which).
   */
  day?: string;
}

export interface Settlement {
  /** Input plus output tokens of the finished request, when known. */
  tokens?: number;
  /** The lease admit() gave the request, now returned. */
  lease?: string;
  /**
   * The day its tokens count on, should its lease be gone: the `day` its admission answered;
   * default: today. A lease still stored counts them on the day it holds its reservation on.
   */
  day?: string;
}

export interface KeyLimitsClient {
  admit(key: string, request: AdmitRequest): Promise<Admission>;
  /** Keeps an open request's lease from lapsing (a lease already returned stays returned). */
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

/** The `day` argument, a YYYY-MM-DD day, or today's when absent (older callers). */
function dayArg(args: unknown, now: number): string {
  const day = optionalStringArg(args, "day");
  if (day === undefined) return dayOf(now);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(day)) throw new Error("day must be a YYYY-MM-DD day");
  return day;
}

function secondsToMidnight(time: number): number {
  const next = new Date(time);
  next.setUTCHours(24, 0, 0, 0);
  return Math.max(1, Math.ceil((next.getTime() - time) / 1000));
}

/**
 * Deletes `names`, at most 128 a call, storage's most: a longer list is refused whole, and the
 * leases an isolate left behind when it died (one a request in flight) can be more.
 */
async function deleteAll(storage: DurableObjectState["storage"], names: readonly string[]): Promise<void> {
  for (let at = 0; at < names.length; at += 128) await storage.delete(names.slice(at, at + 128));
}

/** A settled lease's mark (SETTLED + its name): when it lapses. */
function settledUntil(value: unknown): number | undefined {
  return typeof value === "number" ? value : undefined;
}

/**
 * A stored lease. Before reservations, a lease was only a stream's and was stored as the time it
 * lapses: such a lease still holds its stream's place, and no tokens. Anything else holds nothing.
 */
function leaseOf(value: unknown): Lease | undefined {
  if (typeof value === "number") return { until: value, tokens: 0, stream: true };
  if (value === null || typeof value !== "object") return undefined;
  const { until, tokens, stream, day } = value as Partial<Record<keyof Lease, unknown>>;
  if (typeof until !== "number") return undefined;
  const lease: Lease = { until, tokens: typeof tokens === "number" ? tokens : 0, stream: stream === true };
  if (typeof day === "string") lease.day = day;
  return lease;
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
  // When lapsed marks were last deleted: that lists them, so at most once in SETTLED_MS.
  let marksPruned = 0;

  const usedOn = async (day: string) => (await storage.get<number>(TOKENS + day)) ?? 0;

  /** The leases still held; lapsed ones (and any that cannot be read) are deleted. */
  async function openLeases(now: number): Promise<Lease[]> {
    const stored = await storage.list<unknown>({ prefix: LEASE });
    const open: Lease[] = [];
    const gone: string[] = [];
    for (const [name, value] of stored) {
      const lease = leaseOf(value);
      if (lease && lease.until > now) open.push(lease);
      else gone.push(name);
    }
    await deleteAll(storage, gone);
    return open;
  }

  /** The leases whose tokens hold against `day`'s. */
  const reservingOn = (leases: readonly Lease[], day: string) =>
    leases.filter((lease) => lease.tokens > 0 && (lease.day === undefined || lease.day === day));
  const reservedBy = (leases: readonly Lease[]) => leases.reduce((sum, lease) => sum + lease.tokens, 0);

  return {
    async admit(args): Promise<Admission> {
      const now = Date.now();
      const tokensPerDay = optionalNumberArg(args, "tokensPerDay");
      const streams = optionalNumberArg(args, "concurrentStreams");
      const lease = streams === undefined ? optionalStringArg(args, "lease") : stringArg(args, "lease");
      // The request's day, unless that day is over already: a request that began at 23:59:59 on a
      // spent day and reaches this object after 00:00 is asked against the new day, as a retry
      // would be. It is then counted on the new day too (the day answered below): counted on the
      // day it began, which no admission reads any more, it would be charged to no day at all.
      const day = [dayArg(args, now), dayOf(now)].sort().at(-1)!;
      const used = tokensPerDay === undefined ? 0 : await usedOn(day);
      if (tokensPerDay !== undefined && used >= tokensPerDay) {
        return { ok: false, limit: "tokens_per_day", used, retryAfterS: secondsToMidnight(now) };
      }
      if (tokensPerDay === undefined && streams === undefined) return { ok: true, day };
      const open = await openLeases(now);
      if (tokensPerDay !== undefined) {
        const reserving = reservingOn(open, day);
        const reserved = reservedBy(reserving);
        if (used + reserved >= tokensPerDay) {
          const requests = reserving.length;
          return { ok: false, limit: "tokens_in_flight", used, reserved, requests, retryAfterS: IN_FLIGHT_RETRY_S };
        }
      }
      if (streams !== undefined) {
        const openStreams = open.filter((held) => held.stream).length;
        if (openStreams >= streams) {
          return { ok: false, limit: "concurrent_streams", open: openStreams, retryAfterS: IN_FLIGHT_RETRY_S };
        }
      }
      if (lease) {
        const tokens = tokensPerDay === undefined ? 0 : (optionalNumberArg(args, "reserve") ?? 0);
        const held: Lease = { until: now + LEASE_MS, tokens, stream: streams !== undefined, day };
        // The answer need not wait until the write is durable: the next admission reads it from
        // this object's memory all the same, and a lease lost should the write fail only frees its
        // tokens and place early, as a lapsed one does.
        await storage.put({ [LEASE + lease]: held }, { allowUnconfirmed: true });
      }
      return { ok: true, day };
    },
    async renew(args) {
      const name = LEASE + stringArg(args, "lease");
      const lease = leaseOf(await storage.get<unknown>(name));
      const now = Date.now();
      // Settled, or lapsed: renewing must not bring it back.
      if (lease && lease.until > now) await storage.put({ [name]: { ...lease, until: now + LEASE_MS } });
      return null;
    },
    async settle(args) {
      const now = Date.now();
      const lease = optionalStringArg(args, "lease");
      let tokens: number | undefined;
      try {
        tokens = optionalNumberArg(args, "tokens");
      } catch (error) {
        // A count it cannot take (Infinity arrives as null) is refused, but its lease is returned
        // first: kept, its reservation would hold the key's tokens until the lease lapsed, 15
        // minutes of 429s for requests in flight that are not (numbers43 #1).
        if (lease) await storage.delete([LEASE + lease]);
        throw error;
      }
      // The day its lease holds its reservation on, the one admit() answered: counted on any other,
      // a request admitted against the new day would be charged to no day that is read. The
      // caller's day (that same answer) stands in for a lease that is gone, or stored without a day.
      const asked = dayArg(args, now);
      // Settled already: this is a settlement tried again, whose first answer was lost.
      const mark = lease === undefined ? undefined : settledUntil(await storage.get<unknown>(SETTLED + lease));
      if (mark !== undefined && mark > now) return null;
      const held = lease === undefined ? undefined : leaseOf(await storage.get<unknown>(LEASE + lease));
      const counted = TOKENS + (held?.day ?? asked);
      const used = tokens ? ((await storage.get<number>(counted)) ?? 0) + tokens : undefined;
      // Its tokens counted, its reservation returned and its mark left with no await between: the
      // writes are committed together, so no admission sees one without the others. A lease never
      // stored gets its mark too (its admission failed, the request ran): a settlement tried again
      // must find it.
      const writes: Promise<unknown>[] = [];
      const put: Record<string, number> = {};
      if (used !== undefined) put[counted] = used;
      if (lease) put[SETTLED + lease] = now + SETTLED_MS;
      if (used !== undefined || lease) writes.push(storage.put(put));
      if (lease) writes.push(storage.delete([LEASE + lease]));
      await Promise.all(writes);
      if (now - marksPruned >= SETTLED_MS) {
        marksPruned = now;
        const lapsed = [...(await storage.list<unknown>({ prefix: SETTLED }))]
          .filter(([, value]) => (settledUntil(value) ?? 0) <= now)
          .map(([name]) => name);
        await deleteAll(storage, lapsed);
      }
      // Only today's count is ever read: earlier days go once a day, but for the one just counted
      // (a request that ran past midnight, gone with the next day's pruning). Never a later day:
      // an isolate whose clock runs ahead may count on it already.
      const today = TOKENS + dayOf(now);
      if (used !== undefined && pruned !== today) {
        const past = [...(await storage.list<number>({ prefix: TOKENS })).keys()].filter(
          (name) => name < today && name !== counted,
        );
        await deleteAll(storage, past);
        pruned = today;
      }
      return null;
    },
    /** What the limits stand at now (for tests and operators). */
    async read() {
      const now = Date.now();
      const open = await openLeases(now);
      const day = dayOf(now);
      return {
        day,
        tokens: await usedOn(day),
        streams: open.filter((held) => held.stream).length,
        reserved: reservedBy(reservingOn(open, day)),
        requests: open.length,
      };
    },
  };
}
