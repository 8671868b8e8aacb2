// Bedrock's streamed answers in the shapes AWS documents (test/fixtures/bedrock-streams: each file
// names its sources), framed by the project's one encoder (checked byte for byte against AWS's
// own vectors in eventstream-vectors.test.ts). Each is read by AWS's SDK, as an independent
// check that it is a real Bedrock answer; by the emulator's decoder; by the library's event
// layer; and, for invoke answers, all the way through a route to chat.completion.chunk objects.
/// <reference types="node" />
import { readdirSync, readFileSync } from "node:fs";
import { Readable } from "node:stream";
import {
  BedrockRuntimeClient,
  ConverseStreamCommand,
  InvokeModelWithResponseStreamCommand,
} from "@aws-sdk/client-bedrock-runtime";
import { describe, expect, it } from "vitest";
import { decodeFrame, encodeFrame, stringHeaders } from "../emulator/frames.ts";
import { readEvents } from "../emulator/testing.ts";
import { createMessageSplitter } from "../src/eventstream/decode.ts";
import { CHUNK_EVENT, readBedrockEvent } from "../src/eventstream/events.ts";
import { BedrockEdgeError, type ChatCompletionChunk, createBedrock, type Usage } from "../src/index.ts";
import { concat, cut, seeded, streamOf } from "./helpers/bytes.ts";
import { errorOf } from "./helpers/errors.ts";

type JsonObject = Record<string, unknown>;

interface Frame {
  headers: Record<string, string>;
  payload: JsonObject;
  /** For a chunk event: the model JSON its payload's base64 `bytes` holds, for reading. */
  model?: JsonObject;
}

interface ErrorExpectation {
  status: number;
  code: string;
  bedrockError: string;
  message: string;
}

interface Expectation {
  content?: string;
  reasoning?: string;
  tool_calls?: Array<{ name: string; arguments: string }>;
  finish_reason?: string;
  usage?: Usage;
  /** The stream fails after the content above. */
  error?: ErrorExpectation;
  /** create() itself rejects: the failure came before anything was passed on. */
  rejects?: ErrorExpectation;
}

interface Fixture {
  name: string;
  about: string;
  sources: string[];
  operation: "invoke" | "converse";
  frames: Frame[];
  replay?: { route: "deepseek_r1" | "llama" | "qwen3" | "qwen2" | "openai"; tools?: boolean; expect: Expectation };
}

const FIXTURES = new URL("./fixtures/bedrock-streams/", import.meta.url);
const fixtures: Fixture[] = readdirSync(FIXTURES)
  .filter((file) => file.endsWith(".json"))
  .sort()
  .map((file) => ({
    name: file.replace(/\.json$/, ""),
    ...(JSON.parse(readFileSync(new URL(file, FIXTURES), "utf8")) as Omit<Fixture, "name">),
  }));
const invokeFixtures = fixtures.filter((fixture) => fixture.operation === "invoke");
const converseFixtures = fixtures.filter((fixture) => fixture.operation === "converse");
const replayed = fixtures.filter((fixture) => fixture.replay);

const encodeFixtureFrame = (frame: Frame) => encodeFrame(stringHeaders(frame.headers), JSON.stringify(frame.payload));
const framesOf = (fixture: Fixture) => fixture.frames.map(encodeFixtureFrame);
const isException = (frame: Frame) => frame.headers[":message-type"] === "exception";
const fromBase64 = (text: string) =>
  new TextDecoder().decode(Uint8Array.from(atob(text), (char) => char.charCodeAt(0)));
const upperFirst = (name: string) => name.charAt(0).toUpperCase() + name.slice(1);

describe("the fixtures", () => {
  it("cover both operations, and name AWS's documentation as their source", () => {
    expect(invokeFixtures.length).toBeGreaterThanOrEqual(5);
    expect(converseFixtures.length).toBeGreaterThanOrEqual(3);
    for (const fixture of fixtures) {
      expect(fixture.sources.length, fixture.name).toBeGreaterThan(0);
      for (const source of fixture.sources) expect(source).toMatch(/^https:\/\/docs\.aws\.amazon\.com\/bedrock\//);
    }
  });

  it.each(invokeFixtures.map((fixture) => [fixture.name, fixture] as const))(
    "%s: each chunk's base64 bytes hold the model JSON it shows",
    (_, fixture) => {
      for (const frame of fixture.frames.filter((frame) => !isException(frame))) {
        expect(frame.headers[":event-type"]).toBe(CHUNK_EVENT);
        expect(JSON.parse(fromBase64(String(frame.payload.bytes)))).toEqual(frame.model);
      }
    },
  );
});

/** Replays a fixture's bytes to AWS's SDK as Bedrock's HTTP answer; returns what it parsed, then its error. */
async function readBySdk(fixture: Fixture): Promise<{ events: JsonObject[]; error?: Error }> {
  const frames = framesOf(fixture);
  const sdk = new BedrockRuntimeClient({
    region: "us-east-1",
    credentials: { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY" },
    maxAttempts: 1,
    requestHandler: {
      handle: async () => ({
        response: {
          statusCode: 200,
          headers: {
            "content-type": "application/vnd.amazon.eventstream",
            "x-amzn-bedrock-content-type": "application/json",
          },
          body: Readable.from(frames),
        },
      }),
    },
  });
  const modelId = "arn:aws:bedrock:us-east-1:123456789012:imported-model/abcd1234efgh";
  const events: JsonObject[] = [];
  try {
    if (fixture.operation === "invoke") {
      const output = await sdk.send(new InvokeModelWithResponseStreamCommand({ modelId, body: "{}" }));
      for await (const event of output.body ?? []) {
        events.push({ chunk: JSON.parse(new TextDecoder().decode(event.chunk?.bytes)) as JsonObject });
      }
    } else {
      const output = await sdk.send(
        new ConverseStreamCommand({ modelId, messages: [{ role: "user", content: [{ text: "Hi" }] }] }),
      );
      for await (const event of output.stream ?? []) events.push(JSON.parse(JSON.stringify(event)) as JsonObject);
    }
  } catch (error) {
    return { events, error: error as Error };
  }
  return { events };
}

describe("AWS's SDK reads each fixture as a Bedrock answer", () => {
  it.each(fixtures.map((fixture) => [fixture.name, fixture] as const))("%s", async (_, fixture) => {
    const { events, error } = await readBySdk(fixture);
    const sent = fixture.frames.filter((frame) => !isException(frame));
    expect(events).toEqual(
      sent.map((frame) =>
        fixture.operation === "invoke" ? { chunk: frame.model } : { [frame.headers[":event-type"]!]: frame.payload },
      ),
    );
    const failure = fixture.frames.find(isException);
    if (failure) {
      expect(error?.name).toBe(upperFirst(failure.headers[":exception-type"]!));
      expect(error?.message).toBe(failure.payload.message);
      if ("originalStatusCode" in failure.payload) {
        expect((error as Error & { originalStatusCode?: number }).originalStatusCode).toBe(
          failure.payload.originalStatusCode,
        );
      }
    } else {
      expect(error).toBeUndefined();
    }
  });
});

describe("the emulator's decoder reads each frame as it was sent", () => {
  it.each(fixtures.map((fixture) => [fixture.name, fixture] as const))("%s", async (_, fixture) => {
    for (const frame of fixture.frames) {
      const decoded = decodeFrame(encodeFixtureFrame(frame));
      expect(decoded.headers).toEqual(frame.headers);
      expect(JSON.parse(new TextDecoder().decode(decoded.body))).toEqual(frame.payload);
    }
    if (fixture.operation !== "invoke") return;
    const events = await readEvents(streamOf([concat(framesOf(fixture))]));
    expect(events.map((event) => (event.kind === "chunk" ? event.json : event))).toEqual(
      fixture.frames.map((frame) =>
        isException(frame)
          ? { kind: "exception", exceptionType: frame.headers[":exception-type"], message: frame.payload.message }
          : frame.model,
      ),
    );
  });
});

describe("the library's event layer yields each event, and ends on an exception with a typed error", () => {
  const STATUS: Record<string, number> = { throttlingException: 429, modelStreamErrorException: 424 };

  it.each(fixtures.map((fixture) => [fixture.name, fixture] as const))("%s", (_, fixture) => {
    const messages = createMessageSplitter().push(concat(framesOf(fixture)));
    expect(messages).toHaveLength(fixture.frames.length);
    fixture.frames.forEach((frame, index) => {
      const message = messages[index]!;
      if (isException(frame)) {
        const error = errorOf(() => readBedrockEvent(message), BedrockEdgeError);
        const type = frame.headers[":exception-type"]!;
        expect(error).toMatchObject({ status: STATUS[type], bedrockError: upperFirst(type), fromBedrock: true });
        // Bedrock's message, then the model's own status and words when it gives them (awsfidelity46 #2).
        const { message: said, originalStatusCode: code, originalMessage: original } = frame.payload;
        expect(error.message).toBe(original === undefined ? said : `${said} The model answered ${code}: ${original}`);
      } else {
        expect(readBedrockEvent(message)).toEqual({
          type: frame.headers[":event-type"],
          json: fixture.operation === "invoke" ? frame.model : frame.payload,
        });
      }
    });
  });
});

interface Collected {
  /** create() rejected: the failure came in the read that began the answer, before anything was passed on. */
  rejected?: BedrockEdgeError;
  content: string;
  reasoning: string;
  tool_calls: Array<{ name: string; arguments: string }>;
  finish_reason: string | null;
  usage: Usage | undefined;
  error?: BedrockEdgeError;
}

/** Streams a fixture's answer through createBedrock, delivered in `pieces`, and folds the chunks. */
async function throughTheClient(fixture: Fixture, pieces: Uint8Array[]): Promise<Collected> {
  const replay = fixture.replay!;
  const collected: Collected = { content: "", reasoning: "", tool_calls: [], finish_reason: null, usage: undefined };
  const bedrock = createBedrock({
    credentials: { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY" },
    maxRetries: 0,
    fetch: async () =>
      new Response(streamOf(pieces), { headers: { "content-type": "application/vnd.amazon.eventstream" } }),
  });
  const started = bedrock.chat.completions.create({
    model: `bedrock/${replay.route}/arn:aws:bedrock:us-east-1:123456789012:imported-model/abcd1234efgh`,
    messages: [{ role: "user", content: "Hi" }],
    stream: true,
    stream_options: { include_usage: true },
    ...(replay.tools
      ? {
          tools: [
            {
              type: "function" as const,
              function: {
                name: "get_weather",
                parameters: { type: "object", properties: { city: { type: "string" } } },
              },
            },
          ],
        }
      : {}),
  });
  const stream = await started.catch((error: unknown) => {
    collected.rejected = error as BedrockEdgeError;
  });
  if (!stream) return collected;
  const chunks: ChatCompletionChunk[] = [];
  try {
    for await (const chunk of stream) chunks.push(chunk);
  } catch (error) {
    collected.error = error as BedrockEdgeError;
  }
  for (const chunk of chunks) {
    collected.usage = chunk.usage ?? collected.usage;
    for (const choice of chunk.choices) {
      collected.content += choice.delta.content ?? "";
      collected.reasoning += choice.delta.reasoning_content ?? "";
      for (const call of choice.delta.tool_calls ?? []) {
        collected.tool_calls.push({ name: call.function?.name ?? "", arguments: call.function?.arguments ?? "" });
      }
      collected.finish_reason = choice.finish_reason ?? collected.finish_reason;
    }
  }
  return collected;
}

/** One read per frame, all in one read, and seeded random cuttings: the same answer every time. */
function deliveries(fixture: Fixture): Uint8Array[][] {
  const frames = framesOf(fixture);
  const whole = concat(frames);
  const random = seeded(fixture.name.length);
  const cuttings = Array.from({ length: 20 }, () =>
    cut(
      whole,
      Array.from({ length: 1 + Math.floor(random() * 8) }, () => Math.floor(random() * whole.length)),
    ),
  );
  return [frames, [whole], ...cuttings];
}

describe("invoke answers through decoder, route and chunks", () => {
  it.each(replayed.map((fixture) => [fixture.name, fixture] as const))("%s", async (_, fixture) => {
    const expected = fixture.replay!.expect;
    for (const pieces of deliveries(fixture)) {
      const got = await throughTheClient(fixture, pieces);
      if (expected.rejects) {
        expect(got.rejected).toBeInstanceOf(BedrockEdgeError);
        expect(got.rejected).toMatchObject(expected.rejects);
        continue;
      }
      if (expected.error) {
        // After the answer's first chunk, however the reads cut Bedrock's frames (runtimes47 #1:
        // one runtime's fetch brings them in one read, another's one by one): the text, then the error.
        expect(got.rejected).toBeUndefined();
        expect(got.content).toBe(expected.content);
        expect(got.error).toMatchObject(expected.error);
        continue;
      }
      expect(got.rejected).toBeUndefined();
      expect(got.error).toBeUndefined();
      expect(got.content).toBe(expected.content);
      expect({
        reasoning: got.reasoning,
        tool_calls: got.tool_calls,
        finish_reason: got.finish_reason,
        usage: got.usage,
      }).toEqual({
        reasoning: expected.reasoning,
        tool_calls: expected.tool_calls,
        finish_reason: expected.finish_reason,
        usage: expected.usage,
      });
    }
  });
});
