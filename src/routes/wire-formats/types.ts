// The two InvokeModel body formats that carry a prompt (DESIGN §9: Bedrock tells them apart by
// their fields): BedrockCompletion (`prompt` + `max_gen_len`) and OpenAICompletion (`prompt` +
// `max_tokens`, vLLM's Completions API). The template routes send their rendered prompt in one
// of them (the `wire_format` model setting); the legacy Completions API sends a raw prompt.
// Both only move text: what the text means (reasoning, tool calls) is the caller's business.
import type { FinishReason, Usage } from "../../openai/types.ts";
import type { CompletionLogprobs } from "./logprobs.ts";

/** The `wire_format` model setting: the body format a template route sends. */
export type WireFormatName = "bedrock_completion" | "openai_completion";

/** A generation request in the words of OpenAI's Completions API, whichever format carries it. */
export interface TextRequest {
  /** One prompt, or several (one choice each, `n` per prompt) where the format takes a list. */
  prompt: string | string[];
  max_tokens?: number;
  temperature?: number;
  top_p?: number;
  top_k?: number;
  stop?: string[];
  n?: number;
  seed?: number;
  presence_penalty?: number;
  frequency_penalty?: number;
  logit_bias?: Record<string, number>;
  /** How many alternatives to list beside each token's logprob; absent: no logprobs. */
  logprobs?: number;
  echo?: boolean;
  best_of?: number;
  response_format?: Record<string, unknown>;
  structured_outputs?: Record<string, unknown>;
  /** Base64 image bytes, for prompts with vision placeholders. */
  images?: string[];
  /** The model name the server is asked for (vLLM serves an imported model under its ARN). */
  model?: string;
}

export type TextField = keyof TextRequest;

/** One choice's share of an answer or of a stream event, as the model wrote it. */
export interface TextPiece {
  /** The choice: prompts in order, `n` each. */
  index: number;
  text: string;
  /** On the choice's last piece. */
  finish?: FinishReason;
  /** The logprobs of the tokens in `text`, when asked for. */
  logprobs?: CompletionLogprobs;
}

export interface TextAnswer {
  /** One piece per choice. */
  pieces: TextPiece[];
  /** Only when the body carried counts; never invented. */
  usage?: Usage;
}

/** Reads a stream's events (one decoded JSON object each) into pieces. */
export interface TextStreamReader {
  push(event: Record<string, unknown>): TextPiece[];
  /** The stream ended: its usage, and whether every choice was finished (else it was cut short). */
  end(): { usage?: Usage; finished: boolean };
}

export interface WireFormat {
  name: WireFormatName;
  /** Bedrock's name for it, for messages. */
  title: string;
  /**
   * One prompt and one answer per body: several prompts, or `n` > 1, take one call each (the
   * legacy Completions API fans out; chat refuses `n`).
   */
  onePerCall: boolean;
  /** The fields of a TextRequest its body can carry; the callers refuse the others, naming them. */
  carries: ReadonlySet<TextField>;
  /** The InvokeModel body. Fields it cannot carry were refused by the caller; they are not written. */
  body(request: TextRequest): Record<string, unknown>;
  /**
   * A plain answer, of the first `choices` choices (as the stream reader keeps them); throws a 502
   * when the body is not this format's answer, naming `route` when given (the route the model is
   * configured with may be the wrong one).
   */
  readAnswer(body: Record<string, unknown>, choices: number, route?: string): TextAnswer;
  /** `choices`: how many choices the stream must finish to be whole. */
  streamReader(choices: number): TextStreamReader;
}
