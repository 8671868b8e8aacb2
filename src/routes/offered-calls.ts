// Which calls read from a model's text an answer gives, by the functions the request offers.
// A forced call (tool_choice "required" or a named function) is OpenAI's promise of a call to an
// offered function, the named one when named, and a named choice is answered with that one call
// (vLLM holds both by guided decoding). The template routes only prefill the call's opening, so
// what the model writes after it is checked here: a call to another function is the model's invalid
// output (a 500, forced-call.ts), and calls after a named call are not part of the answer. Text
// that could name no function at all (a sentence the model wrote where the name goes, often a
// refusal) is no call: it is the model's words (forced-call.ts's nameSlotWords tells them from a
// name, here and in the blocks the syntax cannot read).
// Unforced, a call in the family's markup (Qwen's <tool_call>, DeepSeek's markers) is a call
// whatever it names, as vLLM's parsers read it; but Llama's JSON calls have no markup, and JSON
// that names no offered function is the answer's text (a json_object answer {"name": "Ada", …}).
import { isFunctionName } from "../openai/function-name.ts";
import type { FunctionTool } from "../openai/types.ts";
import type { AdmittedCalls, ParsedToolCall, ToolSyntax } from "./answer-splitter.ts";
import { type ForcedCall, nameSlotWords } from "./forced-call.ts";

/** The splitter's `admitCalls` for a request (`call`: the call it forces); undefined: every call. */
export function offeredCalls(
  syntax: ToolSyntax,
  tools: readonly FunctionTool[],
  call: ForcedCall | undefined,
): ((calls: ParsedToolCall[], before: number, prefilled: boolean) => AdmittedCalls) | undefined {
  const offered = new Set(tools.map((tool) => tool.function.name));
  if (!call) {
    if (syntax.kind !== "leading") return undefined;
    return (calls) => (calls.every(({ name }) => offered.has(name)) ? { kind: "calls", calls } : { kind: "text" });
  }
  const named = call.name;
  return (calls, before, prefilled) => {
    const kept = calls.slice(0, named === undefined ? calls.length : Math.max(0, 1 - before));
    // Only the prefilled block's first name slot holds the model's words: a later call naming no
    // function is as invalid as one naming another, and is checked all the same. The slot is read
    // trimmed, as forcedCallReader reads it (`get_weather ` is a call to get_weather).
    if (prefilled && kept.length > 0) kept[0] = { ...kept[0]!, name: kept[0]!.name.trim() };
    const words = prefilled && kept.length > 0 ? nameSlotWords(kept[0]!.name) : undefined;
    const after = words === undefined ? kept : kept.slice(1);
    for (const { name } of after) {
      if (!isFunctionName(name) || !offered.has(name)) return unoffered(name);
      if (named !== undefined && name !== named) return { kind: "unoffered", name, field: "tool_choice" };
    }
    return words === undefined ? { kind: "calls", calls: kept } : { kind: "words", words, calls: after };
  };
}

function unoffered(name: string): AdmittedCalls {
  return { kind: "unoffered", name, field: "tools" };
}
