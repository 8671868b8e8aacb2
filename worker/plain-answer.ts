// How much memory a plain (non-streamed) answer with logprobs takes, told before it is asked for.
// The proxy builds a plain answer whole: Bedrock's JSON, its parse, the OpenAI answer made of it
// and that answer's text are all in memory at once, and an isolate has 128 MB for every request
// it serves. Logprobs are what makes an answer large: measured on the proxy (Node, the
// emulator's long<N> answers, the smallest heap each request was answered in), a token with its
// logprob costs about 730 bytes of heap and each of its top_logprobs alternatives about 255, so
// n 10 × max_tokens 2048 × top_logprobs 20 needs over 120 MB. A stream holds one chunk at a time
// and is not bounded here.
import { invalidRequest } from "../src/core.ts";
import { askedOutputLimit, DEFAULT_OUTPUT_ESTIMATE, type ModelApi } from "./token-estimate.ts";

/**
 * The most logprob units a plain answer may hold: answers × tokens × (3 + alternatives), at about
 * 256 bytes of heap a unit (a token's own logprob costs three alternatives), so 32 MiB. It admits
 * one choice of 4,096 tokens with top_logprobs 20, two of 2,048, or four of 8,192 with logprobs
 * and no alternatives.
 */
export const MAX_PLAIN_LOGPROB_UNITS = 131_072;

/** Legacy Completions' default output limit (the library's, OpenAI's 16). */
const COMPLETIONS_DEFAULT_MAX_TOKENS = 16;

interface LogprobAsk {
  answers: number;
  tokens: number;
  alternatives: number;
  /** The fields named in the refusal, in the request's own words; `answersParam` is the one that sets answers. */
  fields: { answers: string; answersParam: string; tokens: string; alternatives: string };
}

/**
 * Refuses a plain request whose logprobs would take more than MAX_PLAIN_LOGPROB_UNITS, naming its
 * fields, before anything is sent. The request is read as the client sent it: a value that is not
 * a count is left to the library's own 400. `modelCap` is the model's max_output_tokens.
 */
export function checkPlainAnswerSize(body: Record<string, unknown>, api: ModelApi, modelCap: number | undefined): void {
  if (body.stream === true) return;
  const ask = logprobAsk(body, api, modelCap);
  if (!ask) return;
  const units = ask.answers * ask.tokens * (3 + ask.alternatives);
  if (units <= MAX_PLAIN_LOGPROB_UNITS) return;
  const { fields } = ask;
  const param = ask.alternatives > 0 ? fields.alternatives : ask.answers > 1 ? fields.answersParam : fields.tokens;
  throw invalidRequest(
    `This plain answer's logprobs would be too large to build: ${fields.answers} ${ask.answers} × ` +
      `${fields.tokens} ${ask.tokens} × (3 + ${fields.alternatives} ${ask.alternatives}) is ` +
      `${units} logprob units, above the ${MAX_PLAIN_LOGPROB_UNITS} a plain answer may hold (about 256 bytes of ` +
      `memory each: the proxy builds a plain answer whole). Set stream: true (a stream holds one chunk at a ` +
      `time), or ask for fewer answers, tokens or ${fields.alternatives}.`,
    param,
    "plain_answer_too_large",
  );
}

/** What a request asks of logprobs: none, or its answers, their tokens and each token's alternatives. */
function logprobAsk(
  body: Record<string, unknown>,
  api: ModelApi,
  modelCap: number | undefined,
): LogprobAsk | undefined {
  const asked = count(askedOutputLimit(body, api));
  if (api === "chat") {
    if (body.logprobs !== true) return undefined;
    return {
      answers: count(body.n) ?? 1,
      // What the library sends when none is set: the model's cap, else openai_completion's 4096.
      tokens: asked ?? modelCap ?? DEFAULT_OUTPUT_ESTIMATE,
      alternatives: count(body.top_logprobs) ?? 0,
      fields: {
        answers: "n",
        answersParam: "n",
        tokens: body.max_completion_tokens == null ? "max_tokens" : "max_completion_tokens",
        alternatives: "top_logprobs",
      },
    };
  }
  // The Responses API gives no logprobs (the library refuses them).
  if (api !== "completions" || typeof body.logprobs !== "number") return undefined;
  const list = Array.isArray(body.prompt);
  const n = count(body.n) ?? 1;
  const bestOf = count(body.best_of) ?? 1;
  // Each prompt is answered max(n, best_of) times, all held until the best are chosen.
  const perPrompt = bestOf > n ? "best_of" : "n";
  return {
    answers: (list ? Math.max(1, (body.prompt as unknown[]).length) : 1) * Math.max(n, bestOf),
    tokens: asked ?? Math.min(COMPLETIONS_DEFAULT_MAX_TOKENS, modelCap ?? COMPLETIONS_DEFAULT_MAX_TOKENS),
    alternatives: count(body.logprobs) ?? 0,
    fields: {
      answers: list ? `prompts × ${perPrompt}` : perPrompt,
      answersParam: list && perPrompt === "n" ? "prompt" : perPrompt,
      tokens: "max_tokens",
      alternatives: "logprobs",
    },
  };
}

/** A whole number from 1 up, or undefined. */
function count(value: unknown): number | undefined {
  return typeof value === "number" && Number.isSafeInteger(value) && value >= 1 ? value : undefined;
}
