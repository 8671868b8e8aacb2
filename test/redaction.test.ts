// No secret of the call reaches the caller, whatever Bedrock echoes back and wherever: an error
// answer to a plain call, an exception frame that opens a stream (create() rejects with it), or
// one in the middle of a stream (the iteration throws it). Plain and percent-encoded forms alike.
import { describe, expect, it } from "vitest";
import { EMULATOR_SESSION_CREDENTIALS } from "../emulator/credentials.ts";
import { chunkFrame, encodeFrame, exceptionFrame, stringHeaders } from "../emulator/frames.ts";
import { BedrockEdgeError, createBedrock } from "../src/index.ts";
import { streamOf } from "./helpers/bytes.ts";
import { errorOf } from "./helpers/errors.ts";
import { recordOutput } from "./helpers/output-log.ts";

const MODEL = "bedrock/llama/arn:aws:bedrock:us-east-1:123456789012:imported-model/abcd1234efgh";
const credentials = { ...EMULATOR_SESSION_CREDENTIALS };
const secrets = [credentials.secretAccessKey, credentials.sessionToken ?? "", credentials.accessKeyId];

const encoded = (secret: string) => encodeURIComponent(secret);
const lowerEscapes = (secret: string) => encoded(secret).replace(/%[0-9A-F]{2}/g, (hex) => hex.toLowerCase());

/** Everything an upstream could echo: each secret as it is and percent-encoded both ways. */
const ECHO = secrets.map((secret) => `${secret} ${encoded(secret)} ${lowerEscapes(secret)}`).join(" | ");

function bedrockAnswering(answer: () => Response) {
  return createBedrock({ credentials, maxRetries: 0, fetch: async () => answer() });
}

/** An event-stream answer whose frames arrive one read each. */
function eventStream(...frames: Uint8Array[]): Response {
  return new Response(streamOf(frames), { headers: { "content-type": "application/vnd.amazon.eventstream" } });
}

/** Bedrock's 400 ValidationException answer, with `body` as it is sent. */
function validationAnswer(body: string): Response {
  return new Response(body, {
    status: 400,
    headers: { "content-type": "application/json", "x-amzn-errortype": "ValidationException" },
  });
}

function expectNoSecret(error: BedrockEdgeError): void {
  recordOutput(`${JSON.stringify(error.toJSON())} ${error.stack ?? ""}`);
  const seen = `${error.message} ${JSON.stringify(error.toJSON())} ${error.stack ?? ""}`;
  for (const secret of secrets) {
    expect(seen).not.toContain(secret);
    expect(seen).not.toContain(encoded(secret));
    expect(seen).not.toContain(lowerEscapes(secret));
  }
  expect(error.message).toContain("[redacted]");
}

describe("no secret of the call survives into an error", () => {
  it("an error answer to a plain call", async () => {
    const bedrock = bedrockAnswering(() => validationAnswer(JSON.stringify({ message: `Malformed request: ${ECHO}` })));
    const error = await errorOf(
      () => bedrock.chat.completions.create({ model: MODEL, messages: [{ role: "user", content: "Hi" }] }),
      BedrockEdgeError,
    );
    expect(error.status).toBe(400);
    expectNoSecret(error);
  });

  it("an exception frame that opens the stream", async () => {
    const bedrock = bedrockAnswering(() => eventStream(exceptionFrame("validationException", `Bad input: ${ECHO}`)));
    const error = await errorOf(
      () =>
        bedrock.chat.completions.create({ model: MODEL, messages: [{ role: "user", content: "Hi" }], stream: true }),
      BedrockEdgeError,
    );
    expect(error.status).toBe(400);
    expectNoSecret(error);
  });

  it("an exception frame in the middle of the stream", async () => {
    const bedrock = bedrockAnswering(() =>
      eventStream(
        chunkFrame({ generation: "Hello", stop_reason: null }),
        exceptionFrame("modelStreamErrorException", `The model failed: ${ECHO}`),
      ),
    );
    const stream = await bedrock.chat.completions.create({
      model: MODEL,
      messages: [{ role: "user", content: "Hi" }],
      stream: true,
    });
    let text = "";
    const error = await errorOf(async () => {
      for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? "";
    }, BedrockEdgeError);
    expect(text).toBe("Hello");
    expect(error.status).toBe(424);
    expectNoSecret(error);
  });
});

// secrets46 #3: text of a 200 answer, or of its headers, that an error quotes: an endpoint in
// front of Bedrock (BEDROCK_ENDPOINT) may echo the request's headers into it.
describe("no secret of the call survives from a 200 answer's text into an error", () => {
  const json = (body: unknown) => () =>
    new Response(JSON.stringify(body), { headers: { "content-type": "application/json" } });
  for (const [what, model, answer] of [
    ["Nova's error", "bedrock/image/amazon.nova-canvas-v1:0", { images: [], error: `Upstream failure: ${ECHO}` }],
    [
      "Stability's finish_reasons",
      "bedrock/image/stability.sd3-5-large-v1:0",
      { images: [], finish_reasons: [`Upstream failure: ${ECHO}`] },
    ],
    [
      "a content filter's error",
      "bedrock/image/amazon.nova-canvas-v1:0",
      { images: [], error: `blocked by our content filters: ${ECHO}` },
    ],
  ] as const) {
    it(`an image model's answer without images: ${what}`, async () => {
      const bedrock = createBedrock({
        credentials,
        region: "us-east-1",
        maxRetries: 0,
        fetch: async () => json(answer)(),
      });
      const error = await errorOf(() => bedrock.images.generate({ model, prompt: "hills" }), BedrockEdgeError);
      expect([400, 502]).toContain(error.status);
      expectNoSecret(error);
    });
  }

  it("a stream answered with another content type", async () => {
    const bedrock = bedrockAnswering(
      () => new Response("{}", { headers: { "content-type": `text/plain; echo=${credentials.secretAccessKey}` } }),
    );
    const error = await errorOf(
      () =>
        bedrock.chat.completions.create({ model: MODEL, messages: [{ role: "user", content: "Hi" }], stream: true }),
      BedrockEdgeError,
    );
    expect(error.status).toBe(502);
    expect(error.message).toContain("content-type");
    expectNoSecret(error);
  });

  it("an event whose type echoes a secret and whose payload is not JSON", async () => {
    const headers = stringHeaders({ ":message-type": "event", ":event-type": `x ${credentials.secretAccessKey}` });
    const bedrock = bedrockAnswering(() => eventStream(encodeFrame(headers, "not json")));
    const error = await errorOf(
      () =>
        bedrock.chat.completions.create({ model: MODEL, messages: [{ role: "user", content: "Hi" }], stream: true }),
      BedrockEdgeError,
    );
    expect(error.message).toContain("event whose payload is not a JSON object");
    expectNoSecret(error);
  });
});

// secrets46 #6: an error body that is not a JSON object is quoted as raw text, its JSON escapes in
// place; a message may also embed a JSON document of the request.
describe("no secret of the call survives JSON-escaped into an error", () => {
  const slashed = (text: string) => text.replaceAll("/", "\\/");
  const unicode = (text: string) =>
    text.replace(/[/+=]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);

  for (const [what, escapeIn] of [
    ["\\/", slashed],
    ["\\u002f", unicode],
  ] as const) {
    it(`a malformed body echoing the request with ${what} escapes`, async () => {
      const token = credentials.sessionToken ?? "";
      const body = `{"message":"Malformed request","request":{"secret":"${escapeIn(credentials.secretAccessKey)}","token":"${escapeIn(token)}"`;
      const bedrock = bedrockAnswering(() => validationAnswer(body));
      const error = await errorOf(
        () => bedrock.chat.completions.create({ model: MODEL, messages: [{ role: "user", content: "Hi" }] }),
        BedrockEdgeError,
      );
      expect(error.status).toBe(400);
      expectNoSecret(error);
      for (const secret of [credentials.secretAccessKey, token]) {
        expect(error.message).not.toContain(escapeIn(secret));
        expect(error.message).not.toContain(secret.split("/").at(-1));
      }
    });
  }
});
