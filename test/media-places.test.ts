// What the proxy counts as media, per endpoint, through the app (codereview48b #1, #5): a body
// past MAX_TEXT_BYTES is served where its bytes are media at that endpoint's media places, and a
// 413 where the same bytes sit anywhere else.
import { describe, expect, it } from "vitest";
import { MAX_BODY_BYTES_CEILING, MAX_TEXT_BYTES } from "../src/core.ts";
import { model } from "./helpers/emulated.ts";
import { inProcessProxy } from "./helpers/in-process-proxy.ts";

const NOVA = "bedrock/image/amazon.nova-canvas-v1:0";
// Media past the text bound: 5 MB of base64, its head in capitals as the parsers take it too.
const IMAGE = `DATA:image/png;base64,${"AAAA".repeat(1_250_000)}`;
const LOWER = IMAGE.replace("DATA:", "data:");

async function post(app: ReturnType<typeof inProcessProxy>["app"], path: string, body: unknown) {
  const response = await app.request(`http://proxy.test${path}`, {
    method: "POST",
    headers: { authorization: "Bearer sk-test", "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  const { error } = (await response.json()) as { error?: { message: string } };
  return { status: response.status, message: error?.message ?? "" };
}

describe("media counted at each endpoint's places only, through the proxy", () => {
  const { app } = inProcessProxy({
    vision: { model: model("openai"), max_body_bytes: MAX_BODY_BYTES_CEILING },
    pictures: { model: NOVA, max_body_bytes: MAX_BODY_BYTES_CEILING },
  });
  const text = (answer: { message: string }) => answer.message.includes("bytes of text, more than this proxy accepts");

  it("the Responses API's input_image, and a JSON edit's images[].image_url and image: past 4 MiB, not refused as text", async () => {
    expect(IMAGE.length).toBeGreaterThan(MAX_TEXT_BYTES);
    const input = [{ role: "user", content: [{ type: "input_image", image_url: IMAGE }] }];
    for (const [path, body] of [
      ["/v1/responses", { model: "vision", input }],
      ["/v1/images/edits", { model: "pictures", prompt: "a cat", images: [{ image_url: IMAGE }] }],
      ["/v1/images/edits", { model: "pictures", prompt: "a cat", image: IMAGE }],
    ] as const) {
      const answer = await post(app, path, body);
      expect(text(answer), `${path}: ${answer.status} ${answer.message.slice(0, 200)}`).toBe(false);
    }
  });

  it("the same data URL in metadata, in chat's shape on the Responses API, or in a chat request's tool: a 413", async () => {
    for (const [path, body] of [
      ["/v1/responses", { model: "vision", input: "hi", metadata: { image_url: LOWER } }],
      ["/v1/responses", { model: "vision", input: [{ role: "user", content: [{ image_url: { url: LOWER } }] }] }],
      [
        "/v1/chat/completions",
        {
          model: "vision",
          messages: [{ role: "user", content: "hi" }],
          tools: [{ type: "function", function: { name: "f", parameters: { image_url: LOWER } } }],
        },
      ],
      ["/v1/images/edits", { model: "pictures", prompt: "a cat", mask: LOWER }],
    ] as const) {
      const answer = await post(app, path, body);
      expect({ status: answer.status, text: text(answer) }, path).toEqual({ status: 413, text: true });
    }
  });
});
