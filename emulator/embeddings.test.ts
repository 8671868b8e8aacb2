// The emulator's embedding models: Titan V2's sizes and normalisation, Titan V1, Cohere's batch,
// their counts, and Bedrock's ValidationException for the bodies Bedrock refuses.
import { describe, expect, it } from "vitest";
import { COHERE_MAX_TEXTS, embeddingModel, embeddingTokens, emulatedVector } from "./embeddings.ts";
import { errorAnswer, json, send } from "./test-helpers.ts";

const TITAN_V2 = "amazon.titan-embed-text-v2:0";
const COHERE = "cohere.embed-multilingual-v3";
const PROFILE = "arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/a1b2c3d4e5f6";
const PROVISIONED = "arn:aws:bedrock:us-east-1:123456789012:provisioned-model/a1b2c3d4e5f6";

const length = (vector: unknown) => Math.hypot(...(vector as number[]));

describe("the emulator's embedding models", () => {
  it("names the ids it serves, bare or as a foundation-model ARN, and no other", () => {
    expect(embeddingModel(TITAN_V2)).toBe("titan_v2");
    expect(embeddingModel("amazon.titan-embed-text-v1")).toBe("titan_v1");
    expect(embeddingModel(`arn:aws:bedrock:us-west-2::foundation-model/${COHERE}`)).toBe("cohere");
    expect(embeddingModel("amazon.titan-embed-text-v3:0")).toBeUndefined();
    expect(embeddingModel("amazon.nova-lite-v1:0")).toBeUndefined();
  });

  it("serves cross-region ids of Bedrock's geographies, bare or as an inference-profile ARN (embedr38 #6)", async () => {
    expect(embeddingModel("us.cohere.embed-v4:0")).toBe("cohere_v4");
    expect(embeddingModel(`eu.${TITAN_V2}`)).toBe("titan_v2");
    expect(embeddingModel(`apac.${COHERE}`)).toBe("cohere");
    expect(embeddingModel(`arn:aws:bedrock:us-east-1:123456789012:inference-profile/global.${TITAN_V2}`)).toBe(
      "titan_v2",
    );
    // A geography Bedrock does not have, or two, is no id.
    expect(embeddingModel("xx.cohere.embed-v4:0")).toBeUndefined();
    expect(embeddingModel("us.eu.cohere.embed-v4:0")).toBeUndefined();
    const answer = await json(await send("us.cohere.embed-v4:0", { texts: ["a"], input_type: "search_query" }));
    expect(answer.embeddings).toEqual([emulatedVector("a", 1536, true)]);
  });

  it("serves an application inference profile or a provisioned model told what it serves, as for Converse (embfm39)", async () => {
    expect(embeddingModel(`${PROFILE}+${TITAN_V2}`)).toBe("titan_v2");
    expect(embeddingModel(`${PROVISIONED}+cohere.embed-v4:0`)).toBe("cohere_v4");
    // Without it, the emulator cannot know; an option of the emulator's is none embeddings take.
    expect(embeddingModel(PROFILE)).toBeUndefined();
    expect(embeddingModel(`${PROFILE}+amazon.nova-lite-v1:0`)).toBeUndefined();
    expect(embeddingModel(`${PROFILE}+${TITAN_V2}+throttle`)).toBeUndefined();
    const answer = await json(await send(`${PROFILE}+${TITAN_V2}`, { inputText: "hello", dimensions: 256 }));
    expect(answer.embedding).toEqual(emulatedVector("hello", 256, true));
  });

  it("Titan V2 answers a vector of the asked size, the same for the same text, normalised unless told not to", async () => {
    const answer = await json(await send(TITAN_V2, { inputText: "hello world", dimensions: 256 }));
    expect(answer.embedding).toEqual(emulatedVector("hello world", 256, true));
    expect(answer.inputTextTokenCount).toBe(embeddingTokens("hello world"));
    expect(length(answer.embedding)).toBeCloseTo(1, 10);
    const again = await json(await send(TITAN_V2, { inputText: "hello world", dimensions: 256 }));
    expect(again.embedding).toEqual(answer.embedding);
    const other = await json(await send(TITAN_V2, { inputText: "hello there", dimensions: 256 }));
    expect(other.embedding).not.toEqual(answer.embedding);
    const plain = await json(await send(TITAN_V2, { inputText: "hello world", normalize: false }));
    expect((plain.embedding as number[]).length).toBe(1024);
    expect(length(plain.embedding)).not.toBeCloseTo(1, 2);
  });

  it("Titan V1 answers 1536 values, and Bedrock's input count header", async () => {
    const response = await send("amazon.titan-embed-text-v1", { inputText: "abcdefgh" });
    expect(response.headers.get("x-amzn-bedrock-input-token-count")).toBe("2");
    expect(((await json(response)).embedding as number[]).length).toBe(1536);
  });

  it("Cohere answers one vector per text, in order, counted in the header", async () => {
    const texts = ["one", "two", "three"];
    const response = await send(COHERE, { texts, input_type: "search_document" });
    const total = texts.reduce((sum, text) => sum + embeddingTokens(text), 0);
    expect(response.headers.get("x-amzn-bedrock-input-token-count")).toBe(String(total));
    const answer = await json(response);
    expect(answer).toMatchObject({ texts, response_type: "embeddings_floats" });
    expect(answer.embeddings).toEqual(texts.map((text) => emulatedVector(text, 1024, true)));
  });

  it("Cohere v4 answers output_dimension values (1536 by default), by type when embedding_types is given", async () => {
    const sized = await json(
      await send("cohere.embed-v4:0", { texts: ["a"], input_type: "search_query", output_dimension: 256 }),
    );
    expect(sized.embeddings).toEqual([emulatedVector("a", 256, true)]);
    const byType = await json(
      await send("cohere.embed-v4:0", { texts: ["a"], input_type: "search_query", embedding_types: ["float"] }),
    );
    expect(byType).toMatchObject({
      response_type: "embeddings_by_type",
      embeddings: { float: [emulatedVector("a", 1536, true)] },
    });
  });

  it.each([
    [TITAN_V2, { inputText: "x", dimensions: 300 }, "#/dimensions: 300 is not a valid enum value"],
    [TITAN_V2, { inputText: "" }, "#/inputText: expected minLength: 1, actual: 0"],
    [TITAN_V2, { texts: ["x"] }, "extraneous key [texts] is not permitted"],
    ["amazon.titan-embed-text-v1", { inputText: "x", dimensions: 256 }, "extraneous key [dimensions]"],
    [
      COHERE,
      { texts: Array(COHERE_MAX_TEXTS + 1).fill("x"), input_type: "search_query" },
      "expected maximum item count: 96, found: 97",
    ],
    [COHERE, { texts: ["a", ""], input_type: "search_query" }, "#/texts/1: expected minLength: 1, actual: 0"],
    [COHERE, { texts: ["a"] }, "required key [input_type] not found"],
    [COHERE, { texts: ["a"], input_type: "query" }, '#/input_type: "query" is not a valid enum value'],
    [COHERE, { texts: ["a"], input_type: "search_query", output_dimension: 256 }, "extraneous key [output_dimension]"],
    [
      "cohere.embed-v4:0",
      { texts: ["a"], input_type: "search_query", output_dimension: 300 },
      "#/output_dimension: 300",
    ],
  ])("%s refuses %j with a ValidationException", async (modelId, body, message) => {
    const refused = await errorAnswer(await send(modelId, body));
    expect(refused).toMatchObject({ status: 400, type: "ValidationException" });
    expect(refused.message).toContain("Malformed input request: ");
    expect(refused.message).toContain(message);
  });

  it("Titan refuses a text of more than 8,192 tokens (by its count, one per 4 characters) in Titan's own words (awsfidelity46 #4)", async () => {
    for (const modelId of [TITAN_V2, "amazon.titan-embed-text-v1"]) {
      const most = "x".repeat(8192 * 4);
      expect((await send(modelId, { inputText: most })).status).toBe(200);
      const refused = await errorAnswer(await send(modelId, { inputText: `${most}y` }));
      expect(refused).toMatchObject({
        status: 400,
        type: "ValidationException",
        message: "400 Bad Request: Too many input tokens. Max input tokens: 8192, request input token count: 8193",
      });
    }
  });

  it("refuses the streamed operation, as Bedrock does for embedding models", async () => {
    const refused = await errorAnswer(await send(TITAN_V2, { inputText: "x" }, "invoke-with-response-stream"));
    expect(refused).toMatchObject({ status: 400, type: "ValidationException" });
  });
});
