// OpenAI's image edits through the library, against the emulator: Nova Canvas's and Titan's
// INPAINTING body (OpenAI's transparent mask made Bedrock's black-and-white one, the image sent as
// an 8-bit RGB PNG), every form an image comes in, and the 400s naming image, mask, size and the
// refused fields; Stability's Stable Image Inpaint (a call per image, its mask white where to
// change, its 64-pixel side, generation and variations on it refused) and Stability's
// text-to-image models refused as not wired for edits. Then through the proxy with
// the official openai client's multipart images.edit, and the bodies it refuses.
import OpenAI, { toFile } from "openai";
import { describe, expect, it, onTestFinished, vi } from "vitest";
import { EMULATOR_CREDENTIALS } from "../emulator/credentials.ts";
import { createEmulator } from "../emulator/handler.ts";
import { emulatedImage } from "../emulator/images.ts";
import {
  MAX_BODY_BYTES_CEILING,
  MAX_TEXT_BYTES,
  parseImageEditRequest,
  parseImageVariationRequest,
} from "../src/core.ts";
import { BedrockEdgeError, createBedrock, type ImageEditParams } from "../src/index.ts";
import { errorOf } from "./helpers/errors.ts";
import { inProcessProxy } from "./helpers/in-process-proxy.ts";
import { readPng } from "./helpers/png.ts";
import { rgbaPng, writePng } from "./helpers/png-writer.ts";

const NOVA = "bedrock/image/amazon.nova-canvas-v1:0";
const TITAN = "bedrock/image/amazon.titan-image-generator-v2:0";
const SD35 = "bedrock/image/stability.sd3-5-large-v1:0";

/** A client on the emulator that keeps every body it sent. */
function editing() {
  const emulator = createEmulator();
  const bodies: Array<Record<string, unknown>> = [];
  const bedrock = createBedrock({
    endpoint: "http://bedrock.emulator",
    region: "us-east-1",
    credentials: EMULATOR_CREDENTIALS,
    retryBaseDelayMs: 1,
    fetch: async (input, init) => {
      const request = new Request(input, init);
      bodies.push(JSON.parse(await request.clone().text()) as Record<string, unknown>);
      return emulator.fetch(request);
    },
  });
  return { bedrock, bodies };
}

const W = 6;
const H = 4;
// An opaque picture whose colours vary, and a mask transparent on its left two columns.
const colour = (x: number, y: number) => [x * 40, y * 60, 100];
const picture = rgbaPng(W, H, (x, y) => [...colour(x, y), 255]);
const mask = rgbaPng(W, H, (x) => [0, 0, 0, x < 2 ? 0 : 255]);
/** Bedrock's mask for `mask`: black (to change) on the left two columns, white elsewhere. */
const bedrockMask = Array.from({ length: H }, () =>
  Array.from({ length: W }, (_, x) => Array(3).fill(x < 2 ? 0 : 255)).flat(),
);

const pngFile = (bytes: Uint8Array, name = "image.png") =>
  new File([new Uint8Array(bytes)], name, { type: "image/png" });
const rowsOf = (base64: string) => readPng(base64).rows.map((row) => [...row]);

describe("image edits on Amazon Nova Canvas", () => {
  it("sends one INPAINTING body: the image as RGB, OpenAI's transparent mask as Bedrock's black-and-white one", async () => {
    const { bedrock, bodies } = editing();
    const answer = await bedrock.images.edit({
      model: NOVA,
      image: pngFile(picture),
      mask: pngFile(mask, "mask.png"),
      prompt: "a red door",
      n: 2,
      quality: "high",
      seed: 5,
      user: "u-1",
    });
    expect(bodies).toHaveLength(1);
    const body = bodies[0] as {
      taskType: string;
      inPaintingParams: { image: string; text: string; maskImage: string };
      imageGenerationConfig: unknown;
    };
    expect(body.taskType).toBe("INPAINTING");
    expect(Object.keys(body.inPaintingParams).sort()).toEqual(["image", "maskImage", "text"]);
    expect(body.inPaintingParams.text).toBe("a red door");
    expect(body.imageGenerationConfig).toEqual({ numberOfImages: 2, quality: "premium", seed: 5 });
    // The image, read by node:zlib: 8-bit RGB, the same colours.
    expect(readPng(body.inPaintingParams.image)).toMatchObject({ width: W, height: H, bitDepth: 8, colorType: 2 });
    expect(rowsOf(body.inPaintingParams.image)).toEqual(
      Array.from({ length: H }, (_, y) => Array.from({ length: W }, (_, x) => colour(x, y)).flat()),
    );
    expect(rowsOf(body.inPaintingParams.maskImage)).toEqual(bedrockMask);
    expect(answer.output_format).toBe("png");
    expect(answer.data).toEqual([0, 1].map((index) => ({ b64_json: emulatedImage("a red door", 5, index, W, H) })));
    expect(readPng(answer.data[0]!.b64_json)).toMatchObject({ width: W, height: H });
  });

  it("without a mask, the image's own fully transparent pixels are the mask; the image is sent without alpha", async () => {
    const { bedrock, bodies } = editing();
    const holed = rgbaPng(W, H, (x, y) => [...colour(x, y), x < 2 ? 0 : 255]);
    await bedrock.images.edit({ model: NOVA, image: pngFile(holed), prompt: "a window", seed: 1 });
    const params = (bodies[0] as { inPaintingParams: { image: string; maskImage: string } }).inPaintingParams;
    expect(readPng(params.image).colorType).toBe(2);
    expect(rowsOf(params.maskImage)).toEqual(bedrockMask);
  });

  it("takes the image as a Blob, bytes, an ArrayBuffer, a data URL or an array of one: the same body", async () => {
    const { bedrock, bodies } = editing();
    const dataUrl = `data:image/png;base64,${Buffer.from(picture).toString("base64")}`;
    const forms: ImageEditParams["image"][] = [
      new Blob([new Uint8Array(picture)]),
      new Uint8Array(picture),
      new Uint8Array(picture).buffer,
      dataUrl,
      [pngFile(picture)],
    ];
    for (const image of forms) {
      await bedrock.images.edit({ model: NOVA, image, mask: new Uint8Array(mask), prompt: "x", seed: 2 });
    }
    expect(bodies).toHaveLength(forms.length);
    for (const body of bodies) expect(body).toEqual(bodies[0]);
  });

  it("sends a JPEG as it is, with its mask; a JPEG without a mask is refused (it has no transparency)", async () => {
    const { bedrock, bodies } = editing();
    // SOI, a frame header of 6x4 (SOF0), EOI: enough for its size.
    const jpeg = Uint8Array.from([0xff, 0xd8, 0xff, 0xc0, 0, 11, 8, 0, H, 0, W, 1, 1, 0x11, 0, 0xff, 0xd9]);
    await bedrock.images.edit({ model: NOVA, image: jpeg, mask, prompt: "x", seed: 3 });
    const params = (bodies[0] as { inPaintingParams: { image: string } }).inPaintingParams;
    expect(params.image).toBe(Buffer.from(jpeg).toString("base64"));
    const error = await errorOf(() => bedrock.images.edit({ model: NOVA, image: jpeg, prompt: "x" }), BedrockEdgeError);
    expect(error).toMatchObject({ status: 400, param: "mask" });
    expect(bodies).toHaveLength(1);
  });

  it("takes size as the image's own or auto; another is a 400 naming size", async () => {
    const { bedrock, bodies } = editing();
    for (const size of [`${W}x${H}`, "auto", null])
      await bedrock.images.edit({ model: NOVA, image: picture, mask, prompt: "x", size });
    expect(bodies).toHaveLength(3);
    const error = await errorOf(
      () => bedrock.images.edit({ model: NOVA, image: picture, mask, prompt: "x", size: "1024x1024" }),
      BedrockEdgeError,
    );
    expect(error).toMatchObject({ status: 400, param: "size" });
    expect(error.message).toContain(`an edit is drawn at its image's size. Send ${W}x${H}`);
  });
});

describe("image edits on Amazon Titan Image Generator v2", () => {
  it("sends Nova's INPAINTING body, a seed within Titan's bound", async () => {
    const { bedrock, bodies } = editing();
    const answer = await bedrock.images.edit({ model: TITAN, image: picture, mask, prompt: "ivy" });
    const body = bodies[0] as { taskType: string; imageGenerationConfig: { seed: number } };
    expect(body.taskType).toBe("INPAINTING");
    const { seed } = body.imageGenerationConfig;
    expect(seed >= 0 && seed <= 2_147_483_646).toBe(true);
    expect(answer.data).toEqual([{ b64_json: emulatedImage("ivy", seed, 0, W, H) }]);
  });
});

type ProxyApp = ReturnType<typeof inProcessProxy>["app"];

/** POSTs `body` to the proxy's image edits with the test key, under the headers given. */
function postEdit(app: ProxyApp, body: BodyInit, headers: Record<string, string> = {}) {
  return app.request("http://proxy.test/v1/images/edits", {
    method: "POST",
    body,
    headers: { authorization: "Bearer sk-test", ...headers },
  });
}

/** A multipart edit: each field's text, or a file's bytes sent as `<field>.png`. */
function editForm(fields: Record<string, string | Uint8Array>): FormData {
  const form = new FormData();
  for (const [name, value] of Object.entries(fields)) {
    if (typeof value === "string") form.append(name, value);
    else form.append(name, new Blob([new Uint8Array(value)]), `${name}.png`);
  }
  return form;
}

/** POSTs an edit of `count` empty fields delimited by `boundary`, under the Content-Type given. */
function postEmptyFields(app: ProxyApp, count: number, boundary: string, contentType: string) {
  const parts = Array.from(
    { length: count },
    (_, index) => `--${boundary}\r\nContent-Disposition: form-data; name="f${index}"\r\n\r\n\r\n`,
  );
  return postEdit(app, `${parts.join("")}--${boundary}--\r\n`, { "content-type": contentType });
}

describe("image edits on Stability AI's Stable Image Inpaint", () => {
  const INPAINT = "bedrock/image/stability.stable-image-inpaint-v1:0";
  // Stability takes images of at least 64 pixels a side: 64x64, its colours varying.
  const S = 64;
  const tint = (x: number, y: number) => [x * 4, y * 4, 200];
  /** OpenAI's mask: fully transparent on the top-left 3x2 pixels, translucent (alpha 128) at 10,10. */
  const alphaAt = (x: number, y: number) => (x < 3 && y < 2 ? 0 : x === 10 && y === 10 ? 128 : 255);
  const marked = (x: number, y: number) => alphaAt(x, y) === 0;
  const squarePicture = rgbaPng(S, S, (x, y) => [...tint(x, y), 255]);
  const squareMask = rgbaPng(S, S, (x, y) => [9, 9, 9, alphaAt(x, y)]);
  /** Stability's mask for it: white (inpaint at full strength) where OpenAI's is transparent, black elsewhere. */
  const stabilityMask = Array.from({ length: S }, (_, y) =>
    Array.from({ length: S }, (_, x) => Array(3).fill(marked(x, y) ? 255 : 0)).flat(),
  );
  type InpaintBody = { prompt: string; image: string; mask: string; output_format: string; seed?: number };

  it("sends a call per image, {prompt, image, mask, output_format, seed}: the image as RGB, OpenAI's transparent pixels white on black", async () => {
    const { bedrock, bodies } = editing();
    const answer = await bedrock.images.edit({
      model: INPAINT,
      image: pngFile(squarePicture),
      mask: pngFile(squareMask, "mask.png"),
      prompt: "a red door",
      n: 2,
      seed: 7,
      user: "u-1",
    });
    expect(bodies).toHaveLength(2);
    // The two calls run at once, and each signs its body before it is sent: they reach fetch in
    // either order. Each image's own seed is held by the answer's order below.
    const sent = (bodies as InpaintBody[]).sort((a, b) => (a.seed ?? 0) - (b.seed ?? 0));
    for (const body of sent)
      expect(Object.keys(body).sort()).toEqual(["image", "mask", "output_format", "prompt", "seed"]);
    expect(sent.map((body) => body.seed)).toEqual([7, 8]);
    expect(sent[0]).toMatchObject({ prompt: "a red door", output_format: "png" });
    expect(readPng(sent[0]!.image)).toMatchObject({ width: S, height: S, bitDepth: 8, colorType: 2 });
    expect(rowsOf(sent[0]!.image)).toEqual(
      Array.from({ length: S }, (_, y) => Array.from({ length: S }, (_, x) => tint(x, y)).flat()),
    );
    expect(readPng(sent[0]!.mask)).toMatchObject({ width: S, height: S, colorType: 2 });
    expect(rowsOf(sent[0]!.mask)).toEqual(stabilityMask);
    expect(sent[1]!.mask).toBe(sent[0]!.mask);
    expect(answer).toMatchObject({ output_format: "png" });
    expect(answer.data).toEqual([7, 8].map((seed) => ({ b64_json: emulatedImage("a red door", seed, 0, S, S) })));
  });

  it("without a mask, the image's own fully transparent pixels are the mask; no seed is sent without one (Stability's is random)", async () => {
    const { bedrock, bodies } = editing();
    const holed = rgbaPng(S, S, (x, y) => [...tint(x, y), alphaAt(x, y)]);
    const answer = await bedrock.images.edit({
      model: "bedrock/image/us.stability.stable-image-inpaint-v1:0",
      image: holed,
      prompt: "a window",
    });
    const [body] = bodies as InpaintBody[];
    expect(Object.keys(body!).sort()).toEqual(["image", "mask", "output_format", "prompt"]);
    expect(readPng(body!.image).colorType).toBe(2);
    expect(rowsOf(body!.mask)).toEqual(stabilityMask);
    expect(answer.data).toEqual([{ b64_json: emulatedImage("a window", 0, 0, S, S) }]);
  });

  it("a prompt Stability's filter withholds is OpenAI's content_policy_violation", async () => {
    const { bedrock } = editing();
    const error = await errorOf(
      () => bedrock.images.edit({ model: INPAINT, image: squarePicture, mask: squareMask, prompt: "[blocked]" }),
      BedrockEdgeError,
    );
    expect(error).toMatchObject({ status: 400, code: "content_policy_violation", param: "prompt" });
  });

  it("refuses an image under 64 pixels a side, another size, the premium qualities, a prompt past 10,000, before anything is sent", async () => {
    const refusedHere = async (request: Partial<ImageEditParams>) => {
      const { bedrock, bodies } = editing();
      const error = await errorOf(
        () =>
          bedrock.images.edit({
            model: INPAINT,
            image: squarePicture,
            mask: squareMask,
            prompt: "x",
            ...request,
          } as ImageEditParams),
        BedrockEdgeError,
      );
      expect(bodies).toEqual([]);
      return error;
    };
    const small = await refusedHere({ image: picture, mask });
    expect(small).toMatchObject({ status: 400, param: "image" });
    expect(small.message).toContain(`${W}x${H}`);
    expect(small.message).toContain("at least 64 pixels");
    expect(await refusedHere({ size: "1024x1024" })).toMatchObject({ status: 400, param: "size" });
    expect(await refusedHere({ quality: "high" })).toMatchObject({ param: "quality", code: "unsupported_parameter" });
    expect(await refusedHere({ prompt: "x".repeat(10_001) })).toMatchObject({ param: "prompt" });
    expect(await refusedHere({ n: 6 })).toMatchObject({ param: "n" });
    // Refused before the image is read: an undecodable image is not what the 400 names.
    const undecodable = writePng({ width: 1, height: 1, depth: 8, colorType: 6, rows: [[0, 0, 0, 0]] });
    undecodable[16] = 0xff;
    expect(await refusedHere({ image: undecodable, quality: "hd" })).toMatchObject({ param: "quality" });
    // Under drop_params a premium quality is let through, as generation lets it (Stability draws at one quality).
    const { bedrock, bodies } = editing();
    await bedrock.images.edit({
      model: INPAINT,
      image: squarePicture,
      mask: squareMask,
      prompt: "x",
      quality: "high",
      size: `${S}x${S}`,
      drop_params: true,
    });
    expect(Object.keys(bodies[0]!).sort()).toEqual(["image", "mask", "output_format", "prompt"]);
  });

  it("through the proxy: the openai client's multipart edit and a JSON edit, its data URLs, on the inpaint model", async () => {
    const { client, app } = inProcessProxy({ inpaint: INPAINT });
    const multipart = await client.images.edit({
      model: "inpaint",
      image: await toFile(squarePicture, "picture.png", { type: "image/png" }),
      mask: await toFile(squareMask, "mask.png", { type: "image/png" }),
      prompt: "a red door",
      seed: 3,
    } as OpenAI.ImageEditParamsNonStreaming);
    expect(multipart.data?.map((image) => image.b64_json)).toEqual([emulatedImage("a red door", 3, 0, S, S)]);
    const dataUrl = (bytes: Uint8Array) => `data:image/png;base64,${Buffer.from(bytes).toString("base64")}`;
    const response = await postEdit(
      app,
      JSON.stringify({
        model: "inpaint",
        images: [{ image_url: dataUrl(squarePicture) }],
        mask: { image_url: dataUrl(squareMask) },
        prompt: "a red door",
        n: 2,
        seed: 3,
      }),
      { "content-type": "application/json" },
    );
    expect(response.status).toBe(200);
    const { data } = (await response.json()) as { data: Array<{ b64_json: string }> };
    expect(data.map((image) => image.b64_json)).toEqual(
      [3, 4].map((seed) => emulatedImage("a red door", seed, 0, S, S)),
    );
  });

  it("generation and variations on the inpaint model are 400s naming model, sent nowhere", async () => {
    const { bedrock, bodies } = editing();
    const generated = await errorOf(
      () => bedrock.images.generate({ model: INPAINT, prompt: "a red door" }),
      BedrockEdgeError,
    );
    expect(generated).toMatchObject({ status: 400, param: "model", code: "unsupported_model" });
    expect(generated.message).toContain("draws no image from a prompt alone");
    const varied = await errorOf(
      () => bedrock.images.createVariation({ model: INPAINT, image: squarePicture }),
      BedrockEdgeError,
    );
    expect(varied).toMatchObject({ status: 400, param: "model", code: "unsupported_model" });
    expect(bodies).toEqual([]);
  });
});

describe("a 16-bit mask (imgeditr41 #5)", () => {
  it("marks only its pixels of alpha exactly 0: an alpha of 255 out of 65535 is kept, not redrawn", async () => {
    const { bedrock, bodies } = editing();
    const rows = Array.from({ length: H }, () => Array.from({ length: W }, (_, x) => [0, x < 2 ? 0 : 0x00ff]).flat());
    const nearlyTransparent = writePng({ width: W, height: H, depth: 16, colorType: 4, rows });
    await bedrock.images.edit({ model: NOVA, image: picture, mask: nearlyTransparent, prompt: "x" });
    const sent = bodies[0] as { inPaintingParams: { maskImage: string } };
    expect(rowsOf(sent.inPaintingParams.maskImage)).toEqual(bedrockMask);
  });
});

describe("image edits refused", () => {
  const refused = async (request: Partial<ImageEditParams>, model = NOVA) => {
    const { bedrock, bodies } = editing();
    const error = await errorOf(
      () => bedrock.images.edit({ model, image: picture, mask, prompt: "x", ...request } as ImageEditParams),
      BedrockEdgeError,
    );
    expect(bodies).toEqual([]);
    return error;
  };

  it("Stability's models: a 400 saying edits are not wired for them", async () => {
    const error = await refused({}, SD35);
    expect(error).toMatchObject({ status: 400, param: "model", code: "unsupported_model" });
    expect(error.message).toContain(
      "Image edits are not wired for Stability AI's SD3.5 Large, Stable Image Core and Ultra",
    );
  });

  it("what the model or the fields refuse is refused before the image is decoded (review imgeditr41 #6)", async () => {
    // A damaged PNG (its IHDR fails its CRC): reading it is a 400 naming image, so any other 400
    // came before the image was read.
    const undecodable = writePng({ width: 1, height: 1, depth: 8, colorType: 6, rows: [[0, 0, 0, 0]] });
    undecodable[16] = 0xff;
    const tooLongPrompt = "x".repeat(1025);
    const cases: Array<[Partial<ImageEditParams>, string, string]> = [
      [{ model: SD35 }, "model", "unsupported_model"],
      [{ prompt: tooLongPrompt }, "prompt", "invalid_request_error"],
      [{ n: 6 }, "n", "invalid_request_error"],
      [{ seed: 900_000_000 }, "seed", "invalid_request_error"],
    ];
    for (const [request, param, code] of cases) {
      const error = await refused({ image: undecodable, mask: undecodable, ...request }, request.model ?? NOVA);
      expect(error, param).toMatchObject({ status: 400, param });
      if (code !== "invalid_request_error") expect(error.code).toBe(code);
    }
    // The same image alone is refused for what it is.
    expect(await refused({ image: undecodable, mask: undecodable })).toMatchObject({ param: "image" });
    // A variation's model and size too.
    const { bedrock } = editing();
    const variation = (request: Record<string, unknown>) =>
      errorOf(
        () => bedrock.images.createVariation({ model: NOVA, image: undecodable, ...request } as never),
        BedrockEdgeError,
      );
    expect(await variation({ model: SD35 })).toMatchObject({ param: "model", code: "unsupported_model" });
    expect(await variation({ size: "1000x1000" })).toMatchObject({ param: "size" });
    expect(await variation({})).toMatchObject({ param: "image", code: "invalid_image" });
  });

  it("an edit that marks nothing: an opaque image without a mask, or a mask without a transparent pixel", async () => {
    const noMask = await refused({ mask: null });
    expect(noMask).toMatchObject({ status: 400, param: "mask" });
    expect(noMask.message).toContain("no fully transparent pixel and no mask was sent");
    const opaque = await refused({ mask: picture });
    expect(opaque).toMatchObject({ status: 400, param: "mask" });
    expect(opaque.message).toContain("mask has no fully transparent pixel");
    // A mask without alpha at all marks nothing either.
    const rgbMask = writePng({
      width: W,
      height: H,
      depth: 8,
      colorType: 2,
      rows: Array(H).fill(Array(W * 3).fill(0)),
    });
    expect(await refused({ mask: rgbMask })).toMatchObject({ status: 400, param: "mask" });
  });

  it("a mask of another size, a mask that is no PNG, an image that is neither PNG nor JPEG, a damaged PNG", async () => {
    const small = await refused({ mask: rgbaPng(2, 2, () => [0, 0, 0, 0]) });
    expect(small).toMatchObject({ status: 400, param: "mask" });
    expect(small.message).toBe(`mask is 2x2, and the image ${W}x${H}: they must be the same size.`);
    expect(await refused({ mask: Uint8Array.from([0xff, 0xd8, 0xff]) })).toMatchObject({
      param: "mask",
      code: "invalid_image",
    });
    const gif = await refused({ image: new TextEncoder().encode("GIF89a...") });
    expect(gif).toMatchObject({ status: 400, param: "image", code: "invalid_image" });
    expect(gif.message).toContain("neither a PNG nor a JPEG");
    const damaged = new Uint8Array(picture);
    damaged[30] = (damaged[30] as number) ^ 0xff;
    const broken = await refused({ image: damaged });
    expect(broken).toMatchObject({ status: 400, param: "image", code: "invalid_image" });
    expect(broken.message).toMatch(/CRC/);
    expect(await refused({ image: "https://example.com/a.png" })).toMatchObject({ param: "image" });
  });

  it("an image past 16 MiB, told from its size before it is read; more pixels than any model takes", async () => {
    const large = await refused({ image: new Blob([new Uint8Array(16 * 1024 * 1024 + 1)]) });
    expect(large).toMatchObject({ status: 400, param: "image", code: "image_too_large" });
    const huge = await refused({
      mask: rgbaPng(1, 1, () => [0, 0, 0, 0]),
      image: writePng({
        width: 4096,
        height: 1025,
        depth: 1,
        colorType: 0,
        rows: Array(1025).fill(Array(4096).fill(0)),
      }),
    });
    expect(huge).toMatchObject({ status: 400, param: "image" });
    expect(huge.message).toContain("4096x1025, more than the 4194304 pixels");
  });

  it("the fields no Bedrock image model honours, by name; under drop_params those of the drawing alone are dropped", async () => {
    const cases: Array<[Partial<ImageEditParams>, string]> = [
      [{ response_format: "url" }, "response_format"],
      [{ output_format: "webp" }, "output_format"],
      [{ stream: true }, "stream"],
      [{ background: "transparent" }, "background"],
      [{ input_fidelity: "high" }, "input_fidelity"],
      [{ output_compression: 50 }, "output_compression"],
      [{ quality: "xhigh" }, "quality"],
    ];
    for (const [fields, param] of cases) {
      const error = await refused(fields);
      expect(error, param).toMatchObject({ status: 400, param, code: "unsupported_parameter" });
    }
    const { bedrock, bodies } = editing();
    await bedrock.images.edit({
      model: NOVA,
      image: picture,
      mask,
      prompt: "x",
      input_fidelity: "high",
      background: "transparent",
      drop_params: true,
    });
    expect(bodies).toHaveLength(1);
  });

  it("bedrock-edge/core's parseImageEditRequest and parseImageVariationRequest check a request as edit() and createVariation() do", async () => {
    const { bedrock } = editing();
    expect(parseImageEditRequest({ model: NOVA, image: picture, prompt: "x" })).toMatchObject({ prompt: "x" });
    expect(parseImageVariationRequest({ model: NOVA, image: picture })).toMatchObject({ model: NOVA });
    for (const refused of [
      { model: NOVA, prompt: "x" },
      { model: NOVA, image: picture, prompt: "x", n: 0 },
    ]) {
      const parsed = errorOf(() => parseImageEditRequest(refused), BedrockEdgeError);
      const edited = await errorOf(() => bedrock.images.edit(refused as never), BedrockEdgeError);
      expect(parsed.message).toBe(edited.message);
      expect(parsed).toMatchObject({ status: 400, param: edited.param });
    }
    const varied = errorOf(
      () => parseImageVariationRequest({ model: NOVA, image: picture, prompt: "x" }),
      BedrockEdgeError,
    );
    expect(varied).toMatchObject({ status: 400, param: "prompt", code: "unknown_parameter" });
  });

  it("a field edits do not have, two images, no image, n past 5", async () => {
    const style = await refused({ style: "vivid" } as Partial<ImageEditParams>);
    expect(style).toMatchObject({ status: 400, param: "style", code: "unknown_parameter" });
    expect(style.message).toContain("is not a parameter of image edits");
    const two = await refused({ image: [picture, picture] });
    expect(two).toMatchObject({ status: 400, param: "image" });
    const none = await refused({ image: undefined } as unknown as Partial<ImageEditParams>);
    expect(none.message).toBe("image is required: send the image to edit, a PNG or a JPEG.");
    expect(await refused({ n: 6 })).toMatchObject({ status: 400, param: "n" });
  });
});

describe("image edits through the proxy, with the official openai client", () => {
  it("answers client.images.edit with toFile, with a mask and without one: PNGs of the image's size", async () => {
    const { client, lines } = inProcessProxy({ pictures: NOVA }, { LOG_PROMPTS: "true" });
    const masked = await client.images.edit({
      model: "pictures",
      image: await toFile(picture, "picture.png", { type: "image/png" }),
      mask: await toFile(mask, "mask.png", { type: "image/png" }),
      prompt: "a red door",
      n: 2,
      seed: 4,
    } as OpenAI.ImageEditParamsNonStreaming);
    expect(masked.data?.map((image) => image.b64_json)).toEqual(
      [0, 1].map((index) => emulatedImage("a red door", 4, index, W, H)),
    );
    expect(readPng(masked.data![0]!.b64_json!)).toMatchObject({ width: W, height: H });
    const holed = rgbaPng(W, H, (x, y) => [...colour(x, y), y === 0 ? 0 : 255]);
    const unmasked = await client.images.edit({
      model: "pictures",
      image: await toFile(holed, "holed.png"),
      prompt: "a sky",
      response_format: "b64_json",
    });
    expect(readPng(unmasked.data![0]!.b64_json!)).toMatchObject({ width: W, height: H });
    // An array of images is sent as image[] parts: one is taken, two are a 400 naming image.
    const listed = await client.images.edit({ model: "pictures", image: [await toFile(holed, "a.png")], prompt: "x" });
    expect(listed.data).toHaveLength(1);
    const two = await errorOf(
      async () =>
        client.images.edit({
          model: "pictures",
          image: [await toFile(holed, "a.png"), await toFile(holed, "b.png")],
          prompt: "x",
        }),
      OpenAI.BadRequestError,
    );
    expect(two).toMatchObject({ status: 400, param: "image" });
    const line = lines.find((entry) => entry.path === "/v1/images/edits" && entry.status === 200);
    // Counted as a generation is: the prompt's estimate, and each image by its pixels (Bedrock counts none).
    expect(line).toMatchObject({ model: "pictures", prompt: "a red door", prompt_tokens: 3, completion_tokens: 2 });
    expect(JSON.stringify(lines)).not.toContain(Buffer.from(picture).toString("base64").slice(0, 60));
  });

  it("refuses with OpenAI's 400s naming the field: a mask of another size, Stability, a field edits lack", async () => {
    const { client } = inProcessProxy({ pictures: NOVA, sd: SD35 });
    const image = await toFile(picture, "picture.png");
    const maskFile = await toFile(mask, "mask.png");
    const smallMask = await toFile(
      rgbaPng(2, 2, () => [0, 0, 0, 0]),
      "m.png",
    );
    const small = await errorOf(
      () =>
        client.images.edit({
          model: "pictures",
          image,
          mask: smallMask,
          prompt: "x",
        }),
      OpenAI.BadRequestError,
    );
    expect(small).toMatchObject({ status: 400, param: "mask" });
    const stability = await errorOf(
      () => client.images.edit({ model: "sd", image, mask: maskFile, prompt: "x" }),
      OpenAI.BadRequestError,
    );
    expect(stability).toMatchObject({ status: 400, code: "unsupported_model" });
    const style = await errorOf(
      () =>
        client.images.edit({
          model: "pictures",
          image,
          prompt: "x",
          style: "vivid",
        } as OpenAI.ImageEditParamsNonStreaming),
      OpenAI.BadRequestError,
    );
    expect(style).toMatchObject({ param: "style", code: "unknown_parameter" });
    const word = await errorOf(
      () =>
        client.images.edit({
          model: "pictures",
          image,
          prompt: "x",
          n: "two",
        } as unknown as OpenAI.ImageEditParamsNonStreaming),
      OpenAI.BadRequestError,
    );
    expect(word).toMatchObject({ param: "n" });
  });

  it("a body neither JSON nor multipart is a 415; a broken multipart one, more files than an image and a mask, more than 32 parts or a field sent twice a 400", async () => {
    const { app } = inProcessProxy({ pictures: NOVA });
    const post = (body: BodyInit, headers: Record<string, string> = {}) => postEdit(app, body, headers);
    // JSON text sent as text/plain, or with no Content-Type: an edit is read as its type says.
    for (const headers of [{ "content-type": "text/plain" }, {}] as Array<Record<string, string>>) {
      const plain = await post(JSON.stringify({ model: "pictures", prompt: "x" }), headers);
      expect(plain.status).toBe(415);
      const { error } = (await plain.json()) as { error: { code: string; message: string } };
      expect(error.code).toBe("unsupported_content_type");
      expect(error.message).toContain("application/json");
    }
    const broken = await post("--x\r\nnot a part", { "content-type": "multipart/form-data; boundary=x" });
    expect(broken.status).toBe(400);
    expect(((await broken.json()) as { error: { code: string } }).error.code).toBe("invalid_multipart");
    // Its last delimiter followed by one dash, not the two that close the body (RFC 2046).
    const field = 'Content-Disposition: form-data; name="model"\r\n\r\npictures\r\n';
    const halfClosed = await post(`--x\r\n${field}--x-\r\n`, { "content-type": "multipart/form-data; boundary=x" });
    expect(halfClosed.status).toBe(400);
    expect(((await halfClosed.json()) as { error: { message: string } }).error.message).toBe(
      "The multipart body could not be read: its last boundary does not close it (`--` after it, RFC 2046).",
    );
    const three = await post(
      editForm({ model: "pictures", prompt: "x", image: picture, mask: picture, extra: picture }),
    );
    expect(three.status).toBe(400);
    expect(((await three.json()) as { error: { message: string } }).error.message).toContain("more than 2 files");
    const many = new FormData();
    many.append("model", "pictures");
    for (let index = 0; index < 40; index++) many.append(`field${index}`, "x");
    const tooMany = await post(many);
    expect(tooMany.status).toBe(400);
    expect(((await tooMany.json()) as { error: { message: string } }).error.message).toContain("more than 32 parts");
    const twice = new FormData();
    twice.append("model", "pictures");
    twice.append("prompt", "x");
    twice.append("prompt", "y");
    const sentTwice = await post(twice);
    expect(sentTwice.status).toBe(400);
    expect(((await sentTwice.json()) as { error: { param: string } }).error.param).toBe("prompt");
    // An image, then more as image[] (the openai package's name for a list): the image sent twice.
    const listAfter = new FormData();
    listAfter.append("model", "pictures");
    listAfter.append("prompt", "x");
    listAfter.append("image", new Blob([new Uint8Array(picture)]), "a.png");
    listAfter.append("image[]", new Blob([new Uint8Array(picture)]), "b.png");
    const imageTwice = await post(listAfter);
    expect(imageTwice.status).toBe(400);
    expect(((await imageTwice.json()) as { error: { param: string } }).error.param).toBe("image");
    // A long name sent twice: param cut to 64 characters, never between an emoji's halves (left49 #2).
    const long = `${"n".repeat(63)}😀${"n".repeat(1000)}`;
    const twiceLong = new FormData();
    twiceLong.append("model", "pictures");
    twiceLong.append(long, "x");
    twiceLong.append(long, "y");
    const longTwice = (await (await post(twiceLong)).json()) as { error: { param: string; message: string } };
    expect(longTwice.error).toMatchObject({ param: `${"n".repeat(63)}😀` });
    expect(longTwice.error.message).toBe("(a name of 1065 characters) is sent twice: send each field once.");
    const missing = await post(editForm({ model: "nobody" }));
    expect(missing.status).toBe(404);
  });

  it("a text field that is not UTF-8 is a 400 invalid_utf8, not a prompt with U+FFFD (unicode51 U-02)", async () => {
    const { app, emulator } = inProcessProxy({ pictures: NOVA });
    const form = editForm({ model: "pictures", prompt: "café", image: picture, mask });
    const encoded = new Request("http://proxy.test/", { method: "POST", body: form });
    const type = encoded.headers.get("content-type")!;
    const good = new Uint8Array(await encoded.arrayBuffer());
    // The é in Latin-1 (0xE9) where the form has it in UTF-8 (0xC3 0xA9).
    const at = good.findIndex((byte, index) => byte === 0xc3 && good[index + 1] === 0xa9);
    const latin1 = new Uint8Array([...good.subarray(0, at), 0xe9, ...good.subarray(at + 2)]);
    const post = (body: Uint8Array<ArrayBuffer>) => postEdit(app, body, { "content-type": type });
    const refused = await post(latin1);
    expect(refused.status).toBe(400);
    const { error } = (await refused.json()) as { error: { code: string; message: string } };
    expect(error.code, error.message).toBe("invalid_utf8");
    expect(error.message).toBe(`The request body is not valid UTF-8 at byte offset ${at}: send its text in UTF-8.`);
    expect(emulator.stats.requests.length).toBe(0);
    expect((await post(good)).status).toBe(200);
  });

  it("a form with line breaks before its first delimiter is read as one without; one of LF-ended lines has its last field byte checked too", async () => {
    const { app } = inProcessProxy({ pictures: NOVA });
    const form = editForm({ model: "pictures", prompt: "x", image: picture, mask });
    const encoded = new Request("http://proxy.test/", { method: "POST", body: form });
    const type = encoded.headers.get("content-type")!;
    const good = new Uint8Array(await encoded.arrayBuffer());
    const post = (body: Uint8Array<ArrayBuffer>, contentType = type) =>
      postEdit(app, body, { "content-type": contentType });
    // CRs and LFs ahead of the first delimiter are skipped, as undici's parser skips them.
    expect((await post(new Uint8Array([0x0d, 0x0a, 0x0d, 0x0a, ...good]))).status).toBe(200);
    // Lines ended by LF alone (workerd's parser takes them): the prompt's last byte, Latin-1's é, is
    // its content's as much as in a CRLF form, and refused.
    const head = new TextEncoder().encode(
      '--b\nContent-Disposition: form-data; name="model"\n\npictures\n--b\nContent-Disposition: form-data; name="prompt"\n\ncaf',
    );
    const lfOnly = new Uint8Array([...head, 0xe9, ...new TextEncoder().encode("\n--b--\n")]);
    const refused = await post(lfOnly, "multipart/form-data; boundary=b");
    const { error } = (await refused.json()) as { error: { code: string; message: string } };
    expect(error.code, error.message).toBe("invalid_utf8");
    expect(error.message).toBe(
      `The request body is not valid UTF-8 at byte offset ${head.length}: send its text in UTF-8.`,
    );
  });

  it("counts a body's parts in its bytes, and refuses more than 32 before the runtime parses any (imgeditr41 #3)", async () => {
    const { app } = inProcessProxy({ pictures: NOVA });
    const parsed = vi.spyOn(Response.prototype, "formData");
    onTestFinished(() => parsed.mockRestore());
    /** A body of `count` empty fields, as the review's: Content-Type's boundary as given, its delimiters `boundary`. */
    const post = async (count: number, boundary: string, quoted = boundary) => {
      const response = await postEmptyFields(app, count, boundary, `multipart/form-data; boundary=${quoted}`);
      return {
        status: response.status,
        message: ((await response.json()) as { error: { message: string } }).error.message,
      };
    };
    // 60,000 parts in 3.3 MB, under the default MAX_BODY_BYTES: refused with nothing parsed.
    expect(await post(60_000, "b")).toEqual({
      status: 400,
      message: "The multipart body has more than 32 parts, more than any edit request.",
    });
    expect(await post(33, "x-Boundary_0123'()+,./:=?", '"x-Boundary_0123\'()+,./:=?"')).toMatchObject({
      message: expect.stringContaining("more than 32 parts"),
    });
    expect(parsed).not.toHaveBeenCalled();
    // 32 parts are parsed, and refused for what they hold (no model), not for their number.
    const bound = await post(32, "b");
    expect(parsed).toHaveBeenCalledTimes(1);
    expect(bound.message).not.toContain("parts");
  });

  it("refuses a Content-Type whose boundary the runtime could read apart from the count, before it parses (redos43 #1)", async () => {
    const { app } = inProcessProxy({ pictures: NOVA });
    const parsed = vi.spyOn(Response.prototype, "formData");
    onTestFinished(() => parsed.mockRestore());
    /** 60,000 empty fields delimited by `boundary`, under the Content-Type given (the review's bodies). */
    const post = async (boundary: string, contentType: string, count = 60_000) => {
      const response = await postEmptyFields(app, count, boundary, contentType);
      return { status: response.status, error: ((await response.json()) as { error: Record<string, unknown> }).error };
    };
    const unread = (why: string) => ({
      status: 400,
      error: expect.objectContaining({
        code: "invalid_multipart",
        message: `The multipart body's Content-Type ${why}: send one boundary of letters, digits and '()+_,-./:=? (multipart/form-data, RFC 2046).`,
      }),
    });
    // A quote escaped in the boundary: a MIME parser reads a"b, the regex this replaced a\.
    const escaped = unread("has a boundary holding a quote, a backslash or a character outside printable ASCII");
    expect(await post('a"b', 'multipart/form-data; boundary="a\\"b"')).toEqual(escaped);
    expect(await post("ab", 'multipart/form-data; boundary="a\\b"')).toEqual(escaped);
    expect(await post("a\u00e9", "multipart/form-data; boundary=a\u00e9")).toEqual(escaped);
    // boundary= inside another parameter's quoted value, then the one a MIME parser reads.
    const twice = unread("names boundary= more than once");
    expect(await post("b", 'multipart/form-data; x="; boundary=z"; boundary=b')).toEqual(twice);
    expect(await post("b", "multipart/form-data; boundary=b; BOUNDARY=c")).toEqual(twice);
    // Only inside another's quoted value: a MIME parser finds no boundary at all.
    expect(await post("z", 'multipart/form-data; x="; boundary=z"')).toEqual(unread("has no boundary parameter"));
    expect(parsed).not.toHaveBeenCalled();
    // Read as a MIME parser does, the count holds: a `;` quoted in another parameter, the name in capitals.
    for (const contentType of ['multipart/form-data; x="a;b"; BOUNDARY=b', 'multipart/form-data; boundary="b" ; x=1']) {
      expect(await post("b", contentType)).toEqual({
        status: 400,
        error: expect.objectContaining({
          message: "The multipart body has more than 32 parts, more than any edit request.",
        }),
      });
    }
    expect(parsed).not.toHaveBeenCalled();
    // And 32 parts under such a header reach the runtime's parser, refused for what they hold (no model).
    const bound = await post("b", 'multipart/form-data; x="a;b"; boundary="b"', 32);
    expect(parsed).toHaveBeenCalledTimes(1);
    expect(bound.error.message).not.toContain("parts");
  });

  it("a multipart body's fields other than files are text, held to MAX_TEXT_BYTES before the runtime parses them (codereview48b #4)", async () => {
    const { app } = inProcessProxy({ pictures: { model: NOVA, max_body_bytes: MAX_BODY_BYTES_CEILING } });
    const parsed = vi.spyOn(Response.prototype, "formData");
    onTestFinished(() => parsed.mockRestore());
    const post = async (prompt: number, file: number) => {
      const form = editForm({ model: "pictures", prompt: "x".repeat(prompt), image: new Uint8Array(file) });
      const response = await postEdit(app, form);
      return { status: response.status, error: ((await response.json()) as { error: Record<string, unknown> }).error };
    };
    const refused = await post(MAX_TEXT_BYTES + 1, 10);
    expect(refused).toEqual({
      status: 413,
      error: expect.objectContaining({
        code: "request_too_large",
        message: expect.stringMatching(
          /^The request body holds \d+ bytes of text, more than this proxy accepts \(4194304;/,
        ),
      }),
    });
    // The fields' text alone is counted: the prompt, the model's name, nothing of the file.
    expect(refused.error.message).toContain(`holds ${MAX_TEXT_BYTES + 1 + "pictures".length} bytes`);
    expect(parsed).not.toHaveBeenCalled();
    // A file of any size up to the limit is no text: parsed, and refused for what it holds.
    const image = await post(10, MAX_TEXT_BYTES + 1000);
    expect(parsed).toHaveBeenCalledTimes(1);
    expect(image.status).toBe(400);
  });

  it("a multipart body past MAX_BODY_BYTES is a 413, read no further than the limit as a JSON body is", async () => {
    const { app } = inProcessProxy({ pictures: NOVA }, { MAX_BODY_BYTES: "2048" });
    const response = await postEdit(app, editForm({ model: "pictures", prompt: "x", image: new Uint8Array(4096) }));
    expect(response.status).toBe(413);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe("request_too_large");
  });

  it("a multipart body is held to its own model's limit, not the largest of any model", async () => {
    const { app } = inProcessProxy(
      { pictures: NOVA, roomy: { model: NOVA, max_body_bytes: MAX_BODY_BYTES_CEILING } },
      { MAX_BODY_BYTES: "2048" },
    );
    const response = await postEdit(app, editForm({ model: "pictures", prompt: "x", image: new Uint8Array(4096) }));
    expect(response.status).toBe(413);
    expect(((await response.json()) as { error: { message: string } }).error.message).toContain("(2048 bytes;");
  });

  it("a form's stream and drop_params, text in a form, are taken as the booleans they spell", async () => {
    const { app } = inProcessProxy({ pictures: NOVA });
    const form = editForm({
      model: "pictures",
      prompt: "a red door",
      image: picture,
      mask,
      stream: "false",
      drop_params: "true",
    });
    const response = await postEdit(app, form);
    expect(response.status, await response.clone().text()).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^application\/json/);
  });
});

describe("image edits as JSON, OpenAI's EditImageBodyJsonParam (imgeditr41 #4)", () => {
  const dataUrl = (bytes: Uint8Array) => `data:image/png;base64,${Buffer.from(bytes).toString("base64")}`;
  /** A JSON edit through the proxy with plain fetch, as a client without OpenAI's SDK sends one. */
  function jsonEdits() {
    const proxy = inProcessProxy({ pictures: NOVA }, { LOG_PROMPTS: "true" });
    const post = async (body: unknown, path = "/v1/images/edits") => {
      const response = await proxy.app.request(`http://proxy.test${path}`, {
        method: "POST",
        body: JSON.stringify(body),
        headers: { authorization: "Bearer sk-test", "content-type": "application/json" },
      });
      return { status: response.status, json: (await response.json()) as Record<string, unknown> };
    };
    return { ...proxy, post };
  }
  const errorIn = (json: Record<string, unknown>) => json.error as { param: string; message: string; code: string };

  it("answers images[0].image_url and mask.image_url as data URLs: PNGs of the image's size, the multipart form's answer", async () => {
    const { post, lines } = jsonEdits();
    for (const path of ["/v1/images/edits", "/images/edits"]) {
      const answer = await post(
        {
          model: "pictures",
          images: [{ image_url: dataUrl(picture) }],
          mask: { image_url: dataUrl(mask) },
          prompt: "a red door",
          n: 2,
          seed: 4,
        },
        path,
      );
      expect(answer.status).toBe(200);
      const data = answer.json.data as Array<{ b64_json: string }>;
      expect(data.map((image) => image.b64_json)).toEqual(
        [0, 1].map((index) => emulatedImage("a red door", 4, index, W, H)),
      );
      expect(readPng(data[0]!.b64_json)).toMatchObject({ width: W, height: H });
    }
    // A field of the edit is checked as the multipart form's is.
    const word = await post({ model: "pictures", images: [{ image_url: dataUrl(picture) }], prompt: "x", n: "two" });
    expect(word.status).toBe(400);
    expect(errorIn(word.json).param).toBe("n");
    const line = lines.find((entry) => entry.path === "/v1/images/edits" && entry.status === 200);
    expect(line).toMatchObject({ model: "pictures", prompt: "a red door", prompt_tokens: 3, completion_tokens: 2 });
    // The log line holds neither the image's bytes nor the mask's.
    const logged = JSON.stringify(lines);
    expect(logged).not.toContain(Buffer.from(picture).toString("base64").slice(0, 60));
    expect(logged).not.toContain(Buffer.from(mask).toString("base64").slice(0, 60));
  });

  it("refuses a file_id (no Files API), a web address (the proxy fetches nothing) and two images, each a 400 naming the field", async () => {
    const { post } = jsonEdits();
    const image = { image_url: dataUrl(picture) };
    const cases: Array<[Record<string, unknown>, string, string]> = [
      [{ images: [{ file_id: "file-abc123" }] }, "images[0].file_id", "Files API"],
      [{ images: [image], mask: { file_id: "file-mask123" } }, "mask.file_id", "Files API"],
      [{ images: [{ image_url: "https://example.com/source-image.png" }] }, "images[0].image_url", "fetches nothing"],
      [{ images: [image], mask: { image_url: "http://example.com/mask.png" } }, "mask.image_url", "fetches nothing"],
      [{ images: [image, image] }, "images", "one image at a time"],
      [{ images: [image, { file_id: "file-2" }] }, "images[1].file_id", "Files API"],
      [{ images: [{}] }, "images[0].image_url", "data URL"],
      [{ images: "x" }, "images", "array"],
    ];
    for (const [fields, param, words] of cases) {
      const refused = await post({ model: "pictures", prompt: "x", ...fields });
      expect(refused.status, param).toBe(400);
      expect(errorIn(refused.json).param).toBe(param);
      expect(errorIn(refused.json).message).toContain(words);
    }
    // The model is checked first, as every body's is.
    expect((await post({ model: "nobody", prompt: "x", images: [{ file_id: "f" }] })).status).toBe(404);
  });

  it("variations stay multipart: OpenAI's spec has no JSON form for them", async () => {
    const { post } = jsonEdits();
    const json = await post({ model: "pictures", image: dataUrl(picture) }, "/v1/images/variations");
    expect(json.status).toBe(415);
    expect(errorIn(json.json).code).toBe("unsupported_content_type");
  });
});

describe("image variations (Nova Canvas's and Titan's IMAGE_VARIATION)", () => {
  it("sends the image as RGB with no text, at the size asked as generation's, n and a seed", async () => {
    const { bedrock, bodies } = editing();
    const answer = await bedrock.images.createVariation({
      model: NOVA,
      image: pngFile(picture),
      n: 2,
      size: "512x320",
      seed: 8,
    });
    const body = bodies[0] as {
      taskType: string;
      imageVariationParams: { images: string[] };
      imageGenerationConfig: unknown;
    };
    expect(body.taskType).toBe("IMAGE_VARIATION");
    expect(Object.keys(body.imageVariationParams)).toEqual(["images"]);
    expect(body.imageVariationParams.images).toHaveLength(1);
    expect(readPng(body.imageVariationParams.images[0]!)).toMatchObject({ width: W, height: H, colorType: 2 });
    expect(body.imageGenerationConfig).toEqual({
      numberOfImages: 2,
      quality: "standard",
      seed: 8,
      width: 512,
      height: 320,
    });
    expect(answer.data).toEqual([0, 1].map((index) => ({ b64_json: emulatedImage("", 8, index, 512, 320) })));
    // Titan: the same body, 1024x1024 by default, its own seed bound.
    await bedrock.images.createVariation({ model: TITAN, image: picture });
    const titan = bodies[1] as { imageGenerationConfig: { width: number; height: number; seed: number } };
    expect(titan.imageGenerationConfig).toMatchObject({ width: 1024, height: 1024 });
    expect(titan.imageGenerationConfig.seed <= 2_147_483_646).toBe(true);
  });

  it("refuses Stability's models, a size the model cannot draw, url, a prompt (no field of a variation)", async () => {
    const { bedrock, bodies } = editing();
    const refusedWith = (request: Record<string, unknown>) =>
      errorOf(
        () => bedrock.images.createVariation({ model: NOVA, image: picture, ...request } as never),
        BedrockEdgeError,
      );
    const stability = await refusedWith({ model: SD35 });
    expect(stability).toMatchObject({ status: 400, param: "model", code: "unsupported_model" });
    expect(stability.message).toContain("Image variations are not wired for Stability AI's models");
    expect(await refusedWith({ size: "1000x1000" })).toMatchObject({ status: 400, param: "size" });
    expect(await refusedWith({ response_format: "url" })).toMatchObject({ param: "response_format" });
    const prompt = await refusedWith({ prompt: "x" });
    expect(prompt).toMatchObject({ param: "prompt", code: "unknown_parameter" });
    expect(prompt.message).toContain("is not a parameter of image variations");
    expect(await refusedWith({ image: "GIF89a" })).toMatchObject({ param: "image" });
    expect(bodies).toEqual([]);
  });

  it("through the proxy: client.images.createVariation's multipart body, a PNG of the size asked", async () => {
    const { client, lines } = inProcessProxy({ pictures: NOVA });
    const { data } = await client.images.createVariation({
      model: "pictures",
      image: await toFile(picture, "picture.png", { type: "image/png" }),
      size: "512x512",
      n: 2,
    });
    expect(data?.map((image) => readPng(image.b64_json ?? "").width)).toEqual([512, 512]);
    const line = lines.find((entry) => entry.path === "/v1/images/variations" && entry.status === 200);
    // No prompt: two 512x512 images, each a quarter of OpenAI's 1,056 tokens of a 1024x1024 one.
    expect(line).toMatchObject({ model: "pictures", prompt_tokens: 0, completion_tokens: 2 * 264 });
  });
});
