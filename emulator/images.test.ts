// The emulator's image models: Nova Canvas and Titan Image Generator v2 answer valid PNGs of the
// asked size, one per image, the same for the same prompt and seed; the bodies Bedrock refuses
// (sizes, numberOfImages, prompt length, extraneous keys) are its ValidationExceptions.
import { describe, expect, it } from "vitest";
import { readPng } from "../test/helpers/png.ts";
import { writePng } from "../test/helpers/png-writer.ts";
import { BLOCKED_MESSAGE, emulatedImage, imageModel, STABILITY_SIZES } from "./images.ts";
import { errorAnswer, json, send } from "./test-helpers.ts";

const NOVA = "amazon.nova-canvas-v1:0";
const TITAN = "amazon.titan-image-generator-v2:0";
const SD35 = "stability.sd3-5-large-v1:0";

const body = (text: string, config: Record<string, unknown> = {}, params: Record<string, unknown> = {}) => ({
  taskType: "TEXT_IMAGE",
  textToImageParams: { text, ...params },
  imageGenerationConfig: config,
});

async function refusal(modelId: string, sent: unknown): Promise<string> {
  const answer = await errorAnswer(await send(modelId, sent));
  expect(answer.status).toBe(400);
  expect(answer.type).toBe("ValidationException");
  return answer.message;
}

describe("the emulator's image models", () => {
  it("names the ids it serves, bare or as a foundation-model ARN, and no other", () => {
    expect(imageModel(NOVA)).toBe("nova_canvas");
    expect(imageModel(`arn:aws:bedrock:us-east-1::foundation-model/${TITAN}`)).toBe("titan_image_v2");
    expect(imageModel("amazon.nova-reel-v1:0")).toBeUndefined();
    expect(imageModel("amazon.titan-embed-text-v2:0")).toBeUndefined();
  });

  it("Nova Canvas answers numberOfImages PNGs of the asked size, from the prompt and seed", async () => {
    const answer = await json(
      await send(NOVA, body("a red fox", { width: 512, height: 320, numberOfImages: 2, seed: 7 })),
    );
    const images = answer.images as string[];
    expect(images).toHaveLength(2);
    for (const [index, image] of images.entries()) {
      expect(image).toBe(emulatedImage("a red fox", 7, index, 512, 320));
      const png = readPng(image);
      expect([png.width, png.height, png.bitDepth, png.colorType]).toEqual([512, 320, 8, 0]);
    }
    expect(images[0]).not.toBe(images[1]);
    const again = await json(await send(NOVA, body("a red fox", { width: 512, height: 320, seed: 7 })));
    expect(again.images).toEqual([images[0]]);
    const otherSeed = await json(await send(NOVA, body("a red fox", { width: 512, height: 320, seed: 8 })));
    expect(otherSeed.images).not.toEqual([images[0]]);
  });

  it("draws 1024x1024 with the model's own default seed when the body gives none", async () => {
    const answer = await json(await send(NOVA, body("hills")));
    expect(answer.images).toEqual([emulatedImage("hills", 12, 0, 1024, 1024)]);
    const titan = await json(await send(TITAN, body("hills", { width: 512, height: 512 })));
    expect(titan.images).toEqual([emulatedImage("hills", 42, 0, 512, 512)]);
  });

  it("refuses Nova sizes off its grid, ratio or pixel bound, and Titan sizes off its list", async () => {
    expect(await refusal(NOVA, body("x", { width: 1000, height: 1024 }))).toMatch(/width: 1000 .*multiple of 16/);
    expect(await refusal(NOVA, body("x", { width: 256, height: 256 }))).toMatch(/between 320 and 4096/);
    expect(await refusal(NOVA, body("x", { width: 2048, height: 320 }))).toMatch(/aspect ratio .* 1:4 and 4:1/);
    expect(await refusal(NOVA, body("x", { width: 2560, height: 2560 }))).toMatch(/not less than 4194304 pixels/);
    // "Less than 4,194,304": 2048x2048 is exactly that many (imgr39 #4); 2048x2032 is fewer.
    expect(await refusal(NOVA, body("x", { width: 2048, height: 2048 }))).toMatch(/not less than 4194304 pixels/);
    expect((await send(NOVA, body("x", { width: 2048, height: 2032 }))).status).toBe(200);
    expect(await refusal(TITAN, body("x", { width: 1536, height: 1024 }))).toMatch(/1536x1024 is not a supported size/);
    const ok = await json(await send(TITAN, body("x", { width: 1173, height: 640 })));
    expect(readPng((ok.images as string[])[0] ?? "").width).toBe(1173);
  });

  it("refuses numberOfImages past 5, prompts past the model's length, and keys it does not know", async () => {
    expect(await refusal(NOVA, body("x", { numberOfImages: 6 }))).toMatch(
      /numberOfImages: 6 is not less or equal to 5/,
    );
    expect(await refusal(NOVA, body("x".repeat(1025)))).toMatch(/text: expected length between 1 and 1024/);
    expect(await refusal(TITAN, body("x".repeat(513)))).toMatch(/text: expected length between 1 and 512/);
    expect(await refusal(NOVA, body(""))).toMatch(/text: expected length between 1 and 1024, actual: 0/);
    expect(await refusal(NOVA, body("x", { steps: 3 }))).toMatch(/extraneous key \[steps\]/);
    expect(await refusal(TITAN, body("x", {}, { style: "PHOTOREALISM" }))).toMatch(/extraneous key \[style\]/);
    expect(await refusal(NOVA, body("x", { quality: "hd" }))).toMatch(/quality: "hd" is not a valid enum value/);
    expect(await refusal(NOVA, { taskType: "OUTPAINTING" })).toMatch(/taskType/);
  });

  it("takes each model's seeds: Nova Canvas 0 to 858,993,459, Titan 0 to 2,147,483,646 (imgr39 #4)", async () => {
    expect((await send(NOVA, body("x", { width: 320, height: 320, seed: 858_993_459 }))).status).toBe(200);
    expect(await refusal(NOVA, body("x", { seed: 858_993_460 }))).toMatch(
      /seed: 858993460 is not between 0 and 858993459/,
    );
    expect((await send(TITAN, body("x", { width: 512, height: 512, seed: 2_147_483_646 }))).status).toBe(200);
    expect(await refusal(TITAN, body("x", { seed: 2_147_483_647 }))).toMatch(/is not between 0 and 2147483646/);
  });

  it("refuses a prompt its content filters block, in Bedrock's words, and streaming", async () => {
    expect(await refusal(NOVA, body("a [blocked] scene"))).toBe(BLOCKED_MESSAGE);
    const streamed = await errorAnswer(await send(NOVA, body("x"), "invoke-with-response-stream"));
    expect(streamed.message).toBe("The model is unsupported for streaming.");
  });

  it("Stability's models answer one PNG at the ratio's pixels, with finish_reasons and seeds", async () => {
    expect(imageModel("stability.stable-image-ultra-v1:1")).toBe("stability");
    expect(imageModel("stability.stable-image-core-v1:1")).toBe("stability");
    const answer = await json(
      await send(SD35, { prompt: "a red fox", aspect_ratio: "16:9", seed: 5, output_format: "png" }),
    );
    expect(answer).toEqual({
      images: [emulatedImage("a red fox", 5, 0, 1344, 768)],
      finish_reasons: [null],
      seeds: [5],
    });
    expect(STABILITY_SIZES["16:9"]).toEqual([1344, 768]);
    expect(readPng((answer.images as string[])[0] ?? "")).toMatchObject({ width: 1344, height: 768 });
    const square = await json(await send(SD35, { prompt: "x" }));
    expect(square.images).toEqual([emulatedImage("x", 0, 0, 1024, 1024)]);
  });

  it("Stability refuses an unknown ratio or key and image-to-image, and reports a filtered prompt in finish_reasons", async () => {
    expect(await refusal(SD35, { prompt: "x", aspect_ratio: "7:4" })).toMatch(
      /aspect_ratio: "7:4" is not a valid enum/,
    );
    expect(await refusal(SD35, { prompt: "x", width: 5 })).toMatch(/extraneous key \[width\]/);
    expect(await refusal(SD35, { prompt: "x", mode: "image-to-image" })).toMatch(/mode/);
    expect(await refusal(SD35, { aspect_ratio: "1:1" })).toMatch(/required key \[prompt\]/);
    const filtered = await json(await send(SD35, { prompt: "[blocked]" }));
    expect(filtered).toEqual({ images: [], finish_reasons: ["Filter reason: prompt"], seeds: [0] });
  });
});

describe("the emulator's INPAINTING (Nova Canvas, Titan Image Generator v2)", () => {
  // Written by node:zlib (test/helpers/png-writer.ts), not by the emulator's own encoder.
  const rgb = (width: number, height: number, shade = 90) =>
    writePng({ width, height, depth: 8, colorType: 2, rows: Array(height).fill(Array(width * 3).fill(shade)) });
  const mask = (width: number, height: number, value = (x: number): number => (x === 0 ? 0 : 255)) =>
    writePng({
      width,
      height,
      depth: 8,
      colorType: 2,
      rows: Array.from({ length: height }, () =>
        Array.from({ length: width }, (_, x) => Array(3).fill(value(x))).flat(),
      ),
    });
  const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString("base64");
  const inpainting = (params: Record<string, unknown>, config: Record<string, unknown> = {}) => ({
    taskType: "INPAINTING",
    inPaintingParams: params,
    imageGenerationConfig: config,
  });

  it("answers numberOfImages PNGs of the input image's size, drawn from the text and seed", async () => {
    for (const [model, defaultSeed] of [
      [NOVA, 12],
      [TITAN, 42],
    ] as const) {
      const sent = inpainting(
        { image: b64(rgb(8, 4)), text: "a red door", maskImage: b64(mask(8, 4)) },
        { numberOfImages: 2 },
      );
      const answer = await json(await send(model, sent));
      expect(answer.images, model).toEqual(
        [0, 1].map((index) => emulatedImage("a red door", defaultSeed, index, 8, 4)),
      );
    }
    // A JPEG's size is read from its frame header.
    const jpeg = Uint8Array.from([0xff, 0xd8, 0xff, 0xc0, 0, 11, 8, 0, 4, 0, 8, 1, 1, 0x11, 0, 0xff, 0xd9]);
    const fromJpeg = await json(
      await send(NOVA, inpainting({ image: b64(jpeg), text: "x", maskImage: b64(mask(8, 4)) }, { seed: 3 })),
    );
    expect(fromJpeg.images).toEqual([emulatedImage("x", 3, 0, 8, 4)]);
  });

  it("refuses a missing image, no mask or two, a mask not the image's size or not pure black and white", async () => {
    const image = b64(rgb(8, 4));
    expect(await refusal(NOVA, inpainting({ text: "x", maskImage: b64(mask(8, 4)) }))).toMatch(
      /required key \[image\]/,
    );
    expect(await refusal(NOVA, inpainting({ image, text: "x" }))).toMatch(/exactly one of maskImage and maskPrompt/);
    expect(
      await refusal(NOVA, inpainting({ image, text: "x", maskPrompt: "door", maskImage: b64(mask(8, 4)) })),
    ).toMatch(/exactly one/);
    expect(await refusal(NOVA, inpainting({ image, text: "x", maskImage: b64(mask(4, 8)) }))).toMatch(
      /mask image \(4x8\) must be the same size as the input image \(8x4\)/,
    );
    const grey = mask(8, 4, (x) => (x === 0 ? 0 : 128));
    expect(await refusal(NOVA, inpainting({ image, text: "x", maskImage: b64(grey) }))).toMatch(/only pure black/);
  });

  it("refuses an image that is no PNG or JPEG, one with transparent pixels, and a size in the config", async () => {
    const maskImage = b64(mask(8, 4));
    expect(await refusal(NOVA, inpainting({ image: "R0lGODlh", text: "x", maskImage }))).toMatch(
      /image provided is not valid/,
    );
    const clear = writePng({ width: 8, height: 4, depth: 8, colorType: 6, rows: Array(4).fill(Array(32).fill(0)) });
    expect(await refusal(NOVA, inpainting({ image: b64(clear), text: "x", maskImage }))).toMatch(
      /transparent or translucent/,
    );
    expect(await refusal(NOVA, inpainting({ image: b64(rgb(8, 4)), text: "x", maskImage }, { width: 8 }))).toMatch(
      /extraneous key \[width\]/,
    );
  });
});

describe("the emulator's IMAGE_VARIATION (Nova Canvas, Titan Image Generator v2)", () => {
  const rgb = Buffer.from(
    writePng({ width: 8, height: 4, depth: 8, colorType: 2, rows: Array(4).fill(Array(24).fill(90)) }),
  ).toString("base64");
  const variation = (params: Record<string, unknown>, config: Record<string, unknown> = {}) => ({
    taskType: "IMAGE_VARIATION",
    imageVariationParams: params,
    imageGenerationConfig: config,
  });

  it("answers numberOfImages PNGs of the config's size, drawn from the text (or none) and seed", async () => {
    const answer = await json(
      await send(NOVA, variation({ images: [rgb] }, { width: 512, height: 320, seed: 3, numberOfImages: 2 })),
    );
    expect(answer.images).toEqual([0, 1].map((index) => emulatedImage("", 3, index, 512, 320)));
    const titan = await json(await send(TITAN, variation({ images: [rgb], text: "dusk", similarityStrength: 0.5 })));
    expect(titan.images).toEqual([emulatedImage("dusk", 42, 0, 1024, 1024)]);
  });

  it("refuses no images or more than 5, a similarityStrength outside 0.2-1.0, an unreadable or transparent image", async () => {
    expect(await refusal(NOVA, variation({ text: "x" }))).toMatch(/required key \[images\]/);
    expect(await refusal(NOVA, variation({ images: Array(6).fill(rgb) }))).toMatch(/between 1 and 5 items, actual: 6/);
    expect(await refusal(NOVA, variation({ images: [rgb], similarityStrength: 0.1 }))).toMatch(/similarityStrength/);
    expect(await refusal(NOVA, variation({ images: ["R0lGODlh"] }))).toMatch(/image provided is not valid/);
    const clear = writePng({ width: 2, height: 2, depth: 8, colorType: 6, rows: Array(2).fill(Array(8).fill(0)) });
    expect(await refusal(NOVA, variation({ images: [Buffer.from(clear).toString("base64")] }))).toMatch(
      /transparent or translucent/,
    );
    expect(await refusal(NOVA, variation({ images: [rgb] }, { width: 1000 }))).toMatch(/multiple of 16/);
  });
});

describe("the emulator's Stable Image Inpaint (Stability AI Image Services)", () => {
  const INPAINT = "stability.stable-image-inpaint-v1:0";
  const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString("base64");
  const grey = (width: number, height: number, shade = 90) =>
    b64(writePng({ width, height, depth: 8, colorType: 0, rows: Array(height).fill(Array(width).fill(shade)) }));

  it("names the model bare, as a foundation-model ARN or by its US cross-region profile", () => {
    expect(imageModel(INPAINT)).toBe("stability_inpaint");
    expect(imageModel(`us.${INPAINT}`)).toBe("stability_inpaint");
    expect(imageModel(`arn:aws:bedrock:us-west-2::foundation-model/${INPAINT}`)).toBe("stability_inpaint");
    expect(imageModel("stability.stable-image-erase-object-v1:0")).toBeUndefined();
  });

  it("answers one PNG of the input image's size, with finish_reasons and seeds, a mask or none", async () => {
    const answer = await json(
      await send(INPAINT, { prompt: "a red door", image: grey(80, 64), mask: grey(80, 64, 255), seed: 9 }),
    );
    expect(answer).toEqual({
      images: [emulatedImage("a red door", 9, 0, 80, 64)],
      finish_reasons: [null],
      seeds: [9],
    });
    expect(readPng((answer.images as string[])[0] ?? "")).toMatchObject({ width: 80, height: 64 });
    // No mask (the image's alpha is the mask), a mask of another size (Stability resizes it), every optional field.
    const unmasked = await json(await send(`us.${INPAINT}`, { prompt: "x", image: grey(64, 100) }));
    expect(unmasked.images).toEqual([emulatedImage("x", 0, 0, 64, 100)]);
    const all = {
      prompt: "x",
      image: grey(64, 64),
      mask: grey(8, 8, 255),
      negative_prompt: "blur",
      seed: 4_294_967_294,
      output_format: "webp",
      style_preset: "photographic",
      grow_mask: 0,
    };
    expect((await json(await send(INPAINT, all))).seeds).toEqual([4_294_967_294]);
    // A JPEG's size is read from its frame header.
    const jpeg = Uint8Array.from([0xff, 0xd8, 0xff, 0xc0, 0, 11, 8, 0, 70, 0, 90, 1, 1, 0x11, 0, 0xff, 0xd9]);
    const fromJpeg = await json(await send(INPAINT, { prompt: "x", image: b64(jpeg), mask: grey(90, 70) }));
    expect(fromJpeg.images).toEqual([emulatedImage("x", 0, 0, 90, 70)]);
  });

  it("refuses a body without prompt or image, an unknown key, and fields out of their range", async () => {
    const image = grey(64, 64);
    expect(await refusal(INPAINT, { image })).toMatch(/required key \[prompt\]/);
    expect(await refusal(INPAINT, { prompt: "x" })).toMatch(/required key \[image\]/);
    expect(await refusal(INPAINT, { prompt: "x", image, aspect_ratio: "1:1" })).toMatch(
      /extraneous key \[aspect_ratio\]/,
    );
    expect(await refusal(INPAINT, { prompt: "x".repeat(10_001), image })).toMatch(/#\/prompt/);
    expect(await refusal(INPAINT, { prompt: "x", image, seed: 4_294_967_295 })).toMatch(/#\/seed/);
    expect(await refusal(INPAINT, { prompt: "x", image, grow_mask: 21 })).toMatch(/#\/grow_mask/);
    expect(await refusal(INPAINT, { prompt: "x", image, output_format: "gif" })).toMatch(/#\/output_format/);
    expect(await refusal(INPAINT, { prompt: "x", image, style_preset: "vivid" })).toMatch(/#\/style_preset/);
  });

  it("refuses an image that is no PNG or JPEG, a side under 64 pixels, more than 9,437,184 pixels, an unreadable mask", async () => {
    expect(await refusal(INPAINT, { prompt: "x", image: "R0lGODlh" })).toMatch(/image provided is not valid/);
    expect(await refusal(INPAINT, { prompt: "x", image: grey(63, 64) })).toMatch(/at least 64 pixels.*63x64/);
    // Its header alone says 3073x3072: past the bound before any pixel is read.
    const header = writePng({ width: 1, height: 1, depth: 8, colorType: 0, rows: [[0]] });
    header.writeUInt32BE(3073, 16);
    header.writeUInt32BE(3072, 20);
    expect(await refusal(INPAINT, { prompt: "x", image: b64(header) })).toMatch(/9,437,184 pixels/);
    expect(await refusal(INPAINT, { prompt: "x", image: grey(64, 64), mask: "R0lGODlh" })).toMatch(
      /mask provided is not valid/,
    );
  });

  it("reports a filtered prompt in finish_reasons, as Stability's other models do", async () => {
    const filtered = await json(await send(INPAINT, { prompt: "a [blocked] door", image: grey(64, 64), seed: 2 }));
    expect(filtered).toEqual({ images: [], finish_reasons: ["Filter reason: prompt"], seeds: [2] });
  });
});
