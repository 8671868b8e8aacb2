// OpenAICompletion: OpenAI's Completions body (`prompt` + `max_tokens`), which Bedrock hands to
// the vLLM server of imports made after 2025-11-11, and vLLM's `text_completion` answer. It
// carries what BedrockCompletion cannot: `n`, several prompts, `seed`, penalties, logprobs with
// their tokens, `echo`, and vLLM's `structured_outputs`. It has no `images` field.
import { badUpstream } from "../../errors.ts";
import { isJsonObject } from "../../json.ts";
import type { FinishReason, Usage } from "../../openai/types.ts";
import { finishReason, plainFinish, usageFromBody } from "../usage.ts";
import { readCompletionLogprobs } from "./logprobs.ts";
import type { TextField, TextPiece, TextRequest, WireFormat } from "./types.ts";

// Written as given, under the same names.
const PASSED = [
  "model",
  "prompt",
  "max_tokens",
  "temperature",
  "top_p",
  "top_k",
  "stop",
  "n",
  "seed",
  "presence_penalty",
  "frequency_penalty",
  "logit_bias",
  "logprobs",
  "echo",
  "best_of",
  "response_format",
  "structured_outputs",
] as const satisfies readonly TextField[];

const CARRIES: ReadonlySet<TextField> = new Set<TextField>(PASSED);

/** A choice of an answer or a chunk, its finish read by `finishOf`; undefined when it is not one. */
function readChoice(
  value: unknown,
  position: number,
  finishOf: (reason: unknown) => FinishReason | undefined,
): TextPiece | undefined {
  if (!isJsonObject(value)) return undefined;
  const piece: TextPiece = {
    index: Number.isInteger(value.index) && (value.index as number) >= 0 ? (value.index as number) : position,
    text: typeof value.text === "string" ? value.text : "",
  };
  const finish = finishOf(value.finish_reason);
  if (finish) piece.finish = finish;
  const logprobs = readCompletionLogprobs(value.logprobs);
  if (logprobs) piece.logprobs = logprobs;
  return piece;
}

/**
 * The choices asked for, each until it finishes: vLLM numbers them 0…n-1, and a duplicate or an
 * index past them is dropped alike from plain and streamed answers, so the two cannot differ.
 */
function askedChoices(choices: number) {
  const finished = new Set<number>();
  return {
    keeps(piece: TextPiece): boolean {
      if (piece.index >= choices || finished.has(piece.index)) return false;
      if (piece.finish) finished.add(piece.index);
      return true;
    },
    allFinished: () => finished.size >= choices,
  };
}

export const openaiCompletion: WireFormat = {
  name: "openai_completion",
  title: "OpenAICompletion",
  onePerCall: false,
  carries: CARRIES,
  body(request: TextRequest) {
    const body: Record<string, unknown> = {};
    for (const field of PASSED) if (request[field] !== undefined) body[field] = request[field];
    return body;
  },
  readAnswer(body, choices, route) {
    const asked = askedChoices(choices);
    const list = Array.isArray(body.choices) ? body.choices : [];
    const usage = usageFromBody(body.usage);
    const pieces = list
      // A choice without a finish reason is still a whole answer here: vLLM always sets one.
      .map((value: unknown, position) => readChoice(value, position, (reason) => plainFinish(reason, route, usage)))
      .filter((piece) => piece !== undefined)
      .filter(asked.keeps);
    if (!pieces.length) {
      throw badUpstream(
        `The model's answer has no "choices" (OpenAICompletion format${route ? `, route ${route}` : ""}); ` +
          "is the route right for this model?",
      );
    }
    return usage ? { pieces, usage } : { pieces };
  },
  streamReader(choices) {
    const asked = askedChoices(choices);
    let usage: Usage | undefined;
    return {
      push(event) {
        usage = usageFromBody(event.usage) ?? usage;
        const out: TextPiece[] = [];
        const list = Array.isArray(event.choices) ? event.choices : [];
        list.forEach((value: unknown, position) => {
          const piece = readChoice(value, position, finishReason);
          if (!piece || !asked.keeps(piece)) return;
          if (piece.text || piece.finish || piece.logprobs) out.push(piece);
        });
        return out;
      },
      end() {
        return { ...(usage ? { usage } : {}), finished: asked.allFinished() };
      },
    };
  },
};
