// Per-model settings: what an entry of a models table (the `models` option, the proxy's MODELS)
// may set besides its model string and region. Each setting is one entry here, and each route
// lists the settings it honours (`Route.settings`): parseModels refuses a setting the entry's
// route does not honour, so nothing configured is ever silently ignored.
//
// A new setting is one entry here plus the routes that read it. For example a body format for
// the template routes:
//
//   wire_format: {
//     schema: v.picklist(["bedrock_completion", "openai_completion"]),
//     does: "chooses the body format Bedrock is sent",
//   },
//
// then "wire_format" goes into the settings of completion-route.ts, whose buildBody reads
// `settings.wire_format`. Types (ModelConfig, ModelSettings) and checks follow from this table.
import * as v from "valibot";
import { TEMPLATE_NAMES } from "./routes/prompts/index.ts";

const MAX_BODY_BYTES = "max_body_bytes must be a whole number of bytes, at least 1024";

interface SettingSpec {
  /** The value's schema; the setting itself is always optional. */
  schema: v.GenericSchema;
  /** What the setting does, completing "template, which …" in the message that refuses it. */
  does: string;
}

export const MODEL_SETTINGS = {
  template: {
    schema: v.picklist(TEMPLATE_NAMES, `must be one of ${TEMPLATE_NAMES.join(", ")}`),
    does: "renders the prompt with another built-in chat template than the route's own",
  },
  chat_template: {
    schema: v.pipe(v.string(), v.minLength(1)),
    does: "renders the prompt with the model's own Jinja chat template (from its tokenizer_config.json)",
  },
  bos_token: { schema: v.string(), does: "gives a chat_template its bos_token" },
  eos_token: { schema: v.string(), does: "gives a chat_template its eos_token" },
  drop_params: {
    schema: v.boolean(),
    does: "drops request parameters the route cannot honour instead of refusing them",
  },
  max_body_bytes: {
    schema: v.pipe(v.number(MAX_BODY_BYTES), v.integer(MAX_BODY_BYTES), v.minValue(1024, MAX_BODY_BYTES)),
    does: "sets the proxy's request body limit for this model (a vision model's images need more)",
  },
} as const satisfies Record<string, SettingSpec>;

export type ModelSettingName = keyof typeof MODEL_SETTINGS;

/** The settings' valibot entries, each optional: the part of a model entry's schema they make. */
type ModelSettingEntries = {
  [Name in ModelSettingName]: v.OptionalSchema<(typeof MODEL_SETTINGS)[Name]["schema"], undefined>;
};

export const MODEL_SETTING_ENTRIES = Object.fromEntries(
  Object.entries(MODEL_SETTINGS).map(([name, setting]) => [name, v.optional(setting.schema)]),
) as ModelSettingEntries;

/** Every setting's value, as validated. */
export type ModelSettingValues = v.InferOutput<v.ObjectSchema<ModelSettingEntries, undefined>>;

export function isModelSettingName(key: string): key is ModelSettingName {
  return Object.hasOwn(MODEL_SETTINGS, key);
}
