// What the failed attempts of a request cost. An attempt that fails after Bedrock answered some of
// its calls (a legacy Completions request of several) was billed for those, and its error says so
// (BedrockEdgeError's usage and unmeteredCalls): a request that moves on to another deployment
// must not lose that. An attempt Bedrock refused with its error answer cost nothing. Pure.
import { BedrockEdgeError, type UnmeteredCall } from "../errors.ts";
import type { Usage } from "../openai/types.ts";
import { makeUsage } from "../routes/usage.ts";

/** What attempts of a request that failed were billed (RequestOptions.onFailoverUsage). */
export interface FailoverUsageEvent {
  /** Bedrock's counts of the calls that answered, added up; undefined when none reported any. */
  usage?: Usage;
  /**
   * Calls without Bedrock's counts: streams stopped before their last frame (the chunks read),
   * plain calls answered without counts (their `text`), and calls sent that never answered (0 chunks).
   */
  unmeteredCalls?: UnmeteredCall[];
}

/**
 * Whether `error` is Bedrock's own error answer to a call, refusing it before its model ran (a
 * throttle, a cold model, a refusal of the request or of our credentials, a 5xx answer): Bedrock
 * bills none of these. Not an exception in a stream that had begun (the model had read the
 * prompt), nor the model's own failures: ModelTimeoutException (it ran past Bedrock's limit) and
 * ModelErrorException (it failed while it ran). A call whose connection was never made (unsent)
 * reached no model either.
 */
export function unbilledRefusal(error: unknown): boolean {
  if (!(error instanceof BedrockEdgeError) || error.inStream) return false;
  if (error.unsent) return true;
  if (error.bedrockError !== undefined && MODEL_RAN.has(error.bedrockError)) return false;
  return error.fromBedrock || error.bedrockError !== undefined;
}

/** Bedrock's exceptions that say the model had run when the call failed. */
const MODEL_RAN: ReadonlySet<string> = new Set(["ModelTimeoutException", "ModelErrorException"]);

/** What the attempts that failed with `errors` cost, added up; undefined when none cost anything. */
export function billedBy(errors: readonly unknown[]): FailoverUsageEvent | undefined {
  let prompt = 0;
  let completion = 0;
  let counted = false;
  const unmeteredCalls: UnmeteredCall[] = [];
  for (const error of errors) {
    if (!(error instanceof BedrockEdgeError)) continue;
    if (error.usage) {
      prompt += error.usage.prompt_tokens;
      completion += error.usage.completion_tokens;
      counted = true;
    }
    if (error.unmeteredCalls) unmeteredCalls.push(...error.unmeteredCalls);
  }
  if (!counted && unmeteredCalls.length === 0) return undefined;
  const billed: FailoverUsageEvent = {};
  if (counted) billed.usage = makeUsage(prompt, completion);
  if (unmeteredCalls.length) billed.unmeteredCalls = unmeteredCalls;
  return billed;
}

/** `error`, made to tell what every attempt of its request cost (its own attempt's and `earlier` ones'). */
export function chargedWithEarlier(error: unknown, earlier: readonly unknown[]): unknown {
  if (!(error instanceof BedrockEdgeError)) return error;
  const billed = billedBy([...earlier.filter((other) => other !== error), error]);
  if (billed?.usage) error.usage = billed.usage;
  if (billed?.unmeteredCalls) error.unmeteredCalls = billed.unmeteredCalls;
  return error;
}
