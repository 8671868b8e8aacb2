// A client's serving of the models it knows as several deployments: the router with its
// cool-down store, and for least_busy the requests in flight on each copy. The client loads this
// module on the first call of such a model (src/client.ts): a model of one deployment has nothing
// to route around, so who uses none never loads it.
import type { ModelDeployment, ModelDeployments } from "../model.ts";
import type { ItemStream } from "../stream-reader.ts";
import { type CooldownStore, memoryCooldownStore } from "./cooldowns.ts";
import { credentialsKey } from "./credentials-key.ts";
import { countInFlight, whenStreamEnds } from "./in-flight.ts";
import { createRouter, type Router } from "./router.ts";

export interface RoutingOptions {
  /** Where cool-downs are kept; default: in this client. */
  store: CooldownStore | undefined;
  cooldownMs: number;
}

/** A request's calls on the deployments of its model, in its routing's order: a router's own signature. */
export function serveDeployments({ store, cooldownMs }: RoutingOptions): Router {
  const inFlight = countInFlight();
  const route = createRouter({ store: store ?? memoryCooldownStore(), cooldownMs, busy: inFlight.count });
  // Copies with credentials of their own are keyed by them too (credentials-key.ts), once per
  // model, before its first request routes among them (the digest is WebCrypto's: asynchronous).
  const keyed = new WeakMap<ModelDeployments, Promise<unknown>>();
  const keyedOnce = (model: ModelDeployments) => {
    let done = keyed.get(model);
    if (!done) {
      done = Promise.all(
        model.deployments.map(async (deployment) => {
          deployment.key = await credentialsKey(deployment);
        }),
      );
      keyed.set(model, done);
    }
    return done;
  };
  return async (name, model, attempt, options) => {
    await keyedOnce(model);
    if (model.routing !== "least_busy") return route(name, model, attempt, options);
    // least_busy: a request is in flight on its deployment until its answer (or stream) ends.
    return route(
      name,
      model,
      async (deployment: ModelDeployment, failFast) => {
        const done = inFlight.start(name, deployment.key);
        try {
          const answer = await attempt(deployment, failFast);
          if (isStream(answer)) return whenStreamEnds(answer, done, options?.signal) as typeof answer;
          done();
          return answer;
        } catch (error) {
          done();
          throw error;
        }
      },
      options,
    );
  };
}

function isStream(answer: unknown): answer is ItemStream<unknown> {
  return typeof answer === "object" && answer !== null && Symbol.asyncIterator in answer;
}
