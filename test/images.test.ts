// OpenAI's image generation through the library, against the emulator: Nova Canvas's body, the
// size, quality and n mapping, the answer as b64_json PNGs, and the refusals (sizes a model cannot
// draw, fields no Bedrock image model honours, content filters, chat on an image model and the
// other way round); then through the proxy with the official openai client.
import OpenAI from "openai";
import { describe, expect, it } from "vitest";
import { EMULATOR_CREDENTIALS } from "../emulator/credentials.ts";
import { createEmulator } from "../emulator/handler.ts";
import { emulatedImage } from "../emulator/images.ts";
import { parseImageRequest } from "../src/core.ts";
import { answerImages, contentPolicyError } from "../src/images/families.ts";
import {
  BedrockEdgeError,
  type BedrockOptions,
  type CallSentEvent,
  createBedrock,
  type RetryEvent,
} from "../src/index.ts";
import { model } from "./helpers/emulated.ts";
import { errorOf } from "./helpers/errors.ts";
import { inProcessProxy } from "./helpers/in-process-proxy.ts";
import { partlyFiltered } from "./helpers/partly-filtered.ts";
import { readPng } from "./helpers/png.ts";

const NOVA = "bedrock/image/amazon.nova-canvas-v1:0";
const TITAN = "bedrock/image/amazon.titan-image-generator-v2:0";
const SD35 = "bedrock/image/stability.sd3-5-large-v1:0";

/** A client on the emulator that keeps every body it sent. */
function drawing(options: Partial<BedrockOptions> = {}) {
  const emulator = createEmulator();
  const bodies: Array<Record<string, unknown>> = [];
  const bedrock = createBedrock({
    endpoint: "http://bedrock.emulator",
    region: "us-east-1",
    credentials: EMULATOR_CREDENTIALS,
    retryBaseDelayMs: 1,
    retryMaxDelayMs: 5,
    fetch: async (input, init) => {
      const request = new Request(input, init);
      bodies.push(JSON.parse(await request.clone().text()) as Record<string, unknown>);
      return emulator.fetch(request);
    },
    ...options,
  });
  return { bedrock, bodies };
}

describe("images on Amazon Nova Canvas", () => {
  it("sends one TEXT_IMAGE body with n, the size and the quality, and answers each image as b64_json", async () => {
    const { bedrock, bodies } = drawing();
    const before = Math.floor(Date.now() / 1000);
    const answer = await bedrock.images.generate({
      model: NOVA,
      prompt: "a lighthouse at dawn",
      n: 2,
      size: "512x320",
      quality: "hd",
      seed: 99,
      user: "u-1",
    });
    expect(bodies).toEqual([
      {
        taskType: "TEXT_IMAGE",
        textToImageParams: { text: "a lighthouse at dawn" },
        imageGenerationConfig: { numberOfImages: 2, width: 512, height: 320, quality: "premium", seed: 99 },
      },
    ]);
    expect(answer.created).toBeGreaterThanOrEqual(before);
    expect(answer.output_format).toBe("png");
    expect(answer.data).toEqual(
      [0, 1].map((index) => ({ b64_json: emulatedImage("a lighthouse at dawn", 99, index, 512, 320) })),
    );
    expect(readPng(answer.data[0]!.b64_json)).toMatchObject({ width: 512, height: 320 });
  });

  it("draws 1024x1024 at standard quality, one image, when nothing else is asked", async () => {
    const { bedrock, bodies } = drawing();
    for (const fields of [{}, { size: "auto", quality: "auto", n: null, response_format: "b64_json" }] as const) {
      await bedrock.images.generate({ model: NOVA, prompt: "hills", ...fields });
    }
    const config = { numberOfImages: 1, width: 1024, height: 1024, quality: "standard", seed: expect.any(Number) };
    expect(bodies.map((body) => body.imageGenerationConfig)).toEqual([config, config]);
  });

  it("without a seed, draws a new image each time: a random seed within the model's bound (imgr39 #5, #4)", async () => {
    const { bedrock, bodies } = drawing();
    const first = await bedrock.images.generate({ model: NOVA, prompt: "hills", size: "320x320" });
    const second = await bedrock.images.generate({ model: NOVA, prompt: "hills", size: "320x320" });
    expect(first.data[0]!.b64_json).not.toBe(second.data[0]!.b64_json);
    const seeds = bodies.map((body) => (body.imageGenerationConfig as { seed: number }).seed);
    for (const seed of seeds) expect(seed >= 0 && seed <= 858_993_459, String(seed)).toBe(true);
    // The seed reproduces the image.
    const again = await bedrock.images.generate({ model: NOVA, prompt: "hills", size: "320x320", seed: seeds[0] });
    expect(again.data).toEqual(first.data);
  });

  it("takes each model's seeds: Nova to 858,993,459, Titan to 2,147,483,646, Stability to 4,294,967,294 (imgr39 #4, #6)", async () => {
    const { bedrock, bodies } = drawing();
    const cases = [
      [NOVA, 858_993_459],
      [TITAN, 2_147_483_646],
      [SD35, 4_294_967_294],
    ] as const;
    for (const [model, max] of cases) {
      const error = await errorOf(
        () => bedrock.images.generate({ model, prompt: "x", size: "512x512", seed: max + 1 }),
        BedrockEdgeError,
      );
      expect(error, model).toMatchObject({ status: 400, param: "seed" });
      expect(error.message, model).toContain(`seed must be at most ${max}`);
    }
    expect(bodies).toEqual([]);
    for (const [model, max] of cases) await bedrock.images.generate({ model, prompt: "x", size: "512x512", seed: max });
    expect(bodies).toHaveLength(3);
  });

  it("maps every OpenAI quality onto Nova's two: hd and high are premium, the rest standard", async () => {
    const { bedrock, bodies } = drawing();
    const qualities = ["standard", "hd", "low", "medium", "high", "auto"] as const;
    for (const quality of qualities) {
      await bedrock.images.generate({ model: NOVA, prompt: "x", size: "320x320", quality });
    }
    expect(bodies.map((body) => (body.imageGenerationConfig as { quality: string }).quality)).toEqual([
      "standard",
      "premium",
      "standard",
      "standard",
      "premium",
      "standard",
    ]);
  });

  it("takes OpenAI's params as they are (typed by the openai package) and the sizes Nova draws", async () => {
    const { bedrock, bodies } = drawing();
    // Compiled by the typecheck: code typed against the openai package moves over with its model named.
    const params: OpenAI.ImageGenerateParamsNonStreaming & { model: string } = {
      model: NOVA,
      prompt: "typed",
      size: "1536x1024",
      background: "opaque",
      moderation: "auto",
      output_format: "png",
      stream: false,
    };
    const answer = await bedrock.images.generate(params);
    const typed: OpenAI.ImagesResponse = answer;
    expect(readPng(typed.data![0]!.b64_json!)).toMatchObject({ width: 1536, height: 1024 });
    expect(bodies[0]).toMatchObject({ imageGenerationConfig: { width: 1536, height: 1024 } });
  });
});

describe("images on Amazon Titan Image Generator v2", () => {
  it("sends Nova's body, and draws the sizes on Titan's list", async () => {
    const { bedrock, bodies } = drawing();
    const answer = await bedrock.images.generate({
      model: TITAN,
      prompt: "a red fox",
      size: "1173x640",
      quality: "high",
    });
    expect(bodies).toEqual([
      {
        taskType: "TEXT_IMAGE",
        textToImageParams: { text: "a red fox" },
        imageGenerationConfig: {
          numberOfImages: 1,
          width: 1173,
          height: 640,
          quality: "premium",
          seed: expect.any(Number),
        },
      },
    ]);
    const { seed } = bodies[0]!.imageGenerationConfig as { seed: number };
    expect(answer.data).toEqual([{ b64_json: emulatedImage("a red fox", seed, 0, 1173, 640) }]);
    expect(readPng(answer.data[0]!.b64_json)).toMatchObject({ width: 1173, height: 640 });
  });

  it("refuses a size off its list, naming the sizes it takes, and a prompt past its 512 characters", async () => {
    const { bedrock, bodies } = drawing();
    const size = await errorOf(
      () => bedrock.images.generate({ model: TITAN, prompt: "x", size: "1536x1024" }),
      BedrockEdgeError,
    );
    expect(size).toMatchObject({ status: 400, param: "size" });
    expect(size.message).toContain(
      'size is not one Amazon Titan Image Generator v2 draws (got "1536x1024"): it takes one of 1024x1024, 768x768, 512x512,',
    );
    // Past 40 characters, told by its length in words that read (codereview46 #11).
    const longSize = await errorOf(
      () => bedrock.images.generate({ model: TITAN, prompt: "x", size: "9".repeat(50) as "1024x1024" }),
      BedrockEdgeError,
    );
    expect(longSize.message).toContain(
      "size is not one Amazon Titan Image Generator v2 draws (got a value of 50 characters)",
    );
    const long = await errorOf(
      () => bedrock.images.generate({ model: TITAN, prompt: "x".repeat(513) }),
      BedrockEdgeError,
    );
    expect(long).toMatchObject({ status: 400, param: "prompt" });
    expect(long.message).toContain("Amazon Titan Image Generator v2 takes at most 512");
    const many = await errorOf(() => bedrock.images.generate({ model: TITAN, prompt: "x", n: 6 }), BedrockEdgeError);
    expect(many).toMatchObject({ status: 400, param: "n" });
    expect(bodies).toEqual([]);
  });
});

describe("images on Stability AI's models (SD3.5 Large, Stable Image Core, Ultra)", () => {
  it("sends one call per image, {prompt, aspect_ratio, output_format}, the seed counted up, the images in order", async () => {
    const { bedrock, bodies } = drawing();
    const answer = await bedrock.images.generate({
      model: SD35,
      prompt: "a red fox",
      n: 3,
      size: "1536x1024",
      seed: 7,
    });
    const sorted = [...bodies].sort((a, b) => Number(a.seed) - Number(b.seed));
    expect(sorted).toEqual(
      [7, 8, 9].map((seed) => ({ prompt: "a red fox", aspect_ratio: "3:2", output_format: "png", seed })),
    );
    expect(answer.data).toEqual(
      [7, 8, 9].map((seed) => ({ b64_json: emulatedImage("a red fox", seed, 0, 1216, 832) })),
    );
  });

  it("sends no seed for seed 0 or none (Stability's 0 is random), and counts up past its largest from 1 (imgr39 #6)", async () => {
    const { bedrock, bodies } = drawing();
    await bedrock.images.generate({ model: SD35, prompt: "x", n: 2 });
    await bedrock.images.generate({ model: SD35, prompt: "x", n: 2, seed: 0 });
    expect(bodies.map((body) => body.seed)).toEqual([undefined, undefined, undefined, undefined]);
    bodies.length = 0;
    await bedrock.images.generate({ model: SD35, prompt: "x", n: 3, seed: 4_294_967_293 });
    expect(bodies.map((body) => body.seed).sort()).toEqual([1, 4_294_967_293, 4_294_967_294]);
  });

  it("takes a size by its ratio (or the pixels Stability draws at one), drawn at Stability's pixels; auto is 1:1", async () => {
    const { bedrock, bodies } = drawing();
    const drawn: string[] = [];
    for (const size of ["auto", "1344x768", "1024x1536", "2048x2048"]) {
      const answer = await bedrock.images.generate({
        model: "bedrock/image/stability.stable-image-ultra-v1:1",
        prompt: "x",
        size,
      });
      const png = readPng(answer.data[0]!.b64_json);
      drawn.push(`${png.width}x${png.height}`);
    }
    expect(bodies.map((body) => body.aspect_ratio)).toEqual(["1:1", "16:9", "2:3", "1:1"]);
    expect(drawn).toEqual(["1024x1024", "1344x768", "832x1216", "1024x1024"]);
  });

  it("refuses a ratio it does not draw, listing its ratios, and the premium qualities it has not", async () => {
    const { bedrock, bodies } = drawing();
    const size = await errorOf(
      () => bedrock.images.generate({ model: SD35, prompt: "x", size: "1792x1024" }),
      BedrockEdgeError,
    );
    expect(size).toMatchObject({ status: 400, param: "size" });
    expect(size.message).toContain("its aspect ratios (1:1, 16:9, 21:9, 2:3, 3:2, 4:5, 5:4, 9:16, 9:21)");
    for (const quality of ["hd", "high"] as const) {
      const error = await errorOf(
        () => bedrock.images.generate({ model: SD35, prompt: "x", quality }),
        BedrockEdgeError,
      );
      expect(error).toMatchObject({ status: 400, param: "quality", code: "unsupported_parameter" });
    }
    expect(bodies).toEqual([]);
    await bedrock.images.generate({ model: SD35, prompt: "x", quality: "standard" });
    expect(bodies).toHaveLength(1);
  });

  it("a call of several retried tells onRetry prompt 0, its retry its own; one call's is the request's (codereview39 #2)", async () => {
    const emulator = createEmulator();
    let fetches = 0;
    // The first call of each request is throttled once.
    const { bedrock } = drawing({
      fetch: async (input, init) => {
        if (++fetches === 1) {
          return Response.json(
            { message: "Too many requests" },
            { status: 429, headers: { "x-amzn-ErrorType": "ThrottlingException" } },
          );
        }
        return emulator.fetch(new Request(input, init));
      },
    });
    const events: RetryEvent[] = [];
    const onRetry = (event: RetryEvent) => events.push(event);
    await bedrock.images.generate({ model: SD35, prompt: "x", n: 2, size: "1024x1024" }, { onRetry });
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ attempt: 1, prompt: 0 });
    events.length = 0;
    fetches = 0;
    await bedrock.images.generate({ model: SD35, prompt: "x", size: "1024x1024" }, { onRetry });
    expect(events).toHaveLength(1);
    expect(events[0]).not.toHaveProperty("prompt");
  });

  it("a call of several tells onCallSent prompt 0 as it goes out; one call tells none (codereview35 #2)", async () => {
    const { bedrock } = drawing();
    const told: CallSentEvent[] = [];
    const onCallSent = (event: CallSentEvent) => told.push(event);
    await bedrock.images.generate({ model: SD35, prompt: "x", n: 3, size: "1024x1024" }, { onCallSent });
    expect(told).toEqual([{ prompt: 0 }, { prompt: 0 }, { prompt: 0 }]);
    told.length = 0;
    await bedrock.images.generate({ model: SD35, prompt: "x", size: "1024x1024" }, { onCallSent });
    expect(told).toEqual([]);
  });

  it("a filtered prompt (finish_reasons' Filter reason) is OpenAI's content_policy_violation", async () => {
    const { bedrock } = drawing();
    const error = await errorOf(
      () => bedrock.images.generate({ model: SD35, prompt: "a [blocked] scene" }),
      BedrockEdgeError,
    );
    expect(error).toMatchObject({ status: 400, code: "content_policy_violation", param: "prompt" });
    expect(error.message).toContain("Filter reason: prompt");
  });
});

describe("a Stability request that fails partway (imgr39 #2)", () => {
  it("tells each call that answered as its image (a filtered one too), each still out as its prompt; no Bedrock refusal", async () => {
    const upstream = partlyFiltered(createEmulator());
    const { bedrock } = drawing({ fetch: upstream.fetch });
    const error = await errorOf(
      () => bedrock.images.generate({ model: SD35, prompt: "a castle", n: 5 }),
      BedrockEdgeError,
    );
    expect(upstream.calls()).toBe(5);
    expect(error).toMatchObject({ status: 400, code: "content_policy_violation", fromBedrock: false });
    // A reason read from a 200 answer: the model ran, so this is not Bedrock's unbilled refusal.
    expect(error.bedrockError).toBeUndefined();
    const calls = [...(error.unmeteredCalls ?? [])].sort((a, b) => Number(b.images) - Number(a.images));
    expect(calls).toEqual([
      ...[1, 1, 1].map((images) => ({ prompt: 0, chunks: 0, images })),
      ...[0, 0].map((images) => ({ prompt: 0, chunks: 0, images })),
    ]);
  });

  it("Nova's filter refusal (Bedrock's ValidationException) stays Bedrock's unbilled refusal, with no calls told", async () => {
    const { bedrock } = drawing();
    const error = await errorOf(
      () => bedrock.images.generate({ model: NOVA, prompt: "[blocked]", size: "320x320" }),
      BedrockEdgeError,
    );
    expect(error).toMatchObject({
      code: "content_policy_violation",
      bedrockError: "ValidationException",
      fromBedrock: true,
    });
    expect(error.unmeteredCalls).toBeUndefined();
  });
});

describe("images refused", () => {
  it("bedrock-edge/core's parseImageRequest checks a request as generate() does (typesapi41 #7)", async () => {
    const { bedrock } = drawing();
    const request = { model: NOVA, prompt: "x", size: "320x320", n: 2 };
    expect(parseImageRequest(request)).toEqual(request);
    for (const refused of [
      { model: NOVA },
      { model: NOVA, prompt: "x", n: 0 },
      { model: NOVA, prompt: "x", steps: 1 },
    ]) {
      const parsed = errorOf(() => parseImageRequest(refused), BedrockEdgeError);
      const generated = await errorOf(() => bedrock.images.generate(refused as never), BedrockEdgeError);
      expect(parsed.message).toBe(generated.message);
      expect(parsed).toMatchObject({ status: 400, param: generated.param, code: generated.code });
    }
  });

  it("a size the model cannot draw: a 400 naming size and what the model takes, before any call", async () => {
    const { bedrock, bodies } = drawing();
    for (const size of ["1000x1000", "256x256", "4096x320", "2560x2560", "2048x2048", "big", "1024×1024"]) {
      const error = await errorOf(() => bedrock.images.generate({ model: NOVA, prompt: "x", size }), BedrockEdgeError);
      expect(error, size).toMatchObject({ status: 400, param: "size" });
      expect(error.message, size).toContain("is not one Amazon Nova Canvas draws");
      expect(error.message, size).toMatch(/multiple of 16|WIDTHxHEIGHT/);
    }
    expect(bodies).toEqual([]);
  });

  it("n past the model's 5, and a prompt past its 1,024 characters", async () => {
    const { bedrock, bodies } = drawing();
    const many = await errorOf(
      () => bedrock.images.generate({ model: NOVA, prompt: "x", n: 6, size: "320x320" }),
      BedrockEdgeError,
    );
    expect(many).toMatchObject({ status: 400, param: "n" });
    expect(many.message).toBe("n must be at most 5 for Amazon Nova Canvas (got 6).");
    const long = await errorOf(
      () => bedrock.images.generate({ model: NOVA, prompt: "x".repeat(1025) }),
      BedrockEdgeError,
    );
    expect(long).toMatchObject({ status: 400, param: "prompt" });
    expect(long.message).toBe("prompt is 1025 characters, and Amazon Nova Canvas takes at most 1024. Shorten it.");
    // OpenAI's own bound on n (10) and a missing prompt, by the schema.
    const eleven = await errorOf(() => bedrock.images.generate({ model: NOVA, prompt: "x", n: 11 }), BedrockEdgeError);
    expect(eleven).toMatchObject({ status: 400, param: "n" });
    const none = await errorOf(() => bedrock.images.generate({ model: NOVA } as never), BedrockEdgeError);
    expect(none).toMatchObject({ status: 400, param: "prompt" });
    expect(none.message).toBe("prompt is required: describe the image to draw.");
    expect(bodies).toEqual([]);
  });

  it("more pixels than one answer may hold (n × size), saying how many fit", async () => {
    const { bedrock, bodies } = drawing();
    const error = await errorOf(
      () => bedrock.images.generate({ model: NOVA, prompt: "x", n: 2, size: "2048x1536" }),
      BedrockEdgeError,
    );
    expect(error).toMatchObject({ status: 400, param: "n", code: "too_many_images" });
    expect(error.message).toContain("ask for at most 1");
    expect(bodies).toEqual([]);
  });

  it("each field no Bedrock image model honours, by name, saying why; user and safety_identifier are accepted and not sent", async () => {
    const { bedrock, bodies } = drawing();
    const cases: Array<[Record<string, unknown>, string, RegExp]> = [
      [{ response_format: "url" }, "response_format", /hosts no files: ask for "b64_json"/],
      [{ output_format: "jpeg" }, "output_format", /answer PNG/],
      [{ output_format: "webp" }, "output_format", /answer PNG/],
      // openai 7's values (typesapi41 #2): in the type, refused here by name.
      [{ output_format: "gif" }, "output_format", /answer PNG/],
      [{ output_format: "svg" }, "output_format", /answer PNG/],
      [{ quality: "xhigh" }, "quality", /best Bedrock's image models draw is premium/],
      [{ quality: "max" }, "quality", /best Bedrock's image models draw is premium/],
      [{ output_compression: 80 }, "output_compression", /answer PNG/],
      [{ background: "transparent" }, "background", /opaque/],
      [{ moderation: "low" }, "moderation", /content filters cannot be lowered/],
      [{ stream: true }, "stream", /whole images/],
      [{ partial_images: 2 }, "partial_images", /whole images/],
      [{ style: "vivid" }, "style", /vivid and natural are no style of Bedrock's image models/],
    ];
    for (const [fields, param, message] of cases) {
      const error = await errorOf(
        () => bedrock.images.generate({ model: NOVA, prompt: "x", ...fields } as never),
        BedrockEdgeError,
      );
      expect(error, param).toMatchObject({ status: 400, param, code: "unsupported_parameter" });
      expect(error.message, param).toMatch(message);
    }
    const unknown = await errorOf(
      () => bedrock.images.generate({ model: NOVA, prompt: "x", negative_prompt: "y" } as never),
      BedrockEdgeError,
    );
    expect(unknown).toMatchObject({ status: 400, param: "negative_prompt", code: "unknown_parameter" });
    // openai 7's fields for its own models' planning and gif or svg output: typed, refused by name.
    const openai7Only = { complexity: "high", frame_count: 4, frame_duration_ms: 100, svg: { model: "m" } } as const;
    for (const [param, value] of Object.entries(openai7Only)) {
      const error = await errorOf(
        () => bedrock.images.generate({ model: NOVA, prompt: "x", [param]: value }),
        BedrockEdgeError,
      );
      expect(error, param).toMatchObject({ status: 400, param, code: "unknown_parameter" });
    }
    expect(bodies).toEqual([]);
    await bedrock.images.generate({ model: NOVA, prompt: "x", size: "320x320", user: "someone" });
    await bedrock.images.generate({ model: NOVA, prompt: "x", size: "320x320", safety_identifier: "hashed-user" });
    expect(bodies).toHaveLength(2);
    expect(JSON.stringify(bodies)).not.toMatch(/someone|hashed-user/);
  });

  it("accepts the defaults that ask for nothing: output_compression 100 with png, partial_images 0 unstreamed (imgr39 #7)", async () => {
    const { bedrock, bodies } = drawing();
    const noOps = [
      { output_format: "png", output_compression: 100 },
      { output_compression: 100 },
      { stream: false, partial_images: 0 },
    ] as const;
    for (const fields of noOps) {
      const answer = await bedrock.images.generate({ model: NOVA, prompt: "x", size: "320x320", ...fields });
      expect(answer.data, JSON.stringify(fields)).toHaveLength(1);
    }
    // Nothing of them is sent.
    expect(JSON.stringify(bodies)).not.toMatch(/compression|partial/);
    const compressed = await errorOf(
      () => bedrock.images.generate({ model: NOVA, prompt: "x", output_compression: 99 }),
      BedrockEdgeError,
    );
    expect(compressed).toMatchObject({ status: 400, param: "output_compression" });
  });

  it("under drop_params (the request's, the model's or the client's), the fields that change only the drawing are dropped; url, jpeg and stream never", async () => {
    const droppable = {
      style: "vivid",
      background: "transparent",
      moderation: "low",
      output_compression: 80,
      partial_images: 1,
    } as const;
    const { bedrock, bodies } = drawing();
    await bedrock.images.generate({ model: NOVA, prompt: "x", size: "320x320", drop_params: true, ...droppable });
    expect(bodies).toEqual([
      {
        taskType: "TEXT_IMAGE",
        textToImageParams: { text: "x" },
        imageGenerationConfig: {
          numberOfImages: 1,
          width: 320,
          height: 320,
          quality: "standard",
          seed: expect.any(Number),
        },
      },
    ]);
    await bedrock.images.generate({ model: SD35, prompt: "x", quality: "hd", drop_params: true });
    expect(bodies[1]).toEqual({ prompt: "x", aspect_ratio: "1:1", output_format: "png" });
    // openai 7's "max", a quality no Bedrock image model has, dropped: drawn at the default standard.
    await bedrock.images.generate({ model: NOVA, prompt: "x", size: "320x320", quality: "max", drop_params: true });
    expect(bodies[2]).toMatchObject({ imageGenerationConfig: { quality: "standard" } });
    const form: Array<[Record<string, unknown>, string]> = [
      [{ response_format: "url" }, "response_format"],
      [{ output_format: "jpeg" }, "output_format"],
      [{ stream: true }, "stream"],
    ];
    for (const [fields, param] of form) {
      const error = await errorOf(
        () => bedrock.images.generate({ model: NOVA, prompt: "x", drop_params: true, ...fields } as never),
        BedrockEdgeError,
      );
      expect(error, param).toMatchObject({ status: 400, param, code: "unsupported_parameter" });
      expect(error.message, param).not.toContain("drop_params");
    }
    // Without it, the message says drop_params would drop the field.
    const style = await errorOf(
      () => bedrock.images.generate({ model: NOVA, prompt: "x", style: "natural" }),
      BedrockEdgeError,
    );
    expect(style.message).toContain("(or set drop_params to drop it)");
    // The model's setting, and the client's default, as for chat; the request's wins over both.
    const { bedrock: byModel, bodies: modelBodies } = drawing({
      models: { pics: { model: NOVA, drop_params: true }, strict: { model: NOVA, drop_params: false } },
      dropParams: true,
    });
    await byModel.images.generate({ model: "pics", prompt: "x", size: "320x320", style: "vivid" });
    await byModel.images.generate({ model: NOVA, prompt: "x", size: "320x320", moderation: "low" });
    expect(modelBodies).toHaveLength(2);
    const strict = await errorOf(
      () => byModel.images.generate({ model: "strict", prompt: "x", style: "vivid" }),
      BedrockEdgeError,
    );
    expect(strict).toMatchObject({ status: 400, param: "style" });
    await byModel.images.generate({ model: "strict", prompt: "x", size: "320x320", style: "vivid", drop_params: true });
    expect(modelBodies).toHaveLength(3);
  });

  it("Bedrock's content filters: OpenAI's 400 content_policy_violation, Bedrock's words kept", async () => {
    const { bedrock } = drawing();
    const error = await errorOf(
      () => bedrock.images.generate({ model: NOVA, prompt: "a [blocked] scene", size: "320x320" }),
      BedrockEdgeError,
    );
    expect(error).toMatchObject({ status: 400, code: "content_policy_violation", param: "prompt" });
    expect(error.message).toContain("blocked by our content filters");
    // Another ValidationException stays what it was.
    const other = new BedrockEdgeError({
      status: 400,
      message: "Malformed input request",
      bedrockError: "ValidationException",
    });
    expect(contentPolicyError(other)).toBe(other);
    const answered = () =>
      answerImages({ images: [], error: "The generated image has been blocked by our content filters." }, 1);
    expect(() => answered()).toThrow(expect.objectContaining({ code: "content_policy_violation" }));
  });

  it("images on a chat model, and chat, legacy Completions and Responses on an image model", async () => {
    const { bedrock, bodies } = drawing();
    const onChat = await errorOf(
      () => bedrock.images.generate({ model: model("llama"), prompt: "x" }),
      BedrockEdgeError,
    );
    expect(onChat).toMatchObject({ status: 400, param: "model", code: "unsupported_route" });
    expect(onChat.message).toContain("llama route");
    const refusals = [
      () => bedrock.chat.completions.create({ model: NOVA, messages: [{ role: "user", content: "hi" }] }),
      () => bedrock.completions.create({ model: NOVA, prompt: "hi" }),
      () => bedrock.responses.create({ model: NOVA, input: "hi" }),
    ];
    for (const refused of refusals) {
      const error = await errorOf(refused, BedrockEdgeError);
      expect(error).toMatchObject({ status: 400, param: "model", code: "unsupported_route" });
      expect(error.message).toContain("image model");
    }
    const embedding = await errorOf(() => bedrock.embeddings.create({ model: NOVA, input: "x" }), BedrockEdgeError);
    expect(embedding).toMatchObject({ status: 400, param: "model", code: "unsupported_route" });
    expect(embedding.message).toContain("on the image route, an image model: embeddings need an embedding model");
    expect(bodies).toEqual([]);
  });

  it("a models-table entry whose id names no image model, and deployments of two image models under one name", () => {
    expect(() =>
      createBedrock({ region: "us-east-1", models: { pics: "bedrock/image/amazon.nova-lite-v1:0" } }),
    ).toThrow(/the image route serves Bedrock's image models/);
    const mixed = { deployments: [{ model: NOVA }, { model: TITAN }] };
    expect(() => createBedrock({ region: "us-east-1", models: { pics: mixed } })).toThrow(
      /deployments\[1\]\.model: amazon\.titan-image-generator-v2:0 is not deployments\[0\]'s image model \(amazon\.nova-canvas-v1:0\)/,
    );
    const copies = {
      deployments: [
        { model: NOVA, region: "us-east-1" },
        { model: NOVA, region: "us-west-2" },
      ],
    };
    expect(() => createBedrock({ region: "us-east-1", models: { pics: copies } })).not.toThrow();
    // Stability's Stable Image Inpaint is an image model too, bare or by its cross-region profile.
    const inpaint = {
      deployments: [
        { model: "bedrock/image/stability.stable-image-inpaint-v1:0" },
        { model: "bedrock/image/us.stability.stable-image-inpaint-v1:0", region: "us-west-2" },
      ],
    };
    expect(() => createBedrock({ region: "us-east-1", models: { inpaint } })).not.toThrow();
    // Only the version the image route speaks: another is refused here, not at every call (codereview42 #5).
    expect(() =>
      createBedrock({ region: "us-east-1", models: { pics: "bedrock/image/stability.stable-image-inpaint-v2:0" } }),
    ).toThrow(/the image route serves Bedrock's image models/);
    expect(() =>
      createBedrock({ region: "us-east-1", models: { pics: { model: NOVA, max_output_tokens: 10 } } }),
    ).toThrow(/the image route does not use/);
  });
});

describe("images through the proxy, with the official openai client", () => {
  it("answers client.images.generate with and without response_format, a PNG of the asked size", async () => {
    const { client, lines } = inProcessProxy({ pictures: NOVA }, { LOG_PROMPTS: "true" });
    const plain = await client.images.generate({ model: "pictures", prompt: "a red fox", size: "512x512" });
    expect(plain.data).toHaveLength(1);
    expect(readPng(plain.data![0]!.b64_json!)).toMatchObject({ width: 512, height: 512 });
    const asked = await client.images.generate({
      model: "pictures",
      prompt: "a red fox",
      size: "320x640",
      n: 2,
      response_format: "b64_json",
    });
    expect(asked.data!.map((image) => readPng(image.b64_json!).height)).toEqual([640, 640]);
    const line = lines.find((entry) => entry.path === "/v1/images/generations" && entry.status === 200);
    // The prompt's estimate as input, and the 512x512 image as a quarter of OpenAI's 1,056 tokens of
    // a 1024x1024 one (Bedrock counts no tokens for images); never the image bytes.
    expect(line).toMatchObject({ model: "pictures", prompt: "a red fox", prompt_tokens: 3, completion_tokens: 264 });
    expect(JSON.stringify(lines)).not.toContain(plain.data![0]!.b64_json!.slice(100, 200));
  });

  it("refuses url with OpenAI's 400, and lists the image model among the models", async () => {
    const { client } = inProcessProxy({ pictures: NOVA });
    const refused = await errorOf(
      () => client.images.generate({ model: "pictures", prompt: "x", response_format: "url" }),
      OpenAI.BadRequestError,
    );
    expect(refused).toMatchObject({ status: 400, param: "response_format", code: "unsupported_parameter" });
    const filtered = await errorOf(
      () => client.images.generate({ model: "pictures", prompt: "[blocked]", size: "320x320" }),
      OpenAI.BadRequestError,
    );
    expect(filtered.code).toBe("content_policy_violation");
    expect((await client.models.list()).data.map((entry) => entry.id)).toEqual(["pictures"]);
  });
});
