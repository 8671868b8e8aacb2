// A helper Worker for tests/workerd/deployments.test.ts: the DeploymentCooldowns Durable Object as
// the proxy ships it, whose first `cooling` read answers only after 1.5 s, past the router's
// STORE_WAIT_MS (1 s): an object slow once (a cold start, a far colo, a busy object). The request
// that started that read is over before it answers, and workerd cancels an ended request's I/O.
// Every other call goes to DeploymentCooldowns at once.
import type { DurableObjectState } from "../../worker/cloudflare.ts";
import { DeploymentCooldowns } from "../../worker/durable/cooldowns.ts";

const FIRST_READ_MS = 1500;

export class SlowFirstReadCooldowns {
  readonly #cooldowns: DeploymentCooldowns;
  #slowed = false;

  constructor(state: DurableObjectState) {
    this.#cooldowns = new DeploymentCooldowns(state);
  }

  async fetch(request: Request): Promise<Response> {
    if (!this.#slowed && new URL(request.url).pathname === "/cooling") {
      this.#slowed = true;
      await new Promise((resolve) => setTimeout(resolve, FIRST_READ_MS));
    }
    return this.#cooldowns.fetch(request);
  }
}

export default {
  fetch: () => new Response("This Worker serves only its Durable Object.", { status: 404 }),
};
