// A client that gives up, at every moment of the exchange, through the Worker in workerd:
// exactly one log line per request (499 when the client left), and the upstream call ended
// wherever the runtime lets the Worker know. What workerd does not tell, docs/PROXY-REFERENCE.md says.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { emulatorModelId } from "../../emulator/model-id.ts";
import { STALL_TIMES } from "../../worker/delivery.ts";
import type { LogLine } from "../../worker/log.ts";
import { eventually, modelString, startWorkerdProxy, TEST_KEYS, USER_HELLO, type WorkerdProxy } from "./harness.ts";

const MODELS = {
  // The answer begins after 700 ms: the client leaves before its first byte.
  late: modelString("llama", "wait700"),
  "late-stream": modelString("llama", "wait700", "slow50", "long60"),
  // 200,000 pieces as fast as they can go (about 40 MB of events): the client leaves while they pour
  // out. Two thousand fitted whole in the sockets' buffers on a quick run, and the line said 200.
  fast: modelString("llama", "long200000"),
  // 2,000 pieces as fast as they can go, for a client that stays to the end.
  quick: modelString("llama", "long2000"),
  slow: modelString("llama", "slow50", "long200"),
  // A model that falls silent for 4 s between pieces (one thinking without streaming its reasoning).
  pausing: modelString("llama", "slow4000", "long3"),
  // With n: 4, 168 MB of events: more than the sockets between the Worker and the client hold,
  // whatever their buffers grow to on loopback (a receive buffer may reach 32 MB here).
  endless: modelString("openai", "long200000"),
  // The same, for a plain answer: n: 8 makes it 12 MB. A name of its own keeps its line apart.
  huge: modelString("openai", "long200000"),
};

let proxy: WorkerdProxy;

beforeAll(async () => {
  proxy = await startWorkerdProxy({
    main: { MODELS: JSON.stringify(MODELS) },
    // Keep-alive comments every 250 ms while the stream is silent; the idle timeout far beyond the pause.
    keepalive: { MODELS: JSON.stringify(MODELS), SSE_KEEPALIVE_MS: "250", IDLE_TIMEOUT_MS: "30000" },
  });
});
afterAll(() => proxy?.close());
beforeEach(() => proxy.served.emulator.stats.reset());

const stats = () => proxy.served.emulator.stats;

interface Leaving {
  model: string;
  stream: boolean;
  /** Leave after this many ms, or after reading this many body chunks. */
  afterMs?: number;
  afterChunks?: number;
}

/** Sends a request and walks away as told; resolves with the request id the proxy gave it, if any. */
async function leave({ model, stream, afterMs, afterChunks }: Leaving, variant = "main"): Promise<string | undefined> {
  const controller = new AbortController();
  if (afterMs !== undefined) setTimeout(() => controller.abort(), afterMs);
  let requestId: string | undefined;
  try {
    const response = await fetch(`${proxy.url(variant)}/v1/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${TEST_KEYS[0]}`, "content-type": "application/json" },
      body: JSON.stringify({ model, messages: USER_HELLO, stream }),
      signal: controller.signal,
    });
    requestId = response.headers.get("x-request-id") ?? undefined;
    const reader = response.body!.getReader();
    for (let chunks = 1; ; chunks++) {
      const { done } = await reader.read();
      if (done) break;
      if (chunks === afterChunks) controller.abort();
    }
  } catch {
    // The abort, as the client meant it.
  }
  return requestId;
}

/** The one log line of the model's request, after making sure no second one follows. */
async function onlyLine(model: string, withinMs = 5000): Promise<LogLine> {
  const line = await eventually(
    () => proxy.logs.find((entry) => entry.model === model),
    withinMs,
    `${model}'s log line`,
  );
  await new Promise((resolve) => setTimeout(resolve, 300));
  expect(proxy.logs.filter((entry) => entry.model === model)).toHaveLength(1);
  return line;
}

describe("a client that leaves a streamed call", () => {
  it("during a fast stream: one 499 line, and nothing left running upstream", { timeout: 30_000 }, async () => {
    // workerd stops reading the answer without a word when a write fails; after STALL_TIMES.laterMs
    // without a read, the client is taken as gone.
    const requestId = await leave({ model: "fast", stream: true, afterChunks: 2 });
    const line = await onlyLine("fast", STALL_TIMES.laterMs + 5000);
    expect(line).toMatchObject({ status: 499, stream: true, request_id: requestId });
    expect(line.error).toMatch(/client/);
    // Once the client is taken as gone, the upstream stream is not left open.
    await eventually(() => stats().activeStreams === 0, 2000, "no upstream stream left open");
  });

  it("during a slow stream: one 499 line, and the upstream stream is cancelled long before the answer's end", async () => {
    // Left at its third chunk, the client is usually found gone at once (workerd cancels the body
    // when a write to it fails while it waits for more). But a client that leaves while workerd is
    // still writing the stream's first events is told nothing: workerd stops reading the answer
    // (sdkhelpers50 #5, about one try in ten under load), and the proxy takes it as gone when the
    // next read does not come within STALL_TIMES.firstMs, which times every piece of the answer's
    // first EARLY_BYTES. Either way Bedrock's stream (10 s long) is cancelled, not run to its end.
    await leave({ model: "slow", stream: true, afterChunks: 3 });
    const left = performance.now();
    await eventually(
      () => stats().cancelledStreams === 1,
      STALL_TIMES.firstMs + 2000,
      "the upstream stream to be cancelled",
    );
    const cancelledAfter = performance.now() - left;
    const line = await onlyLine("slow");
    expect(line.status).toBe(499);
    expect(stats().completedStreams).toBe(0);
    if (line.error === "the client closed the connection") expect(cancelledAfter).toBeLessThan(1000);
    else {
      expect(line.error).toBe("the answer stopped being read: the client had gone");
      expect(cancelledAfter).toBeLessThan(STALL_TIMES.firstMs + 1000);
    }
  });

  it("while Bedrock is silent mid-stream: the next keep-alive comment finds it gone, long before the next piece (runtimes47 #2)", async () => {
    // workerd aborts request.signal only when a write to the gone client fails: without a write
    // during the silence, the upstream call ran on until Bedrock's next piece, 4 s later.
    // The first piece comes at once; the client leaves 800 ms later, in the silence.
    const leavesAt = performance.now() + 800;
    const leaving = leave({ model: "pausing", stream: true, afterMs: 800 }, "keepalive");
    await eventually(() => stats().cancelledStreams === 1, 6000, "the upstream stream to be cancelled");
    const cancelledAfter = performance.now() - leavesAt;
    await leaving;
    const line = await onlyLine("pausing");
    expect([line.status, line.stream]).toEqual([499, true]);
    expect(stats().completedStreams).toBe(0);
    // A keep-alive interval (250 ms), a write and the abort: without the keep-alive the stream
    // ran on to Bedrock's next piece, 3.2 s after the client left, so under 3 s is proof, with
    // room for a busy machine.
    expect(cancelledAfter).toBeLessThan(3000);
  });

  it("before the first byte: one 499 line, and the upstream stream is cancelled once it begins", async () => {
    // workerd tells the Worker nothing until it tries to write the answer (docs/PROXY-REFERENCE.md: client disconnects).
    await leave({ model: "late-stream", stream: true, afterMs: 200 });
    const line = await onlyLine("late-stream");
    expect(line.status).toBe(499);
    expect(line.error).toMatch(/client had gone/);
    await eventually(() => stats().cancelledStreams === 1, 4000, "the upstream stream to be cancelled");
    expect(stats().completedStreams).toBe(0);
  });
});

describe("a client that leaves a plain call", () => {
  it("before the answer: one 499 line once the answer finds nobody to take it", async () => {
    await leave({ model: "late", stream: false, afterMs: 200 });
    const line = await onlyLine("late");
    expect(line).toMatchObject({ status: 499, stream: false });
    expect(line.error).toMatch(/client had gone/);
    // workerd gave the Worker no sign before the answer was ready: the call ran to its end.
    expect(stats().calls(emulatorModelId("llama", ["wait700"]))).toBe(1);
  });
});

describe("a client that pauses past the stall time, then reads on (backpressure6 #1)", () => {
  it("reads what was sent, then an error event: a cut answer never passes for a whole one", {
    timeout: 120_000,
  }, async () => {
    // workerd ends an errored body with the chunked terminator, as if it were whole: without the
    // error event, the openai SDK's loop ended quietly, mid-answer, without [DONE] or a finish.
    const response = await fetch(`${proxy.url()}/v1/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${TEST_KEYS[0]}`, "content-type": "application/json" },
      body: JSON.stringify({ model: "endless", messages: USER_HELLO, stream: true, n: 4 }),
    });
    const reader = response.body!.getReader();
    for (let read = 0; read < 100; read++) await reader.read();
    // Paused until the proxy has cut the answer: the sockets between fill first, and then the
    // stall time runs, however busy the machine.
    const line = await onlyLine("endless", STALL_TIMES.laterMs + 60_000);
    expect([line.status, line.error]).toEqual([499, "the answer stopped being read: the client had gone"]);
    const decoder = new TextDecoder();
    let tail = "";
    for (let r = await reader.read(); !r.done; r = await reader.read()) {
      tail = (tail + decoder.decode(r.value, { stream: true })).slice(-4096);
    }
    expect(tail).not.toContain("[DONE]");
    expect(tail).toMatch(
      /\n\ndata: \{"error":\{"message":"The proxy cut this answer off here: it went unread for 10 s, [^"]*","type":"timeout_error","param":null,"code":"answer_not_read"\}\}\n\n$/,
    );
    await eventually(() => stats().activeStreams === 0, 2000, "no upstream stream left open");
  });
});

describe("a client that pauses past the stall time in a large plain answer, then reads on (codereview14 #1)", () => {
  it("gets the whole answer, never a body cut short that ends as if whole", { timeout: 120_000 }, async () => {
    // The answer is handed over in 64 KiB pieces; a cut in workerd errors the body, which workerd
    // ends with the chunked terminator: the rest of a known answer goes out instead.
    const response = await fetch(`${proxy.url()}/v1/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${TEST_KEYS[0]}`, "content-type": "application/json" },
      body: JSON.stringify({ model: "huge", messages: USER_HELLO, n: 8 }),
    });
    const reader = response.body!.getReader();
    const pieces: Uint8Array[] = [(await reader.read()).value!];
    const line = await onlyLine("huge", STALL_TIMES.laterMs + 60_000);
    expect(line.status).toBe(499);
    for (let r = await reader.read(); !r.done; r = await reader.read()) pieces.push(r.value);
    const text = new TextDecoder().decode(Buffer.concat(pieces));
    const completion = JSON.parse(text) as { choices: { finish_reason: string; message: { content: string } }[] };
    expect(completion.choices.map((choice) => choice.finish_reason)).toEqual(Array(8).fill("stop"));
    expect(completion.choices[7]!.message.content.endsWith("w199999 ")).toBe(true);
  });
});

describe("a client that stays", () => {
  it("gets one line per request, with its status, however the answer ends", async () => {
    const before = proxy.logs.length;
    const client = proxy.client();
    await client.chat.completions.create({ model: "late", messages: USER_HELLO });
    const stream = await client.chat.completions.create({ model: "quick", messages: USER_HELLO, stream: true });
    for await (const _chunk of stream);
    await eventually(() => proxy.logs.length >= before + 2, 2000, "two lines");
    await new Promise((resolve) => setTimeout(resolve, 2500));
    expect(proxy.logs.slice(before).map((line) => [line.model, line.status])).toEqual([
      ["late", 200],
      ["quick", 200],
    ]);
  });
});
