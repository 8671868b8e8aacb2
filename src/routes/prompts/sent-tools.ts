// The tools as the caller sent them, for a request whose tools the token neutraliser rewrote.
// Neutralised text is for the prompt; a schema that constrains decoding must be the caller's own,
// or guided decoding holds the arguments to values the caller's schema does not admit (unicode51 U-03).
import type { ChatCompletionRequest, FunctionTool } from "../../openai/types.ts";

const sentTools = new WeakMap<ChatCompletionRequest, readonly FunctionTool[]>();

/** Remembers `tools` as sent for `neutralised`, the request the routes will see. */
export function rememberSentTools(neutralised: ChatCompletionRequest, tools: readonly FunctionTool[]): void {
  sentTools.set(neutralised, tools);
}

/** The request's tools as the caller sent them: its own when the neutraliser left them as they were. */
export function toolsAsSent(request: ChatCompletionRequest): readonly FunctionTool[] | undefined {
  return sentTools.get(request) ?? request.tools;
}
