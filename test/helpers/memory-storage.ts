// A Durable Object's storage in memory, as much of it as the proxy's objects use: KeyLimits run
// as they would in workerd, in a unit test.
import type { DurableObjectState } from "../../worker/cloudflare.ts";

const MOST_KEYS = 128;

/** A Durable Object's storage in memory, as much of it as KeyLimits uses. */
export function memoryStorage(): DurableObjectState["storage"] {
  const entries = new Map<string, unknown>();
  return {
    get: (async (key: string | string[]) =>
      Array.isArray(key)
        ? new Map(key.filter((name) => entries.has(name)).map((name) => [name, entries.get(name)]))
        : entries.get(key)) as DurableObjectState["storage"]["get"],
    // As Cloudflare's storage, at most 128 keys a call.
    async put(values) {
      if (Object.keys(values).length > MOST_KEYS) throw new RangeError("put: more than 128 keys");
      for (const [name, value] of Object.entries(values)) entries.set(name, value);
    },
    async delete(keys) {
      if (keys.length > MOST_KEYS) throw new RangeError("delete: more than 128 keys");
      return keys.filter((name) => entries.delete(name)).length;
    },
    list: (async ({ prefix }: { prefix: string }) =>
      new Map([...entries].filter(([name]) => name.startsWith(prefix)))) as DurableObjectState["storage"]["list"],
  };
}
