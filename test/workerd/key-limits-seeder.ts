// A helper Worker for tests/workerd/tokens-in-flight.test.ts: the KeyLimits Durable Object as the
// proxy ships it, with one more door. POST /seed writes storage entries as given, to set up what
// the proxy's own calls cannot: a lease as older code stored it (a number), or one an isolate that
// died left behind, already lapsed. Every other call goes to KeyLimits unchanged.
import type { DurableObjectState } from "../../worker/cloudflare.ts";
import { KeyLimits } from "../../worker/durable/key-limits.ts";

export class SeededKeyLimits {
  readonly #state: DurableObjectState;
  readonly #limits: KeyLimits;

  constructor(state: DurableObjectState) {
    this.#state = state;
    this.#limits = new KeyLimits(state);
  }

  async fetch(request: Request): Promise<Response> {
    if (new URL(request.url).pathname !== "/seed") return this.#limits.fetch(request);
    await this.#state.storage.put((await request.json()) as Record<string, unknown>);
    return Response.json(null);
  }
}

export default {
  fetch: () => new Response("This Worker serves only its Durable Object.", { status: 404 }),
};
