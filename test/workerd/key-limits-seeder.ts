// A helper Worker for tests/workerd/tokens-in-flight.test.ts: the KeyLimits Durable Object as the
// proxy ships it, with two more doors. POST /seed writes storage entries as given, to set up what
// the proxy's own calls cannot: a lease as older code stored it (a number), or one an isolate that
// died left behind, already lapsed. POST /admitted tells the leases admitted so far and what each
// reserved (a request that answers at once holds its lease too briefly to be seen in a read).
// Every other call goes to KeyLimits unchanged.
import type { DurableObjectState } from "../../worker/cloudflare.ts";
import { KeyLimits } from "../../worker/durable/key-limits.ts";

export class SeededKeyLimits {
  readonly #state: DurableObjectState;
  readonly #limits: KeyLimits;
  // In memory: the object lives for the test that reads it.
  readonly #admitted: { lease: string; reserve?: number }[] = [];

  constructor(state: DurableObjectState) {
    this.#state = state;
    this.#limits = new KeyLimits(state);
  }

  async fetch(request: Request): Promise<Response> {
    const door = new URL(request.url).pathname;
    if (door === "/admitted") return Response.json(this.#admitted);
    if (door === "/admit") {
      const { lease, reserve } = (await request.clone().json()) as { lease: string; reserve?: number };
      this.#admitted.push({ lease, reserve });
    }
    if (door !== "/seed") return this.#limits.fetch(request);
    await this.#state.storage.put((await request.json()) as Record<string, unknown>);
    return Response.json(null);
  }
}

export default {
  fetch: () => new Response("This Worker serves only its Durable Object.", { status: 404 }),
};
