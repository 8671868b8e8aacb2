// A model's template made ready for requests: how it renders, which variables a request may set
// (template-variables.ts), and which special tokens request text may not spell
// (token-neutraliser.ts). The client resolves one per models-table entry that names a template.
import type { PromptRenderer } from "../types.ts";
import { builtInRenderers, TEMPLATE_VARIABLES, type TemplateName } from "./index.ts";
import { chatTemplateLiterals, chatTemplateVariables, compileChatTemplate, type SpecialTokens } from "./jinja.ts";
import { BUILT_IN_SPECIAL_TOKENS, EOS, EOT, IM_END, LLAMA_BOS, R1_BOS } from "./special-tokens.ts";
import type { RouteName } from "../index.ts";
import type { TemplateVariables } from "../template-variables.ts";
import {
  BUILT_IN_TEMPLATE_NEUTRALISER,
  type RequestNeutraliser,
  requestNeutraliser,
  THINK_TAGS,
  tokensInTemplateText,
} from "./token-neutraliser.ts";

export interface ModelTemplate {
  render: PromptRenderer;
  variables: TemplateVariables;
  neutraliser: RequestNeutraliser;
}

/** A chat_template compiled, before its model declares the variables a request may set. */
export interface CompiledTemplate extends Omit<ModelTemplate, "variables"> {
  /** The variables it reads (chatTemplateVariables). */
  reads: readonly string[];
}

export function builtInTemplate(name: TemplateName): ModelTemplate {
  return {
    render: builtInRenderers[name],
    variables: { settable: TEMPLATE_VARIABLES[name], template: `the ${name} template` },
    // The `template` setting is a completion route's: the built-in template renders the prompt.
    neutraliser: BUILT_IN_TEMPLATE_NEUTRALISER,
  };
}

/**
 * The bos_token and eos_token of each template route's family, as its models' official
 * tokenizer_config.json names them (DeepSeek-R1-Distill's, Llama 3.x Instruct's, Qwen2.5 and Qwen3
 * Instruct's: Qwen's bos_token is null). A chat_template gets them where the model's settings
 * name none, so that an official template pasted as it is writes the BOS the route's built-in
 * template writes.
 */
const FAMILY_TOKENS: Partial<Record<RouteName, SpecialTokens>> = {
  deepseek_r1: { bos_token: R1_BOS, eos_token: EOS },
  llama: { bos_token: LLAMA_BOS, eos_token: EOT },
  qwen3: { eos_token: IM_END },
  qwen2: { eos_token: IM_END },
};

/**
 * A chat_template compiled for a route, its bos_token and eos_token the settings' or else the
 * route family's (FAMILY_TOKENS), with the tokens it names (its literals, its bos and eos tokens) added
 * to the built-in families' for what request text may not spell: its tokenizer is the model's.
 * Its variables are the operator's to declare (withVariables).
 */
export async function compileModelTemplate(
  source: string,
  settings: SpecialTokens,
  route: RouteName,
): Promise<CompiledTemplate> {
  // A setting wins, "" (none) included.
  const family = FAMILY_TOKENS[route];
  const tokens = {
    bos_token: settings.bos_token ?? family?.bos_token,
    eos_token: settings.eos_token ?? family?.eos_token,
  };
  const [render, literals, reads] = await Promise.all([
    compileChatTemplate(source, tokens),
    chatTemplateLiterals(source),
    chatTemplateVariables(source),
  ]);
  const named = [...tokensInTemplateText(literals), tokens.bos_token ?? "", tokens.eos_token ?? ""];
  return {
    render,
    reads,
    neutraliser: requestNeutraliser([...BUILT_IN_SPECIAL_TOKENS, ...named], THINK_TAGS, { shapes: true }),
  };
}

/** A compiled chat_template with the variables its model's client_template_kwargs declares. */
export function withVariables(
  { reads, ...compiled }: CompiledTemplate,
  declared: readonly string[] = [],
): ModelTemplate {
  return {
    ...compiled,
    variables: { settable: declared, template: "this model's chat_template", declared: true, reads },
  };
}
