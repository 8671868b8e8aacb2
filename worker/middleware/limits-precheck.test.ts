// What the library's call asked before admission (a request past its model's bounds, adm45) costs
// and answers (codereview45): counted around the modules, the call's pre-check and the reading of
// an edit's image and mask (inpaintingInputs), which only the library's call does.
import { expect, it, vi } from "vitest";
import { EMULATOR_CREDENTIALS } from "../../emulator/credentials.ts";
import { createEmulator } from "../../emulator/handler.ts";
import { emulatorModelId } from "../../emulator/model-id.ts";
import { holedPng } from "../../test/helpers/png-writer.ts";
import { recordingLimits } from "../../test/helpers/key-limits.ts";
import { createApp } from "../app.ts";
import type { ProxyBindings } from "../config.ts";
import { imageOutputTokens, inputEstimate } from "../token-estimate.ts";

const counts = vi.hoisted(() => ({ reads: 0, prechecks: 0 }));

vi.mock("../../src/images/edit-images.ts", async (importOriginal) => {
  const original = await importOriginal<typeof import("../../src/images/edit-images.ts")>();
  return {
    ...original,
    inpaintingInputs(...args: Parameters<typeof original.inpaintingInputs>) {
      counts.reads += 1;
      return original.inpaintingInputs(...args);
    },
  };
});
vi.mock("../library-refusal.ts", async (importOriginal) => {
  const original = await importOriginal<typeof import("../library-refusal.ts")>();
  return {
    ...original,
    throwRefusalBeforeSending(...args: Parameters<typeof original.throwRefusalBeforeSending>) {
      counts.prechecks += 1;
      return original.throwRefusalBeforeSending(...args);
    },
  };
});

const hi = [{ role: "user", content: "hi" }];
const KEY = "sk-team-0123456789";

/** The proxy on Node with the emulator in process, the key `team` with `limits`, a RATE binding that says `rateOk`. */
function proxy(limits: Record<string, unknown>, rateOk = true) {
  const emulator = createEmulator();
  const counter = recordingLimits();
  let sent = 0;
  const env = {
    MODELS: JSON.stringify({
      "capped-n": { model: `bedrock/llama/${emulatorModelId("llama")}`, max_n: 2 },
      "capped-openai": { model: `bedrock/openai/${emulatorModelId("openai")}`, max_output_tokens: 100 },
      "nova-pictures": { model: "bedrock/image/amazon.nova-canvas-v1:0", region: "us-east-1" },
    }),
    API_KEYS: JSON.stringify({ team: { key: KEY, ...limits } }),
    AWS_ACCESS_KEY_ID: EMULATOR_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: EMULATOR_CREDENTIALS.secretAccessKey,
    BEDROCK_ENDPOINT: "http://bedrock.emulator",
    KEY_LIMITS: counter.binding,
    RATE: { limit: async () => ({ success: rateOk }) },
  } as ProxyBindings;
  const app = createApp({
    env,
    fetch: (input, init) => {
      sent += 1;
      return emulator.fetch(new Request(input, init));
    },
    log: () => {},
  });
  /** One request's answer (its error's status, code and param), and what it cost. */
  const send = async (path: string, body: Record<string, unknown> | FormData) => {
    counts.reads = 0;
    counts.prechecks = 0;
    const response = await app.request(path, {
      method: "POST",
      headers: {
        authorization: `Bearer ${KEY}`,
        ...(body instanceof FormData ? {} : { "content-type": "application/json" }),
      },
      body: body instanceof FormData ? body : JSON.stringify(body),
    });
    const answer = (await response.json()) as { error?: { code: string | null; param: string | null } };
    return {
      status: response.status,
      code: answer.error?.code,
      param: answer.error?.param,
      reads: counts.reads,
      prechecks: counts.prechecks,
      sent,
    };
  };
  return { send, calls: counter.calls };
}

/** An edit of nova-pictures as a form: `image`, with `fields`, and a mask when given. */
function edit(fields: Record<string, string>, image: Blob, mask?: Blob): FormData {
  const form = new FormData();
  form.append("model", "nova-pictures");
  form.append("prompt", "A window");
  for (const [name, value] of Object.entries(fields)) form.append(name, value);
  form.append("image", image, "image");
  if (mask) form.append("mask", mask, "mask.png");
  return form;
}

/**
 * A JPEG of width x height whose frame header (SOF0) follows `padding` bytes of APP1 segments: past
 * 256 KiB, the proxy does not look for it (image-header.ts), and the image's size is not read.
 */
function lateJpeg(width: number, height: number, padding: number): Blob {
  const bytes = [0xff, 0xd8];
  for (let left = padding; left > 0; left -= 65_533) {
    const length = Math.min(left, 65_533) + 2;
    bytes.push(0xff, 0xe1, length >> 8, length & 0xff, ...new Array<number>(length - 2).fill(0x41));
  }
  bytes.push(0xff, 0xc0, 0, 11, 8, height >> 8, height & 0xff, width >> 8, width & 0xff, 1, 1, 0x11, 0, 0xff, 0xd9);
  return new Blob([Uint8Array.from(bytes)], { type: "image/jpeg" });
}

const png = (width: number, height: number) =>
  new Blob([holedPng(width, height) as Uint8Array<ArrayBuffer>], { type: "image/png" });

it("over its rate, a request past its model's bounds gets the rate's 429 on every key, its edit's image unread (codereview45 #1, #4)", async () => {
  // Past the model's bounds: n over its max_n; two images of 2048x2048, more pixels than an answer holds.
  const requests: Array<[string, () => Record<string, unknown> | FormData]> = [
    ["/v1/chat/completions", () => ({ model: "capped-n", messages: hi, n: 3 })],
    ["/v1/images/edits", () => edit({ n: "2" }, png(2048, 2048))],
  ];
  const keys = {
    rated: { rate_limit: "RATE" },
    counted: { rate_limit: "RATE", tokens_per_day: 10_000_000 },
  };
  const answers = [];
  for (const [path, body] of requests) {
    for (const [key, limits] of Object.entries(keys)) {
      const { send, calls } = proxy(limits, false);
      answers.push({ path, key, ...(await send(path, body())), counter: calls.map((call) => call.method) });
    }
  }
  // No work of the library's call (the pre-check, the edit's image read), nothing asked of the
  // counter: the request waited for the rate, which refused it.
  expect(answers).toEqual(
    requests.flatMap(([path]) =>
      Object.keys(keys).map((key) => ({
        path,
        key,
        status: 429,
        code: "request_rate_exceeded",
        param: null,
        reads: 0,
        prechecks: 0,
        sent: 0,
        counter: [],
      })),
    ),
  );
  // Within its rate, the same requests get the library's 400 before they reserve, as adm45 has them.
  for (const [path, body] of requests) {
    const { send, calls } = proxy(keys.counted);
    expect({ path, ...(await send(path, body())), counter: calls.length }).toMatchObject({
      path,
      status: 400,
      param: "n",
      prechecks: 1,
      sent: 0,
      counter: 0,
    });
  }
});

it("a lease admit took while the rate refused the request is returned: the refusal settles it", async () => {
  const { send, calls } = proxy({ rate_limit: "RATE", tokens_per_day: 10_000_000, concurrent_streams: 1 }, false);
  const answer = await send("/v1/chat/completions", { model: "capped-n", messages: hi, stream: true });
  expect(answer).toMatchObject({ status: 429, code: "request_rate_exceeded", prechecks: 0 });
  await vi.waitFor(() => expect(calls.map((call) => call.method)).toEqual(["admit", "settle"]));
  expect(calls[1]?.args.lease).toBe(calls[0]?.args.lease);
});

it("an edit whose image's size is not read has its image and mask read once, by its call: the size the proxy assumes is no count past its model (codereview45 #2)", async () => {
  const answers = [];
  for (const limits of [{}, { tokens_per_day: 10_000_000 }]) {
    const { send, calls } = proxy(limits);
    const form = edit({ n: "2" }, lateJpeg(1600, 1600, 300 * 1024), png(1600, 1600));
    const answer = await send("/v1/images/edits", form);
    answers.push({ ...answer, reserve: calls.find((call) => call.method === "admit")?.args.reserve });
  }
  // Reserved at the largest image all the same: its real size is known only once it is read.
  const reserve = inputEstimate({ prompt: "A window" }, "images") + 2 * imageOutputTokens({ size: "2048x2048" });
  expect(answers).toEqual([
    { status: 200, code: undefined, param: undefined, reads: 1, prechecks: 0, sent: 1, reserve: undefined },
    { status: 200, code: undefined, param: undefined, reads: 1, prechecks: 0, sent: 1, reserve },
  ]);
});

it("a key's limits do not change which 400 a request gets: the endpoint's own checks come first, as without limits (codereview45 #3)", async () => {
  // Each past its model's max_output_tokens (100) and refused by its endpoint before its call.
  const requests: Array<[string, Record<string, unknown>, string]> = [
    // A plain answer too large to build: 2 × 600,000 tokens.
    ["/v1/chat/completions", { model: "capped-openai", messages: hi, n: 2, max_tokens: 600_000 }, "n"],
    ["/v1/completions", { model: "capped-openai", prompt: "hi", n: 2, max_tokens: 600_000 }, "n"],
    // stream_options without stream; a stream flag that is no boolean.
    [
      "/v1/chat/completions",
      { model: "capped-openai", messages: hi, max_tokens: 600, stream_options: {} },
      "stream_options",
    ],
    [
      "/v1/completions",
      { model: "capped-openai", prompt: "hi", max_tokens: 600, stream_options: {} },
      "stream_options",
    ],
    ["/v1/responses", { model: "capped-openai", input: "hi", max_output_tokens: 600, stream: "yes" }, "stream"],
  ];
  const answers = [];
  for (const [path, body] of requests) {
    const refusals = [];
    for (const limits of [{}, { tokens_per_day: 10_000_000 }]) {
      const { status, code, param } = await proxy(limits).send(path, body);
      refusals.push({ status, code, param });
    }
    answers.push({ path, free: refusals[0], limited: refusals[1] });
  }
  expect(answers).toEqual(answers.map(({ path, free }) => ({ path, free, limited: free })));
  expect(answers.map(({ free }) => ({ status: free?.status, param: free?.param }))).toEqual(
    requests.map(([, , param]) => ({ status: 400, param })),
  );
});
