// The model ids Converse and ConverseStream take, and how they carry the emulator's options.
//
//   anthropic.claude-3-5-haiku-20241022-v1:0            a foundation model
//   us.amazon.nova-pro-v1:0                              a cross-region inference profile (us, eu, apac, global…)
//   arn:aws:bedrock:us-east-1::foundation-model/<id>
//   arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.<id>
//   arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/<12 characters>
//   arn:aws:bedrock:us-east-1:123456789012:provisioned-model/<12 characters>
//   arn:aws:bedrock:us-east-1:123456789012:imported-model/<format>[.<option>]*   (the emulator's own)
//
// Options follow the id after `+` signs (`us.amazon.nova-pro-v1:0+think+throttle1`): no real
// Bedrock id contains a `+`, and bedrock-edge's model-id check lets it through. Imported-model
// ARNs keep their `.<option>` form. An application inference profile or a provisioned model may
// take one more: the foundation model (or cross-region profile) id it serves
// (`…:application-inference-profile/a1b2c3d4e5f6+anthropic.claude-sonnet-4-5-20250929-v1:0`), which
// real Bedrock knows from the resource; requests are then checked as that model's. Pure functions.

import {
  ARN_PARTITION_REGION,
  type ModelFormat,
  type ModelIdOption,
  type ModelOptions,
  parseModelId,
  parseOptions,
} from "./model-id.ts";

export type ConverseModelKind =
  | "foundation-model"
  | "inference-profile"
  | "application-inference-profile"
  | "provisioned-model"
  | "imported-model";

export interface ConverseTarget extends ModelOptions {
  /** The id as received, options included. */
  modelId: string;
  kind: ConverseModelKind;
  /** The id without the emulator's options; answers name it. */
  name: string;
  /** An ARN's region: the request must be signed for it. Bare ids run in any region. */
  region?: string;
  /** Imported models: the emulator format behind the ARN. */
  format?: ModelFormat;
  /** Application profiles and provisioned models: the foundation (or profile) id they serve, when the id says. */
  serves?: string;
}

// Providers whose models Bedrock serves through Converse.
const PROVIDERS = [
  "ai21",
  "amazon",
  "anthropic",
  "cohere",
  "deepseek",
  "google",
  "meta",
  "minimax",
  "mistral",
  "moonshot",
  "moonshotai",
  "nvidia",
  "openai",
  "qwen",
  "writer",
].join("|");
const GEOGRAPHIES = "us|eu|apac|global|us-gov|jp|au|ca";
// provider.name-version[:n[:context]], e.g. anthropic.claude-3-sonnet-20240229-v1:0:28k
const FOUNDATION = `(?:${PROVIDERS})\\.[a-z0-9](?:[a-z0-9.-]*[a-z0-9])?(?::[a-z0-9]+){0,2}`;
const FOUNDATION_ID = new RegExp(`^${FOUNDATION}$`);
const PROFILE_ID = new RegExp(`^(?:${GEOGRAPHIES})\\.${FOUNDATION}$`);
const ARN_PREFIX = ARN_PARTITION_REGION;
const FOUNDATION_ARN = new RegExp(`^${ARN_PREFIX}:foundation-model/(${FOUNDATION})$`);
const PROFILE_ARN = new RegExp(`^${ARN_PREFIX}\\d{12}:inference-profile/((?:${GEOGRAPHIES})\\.${FOUNDATION})$`);
const RESOURCE_ARN = new RegExp(
  `^${ARN_PREFIX}\\d{12}:(application-inference-profile|provisioned-model)/[a-z0-9]{12}$`,
);

/** Parses a Converse model id; `undefined` when the emulator does not know it (404). */
export function parseConverseModelId(modelId: string): ConverseTarget | undefined {
  const imported = parseModelId(modelId);
  if (imported) {
    const { partition: _partition, account: _account, ...options } = imported;
    return { ...options, kind: "imported-model", name: imported.format };
  }
  const [name = "", ...optionNames] = modelId.split("+");
  const base = baseOf(name);
  // No option name has a dot: one that is a model id names the model a resource serves.
  const served = optionNames.filter((option) => FOUNDATION_ID.test(option) || PROFILE_ID.test(option));
  const [serves] = served;
  if (
    served.length > 1 ||
    (serves && base?.kind !== "application-inference-profile" && base?.kind !== "provisioned-model")
  ) {
    return undefined;
  }
  const options = parseOptions(serves ? optionNames.filter((option) => option !== serves) : optionNames);
  if (!base || !options) return undefined;
  return serves ? { ...options, ...base, modelId, name, serves } : { ...options, ...base, modelId, name };
}

function baseOf(id: string): { kind: ConverseModelKind; region?: string } | undefined {
  if (FOUNDATION_ID.test(id)) return { kind: "foundation-model" };
  if (PROFILE_ID.test(id)) return { kind: "inference-profile" };
  const foundation = FOUNDATION_ARN.exec(id);
  if (foundation) return { kind: "foundation-model", region: foundation[2] ?? "" };
  const profile = PROFILE_ARN.exec(id);
  if (profile) return { kind: "inference-profile", region: profile[2] ?? "" };
  const resource = RESOURCE_ARN.exec(id);
  if (resource?.[3] === "application-inference-profile" || resource?.[3] === "provisioned-model") {
    return { kind: resource[3], region: resource[2] ?? "" };
  }
  return undefined;
}

/** Builds a Converse model id with options: `converseModelId("us.amazon.nova-pro-v1:0", ["think"])`. */
export function converseModelId(id: string, options: readonly ModelIdOption[] = []): string {
  return [id, ...options].join("+");
}
