// What every endpoint passes to a library call: the client's departure as the abort signal, a
// retry hook that counts retries for the log line and notices a model waking up, the deployment
// that served (x-bedrock-edge-deployment, and the log line with how many were tried), what the
// attempts on the deployments before it were billed (the line counts them), how each try that
// was retried or failed over ended (tokens_per_day counts those that may have cost work), which
// copy was left for which error code (the line's failovers), and which calls of a request of
// several went out (the others never reached Bedrock).
import type { RequestOptions } from "../src/index.ts";
import type { AppContext } from "./context.ts";
import { noteFailover } from "./log.ts";

export interface UpstreamCall {
  options: Required<
    Pick<RequestOptions, "signal" | "onRetry" | "onDeployment" | "onFailoverUsage" | "onFailover" | "onCallSent">
  >;
  /** Resolves when Bedrock says the model is not ready yet (a cold imported model). */
  waking: Promise<void>;
}

export function upstreamCall(c: AppContext): UpstreamCall {
  const log = c.get("log");
  let wake: () => void = () => undefined;
  const waking = new Promise<void>((resolve) => (wake = resolve));
  return {
    waking,
    options: {
      signal: c.get("clientGone"),
      onRetry(event) {
        log.tryFailed(
          event.error,
          event.delayMs,
          event.prompt === undefined ? undefined : { prompt: event.prompt, texts: event.texts },
        );
        log.line.retries = (log.line.retries ?? 0) + 1;
        if (event.error.bedrockError === "ModelNotReadyException") wake();
      },
      onDeployment(event) {
        log.sent();
        log.line.deployment = event.index;
        log.line.deployments_tried = event.tried;
      },
      onFailoverUsage(event) {
        log.addFailedAttempts(event);
      },
      onFailover(event) {
        // Told for the last copy too: the next copy, if any, goes out only after the cool-down is
        // written (up to a second) and its body built: onDeployment, just before its call, says
        // when it is out. What the copy was billed counts should the line be written first.
        log.failedOver(event.error);
        // Why the copy was left, by its code alone (daytwo49 #7: deployments_tried said only how many).
        noteFailover(log.line, event.index, event.error);
      },
      onCallSent(event) {
        log.callSent(event);
      },
    },
  };
}
