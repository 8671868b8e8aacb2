// Where failing deployments rest. A deployment that throttles, fails or sleeps is skipped for a
// while (its cool-down) by every request that can go elsewhere. The store decides how far that
// knowledge is shared: this client alone (the default, kept in memory), or every isolate of a
// Worker (the proxy keeps it in a Durable Object: ARCHITECTURE.md, "Deployments and routing").

/**
 * Cool-downs of the deployments of a models table entry. `name` is the entry's public name and
 * `key` a deployment's identity (its model id, region and, for a copy with credentials of its own, a
 * digest naming them: ModelDeployment.key): a store may shard by name.
 */
export interface CooldownStore {
  /** Of `keys`, the ones cooling down now, each with when it may be used again (ms since the epoch). */
  cooling(name: string, keys: readonly string[]): Promise<Record<string, number>>;
  /** The deployment failed: skip it until `until` (ms since the epoch). */
  coolDown(name: string, key: string, until: number): Promise<void>;
  /** The deployment answered again: it is no longer cooling down. */
  recover(name: string, key: string): Promise<void>;
}

/** Cool-downs kept in this process (per isolate in a Worker): the default store. */
export function memoryCooldownStore(now: () => number = Date.now): CooldownStore {
  const until = new Map<string, number>();
  const id = (name: string, key: string) => `${name}\u0000${key}`;
  return {
    async cooling(name, keys) {
      const out: Record<string, number> = {};
      const time = now();
      for (const key of keys) {
        const end = until.get(id(name, key));
        if (end === undefined) continue;
        // Expired entries go as they are met: the map holds at most the deployments in use.
        if (end > time) out[key] = end;
        else until.delete(id(name, key));
      }
      return out;
    },
    async coolDown(name, key, end) {
      until.set(id(name, key), end);
    },
    async recover(name, key) {
      until.delete(id(name, key));
    },
  };
}
