// The request-body bytes held at once by the requests in flight in this isolate (on Node, Deno
// and Bun, this process): each request's cost is bounded by its body's limit, but an isolate's
// 128 MB is shared by every request it serves, and past it every request and stream in it fails.
// So the heaviest are not let run together past MAX_BODY_BYTES_IN_FLIGHT (docs/SECURITY.md,
// "Bounded cost per request"). Module state on purpose: the memory is the isolate's, whichever
// env (configuration) a request came in by.
import { BedrockEdgeError } from "../src/index.ts";

/** One request's share of the account. */
export interface BodyHold {
  /**
   * Makes this request hold at least `bytes` (its bytes so far, as they come: counted once).
   * False, and nothing added, when other requests hold bytes and the total would pass the limit
   * with a body past ALWAYS_ADMITTED_BYTES: a request alone is always admitted (its own ceiling
   * is MAX_BODY_BYTES, or its model's max_body_bytes), and so is a small one.
   */
  reserve(bytes: number): boolean;
  /** Gives the bytes back; idempotent, and a released hold reserves nothing more. */
  release(): void;
}

export interface BodyBudget {
  /** A new request's hold, refused past `limit` (its configuration's MAX_BODY_BYTES_IN_FLIGHT). */
  hold(limit: number): BodyHold;
  /** The bytes held now. */
  held(): number;
}

/**
 * A body this small is never refused, only counted: what threatens an isolate is a few large
 * bodies, and refusing small ones would let a few large requests (a slow model's, or a tenant's
 * sent slowly on purpose) turn every other tenant's chat away (codereview51 U-01, U-02).
 */
export const ALWAYS_ADMITTED_BYTES = 256 * 1024;

export function bodyBudget(): BodyBudget {
  let total = 0;
  return {
    held: () => total,
    hold(limit) {
      let mine = 0;
      let released = false;
      return {
        reserve(bytes) {
          if (released || bytes <= mine) return true;
          const others = total - mine;
          if (bytes > ALWAYS_ADMITTED_BYTES && others > 0 && others + bytes > limit) return false;
          total += bytes - mine;
          mine = bytes;
          return true;
        },
        release() {
          if (released) return;
          released = true;
          total -= mine;
          mine = 0;
        },
      };
    },
  };
}

/** This isolate's account. */
export const bodiesInFlight: BodyBudget = bodyBudget();

/**
 * The 503 of a body refused by the account: the openai SDKs retry it, after Retry-After's second.
 * It names no one: the other requests may be other tenants'.
 */
export function serverBusy(): BedrockEdgeError {
  return new BedrockEdgeError({
    status: 503,
    type: "server_error",
    code: "server_busy",
    retryAfterMs: 1000,
    message:
      "Other large requests hold this proxy instance's memory for request bodies (MAX_BODY_BYTES_IN_FLIGHT) right now: retry in a moment.",
  });
}
