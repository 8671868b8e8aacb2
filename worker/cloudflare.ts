// The Cloudflare bindings the proxy uses, typed by what it calls on them (no dependency on
// @cloudflare/workers-types, whose globals clash with the DOM's). Bindings reach the proxy as
// values of unknown type; these guards say whether one is what its name promises.

/** A Durable Object namespace binding ([[durable_objects.bindings]]). */
export interface DurableObjectNamespace {
  idFromName(name: string): unknown;
  get(id: unknown): { fetch(input: string, init?: RequestInit): Promise<Response> };
}

/** What a Durable Object's constructor is given: its storage (SQLite-backed here). */
export interface DurableObjectState {
  storage: {
    get<T>(keys: string[]): Promise<Map<string, T>>;
    get<T>(key: string): Promise<T | undefined>;
    put(entries: Record<string, unknown>, options?: { allowUnconfirmed?: boolean }): Promise<void>;
    delete(keys: string[]): Promise<number>;
    list<T>(options: { prefix: string }): Promise<Map<string, T>>;
  };
}

/** A Rate Limiting binding ([[ratelimits]]): its limit and period are fixed in wrangler.toml. */
export interface RateLimiter {
  limit(options: { key: string }): Promise<{ success: boolean }>;
}

/** A D1 database binding ([[d1_databases]]). */
export interface D1Database {
  prepare(sql: string): D1Statement;
}

export interface D1Statement {
  bind(...values: (string | number | null)[]): D1Statement;
  run(): Promise<unknown>;
  all<Row>(): Promise<{ results: Row[] }>;
}

function hasMethods(value: unknown, ...names: string[]): boolean {
  if (value === null || typeof value !== "object") return false;
  return names.every((name) => typeof Reflect.get(value, name) === "function");
}

export function isDurableObjectNamespace(value: unknown): value is DurableObjectNamespace {
  return hasMethods(value, "idFromName", "get");
}

export function isRateLimiter(value: unknown): value is RateLimiter {
  return hasMethods(value, "limit");
}

export function isD1Database(value: unknown): value is D1Database {
  return hasMethods(value, "prepare", "exec");
}
