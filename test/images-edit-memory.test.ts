// What an edit of Nova's largest image allocates (review imgeditr41 #1): a 16-bit RGBA PNG of
// 2048x2047 inflates to 32 MiB, and its pixels as 8-bit RGB are 12 MiB, yet its zeros deflate to
// 40 kB. The reader goes a row at a time, so no allocation is more than the bit a pixel kept of
// the mask (512 KiB) and a header alone allocates a row or two. Counted by a wrapper of
// Uint8Array's constructor (every array the reader and writer make): deterministic, unlike a
// sampled heap, and it failed at 32 MiB before.
import { deflateSync } from "node:zlib";
import { afterEach, describe, expect, it } from "vitest";
import { inpaintingInputs } from "../src/images/edit-images.ts";
import { openPng, PngProblem } from "../src/images/png.ts";
import { readPng } from "./helpers/png.ts";
import { pngChunk } from "./helpers/png-writer.ts";

const WIDTH = 2048;
const HEIGHT = 2047;
const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** A 16-bit RGBA PNG of Nova's largest size, every row Paeth-filtered zeros: transparent black. */
function largest16(raw = Buffer.alloc((WIDTH * 8 + 1) * HEIGHT, 0)): Uint8Array {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(WIDTH, 0);
  header.writeUInt32BE(HEIGHT, 4);
  header[8] = 16;
  header[9] = 6;
  for (let y = 0; y < HEIGHT; y++) if (raw.length > y * (WIDTH * 8 + 1)) raw[y * (WIDTH * 8 + 1)] = 4;
  return new Uint8Array(
    Buffer.concat([
      SIGNATURE,
      pngChunk("IHDR", header),
      pngChunk("IDAT", deflateSync(raw)),
      pngChunk("IEND", new Uint8Array(0)),
    ]),
  );
}

const original = globalThis.Uint8Array;
afterEach(() => {
  globalThis.Uint8Array = original;
});

/** The largest `new Uint8Array(length)` made while `run` runs. */
async function largestAllocation(run: () => Promise<unknown>): Promise<number> {
  let largest = 0;
  globalThis.Uint8Array = new Proxy(original, {
    construct(target, args: unknown[]) {
      if (typeof args[0] === "number") largest = Math.max(largest, args[0]);
      return Reflect.construct(target, args) as object;
    },
  });
  try {
    await run();
  } finally {
    globalThis.Uint8Array = original;
  }
  return largest;
}

describe("the memory of an edit of Nova's largest image (review imgeditr41 #1)", () => {
  it("a 16-bit RGBA image and mask: no allocation past 1 MiB (32 MiB before), the mask and image as sent", async () => {
    const image = largest16();
    const mask = largest16();
    let inputs: Awaited<ReturnType<typeof inpaintingInputs>> | undefined;
    const withMask = await largestAllocation(async () => {
      inputs = await inpaintingInputs(image, mask);
    });
    expect(withMask).toBeLessThan(1024 * 1024);
    expect(inputs).toMatchObject({ width: WIDTH, height: HEIGHT });
    const sent = readPng(inputs?.image ?? "");
    expect(sent).toMatchObject({ width: WIDTH, height: HEIGHT, colorType: 2 });
    expect(sent.rows.every((row) => row.every((byte) => byte === 0))).toBe(true);
    // Transparent everywhere: Bedrock's mask is black everywhere.
    expect(readPng(inputs?.maskImage ?? "").rows.every((row) => row.every((byte) => byte === 0))).toBe(true);
    // Without a mask, the image's own transparency is read as it is sent.
    const alone = await largestAllocation(() => inpaintingInputs(image, undefined));
    expect(alone).toBeLessThan(1024 * 1024);
    // Two images of 2048 × 2047 at 16 bits, decoded and encoded twice: 5 s alone, four times that
    // beside the rest of the suite on 2 cores, past the default 20 s.
  }, 60_000);

  it("a header of 2048x2047 at 16 bits with no pixel data: a PngProblem, nothing past two rows allocated", async () => {
    const bytes = largest16(Buffer.alloc(10));
    let problem: unknown;
    const largest = await largestAllocation(async () => {
      try {
        for await (const _ of openPng(bytes, { maxPixels: 4_194_304 }).rows()) {
          // Rows are only read.
        }
      } catch (error) {
        problem = error;
      }
    });
    expect(problem).toBeInstanceOf(PngProblem);
    expect((problem as PngProblem).message).toMatch(/ends before its last row/);
    expect(largest).toBeLessThanOrEqual(WIDTH * 8 + 1);
  });
});
