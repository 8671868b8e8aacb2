// BedrockCompletion: Bedrock's own body for imported models, `{prompt, max_gen_len, …}`, and its
// answer `{generation, prompt_token_count, generation_token_count, stop_reason}`. Every import
// speaks it, those from before 2025-11-11 only it. One prompt, one answer per call; its
// logprobs are keyed by token id (no token text), so they are never asked for.
import { badUpstream } from "../../errors.ts";
import type { FinishReason, Usage } from "../../openai/types.ts";
import { finishReason, makeUsage, plainFinish, tokenCount, usageFromBody, usageFromCounts } from "../usage.ts";
import type { TextField, TextPiece, WireFormat } from "./types.ts";

const CARRIES: ReadonlySet<TextField> = new Set<TextField>([
  "prompt",
  "max_tokens",
  "temperature",
  "top_p",
  "top_k",
  "stop",
  "images",
  "response_format",
]);

/** The answer text: `generation`, `text` (qwen2 imports) or `outputs[0].text`. */
function answerText(body: Record<string, unknown>): string | undefined {
  if (typeof body.generation === "string") return body.generation;
  if (typeof body.text === "string") return body.text;
  const outputs = body.outputs;
  if (Array.isArray(outputs) && outputs[0] && typeof outputs[0].text === "string") return outputs[0].text as string;
  return undefined;
}

function stopReasonOf(body: Record<string, unknown>): unknown {
  const outputs = body.outputs;
  return body.stop_reason ?? (Array.isArray(outputs) && outputs[0] ? outputs[0].stop_reason : undefined);
}

export const bedrockCompletion: WireFormat = {
  name: "bedrock_completion",
  title: "BedrockCompletion",
  onePerCall: true,
  carries: CARRIES,
  body(request) {
    const body: Record<string, unknown> = {
      // One prompt per call: a request of several gives each call its own (completions/plan.ts).
      prompt: typeof request.prompt === "string" ? request.prompt : (request.prompt[0] ?? ""),
    };
    if (request.max_tokens !== undefined) body.max_gen_len = request.max_tokens;
    if (request.temperature !== undefined) body.temperature = request.temperature;
    if (request.top_p !== undefined) body.top_p = request.top_p;
    if (request.top_k !== undefined) body.top_k = request.top_k;
    if (request.stop !== undefined) body.stop = request.stop;
    if (request.images?.length) body.images = request.images;
    if (request.response_format !== undefined) body.response_format = request.response_format;
    return body;
  },
  readAnswer(body, _choices, route) {
    const text = answerText(body);
    if (text === undefined) {
      throw badUpstream(
        `The model's answer has no "generation" text (Bedrock's completion format${route ? `, route ${route}` : ""}); ` +
          "is the route right for this model?",
      );
    }
    const usage = usageFromBody(body.usage) ?? usageFromCounts(body);
    const finish = plainFinish(stopReasonOf(body), route, usage);
    return { pieces: [{ index: 0, text, finish }], ...(usage ? { usage } : {}) };
  },
  streamReader() {
    let reported: FinishReason | undefined;
    let bodyUsage: Usage | undefined;
    // prompt_token_count comes in the first chunk, generation_token_count as a running count.
    let promptTokens: number | undefined;
    let generatedTokens: number | undefined;
    return {
      push(event) {
        // The stop reason ends the choice once, whatever later chunks repeat.
        const finish = reported === undefined ? finishReason(stopReasonOf(event)) : undefined;
        reported = finish ?? reported;
        bodyUsage = usageFromBody(event.usage) ?? bodyUsage;
        promptTokens = tokenCount(event.prompt_token_count) ?? promptTokens;
        generatedTokens = tokenCount(event.generation_token_count) ?? generatedTokens;
        const text = answerText(event) ?? "";
        if (!text && !finish) return [];
        const piece: TextPiece = { index: 0, text };
        if (finish) piece.finish = finish;
        return [piece];
      },
      end() {
        const usage =
          bodyUsage ??
          (promptTokens !== undefined && generatedTokens !== undefined
            ? makeUsage(promptTokens, generatedTokens)
            : undefined);
        // Bedrock's last chunk always names a stop reason: without one the stream was cut short.
        return { ...(usage ? { usage } : {}), finished: reported !== undefined };
      },
    };
  },
};
