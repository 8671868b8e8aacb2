// Sends a request to the deployments of its model until one serves it. A request moves on
// before anything was passed back: a plain call until its answer, a stream until its first
// chunk (an attempt resolves only then, so streams never switch after the first byte).
//
// - Every deployment but the last is tried once, failing fast: throttling, 5xx, timeouts and a
//   sleeping copy move the request on at once, and the failing copy cools down for a while.
// - The last one gets the transport's full patience (retries with backoff, waiting for a cold
//   model), as a model of one deployment always has.
// - Except when a copy was found asleep: then a warm one may still come, so the last is tried
//   fast too, and only when none served is the first sleeping copy waited for, as today.
// - What a failed attempt was billed (some calls of a legacy Completions request answered) is
//   not lost: told to onFailoverUsage when another copy serves, added to the error when none does
//   (or told to onFailoverUsage when that error is not the library's, an abort's reason).
import { BedrockEdgeError } from "../errors.ts";
import type { ModelDeployment, ModelDeployments } from "../model.ts";
import { billedBy, chargedWithEarlier, type FailoverUsageEvent } from "./attempt-usage.ts";
import type { CooldownStore } from "./cooldowns.ts";
import { failoverKind } from "./failover.ts";
import { orderDeployments } from "./order.ts";

export interface DeploymentEvent {
  /** The deployment's index in its entry's `deployments` (0 for a model of one deployment). */
  index: number;
  /** How many deployments this request has been sent to so far, this one included. */
  tried: number;
}

/**
 * A deployment's try that failed over, the request moving on to another, or failing with it when
 * it was the last tried (RequestOptions.onFailover). Not the second try of the first sleeping
 * deployment, sent when none served: its failure is the request's error.
 */
export interface FailoverEvent {
  /** The deployment that failed, by its index in its entry's `deployments`. */
  index: number;
  /** Why: Bedrock's own error answer (a throttle, a cold copy, a 5xx) or ours (a timeout, a lost connection). */
  error: BedrockEdgeError;
}

/** One try of the request on one deployment; `failFast` while others remain to be tried. */
export type DeploymentAttempt<T> = (deployment: ModelDeployment, failFast: boolean) => Promise<T>;

export interface RouterOptions {
  store: CooldownStore;
  /** How long a failing deployment is skipped. */
  cooldownMs: number;
  /** Requests in flight on a deployment (least_busy). */
  busy: (name: string, key: string) => number;
  now?: () => number;
  random?: () => number;
}

/** What a router takes of the request's options (a client's RequestOptions have both). */
export interface RouteOptions {
  onDeployment?: (event: DeploymentEvent) => void;
  /**
   * Told what the attempts that failed cost, once: when another deployment serves, or when the
   * request ends in an error that is not the library's (RequestOptions').
   */
  onFailoverUsage?: (event: FailoverUsageEvent) => void;
  /**
   * Told each deployment's try that failed over, and why, before its cool-down is written; not the
   * sleeping deployment's second try (RequestOptions').
   */
  onFailover?: (event: FailoverEvent) => void;
  /** The request's signal: the router stops waiting for its store when it aborts. */
  signal?: AbortSignal;
}

export type Router = <T>(
  name: string,
  model: ModelDeployments,
  attempt: DeploymentAttempt<T>,
  options?: RouteOptions,
) => Promise<T>;

// The longest a request waits for the cool-down store (a Durable Object, a Redis): past it, or
// once the request is aborted, it goes on as if the store had failed, which never fails a request.
const STORE_WAIT_MS = 1000;

/** The store's answer, or undefined when it failed, came too late, or the request was aborted. */
function fromStore<T>(work: Promise<T>, signal: AbortSignal | undefined): Promise<T | undefined> {
  if (signal?.aborted) {
    work.catch(() => undefined);
    return Promise.resolve(undefined);
  }
  return new Promise((resolve) => {
    const settle = (value: T | undefined) => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", late);
      resolve(value);
    };
    const late = () => settle(undefined);
    const timer = setTimeout(late, STORE_WAIT_MS);
    signal?.addEventListener("abort", late, { once: true });
    work.then(settle, late);
  });
}

export function createRouter(options: RouterOptions): Router {
  const { store, cooldownMs } = options;
  const now = options.now ?? Date.now;
  const random = options.random ?? Math.random;

  return async (name, model, attempt, { onDeployment, onFailoverUsage, onFailover, signal } = {}) => {
    const { deployments } = model;
    // Deployments, not sends: waiting for a sleeping copy sends to it a second time.
    const sentTo = new Set<number>();
    const send = <T>(deployment: ModelDeployment, failFast: boolean, run: DeploymentAttempt<T>) => {
      sentTo.add(deployment.index);
      onDeployment?.({ index: deployment.index, tried: sentTo.size });
      return run(deployment, failFast);
    };
    // One deployment: nothing to route around, so nothing to remember either.
    if (deployments.length === 1) return send(deployments[0]!, false, attempt);

    const keys = deployments.map((deployment) => deployment.key);
    // A store that cannot be read (or not in time) must not fail the request: route as if
    // nothing rested. An abort meanwhile ends the request before anything is sent.
    const cooling = (await fromStore(store.cooling(name, keys), signal)) ?? {};
    signal?.throwIfAborted();
    const order = orderDeployments(deployments, {
      routing: model.routing,
      cooling,
      now: now(),
      busy: (key) => options.busy(name, key),
      random,
    });
    const rested = new Set(Object.keys(cooling));
    // The errors of the attempts that moved the request on: what they cost is told when a copy
    // serves, and added to the error thrown when none does.
    const failed: unknown[] = [];
    // Told once: a hook that throws after a copy served does not hear it again from the catch below.
    let told = false;
    const tell = () => {
      const billed = told ? undefined : billedBy(failed);
      told = true;
      if (billed) onFailoverUsage?.(billed);
    };
    const served = async <T>(deployment: ModelDeployment, value: T) => {
      if (rested.has(deployment.key)) await fromStore(store.recover(name, deployment.key), signal);
      tell();
      return value;
    };

    try {
      let cold: ModelDeployment | undefined;
      for (const [position, deployment] of order.entries()) {
        const last = position === order.length - 1;
        try {
          return await served(deployment, await send(deployment, !last || cold !== undefined, attempt));
        } catch (error) {
          const kind = failoverKind(error);
          if (!kind || !(error instanceof BedrockEdgeError)) throw error;
          if (kind === "cold") cold ??= deployment;
          // Told before the cool-down is written (up to a second with a store), the last copy's too:
          // its try is over, and a caller who counts tries out must not count it while the write runs.
          onFailover?.({ index: deployment.index, error });
          failed.push(error);
          await fromStore(store.coolDown(name, deployment.key, now() + cooldownMs), signal);
          // A request aborted during the write goes no further: no copy is tried, nor told tried.
          signal?.throwIfAborted();
          rested.add(deployment.key);
        }
      }
      // No copy was warm: wait for the first sleeping one, which the first call began to wake.
      if (cold) return served(cold, await send(cold, false, attempt));
      throw failed.at(-1);
    } catch (error) {
      if (error instanceof BedrockEdgeError) throw chargedWithEarlier(error, failed);
      // An error with no counts of its own (an abort's reason, a fault): what the failed copies
      // cost is told as when a copy serves, not lost with it.
      tell();
      throw error;
    }
  };
}
