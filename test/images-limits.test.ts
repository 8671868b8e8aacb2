// tokens_per_day on image requests, through the proxy and the emulator: what a request reserves
// before it is sent and what it settles after, read from a recording KEY_LIMITS binding. An
// image counts as output tokens by its size and quality (worker/token-estimate.ts imageOutputTokens).
import { describe, expect, it } from "vitest";
import { EMULATOR_CREDENTIALS } from "../emulator/credentials.ts";
import { createEmulator, type Emulator } from "../emulator/handler.ts";
import { awsError, errorResponse } from "../emulator/errors.ts";
import { createApp, type LogLine } from "../worker/app.ts";
import { partlyFiltered } from "./helpers/partly-filtered.ts";
import { holedPng } from "./helpers/png-writer.ts";

/** A KEY_LIMITS binding that admits every request and keeps what each reserved and settled. */
function recordingLimits() {
  const reserved: number[] = [];
  const settled: (number | undefined)[] = [];
  const binding = {
    idFromName: () => "id",
    get: () => ({
      async fetch(input: string, init?: RequestInit) {
        const method = new URL(input).pathname.slice(1);
        const args = JSON.parse(String(init?.body)) as { reserve?: number; tokens?: number; day?: string };
        if (method === "admit") reserved.push(args.reserve ?? 0);
        if (method === "settle") settled.push(args.tokens);
        return Response.json(method === "admit" ? { ok: true, day: args.day } : null);
      },
    }),
  };
  return { binding, reserved, settled };
}

/** The proxy for a key with tokens_per_day, its upstream the emulator unless `upstream` wraps it. */
function limitedProxy(upstream?: (emulator: Emulator) => typeof fetch) {
  const emulator = createEmulator();
  const limits = recordingLimits();
  const lines: LogLine[] = [];
  const app = createApp({
    env: {
      MODELS: JSON.stringify({
        pictures: "bedrock/image/amazon.nova-canvas-v1:0",
        sd: "bedrock/image/stability.sd3-5-large-v1:0",
        // Two copies of SD3.5 Large, tried in order.
        "sd-copies": {
          deployments: [
            { model: "bedrock/image/stability.sd3-5-large-v1:0", region: "us-east-1" },
            { model: "bedrock/image/stability.sd3-5-large-v1:0", region: "us-west-2" },
          ],
          routing: "failover",
        },
      }),
      API_KEYS: JSON.stringify({ team: { key: "sk-team-0123456789", tokens_per_day: 1_000_000 } }),
      AWS_ACCESS_KEY_ID: EMULATOR_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: EMULATOR_CREDENTIALS.secretAccessKey,
      BEDROCK_ENDPOINT: "http://bedrock.emulator",
      AWS_REGION: "us-east-1",
      KEY_LIMITS: limits.binding,
    } as never,
    fetch: upstream?.(emulator) ?? ((input, init) => emulator.fetch(new Request(input, init))),
    log: (line) => lines.push(structuredClone(line)),
  });
  const post = (body: unknown) =>
    app.request("/v1/images/generations", {
      method: "POST",
      headers: { authorization: "Bearer sk-team-0123456789", "content-type": "application/json" },
      body: JSON.stringify(body),
    });
  /** An edit of `image` (a PNG), multipart as OpenAI's clients send it. */
  const edit = (fields: Record<string, string>, image: Uint8Array) => {
    const form = new FormData();
    for (const [name, value] of Object.entries(fields)) form.append(name, value);
    form.append("image", new Blob([image as Uint8Array<ArrayBuffer>], { type: "image/png" }), "image.png");
    return app.request("/v1/images/edits", {
      method: "POST",
      headers: { authorization: "Bearer sk-team-0123456789" },
      body: form,
    });
  };
  /** An edit of `image` (a PNG) as JSON, the image a data URL in images[0].image_url. */
  const jsonEdit = (fields: Record<string, unknown>, image: Uint8Array) =>
    app.request("/v1/images/edits", {
      method: "POST",
      headers: { authorization: "Bearer sk-team-0123456789", "content-type": "application/json" },
      body: JSON.stringify({
        ...fields,
        images: [{ image_url: `data:image/png;base64,${Buffer.from(image).toString("base64")}` }],
      }),
    });
  /** What the first `count` requests settled, once they have (settling runs after the answer). */
  const settledTokens = async (count: number) => {
    for (let i = 0; i < 300 && limits.settled.length < count; i++) await new Promise((r) => setTimeout(r, 10));
    return limits.settled;
  };
  return { post, edit, jsonEdit, limits, lines, settledTokens };
}

describe("tokens_per_day on images (imgr39 #1)", () => {
  it("reserves and settles each image by its size and quality, not the prompt alone", async () => {
    const { post, limits, lines, settledTokens } = limitedProxy();
    const small = await post({ model: "pictures", prompt: "a", size: "320x320" });
    const large = await post({ model: "pictures", prompt: "a", n: 5, size: "1024x1024", quality: "high" });
    expect([small.status, large.status]).toEqual([200, 200]);
    const smallImage = Math.ceil((1056 * 320 * 320) / 1024 ** 2);
    // The prompt "a" is 1 token; five premium 1024x1024 images are OpenAI's 4,160 each. Before it is
    // drawn, a small image reserves a megapixel (Stability would draw one); it settles its own pixels.
    expect(limits.reserved).toEqual([1 + 1056, 1 + 5 * 4160]);
    expect(await settledTokens(2)).toEqual([1 + smallImage, 1 + 5 * 4160]);
    // The usage row counts the same: the images as completion tokens.
    expect(lines.map(({ prompt_tokens, completion_tokens }) => ({ prompt_tokens, completion_tokens }))).toEqual([
      { prompt_tokens: 1, completion_tokens: smallImage },
      { prompt_tokens: 1, completion_tokens: 5 * 4160 },
    ]);
  });
});

describe("tokens_per_day on an edit (imgeditr41 #2)", () => {
  it("reserves its images at its image's size, as it is drawn at it, not at a megapixel", async () => {
    const { edit, limits, lines, settledTokens } = limitedProxy();
    // 1536x1024, its first column transparent: what the edit redraws.
    const image = holedPng(1536, 1024);
    const answer = await edit({ model: "pictures", prompt: "a", n: "2" }, image);
    expect(answer.status).toBe(200);
    // The prompt "a", and two images of 1536x1024: OpenAI's 1,584 tokens each (1.5 megapixels).
    expect(limits.reserved).toEqual([1 + 2 * 1584]);
    expect(await settledTokens(1)).toEqual([1 + 2 * 1584]);
    expect(lines.map(({ completion_tokens }) => completion_tokens)).toEqual([2 * 1584]);
  });
});

describe("tokens_per_day on a JSON edit (imgeditr41 #4)", () => {
  it("reserves its images at the size of the image its data URL holds, as a multipart edit's", async () => {
    const { jsonEdit, limits, settledTokens } = limitedProxy();
    const answer = await jsonEdit({ model: "pictures", prompt: "a", n: 2 }, holedPng(1536, 1024));
    expect(answer.status).toBe(200);
    expect(limits.reserved).toEqual([1 + 2 * 1584]);
    expect(await settledTokens(1)).toEqual([1 + 2 * 1584]);
  });
});

describe("tokens_per_day on Stability's images (codereview40 #1)", () => {
  it("counts each image at the pixels Stability drew, not those of the size asked", async () => {
    const { post, limits, lines, settledTokens } = limitedProxy();
    // Stability reads only the ratio: "1x1" draws 1024x1024, "16x9" 1344x768.
    const square = await post({ model: "sd", prompt: "a", n: 2, size: "1x1" });
    const wide = await post({ model: "sd", prompt: "a", size: "16x9" });
    expect([square.status, wide.status]).toEqual([200, 200]);
    const wideImage = Math.ceil((1056 * 1344 * 768) / 1024 ** 2);
    expect(limits.reserved).toEqual([1 + 2 * 1056, 1 + 1056]);
    expect(await settledTokens(2)).toEqual([1 + 2 * 1056, 1 + wideImage]);
    expect(lines.map(({ completion_tokens }) => completion_tokens)).toEqual([2 * 1056, wideImage]);
  });
});

describe("tokens_per_day on a Stability request that fails partway (imgr39 #2)", () => {
  // "a castle": 8 ASCII characters, 2 tokens; a standard 1024x1024 image, 1,056.
  const prompt = 2;
  const image = 1056;

  it("counts each call that answered as its image (the filtered one too), each still out as the image it may have drawn, and the request's prompt once (codereview40 #2)", async () => {
    const upstream = partlyFiltered(createEmulator());
    const { post, lines, settledTokens } = limitedProxy(() => upstream.fetch);
    const answer = await post({ model: "sd", prompt: "a castle", n: 5 });
    expect(answer.status).toBe(400);
    expect(((await answer.json()) as { error: { code: string } }).error.code).toBe("content_policy_violation");
    // Three calls answered (two drawn, one filtered); two were out when the filter's answer came.
    // The two calls out may have drawn theirs too, which Bedrock bills: five images in all.
    expect(await settledTokens(1)).toEqual([prompt + 5 * image]);
    expect(lines[0]).toMatchObject({ status: 400, error_code: "content_policy_violation" });
  });

  it("a copy that drew images before it failed counts them beside the copy that then served", async () => {
    const throttled = () => errorResponse(awsError("ThrottlingException", "Too many requests."), "req-1");
    let east: ReturnType<typeof partlyFiltered> | undefined;
    const { post, lines, settledTokens } = limitedProxy((emulator) => {
      east = partlyFiltered(emulator, throttled);
      return async (input, init) => {
        const request = new Request(input, init);
        const inEast = request.headers.get("authorization")?.includes("/us-east-1/");
        return inEast ? east!.fetch(request) : emulator.fetch(request);
      };
    });
    const answer = await post({ model: "sd-copies", prompt: "a castle", n: 5 });
    expect(answer.status).toBe(200);
    expect(((await answer.json()) as { data: unknown[] }).data).toHaveLength(5);
    expect(lines[0]).toMatchObject({ deployment: 1, deployments_tried: 2 });
    // The first copy: two images drawn, the throttled call refused (not billed), two calls out (an
    // image each, as they may have drawn it), its prompt once; then the second copy's prompt and
    // five images.
    const first = prompt + 4 * image;
    expect(await settledTokens(1)).toEqual([first + prompt + 5 * image]);
  });
});
