// A plain answer's logprobs, bounded before anything is sent: the proxy builds a plain answer
// whole, and an isolate has 128 MB for every request it serves (plain-answer.ts has the measurements).
import { describe, expect, it } from "vitest";
import { EMULATOR_CREDENTIALS } from "../emulator/credentials.ts";
import { createEmulator } from "../emulator/handler.ts";
import { emulatorModelId } from "../emulator/model-id.ts";
import { model } from "../test/helpers/emulated.ts";
import { createApp } from "./app.ts";
import { MAX_PLAIN_ANSWER_TOKENS, MAX_PLAIN_LOGPROB_UNITS, MAX_UNBOUNDED_PLAIN_ANSWERS } from "./plain-answer.ts";

function proxy(env: Record<string, string> = {}) {
  const emulator = createEmulator();
  const qwen3 = `bedrock/qwen3/${emulatorModelId("qwen3")}`;
  const app = createApp({
    env: {
      MODELS: JSON.stringify({
        q3oc: { model: qwen3, wire_format: "openai_completion" },
        capped: { model: qwen3, wire_format: "openai_completion", max_output_tokens: 512 },
        // Bedrock's OpenAI chat format: without max_tokens, this one answers 5,000 tokens, as vLLM
        // answers up to the model's context.
        open: model("openai", "long5000"),
        openCapped: { model: model("openai", "long5000"), max_output_tokens: 512 },
        // The same settings, answering a few tokens: what the proxy checks is the same, the answers quick.
        brief: model("openai"),
        briefCapped: { model: model("openai"), max_output_tokens: 512 },
        conv: model("converse"),
        llama: model("llama"),
        llamaDrop: { model: model("llama"), drop_params: true },
      }),
      PROXY_API_KEYS: "sk-test",
      AWS_ACCESS_KEY_ID: EMULATOR_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: EMULATOR_CREDENTIALS.secretAccessKey,
      BEDROCK_ENDPOINT: "http://bedrock.emulator",
      ...env,
    },
    fetch: (input, init) => emulator.fetch(new Request(input, init)),
    log: () => undefined,
  });
  const post = async (path: string, body: Record<string, unknown>) => {
    const response = await app.request(path, {
      method: "POST",
      headers: { authorization: "Bearer sk-test", "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    return { status: response.status, text: await response.text() };
  };
  const chat = (body: Record<string, unknown>) =>
    post("/v1/chat/completions", { model: "q3oc", messages: [{ role: "user", content: "hi" }], ...body });
  const completions = (body: Record<string, unknown>) =>
    post("/v1/completions", { model: "q3oc", prompt: "Once upon a time", ...body });
  return { chat, completions, emulator };
}

function errorOf(answer: { text: string }): { message: string; param: string; code: string; type: string } {
  return JSON.parse(answer.text).error;
}

describe("a plain answer's logprobs", () => {
  it("are refused before anything is sent when n × max_tokens × (3 + top_logprobs) is over the bound", async () => {
    expect(MAX_PLAIN_LOGPROB_UNITS).toBe(131_072);
    const { chat, emulator } = proxy();
    // The review's request: 250 bytes that took over 128 MB of heap.
    const answer = await chat({ n: 10, logprobs: true, top_logprobs: 20, max_tokens: 2048 });
    expect(answer.status).toBe(400);
    expect(errorOf(answer)).toMatchObject({
      type: "invalid_request_error",
      param: "top_logprobs",
      code: "plain_answer_too_large",
    });
    expect(errorOf(answer).message).toContain("n 10 × max_tokens 2048 × (3 + top_logprobs 20) is 471040 logprob units");
    expect(errorOf(answer).message).toContain("Set stream: true");
    expect(emulator.stats.requests).toHaveLength(0);
    // The field that makes the count is named: n without alternatives, else the output limit.
    const byN = await chat({ n: 8, logprobs: true, max_completion_tokens: 8192 });
    expect(errorOf(byN)).toMatchObject({ param: "n", code: "plain_answer_too_large" });
    expect(errorOf(byN).message).toContain("max_completion_tokens 8192");
    const byTokens = await chat({ logprobs: true, max_tokens: 50_000 });
    expect(errorOf(byTokens)).toMatchObject({ param: "max_tokens", code: "plain_answer_too_large" });
  });

  it("count what the library sends when no limit is set: the model's max_output_tokens, else 4096", async () => {
    const { chat } = proxy();
    // 8 × 512 × 23 = 94,208: within the bound under the model's cap.
    expect((await chat({ model: "capped", n: 8, logprobs: true, top_logprobs: 20 })).status).toBe(200);
    // 2 × 4096 × 23 = 188,416 on a model without one.
    const answer = await chat({ n: 2, logprobs: true, top_logprobs: 20 });
    expect(errorOf(answer)).toMatchObject({ param: "top_logprobs", code: "plain_answer_too_large" });
    expect(errorOf(answer).message).toContain("max_tokens 4096");
  });

  it("leave ordinary requests and streams alone", async () => {
    const { chat } = proxy();
    for (const body of [
      { n: 4, max_tokens: 8192 },
      { n: 128, max_tokens: 8192 },
      { logprobs: true, top_logprobs: 20 },
      { n: 2, logprobs: true, top_logprobs: 20, max_tokens: 2048 },
      { n: 4, logprobs: true, max_tokens: 8192 },
      { n: 10, logprobs: false, top_logprobs: 0, max_tokens: 2048 },
    ]) {
      expect({ body, status: (await chat(body)).status }).toEqual({ body, status: 200 });
    }
    // Streamed, the same request holds one chunk at a time.
    const streamed = await chat({ n: 10, logprobs: true, top_logprobs: 20, max_tokens: 2048, stream: true });
    expect(streamed.status).toBe(200);
    expect(streamed.text).toContain("data: [DONE]");
  });

  it("on legacy Completions: prompts × max(n, best_of) × max_tokens × (3 + logprobs)", async () => {
    const { completions, emulator } = proxy();
    // OpenAI's default of 16 tokens: 128 × 16 × 8 = 16,384.
    expect((await completions({ n: 128, logprobs: 5 })).status).toBe(200);
    const sent = emulator.stats.requests.length;
    const byLogprobs = await completions({ n: 128, logprobs: 5, max_tokens: 256 });
    expect(byLogprobs.status).toBe(400);
    expect(errorOf(byLogprobs)).toMatchObject({ param: "logprobs", code: "plain_answer_too_large" });
    expect(errorOf(byLogprobs).message).toContain("n 128 × max_tokens 256 × (3 + logprobs 5) is 262144");
    const byPrompts = await completions({ prompt: ["a", "b", "c", "d"], n: 4, logprobs: 0, max_tokens: 4096 });
    expect(errorOf(byPrompts)).toMatchObject({ param: "prompt", code: "plain_answer_too_large" });
    expect(errorOf(byPrompts).message).toContain("prompts × n 16 × max_tokens 4096");
    const byBestOf = await completions({ n: 1, best_of: 16, logprobs: 0, max_tokens: 4096 });
    expect(errorOf(byBestOf)).toMatchObject({ param: "best_of", code: "plain_answer_too_large" });
    expect(emulator.stats.requests.length).toBe(sent);
    expect((await completions({ n: 128, logprobs: 5, max_tokens: 256, stream: true })).status).toBe(200);
  });

  it("leave a count that is no count to the library's own 400, never quoting a value the client did not send (numbers43 #7)", async () => {
    const { chat, completions, emulator } = proxy();
    // On a model sent no output limit, logprobs have no bound: but the request is refused for its
    // top_logprobs or n first, in the library's words.
    for (const [fields, param, got] of [
      [{ top_logprobs: 20.5 }, "top_logprobs", "20.5"],
      [{ top_logprobs: 1e308 }, "top_logprobs", "1e+308"],
      [{ top_logprobs: -1 }, "top_logprobs", "-1"],
      [{ top_logprobs: "5" }, "top_logprobs", '"5"'],
      [{ n: 1.5 }, "n", "1.5"],
      [{ n: 0 }, "n", "0"],
    ] as const) {
      const answer = await chat({ model: "open", logprobs: true, ...fields });
      expect({ fields, status: answer.status, error: errorOf(answer) }).toMatchObject({
        fields,
        status: 400,
        error: { param, code: null, message: expect.stringContaining(`(got ${got}).`) },
      });
    }
    // Legacy Completions: 128 × 256 × (3 + 5) is over the bound, but best_of, n or logprobs is no count.
    for (const [fields, param] of [
      [{ n: 128, logprobs: 5, best_of: 1.5 }, "best_of"],
      [{ n: 128, logprobs: 5.5 }, "logprobs"],
      [{ n: 128.5, logprobs: 5 }, "n"],
    ] as const) {
      const answer = await completions({ max_tokens: 256, ...fields });
      expect({ fields, status: answer.status, error: errorOf(answer) }).toMatchObject({
        fields,
        status: 400,
        error: { param, code: null },
      });
    }
    expect(emulator.stats.requests).toHaveLength(0);
  });

  it("may come to the bound exactly; over it, n of 2 is the field named when nothing else multiplies", async () => {
    const { chat } = proxy();
    // 2 × 8192 × (3 + 5) = 131,072.
    expect((await chat({ n: 2, logprobs: true, top_logprobs: 5, max_tokens: 8192 })).status).toBe(200);
    // 2 × 32768 × 3 = 196,608.
    expect(errorOf(await chat({ n: 2, logprobs: true, max_tokens: 32768 }))).toMatchObject({
      param: "n",
      code: "plain_answer_too_large",
    });
  });

  it("echoed on legacy Completions: each of max(n, best_of) answers holds the prompt's logprobs, 3 + logprobs units a token", async () => {
    const { completions, emulator } = proxy();
    // 20,000 tokens by the proxy's estimate (a non-ASCII character is one): 20,000 × 3 = 60,000 once.
    const prompt = "€".repeat(20_000);
    expect((await completions({ prompt, echo: true, logprobs: 0, max_tokens: 1 })).status).toBe(200);
    const sent = emulator.stats.requests.length;
    for (const [field, body] of [
      ["n 4", { n: 4 }],
      ["best_of 4", { best_of: 4 }],
    ] as const) {
      const answer = await completions({ prompt, echo: true, logprobs: 0, max_tokens: 1, ...body });
      expect({ field, error: errorOf(answer) }).toMatchObject({
        field,
        error: { param: "echo", code: "plain_answer_too_large" },
      });
      expect(errorOf(answer).message).toContain("the prompt's 80000 tokens (estimated) × (3 + 0) for echo");
    }
    expect(emulator.stats.requests.length).toBe(sent);
  });

  it("have no bound on the openai route when no output limit is sent: a limit is asked for", async () => {
    const { chat, emulator } = proxy();
    // The review's request: counted as 4096 tokens, it got 20,000 (23.8 MB of JSON).
    const alternatives = await chat({ model: "open", logprobs: true, top_logprobs: 20 });
    expect(alternatives.status).toBe(400);
    expect(errorOf(alternatives)).toMatchObject({ param: "max_tokens", code: "plain_answer_too_large" });
    expect(errorOf(alternatives).message).toContain("sets no max_tokens or max_completion_tokens");
    expect(errorOf(alternatives).message).toContain("at most 5698 here");
    expect(errorOf(alternatives).message).toContain("stream: true");
    // Logprobs alone bound an answer at 43,690 tokens, below most imports' context.
    const alone = await chat({ model: "open", n: 2, logprobs: true });
    expect(errorOf(alone)).toMatchObject({ param: "max_tokens", code: "plain_answer_too_large" });
    expect(errorOf(alone).message).toContain("at most 21845 here");
    expect(emulator.stats.requests).toHaveLength(0);
    // A limit, the model's cap, or a stream bound it; without logprobs there is nothing to bound.
    for (const body of [
      { model: "open", logprobs: true, top_logprobs: 20, max_tokens: 64 },
      { model: "open", logprobs: true, max_completion_tokens: 64 },
      { model: "openCapped", n: 8, logprobs: true, top_logprobs: 20 },
      { model: "open", logprobs: true, top_logprobs: 20, stream: true },
      { model: "open" },
    ]) {
      const answer = await chat(body);
      expect({ body, status: answer.status }).toEqual({ body, status: 200 });
    }
    const capped = JSON.parse((await chat({ model: "openCapped", logprobs: true, top_logprobs: 2 })).text);
    expect(capped.choices[0].logprobs.content).toHaveLength(512);
    // A limit that is no count is the library's own 400.
    const bad = await chat({ model: "open", logprobs: true, max_tokens: "many" });
    expect(bad.status).toBe(400);
    expect(errorOf(bad).code).not.toBe("plain_answer_too_large");
  });

  it("are not counted where the route returns none: its own refusal wins, drop_params drops them", async () => {
    const { chat, completions } = proxy();
    const large = { logprobs: true, top_logprobs: 20, max_tokens: 8192 };
    const conv = await chat({ model: "conv", ...large });
    expect(errorOf(conv)).toMatchObject({ param: "logprobs" });
    expect(errorOf(conv).message).toContain("is not returned by Converse");
    const llama = await chat({ model: "llama", ...large });
    expect(errorOf(llama)).toMatchObject({ param: "logprobs" });
    expect(errorOf(llama).message).toContain("cannot be returned in Bedrock's completion format");
    const legacy = await completions({ model: "llama", logprobs: 5, max_tokens: 4096, n: 4 });
    expect(errorOf(legacy)).toMatchObject({ param: "logprobs" });
    expect(errorOf(legacy).message).toContain("cannot be returned in Bedrock's completion format");
    // Dropped by the request's drop_params, the model's, or the proxy's DROP_PARAMS: answered, as before the bound.
    for (const [answer, body] of [
      [chat, { model: "conv", ...large, drop_params: true }],
      [chat, { model: "llama", ...large, drop_params: true }],
      [chat, { model: "llamaDrop", logprobs: true, top_logprobs: 20, n: 2 }],
      [completions, { model: "llamaDrop", logprobs: 5, max_tokens: 4096, n: 4 }],
    ] as const) {
      expect({ body, status: (await answer(body)).status }).toEqual({ body, status: 200 });
    }
    const dropping = proxy({ DROP_PARAMS: "true" });
    expect((await dropping.chat({ model: "conv", ...large })).status).toBe(200);
    expect((await dropping.completions({ model: "llama", logprobs: 5, max_tokens: 4096, n: 4 })).status).toBe(200);
  });

  it("count the prompt's logprobs too: chat's prompt_logprobs (openai route), Completions' echo (the tenth review)", async () => {
    const { chat, completions, emulator } = proxy();
    // About 200,000 tokens of prompt by the proxy's estimate (ASCII characters / 4).
    const long = "word ".repeat(160_000);
    const promptAsked = await chat({
      model: "open",
      messages: [{ role: "user", content: long }],
      prompt_logprobs: 0,
      max_tokens: 8,
    });
    expect(promptAsked.status).toBe(400);
    expect(errorOf(promptAsked)).toMatchObject({ param: "prompt_logprobs", code: "plain_answer_too_large" });
    expect(errorOf(promptAsked).message).toMatch(
      /the prompt's \d+ tokens \(estimated\) × \(3 \+ 0\) for prompt_logprobs/,
    );
    // Echoed, every answer carries its prompt's logprobs: max_tokens 1 bounded nothing.
    const echoed = await completions({ model: "open", prompt: long, echo: true, logprobs: 1, max_tokens: 1 });
    expect(errorOf(echoed)).toMatchObject({ param: "echo", code: "plain_answer_too_large" });
    expect(emulator.stats.requests).toHaveLength(0);
    // A short prompt, the same long one without echo or without prompt_logprobs, or a stream: answered.
    for (const [call, body] of [
      [chat, { model: "open", prompt_logprobs: 2, max_tokens: 8 }],
      [chat, { model: "open", messages: [{ role: "user", content: long }], max_tokens: 8 }],
      [completions, { model: "open", prompt: "Once upon a time", echo: true, logprobs: 1, max_tokens: 8 }],
      [completions, { model: "open", prompt: long, logprobs: 1, max_tokens: 1 }],
      [completions, { model: "open", prompt: long, echo: true, logprobs: 1, max_tokens: 1, stream: true }],
    ] as const) {
      const answer = await call(body);
      expect({ body: JSON.stringify(body).slice(0, 80), status: answer.status }).toEqual({
        body: JSON.stringify(body).slice(0, 80),
        status: 200,
      });
    }
  });
});

describe("a plain answer's text", () => {
  it("is refused before anything is sent when answers × tokens is over the bound (review perreq43 #1)", async () => {
    expect(MAX_PLAIN_ANSWER_TOKENS).toBe(1_048_576);
    const { chat, completions, emulator } = proxy();
    // The review's 838-byte request: 16,384 answers of 200 tokens, 14.1 MiB answered before.
    const prompt = Array.from({ length: 128 }, (_, i) => `p${i}`);
    const review = await completions({ prompt, n: 128, max_tokens: 200 });
    expect(review.status).toBe(400);
    expect(errorOf(review)).toMatchObject({
      type: "invalid_request_error",
      param: "prompt",
      code: "plain_answer_too_large",
    });
    expect(errorOf(review).message).toContain("prompts × n 16384 × max_tokens 200 is 3276800 tokens");
    expect(errorOf(review).message).toContain("Set stream: true");
    expect(errorOf(review).message).toContain("at most 64 for 16384 answers");
    // Chat's n and best_of are named when they make the count.
    const byN = await chat({ n: 128, max_tokens: 8193 });
    expect(errorOf(byN)).toMatchObject({ param: "n", code: "plain_answer_too_large" });
    expect(errorOf(byN).message).toContain("n 128 × max_tokens 8193 is 1048704 tokens");
    const byBestOf = await completions({ best_of: 20, max_tokens: 60_000 });
    expect(errorOf(byBestOf)).toMatchObject({ param: "best_of", code: "plain_answer_too_large" });
    // One answer cannot pass the bound: a limit above the library's 1,000,000 is its own 400 (codereview43 #1).
    const byTokens = await completions({ max_tokens: 2_000_000 });
    expect(errorOf(byTokens)).toMatchObject({ param: "max_tokens", code: null });
    expect(errorOf(byTokens).message).toContain("max_tokens must be a whole number between 1 and 1000000");
    expect(emulator.stats.requests).toHaveLength(0);
  });

  it("may come to the bound exactly, and a stream is not bounded", async () => {
    const { chat, completions } = proxy();
    // 128 × 8192 = 1,048,576: at the bound, on chat and on legacy Completions.
    expect((await chat({ n: 128, max_tokens: 8192 })).status).toBe(200);
    const prompt = Array.from({ length: 8 }, (_, i) => `p${i}`);
    expect((await completions({ prompt, n: 16, max_tokens: 8192 })).status).toBe(200);
    // 2 × 128 × 4200 = 1,075,200, streamed.
    const streamed = await completions({ prompt: prompt.slice(0, 2), n: 128, max_tokens: 4200, stream: true });
    expect(streamed.status).toBe(200);
    expect(streamed.text).toContain("data: [DONE]");
  });

  it("with no output limit sent: one answer is served, more than MAX_UNBOUNDED_PLAIN_ANSWERS are refused naming max_tokens", async () => {
    expect(MAX_UNBOUNDED_PLAIN_ANSWERS).toBe(8);
    const { chat, emulator } = proxy();
    // The openai route sends no limit to a model without max_output_tokens: each answer runs to the model's context.
    const many = await chat({ model: "open", n: 9 });
    expect(many.status).toBe(400);
    expect(errorOf(many)).toMatchObject({ param: "max_tokens", code: "plain_answer_too_large" });
    expect(errorOf(many).message).toContain("each of n 9 answers may run to the model's context");
    expect(errorOf(many).message).toContain("at most 116508 here");
    expect(errorOf(many).message).toContain("stream: true");
    expect(emulator.stats.requests).toHaveLength(0);
    // Served as the bound allows, on models of the same settings whose answers are short (the
    // long ones took 5 s alone and past the test's timeout under the full suite's load).
    for (const body of [
      { model: "brief" },
      { model: "brief", n: 8 },
      { model: "brief", n: 9, max_tokens: 64 },
      { model: "briefCapped", n: 128 },
      { model: "brief", n: 9, stream: true },
    ]) {
      expect({ body, status: (await chat(body)).status }).toEqual({ body, status: 200 });
    }
  });

  it("leaves a count the library refuses on its own to the library's 400, whose advice can be followed (codereview43 #1)", async () => {
    const { chat, completions, emulator } = proxy();
    const refusals: Array<[Promise<{ text: string }>, string, string]> = [
      [chat({ n: 200, max_tokens: 8192 }), "n", "n must be a whole number between 1 and 128 (got 200)"],
      [chat({ model: "open", n: 200 }), "n", "n must be a whole number between 1 and 128 (got 200)"],
      [
        chat({ max_tokens: 2_000_000 }),
        "max_tokens",
        "max_tokens must be a whole number between 1 and 1000000 (got 2000000)",
      ],
      [
        completions({ prompt: Array.from({ length: 200 }, () => "p"), max_tokens: 8192 }),
        "prompt",
        "an array of 1 to 128 non-empty strings",
      ],
      [
        completions({ prompt: Array.from({ length: 5000 }, () => 1), max_tokens: 300 }),
        "prompt",
        "prompt holds token ids",
      ],
      [chat({ n: 128, max_tokens: 8192, logprobs: true, top_logprobs: 21 }), "top_logprobs", "top_logprobs must be"],
    ];
    for (const [answer, param, message] of refusals) {
      const error = errorOf(await answer);
      expect(error).toMatchObject({ type: "invalid_request_error", param });
      expect(error.code).not.toBe("plain_answer_too_large");
      expect(error.message).toContain(message);
    }
    expect(emulator.stats.requests).toHaveLength(0);
    // Within the library's ranges, the bound still speaks.
    expect(errorOf(await chat({ n: 128, max_tokens: 9000 }))).toMatchObject({ code: "plain_answer_too_large" });
  });
});
