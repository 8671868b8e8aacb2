// A Durable Object's storage in memory, as much of it as the proxy's objects use: KeyLimits run
// as they would in workerd, in a unit test.
import type { DurableObjectState } from "../../worker/cloudflare.ts";

/** A Durable Object's storage in memory, as much of it as KeyLimits uses. */
export function memoryStorage(): DurableObjectState["storage"] {
  const entries = new Map<string, unknown>();
  return {
    get: (async (key: string | string[]) =>
      Array.isArray(key)
        ? new Map(key.filter((name) => entries.has(name)).map((name) => [name, entries.get(name)]))
        : entries.get(key)) as DurableObjectState["storage"]["get"],
    async put(values) {
      for (const [name, value] of Object.entries(values)) entries.set(name, value);
    },
    async delete(keys) {
      return keys.filter((name) => entries.delete(name)).length;
    },
    list: (async ({ prefix }: { prefix: string }) =>
      new Map([...entries].filter(([name]) => name.startsWith(prefix)))) as DurableObjectState["storage"]["list"],
  };
}
