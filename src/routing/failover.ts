// Which failures move a request to another deployment of its model. Only those of the upstream's
// capacity or health, before anything was passed on: what another copy could well serve.
import { BedrockEdgeError } from "../errors.ts";

/** `cold`: the copy is asleep (ModelNotReady); `failed`: throttled, broken or too slow. */
export type FailoverKind = "cold" | "failed";

export function failoverKind(error: unknown): FailoverKind | undefined {
  if (!(error instanceof BedrockEdgeError)) return undefined;
  if (error.fromBedrock) {
    if (error.bedrockError === "ModelNotReadyException") return "cold";
    // Throttling and quotas (429), the model's own timeout (408), Bedrock's 5xx.
    return error.status === 429 || error.status === 408 || error.status >= 500 ? "failed" : undefined;
  }
  // Ours: Bedrock unreachable or cut off, or a damaged answer (502), and our time limits (504).
  // Not our 500s: missing credentials or a broken template are the configuration's to fix.
  return error.status === 502 || error.status === 504 ? "failed" : undefined;
}
