import { describe, expect, it } from "vitest";
import { BedrockEdgeError } from "../errors.ts";
import { wireFormats } from "../routes/wire-formats/index.ts";
import { completionFrom, createChunkMaker, totalUsage } from "./answer.ts";
import {
  DEFAULT_MAX_TOKENS,
  MAX_CALLS,
  MAX_ECHOED_BYTES,
  MAX_FANNED_OUT_PROMPT_BYTES,
  MAX_OPEN_CALLS,
  planCompletionCalls,
} from "./plan.ts";
import type { CompletionRequest } from "./types.ts";
import { badRequestOf } from "../../test/helpers/errors.ts";

const ARN = "arn:aws:bedrock:us-east-1:123456789012:imported-model/abc";
const base: CompletionRequest = { model: "m", prompt: "Once upon a time" };
const options = { route: "llama" };

const refusal = badRequestOf;

describe("one call where the format takes prompts and n (OpenAICompletion)", () => {
  it("sends the request's fields as they are, the prompts as a list, OpenAI's default max_tokens", () => {
    // OpenAI's documented default for the Completions API, pinned here as the number it is.
    expect(DEFAULT_MAX_TOKENS).toBe(16);
    const calls = planCompletionCalls(
      { ...base, prompt: ["a", "b"], n: 2, echo: true, logprobs: 1, seed: 3, stop: "\n", suffix: null },
      wireFormats.openai_completion,
      { ...options, model: ARN },
    );
    expect(calls).toEqual([
      {
        text: {
          prompt: ["a", "b"],
          max_tokens: 16,
          model: ARN,
          n: 2,
          echo: true,
          logprobs: 1,
          seed: 3,
          stop: ["\n"],
        },
        place: { offset: 0 },
      },
    ]);
  });

  it("leaves out values that ask for nothing", () => {
    const [call] = planCompletionCalls(
      {
        ...base,
        max_tokens: 5,
        n: 1,
        presence_penalty: 0,
        frequency_penalty: 0,
        logit_bias: {},
        best_of: 1,
        echo: false,
        response_format: { type: "text" },
      },
      wireFormats.bedrock_completion,
      options,
    );
    expect(call?.text).toEqual({ prompt: "Once upon a time", max_tokens: 5 });
  });
});

describe("a call per prompt and per answer where the format answers one prompt once (BedrockCompletion)", () => {
  it("numbers the choices prompt by prompt, n each, and echoes each prompt itself", () => {
    const calls = planCompletionCalls(
      { ...base, prompt: ["first", "second"], n: 2, echo: true, max_tokens: 8 },
      wireFormats.bedrock_completion,
      options,
    );
    expect(calls).toEqual([
      { text: { prompt: "first", max_tokens: 8 }, place: { offset: 0, echo: "first" } },
      { text: { prompt: "first", max_tokens: 8 }, place: { offset: 1, echo: "first" } },
      { text: { prompt: "second", max_tokens: 8 }, place: { offset: 2, echo: "second" } },
      { text: { prompt: "second", max_tokens: 8 }, place: { offset: 3, echo: "second" } },
    ]);
    expect(wireFormats.bedrock_completion.body(calls[0]!.text)).toEqual({ prompt: "first", max_gen_len: 8 });
  });

  it(`takes at most ${MAX_CALLS} calls`, () => {
    expect(MAX_CALLS).toBe(128);
    const prompts = (count: number) => Array.from({ length: count }, (_, at) => `prompt ${at}`);
    // At the edge: 128 calls, by prompts alone or by prompts × n.
    const byPrompts = planCompletionCalls({ ...base, prompt: prompts(128) }, wireFormats.bedrock_completion, options);
    expect(byPrompts).toHaveLength(128);
    expect(byPrompts.at(-1)).toEqual({ text: { prompt: "prompt 127", max_tokens: 16 }, place: { offset: 127 } });
    const byN = planCompletionCalls({ ...base, prompt: prompts(64), n: 2 }, wireFormats.bedrock_completion, options);
    expect(byN).toHaveLength(128);
    expect(byN.at(-1)).toEqual({ text: { prompt: "prompt 63", max_tokens: 16 }, place: { offset: 127 } });
    // One past it: refused, naming the field that made the count.
    const onePrompt = refusal(() =>
      planCompletionCalls({ ...base, prompt: prompts(129) }, wireFormats.bedrock_completion, options),
    );
    expect(onePrompt).toMatchObject({ status: 400, param: "prompt" });
    expect(onePrompt.message).toMatch(/^129 prompts × n 1 would take 129 calls/);
    const oneN = refusal(() => planCompletionCalls({ ...base, n: 129 }, wireFormats.bedrock_completion, options));
    expect(oneN).toMatchObject({ status: 400, param: "n" });
    expect(oneN.message).toMatch(/^1 prompts × n 129 would take 129 calls/);
    const error = refusal(() =>
      planCompletionCalls({ ...base, prompt: ["a", "b", "c"], n: 50 }, wireFormats.bedrock_completion, options),
    );
    expect(error.param).toBe("prompt");
    expect(error.message).toContain("150 calls");
    expect(error.message).toContain('"openai_completion"');
  });

  it("sends at most MAX_FANNED_OUT_PROMPT_BYTES of prompt in all, each call carrying its prompt whole", () => {
    expect(MAX_FANNED_OUT_PROMPT_BYTES).toBe(16 * 1024 * 1024);
    const mib = "x".repeat(1024 * 1024);
    // A 4 MiB prompt (the proxy's default body limit) four times is at the bound; a fifth is over it.
    expect(
      planCompletionCalls({ ...base, prompt: mib.repeat(4), n: 4 }, wireFormats.bedrock_completion, options),
    ).toHaveLength(4);
    const byN = refusal(() =>
      planCompletionCalls({ ...base, prompt: mib.repeat(4), n: 128 }, wireFormats.bedrock_completion, options),
    );
    expect(byN).toMatchObject({ status: 400, param: "n" });
    expect(byN.message).toMatch(/^1 prompt\(s\) × n 128 would send 536870912 bytes of prompt/);
    expect(byN.message).toContain(`may send at most ${MAX_FANNED_OUT_PROMPT_BYTES}`);
    expect(byN.message).toContain('"openai_completion"');
    // Bytes, not characters: 2 MiB of a three-byte character, three times, is 18 MiB.
    const wide = "€".repeat(2 * 1024 * 1024);
    const byPrompts = refusal(() =>
      planCompletionCalls({ ...base, prompt: [wide, wide, wide] }, wireFormats.bedrock_completion, options),
    );
    expect(byPrompts).toMatchObject({ status: 400, param: "prompt" });
    expect(byPrompts.message).toContain("would send 18874368 bytes");
    // One call is bounded by the body it came in, and OpenAICompletion sends the prompt once.
    expect(
      planCompletionCalls({ ...base, prompt: mib.repeat(20) }, wireFormats.bedrock_completion, options),
    ).toHaveLength(1);
    expect(
      planCompletionCalls({ ...base, prompt: mib.repeat(4), n: 128 }, wireFormats.openai_completion, options),
    ).toHaveLength(1);
  });

  it(`streamed, takes at most ${MAX_OPEN_CALLS} calls: every stream is open before the first chunk`, () => {
    const stream = { ...base, stream: true };
    expect(
      planCompletionCalls({ ...stream, prompt: ["a", "b", "c"], n: 2 }, wireFormats.bedrock_completion, options),
    ).toHaveLength(MAX_OPEN_CALLS);
    const error = refusal(() =>
      planCompletionCalls({ ...stream, prompt: ["a", "b", "c", "d"], n: 2 }, wireFormats.bedrock_completion, options),
    );
    expect(error).toMatchObject({ status: 400, param: "prompt" });
    expect(error.message).toMatch(/^4 prompts × n 2 would open 8 streams at once/);
    expect(error.message).toContain(`a streamed request may open at most ${MAX_OPEN_CALLS}`);
    expect(error.message).toContain("Send fewer prompts or a smaller n, leave stream out");
    expect(error.message).toContain('"openai_completion"');
    expect(refusal(() => planCompletionCalls({ ...stream, n: 7 }, wireFormats.bedrock_completion, options)).param).toBe(
      "n",
    );
    // Plain answers take up to MAX_CALLS, a few at a time; OpenAICompletion takes them in one call.
    expect(planCompletionCalls({ ...base, n: 7 }, wireFormats.bedrock_completion, options)).toHaveLength(7);
    expect(planCompletionCalls({ ...stream, n: 7 }, wireFormats.openai_completion, options)).toHaveLength(1);
  });

  it("refuses by name what the format cannot carry, pointing to openai_completion", () => {
    for (const [extra, param] of [
      [{ logprobs: 0 }, "logprobs"],
      [{ seed: 1 }, "seed"],
      [{ presence_penalty: 0.5 }, "presence_penalty"],
      [{ frequency_penalty: -1 }, "frequency_penalty"],
      [{ logit_bias: { "5": 1 } }, "logit_bias"],
      [{ n: 2, best_of: 3 }, "best_of"],
      [{ structured_outputs: { choice: ["a"] } }, "structured_outputs"],
    ] as const) {
      const error = refusal(() =>
        planCompletionCalls({ ...base, ...extra } as CompletionRequest, wireFormats.bedrock_completion, options),
      );
      expect(error).toMatchObject({ status: 400, param, code: "unsupported_parameter" });
      expect(error.message).toContain('wire_format "bedrock_completion"');
      expect(error.message).toContain('Set the model\'s wire_format to "openai_completion"');
    }
    const logprobs = refusal(() =>
      planCompletionCalls({ ...base, logprobs: 2 }, wireFormats.bedrock_completion, options),
    );
    expect(logprobs.message).toMatch(
      /^logprobs cannot be returned in Bedrock's completion format, which gives token ids/,
    );
  });

  it("drops them instead under drop_params, the request's or the model's", () => {
    const asks = { ...base, seed: 1, logprobs: 2, frequency_penalty: 1 };
    const [byRequest] = planCompletionCalls({ ...asks, drop_params: true }, wireFormats.bedrock_completion, options);
    expect(byRequest?.text).toEqual({ prompt: "Once upon a time", max_tokens: 16 });
    const [byModel] = planCompletionCalls(asks, wireFormats.bedrock_completion, { ...options, dropParams: true });
    expect(byModel?.text).toEqual(byRequest?.text);
    expect(() =>
      planCompletionCalls({ ...asks, drop_params: false }, wireFormats.bedrock_completion, {
        ...options,
        dropParams: true,
      }),
    ).toThrow(BedrockEdgeError);
  });
});

describe("on every format", () => {
  it("refuses what is not a Completions parameter, unless dropped", () => {
    const request = { ...base, messages: [] } as CompletionRequest;
    const error = refusal(() => planCompletionCalls(request, wireFormats.openai_completion, options));
    expect(error).toMatchObject({ param: "messages", code: "unsupported_parameter" });
    expect(planCompletionCalls({ ...request, drop_params: true }, wireFormats.openai_completion, options)).toEqual([
      { text: { prompt: "Once upon a time", max_tokens: 16 }, place: { offset: 0 } },
    ]);
  });

  it("holds best_of to OpenAI's rules: at least n, and not streamed", () => {
    expect(
      refusal(() => planCompletionCalls({ ...base, n: 3, best_of: 2 }, wireFormats.openai_completion, options)).param,
    ).toBe("best_of");
    // best_of 1 asks the format for nothing, and is below n all the same.
    for (const format of [wireFormats.openai_completion, wireFormats.bedrock_completion]) {
      expect(refusal(() => planCompletionCalls({ ...base, n: 2, best_of: 1 }, format, options)).param).toBe("best_of");
    }
    expect(
      refusal(() => planCompletionCalls({ ...base, best_of: 2, stream: true }, wireFormats.openai_completion, options))
        .message,
    ).toMatch(/cannot be streamed/);
    // best_of equal to n picks nothing, so it streams: the format is asked for it as it was sent.
    expect(
      planCompletionCalls({ ...base, n: 2, best_of: 2, stream: true }, wireFormats.openai_completion, options),
    ).toEqual([{ text: { prompt: "Once upon a time", max_tokens: 16, n: 2, best_of: 2 }, place: { offset: 0 } }]);
  });
});

describe("echo in a plain answer (amplify35 #1)", () => {
  it("refuses a plain answer that would echo more than MAX_ECHOED_BYTES, on every format; a stream or less passes", () => {
    // 400 KB with n 128: 52 MB of echoes in one answer.
    const prompt = "word ".repeat(80_000);
    const asked = { ...base, prompt, n: 128, echo: true, max_tokens: 1 };
    for (const format of [wireFormats.openai_completion, wireFormats.bedrock_completion]) {
      const error = refusal(() => planCompletionCalls(asked, format, { ...options, dropParams: true }));
      expect(error).toMatchObject({ param: "echo", code: "plain_answer_too_large" });
      expect(error.message).toContain(`${400_000 * 128} bytes of prompt`);
    }
    // Streamed, an answer holds one chunk at a time.
    expect(planCompletionCalls({ ...asked, stream: true }, wireFormats.openai_completion, options)).toHaveLength(1);
    // At the bound: taken (a prompt list counts each prompt, n times).
    const halves = ["é".repeat(MAX_ECHOED_BYTES / 8), "é".repeat(MAX_ECHOED_BYTES / 8)];
    expect(() =>
      planCompletionCalls({ ...base, prompt: halves, n: 2, echo: true }, wireFormats.openai_completion, options),
    ).not.toThrow();
    expect(
      refusal(() =>
        planCompletionCalls({ ...base, prompt: halves, n: 3, echo: true }, wireFormats.openai_completion, options),
      ).param,
    ).toBe("echo");
    // Counted as the answer's JSON writes it: a control character takes six bytes there (codereview36 #2).
    const controls = "\u0001".repeat(699_000);
    expect(
      refusal(() =>
        planCompletionCalls({ ...base, prompt: controls, n: 12, echo: true }, wireFormats.openai_completion, options),
      ).message,
    ).toContain(`${699_000 * 6 * 12} bytes of prompt`);
    // A lone surrogate too (JSON.stringify writes "\ud800"); a pair is one 4-byte character (codereview37).
    const lone = "\ud800".repeat(349_000);
    expect(
      refusal(() =>
        planCompletionCalls({ ...base, prompt: lone, n: 12, echo: true }, wireFormats.openai_completion, options),
      ).message,
    ).toContain(`${349_000 * 6 * 12} bytes of prompt`);
    const emoji = "😀".repeat(349_000);
    expect(
      refusal(() =>
        planCompletionCalls({ ...base, prompt: emoji, n: 12, echo: true }, wireFormats.openai_completion, options),
      ).message,
    ).toContain(`${349_000 * 4 * 12} bytes of prompt`);
    // Without echo the prompt is not in the answer.
    expect(() => planCompletionCalls({ ...asked, echo: false }, wireFormats.openai_completion, options)).not.toThrow();
  });
});

describe("answers", () => {
  const meta = { id: "cmpl-1", created: 1, model: "m" };
  const usage = (prompt: number, completion: number) => ({
    prompt_tokens: prompt,
    completion_tokens: completion,
    total_tokens: prompt + completion,
  });

  it("put every call's choices in their place, echo where asked, and add up the usage", () => {
    const completion = completionFrom(meta, [
      {
        place: { offset: 1, echo: "Hi" },
        answer: { pieces: [{ index: 0, text: " there", finish: "length" }], usage: usage(2, 3) },
      },
      {
        place: { offset: 0, echo: "Hi" },
        answer: { pieces: [{ index: 0, text: "!", finish: "tool_calls" }], usage: usage(2, 1) },
      },
    ]);
    expect(completion).toEqual({
      ...meta,
      object: "text_completion",
      choices: [
        { index: 0, text: "Hi!", finish_reason: "stop", logprobs: null },
        { index: 1, text: "Hi there", finish_reason: "length", logprobs: null },
      ],
      usage: usage(4, 4),
    });
  });

  it("finish a choice whose model gave no stop reason with stop", () => {
    // mutation51: any other default went unnoticed.
    const completion = completionFrom(meta, [{ place: { offset: 0 }, answer: { pieces: [{ index: 0, text: "hi" }] } }]);
    expect(completion.choices).toEqual([{ index: 0, text: "hi", finish_reason: "stop", logprobs: null }]);
  });

  it("report no usage unless every call did", () => {
    expect(totalUsage([usage(1, 1), undefined])).toBeUndefined();
    expect(totalUsage([usage(1, 2), usage(3, 4)])).toEqual(usage(4, 6));
  });

  it("stream: a chunk per piece, the echo before each choice's first text, finish_reason null until the last", () => {
    const chunk = createChunkMaker(meta, { offset: 2, echo: "Say: " }, false);
    expect([
      chunk({ index: 0, text: "a" }),
      chunk({ index: 1, text: "b" }),
      chunk({ index: 0, text: "", finish: "stop" }),
    ]).toEqual([
      {
        ...meta,
        object: "text_completion",
        choices: [{ index: 2, text: "Say: a", finish_reason: null, logprobs: null }],
      },
      {
        ...meta,
        object: "text_completion",
        choices: [{ index: 3, text: "Say: b", finish_reason: null, logprobs: null }],
      },
      { ...meta, object: "text_completion", choices: [{ index: 2, text: "", finish_reason: "stop", logprobs: null }] },
    ]);
  });

  it("stream with usage asked for: usage null in each chunk, as OpenAI's until its usage chunk", () => {
    const chunk = createChunkMaker(meta, { offset: 0 }, true)({ index: 0, text: "a" });
    expect(chunk).toEqual({
      ...meta,
      object: "text_completion",
      choices: [{ index: 0, text: "a", finish_reason: null, logprobs: null }],
      usage: null,
    });
  });
});
