// InvokeModel and InvokeModelWithResponseStream on an imported model: the body's format picked
// by its fields, the model id's faults, the answer in that format's shape, plain or streamed.

import { chatAnswer, completionAnswer, type Answer } from "./answers.ts";
import { bedrockCompletionBody, bedrockCompletionChunks } from "./bedrock-completion-json.ts";
import type { Call } from "./call.ts";
import { type ChatChoice, chatCompletionBody, chatCompletionChunks } from "./chat-completion-json.ts";
import { awsError, CONTEXT_WINDOW } from "./errors.ts";
import { chunkFrame } from "./frames.ts";
import { stableHash } from "./hash.ts";
import { type InvokeRequest, parseInvokeRequest } from "./invoke-requests.ts";
import { faultForCall, type ModelSpec } from "./model-id.ts";
import { type Counts, countsOf, type Identity, type JsonObject, type Latency, latencyOf } from "./model-json.ts";
import { type CompletionChoice, openaiCompletionBody, openaiCompletionChunks } from "./openai-completion-json.ts";
import { carriesContextLength, eventStreamResponse, fail, faultError, jsonResponse, waitFor } from "./responses.ts";
import { FAMILY } from "./tool-markup.ts";

export { CONTEXT_WINDOW };

/** The answer to a parsed request, ready to be written plain or as chunks. */
interface Reply {
  counts: Counts;
  /** Pieces in all choices: what the stream's latency is measured by. */
  pieces: number;
  body(): JsonObject;
  chunks(latency: Latency): Iterable<JsonObject>;
}

/** `bodyText`: the request body as received, for ids that depend only on the request. */
export async function invoke(
  call: Call,
  spec: ModelSpec,
  json: unknown,
  bodyText: string,
  stream: boolean,
): Promise<Response> {
  const request = parseInvokeRequest(spec, json, stream);
  if (typeof request === "string") return fail(call, awsError("ValidationException", request));
  const fault = faultForCall(spec.callFaults, call.recorder.nextCall(spec.modelId));
  if (fault) return fail(call, faultError(fault, spec));
  await waitFor(spec);
  const identity: Identity = {
    id: stableHash(bodyText),
    created: Math.floor(call.config.now() / 1000),
    model: spec.modelId,
  };
  const reply = replyTo(spec, request, identity);
  if (spec.ctx && !carriesContextLength(spec, stream)) return fail(call, contextLengthError(reply.counts.promptTokens));
  const usage = !spec.nousage;
  if (!stream) {
    const latency = latencyOf(reply.pieces, 0);
    return jsonResponse(call, reply.body(), {
      "x-amzn-bedrock-invocation-latency": String(latency.totalMs),
      ...(usage
        ? {
            "x-amzn-bedrock-input-token-count": String(reply.counts.promptTokens),
            "x-amzn-bedrock-output-token-count": String(reply.counts.outputTokens),
          }
        : {}),
    });
  }
  const latency = latencyOf(reply.pieces, spec.slowMs ?? call.config.chunkDelayMs);
  return eventStreamResponse(call, spec, frames(reply.chunks(latency)), {
    "x-amzn-bedrock-content-type": "application/json",
  });
}

function* frames(chunks: Iterable<JsonObject>): Generator<Uint8Array> {
  let index = 0;
  for (const chunk of chunks) yield chunkFrame(chunk, index++);
}

function contextLengthError(promptTokens: number) {
  return awsError(
    "ValidationException",
    `This model's maximum context length is ${CONTEXT_WINDOW} tokens. However, you requested ${CONTEXT_WINDOW + promptTokens} tokens. Please reduce the length of the prompt.`,
  );
}

function replyTo(spec: ModelSpec, request: InvokeRequest, identity: Identity): Reply {
  const usage = !spec.nousage;
  switch (request.kind) {
    case "bedrock-completion": {
      const answer = completionAnswer(spec, request);
      const shape = { format: spec.format, usage, returnLogprobs: request.returnLogprobs };
      return {
        counts: answer,
        pieces: answer.pieces.length,
        body: () => bedrockCompletionBody(shape, answer),
        chunks: (latency) => bedrockCompletionChunks(shape, answer, latency),
      };
    }
    case "openai-completion": {
      const choices: CompletionChoice[] = [];
      let promptTokens = 0;
      for (const [position, prompt] of request.prompts.entries()) {
        const answer = completionAnswer(spec, { ...request, prompt });
        promptTokens += answer.promptTokens;
        for (let copy = 0; copy < request.n; copy++)
          choices.push({ index: position * request.n + copy, prompt, answer });
      }
      const counts = countsOf(
        choices.map((choice) => choice.answer),
        promptTokens,
      );
      const shape = {
        usage,
        logprobs: request.logprobs,
        echo: request.echo,
        promptLogprobs: request.promptLogprobs,
      };
      const completionIdentity = {
        ...identity,
        id: `cmpl-emulator-${identity.id}`,
        model: request.model ?? spec.modelId,
      };
      return {
        counts,
        pieces: totalPieces(choices.map((choice) => choice.answer)),
        body: () => openaiCompletionBody(completionIdentity, shape, choices, counts),
        chunks: (latency) => openaiCompletionChunks(completionIdentity, shape, choices, counts, latency),
      };
    }
    case "chat": {
      const answer = chatAnswer(spec, {
        ...request,
        name: spec.format,
        family: FAMILY[spec.format],
        // Bedrock parses tool calls server-side for OpenAI-format imports; the other families'
        // calls stay in the text, in their own markup.
        parsesTools: spec.format === "openai",
      });
      const choices: ChatChoice[] = Array.from({ length: request.n }, (_, index) => ({
        index,
        answer,
        toolCallId: `chatcmpl-tool-${identity.id}${index}`,
      }));
      const counts = countsOf(
        choices.map((choice) => choice.answer),
        answer.promptTokens,
      );
      const shape = {
        usage,
        logprobs: request.logprobs,
        topLogprobs: request.topLogprobs,
        promptLogprobs: request.promptLogprobs,
        promptText: request.messages.map((message) => `${message.role}${message.text}`).join(""),
      };
      const chatIdentity = { ...identity, id: `chatcmpl-emulator-${identity.id}`, model: request.model };
      return {
        counts,
        pieces: totalPieces(choices.map((choice) => choice.answer)),
        body: () => chatCompletionBody(chatIdentity, shape, choices, counts),
        chunks: (latency) => chatCompletionChunks(chatIdentity, shape, choices, counts, latency),
      };
    }
  }
}

function totalPieces(answers: readonly Answer[]): number {
  return answers.reduce((sum, answer) => sum + answer.pieces.length, 0);
}
