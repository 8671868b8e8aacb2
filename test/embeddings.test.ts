// OpenAI's Embeddings API through the library, against the emulator: each family's body, Titan's
// one call per text in order, Cohere's batches of 96, base64 bit for bit, dimensions, and the
// refusals (token ids, dimensions a model does not take, chat on an embedding model and the
// other way round).
import OpenAI from "openai";
import { describe, expect, it } from "vitest";
import { EMULATOR_CREDENTIALS } from "../emulator/credentials.ts";
import { emulatedVector, embeddingTokens } from "../emulator/embeddings.ts";
import { createEmulator } from "../emulator/handler.ts";
import {
  BedrockEdgeError,
  type BedrockOptions,
  type CallSentEvent,
  createBedrock,
  type ModelEntry,
  type RetryEvent,
} from "../src/index.ts";
import { model } from "./helpers/emulated.ts";
import { errorOf } from "./helpers/errors.ts";
import { inProcessProxy } from "./helpers/in-process-proxy.ts";

const TITAN_V2 = "bedrock/embed/amazon.titan-embed-text-v2:0";
const TITAN_V1 = "bedrock/embed/amazon.titan-embed-text-v1";
const COHERE = "bedrock/embed/cohere.embed-english-v3";

/** A client on the emulator that keeps every body it sent, in order, and how many were out at once. */
function embedding(options: Partial<BedrockOptions> = {}) {
  const emulator = createEmulator();
  const bodies: Array<Record<string, unknown>> = [];
  let open = 0;
  let mostOpen = 0;
  const bedrock = createBedrock({
    endpoint: "http://bedrock.emulator",
    region: "us-east-1",
    credentials: EMULATOR_CREDENTIALS,
    retryBaseDelayMs: 1,
    retryMaxDelayMs: 5,
    fetch: async (input, init) => {
      const request = new Request(input, init);
      bodies.push(JSON.parse(await request.clone().text()) as Record<string, unknown>);
      open++;
      mostOpen = Math.max(mostOpen, open);
      // Answers come back out of order: the last text sent answers first.
      await new Promise((resolve) => setTimeout(resolve, 20 - Math.min(19, bodies.length)));
      try {
        return await emulator.fetch(request);
      } finally {
        open--;
      }
    },
    ...options,
  });
  return { bedrock, bodies, mostOpen: () => mostOpen };
}

const texts = (count: number) => Array.from({ length: count }, (_, index) => `text number ${index}`);

/**
 * A fetch on the emulator whose calls of a body under 1,000 bytes answer after `ms` (abortable),
 * the others at once; each text sent is kept in `sent`, and `onSent` told of it.
 */
function slowShortTexts(ms: number, sent: string[] = [], onSent?: () => unknown): typeof fetch {
  const emulator = createEmulator();
  return async (input, init) => {
    const request = new Request(input, init);
    const body = await request.clone().text();
    sent.push((JSON.parse(body) as { inputText: string }).inputText);
    onSent?.();
    if (body.length < 1000) {
      await new Promise((resolve, reject) => {
        const timer = setTimeout(resolve, ms);
        init?.signal?.addEventListener("abort", () => {
          clearTimeout(timer);
          reject(init.signal?.reason);
        });
      });
    }
    return emulator.fetch(request);
  };
}

describe("embeddings on Titan Text Embeddings V2", () => {
  it("sends one call per text, {inputText, dimensions}, and answers in the input's order with the summed counts", async () => {
    const { bedrock, bodies, mostOpen } = embedding();
    const input = texts(10);
    const answer = await bedrock.embeddings.create({ model: TITAN_V2, input, dimensions: 256 });
    // Sent at once, so they reach the emulator in any order: one body per text.
    const byText = (a: Record<string, unknown>, b: Record<string, unknown>) =>
      String(a.inputText).localeCompare(String(b.inputText));
    expect([...bodies].sort(byText)).toEqual(input.map((inputText) => ({ inputText, dimensions: 256 })).sort(byText));
    // At most MAX_OPEN_CALLS (6) at a time: a Worker holds 6 connections open.
    expect(mostOpen()).toBeLessThanOrEqual(6);
    expect(mostOpen()).toBeGreaterThan(1);
    expect(answer.object).toBe("list");
    expect(answer.model).toBe(TITAN_V2);
    expect(answer.data.map((item) => item.index)).toEqual(input.map((_, index) => index));
    expect(answer.data.map((item) => item.embedding)).toEqual(input.map((text) => emulatedVector(text, 256, true)));
    const tokens = input.reduce((sum, text) => sum + embeddingTokens(text), 0);
    expect(answer.usage).toEqual({ prompt_tokens: tokens, total_tokens: tokens });
    expect(answer.data.every((item) => item.object === "embedding")).toBe(true);
  });

  it("takes one string, and sends no dimensions when none is asked", async () => {
    const { bedrock, bodies } = embedding();
    const answer = await bedrock.embeddings.create({ model: TITAN_V2, input: "hello", user: "u-1" });
    expect(bodies).toEqual([{ inputText: "hello" }]);
    expect(answer.data).toEqual([{ object: "embedding", index: 0, embedding: emulatedVector("hello", 1024, true) }]);
  });

  it("encodes base64 as little-endian float32 bytes, bit for bit what a Float32Array of the floats holds", async () => {
    const { bedrock } = embedding();
    const input = ["first", "second"];
    const floats = await bedrock.embeddings.create({ model: TITAN_V2, input, dimensions: 512 });
    const encoded = await bedrock.embeddings.create({
      model: TITAN_V2,
      input,
      dimensions: 512,
      encoding_format: "base64",
    });
    for (const [index, item] of encoded.data.entries()) {
      expect(typeof item.embedding).toBe("string");
      const expected = new Float32Array(floats.data[index]!.embedding);
      expect(Buffer.from(item.embedding, "base64")).toEqual(Buffer.from(expected.buffer));
      // Decoded as the openai client decodes it: the floats' float32 values, 512 of them.
      const decoded = new Float32Array(new Uint8Array(Buffer.from(item.embedding, "base64")).buffer);
      expect([...decoded]).toEqual([...expected]);
    }
  });

  it("refuses dimensions outside 256, 512, 1024, naming them, before any call", async () => {
    const { bedrock, bodies } = embedding();
    const error = await errorOf(
      () => bedrock.embeddings.create({ model: TITAN_V2, input: "x", dimensions: 300 }),
      BedrockEdgeError,
    );
    expect(error).toMatchObject({ status: 400, param: "dimensions" });
    expect(error.message).toContain("256, 512, 1024");
    expect(bodies).toEqual([]);
  });

  it("a text over Titan's 8,192 tokens is a 400 context_length_exceeded, in Titan's words (awsfidelity46 #4)", async () => {
    const { bedrock, bodies } = embedding();
    const error = await errorOf(
      () => bedrock.embeddings.create({ model: TITAN_V2, input: "x".repeat(8192 * 4 + 1) }),
      BedrockEdgeError,
    );
    expect(error).toMatchObject({ status: 400, code: "context_length_exceeded", bedrockError: "ValidationException" });
    expect(error.message).toContain("Too many input tokens. Max input tokens: 8192, request input token count: 8193");
    expect(bodies).toHaveLength(1);
  });

  it("a models-table entry on the embed route serves embeddings under its name", async () => {
    const { bedrock, bodies } = embedding({ models: { vectors: TITAN_V2 } });
    const answer = await bedrock.embeddings.create({ model: "vectors", input: "named" });
    expect(bodies).toEqual([{ inputText: "named" }]);
    expect(answer.model).toBe("vectors");
  });
});

describe("embeddings on Titan V1 and Cohere Embed", () => {
  it("Titan V1 sends {inputText} only and refuses dimensions", async () => {
    const { bedrock, bodies } = embedding();
    const answer = await bedrock.embeddings.create({ model: TITAN_V1, input: "v1" });
    expect(bodies).toEqual([{ inputText: "v1" }]);
    expect(answer.data[0]!.embedding).toEqual(emulatedVector("v1", 1536, false));
    const error = await errorOf(
      () => bedrock.embeddings.create({ model: TITAN_V1, input: "v1", dimensions: 256 }),
      BedrockEdgeError,
    );
    expect(error).toMatchObject({ status: 400, param: "dimensions", code: "unsupported_parameter" });
  });

  it("Cohere sends the texts in batches of 96 with input_type, the vectors in order, the counts from Bedrock's header", async () => {
    const { bedrock, bodies } = embedding();
    const input = texts(200);
    const answer = await bedrock.embeddings.create({ model: COHERE, input, input_type: "search_query" });
    // Sent at once, so they reach the emulator in any order: put back in the input's.
    const first = (body: Record<string, unknown>) => input.indexOf((body.texts as string[])[0]!);
    expect([...bodies].sort((a, b) => first(a) - first(b))).toEqual([
      { texts: input.slice(0, 96), input_type: "search_query" },
      { texts: input.slice(96, 192), input_type: "search_query" },
      { texts: input.slice(192), input_type: "search_query" },
    ]);
    expect(answer.data.map((item) => item.embedding)).toEqual(input.map((text) => emulatedVector(text, 1024, true)));
    expect(answer.data.map((item) => item.index)).toEqual(input.map((_, index) => index));
    const tokens = input.reduce((sum, text) => sum + embeddingTokens(text), 0);
    expect(answer.usage).toEqual({ prompt_tokens: tokens, total_tokens: tokens });
  });

  it('Cohere\'s input_type defaults to "search_document"; other families refuse input_type', async () => {
    const { bedrock, bodies } = embedding();
    await bedrock.embeddings.create({ model: COHERE, input: "doc" });
    expect(bodies).toEqual([{ texts: ["doc"], input_type: "search_document" }]);
    const error = await errorOf(
      () => bedrock.embeddings.create({ model: TITAN_V2, input: "doc", input_type: "search_query" }),
      BedrockEdgeError,
    );
    expect(error).toMatchObject({ status: 400, param: "input_type" });
  });
});

describe("embeddings on Cohere Embed v4", () => {
  const V4 = "bedrock/embed/cohere.embed-v4:0";

  it("by its cross-region id, as v4 is usually called, end to end on the emulator (embedr38 #6)", async () => {
    const { bedrock, bodies } = embedding();
    const answer = await bedrock.embeddings.create({
      model: "bedrock/embed/us.cohere.embed-v4:0",
      input: ["one", "two"],
      encoding_format: "float",
    });
    expect(bodies).toEqual([{ texts: ["one", "two"], input_type: "search_document" }]);
    expect(answer.data.map((item) => item.embedding)).toEqual([
      emulatedVector("one", 1536, true),
      emulatedVector("two", 1536, true),
    ]);
  });

  it("sends dimensions as output_dimension, one of 256, 512, 1024, 1536", async () => {
    const { bedrock, bodies } = embedding();
    const answer = await bedrock.embeddings.create({ model: V4, input: ["a", "b"], dimensions: 512 });
    expect(bodies).toEqual([{ texts: ["a", "b"], input_type: "search_document", output_dimension: 512 }]);
    expect(answer.data.map((item) => item.embedding)).toEqual(
      ["a", "b"].map((text) => emulatedVector(text, 512, true)),
    );
    const error = await errorOf(
      () => bedrock.embeddings.create({ model: V4, input: "a", dimensions: 300 }),
      BedrockEdgeError,
    );
    expect(error).toMatchObject({ status: 400, param: "dimensions" });
    expect(error.message).toContain("256, 512, 1024, 1536");
  });

  it("reads an answer by type ({float: [...]}), and refuses one without a vector per text as a 502", async () => {
    const answering = (body: unknown) =>
      createBedrock({
        region: "us-east-1",
        apiKey: "emulator-key",
        retryBaseDelayMs: 1,
        fetch: async () =>
          new Response(JSON.stringify(body), {
            headers: { "content-type": "application/json", "x-amzn-bedrock-input-token-count": "7" },
          }),
      });
    const byType = { embeddings: { float: [[0.5, -0.25]] }, response_type: "embeddings_by_type", texts: ["a"] };
    const answer = await answering(byType).embeddings.create({ model: V4, input: "a" });
    expect(answer.data).toEqual([{ object: "embedding", index: 0, embedding: [0.5, -0.25] }]);
    expect(answer.usage).toEqual({ prompt_tokens: 7, total_tokens: 7 });
    const short = await errorOf(
      () => answering(byType).embeddings.create({ model: V4, input: ["a", "b"] }),
      BedrockEdgeError,
    );
    expect(short).toMatchObject({ status: 502, code: "bad_upstream_response" });
    // Bedrock billed the call its header counts, however its body reads (embedr38 #4).
    expect(short.usage).toEqual({ prompt_tokens: 7, completion_tokens: 0, total_tokens: 7 });
  });
});

describe("embeddings' types", () => {
  it("take OpenAI's params as they are, and answer what OpenAI's float answer is", async () => {
    const { bedrock } = embedding();
    // Compiled by the typecheck: code typed against the openai package moves over unchanged.
    const params: OpenAI.EmbeddingCreateParams = { model: TITAN_V2, input: ["typed"], encoding_format: "float" };
    const answer = await bedrock.embeddings.create(params);
    const floats: OpenAI.CreateEmbeddingResponse = await bedrock.embeddings.create({
      ...params,
      encoding_format: "float",
    });
    expect(floats.data[0]!.embedding).toEqual(emulatedVector("typed", 1024, true));
    expect(answer).toEqual(floats);
  });
});

describe("embeddings refused", () => {
  it("token ids: Bedrock takes text", async () => {
    const { bedrock, bodies } = embedding();
    for (const input of [[1, 2, 3], [[1, 2]]]) {
      const error = await errorOf(() => bedrock.embeddings.create({ model: TITAN_V2, input }), BedrockEdgeError);
      expect(error).toMatchObject({ status: 400, param: "input", code: "unsupported_parameter" });
      expect(error.message).toContain("token ids");
    }
    expect(bodies).toEqual([]);
  });

  it("an empty text, an empty list, an unknown encoding_format and an unknown field, naming each", async () => {
    const { bedrock } = embedding();
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ input: "" }, "input"],
      [{ input: [] }, "input"],
      [{ input: ["a", ""] }, "input[1]"],
      [{ input: "a", encoding_format: "int8" }, "encoding_format"],
      [{ input: "a", dimensions: 1.5 }, "dimensions"],
      [{ input: "a", stream: true }, "stream"],
    ];
    for (const [fields, param] of cases) {
      const error = await errorOf(
        () => bedrock.embeddings.create({ model: TITAN_V2, ...fields } as never),
        BedrockEdgeError,
      );
      expect(error, JSON.stringify(fields)).toMatchObject({ status: 400, param });
    }
  });

  it("a request that fails after some of its calls answered carries their usage: Bedrock billed them", async () => {
    const { bedrock } = embedding();
    // The seventh waits for a place among six, so at least one has answered when it is refused.
    const input = [...texts(6), "x".repeat(50_001)];
    const error = await errorOf(() => bedrock.embeddings.create({ model: TITAN_V2, input }), BedrockEdgeError);
    expect(error).toMatchObject({ status: 400 });
    expect(error.message).toContain("#/inputText: expected maxLength: 50000");
    expect(error.usage?.completion_tokens).toBe(0);
    expect(error.usage?.prompt_tokens).toBeGreaterThanOrEqual(embeddingTokens("text number 0"));
    expect(error.usage?.prompt_tokens).toBeLessThanOrEqual(
      texts(6).reduce((sum, text) => sum + embeddingTokens(text), 0),
    );
    // A request refused before any call answered carries none.
    const first = await errorOf(
      () => bedrock.embeddings.create({ model: TITAN_V2, input: "x".repeat(50_001) }),
      BedrockEdgeError,
    );
    expect(first.usage).toBeUndefined();
  });

  it("a failure while other calls are out: those become unmeteredCalls with their texts, for an estimate (embedr38 #3)", async () => {
    // The long text's 400 comes back at once; every other call waits 200 ms (stopped by the abort).
    const { bedrock } = embedding({ fetch: slowShortTexts(200) });
    const input = ["x".repeat(50_001), "a", "b", "c", "d", "e"];
    const error = await errorOf(() => bedrock.embeddings.create({ model: TITAN_V2, input }), BedrockEdgeError);
    expect(error).toMatchObject({ status: 400 });
    // Bedrock refused the long one (unbilled); the five others were sent, and none answered.
    expect(error.usage).toBeUndefined();
    expect(error.unmeteredCalls).toEqual(
      ["a", "b", "c", "d", "e"].map((text, at) => ({ prompt: at + 1, chunks: 0, texts: [text] })),
    );
  });

  it("a caller's abort after some calls answered: a 499 carrying their usage and the calls still out, its cause the reason (embedr38 #3)", async () => {
    const caller = new AbortController();
    const reason = new Error("user gave up");
    // Six at a time, 100 ms each: the abort comes once the second six are out, the first answered.
    const sent: string[] = [];
    const { bedrock } = embedding({
      fetch: slowShortTexts(100, sent, () => sent.length === 12 && setTimeout(() => caller.abort(reason), 20)),
    });
    const input = texts(40);
    const error = await errorOf(
      () => bedrock.embeddings.create({ model: TITAN_V2, input }, { signal: caller.signal }),
      BedrockEdgeError,
    );
    expect(error).toMatchObject({ status: 499, code: "request_aborted" });
    expect(error.cause).toBe(reason);
    expect(error.message).toContain("user gave up");
    const tokensOf = (list: readonly string[]) => list.reduce((sum, text) => sum + embeddingTokens(text), 0);
    expect(error.usage).toEqual({
      prompt_tokens: tokensOf(input.slice(0, 6)),
      completion_tokens: 0,
      total_tokens: tokensOf(input.slice(0, 6)),
    });
    expect(error.unmeteredCalls).toEqual(
      input.slice(6, 12).map((text, at) => ({ prompt: 6 + at, chunks: 0, texts: [text] })),
    );
    // A signal aborted before anything was sent throws its reason as it is.
    const before = new AbortController();
    before.abort(reason);
    await expect(bedrock.embeddings.create({ model: TITAN_V2, input }, { signal: before.signal })).rejects.toBe(reason);
  });

  it("a retried call of several tells onRetry which it is: its first text's index and its texts (codereview39 #2, #4)", async () => {
    const emulator = createEmulator();
    const throttledOnce = new Set<string>();
    // Each text's first call is throttled: every call is retried once.
    const { bedrock } = embedding({
      fetch: async (input, init) => {
        const request = new Request(input, init);
        const { inputText } = JSON.parse(await request.clone().text()) as { inputText: string };
        if (throttledOnce.has(inputText)) return emulator.fetch(request);
        throttledOnce.add(inputText);
        return Response.json(
          { message: "Too many requests" },
          {
            status: 429,
            headers: { "x-amzn-ErrorType": "ThrottlingException" },
          },
        );
      },
    });
    const events: RetryEvent[] = [];
    const onRetry = (event: RetryEvent) => events.push(event);
    await bedrock.embeddings.create({ model: TITAN_V2, input: ["a", "b", "c"] }, { onRetry });
    expect(events.map(({ prompt, texts }) => ({ prompt, texts })).sort((x, y) => x.prompt! - y.prompt!)).toEqual([
      { prompt: 0, texts: ["a"] },
      { prompt: 1, texts: ["b"] },
      { prompt: 2, texts: ["c"] },
    ]);
    // A request of one call: its retry is the request's, as a single prompt's is.
    events.length = 0;
    await bedrock.embeddings.create({ model: TITAN_V2, input: ["d"] }, { onRetry });
    expect(events).toHaveLength(1);
    expect(events[0]).not.toHaveProperty("prompt");
    expect(events[0]).not.toHaveProperty("texts");
  });

  it("tells onCallSent each call of several as it goes out, six at a time, before its fetch; one call tells none (codereview35 #2)", async () => {
    const sent: string[] = [];
    const { bedrock } = embedding({ fetch: slowShortTexts(50, sent) });
    const told: { prompt: number; texts: string[] | undefined; fetchedBefore: number }[] = [];
    const onCallSent = ({ prompt, texts }: CallSentEvent) => told.push({ prompt, texts, fetchedBefore: sent.length });
    await bedrock.embeddings.create(
      { model: TITAN_V2, input: ["a", "b", "c", "d", "e", "f", "g", "h"] },
      { onCallSent },
    );
    expect(told.map(({ prompt, texts }) => ({ prompt, texts }))).toEqual(
      ["a", "b", "c", "d", "e", "f", "g", "h"].map((text, at) => ({ prompt: at, texts: [text] })),
    );
    // The first six together; the seventh and eighth only once a call has answered.
    expect(told.slice(0, 6).map(({ fetchedBefore }) => fetchedBefore)).toEqual([0, 0, 0, 0, 0, 0]);
    expect(told[6]!.fetchedBefore).toBe(6);
    told.length = 0;
    await bedrock.embeddings.create({ model: TITAN_V2, input: ["one"] }, { onCallSent });
    expect(told).toEqual([]);
  });

  it("more than 128 texts on Titan, which embeds one per call", async () => {
    const { bedrock, bodies } = embedding();
    const error = await errorOf(
      () => bedrock.embeddings.create({ model: TITAN_V2, input: texts(129) }),
      BedrockEdgeError,
    );
    expect(error).toMatchObject({ status: 400, param: "input", code: "too_many_inputs" });
    expect(bodies).toEqual([]);
  });

  it("embeddings on a chat model, and chat, legacy Completions and Responses on an embedding model", async () => {
    const { bedrock, bodies } = embedding();
    const onChat = await errorOf(
      () => bedrock.embeddings.create({ model: model("llama"), input: "x" }),
      BedrockEdgeError,
    );
    expect(onChat).toMatchObject({ status: 400, param: "model", code: "unsupported_route" });
    expect(onChat.message).toContain("llama route");
    const refusals = [
      () => bedrock.chat.completions.create({ model: TITAN_V2, messages: [{ role: "user", content: "hi" }] }),
      () => bedrock.completions.create({ model: TITAN_V2, prompt: "hi" }),
      () => bedrock.responses.create({ model: TITAN_V2, input: "hi" }),
    ];
    for (const refused of refusals) {
      const error = await errorOf(refused, BedrockEdgeError);
      expect(error).toMatchObject({ status: 400, param: "model", code: "unsupported_route" });
      expect(error.message).toContain("embedding model");
    }
    expect(bodies).toEqual([]);
  });

  it("more texts than an answer of 1,048,576 floats holds, before any call (embedr38 #2)", async () => {
    const { bedrock, bodies } = embedding();
    // 2,048 texts of Cohere v4's 1,536 floats were a 67 MB answer from a 15 KB request.
    const v4 = "bedrock/embed/cohere.embed-v4:0";
    const error = await errorOf(() => bedrock.embeddings.create({ model: v4, input: texts(683) }), BedrockEdgeError);
    expect(error).toMatchObject({ status: 400, param: "input", code: "too_many_inputs" });
    expect(error.message).toContain("send at most 682 texts per request, or ask for fewer dimensions");
    expect(bodies).toEqual([]);
    // Fewer dimensions make room for more texts.
    const small = await bedrock.embeddings.create({ model: v4, input: texts(683), dimensions: 256 });
    expect(small.data).toHaveLength(683);
  });

  it("deployments of two embedding models under one name: refused, as a failover would mix their vectors (embedr38 #1)", () => {
    const mixed = {
      deployments: [{ model: TITAN_V2 }, { model: COHERE }],
    };
    expect(() => createBedrock({ region: "us-east-1", models: { vectors: mixed } })).toThrow(
      /models\["vectors"\]\.deployments\[1\]\.model: cohere\.embed-english-v3 is not deployments\[0\]'s embedding model \(amazon\.titan-embed-text-v2:0\)/,
    );
    // One model in two regions, by bare id and by cross-region id, is copies of one model.
    const copies = {
      deployments: [
        { model: TITAN_V2, region: "us-east-1" },
        { model: TITAN_V2, region: "us-west-2" },
        { model: "bedrock/embed/us.amazon.titan-embed-text-v2:0", region: "us-east-2" },
      ],
    };
    expect(() => createBedrock({ region: "us-east-1", models: { vectors: copies } })).not.toThrow();
  });

  it("a models-table entry on the embed route whose id names no embedding model", () => {
    expect(() =>
      createBedrock({ region: "us-east-1", models: { bad: "bedrock/embed/amazon.nova-lite-v1:0" } }),
    ).toThrow(/models\["bad"\]\.model: the embed route serves Bedrock's embedding models/);
  });
});

describe("embeddings on an id that names no model: its entry's foundation_model (embedr38 #5)", () => {
  const PROFILE = "arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/a1b2c3d4e5f6";
  const PROVISIONED = "arn:aws:bedrock:us-east-1:123456789012:provisioned-model/b1b2c3d4e5f6";
  const V4 = "cohere.embed-v4:0";
  const refusal = (entry: ModelEntry) =>
    errorOf(() => createBedrock({ region: "us-east-1", models: { e: entry } }), TypeError).message;
  const UNKNOWN =
    'models["e"].foundation_model: it names no embedding model the embed route speaks (a foundation id of Titan Text Embeddings V1 or V2, or Cohere Embed v3 or v4, as amazon.titan-embed-text-v2:0, with a cross-region prefix or not).';

  it("serves an application inference profile as the family foundation_model names, calling the profile's own ARN", async () => {
    // The emulator learns what the profile serves from the `+…` after its ARN, as Bedrock knows it.
    const served = `${PROFILE}+${V4}`;
    const { bedrock, bodies } = embedding({
      models: { vectors: { model: `bedrock/embed/${served}`, foundation_model: `us.${V4}` } },
    });
    const answer = await bedrock.embeddings.create({
      model: "vectors",
      input: ["one", "two"],
      dimensions: 256,
      encoding_format: "float",
    });
    // Cohere v4's body: the texts in one call, the size as output_dimension.
    expect(bodies).toEqual([{ texts: ["one", "two"], input_type: "search_document", output_dimension: 256 }]);
    expect(answer.data.map((item) => item.embedding)).toEqual([
      emulatedVector("one", 256, true),
      emulatedVector("two", 256, true),
    ]);
    // Without the setting, the ARN says no family: refused with the table, pointing at foundation_model.
    expect(refusal({ model: `bedrock/embed/${served}` })).toContain("names the one it serves in foundation_model");
  });

  it("takes copies of one model behind opaque ids as deployments of one name", () => {
    const copies = {
      deployments: [{ model: `bedrock/embed/${PROFILE}` }, { model: `bedrock/embed/${PROVISIONED}` }],
      foundation_model: "amazon.titan-embed-text-v2:0",
    };
    expect(() => createBedrock({ region: "us-east-1", models: { vectors: copies } })).not.toThrow();
  });

  it("is refused as the converse route refuses it: on an id that names its model, on an imported model", () => {
    const named =
      'models["e"].foundation_model: this model id names its model already, or serves an imported one (the setting is for ids that name none: application inference profiles, provisioned models, custom model deployments).';
    for (const id of [
      "amazon.titan-embed-text-v2:0",
      `us.${V4}`,
      "arn:aws:bedrock:us-east-1::foundation-model/cohere.embed-english-v3",
      "arn:aws:bedrock:us-east-1:123456789012:imported-model/a1b2c3d4e5f6",
    ]) {
      expect(refusal({ model: `bedrock/embed/${id}`, foundation_model: V4 }), id).toBe(named);
    }
  });

  // codereview46 #3: the id was quoted cut to 200 characters, through a key pasted there.
  it("a model id of no embedding model past 200 characters is told by its length, never cut", async () => {
    const id = `amazon.${"k".repeat(250)}`;
    const error = await errorOf(
      () => embedding().bedrock.embeddings.create({ model: `bedrock/embed/${id}`, input: "hi" }),
      BedrockEdgeError,
    );
    expect(error).toMatchObject({ status: 400, code: "unsupported_model" });
    expect(error.message).toMatch(new RegExp(`^a model id of ${id.length} characters names no embedding model`));
  });

  it("is refused when it names no embedding model, or is no foundation id as Bedrock names it", () => {
    for (const value of [
      "amazon.nova-lite-v1:0",
      "anthropic.claude-sonnet-4-5-20250929-v1:0",
      "amazon.titan-embed-image-v1",
      `arn:aws:bedrock:us-east-1::foundation-model/${V4}`,
      ` ${V4}`,
      `${V4}\n`,
      PROFILE,
      "",
    ]) {
      expect(refusal({ model: `bedrock/embed/${PROFILE}`, foundation_model: value }), value).toBe(UNKNOWN);
    }
  });
});

/** The proxy in-process on the emulator, its log lines, and the official client for a key. */
function proxy(env: Record<string, string> = {}) {
  const { lines, clientFor, app } = inProcessProxy({ vectors: TITAN_V2, cohere: COHERE, chat: model("llama") }, env);
  return { lines, client: clientFor, app };
}

describe("POST /v1/embeddings through the proxy, with the official openai client", () => {
  it("answers the client's default base64 request, which it decodes to the model's floats, and float as asked", async () => {
    const { client, lines } = proxy();
    const input = ["alpha", "beta", "gamma"];
    // The client asks for base64 when no encoding_format is given, and decodes it to numbers.
    const byDefault = await client().embeddings.create({ model: "vectors", input });
    expect(byDefault.data.map((item) => item.embedding)).toEqual(
      input.map((text) => [...new Float32Array(emulatedVector(text, 1024, true))]),
    );
    expect(byDefault.model).toBe("vectors");
    const floats = await client().embeddings.create({
      model: "vectors",
      input,
      encoding_format: "float",
      dimensions: 256,
    });
    expect(floats.data.map((item) => item.embedding)).toEqual(input.map((text) => emulatedVector(text, 256, true)));
    const tokens = input.reduce((sum, text) => sum + embeddingTokens(text), 0);
    expect(floats.usage).toEqual({ prompt_tokens: tokens, total_tokens: tokens });
    // The log line counts the input, and no output.
    expect(lines.at(-1)).toMatchObject({
      path: "/v1/embeddings",
      status: 200,
      prompt_tokens: tokens,
      completion_tokens: 0,
    });
    expect(lines.at(-1)?.model).toBe("vectors");
  });

  it("serves Cohere Embed's batches, and records the input under LOG_PROMPTS", async () => {
    const { client, lines } = proxy({ LOG_PROMPTS: "true" });
    const input = texts(100);
    const answer = await client().embeddings.create({ model: "cohere", input, encoding_format: "float" });
    expect(answer.data).toHaveLength(100);
    expect(answer.data[99]!.embedding).toEqual(emulatedVector("text number 99", 1024, true));
    expect(lines.at(-1)?.prompt).toEqual(input);
  });

  it("takes null as unset in a raw JSON body, as OpenAI's other endpoints here do", async () => {
    const { app } = proxy();
    const response = await app.request("http://proxy.test/v1/embeddings", {
      method: "POST",
      headers: { authorization: "Bearer sk-test", "content-type": "application/json" },
      body: JSON.stringify({ model: "vectors", input: "x", dimensions: null, encoding_format: null, user: null }),
    });
    expect(response.status).toBe(200);
    const answer = (await response.json()) as { data: Array<{ embedding: number[] }> };
    expect(answer.data[0]!.embedding).toEqual(emulatedVector("x", 1024, true));
  });

  it("lists the embedding models in /v1/models, and keeps a key to the models it may call", async () => {
    const keys = JSON.stringify({ narrow: { key: "sk-narrow-0123456789", models: ["chat"] } });
    const { client } = proxy({ API_KEYS: keys });
    const names = (await client().models.list()).data.map((entry) => entry.id);
    expect(names).toEqual(["vectors", "cohere", "chat"]);
    const refused = await errorOf(
      () => client("sk-narrow-0123456789").embeddings.create({ model: "vectors", input: "x" }),
      OpenAI.APIError,
    );
    expect(refused.status).toBe(404);
  });

  it("refuses embeddings on a chat model, dimensions Titan does not take, and chat on an embedding model, as 400s", async () => {
    const { client } = proxy();
    const onChat = await errorOf(() => client().embeddings.create({ model: "chat", input: "x" }), OpenAI.APIError);
    expect(onChat).toMatchObject({ status: 400, param: "model", code: "unsupported_route" });
    const dimensions = await errorOf(
      () => client().embeddings.create({ model: "vectors", input: "x", dimensions: 100 }),
      OpenAI.APIError,
    );
    expect(dimensions).toMatchObject({ status: 400, param: "dimensions" });
    const chat = await errorOf(
      () => client().chat.completions.create({ model: "vectors", messages: [{ role: "user", content: "hi" }] }),
      OpenAI.APIError,
    );
    expect(chat).toMatchObject({ status: 400, param: "model", code: "unsupported_route" });
  });
});
