// POST /v1/images/generations in workerd, driven by the official `openai` package's
// images.generate (with and without response_format): PNGs of the asked size, the log line
// without the image bytes, the usage row (the prompt's estimate as input, and each image as
// OpenAI's gpt-image-1 counts one of its size and quality as output: Bedrock counts no tokens for
// images), a key's allow-list and its tokens_per_day counted from those, and CORS as on the other
// endpoints. Then POST /v1/images/edits, driven by images.edit's multipart body (toFile, with
// and without a mask): counted, limited and logged as a generation is; and images.createVariation.
// Then images.edit on Stability's Stable Image Inpaint: a call per image, counted as Nova's edit is.
import { readFileSync } from "node:fs";
import OpenAI, { toFile } from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { emulatedImage } from "../../emulator/images.ts";
import type { D1Database } from "../../worker/cloudflare.ts";
import { errorOf } from "../helpers/errors.ts";
import { readPng } from "../helpers/png.ts";
import { awayFromMidnight, eventually, keyLimitsCounts, TEST_KEYS, usageRow, type WorkerdProxy } from "./harness.ts";
import { startMeteredProxy } from "./metered-proxy.ts";

const MODELS = {
  pictures: "bedrock/image/amazon.nova-canvas-v1:0",
  chat: "bedrock/image/amazon.nova-canvas-v1:0",
  inpaint: "bedrock/image/stability.stable-image-inpaint-v1:0",
};
const PROMPT = "A lighthouse at dawn";
// The worker's estimate of the prompt: 20 ASCII characters, a token each 4.
const PROMPT_TOKENS = 5;
// A standard image as output: OpenAI's 1,056 tokens of a 1024x1024 one, by its pixels.
const imageTokens = (width: number, height: number) => Math.ceil((1056 * width * height) / 1024 ** 2);
// A request for one 320x320 image: its prompt and its image.
const SMALL_REQUEST_TOKENS = PROMPT_TOKENS + imageTokens(320, 320);
// An edit of examples/images' 320x320 picture: its prompt and one image of that size.
const EDIT_PROMPT = "A round window on the sea";
const EDIT_REQUEST_TOKENS = Math.ceil(EDIT_PROMPT.length / 4) + imageTokens(320, 320);
const KEYS = {
  narrow: { key: "sk-image-narrow-0001", models: ["chat"] },
  team: { key: "sk-image-team-0001", tokens_per_day: 2 * SMALL_REQUEST_TOKENS },
  editors: { key: "sk-image-editors-0001", tokens_per_day: 2 * EDIT_REQUEST_TOKENS },
};

let proxy: WorkerdProxy;
let db: D1Database;

beforeAll(async () => {
  ({ proxy, db } = await startMeteredProxy(MODELS, KEYS));
});
afterAll(() => proxy?.close());

const client = (name?: keyof typeof KEYS) => proxy.client("main", name ? { apiKey: KEYS[name].key } : {});

describe("images.generate with the openai package, in workerd", () => {
  it("answers PNGs of the asked size as b64_json, with response_format or without", async () => {
    // Nova's default seed, sent: without one the proxy sends a random seed.
    const seeded = { model: "pictures", prompt: PROMPT, size: "512x512", seed: 12 };
    const { data: plain, response } = await client().images.generate(seeded).withResponse();
    expect(plain.data?.map((image) => image.b64_json)).toEqual([emulatedImage(PROMPT, 12, 0, 512, 512)]);
    expect(readPng(plain.data?.[0]?.b64_json ?? "")).toMatchObject({ width: 512, height: 512 });
    const asked = await client().images.generate({
      model: "pictures",
      prompt: PROMPT,
      size: "1024x512",
      n: 2,
      response_format: "b64_json",
    });
    expect(asked.data?.map((image) => readPng(image.b64_json ?? "").width)).toEqual([1024, 1024]);
    const line = await eventually(
      () => proxy.logs.find((entry) => entry.request_id === response.headers.get("x-request-id")),
      3000,
      "the log line",
    );
    expect(line).toMatchObject({ path: "/v1/images/generations", status: 200, model: "pictures" });
    expect(line).toMatchObject({ prompt_tokens: PROMPT_TOKENS, completion_tokens: imageTokens(512, 512) });
    // No LOG_PROMPTS here: neither the prompt nor, ever, the image.
    expect(JSON.stringify(line)).not.toContain(PROMPT);
    expect(JSON.stringify(proxy.logs)).not.toContain(plain.data?.[0]?.b64_json?.slice(100, 200));
  });

  it("writes a usage row with the prompt's estimate as input and its image as output", async () => {
    const { response } = await client()
      .images.generate({ model: "pictures", prompt: PROMPT, size: "320x320" })
      .withResponse();
    const id = response.headers.get("x-request-id") ?? "";
    const row = await usageRow(db, id);
    expect(row).toMatchObject({ endpoint: "/v1/images/generations", model: "pictures", route: "image", status: 200 });
    expect(row.input_tokens).toBe(PROMPT_TOKENS);
    expect(row.output_tokens).toBe(imageTokens(320, 320));
  });

  it("refuses url with a 400 naming response_format, and keeps a key to its models", async () => {
    const url = await errorOf(
      () => client().images.generate({ model: "pictures", prompt: PROMPT, response_format: "url" }),
      OpenAI.BadRequestError,
    );
    expect(url).toMatchObject({ status: 400, param: "response_format", code: "unsupported_parameter" });
    const refused = await errorOf(
      () => client("narrow").images.generate({ model: "pictures", prompt: PROMPT }),
      OpenAI.NotFoundError,
    );
    expect(refused.status).toBe(404);
    const allowed = await client("narrow").images.generate({ model: "chat", prompt: PROMPT, size: "320x320" });
    expect(allowed.data).toHaveLength(1);
  });

  it("answers a CORS preflight and names the origin on the answer, as the other endpoints do", async () => {
    const preflight = await fetch(`${proxy.url()}/v1/images/generations`, {
      method: "OPTIONS",
      headers: {
        origin: "https://app.example",
        "access-control-request-method": "POST",
        "access-control-request-headers": "authorization, content-type",
      },
    });
    expect(preflight.headers.get("access-control-allow-origin")).toBe("https://app.example");
    const answer = await fetch(`${proxy.url()}/v1/images/generations`, {
      method: "POST",
      headers: {
        origin: "https://app.example",
        authorization: `Bearer ${TEST_KEYS[0]}`,
        "content-type": "application/json",
      },
      body: JSON.stringify({ model: "pictures", prompt: "hi", size: "320x320" }),
    });
    expect(answer.status).toBe(200);
    expect(answer.headers.get("access-control-allow-origin")).toBe("https://app.example");
  });

  describe("tokens_per_day", () => {
    beforeAll(() => awayFromMidnight(30_000), 40_000);

    it("counts each request's prompt estimate and its image, and refuses once the day's are used", async () => {
      const counted = async () => (await keyLimitsCounts(proxy, "team")).tokens;
      const draw = () => client("team").images.generate({ model: "pictures", prompt: PROMPT, size: "320x320" });
      await draw();
      await eventually(
        async () => ((await counted()) === SMALL_REQUEST_TOKENS ? true : undefined),
        3000,
        "one counted",
      );
      await draw();
      const two = 2 * SMALL_REQUEST_TOKENS;
      await eventually(async () => ((await counted()) === two ? true : undefined), 3000, "two counted");
      const refused = await errorOf(draw, OpenAI.RateLimitError);
      expect(refused.code).toBe("tokens_per_day_exceeded");
    });
  });
});

/** The examples' room and its mask, as the openai package uploads files. */
const example = (name: string) => readFileSync(new URL(`../../examples/images/${name}`, import.meta.url));
const picture = () => toFile(example("room.png"), "room.png", { type: "image/png" });
const mask = () => toFile(example("room-mask.png"), "room-mask.png", { type: "image/png" });

describe("images.edit with the openai package, in workerd", () => {
  it("answers a PNG of the image's size, with a mask; logs and records it as a generation", async () => {
    const { data, response } = await client()
      .images.edit({
        model: "pictures",
        image: await picture(),
        mask: await mask(),
        prompt: EDIT_PROMPT,
        seed: 12,
      } as OpenAI.ImageEditParamsNonStreaming)
      .withResponse();
    expect(data.data?.map((image) => image.b64_json)).toEqual([emulatedImage(EDIT_PROMPT, 12, 0, 320, 320)]);
    expect(readPng(data.data?.[0]?.b64_json ?? "")).toMatchObject({ width: 320, height: 320 });
    const id = response.headers.get("x-request-id") ?? "";
    const line = await eventually(() => proxy.logs.find((entry) => entry.request_id === id), 3000, "the log line");
    const tokens = {
      prompt_tokens: EDIT_REQUEST_TOKENS - imageTokens(320, 320),
      completion_tokens: imageTokens(320, 320),
    };
    expect(line).toMatchObject({ path: "/v1/images/edits", status: 200, model: "pictures", ...tokens });
    const row = await usageRow(db, id);
    expect(row).toMatchObject({ endpoint: "/v1/images/edits", route: "image", status: 200 });
    expect(row.output_tokens).toBe(imageTokens(320, 320));
  });

  it("without a mask, an opaque image is a 400 naming mask; a body neither JSON nor multipart a 415", async () => {
    const unmasked = await errorOf(
      async () => client().images.edit({ model: "pictures", image: await picture(), prompt: EDIT_PROMPT }),
      OpenAI.BadRequestError,
    );
    expect(unmasked).toMatchObject({ status: 400, param: "mask" });
    const plain = await fetch(`${proxy.url()}/v1/images/edits`, {
      method: "POST",
      headers: { authorization: `Bearer ${TEST_KEYS[0]}`, "content-type": "text/plain" },
      body: JSON.stringify({ model: "pictures", prompt: "x" }),
    });
    expect(plain.status).toBe(415);
  });

  it("counts a form's parts with the boundary workerd's parser reads, and refuses a header the two could read apart (redos43 #1)", async () => {
    /** 40 empty fields delimited by `boundary` (the review sent 60,000 in 3.4 MB), under the Content-Type given. */
    const post = async (boundary: string, contentType: string) => {
      const parts = Array.from(
        { length: 40 },
        (_, index) => `--${boundary}\r\nContent-Disposition: form-data; name="f${index}"\r\n\r\n\r\n`,
      );
      const response = await fetch(`${proxy.url()}/v1/images/edits`, {
        method: "POST",
        headers: { authorization: `Bearer ${TEST_KEYS[0]}`, "content-type": contentType },
        body: `${parts.join("")}--${boundary}--\r\n`,
      });
      return {
        status: response.status,
        message: ((await response.json()) as { error: { message: string } }).error.message,
      };
    };
    // The review's two headers: workerd built every part before they were refused (with the same
    // "more than 32 parts" its count gives), so the message is what shows it parsed none.
    const unread = (why: string) => ({
      status: 400,
      message: `The multipart body's Content-Type ${why}: send one boundary of letters, digits and '()+_,-./:=? (multipart/form-data, RFC 2046).`,
    });
    expect(await post('a"b', 'multipart/form-data; boundary="a\\"b"')).toEqual(
      unread("has a boundary holding a quote, a backslash or a character outside printable ASCII"),
    );
    expect(await post("b", 'multipart/form-data; x="; boundary=z"; boundary=b')).toEqual(
      unread("names boundary= more than once"),
    );
    // Read as workerd reads a MIME type, a `;` quoted in another parameter does not hide the boundary.
    expect(await post("b", 'multipart/form-data; x="a;b"; BOUNDARY="b"')).toEqual({
      status: 400,
      message: "The multipart body has more than 32 parts, more than any edit request.",
    });
  });

  it("answers a JSON edit, its image and mask data URLs, with a PNG of the image's size (imgeditr41 #4)", async () => {
    const dataUrl = (name: string) => `data:image/png;base64,${example(name).toString("base64")}`;
    const answer = await fetch(`${proxy.url()}/v1/images/edits`, {
      method: "POST",
      headers: { authorization: `Bearer ${TEST_KEYS[0]}`, "content-type": "application/json" },
      body: JSON.stringify({
        model: "pictures",
        prompt: EDIT_PROMPT,
        images: [{ image_url: dataUrl("room.png") }],
        mask: { image_url: dataUrl("room-mask.png") },
        seed: 12,
      }),
    });
    expect(answer.status).toBe(200);
    const { data } = (await answer.json()) as { data: Array<{ b64_json: string }> };
    expect(data.map((image) => image.b64_json)).toEqual([emulatedImage(EDIT_PROMPT, 12, 0, 320, 320)]);
  });

  it("answers client.images.createVariation: PNGs of the size asked, logged as an image request", async () => {
    const { data, response } = await client()
      .images.createVariation({ model: "pictures", image: await picture(), size: "512x512", n: 2 })
      .withResponse();
    expect(data.data?.map((image) => readPng(image.b64_json ?? "").width)).toEqual([512, 512]);
    const id = response.headers.get("x-request-id") ?? "";
    const line = await eventually(() => proxy.logs.find((entry) => entry.request_id === id), 3000, "the log line");
    expect(line).toMatchObject({
      path: "/v1/images/variations",
      status: 200,
      completion_tokens: 2 * imageTokens(512, 512),
    });
  });

  describe("tokens_per_day", () => {
    beforeAll(() => awayFromMidnight(30_000), 40_000);

    it("counts each edit's prompt estimate and its image, and refuses once the day's are used", async () => {
      const counted = async () => (await keyLimitsCounts(proxy, "editors")).tokens;
      const edit = async () =>
        client("editors").images.edit({
          model: "pictures",
          image: await picture(),
          mask: await mask(),
          prompt: EDIT_PROMPT,
        });
      await edit();
      await eventually(async () => ((await counted()) === EDIT_REQUEST_TOKENS ? true : undefined), 3000, "one counted");
      await edit();
      await eventually(
        async () => ((await counted()) === 2 * EDIT_REQUEST_TOKENS ? true : undefined),
        3000,
        "two counted",
      );
      const refused = await errorOf(edit, OpenAI.RateLimitError);
      expect(refused.code).toBe("tokens_per_day_exceeded");
    });
  });
});

describe("images.edit on Stability's Stable Image Inpaint, in workerd", () => {
  it("answers a PNG of the image's size per image, one call each; logs and records them as Nova's edit", async () => {
    const { data, response } = await client()
      .images.edit({
        model: "inpaint",
        image: await picture(),
        mask: await mask(),
        prompt: EDIT_PROMPT,
        n: 2,
        seed: 12,
      } as OpenAI.ImageEditParamsNonStreaming)
      .withResponse();
    // Stability's seeds counted up, one a call, as its generation's are.
    expect(data.data?.map((image) => image.b64_json)).toEqual(
      [12, 13].map((seed) => emulatedImage(EDIT_PROMPT, seed, 0, 320, 320)),
    );
    expect(readPng(data.data?.[0]?.b64_json ?? "")).toMatchObject({ width: 320, height: 320 });
    const id = response.headers.get("x-request-id") ?? "";
    const line = await eventually(() => proxy.logs.find((entry) => entry.request_id === id), 3000, "the log line");
    expect(line).toMatchObject({
      path: "/v1/images/edits",
      status: 200,
      model: "inpaint",
      prompt_tokens: EDIT_REQUEST_TOKENS - imageTokens(320, 320),
      completion_tokens: 2 * imageTokens(320, 320),
    });
    const row = await usageRow(db, id);
    expect(row).toMatchObject({ endpoint: "/v1/images/edits", model: "inpaint", route: "image", status: 200 });
    expect(row.output_tokens).toBe(2 * imageTokens(320, 320));
  });

  it("refuses generation and variations on the inpaint model with OpenAI's 400 naming model", async () => {
    const generated = await errorOf(
      () => client().images.generate({ model: "inpaint", prompt: PROMPT }),
      OpenAI.BadRequestError,
    );
    expect(generated).toMatchObject({ status: 400, param: "model", code: "unsupported_model" });
    const varied = await errorOf(
      async () => client().images.createVariation({ model: "inpaint", image: await picture() }),
      OpenAI.BadRequestError,
    );
    expect(varied).toMatchObject({ status: 400, param: "model", code: "unsupported_model" });
  });
});
