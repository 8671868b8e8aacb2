// A model's template made ready for requests: how it renders, which variables a request may set
// (template-variables.ts), and which special tokens request text may not spell
// (token-neutraliser.ts). The client resolves one per models-table entry that names a template.
import type { PromptRenderer } from "../types.ts";
import { builtInRenderers, TEMPLATE_VARIABLES, type TemplateName } from "./index.ts";
import { chatTemplateLiterals, chatTemplateVariables, compileChatTemplate, type SpecialTokens } from "./jinja.ts";
import { BUILT_IN_SPECIAL_TOKENS } from "./special-tokens.ts";
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
 * A chat_template compiled, with the tokens it names (its literals, its bos and eos tokens) added
 * to the built-in families' for what request text may not spell: its tokenizer is the model's.
 * Its variables are the operator's to declare (withVariables).
 */
export async function compileModelTemplate(source: string, tokens: SpecialTokens): Promise<CompiledTemplate> {
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
