// POST /v1/embeddings in workerd, driven by the official `openai` package's embeddings.create
// (its default base64 and "float"): the vectors, the log line, the usage row, a key's allow-list
// and its tokens_per_day counted from the usage's input, and CORS as on the other endpoints.
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { embeddingTokens, emulatedVector } from "../../emulator/embeddings.ts";
import type { D1Database } from "../../worker/cloudflare.ts";
import { errorOf } from "../helpers/errors.ts";
import { awayFromMidnight, eventually, keyLimitsCounts, TEST_KEYS, usageRow, type WorkerdProxy } from "./harness.ts";
import { startMeteredProxy } from "./metered-proxy.ts";

const MODELS = {
  vectors: "bedrock/embed/amazon.titan-embed-text-v2:0",
  cohere: "bedrock/embed/cohere.embed-english-v3",
};
const INPUT = ["The sky is blue.", "Grass is green."];
const TOKENS = INPUT.reduce((sum, text) => sum + embeddingTokens(text), 0);
const KEYS = {
  team: { key: "sk-embed-team-0001", tokens_per_day: 2 * TOKENS },
  narrow: { key: "sk-embed-narrow-0001", models: ["cohere"] },
};

let proxy: WorkerdProxy;
let db: D1Database;

beforeAll(async () => {
  ({ proxy, db } = await startMeteredProxy(MODELS, KEYS));
});
afterAll(() => proxy?.close());

const client = (name?: keyof typeof KEYS) => proxy.client("main", name ? { apiKey: KEYS[name].key } : {});

describe("embeddings.create with the openai package, in workerd", () => {
  it("answers the client's default base64 request, decoded to the model's float32 values, and float as asked", async () => {
    const { data: byDefault, response } = await client()
      .embeddings.create({ model: "vectors", input: INPUT })
      .withResponse();
    expect(byDefault.data.map((item) => item.embedding)).toEqual(
      INPUT.map((text) => [...new Float32Array(emulatedVector(text, 1024, true))]),
    );
    expect(byDefault.usage).toEqual({ prompt_tokens: TOKENS, total_tokens: TOKENS });
    const line = await eventually(
      () => proxy.logs.find((entry) => entry.request_id === response.headers.get("x-request-id")),
      3000,
      "the log line",
    );
    expect(line).toMatchObject({ path: "/v1/embeddings", status: 200, model: "vectors", prompt_tokens: TOKENS });
    const floats = await client().embeddings.create({
      model: "cohere",
      input: INPUT,
      encoding_format: "float",
    });
    expect(floats.data.map((item) => item.embedding)).toEqual(INPUT.map((text) => emulatedVector(text, 1024, true)));
  });

  it("writes a usage row with the input's tokens and no output", async () => {
    const { response } = await client().embeddings.create({ model: "vectors", input: INPUT }).withResponse();
    const id = response.headers.get("x-request-id") ?? "";
    const row = await usageRow(db, id);
    expect(row).toMatchObject({ endpoint: "/v1/embeddings", model: "vectors", route: "embed", status: 200 });
    expect(row.input_tokens).toBe(TOKENS);
    expect(row.output_tokens).toBe(0);
  });

  it("keeps a key to its models: another is a 404, as on every endpoint", async () => {
    const refused = await errorOf(
      () => client("narrow").embeddings.create({ model: "vectors", input: "x" }),
      OpenAI.NotFoundError,
    );
    expect(refused.status).toBe(404);
    const allowed = await client("narrow").embeddings.create({ model: "cohere", input: "x" });
    expect(allowed.data).toHaveLength(1);
  });

  it("answers a CORS preflight and names the origin on the answer, as the other endpoints do", async () => {
    const preflight = await fetch(`${proxy.url()}/v1/embeddings`, {
      method: "OPTIONS",
      headers: {
        origin: "https://app.example",
        "access-control-request-method": "POST",
        "access-control-request-headers": "authorization, content-type",
      },
    });
    expect(preflight.headers.get("access-control-allow-origin")).toBe("https://app.example");
    const answer = await fetch(`${proxy.url()}/v1/embeddings`, {
      method: "POST",
      headers: {
        origin: "https://app.example",
        authorization: `Bearer ${TEST_KEYS[0]}`,
        "content-type": "application/json",
      },
      body: JSON.stringify({ model: "vectors", input: "hi", encoding_format: "float" }),
    });
    expect(answer.status).toBe(200);
    expect(answer.headers.get("access-control-allow-origin")).toBe("https://app.example");
  });

  describe("tokens_per_day", () => {
    beforeAll(() => awayFromMidnight(30_000), 40_000);

    it("counts each request's input tokens, and refuses once the day's are used", async () => {
      const counted = async () => (await keyLimitsCounts(proxy, "team")).tokens;
      await client("team").embeddings.create({ model: "vectors", input: INPUT });
      await eventually(async () => ((await counted()) === TOKENS ? true : undefined), 3000, "one request counted");
      await client("team").embeddings.create({ model: "vectors", input: INPUT });
      await eventually(async () => ((await counted()) === 2 * TOKENS ? true : undefined), 3000, "two counted");
      const refused = await errorOf(
        () => client("team").embeddings.create({ model: "vectors", input: INPUT }),
        OpenAI.RateLimitError,
      );
      expect(refused.code).toBe("tokens_per_day_exceeded");
    });
  });
});
