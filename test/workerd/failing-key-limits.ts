// A helper Worker for test/workerd/key-limits-failures.test.ts: the KeyLimits Durable Object as the
// proxy ships it, whose first call to one method fails, as a call to a Durable Object can (leases45
// #1). LostAdmitAnswer runs the first admit, then answers 500 (its answer lost: Cloudflare documents
// that a call can fail after the object ran it). LostSettleAnswer does so with the first settle.
// OverloadedSettle throws on the first settle before running it. Every other call goes to KeyLimits.
import type { DurableObjectState } from "../../worker/cloudflare.ts";
import { KeyLimits } from "../../worker/durable/key-limits.ts";

/** KeyLimits whose first call to `method` fails: `after` the object ran it, or before. */
function failingOnce(method: string, after: boolean) {
  return class {
    readonly #limits: KeyLimits;
    #failed = false;

    constructor(state: DurableObjectState) {
      this.#limits = new KeyLimits(state);
    }

    async fetch(request: Request): Promise<Response> {
      const fails = !this.#failed && new URL(request.url).pathname === `/${method}`;
      if (!fails) return this.#limits.fetch(request);
      this.#failed = true;
      if (!after) throw new Error("Durable Object is overloaded.");
      await this.#limits.fetch(request);
      return new Response("Network connection lost.", { status: 500 });
    }
  };
}

export const LostAdmitAnswer = failingOnce("admit", true);
export const LostSettleAnswer = failingOnce("settle", true);
export const OverloadedSettle = failingOnce("settle", false);

export default {
  fetch: () => new Response("This Worker serves only its Durable Objects.", { status: 404 }),
};
