// chat_template_kwargs: the template variables a request may set. A Jinja chat template sees each
// kwarg as a variable, so a request free to set any of them could replace the template's own
// inputs (messages, tools, add_generation_prompt), its special tokens (bos_token, eos_token), or
// turn on whatever the template keeps behind a flag; vLLM treats a client's chat_template as a
// vulnerability, and kwargs are the same door. A request sets only the variables its template is
// known to read: a built-in template's own (qwen3's enable_thinking), those the operator declares
// for a custom chat_template or an openai-route model (client_template_kwargs), never a reserved one.
import { characterCount, cutName, invalidRequest, wordsWithin } from "../errors.ts";
import { RESERVED_TEMPLATE_VARIABLES } from "./setting-names.ts";

/** The variables of the template a model renders with that a request may set. */
export interface TemplateVariables {
  settable: readonly string[];
  /** What reads them, completing "… lets a request set": "the qwen3 template". */
  template: string;
  /** The settable ones are the operator's choice (client_template_kwargs), not the template's own. */
  declared?: boolean;
  /**
   * The variables the template reads (absent: the settable ones, a built-in template's own): where
   * a fixed value mapped from a standard OpenAI parameter may go, declared or not (qwen3's
   * enable_thinking from reasoning_effort, completion-route.ts).
   */
  reads?: readonly string[];
}

/**
 * The request's chat_template_kwargs limited to the settable variables: any other is a 400 naming
 * it (`chat_template_kwargs.bos_token`), or left out when `drop` (drop_params).
 */
export function checkTemplateKwargs(
  kwargs: Record<string, unknown> | undefined,
  variables: TemplateVariables,
  drop: boolean,
): Record<string, unknown> | undefined {
  if (kwargs === undefined) return undefined;
  const kept: [string, unknown][] = [];
  for (const [name, value] of Object.entries(kwargs)) {
    if (variables.settable.includes(name) && !RESERVED_TEMPLATE_VARIABLES.includes(name)) {
      kept.push([name, value]);
    } else if (!drop) {
      throw invalidRequest(refusal(name, variables), kwargsParam(name), "unsupported_parameter");
    }
  }
  // Own members: an operator may declare `__proto__` (a valid variable name), which assigned to
  // `{}` would set the prototype and be no variable at all (inputcost34 #2).
  return Object.fromEntries(kept);
}

/**
 * A chat_template_kwargs variable as a message names it: the client's name, cut between words only
 * (errors.ts), or told by its length (`a chat_template_kwargs name of 100000 characters`).
 */
export function shownKwargsName(name: string): string {
  const named = wordsWithin(name, SHOWN_NAME);
  return named === undefined
    ? `a chat_template_kwargs name of ${characterCount(name)} characters`
    : `chat_template_kwargs.${named}`;
}

/** The same variable as an error's `param` names it, the name shortened. */
export function kwargsParam(name: string): string {
  return `chat_template_kwargs.${cutName(name, SHOWN_NAME)}`;
}

const SHOWN_NAME = 64;

function refusal(name: string, { settable, template, declared }: TemplateVariables): string {
  const field = shownKwargsName(name);
  const fix = "Remove it, or set drop_params to drop it.";
  if (RESERVED_TEMPLATE_VARIABLES.includes(name)) {
    return `${field} cannot come from a request: the template's inputs, special tokens and helpers are the server's. ${fix}`;
  }
  const takes = settable.length ? `it takes ${settable.join(", ")}` : "it takes none";
  const whose = declared ? " The model's client_template_kwargs setting lists the variables a request may set." : "";
  return `${field} is not a variable ${template} lets a request set (${takes}).${whose} ${fix}`;
}
