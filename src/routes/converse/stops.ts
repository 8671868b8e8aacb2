// OpenAI's `stop` on Converse: `inferenceConfig.stopSequences`, but for Claude only the stops it
// takes. Claude refuses a stop of only whitespace (Bedrock's 400 "stop_sequences: each stop
// sequence must contain non-whitespace"), and OpenAI clients send such stops often (`"\n"`,
// `"\n\n"`): for Claude they are applied here to the answer's text instead (answer.ts, stream.ts).
import { isJsonObject } from "../../json.ts";
import type { ChatCompletionRequest } from "../../openai/types.ts";
import { modelFamily } from "./model-family.ts";

export interface ConverseStops {
  /** What goes to Bedrock as stopSequences. */
  sent: string[];
  /** What the route applies to the answer's text itself. */
  applied: string[];
}

const NONE: ConverseStops = { sent: [], applied: [] };

export function converseStops(request: ChatCompletionRequest, modelId: string): ConverseStops {
  const { stop } = request;
  if (stop == null) return NONE;
  const stops = typeof stop === "string" ? [stop] : stop;
  const family = modelFamily(modelId);
  if (family !== "claude" && family !== "claude_thinking") return { sent: stops, applied: [] };
  return { sent: stops.filter((text) => !isBlank(text)), applied: stops.filter(isBlank) };
}

/**
 * Whether a stop is only whitespace. Anthropic does not say which characters it counts: any that
 * JavaScript's `\s` or Python's `str.isspace()` counts does here (Python's adds U+001C to U+001F
 * and U+0085), so no stop Claude may refuse is sent; one it would have taken, applied here instead,
 * ends the text in the same place.
 */
export function isBlank(text: string): boolean {
  for (const char of text.replace(/\s/g, "")) {
    const code = char.charCodeAt(0);
    if (code !== 0x85 && (code < 0x1c || code > 0x1f)) return false;
  }
  return text !== "";
}

/**
 * When stops are both sent and applied, Bedrock strips the sent stop it matched, and a stop
 * applied here may have completed inside it: Converse is asked which it was. Claude answers it
 * in its closing message_delta, so the pointer is `/delta/stop_sequence` (the API reference's
 * example, `/stop_sequence`, points nowhere for Claude and is ignored; vercel/ai#11410).
 */
export const STOP_SEQUENCE_PATH = "/delta/stop_sequence";

/** The sent stop Bedrock matched, from a Converse answer's or messageStop's fields. */
export function matchedStop(stopReason: unknown, fields: unknown): string | undefined {
  if (stopReason !== "stop_sequence" || !isJsonObject(fields) || !isJsonObject(fields.delta)) return undefined;
  const stop = fields.delta.stop_sequence;
  return typeof stop === "string" && stop ? stop : undefined;
}
