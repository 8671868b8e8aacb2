// A multipart part workerd reads as a file although its Content-Disposition is not in the form the
// proxy's own count takes for one (filename before name, no spaces): its bytes are no text, so the
// UTF-8 check of text fields must leave them alone (codereview51b F1).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { grayscalePng } from "../../emulator/png.ts";
import { startWorkerdProxy, TEST_KEYS, type WorkerdProxy } from "./harness.ts";

let proxy: WorkerdProxy;
beforeAll(async () => {
  proxy = await startWorkerdProxy({
    main: {
      AWS_REGION: "us-east-1",
      MAX_BODY_BYTES: "4194304",
      MODELS: JSON.stringify({ vision: "bedrock/image/amazon.nova-canvas-v1:0" }),
    },
  });
}, 120_000);
afterAll(() => proxy?.close());

// Its first byte, 0x89, is not UTF-8.
const PNG = grayscalePng(320, 320, () => 128);

async function edit(disposition: string, file: Uint8Array): Promise<{ status: number; text: string }> {
  const boundary = "b51";
  const encode = (text: string) => new TextEncoder().encode(text);
  const body = new Uint8Array([
    ...encode(`--${boundary}\r\nContent-Disposition: form-data; name="model"\r\n\r\nvision\r\n`),
    ...encode(`--${boundary}\r\nContent-Disposition: form-data; name="prompt"\r\n\r\nmake it blue\r\n`),
    ...encode(`--${boundary}\r\nContent-Disposition: ${disposition}\r\nContent-Type: image/png\r\n\r\n`),
    ...file,
    ...encode(`\r\n--${boundary}--\r\n`),
  ]);
  const response = await fetch(`${proxy.url()}/v1/images/edits`, {
    method: "POST",
    headers: { authorization: `Bearer ${TEST_KEYS[0]}`, "content-type": `multipart/form-data; boundary=${boundary}` },
    body,
  });
  return { status: response.status, text: await response.text() };
}

describe("a file part in any form workerd reads as a file", () => {
  it("is read as an image, never refused as text that is not UTF-8", async () => {
    for (const disposition of [
      'form-data; name="image"; filename="a.png"',
      'form-data; filename="a.png"; name="image"',
      'form-data;name="image";filename="a.png"',
    ]) {
      const answer = await edit(disposition, PNG);
      expect(answer.text, disposition).not.toContain("invalid_utf8");
      // Read as the image it is: refused only for what the picture lacks (no mask, no transparency).
      expect(answer.text, disposition).toContain("no fully transparent pixel");
    }
  }, 60_000);

  it("a text field that is not UTF-8 is still refused", async () => {
    const answer = await edit('form-data; name="image"', new Uint8Array([0x63, 0x61, 0x66, 0xe9]));
    expect(answer.status).toBe(400);
    expect(answer.text).toContain("invalid_utf8");
  }, 60_000);
});
