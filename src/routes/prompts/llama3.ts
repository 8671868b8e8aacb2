// The Llama 3 family's chat templates, rendered with add_generation_prompt=True:
// - llama3: Meta-Llama-3-8B/70B-Instruct (3.0), no tool format;
// - llama3_1: Llama 3.1 and 3.3 Instruct (3.3 ships the very same template), JSON tool calling;
// - llama3_2: Llama 3.2 text Instruct (1B, 3B), the same tool calling, today's date, no built-in tools.
// The forced-call opening lives here, next to the templates; the tokens the answer parser reads
// back (routes/tool-syntax.ts) are in special-tokens.ts.

import { invalidRequest } from "../../errors.ts";
import type { FunctionTool } from "../../openai/types.ts";
import type { PromptInput } from "../types.ts";
import type { ForcedCallFormat } from "../forced-call.ts";
import { type TemplateMessage, type TemplateToolCall, textOnly, toTemplateMessages } from "./messages.ts";
import { pythonJsonDumps, pythonStrip, pythonTruthy } from "./python.ts";
import { END_HEADER, EOT, LLAMA_BOS as BOS, START_HEADER } from "./special-tokens.ts";

/**
 * The chat_template_kwargs the Llama 3.1 and 3.2 renderers read. `custom_tools` and `builtin_tools`
 * are not among them: they would offer tools the request does not list (checkKwargs refuses them).
 */
export const LLAMA31_VARIABLES: readonly string[] = ["date_string", "tools_in_user_message"];

function noTools(param: string) {
  return invalidRequest(
    `${param} cannot be rendered: the llama3 chat template (Llama 3.0) has no tool format. For a Llama 3.1, ` +
      '3.2 or 3.3 model set its template to "llama3_1" or "llama3_2" (the llama route\'s default is llama3_1), ' +
      "or give the model's own chat_template.",
    param,
  );
}

function header(role: string): string {
  return `${START_HEADER}${role}${END_HEADER}\n\n`;
}

/**
 * Llama 3.0: `<|begin_of_text|>` + one header block per message, text trimmed as Jinja's `trim`
 * does. Its template has no tool format: tools are a 400 that says which template has one.
 */
export function renderLlama3Prompt(input: PromptInput): string {
  if (input.tools !== undefined && input.tools.length > 0) throw noTools("tools");
  input.messages.forEach((message, index) => {
    if (message.role === "tool") throw noTools(`messages[${index}].role`);
    if (message.role === "assistant" && (message.tool_calls?.length ?? 0) > 0) {
      throw noTools(`messages[${index}].tool_calls`);
    }
  });

  const messages = toTemplateMessages(input.messages, textOnly("llama3"));
  let prompt = messages.length > 0 ? BOS : "";
  for (const message of messages) prompt += `${header(message.role)}${pythonStrip(message.content ?? "")}${EOT}`;
  return prompt + header("assistant");
}

/** Llama 3.1 and 3.3 Instruct. */
export function renderLlama31Prompt(input: PromptInput): string {
  return renderJsonToolsPrompt(input, "llama3_1", () => LLAMA31_DATE);
}

/**
 * Llama 3.2 text Instruct. Its template dates the prompt with `strftime_now("%d %b %Y")`, which
 * transformers and vLLM call at render time: without `chat_template_kwargs.date_string`, the date
 * is today's, in UTC (the clock a Worker has).
 */
export function renderLlama32Prompt(input: PromptInput): string {
  return renderJsonToolsPrompt(input, "llama3_2", () => formatTemplateDate(new Date()));
}

/** The date the 3.1 template writes when the caller gives none. */
const LLAMA31_DATE = "26 Jul 2024";
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/** Python's `strftime("%d %b %Y")` in the C locale, in UTC: `05 Mar 2025`. */
function formatTemplateDate(date: Date): string {
  return `${String(date.getUTCDate()).padStart(2, "0")} ${MONTHS[date.getUTCMonth()]} ${date.getUTCFullYear()}`;
}

const RESPOND_IN_FORMAT =
  'Respond in the format {"name": function name, "parameters": dictionary of argument name and its value}.' +
  "Do not use variables.\n\n";
const TOOLS_IN_SYSTEM =
  "You have access to the following functions. To call a function, please respond with JSON for a function call." +
  RESPOND_IN_FORMAT;
const TOOLS_IN_USER =
  "Given the following functions, please respond with a JSON for a function call " +
  "with its proper arguments that best answers the given prompt.\n\n" +
  RESPOND_IN_FORMAT;

type JsonToolsTemplate = "llama3_1" | "llama3_2";

/**
 * The 3.1/3.2 templates, byte for byte, for everything they accept:
 * - a first system (or developer) message moves into the system turn, after "Environment: ipython"
 *   (only when tools are offered) and the knowledge and today's dates;
 * - tools go, each as `json.dumps(tool, indent=4)`, into the first message after it (whatever its
 *   role: the template takes it as the user's) unless `tools_in_user_message` is false, then into
 *   the system turn;
 * - an assistant tool call is `{"name": …, "parameters": …}`; a tool result is an `ipython` turn
 *   whose text is written as a JSON string (Jinja finds a string `iterable`, so `tojson` quotes it).
 * Where the templates refuse (raise_exception), this renderer answers: several tool calls in one
 * assistant message are joined with `; `, the syntax the answer parser reads (Llama 3.2 and 3.3
 * write parallel calls that way), and an empty `tool_calls` list is no call; tools with no message
 * after the system one are a 400, as the template's own error.
 */
function renderJsonToolsPrompt(input: PromptInput, name: JsonToolsTemplate, defaultDate: () => string): string {
  const kwargs = checkKwargs(input.kwargs, name);
  const tools = input.tools !== undefined && input.tools.length > 0 ? input.tools : undefined;
  const toolsInUser = kwargs.tools_in_user_message === undefined || pythonTruthy(kwargs.tools_in_user_message);
  let messages = toTemplateMessages(input.messages, textOnly(name));

  let system = "";
  if (messages[0]?.role === "system") {
    system = pythonStrip(templateText(messages[0].content));
    messages = messages.slice(1);
  }
  let prompt = BOS + header("system");
  if (tools) prompt += "Environment: ipython\n";
  prompt += `Cutting Knowledge Date: December 2023\nToday Date: ${kwargs.date_string ?? defaultDate()}\n\n`;
  if (tools && !toolsInUser) prompt += TOOLS_IN_SYSTEM + toolsJson(tools);
  prompt += system + EOT;

  if (tools && toolsInUser) {
    const first = messages[0];
    if (!first) {
      throw invalidRequest(
        `messages has no message after the system one, where the ${name} template puts the tools: add a user ` +
          "message, or set chat_template_kwargs.tools_in_user_message to false.",
        "messages",
      );
    }
    messages = messages.slice(1);
    prompt += header("user") + TOOLS_IN_USER + toolsJson(tools) + pythonStrip(templateText(first.content)) + EOT;
  }
  for (const message of messages) prompt += turn(message);
  return prompt + header("assistant");
}

function turn(message: TemplateMessage): string {
  if (message.role === "tool") return `${header("ipython")}${pythonJsonDumps(message.content ?? "")}${EOT}`;
  if (message.toolCalls.length > 0) return `${header("assistant")}${message.toolCalls.map(callJson).join("; ")}${EOT}`;
  return `${header(message.role)}${pythonStrip(templateText(message.content))}${EOT}`;
}

/** `{"name": "…", "parameters": <arguments | tojson>}`, as the template writes a call. */
function callJson(call: TemplateToolCall): string {
  return `{"name": "${call.name}", "parameters": ${call.argumentsJson ?? pythonJsonDumps(call.argumentsText)}}`;
}

function toolsJson(tools: readonly FunctionTool[]): string {
  return tools.map((tool) => `${pythonJsonDumps(tool, 4)}\n\n`).join("");
}

/** Jinja renders a missing content (an assistant turn of tool calls only) as Python's `None`. */
function templateText(content: string | null): string {
  return content ?? "None";
}

interface LlamaKwargs {
  date_string?: string;
  tools_in_user_message?: unknown;
}

/**
 * The template variables these templates read. `custom_tools` and (3.1) `builtin_tools` would offer
 * tools the request's `tools` do not list, so the answer could not be read back: refused.
 */
function checkKwargs(kwargs: Record<string, unknown>, name: JsonToolsTemplate): LlamaKwargs {
  const refused = name === "llama3_1" ? ["custom_tools", "builtin_tools"] : ["custom_tools"];
  for (const key of refused) {
    if (kwargs[key] !== undefined) {
      throw invalidRequest(
        `chat_template_kwargs.${key} is not supported: offer every function in tools, so the model's calls can be read back.`,
        `chat_template_kwargs.${key}`,
      );
    }
  }
  const date = kwargs.date_string;
  if (date !== undefined && typeof date !== "string") {
    throw invalidRequest(
      `chat_template_kwargs.date_string must be a string such as "${LLAMA31_DATE}".`,
      "chat_template_kwargs.date_string",
    );
  }
  return { date_string: date, tools_in_user_message: kwargs.tools_in_user_message };
}

/**
 * A forced call opens with the JSON the templates teach, up to the function's name (required) or
 * up to its arguments (a named function); the arguments object is followed by the call's `}`.
 */
export const llamaForcedCalls: ForcedCallFormat = {
  lead: "",
  opening: (name) => (name === undefined ? '{"name": "' : `{"name": "${name}", "parameters": `),
  closing: "}",
  nameEnds: [],
};
