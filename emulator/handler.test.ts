// The fetch handler in-process: requests signed by aws4fetch (as the library signs them),
// decoded frames, faults, stats. The official SDK over HTTP is in sdk.test.ts.

import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { LENGTH_DEFAULT_PIECES, REASONING_TEXT } from "./answers.ts";
import { EMULATOR_API_KEY, EMULATOR_CREDENTIALS, EMULATOR_SESSION_CREDENTIALS } from "./credentials.ts";
import { decodeFrame } from "./frames.ts";
import { createEmulator } from "./handler.ts";
import { emulatorModelId, type ModelFormat } from "./model-id.ts";
import { errorAnswer } from "./test-helpers.ts";
import { chunksOf, invokeUrl, readEvents, signedRequest } from "./testing.ts";

const BASE = "http://127.0.0.1:4010";
const R1_PROMPT = "<｜begin▁of▁sentence｜><｜User｜>Hi there<｜Assistant｜><think>\n";

async function invoke(
  emulator = createEmulator(),
  modelId = emulatorModelId("llama"),
  body: unknown = { prompt: "Hello" },
  stream = false,
) {
  return emulator.fetch(await signedRequest(BASE, modelId, body, { stream }));
}

function amzDate(time: number): string {
  return new Date(time).toISOString().replace(/[-:]|\.\d{3}/g, "");
}

describe("routing", () => {
  it("answers unknown paths and methods with UnknownOperationException", async () => {
    const emulator = createEmulator();
    for (const request of [
      new Request(`${BASE}/`, { method: "POST" }),
      new Request(`${BASE}/model/x/count-tokens`, { method: "POST" }),
      new Request(invokeUrl(BASE, emulatorModelId("llama")), { method: "GET" }),
    ]) {
      const response = await emulator.fetch(request);
      expect(response.status).toBe(404);
      expect(response.headers.get("x-amzn-ErrorType")).toBe(
        "UnknownOperationException:http://internal.amazon.com/coral/com.amazon.bedrock/",
      );
      expect(response.headers.get("x-amzn-RequestId")).toMatch(/^[0-9a-f-]{36}$/);
    }
  });

  it("answers a model id it does not serve as Bedrock answers an invalid one: 400 ValidationException, after auth", async () => {
    const response = await invoke(createEmulator(), "arn:aws:bedrock:us-east-1:123456789012:imported-model/mistral");
    expect(await errorAnswer(response)).toMatchObject({ status: 400, type: "ValidationException" });
  });

  it("decodes the percent-encoded model id once", async () => {
    const emulator = createEmulator();
    const modelId = emulatorModelId("llama", ["echo"]);
    await invoke(emulator, modelId, { prompt: "a/b%2F:c" });
    expect(emulator.stats.lastBody(modelId)).toEqual({ prompt: "a/b%2F:c" });
    expect(emulator.stats.requests.at(-1)).toEqual({
      method: "POST",
      path: `/model/${encodeURIComponent(modelId)}/invoke`,
      modelId,
      status: 200,
      stream: false,
    });
  });
});

describe("CORS", () => {
  it("answers a preflight and puts CORS headers on every response", async () => {
    const emulator = createEmulator();
    const preflight = await emulator.fetch(
      new Request(invokeUrl(BASE, emulatorModelId("llama")), {
        method: "OPTIONS",
        headers: {
          origin: "http://localhost:5173",
          "access-control-request-method": "POST",
          "access-control-request-headers": "authorization, x-amz-date",
        },
      }),
    );
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get("access-control-allow-origin")).toBe("*");
    expect(preflight.headers.get("access-control-allow-methods")).toContain("POST");
    const allowed = preflight.headers.get("access-control-allow-headers") ?? "";
    for (const header of [
      "authorization",
      "content-type",
      "accept",
      "x-amz-date",
      "x-amz-security-token",
      "x-amz-content-sha256",
      "x-amzn-bedrock-accept",
    ]) {
      expect(allowed).toContain(header);
    }
    for (const response of [await invoke(emulator), await emulator.fetch(new Request(`${BASE}/nope`))]) {
      expect(response.headers.get("access-control-allow-origin")).toBe("*");
      expect(response.headers.get("access-control-expose-headers")).toContain("x-amzn-ErrorType");
      expect(response.headers.get("access-control-expose-headers")).toContain("x-amzn-bedrock-output-token-count");
    }
  });
});

describe("SigV4 authentication", () => {
  it("accepts a request signed by aws4fetch", async () => {
    const response = await invoke();
    expect(response.status).toBe(200);
  });

  it("accepts session credentials with their token", async () => {
    const emulator = createEmulator();
    const request = await signedRequest(
      BASE,
      emulatorModelId("llama"),
      { prompt: "Hi" },
      { credentials: EMULATOR_SESSION_CREDENTIALS },
    );
    expect((await emulator.fetch(request)).status).toBe(200);
  });

  it("refuses session credentials without or with a wrong token", async () => {
    const emulator = createEmulator();
    const { sessionToken: _, ...withoutToken } = EMULATOR_SESSION_CREDENTIALS;
    const wrongToken = { ...EMULATOR_SESSION_CREDENTIALS, sessionToken: "not-the-token" };
    for (const credentials of [withoutToken, wrongToken]) {
      const response = await emulator.fetch(
        await signedRequest(BASE, emulatorModelId("llama"), { prompt: "Hi" }, { credentials }),
      );
      expect(await errorAnswer(response)).toEqual({
        status: 403,
        type: "UnrecognizedClientException",
        message: "The security token included in the request is invalid.",
      });
    }
  });

  it("refuses a token sent with long-term credentials", async () => {
    const credentials = { ...EMULATOR_CREDENTIALS, sessionToken: "unexpected" };
    const response = await createEmulator().fetch(
      await signedRequest(BASE, emulatorModelId("llama"), { prompt: "Hi" }, { credentials }),
    );
    expect((await errorAnswer(response)).type).toBe("UnrecognizedClientException");
  });

  it("refuses an unknown access key", async () => {
    const credentials = { accessKeyId: "AKIAUNKNOWNEXAMPLE99", secretAccessKey: EMULATOR_CREDENTIALS.secretAccessKey };
    const response = await createEmulator().fetch(
      await signedRequest(BASE, emulatorModelId("llama"), { prompt: "Hi" }, { credentials }),
    );
    expect(await errorAnswer(response)).toMatchObject({ status: 403, type: "UnrecognizedClientException" });
  });

  it("refuses a wrong secret with InvalidSignatureException, without echoing anything secret", async () => {
    const credentials = { ...EMULATOR_CREDENTIALS, secretAccessKey: "x".repeat(40) };
    const request = await signedRequest(BASE, emulatorModelId("llama"), { prompt: "Hi" }, { credentials });
    const signature = /Signature=(\w+)/.exec(request.headers.get("authorization") ?? "")?.[1] ?? "";
    const response = await createEmulator().fetch(request);
    const text = await response.clone().text();
    expect(await errorAnswer(response)).toMatchObject({
      status: 403,
      type: "InvalidSignatureException",
      message: expect.stringContaining("does not match"),
    });
    for (const secret of [
      signature,
      credentials.secretAccessKey,
      EMULATOR_CREDENTIALS.secretAccessKey,
      EMULATOR_CREDENTIALS.accessKeyId,
    ]) {
      expect(text).not.toContain(secret);
    }
  });

  it("refuses a body changed after signing", async () => {
    const request = await signedRequest(BASE, emulatorModelId("llama"), { prompt: "Hi" });
    const tampered = new Request(request.url, {
      method: "POST",
      headers: request.headers,
      body: JSON.stringify({ prompt: "Bye" }),
    });
    expect(await errorAnswer(await createEmulator().fetch(tampered))).toMatchObject({
      status: 403,
      type: "InvalidSignatureException",
    });
  });

  it("checks a signed x-amz-content-sha256 against the body received", async () => {
    const digest = new Uint8Array(
      await crypto.subtle.digest("SHA-256", new TextEncoder().encode(JSON.stringify({ prompt: "Hi" }))),
    );
    const hash = Array.from(digest, (byte) => byte.toString(16).padStart(2, "0")).join("");
    const request = await signedRequest(
      BASE,
      emulatorModelId("llama"),
      { prompt: "Hi" },
      { headers: { "x-amz-content-sha256": hash } },
    );
    expect(request.headers.get("authorization")).toContain("x-amz-content-sha256");
    const emulator = createEmulator();
    expect((await emulator.fetch(request.clone())).status).toBe(200);
    const tampered = new Request(request.url, {
      method: "POST",
      headers: request.headers,
      body: JSON.stringify({ prompt: "Bye" }),
    });
    expect(await errorAnswer(await emulator.fetch(tampered))).toMatchObject({
      status: 403,
      type: "InvalidSignatureException",
      message: expect.stringContaining("x-amz-content-sha256"),
    });
  });

  it("verifies exactly the headers the request says it signed, those @smithy's signer leaves out by default too (injection12 #3)", async () => {
    const emulator = createEmulator();
    const headers: Record<string, string> = {
      "cache-control": "no-cache",
      pragma: "no-cache",
      referer: "https://app.example.com/",
      from: "ops@example.com",
      "proxy-tenant": "a",
      "sec-purpose": "prefetch",
    };
    for (const [name, value] of Object.entries(headers)) {
      const request = await signedRequest(
        BASE,
        emulatorModelId("llama"),
        { prompt: "Hi" },
        { headers: { [name]: value } },
      );
      expect(request.headers.get("authorization"), name).toMatch(new RegExp(`SignedHeaders=[^,]*\\b${name}\\b`));
      expect((await emulator.fetch(request.clone())).status, name).toBe(200);
      const tampered = new Request(request.url, {
        method: "POST",
        headers: { ...Object.fromEntries(request.headers), [name]: `${value}-changed` },
        body: JSON.stringify({ prompt: "Hi" }),
      });
      expect(await errorAnswer(await emulator.fetch(tampered)), name).toMatchObject({
        status: 403,
        type: "InvalidSignatureException",
      });
    }
  });

  it("refuses a changed path, region scope or service", async () => {
    const emulator = createEmulator();
    const request = await signedRequest(BASE, emulatorModelId("llama"), { prompt: "Hi" });
    const moved = new Request(invokeUrl(BASE, emulatorModelId("qwen2")), {
      method: "POST",
      headers: request.headers,
      body: JSON.stringify({ prompt: "Hi" }),
    });
    expect((await errorAnswer(await emulator.fetch(moved))).type).toBe("InvalidSignatureException");

    const otherService = new Request(request.url, {
      method: "POST",
      headers: {
        ...Object.fromEntries(request.headers),
        authorization: (request.headers.get("authorization") ?? "").replace("/bedrock/", "/bedrock-runtime/"),
      },
      body: JSON.stringify({ prompt: "Hi" }),
    });
    expect(await errorAnswer(await emulator.fetch(otherService))).toMatchObject({
      status: 403,
      type: "InvalidSignatureException",
      message: "Credential should be scoped to correct service: 'bedrock'.",
    });

    const west = await signedRequest(BASE, emulatorModelId("llama"), { prompt: "Hi" }, { region: "us-west-2" });
    expect(await errorAnswer(await emulator.fetch(west))).toMatchObject({ status: 400, type: "ValidationException" });
  });

  it("refuses a signature older or newer than five minutes, with AWS's wording", async () => {
    const now = Date.UTC(2025, 0, 2, 12, 0, 0);
    const emulator = createEmulator({ now: () => now });
    const stale = await signedRequest(
      BASE,
      emulatorModelId("llama"),
      { prompt: "Hi" },
      { datetime: amzDate(now - 6 * 60_000) },
    );
    expect(await errorAnswer(await emulator.fetch(stale))).toEqual({
      status: 403,
      type: "InvalidSignatureException",
      message: "Signature expired: 20250102T115400Z is now earlier than 20250102T115500Z (20250102T120000Z - 5 min.)",
    });
    const future = await signedRequest(
      BASE,
      emulatorModelId("llama"),
      { prompt: "Hi" },
      { datetime: amzDate(now + 6 * 60_000) },
    );
    expect((await errorAnswer(await emulator.fetch(future))).message).toMatch(/^Signature not yet current/);
    const fresh = await signedRequest(
      BASE,
      emulatorModelId("llama"),
      { prompt: "Hi" },
      { datetime: amzDate(now - 4 * 60_000) },
    );
    expect((await emulator.fetch(fresh)).status).toBe(200);
  });

  it("refuses a request without authentication or with a malformed header", async () => {
    const emulator = createEmulator();
    const bare = new Request(invokeUrl(BASE, emulatorModelId("llama")), { method: "POST", body: "{}" });
    expect(await errorAnswer(await emulator.fetch(bare))).toEqual({
      status: 403,
      type: "MissingAuthenticationTokenException",
      message: "Missing Authentication Token",
    });
    const odd = new Request(invokeUrl(BASE, emulatorModelId("llama")), {
      method: "POST",
      body: "{}",
      headers: { authorization: "AWS4-HMAC-SHA256 Credential=AKIA/x" },
    });
    expect(await errorAnswer(await emulator.fetch(odd))).toMatchObject({
      status: 403,
      type: "IncompleteSignatureException",
    });
  });
});

describe("Bedrock API keys", () => {
  const bearer = (key: string) =>
    new Request(invokeUrl(BASE, emulatorModelId("llama")), {
      method: "POST",
      headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
      body: JSON.stringify({ prompt: "Hi" }),
    });

  it("accepts a known key", async () => {
    expect((await createEmulator().fetch(bearer(EMULATOR_API_KEY))).status).toBe(200);
    expect((await createEmulator({ apiKeys: ["my-key"] }).fetch(bearer("my-key"))).status).toBe(200);
  });

  it("refuses an unknown key without echoing it", async () => {
    const response = await createEmulator().fetch(bearer("ABSKsomethingelse"));
    const error = await errorAnswer(response);
    expect(error).toMatchObject({ status: 403, type: "AccessDeniedException" });
    expect(error.message).not.toContain("somethingelse");
    expect((await errorAnswer(await createEmulator().fetch(bearer("sk-wrong")))).message).toContain(
      "Invalid API Key format",
    );
  });
});

describe("request validation", () => {
  it.each([
    ["invalid JSON", "{nope"],
    ["missing prompt", { max_gen_len: 10 }],
    ["non-number temperature", { prompt: "x", temperature: "hot" }],
    ["max_gen_len 0", { prompt: "x", max_gen_len: 0 }],
    ["max_gen_len over 8192", { prompt: "x", max_gen_len: 8193 }],
    ["fractional top_k", { prompt: "x", top_k: 1.5 }],
    ["stream in the body", { prompt: "x", stream: true }],
    ["a JSON array", [1, 2]],
  ])("refuses %s with ValidationException", async (_, body) => {
    expect(await errorAnswer(await invoke(createEmulator(), emulatorModelId("llama"), body))).toMatchObject({
      status: 400,
      type: "ValidationException",
    });
  });

  it.each([
    ["missing messages", { model: "m" }],
    ["stream", { model: "m", messages: [{ role: "user", content: "x" }], stream: true }],
    ["bad role", { model: "m", messages: [{ role: "robot", content: "x" }] }],
    ["missing model", { messages: [{ role: "user", content: "x" }] }],
  ])("refuses an openai body with %s", async (_, body) => {
    expect((await invoke(createEmulator(), emulatorModelId("openai"), body)).status).toBe(400);
  });

  it("names the context length on ctx", async () => {
    const error = await errorAnswer(await invoke(createEmulator(), emulatorModelId("llama", ["ctx"])));
    expect(error).toMatchObject({
      status: 400,
      type: "ValidationException",
      message: expect.stringContaining("maximum context length"),
    });
  });
});

describe("completion answers", () => {
  it("answers llama with generation, token counts and headers", async () => {
    const response = await invoke(createEmulator(), emulatorModelId("llama"), { prompt: "Hello there!" });
    expect(response.headers.get("content-type")).toBe("application/json");
    const json = await response.json();
    expect(json).toEqual({
      generation: "Hello from the Bedrock emulator (llama). Your prompt had 12 characters.",
      prompt_token_count: 3,
      generation_token_count: expect.any(Number),
      stop_reason: "stop",
    });
    expect(response.headers.get("x-amzn-bedrock-input-token-count")).toBe("3");
    expect(response.headers.get("x-amzn-bedrock-output-token-count")).toBe(String(json.generation_token_count));
    expect(Number(response.headers.get("x-amzn-bedrock-invocation-latency"))).toBeGreaterThan(0);
  });

  it("answers r1 with reasoning first, then </think>", async () => {
    const json = await (await invoke(createEmulator(), emulatorModelId("r1"), { prompt: R1_PROMPT })).json();
    expect(json.generation).toBe(
      `${REASONING_TEXT}\n</think>\n\nHello from the Bedrock emulator (r1). Your prompt had ${Array.from(R1_PROMPT).length} characters.`,
    );
  });

  it("answers qwen3 with a think block unless thinking was disabled", async () => {
    const emulator = createEmulator();
    const thinking = await (
      await invoke(emulator, emulatorModelId("qwen3"), {
        prompt: "<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n",
      })
    ).json();
    expect(thinking.generation).toMatch(/^<think>\n.*\n<\/think>\n\nHello from/s);
    const plain = await (
      await invoke(emulator, emulatorModelId("qwen3"), { prompt: "<|im_start|>assistant\n<think>\n\n</think>\n\n" })
    ).json();
    expect(plain.generation).toMatch(/^Hello from the Bedrock emulator \(qwen3\)/);
  });

  it("answers qwen2 in text", async () => {
    const json = await (await invoke(createEmulator(), emulatorModelId("qwen2"))).json();
    expect(json.text).toMatch(/^Hello from the Bedrock emulator \(qwen2\)/);
    expect(json).not.toHaveProperty("generation");
  });

  it("echoes the prompt byte for byte", async () => {
    const prompt = "<|begin_of_text|>émoji 🤖 and ｜▁ markers\n\n";
    const json = await (await invoke(createEmulator(), emulatorModelId("llama", ["echo"]), { prompt })).json();
    expect(json.generation).toBe(prompt);
  });

  it("calls a tool when the prompt offers one, and answers text after the result", async () => {
    const emulator = createEmulator();
    const offered =
      '<|im_start|>system\n# Tools\n<tools>\n{"type": "function", "function": {"name": "get_weather"}}\n</tools><|im_end|>\n';
    const call = await (
      await invoke(emulator, emulatorModelId("qwen2", ["tool"]), { prompt: `${offered}<|im_start|>assistant\n` })
    ).json();
    expect(call.text).toBe('<tool_call>\n{"name": "get_weather", "arguments": {"city": "Paris"}}\n</tool_call>');
    const after = await (
      await invoke(emulator, emulatorModelId("qwen2", ["tool"]), {
        prompt: `${offered}<|im_start|>user\n<tool_response>\nsunny\n</tool_response><|im_end|>\n`,
      })
    ).json();
    expect(after.text).toMatch(/^Thanks, the tool answered/);
    const none = await (await invoke(emulator, emulatorModelId("qwen2", ["tool"]), { prompt: "no tools here" })).json();
    expect(none.text).toMatch(/^Hello from/);
  });

  it("stops for length at max_gen_len, and always with the length option", async () => {
    const emulator = createEmulator();
    const cut = await (await invoke(emulator, emulatorModelId("llama"), { prompt: "Hi", max_gen_len: 3 })).json();
    expect(cut).toMatchObject({ generation_token_count: 3, stop_reason: "length" });
    const forced = await (await invoke(emulator, emulatorModelId("llama", ["length"]), { prompt: "Hi" })).json();
    expect(forced).toMatchObject({ generation_token_count: LENGTH_DEFAULT_PIECES, stop_reason: "length" });
  });

  it("leaves every token count out with nousage", async () => {
    const response = await invoke(createEmulator(), emulatorModelId("r1", ["nousage"]), { prompt: R1_PROMPT });
    expect(Object.keys(await response.json()).sort()).toEqual(["generation", "stop_reason"]);
    expect(response.headers.has("x-amzn-bedrock-input-token-count")).toBe(false);
    expect(response.headers.has("x-amzn-bedrock-output-token-count")).toBe(false);
    const events = await readEvents(
      (await invoke(createEmulator(), emulatorModelId("r1", ["nousage"]), { prompt: R1_PROMPT }, true)).body,
    );
    for (const chunk of chunksOf(events)) expect(Object.keys(chunk).sort()).toEqual(["generation", "stop_reason"]);
  });

  it("appends the end-of-turn token with eos", async () => {
    const json = await (
      await invoke(createEmulator(), emulatorModelId("qwen3", ["eos"]), { prompt: "x<think>\n\n</think>\n\n" })
    ).json();
    expect(json.generation).toMatch(/<\|im_end\|>$/);
  });

  it("is deterministic", async () => {
    const emulator = createEmulator();
    const bodies = await Promise.all(
      [1, 2].map(async () => (await invoke(emulator, emulatorModelId("r1"), { prompt: R1_PROMPT })).text()),
    );
    expect(bodies[0]).toBe(bodies[1]);
    const streams = await Promise.all(
      [1, 2].map(async () =>
        chunksOf(await readEvents((await invoke(emulator, emulatorModelId("qwen3"), { prompt: "p" }, true)).body)),
      ),
    );
    expect(streams[0]).toEqual(streams[1]);
  });
});

describe("completion streams", () => {
  it.each(["r1", "llama", "qwen3", "qwen2"] satisfies ModelFormat[])(
    "streams %s as real event-stream chunks that add up to the invoke answer",
    async (format) => {
      const emulator = createEmulator();
      const body = { prompt: format === "r1" ? R1_PROMPT : "Hello" };
      const whole = await (await invoke(emulator, emulatorModelId(format), body)).json();
      const response = await invoke(emulator, emulatorModelId(format), body, true);
      expect(response.headers.get("content-type")).toBe("application/vnd.amazon.eventstream");
      expect(response.headers.get("x-amzn-bedrock-content-type")).toBe("application/json");
      const events = await readEvents(response.body);
      const chunks = chunksOf(events);
      const field = format === "qwen2" ? "text" : "generation";
      expect(chunks.map((chunk) => chunk[field]).join("")).toBe(whole[field]);
      expect(chunks[0]).toMatchObject({
        prompt_token_count: whole.prompt_token_count,
        generation_token_count: 1,
        stop_reason: null,
      });
      expect(chunks.slice(1).every((chunk) => chunk.prompt_token_count === null)).toBe(true);
      expect(chunks.at(-1)).toMatchObject({
        stop_reason: "stop",
        generation_token_count: whole.generation_token_count,
        "amazon-bedrock-invocationMetrics": {
          inputTokenCount: whole.prompt_token_count,
          outputTokenCount: whole.generation_token_count,
        },
      });
      expect(events.every((event) => event.kind === "chunk" && typeof event.padding === "string")).toBe(true);
      expect(emulator.stats).toMatchObject({ activeStreams: 0, completedStreams: 1, cancelledStreams: 0 });
    },
  );

  it("splits </think> across two chunks", async () => {
    const chunks = chunksOf(
      await readEvents((await invoke(createEmulator(), emulatorModelId("r1"), { prompt: R1_PROMPT }, true)).body),
    );
    const pieces = chunks.map((chunk) => String(chunk.generation));
    expect(pieces.some((piece) => piece.includes("</think>"))).toBe(false);
    expect(pieces.join("")).toContain("</think>");
  });

  it("streams long<N> answers piece by piece", async () => {
    const chunks = chunksOf(
      await readEvents(
        (await invoke(createEmulator(), emulatorModelId("llama", ["long500"]), { prompt: "x" }, true)).body,
      ),
    );
    expect(chunks).toHaveLength(500);
    expect(chunks.at(-1)?.generation_token_count).toBe(500);
  });
});

describe("stream faults", () => {
  it("sends an exception frame after K chunks", async () => {
    const emulator = createEmulator();
    const events = await readEvents(
      (
        await invoke(
          emulator,
          emulatorModelId("llama", ["midstream-modelStreamErrorException3"]),
          { prompt: "x" },
          true,
        )
      ).body,
    );
    expect(events.slice(0, 3).every((event) => event.kind === "chunk")).toBe(true);
    expect(events).toHaveLength(4);
    expect(events[3]).toMatchObject({
      kind: "exception",
      exceptionType: "modelStreamErrorException",
      message: expect.any(String),
    });
    expect(emulator.stats.completedStreams).toBe(1);
  });

  it("drops the connection after K frames", async () => {
    const emulator = createEmulator();
    const response = await invoke(emulator, emulatorModelId("llama", ["drop2"]), { prompt: "x" }, true);
    const reader = response.body?.getReader();
    expect((await reader?.read())?.done).toBe(false);
    expect((await reader?.read())?.done).toBe(false);
    await expect(reader?.read()).rejects.toThrow(/dropped/);
    expect(emulator.stats).toMatchObject({ droppedStreams: 1, activeStreams: 0 });
  });

  it("corrupts the message CRC of frame K only", async () => {
    const response = await invoke(createEmulator(), emulatorModelId("llama", ["badcrc2"]), { prompt: "x" }, true);
    const reader = response.body?.getReader();
    const frames: Uint8Array[] = [];
    for (let result = await reader?.read(); result && !result.done; result = await reader?.read())
      frames.push(result.value);
    expect(() => decodeFrame(frames[0] ?? new Uint8Array())).not.toThrow();
    expect(() => decodeFrame(frames[1] ?? new Uint8Array())).toThrow(/checksum/i);
    expect(() => decodeFrame(frames[2] ?? new Uint8Array())).not.toThrow();
  });

  it("waits slow<ms> between frames", async () => {
    const started = Date.now();
    const events = await readEvents(
      (await invoke(createEmulator(), emulatorModelId("llama", ["slow6"]), { prompt: "x" }, true)).body,
    );
    expect(Date.now() - started).toBeGreaterThanOrEqual((events.length - 1) * 6 - 5);
  });

  it("observes a cancelled stream", async () => {
    const emulator = createEmulator();
    const response = await invoke(emulator, emulatorModelId("llama", ["slow10"]), { prompt: "x" }, true);
    const reader = response.body?.getReader();
    await reader?.read();
    expect(emulator.stats.activeStreams).toBe(1);
    await reader?.cancel();
    expect(emulator.stats).toMatchObject({ activeStreams: 0, cancelledStreams: 1, completedStreams: 0 });
  });
});

describe("call faults", () => {
  it("throttles the first N calls per model id, then answers", async () => {
    const emulator = createEmulator();
    const modelId = emulatorModelId("llama", ["throttle2"]);
    const statuses = [];
    for (let call = 0; call < 3; call++) statuses.push((await invoke(emulator, modelId)).status);
    expect(statuses).toEqual([429, 429, 200]);
    expect((await invoke(emulator, emulatorModelId("llama", ["throttle1"]))).status).toBe(429);
    emulator.stats.reset();
    expect((await invoke(emulator, modelId)).status).toBe(429);
  });

  it.each([
    ["notready", 429, "ModelNotReadyException", "Model is not ready for inference. Wait and try your request again"],
    ["throttle", 429, "ThrottlingException", "Too many requests"],
    ["err500", 500, "InternalServerException", ""],
    ["err503", 503, "ServiceUnavailableException", ""],
  ] as const)("answers %s with %i %s", async (option, status, type, message) => {
    const error = await errorAnswer(
      await invoke(createEmulator(), emulatorModelId("qwen3", [option]), { prompt: "x" }, true),
    );
    expect(error).toMatchObject({ status, type });
    expect(error.message).toContain(message);
  });

  it("consumes sequential faults in order", async () => {
    const emulator = createEmulator();
    const modelId = emulatorModelId("llama", ["notready2", "err5031"]);
    const statuses = [];
    for (let call = 0; call < 4; call++) statuses.push((await invoke(emulator, modelId)).status);
    expect(statuses).toEqual([429, 429, 503, 200]);
    expect(emulator.stats.calls(modelId)).toBe(4);
  });
});

describe("openai format", () => {
  const messages = [
    { role: "system", content: "Be brief." },
    {
      role: "user",
      content: [
        { type: "text", text: "What is " },
        { type: "text", text: "up?" },
      ],
    },
  ];
  const modelId = emulatorModelId("openai");

  it("answers a chat.completion with usage", async () => {
    const json = await (await invoke(createEmulator(), modelId, { model: modelId, messages })).json();
    expect(json).toMatchObject({
      object: "chat.completion",
      model: modelId,
      choices: [
        {
          index: 0,
          message: {
            role: "assistant",
            content: "Hello from the Bedrock emulator (openai). Your last message had 11 characters.",
          },
          finish_reason: "stop",
        },
      ],
      usage: {
        prompt_tokens: expect.any(Number),
        completion_tokens: expect.any(Number),
        total_tokens: expect.any(Number),
      },
    });
    expect(json.id).toMatch(/^chatcmpl-/);
  });

  it("echoes the last user text, reasons with think, calls tools with tool", async () => {
    const emulator = createEmulator();
    const echo = await (
      await invoke(emulator, emulatorModelId("openai", ["echo"]), { model: modelId, messages })
    ).json();
    expect(echo.choices[0].message.content).toBe("What is up?");
    const think = await (
      await invoke(emulator, emulatorModelId("openai", ["think"]), { model: modelId, messages })
    ).json();
    expect(think.choices[0].message.reasoning_content).toBe(REASONING_TEXT);
    // The arguments are an instance of the tool's schema: here an object with no properties.
    const tools = [{ type: "function", function: { name: "lookup", parameters: { type: "object" } } }];
    const tool = await (
      await invoke(emulator, emulatorModelId("openai", ["tool"]), { model: modelId, messages, tools })
    ).json();
    expect(tool.choices[0]).toMatchObject({
      finish_reason: "tool_calls",
      message: {
        content: null,
        tool_calls: [{ id: expect.any(String), type: "function", function: { name: "lookup", arguments: "{}" } }],
      },
    });
  });

  it("streams chat.completion.chunk objects: role first, deltas, finish_reason last", async () => {
    const emulator = createEmulator();
    const thinkId = emulatorModelId("openai", ["think"]);
    const whole = await (await invoke(emulator, thinkId, { model: thinkId, messages })).json();
    const chunks = chunksOf(
      await readEvents((await invoke(emulator, thinkId, { model: thinkId, messages }, true)).body),
    );
    const deltas = chunks.map(
      (chunk) => (chunk.choices as { delta: Record<string, unknown>; finish_reason: string | null }[])[0],
    );
    expect(chunks.every((chunk) => chunk.object === "chat.completion.chunk" && chunk.id === whole.id)).toBe(true);
    expect(deltas[0]?.delta).toEqual({ role: "assistant", content: "" });
    expect(deltas.map((delta) => delta?.delta.reasoning_content ?? "").join("")).toBe(
      whole.choices[0].message.reasoning_content,
    );
    expect(deltas.map((delta) => delta?.delta.content ?? "").join("")).toBe(whole.choices[0].message.content);
    // vLLM's last chunk: the end-of-sequence token decodes to no text.
    expect(deltas.at(-1)).toEqual({
      index: 0,
      delta: { content: "" },
      logprobs: null,
      finish_reason: "stop",
      stop_reason: null,
      token_ids: null,
    });
    expect(chunks.at(-1)?.["amazon-bedrock-invocationMetrics"]).toMatchObject({
      outputTokenCount: whole.usage.completion_tokens,
    });
  });

  it("streams a tool call as tool_calls deltas", async () => {
    const toolId = emulatorModelId("openai", ["tool"]);
    const tools = [{ type: "function", function: { name: "get_weather" } }];
    const chunks = chunksOf(
      await readEvents((await invoke(createEmulator(), toolId, { model: toolId, messages, tools }, true)).body),
    );
    const calls = chunks.flatMap(
      (chunk) =>
        (chunk.choices as { delta: { tool_calls?: { function: { name?: string; arguments: string } }[] } }[])[0]?.delta
          .tool_calls ?? [],
    );
    expect(calls[0]?.function.name).toBe("get_weather");
    expect(calls.map((call) => call.function.arguments).join("")).toBe('{"city": "Paris"}');
  });
});

describe("portability", () => {
  it("keeps node:*, Buffer and process out of the handler and everything it imports", () => {
    const folder = fileURLToPath(new URL(".", import.meta.url));
    const files = readdirSync(folder).filter(
      (name) => name.endsWith(".ts") && !name.endsWith(".test.ts") && name !== "node.ts" && name !== "cli.ts",
    );
    expect(files).toContain("handler.ts");
    for (const name of files) {
      const source = readFileSync(`${folder}/${name}`, "utf8");
      expect(source, name).not.toMatch(/from "node:|import\("node:|\bBuffer\.|\bprocess\./);
    }
  });
});
