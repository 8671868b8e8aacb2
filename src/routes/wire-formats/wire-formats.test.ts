import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { bedrockException } from "../../bedrock-errors.ts";
import { BedrockEdgeError, invalidRequest } from "../../errors.ts";
import {
  bodyFormat,
  explainFormatRefusal,
  formatsCarrying,
  uncarriedField,
  uncarriedRefusal,
  wireFormatOf,
  wireFormats,
  type TextPiece,
  type TextRequest,
} from "./index.ts";
import {
  type CompletionLogprobs,
  chatLogprobsFromCompletion,
  readChatLogprobs,
  readCompletionLogprobs,
  readPromptLogprobs,
} from "./logprobs.ts";

const everything: Required<TextRequest> = {
  prompt: "Once upon a time",
  max_tokens: 64,
  temperature: 0.5,
  top_p: 0.9,
  top_k: 40,
  stop: ["\n\n"],
  n: 2,
  seed: 7,
  presence_penalty: 0.1,
  frequency_penalty: 0.2,
  logit_bias: { "42": -100 },
  logprobs: 2,
  echo: true,
  best_of: 2,
  response_format: { type: "json_object" },
  structured_outputs: { choice: ["yes", "no"] },
  images: ["aGVsbG8="],
  model: "arn:aws:bedrock:us-east-1:123456789012:imported-model/abc",
};

function streamed(format: keyof typeof wireFormats, choices: number, events: Array<Record<string, unknown>>) {
  const reader = wireFormats[format].streamReader(choices);
  const pieces: TextPiece[] = events.flatMap((event) => reader.push(event));
  return { pieces, ...reader.end() };
}

describe("BedrockCompletion bodies", () => {
  it("carry the prompt and what the format has, max_tokens as max_gen_len", () => {
    expect(wireFormats.bedrock_completion.body(everything)).toEqual({
      prompt: "Once upon a time",
      max_gen_len: 64,
      temperature: 0.5,
      top_p: 0.9,
      top_k: 40,
      stop: ["\n\n"],
      images: ["aGVsbG8="],
      response_format: { type: "json_object" },
    });
    expect(wireFormats.bedrock_completion.body({ prompt: "Hi" })).toEqual({ prompt: "Hi" });
  });

  it("send no images field for an empty list of images", () => {
    expect(wireFormats.bedrock_completion.body({ prompt: "Hi", images: [] })).toEqual({ prompt: "Hi" });
  });

  it("name what they cannot carry, and who can", () => {
    expect(uncarriedField(wireFormats.bedrock_completion, { prompt: "Hi", max_tokens: 5, seed: 1 })).toBe("seed");
    expect(uncarriedField(wireFormats.bedrock_completion, { prompt: "Hi", max_tokens: 5 })).toBeUndefined();
    expect(formatsCarrying("logprobs")).toEqual(["openai_completion"]);
    expect(formatsCarrying("images")).toEqual(["bedrock_completion"]);
    expect(wireFormats.bedrock_completion.onePerCall).toBe(true);
    expect(wireFormatOf(undefined)).toBe(wireFormats.bedrock_completion);
  });
});

describe("OpenAICompletion bodies", () => {
  it("carry OpenAI's Completions fields under their own names, prompts as a list", () => {
    const { images: _images, ...rest } = everything;
    expect(wireFormats.openai_completion.body({ ...rest, prompt: ["a", "b"] })).toEqual({
      ...rest,
      prompt: ["a", "b"],
    });
    expect(wireFormats.openai_completion.body({ prompt: "Hi", max_tokens: 16 })).toEqual({
      prompt: "Hi",
      max_tokens: 16,
    });
  });

  it("have no images field", () => {
    expect(uncarriedField(wireFormats.openai_completion, { prompt: "Hi", images: ["x"] })).toBe("images");
    expect(wireFormats.openai_completion.body(everything)).not.toHaveProperty("images");
    expect(wireFormats.openai_completion.onePerCall).toBe(false);
  });

  it("refuse images without offering drop_params, which cannot drop an image the prompt already holds", () => {
    const images = uncarriedRefusal("images", wireFormats.openai_completion, "qwen3");
    expect(images).toMatchObject({ status: 400, param: "messages", code: "unsupported_parameter" });
    expect(images.message).not.toContain("drop_params");
    // Any other field may be dropped, and the refusal says so.
    expect(uncarriedRefusal("seed", wireFormats.bedrock_completion, "llama").message).toContain("drop_params: true");
  });
});

describe("BedrockCompletion answers", () => {
  it("read generation, text (qwen2) or outputs[0].text, the stop reason and the counts", () => {
    const read = (body: Record<string, unknown>) => wireFormats.bedrock_completion.readAnswer(body, 1);
    expect(read({ generation: "Hi", stop_reason: "length", prompt_token_count: 3, generation_token_count: 1 })).toEqual(
      {
        pieces: [{ index: 0, text: "Hi", finish: "length" }],
        usage: { prompt_tokens: 3, completion_tokens: 1, total_tokens: 4 },
      },
    );
    expect(read({ text: "Hey", stop_reason: "stop" }).pieces).toEqual([{ index: 0, text: "Hey", finish: "stop" }]);
    expect(read({ outputs: [{ text: "Yo", stop_reason: "stop" }] }).pieces[0]?.text).toBe("Yo");
    expect(read({ generation: "" })).toEqual({ pieces: [{ index: 0, text: "", finish: "stop" }] });
  });

  // Mistral's shape, as Bedrock documents it (User Guide, "Mistral AI text completion", the
  // response: `{"outputs": [{"text": string, "stop_reason": "stop" | "length"}]}`): the stop
  // reason sits beside the text, not at the top level. The emulator never answers so.
  it("read outputs[0]'s stop reason beside its text, plain and streamed", () => {
    const read = (body: Record<string, unknown>) => wireFormats.bedrock_completion.readAnswer(body, 1);
    expect(read({ outputs: [{ text: "Hi", stop_reason: "length" }] }).pieces).toEqual([
      { index: 0, text: "Hi", finish: "length" },
    ]);
    const result = streamed("bedrock_completion", 1, [
      { outputs: [{ text: "Hi", stop_reason: null }] },
      { outputs: [{ text: "!", stop_reason: "stop" }] },
    ]);
    expect(result.pieces).toEqual([
      { index: 0, text: "Hi" },
      { index: 0, text: "!", finish: "stop" },
    ]);
    expect(result.finished).toBe(true);
  });

  it("read an OpenAI-style usage object when the answer has one instead of the counts", () => {
    const read = (body: Record<string, unknown>) => wireFormats.bedrock_completion.readAnswer(body, 1);
    const usage = { prompt_tokens: 7, completion_tokens: 2, total_tokens: 9 };
    expect(read({ generation: "Hi", stop_reason: "stop", usage }).usage).toEqual(usage);
    const result = streamed("bedrock_completion", 1, [
      { generation: "Hi", stop_reason: null },
      { generation: "", stop_reason: "stop", usage },
    ]);
    expect(result.usage).toEqual(usage);
  });

  it("are a 502 when the body is not one", () => {
    const error = (() => {
      try {
        wireFormats.bedrock_completion.readAnswer({ choices: [] }, 1);
      } catch (caught) {
        return caught as BedrockEdgeError;
      }
    })();
    expect(error).toBeInstanceOf(BedrockEdgeError);
    expect(error?.status).toBe(502);
  });

  it("stream: text pieces, the stop reason once, usage from the running counts", () => {
    const result = streamed("bedrock_completion", 1, [
      { generation: "Hel", prompt_token_count: 4, generation_token_count: 1, stop_reason: null },
      { generation: "lo", prompt_token_count: null, generation_token_count: 2, stop_reason: null },
      { generation: "", prompt_token_count: null, generation_token_count: 2, stop_reason: "stop" },
      { generation: "", stop_reason: "stop" },
    ]);
    expect(result.pieces).toEqual([
      { index: 0, text: "Hel" },
      { index: 0, text: "lo" },
      { index: 0, text: "", finish: "stop" },
    ]);
    expect(result).toMatchObject({ finished: true, usage: { prompt_tokens: 4, completion_tokens: 2 } });
  });

  it("stream: a stream without a stop reason is not finished", () => {
    const result = streamed("bedrock_completion", 1, [{ generation: "Hel" }]);
    expect(result.finished).toBe(false);
    expect(result.usage).toBeUndefined();
  });
});

const completionLogprobs: CompletionLogprobs = {
  text_offset: [0, 3],
  token_logprobs: [-0.5, -1.25],
  tokens: ["Hel", "lo"],
  top_logprobs: [
    { Hel: -0.5, " the": -1.5, ",": -2 },
    { lo: -1.25, "\n": -3 },
  ],
};

describe("OpenAICompletion answers", () => {
  it("read each choice, its finish reason and logprobs, and the usage", () => {
    const answer = wireFormats.openai_completion.readAnswer(
      {
        id: "cmpl-1",
        object: "text_completion",
        choices: [
          { index: 1, text: "B", finish_reason: "length", logprobs: null, stop_reason: null, token_ids: null },
          { index: 0, text: "A", finish_reason: "stop", logprobs: completionLogprobs },
        ],
        usage: { prompt_tokens: 2, completion_tokens: 2, total_tokens: 4, prompt_tokens_details: null },
        kv_transfer_params: null,
      },
      2,
    );
    expect(answer).toEqual({
      pieces: [
        { index: 1, text: "B", finish: "length" },
        { index: 0, text: "A", finish: "stop", logprobs: completionLogprobs },
      ],
      usage: { prompt_tokens: 2, completion_tokens: 2, total_tokens: 4 },
    });
  });

  it("are a 502 without choices", () => {
    expect(() => wireFormats.openai_completion.readAnswer({ generation: "Hi" }, 1)).toThrow(/no "choices"/);
  });

  it("stream: the choices' pieces as they come, whole when every choice finished", () => {
    const chunk = (index: number, text: string, finish: string | null = null) => ({
      object: "text_completion",
      choices: [{ index, text, logprobs: null, finish_reason: finish, stop_reason: null, token_ids: null }],
      usage: null,
    });
    const events = [chunk(0, "A"), chunk(1, "B"), chunk(0, "", "stop"), chunk(1, "b", "length")];
    const result = streamed("openai_completion", 2, events);
    expect(result.pieces).toEqual([
      { index: 0, text: "A" },
      { index: 1, text: "B" },
      { index: 0, text: "", finish: "stop" },
      { index: 1, text: "b", finish: "length" },
    ]);
    expect(result.finished).toBe(true);
    expect(streamed("openai_completion", 2, events.slice(0, 3)).finished).toBe(false);
  });

  it("stream: the usage chunk's usage is kept when a later chunk has none", () => {
    // vLLM's include_usage sends usage with the last choice's chunk or after it; a chunk after
    // that (with `usage: null` or none) does not take it back.
    const usage = { prompt_tokens: 7, completion_tokens: 2, total_tokens: 9 };
    const result = streamed("openai_completion", 1, [
      { choices: [{ index: 0, text: "Hi", finish_reason: null }], usage: null },
      { choices: [{ index: 0, text: "", finish_reason: "stop" }], usage },
      { choices: [], usage: null },
      { choices: [] },
    ]);
    expect(result.usage).toEqual(usage);
  });

  it("stream: a token whose text is empty (half of a character) keeps its logprobs", () => {
    // "€" is three UTF-8 bytes; a token holding the first two has no text of its own yet.
    const token = (name: string, logprob: number) => ({
      tokens: [name],
      token_logprobs: [logprob],
      top_logprobs: [{ [name]: logprob }],
      text_offset: [0],
    });
    const result = streamed("openai_completion", 1, [
      { choices: [{ index: 0, text: "", logprobs: token("bytes:\\xe2\\x82", -0.5), finish_reason: null }] },
      { choices: [{ index: 0, text: "€", logprobs: token("bytes:\\xac", -0.25), finish_reason: "stop" }] },
    ]);
    expect(result.pieces.map((piece) => [piece.text, piece.logprobs?.tokens, piece.logprobs?.token_logprobs])).toEqual([
      ["", ["bytes:\\xe2\\x82"], [-0.5]],
      ["€", ["bytes:\\xac"], [-0.25]],
    ]);
  });

  it("stream: only the choices asked for, each until it finished", () => {
    const result = streamed("openai_completion", 1, [
      { choices: [{ index: 5, text: "stray", finish_reason: null }] },
      { choices: [{ index: -1, text: "A", finish_reason: "stop" }] },
      { choices: [{ index: 0, text: "late", finish_reason: null }] },
      { choices: "garbage" },
    ]);
    expect(result.pieces).toEqual([{ index: 0, text: "A", finish: "stop" }]);
    expect(result.finished).toBe(true);
  });

  it("plain: only the choices asked for, the first of each index, as the stream keeps them", () => {
    const choices = [
      { index: 0, text: "A", finish_reason: "stop" },
      { index: 0, text: "again", finish_reason: "stop" },
      { index: 2, text: "past n", finish_reason: "stop" },
      { index: 1, text: "B", finish_reason: null },
      { index: 1, text: "twice", finish_reason: "length" },
    ];
    const plain = wireFormats.openai_completion.readAnswer({ choices }, 2);
    expect(plain.pieces).toEqual([
      { index: 0, text: "A", finish: "stop" },
      { index: 1, text: "B", finish: "stop" },
    ]);
    // The same choices, each whole in one stream event (vLLM's finish reason on every one).
    const whole = choices.map((choice) => ({
      choices: [{ ...choice, finish_reason: choice.finish_reason ?? "stop" }],
    }));
    expect(streamed("openai_completion", 2, whole).pieces).toEqual(plain.pieces);
    expect(() => wireFormats.openai_completion.readAnswer({ choices: [{ index: 3, text: "x" }] }, 2)).toThrow(
      /no "choices"/,
    );
  });
});

describe("logprobs", () => {
  it("completion logprobs become Chat Completions' content[], the top list sorted and cut", () => {
    expect(chatLogprobsFromCompletion(completionLogprobs, 2)).toEqual([
      {
        token: "Hel",
        logprob: -0.5,
        bytes: [72, 101, 108],
        top_logprobs: [
          { token: "Hel", logprob: -0.5, bytes: [72, 101, 108] },
          { token: " the", logprob: -1.5, bytes: [32, 116, 104, 101] },
        ],
      },
      {
        token: "lo",
        logprob: -1.25,
        bytes: [108, 111],
        top_logprobs: [
          { token: "lo", logprob: -1.25, bytes: [108, 111] },
          { token: "\n", logprob: -3, bytes: [10] },
        ],
      },
    ]);
    expect(chatLogprobsFromCompletion(completionLogprobs, 0).map((entry) => entry.top_logprobs)).toEqual([[], []]);
  });

  it("bytes are UTF-8; tokens without a logprob (an echoed prompt) are not the answer's", () => {
    const read = readCompletionLogprobs({
      tokens: ["Say", "👋"],
      token_logprobs: [null, -0.1],
      top_logprobs: [null, { "👋": -0.1 }],
      text_offset: [0, 3],
    });
    expect(read).toBeDefined();
    expect(chatLogprobsFromCompletion(read!, 1)).toEqual([
      {
        token: "👋",
        logprob: -0.1,
        bytes: [240, 159, 145, 139],
        top_logprobs: [{ token: "👋", logprob: -0.1, bytes: [240, 159, 145, 139] }],
      },
    ]);
  });

  it("are rebuilt from untrusted answers: arrays aligned on tokens, odd tokens kept, garbage dropped", () => {
    expect(readCompletionLogprobs(null)).toBeUndefined();
    expect(readCompletionLogprobs({ tokens: "x" })).toBeUndefined();
    const read = readCompletionLogprobs({
      tokens: ["__proto__", 7],
      token_logprobs: [-1, "x"],
      // As JSON.parse reads a model's answer: "__proto__" an own key.
      top_logprobs: [JSON.parse('{"__proto__": -1, "constructor": "no"}')],
    });
    expect(read?.tokens).toEqual(["__proto__", ""]);
    expect(read?.token_logprobs).toEqual([-1, null]);
    expect(read?.text_offset).toEqual([0, 0]);
    expect(JSON.stringify(read?.top_logprobs)).toBe('[{"__proto__":-1},null]');
  });

  it("chat logprobs keep token, logprob, bytes and top_logprobs only", () => {
    expect(
      readChatLogprobs({
        content: [
          {
            token: "Hi",
            logprob: -0.2,
            bytes: [72, 105],
            top_logprobs: [{ token: "Hi", logprob: -0.2, extra: 1 }],
            x: 1,
          },
          { token: "!", logprob: "bad" },
          "garbage",
        ],
        refusal: null,
      }),
    ).toEqual([
      {
        token: "Hi",
        logprob: -0.2,
        bytes: [72, 105],
        top_logprobs: [{ token: "Hi", logprob: -0.2, bytes: [72, 105] }],
      },
    ]);
    expect(readChatLogprobs(null)).toBeUndefined();
  });

  it("chat logprobs keep the server's bytes of a token that is part of a character, in top_logprobs too", () => {
    // vLLM names such a token by its bytes (bytes:\xe2\x82, two of the three of "€"): the
    // bytes it sends are the token's, not the UTF-8 of that name.
    const half = { token: "bytes:\\xe2\\x82", logprob: -0.5, bytes: [226, 130] };
    expect(readChatLogprobs({ content: [{ ...half, top_logprobs: [half] }] })).toEqual([
      { ...half, top_logprobs: [half] },
    ]);
  });

  it("prompt logprobs: null first, then token id -> logprob, rank and text", () => {
    expect(
      readPromptLogprobs([null, { "1234": { logprob: -2, rank: 1, decoded_token: "Hi", extra: true } }, { "9": "x" }]),
    ).toEqual([null, { "1234": { logprob: -2, rank: 1, decoded_token: "Hi" } }, {}]);
    expect(readPromptLogprobs({})).toBeUndefined();
  });
});

describe("Bedrock's refusal of a format", () => {
  const legacy = bedrockException(
    "ValidationException",
    "Malformed input request: #: extraneous key [max_tokens] is not permitted, please reformat your input and try again.",
    400,
  );

  it("tells Bedrock's three formats apart by their fields", () => {
    expect(bodyFormat({ messages: [] })).toBe("OpenAIChatCompletion");
    expect(bodyFormat({ prompt: "x", max_tokens: 5 })).toBe("OpenAICompletion");
    expect(bodyFormat({ prompt: "x", max_gen_len: 5 })).toBe("BedrockCompletion");
    expect(bodyFormat({ prompt: "x" })).toBe("BedrockCompletion");
  });

  it("of an OpenAICompletion body by a model imported before 2025-11-11 names wire_format", () => {
    const explained = explainFormatRefusal(legacy, { prompt: "x", max_tokens: 5 }) as BedrockEdgeError;
    expect(explained).toBeInstanceOf(BedrockEdgeError);
    expect(explained.status).toBe(400);
    expect(explained.code).toBe("unsupported_wire_format");
    expect(explained.bedrockError).toBe("ValidationException");
    expect(explained.message).toMatch(/^This model does not take Bedrock's OpenAICompletion format/);
    expect(explained.message).toContain('set its wire_format to "bedrock_completion"');
    expect(explained.message).toContain("Bedrock said: Malformed input request");
  });

  it("of a prompt body by a chat-only model says to use chat completions", () => {
    const chatOnly = bedrockException("ValidationException", "messages: required non-empty array not found.", 400);
    const explained = explainFormatRefusal(chatOnly, { prompt: "x", max_tokens: 5 }) as BedrockEdgeError;
    expect(explained.message).toMatch(/takes only the chat format/);
  });

  it("names the chat format when one sentence has both words, either way round, and only then (fast-check)", () => {
    // The expression the test replaced, as the definition (on short messages it is quick).
    const definition = /\bmessages\b[^.]*\brequired\b|\brequired\b[^.]*\bmessages\b/;
    const refusal = (message: string) =>
      new BedrockEdgeError({ status: 400, message, bedrockError: "ValidationException", fromBedrock: true });
    const explained = (message: string) => {
      const error = refusal(message);
      return explainFormatRefusal(error, { prompt: "x", max_tokens: 5 }) !== error;
    };
    expect(explained("required: messages")).toBe(true);
    expect(explained("messages. required")).toBe(false);
    expect(explained("messages_required")).toBe(false);
    const word = fc.constantFrom("messages", "required", "message", "xrequired", " ", ".", "\n", ":", "_", "é", "x");
    fc.assert(
      fc.property(fc.array(word, { maxLength: 12 }), (words) => {
        const message = words.join("");
        expect(explained(message)).toBe(definition.test(message));
      }),
      { numRuns: 3000 },
    );
  });

  it("reads a long message in linear time", () => {
    // 4 MiB of "messages " in one sentence: the former expression took 5.6 s on 256 KiB, minutes here.
    const error = new BedrockEdgeError({
      status: 400,
      message: "messages ".repeat(466_000),
      bedrockError: "ValidationException",
      fromBedrock: true,
    });
    expect(explainFormatRefusal(error, { prompt: "x", max_tokens: 5 })).toBe(error);
  });

  it("of a max_gen_len over the model's limit names the request's parameter, in either form of Bedrock's path", () => {
    for (const path of ["#: max_gen_len", "#/max_gen_len"]) {
      const refused = bedrockException(
        "ValidationException",
        `Malformed input request: ${path}: 10000 is not less or equal to 8192, please reformat your input and try again.`,
        400,
      );
      const explained = explainFormatRefusal(refused, { prompt: "x", max_gen_len: 10000 }) as BedrockEdgeError;
      expect([path, explained.param, explained.message]).toEqual([
        path,
        "max_tokens",
        expect.stringMatching(/^The answer's token limit, 10000, is more than this model allows: 8192 at most\. /),
      ]);
    }
  });

  it("leaves every other error as it is", () => {
    const context = bedrockException(
      "ValidationException",
      "This model's maximum context length is 8192 tokens. However, you requested 9000 tokens (8000 in the messages, 1000 in the completion). Please reduce the length of the messages or completion.",
      400,
    );
    expect(explainFormatRefusal(context, { prompt: "x", max_tokens: 1000 })).toBe(context);
    const other = bedrockException("ValidationException", "temperature: out of range", 400);
    expect(explainFormatRefusal(other, { prompt: "x", max_tokens: 5 })).toBe(other);
    expect(explainFormatRefusal(legacy, { prompt: "x", max_gen_len: 5 })).toBe(legacy);
    const ours = invalidRequest("extraneous key [max_tokens]");
    expect(explainFormatRefusal(ours, { prompt: "x", max_tokens: 5 })).toBe(ours);
    const plain = new Error("x");
    expect(explainFormatRefusal(plain, { prompt: "x", max_tokens: 5 })).toBe(plain);
  });
});
