import { invalidRequest, shownText } from "../errors.ts";

// Regions become part of a host name: anything but the AWS shape is refused. The European
// Sovereign Cloud's start with "eusc", every other one with two letters.
const REGION = /^(?:[a-z]{2}|eusc)(?:-[a-z]+)+-\d{1,2}$/;

// A Bedrock model identifier: an ARN or a plain id. The whole id is one path segment after
// encoding, so the only traversal risk is an id of "." or "..", which the leading
// alphanumeric rules out; control characters, spaces and '%' are refused outright. Only an ARN
// holds a "/" (in its resource: imported-model/…, inference-profile/…, provisioned-model/…,
// custom-model/…/…); foundation-model, inference-profile and imported-model ids have none, so
// one elsewhere is refused here rather than by Bedrock's 400 at call time. \w is [A-Za-z0-9_]
// (written short: this module is in the main chunk, at its budget).
const MODEL_ID = /^(?:arn:[\w:./+-]{0,2044}|[^\W_][\w:.+-]{0,2047})$/;

export interface ParsedArn {
  partition: string;
  region: string;
}

/** Fields 2 and 4 of `arn:<partition>:bedrock:<region>:<account>:<resource>`, when it is one. */
export function parseArn(modelId: string): ParsedArn | undefined {
  if (!modelId.startsWith("arn:")) return undefined;
  const fields = modelId.split(":");
  if (fields.length < 6 || fields[2] !== "bedrock") return undefined;
  return { partition: fields[1] ?? "", region: fields[3] ?? "" };
}

/** What a region setting must be, wherever one is checked (an option, an entry, a deployment). */
export const REGION_SHAPE = "must look like us-east-1";

export function isValidRegion(region: unknown): boolean {
  return typeof region === "string" && REGION.test(region);
}

/**
 * The id, when it can be one: a 400 otherwise. `expected` is the form the caller was given the id
 * in (a model string's, the transport's own), so that the message points at what to fix.
 */
export function validateModelId(modelId: string, expected = "bedrock/<route>/<model-arn>"): string {
  if (!MODEL_ID.test(modelId)) {
    throw invalidRequest(
      `The model id must be 1-2048 letters, digits or :._/+-, the first a letter or digit, "/" only in an ARN (expected ${expected}).`,
      "model",
    );
  }
  return modelId;
}

/**
 * The explicit region, else the ARN's; either must look like an AWS region. An imported model
 * lives in its ARN's region only, so an explicit region that contradicts it is refused rather
 * than signed for and sent to the wrong place.
 */
export function resolveRegion(modelId: string, explicit?: string): string {
  const fromArn = parseArn(modelId)?.region;
  const region = explicit || fromArn;
  if (!region) {
    throw invalidRequest(
      "No region: set the `region` option, or use a model ARN (arn:aws:bedrock:<region>:…).",
      "model",
    );
  }
  // The explicit region's shape first: one that is no region is what to fix, whatever the ARN says.
  checkedRegion(region);
  if (explicit && fromArn && explicit !== fromArn) {
    throw invalidRequest(
      `The model's ARN is in ${shownText(fromArn, 40, "a region", false)} but the region setting says ${explicit.slice(0, 40)}: a model ARN can only be called in its own region.`,
      "region",
    );
  }
  return region;
}

/** The region, if it has a region's shape: it becomes part of a host name. */
function checkedRegion(region: string): string {
  if (!isValidRegion(region)) {
    throw invalidRequest(`${shownText(region, 40)} is not an AWS region (expected e.g. us-east-1).`, "region");
  }
  return region;
}

// The region names its partition, and the partition its DNS suffix, as AWS's endpoint rules
// match them: by the region's first one or two parts. The rest (aws, aws-us-gov) use
// amazonaws.com. From the region alone, so that a bare model id goes where its ARN would.
export const SUFFIXES = new Map([
  ["cn", "amazonaws.com.cn"],
  ["eusc", "amazonaws.eu"],
  ["us-iso", "c2s.ic.gov"],
  ["us-isob", "sc2s.sgov.gov"],
  ["us-isof", "csp.hci.ic.gov"],
  ["eu-isoe", "cloud.adc-e.uk"],
]);

/**
 * The default Bedrock Runtime base URL for a region, in the region's partition. The region becomes
 * part of the host: anything but a region's shape is refused, so that no caller of this export
 * (bedrock-edge/core) can make it name a host outside AWS.
 */
export function bedrockBaseUrl(region: string): string {
  const [first = "", second] = checkedRegion(region).split("-");
  const suffix = SUFFIXES.get(first) ?? SUFFIXES.get(`${first}-${second}`) ?? "amazonaws.com";
  return `https://bedrock-runtime.${region}.${suffix}`;
}

/**
 * Validates an `endpoint` override once: http(s), no query or fragment, no trailing slash. A bare
 * "?" or "#" leaves search and hash empty, yet each call's path would go after it: the href tells.
 */
export function normaliseEndpoint(endpoint: string): string {
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    throw new TypeError(`endpoint "${endpoint}" is not a URL`);
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    throw new TypeError(`endpoint must be http(s), got ${url.protocol}`);
  }
  if (/[?#]/.test(url.href) || url.username || url.password) {
    throw new TypeError("endpoint must not carry a query, a fragment or credentials");
  }
  return url.href.replace(TRAILING_SLASHES, "");
}

// Slashes that end a text, matched only where their run begins: `/\/+$/` tried again at every
// slash of a run that does not end the text, so 40,000 slashes before a letter took a second.
const TRAILING_SLASHES = /(?<!\/)\/+$/;
