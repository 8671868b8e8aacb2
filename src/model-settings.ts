// Per-model settings: what an entry of a models table (the `models` option, the proxy's MODELS)
// may set besides its model string and region. Each setting is a field of ModelSettingValues
// (its type and meaning) and an entry of MODEL_SETTINGS (its check and what it does), and each
// route lists the settings it honours (`Route.settings`): parseModels refuses a setting the
// entry's route does not honour, so nothing configured is ever silently ignored.
//
// A new setting is a field and an entry here (the compiler insists on both), plus the routes
// that read it. For example a body format for the template routes:
//
//   /** The body format Bedrock is sent. */
//   wire_format?: "bedrock_completion" | "openai_completion";
//
//   wire_format: {
//     schema: v.picklist(["bedrock_completion", "openai_completion"]),
//     does: "chooses the body format Bedrock is sent",
//   },
//
// then "wire_format" goes into the settings of completion-route.ts, whose buildBody reads
// `settings.wire_format`. The models-table schema and its refusals follow from this table.
// (The types are written out rather than inferred from the schemas: JSR's fast type checks want
// a public API with explicit types, and the field docs show in editors.)
import * as v from "valibot";
import {
  BEDROCK_SERVICE_TIERS,
  type BedrockServiceTier,
  RESERVED_TEMPLATE_VARIABLES,
  TEMPLATE_NAMES,
  type TemplateName,
  WIRE_FORMAT_NAMES,
} from "./routes/setting-names.ts";
import { TOOL_PARSER_NAMES, type ToolParserName } from "./routes/tool-parser-names.ts";
import { MAX_ANSWERS, MAX_BODY_BYTES_CEILING, MAX_OUTPUT_TOKENS as REQUEST_OUTPUT_TOKENS } from "./request-bounds.ts";
import type { WireFormatName } from "./routes/wire-formats/types.ts";

// The ceiling is the most one request may hold in a Worker's isolate (request-bounds.ts).
// A deployment that followed older docs (16 MiB) is told what to set, and what it loses (codereview48b #3).
const MAX_BODY_BYTES = `must be a whole number of bytes, at least 1024, at most ${MAX_BODY_BYTES_CEILING} (8 MiB, the most one request may hold in a Worker's 128 MB): set it to ${MAX_BODY_BYTES_CEILING} or less (earlier versions took more); a body larger than that, its media too, is refused with a 413`;
// A model's token settings are bounded by what a request may ask: max_tokens is at most 1,000,000
// (request-bounds.ts, the request schemas' bound), so a cap past it (an extra zero) would be sent as
// every unset request's limit, for Bedrock to refuse naming a max_tokens the client never set
// (numbers43 #3). A budget leaves room for the answer after it (thinking-tokens.ts's
// ANSWER_TOKENS_AFTER_THINKING, 4096, not imported: that module loads with the converse route),
// so that the limit it makes is no more than a request may ask either.
const MAX_OUTPUT_TOKENS_SETTING = REQUEST_OUTPUT_TOKENS;
const MAX_REASONING_BUDGET = MAX_OUTPUT_TOKENS_SETTING - 4096;
const REASONING_BUDGET = `must be a whole number of tokens, at least 1024 (Claude's smallest thinking budget), at most ${MAX_REASONING_BUDGET} (${MAX_OUTPUT_TOKENS_SETTING} less the answer's 4096)`;
const MAX_N = `must be a whole number from 1 to ${MAX_ANSWERS}`;
const MAX_OUTPUT_TOKENS = `must be a whole number of tokens, at least 1, at most ${MAX_OUTPUT_TOKENS_SETTING} (as max_tokens)`;
const SERVICE_TIER = `must be one of Bedrock's service tiers: ${BEDROCK_SERVICE_TIERS.join(", ")}`;
const VARIABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;

/** The per-model settings of a models table entry. */
export interface ModelSettingValues {
  /** Render the prompt with another built-in template than the route's own (imported models are often fine-tunes). */
  template?: TemplateName | undefined;
  /** The model's own Jinja chat template (from its tokenizer_config.json). */
  chat_template?: string | undefined;
  /** Special tokens a `chat_template` refers to. */
  bos_token?: string | undefined;
  eos_token?: string | undefined;
  /** Ignore parameters the route cannot honour instead of answering 400. */
  drop_params?: boolean | undefined;
  /**
   * The proxy's request body limit for this model, in bytes, instead of its MAX_BODY_BYTES (a
   * vision model's images need more). The library itself ignores it.
   */
  max_body_bytes?: number | undefined;
  /** converse: the model's own request fields, passed as Converse's additionalModelRequestFields. */
  additional_model_request_fields?: Record<string, unknown> | undefined;
  /** converse: a Bedrock guardrail applied to every call (Converse's guardrailConfig). */
  guardrail_config?: GuardrailConfig | undefined;
  /** converse: reasoning on by default, with this many thinking tokens (a level for level-based families). */
  reasoning_budget?: number | undefined;
  /**
   * converse and embed: the foundation model an id that names none serves (an application inference
   * profile, a provisioned model), e.g. `anthropic.claude-sonnet-4-5-20250929-v1:0`: the route
   * decides by its family (reasoning, stops, caching, tools; an embedding model's body and answer)
   * as for that id, and still calls the model's own.
   */
  foundation_model?: string | undefined;
  /**
   * converse: the Bedrock service tier (Converse's serviceTier) a request is served in when its
   * service_tier says none or "auto"; unset, Bedrock's default tier.
   */
  service_tier?: BedrockServiceTier | undefined;
  /**
   * converse: the tiers a request's service_tier may ask for, default ["default", "flex"]: priority
   * costs more than the standard rate, and reserved serves from capacity reserved ahead.
   */
  service_tiers?: readonly BedrockServiceTier[] | undefined;
  /**
   * converse: Bedrock's latency-optimized inference for every call ("optimized", Converse's
   * performanceConfig.latency), on the models and regions that offer it; "standard" is Bedrock's default.
   */
  latency?: "standard" | "optimized" | undefined;
  /**
   * What becomes of a model's special tokens spelled in request text (`<|im_start|>` in a user
   * message or a tool result): "escape" (the default) neutralises them so they can never become
   * control tokens; "keep" sends the text byte for byte.
   */
  special_tokens?: "escape" | "keep" | undefined;
  /** The most choices (`n`) one request may ask for; more is a 400. */
  max_n?: number | undefined;
  /** The most tokens one answer may have: a larger limit is a 400, no limit means this one. */
  max_output_tokens?: number | undefined;
  /**
   * The chat_template_kwargs a request may set: variables of this model's own chat_template, or of
   * the template an openai-route model applies itself. Built-in templates take their own only.
   */
  client_template_kwargs?: readonly string[] | undefined;
  /**
   * The body format a template route sends its prompt in: Bedrock's own BedrockCompletion
   * (`prompt` + `max_gen_len`, the default, which every import speaks) or OpenAICompletion
   * (`prompt` + `max_tokens`, imports made after 2025-11-11), which carries n, seed, penalties,
   * logprobs and structured_outputs.
   */
  wire_format?: WireFormatName | undefined;
  /**
   * The openai route: the markup of tool calls the model writes as text in `content` (Bedrock
   * parses calls server-side only for some imports), read into `tool_calls`.
   */
  tool_parser?: ToolParserName | undefined;
}

/** Bedrock's guardrailConfig, as the guardrail_config setting holds it. */
export interface GuardrailConfig {
  guardrailIdentifier: string;
  guardrailVersion: string;
  trace?: "enabled" | "disabled" | "enabled_full" | undefined;
  /** ConverseStream only: whether the guardrail checks the stream before or beside it. */
  streamProcessingMode?: "sync" | "async" | undefined;
}

export type ModelSettingName = keyof ModelSettingValues;

interface SettingSpec<Value> {
  /** The value's check; the setting itself is always optional. */
  schema: v.GenericSchema<unknown, Value>;
  /** What the setting does, completing "template, which …" in the message that refuses it. */
  does: string;
}

type SettingSpecs = { [Name in ModelSettingName]-?: SettingSpec<NonNullable<ModelSettingValues[Name]>> };

// AWS's patterns for a guardrail (GuardrailIdentifier, GuardrailVersion in Bedrock Runtime's
// model), anchored, no two repeats side by side that could match the same characters: linear-time.
// A value off them is refused when the models table is loaded, not by Bedrock on every call.
const GUARDRAIL_IDENTIFIER = /^(?:[a-z0-9]+|arn:aws(?:-[^:]+)?:bedrock:[a-z0-9-]{1,20}:\d{12}:guardrail\/[a-z0-9]+)$/;
const GUARDRAIL_IDENTIFIER_RULE = "must be lowercase letters and digits, or a guardrail's ARN";
const GUARDRAIL_VERSION = /^(?:[1-9]\d{0,7}|DRAFT)$/;
const GUARDRAIL_VERSION_RULE = "must be 1 to 99999999 or DRAFT";

const AMRF = "must be a JSON object of the model's own request fields";

export const MODEL_SETTINGS: SettingSpecs = {
  template: {
    schema: v.picklist(TEMPLATE_NAMES, `must be one of ${TEMPLATE_NAMES.join(", ")}`),
    does: "renders the prompt with another built-in chat template than the route's own",
  },
  chat_template: {
    schema: v.pipe(v.string(), v.minLength(1)),
    does: "renders the prompt with the model's own Jinja chat template",
  },
  bos_token: { schema: v.string(), does: "gives a chat_template its bos_token" },
  eos_token: { schema: v.string(), does: "gives a chat_template its eos_token" },
  drop_params: {
    schema: v.boolean(),
    does: "drops request parameters the route cannot honour instead of refusing them",
  },
  max_body_bytes: {
    schema: v.pipe(
      v.number(MAX_BODY_BYTES),
      v.integer(MAX_BODY_BYTES),
      v.minValue(1024, MAX_BODY_BYTES),
      v.maxValue(MAX_BODY_BYTES_CEILING, MAX_BODY_BYTES),
    ),
    does: "sets the proxy's request body limit for this model",
  },
  additional_model_request_fields: {
    // record() takes an array too, as an empty object (specfuzz46b #1): refused before it, and
    // anything else not an object by record() itself.
    schema: v.pipe(
      v.custom<unknown>((fields) => !Array.isArray(fields), AMRF),
      v.record(v.string(), v.unknown(), AMRF),
    ),
    does: "passes the model's own request fields to Converse (additionalModelRequestFields)",
  },
  guardrail_config: {
    schema: v.strictObject(
      {
        guardrailIdentifier: v.pipe(v.string(), v.regex(GUARDRAIL_IDENTIFIER, GUARDRAIL_IDENTIFIER_RULE)),
        guardrailVersion: v.pipe(v.string(), v.regex(GUARDRAIL_VERSION, GUARDRAIL_VERSION_RULE)),
        trace: v.optional(v.picklist(["enabled", "disabled", "enabled_full"])),
        streamProcessingMode: v.optional(v.picklist(["sync", "async"])),
      },
      "must be Bedrock's guardrailConfig: { guardrailIdentifier, guardrailVersion, trace?, streamProcessingMode? }",
    ),
    does: "applies a Bedrock guardrail to every call (guardrailConfig)",
  },
  reasoning_budget: {
    schema: v.pipe(
      v.number(REASONING_BUDGET),
      v.integer(REASONING_BUDGET),
      v.minValue(1024, REASONING_BUDGET),
      v.maxValue(MAX_REASONING_BUDGET, REASONING_BUDGET),
    ),
    does: "turns reasoning on by default with this many thinking tokens",
  },
  // Checked against the model id by the route (route-info.ts checkModel).
  foundation_model: { schema: v.string(), does: "names the model an opaque id serves" },
  service_tier: {
    schema: v.picklist(BEDROCK_SERVICE_TIERS, SERVICE_TIER),
    does: "chooses the Bedrock service tier a request is served in unless it asks for one",
  },
  service_tiers: {
    // Readonly, so that a list kept `as const` goes in.
    schema: v.pipe(v.array(v.picklist(BEDROCK_SERVICE_TIERS, SERVICE_TIER)), v.readonly()),
    does: "lists the Bedrock service tiers a request may ask for",
  },
  latency: {
    schema: v.picklist(["standard", "optimized"], 'must be "standard" or "optimized"'),
    does: "asks Bedrock for latency-optimized inference (performanceConfig)",
  },
  special_tokens: {
    schema: v.picklist(["escape", "keep"], 'must be "escape" or "keep"'),
    does: "chooses whether special tokens in request text are neutralised or kept",
  },
  max_n: {
    schema: v.pipe(v.number(MAX_N), v.integer(MAX_N), v.minValue(1, MAX_N), v.maxValue(MAX_ANSWERS, MAX_N)),
    does: "caps the choices (n) one request may ask for",
  },
  max_output_tokens: {
    schema: v.pipe(
      v.number(MAX_OUTPUT_TOKENS),
      v.integer(MAX_OUTPUT_TOKENS),
      v.minValue(1, MAX_OUTPUT_TOKENS),
      v.maxValue(MAX_OUTPUT_TOKENS_SETTING, MAX_OUTPUT_TOKENS),
    ),
    does: "caps the tokens one answer may have",
  },
  client_template_kwargs: {
    schema: v.pipe(
      v.array(
        v.pipe(
          v.string(),
          v.regex(VARIABLE_NAME, "must be a template variable name (letters, digits, _)"),
          v.check(
            (name) => !RESERVED_TEMPLATE_VARIABLES.includes(name),
            (issue) =>
              `must not be ${JSON.stringify(issue.input)}: the template's inputs, special tokens and helpers are the server's to set`,
          ),
        ),
      ),
      v.readonly(),
    ),
    does: "lists the chat_template_kwargs a request may set",
  },
  wire_format: {
    schema: v.picklist(WIRE_FORMAT_NAMES, `must be one of ${WIRE_FORMAT_NAMES.join(", ")}`),
    does: "chooses the body format the route sends its rendered prompt in",
  },
  tool_parser: {
    schema: v.picklist(TOOL_PARSER_NAMES, `must be one of ${TOOL_PARSER_NAMES.join(", ")}`),
    does: "reads tool calls the model writes as text, where the model applies its own chat template",
  },
};

/** The settings' valibot entries, each optional: the part of a model entry's schema they make. */
type SettingEntries = {
  [Name in ModelSettingName]-?: v.OptionalSchema<SettingSpecs[Name]["schema"], undefined>;
};

export const MODEL_SETTING_ENTRIES = Object.fromEntries(
  Object.entries(MODEL_SETTINGS).map(([name, setting]) => [name, v.optional(setting.schema)]),
) as SettingEntries;

export function isModelSettingName(key: string): key is ModelSettingName {
  return Object.hasOwn(MODEL_SETTINGS, key);
}
