// An AWS access key id the proxy is given must be able to sign a call: IAM documents ids as 16-128
// word characters (its AccessKeyId pattern is [\w]+), and those it issues are capital letters and
// digits (AKIA… long-term, ASIA… temporary). Anything else is a placeholder left in
// (.dev.vars.example's `AKIA...`) or a value pasted into the wrong binding, and a temporary key
// without its session token is refused by every call: each is a configuration problem, said
// without the value (half a credential).
import { isAwsHost } from "../src/core.ts";

const ACCESS_KEY_ID = /^\w{16,128}$/;

/**
 * What is wrong with `keyId` and its session token, as the end of a sentence about the binding
 * (`AWS_ACCESS_KEY_ID …`); `token` names where the session token goes. Undefined when nothing is,
 * and whatever the id when `endpoint` (BEDROCK_ENDPOINT) is a SigV4 server other than AWS: only
 * AWS issues ids of that shape (LocalStack's credentials are `test`/`test`, a test double may sign
 * with the SigV4 suite's `AKIDEXAMPLE`).
 */
export function accessKeyIdProblem(
  keyId: string,
  sessionToken: string | undefined,
  token: string,
  endpoint: unknown,
): string | undefined {
  if (!signsForAws(endpoint)) return undefined;
  if (!ACCESS_KEY_ID.test(keyId)) {
    return "is not shaped like an AWS access key id (16-128 letters, digits or underscores, AKIA… or ASIA…): is it still a placeholder?";
  }
  if (keyId.startsWith("ASIA") && !sessionToken) {
    return `is a temporary key (ASIA…) but ${token} is not set: without its session token it signs no valid call`;
  }
  return undefined;
}

/**
 * Whether credentials sign for AWS itself: no BEDROCK_ENDPOINT, or one on an AWS host. One that is
 * no URL is a problem of its own; the id is still checked.
 */
function signsForAws(endpoint: unknown): boolean {
  if (typeof endpoint !== "string" || endpoint.trim() === "") return true;
  try {
    // Any partition's host, as the library knows them: Bedrock's default endpoints, and the VPC,
    // FIPS and dual-stack ones a BEDROCK_ENDPOINT may name.
    return isAwsHost(new URL(endpoint.trim()).hostname);
  } catch {
    return true;
  }
}
