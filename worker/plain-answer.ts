// How much memory a plain (non-streamed) answer takes, told before it is asked for. The proxy
// builds a plain answer whole: Bedrock's JSON, its parse, the OpenAI answer made of it and that
// answer's text are all in memory at once, and an isolate has 128 MB for every request it serves.
// Measured on the proxy (Node, the emulator's long<N> answers on a qwen3 model with wire_format
// openai_completion, the smallest --max-old-space-size each request was answered in, less the
// 15 MB a small request needs): a token of text costs about 26-31 bytes of heap, and an answer
// about 380 bytes of its own (16,384 answers of 1 token took 6 MB, of 16 tokens 12 MB, of 100
// tokens 48 MB; 128 of 1,000 tokens 4 MB). Logprobs are what makes a token large: a token with
// its logprob costs about 730 bytes of heap and each of its top_logprobs alternatives about 255, so
// n 10 × max_tokens 2048 × top_logprobs 20 needs over 120 MB. A stream holds one chunk at a time
// and is not bounded here; logprobs are counted only where a model returns them (the library says
// which do, and how long an answer may run: the route refuses or drops logprobs it cannot give).
import { deploymentsOf, invalidRequest, type LogprobApi, logprobAnswers, unsetCompletionLimit } from "../src/core.ts";
import type { ModelTableEntry } from "../src/index.ts";
import { throwApiRefusal } from "./library-refusal.ts";
import { askedOutputLimit, promptEstimate } from "./token-estimate.ts";

/**
 * The most tokens a plain answer may hold in all its answers: answers × tokens, at 32 bytes of
 * heap a token, so 32 MiB, the logprob bound's margin. 32 bytes is above a token's measured 26-31
 * so that it covers each answer's own 380 bytes too while answers are long enough to fill the
 * bound: at the most answers a request may ask for (128 prompts × n 128 on legacy Completions),
 * 64 tokens each (about 37 MB: 30 bytes a token and 380 an answer). It admits n 128 of 8,192
 * tokens, or one answer of a million.
 */
export const MAX_PLAIN_ANSWER_TOKENS = 1_048_576;

/**
 * The most answers a plain request may ask for when their length is not known (the openai route
 * sends no limit to a model without max_output_tokens: vLLM answers up to the model's context):
 * each may run to 131,072 tokens (Llama 3.1's context, the longest of most imports), 4 MiB, and
 * 8 of them are MAX_PLAIN_ANSWER_TOKENS. One answer without max_tokens, the common request, is
 * always served.
 */
export const MAX_UNBOUNDED_PLAIN_ANSWERS = 8;

/**
 * The most logprob units a plain answer may hold: answers × tokens × (3 + alternatives), at about
 * 256 bytes of heap a unit (a token's own logprob costs three alternatives), so 32 MiB. It admits
 * one choice of 4,096 tokens with top_logprobs 20, two of 2,048, or four of 8,192 with logprobs
 * and no alternatives.
 */
export const MAX_PLAIN_LOGPROB_UNITS = 131_072;

interface LogprobAsk {
  /** Whether the answers' own tokens carry logprobs (chat's logprobs, Completions' logprobs). */
  generated: boolean;
  answers: number;
  /** Undefined when no output limit is sent: the answer runs up to the model's context. */
  tokens: number | undefined;
  alternatives: number;
  /** The fields named in the refusal, in the request's own words; `answersParam` is the one that sets answers. */
  fields: { answers: string; answersParam: string; tokens: string; alternatives: string };
  /**
   * The prompt's logprobs, when they come back too (chat's prompt_logprobs on the openai route,
   * once; Completions' echo with logprobs, in every answer): its estimated tokens in all, each
   * with `alternatives` more, and the field that asks for them.
   */
  prompt?: { tokens: number; alternatives: number; field: string };
}

/**
 * Refuses, before anything is sent and naming its fields, a plain request whose answer would be too
 * large to build: its text past MAX_PLAIN_ANSWER_TOKENS (or too many answers with no limit sent),
 * or its logprobs past MAX_PLAIN_LOGPROB_UNITS or with no bound (only where the model's route
 * returns logprobs). The request is read as the client sent it, a value that is no count as unset;
 * a refusal goes only to a request the library takes: one it refuses anyway (a value that is no
 * count, n over 128, a limit over 1,000,000, token ids for a prompt) gets the library's own 400,
 * not advice no request could follow.
 */
export function checkPlainAnswerSize(
  body: Record<string, unknown>,
  api: LogprobApi,
  models: Readonly<Record<string, ModelTableEntry>>,
): void {
  try {
    checkCounts(body, api, models);
  } catch (tooLarge) {
    throwApiRefusal(api, body);
    throw tooLarge;
  }
}

function checkCounts(
  body: Record<string, unknown>,
  api: LogprobApi,
  models: Readonly<Record<string, ModelTableEntry>>,
): void {
  if (body.stream === true || typeof body.model !== "string" || !Object.hasOwn(models, body.model)) return;
  const entry = models[body.model]!;
  const route = deploymentsOf(entry, body.model).route;
  const answers = logprobAnswers(api, route, entry);
  const ask = answers && logprobAsk(body, api, answers.unsetLimit, route === "openai");
  if (ask) checkLogprobUnits(ask);
  // Chat's n is carried where logprobs are (the openai route, openai_completion); elsewhere the
  // route refuses any n but 1, and a chat request that sets no limit is sent the model's cap.
  const unsetLimit =
    api === "completions"
      ? unsetCompletionLimit(entry.max_output_tokens)
      : answers
        ? answers.unsetLimit
        : entry.max_output_tokens;
  checkAnswerTokens(textAsk(body, api, unsetLimit, api === "completions" || answers !== undefined));
}

/** Refuses logprobs that would take more than MAX_PLAIN_LOGPROB_UNITS, or that have no bound. */
function checkLogprobUnits(ask: LogprobAsk): void {
  const { fields, prompt } = ask;
  // A route that sends no limit: even one answer of logprobs alone (3 units a token) passes the
  // bound at 43,690 tokens, below the context of most imports (Llama 3.1's is 128k: about 93 MB).
  if (ask.generated && ask.tokens === undefined) {
    const most = Math.floor(MAX_PLAIN_LOGPROB_UNITS / (ask.answers * (3 + ask.alternatives)));
    throw invalidRequest(
      `This plain answer's logprobs have no bound: the request sets no max_tokens or max_completion_tokens, and ` +
        `this model is sent none, so each answer may run to the model's context (about 256 bytes of memory for ` +
        `each of ${fields.answers} ${ask.answers} × (3 + ${fields.alternatives} ${ask.alternatives}) a token: the ` +
        `proxy builds a plain answer whole). Set max_tokens or max_completion_tokens (at most ${most} here), or ` +
        `set stream: true (a stream holds one chunk at a time).`,
      fields.tokens,
      "plain_answer_too_large",
    );
  }
  const generatedUnits = ask.generated ? ask.answers * (ask.tokens ?? 0) * (3 + ask.alternatives) : 0;
  const promptUnits = prompt ? prompt.tokens * (3 + prompt.alternatives) : 0;
  const units = generatedUnits + promptUnits;
  if (units <= MAX_PLAIN_LOGPROB_UNITS) return;
  const sum = [
    ask.generated
      ? `${fields.answers} ${ask.answers} × ${fields.tokens} ${ask.tokens} × (3 + ${fields.alternatives} ${ask.alternatives})`
      : "",
    prompt ? `the prompt's ${prompt.tokens} tokens (estimated) × (3 + ${prompt.alternatives}) for ${prompt.field}` : "",
  ]
    .filter(Boolean)
    .join(" + ");
  const param =
    prompt && promptUnits >= generatedUnits
      ? prompt.field
      : ask.alternatives > 0
        ? fields.alternatives
        : ask.answers > 1
          ? fields.answersParam
          : fields.tokens;
  throw invalidRequest(
    `This plain answer's logprobs would be too large to build: ${sum} is ${units} logprob units, above the ` +
      `${MAX_PLAIN_LOGPROB_UNITS} a plain answer may hold (about 256 bytes of memory each: the proxy builds a ` +
      `plain answer whole). Set stream: true (a stream holds one chunk at a time), or ask for less` +
      `${prompt ? ` (fewer answers or tokens, fewer ${fields.alternatives}, or a shorter prompt)` : ` (fewer answers, tokens or ${fields.alternatives})`}.`,
    param,
    "plain_answer_too_large",
  );
}

interface TextAsk {
  answers: number;
  /** Undefined when no output limit is sent: each answer runs up to the model's context. */
  tokens: number | undefined;
  /** The fields named in the refusal, as LogprobAsk's. */
  fields: { answers: string; answersParam: string; tokens: string };
}

/**
 * Refuses a plain request whose answers × tokens are over MAX_PLAIN_ANSWER_TOKENS, or, when its
 * answers' length is not known, whose answers are over MAX_UNBOUNDED_PLAIN_ANSWERS (review perreq43
 * #1: 128 prompts × n 128 × 600 tokens, an 838-byte request, came back as 45 MiB and took workerd's
 * memory up by 162-192 MiB).
 */
function checkAnswerTokens(ask: TextAsk): void {
  const { answers, tokens, fields } = ask;
  if (tokens === undefined) {
    if (answers <= MAX_UNBOUNDED_PLAIN_ANSWERS) return;
    throw invalidRequest(
      `This plain answer has no bound: the request sets no max_tokens or max_completion_tokens, and this model ` +
        `is sent none, so each of ${fields.answers} ${answers} answers may run to the model's context (about 32 ` +
        `bytes of memory a token: the proxy builds a plain answer whole). Set max_tokens or max_completion_tokens ` +
        `(at most ${Math.floor(MAX_PLAIN_ANSWER_TOKENS / answers)} here), ask for at most ` +
        `${MAX_UNBOUNDED_PLAIN_ANSWERS} answers, or set stream: true (a stream holds one chunk at a time).`,
      fields.tokens,
      "plain_answer_too_large",
    );
  }
  if (answers * tokens <= MAX_PLAIN_ANSWER_TOKENS) return;
  throw invalidRequest(
    `This plain answer would be too large to build: ${fields.answers} ${answers} × ${fields.tokens} ${tokens} is ` +
      `${answers * tokens} tokens, above the ${MAX_PLAIN_ANSWER_TOKENS} a plain answer may hold (about 32 bytes of ` +
      `memory each: the proxy builds a plain answer whole). Set stream: true (a stream holds one chunk at a ` +
      `time), or ask for less (fewer answers, or a smaller ${fields.tokens}: at most ` +
      `${Math.floor(MAX_PLAIN_ANSWER_TOKENS / answers)} for ${answers} answers).`,
    answers > 1 ? fields.answersParam : fields.tokens,
    "plain_answer_too_large",
  );
}

/** What a plain request asks for, logprobs or not: its answers and their tokens. `multiple`: whether chat's n is carried. */
function textAsk(
  body: Record<string, unknown>,
  api: LogprobApi,
  unsetLimit: number | undefined,
  multiple: boolean,
): TextAsk {
  const { tokens, field } = answerTokens(body, api, unsetLimit);
  if (api === "chat") {
    return {
      answers: multiple ? (count(body.n) ?? 1) : 1,
      tokens,
      fields: { answers: "n", answersParam: "n", tokens: field },
    };
  }
  const { answers, fields } = completionAnswers(body);
  return { answers, tokens, fields: { ...fields, tokens: field } };
}

/**
 * The tokens each answer may hold (the request's limit, else the one the library sends) and the
 * field that sets them. A limit that is no count reads as unset: if that makes a refusal, the
 * library's own 400 is given instead (checkPlainAnswerSize).
 */
function answerTokens(
  body: Record<string, unknown>,
  api: LogprobApi,
  unsetLimit: number | undefined,
): { tokens: number | undefined; field: string } {
  return {
    tokens: count(askedOutputLimit(body, api)) ?? unsetLimit,
    field: api === "chat" && body.max_completion_tokens != null ? "max_completion_tokens" : "max_tokens",
  };
}

/**
 * A legacy Completions request's answers: each prompt is answered max(n, best_of) times (`each`),
 * all held until the best are chosen.
 */
function completionAnswers(body: Record<string, unknown>): {
  answers: number;
  each: number;
  fields: { answers: string; answersParam: string };
} {
  const list = Array.isArray(body.prompt);
  const n = count(body.n) ?? 1;
  const bestOf = count(body.best_of) ?? 1;
  const perPrompt = bestOf > n ? "best_of" : "n";
  const each = Math.max(n, bestOf);
  return {
    answers: (list ? Math.max(1, (body.prompt as unknown[]).length) : 1) * each,
    each,
    fields: {
      answers: list ? `prompts × ${perPrompt}` : perPrompt,
      answersParam: list && perPrompt === "n" ? "prompt" : perPrompt,
    },
  };
}

/**
 * What a request asks of logprobs: none, or its answers, their tokens and each token's
 * alternatives. `unsetLimit` is the limit the library sends a request that sets none.
 */
function logprobAsk(
  body: Record<string, unknown>,
  api: LogprobApi,
  unsetLimit: number | undefined,
  openaiRoute: boolean,
): LogprobAsk | undefined {
  const { tokens, field } = answerTokens(body, api, unsetLimit);
  if (api === "chat") {
    // vLLM's prompt_logprobs (0 is each prompt token's own logprob), which only the openai route passes on.
    const promptAlternatives = body.prompt_logprobs;
    const prompt =
      openaiRoute && typeof promptAlternatives === "number" && Number.isSafeInteger(promptAlternatives)
        ? { tokens: promptEstimate(body), alternatives: Math.max(0, promptAlternatives), field: "prompt_logprobs" }
        : undefined;
    const generated = body.logprobs === true;
    if (!generated && !prompt) return undefined;
    return {
      generated,
      ...(prompt ? { prompt } : {}),
      answers: count(body.n) ?? 1,
      tokens,
      alternatives: count(body.top_logprobs) ?? 0,
      fields: {
        answers: "n",
        answersParam: "n",
        tokens: field,
        alternatives: "top_logprobs",
      },
    };
  }
  if (typeof body.logprobs !== "number") return undefined;
  const { answers, each, fields } = completionAnswers(body);
  const alternatives = count(body.logprobs) ?? 0;
  // Echoed, every answer begins with its prompt and the prompt's logprobs.
  const echoed = body.echo === true ? promptEstimate({ prompt: body.prompt }) * each : 0;
  return {
    generated: true,
    ...(echoed ? { prompt: { tokens: echoed, alternatives, field: "echo" } } : {}),
    answers,
    tokens,
    alternatives,
    fields: { ...fields, tokens: field, alternatives: "logprobs" },
  };
}

/** A whole number from 1 up, or undefined. */
function count(value: unknown): number | undefined {
  return typeof value === "number" && Number.isSafeInteger(value) && value >= 1 ? value : undefined;
}
