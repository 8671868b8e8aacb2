// Forced tool calls on template routes (`tool_choice: "required"` or a named function). A prompt
// cannot order a model to call, but the assistant turn can be prefilled with the family's call
// opening, so the model's only way on is the rest of a call. The same prefill is fed to the answer
// splitter before the model's text, so the answer reads as the call it continues; it is never
// returned to the client, and a model that answers text anyway gets its own text back, not a call.
// An answer held to a format (response_format, structured_outputs) gets the same lead without a
// call: guided decoding starts at the prompt's end, so on a family whose prompt opens a think block
// the held answer could never close it, and would read as reasoning.
import { invalidRequest } from "../errors.ts";
import type { ChatCompletionRequest, FunctionTool } from "../openai/types.ts";

/** How one model family opens a forced call (each family module defines its own, next to its tokens). */
export interface ForcedCallFormat {
  /**
   * What the assistant turn needs before a call, or before an answer held to a format: an empty
   * think block for families that think, so the model calls (or answers) at once. Any part of it
   * the prompt already ends with is not repeated.
   */
  lead: string;
  /** The call up to the function's name (`name` undefined: any function) or up to its arguments. */
  opening(name: string | undefined): string;
  /** What closes a call after its arguments object. */
  closing: string;
}

/** A call the request forces: any function, or the one named. */
export interface ForcedCall {
  name?: string;
}

/**
 * The call `tool_choice` forces, or undefined when it forces none. A forced call needs tools, and
 * a named function must be one of them: else a 400 naming tool_choice.
 */
export function forcedCall(request: ChatCompletionRequest): ForcedCall | undefined {
  const choice = request.tool_choice;
  if (choice === undefined || choice === "auto" || choice === "none") return undefined;
  const names = (request.tools ?? []).map((tool) => tool.function.name);
  if (choice === "required") {
    if (names.length === 0) {
      throw invalidRequest('tool_choice "required" needs at least one function in tools.', "tool_choice");
    }
    return {};
  }
  const name = choice.function.name;
  if (!names.includes(name)) {
    const offered = names.length ? `tools offers ${names.map((n) => `"${n}"`).join(", ")}` : "tools is empty";
    throw invalidRequest(
      `tool_choice names the function "${name.slice(0, 128)}", which is not in tools (${offered}).`,
      "tool_choice",
    );
  }
  return { name };
}

/**
 * The whole prefill, as the answer splitter reads it before the model's text: the lead and the
 * call's opening, or the lead alone (`call` undefined: an answer held to a format, not a call).
 */
export function callPrefill(format: ForcedCallFormat, call?: ForcedCall): string {
  return format.lead + (call ? format.opening(call.name) : "");
}

/** What to append to `prompt` so that it ends with the whole prefill (`call` as for callPrefill). */
export function promptPrefill(prompt: string, format: ForcedCallFormat, call?: ForcedCall): string {
  let kept = format.lead.length;
  while (kept > 0 && !prompt.endsWith(format.lead.slice(0, kept))) kept--;
  return format.lead.slice(kept) + (call ? format.opening(call.name) : "");
}

/**
 * The seam for constrained decoding (Bedrock's OpenAICompletion format takes
 * `structured_outputs.json`): when the call's function is known (named, or the only tool), the
 * prompt can end with the opening up to the arguments and the continuation be held to the
 * function's parameter schema; `closing` then completes the call for the answer splitter, since a
 * constrained model stops right after the JSON. Undefined when the function is not known.
 */
export interface ConstrainedCall {
  /** The prefill, as `callPrefill` gives it for the named function. */
  prefill: string;
  /** The JSON schema of the arguments: what `structured_outputs.json` should hold. */
  schema: Record<string, unknown>;
  /** Text that closes the call after the arguments. */
  closing: string;
}

export function constrainedCall(
  format: ForcedCallFormat,
  call: ForcedCall,
  tools: readonly FunctionTool[],
): ConstrainedCall | undefined {
  const tool = call.name === undefined ? (tools.length === 1 ? tools[0] : undefined) : named(tools, call.name);
  if (!tool) return undefined;
  return {
    prefill: callPrefill(format, { name: tool.function.name }),
    // A function without parameters takes none (OpenAI's reading of an absent schema).
    schema: tool.function.parameters ?? { type: "object", properties: {} },
    closing: format.closing,
  };
}

function named(tools: readonly FunctionTool[], name: string): FunctionTool | undefined {
  return tools.find((tool) => tool.function.name === name);
}
