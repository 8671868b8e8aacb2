// Bedrock's service tiers (the API reference's ServiceTier.type), known without loading the
// converse route: the check of a models table needs only the names (service-tier.ts maps them).

/** A Bedrock service tier: priority costs more than default, flex less; reserved is capacity bought ahead. */
export type BedrockServiceTier = "priority" | "default" | "flex" | "reserved";

const NAMES = { priority: true, default: true, flex: true, reserved: true } satisfies Record<BedrockServiceTier, true>;

export const BEDROCK_SERVICE_TIERS = Object.keys(NAMES) as BedrockServiceTier[];

/** The tiers a request may ask for when its model's entry does not say (service_tiers): none costs more than default. */
export const DEFAULT_SERVICE_TIERS: readonly BedrockServiceTier[] = ["default", "flex"];
