// The PNG reader and writer image edits use (src/images/png.ts), against PNGs written by an
// independent encoder (test/helpers/png-writer.ts: node:zlib, the spec's filters): every colour
// type that carries alpha (RGBA, grey + alpha, palette + tRNS, a grey or RGB tRNS key) at every
// depth it has, every row filter, split IDATs, Adam7 interlacing; and hostile files, each a clear PngProblem before
// any large allocation.
import { deflateSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { PngProblem, readPngPixels, writeRgbPng } from "../src/images/png.ts";
import { readPng } from "./helpers/png.ts";
import { pngChunk, writePng } from "./helpers/png-writer.ts";

const BOUNDS = { maxPixels: 4_194_304 };
const read = (bytes: Uint8Array, bounds = BOUNDS) => readPngPixels(bytes, bounds);

async function problemOf(bytes: Uint8Array, bounds = BOUNDS): Promise<string> {
  const error = await read(bytes, bounds).then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(PngProblem);
  return (error as PngProblem).message;
}

/** 5 x 4 pixels whose values change along both axes, so that every filter predicts something. */
const W = 5;
const H = 4;
const value = (x: number, y: number, channel: number, max = 255) => (x * 37 + y * 91 + channel * 53) % (max + 1);

describe("reading a PNG's colours and alpha", () => {
  it("RGBA at 8 bits, every row filter (None, Sub, Up, Average, Paeth), IDAT split in three", async () => {
    for (const filter of [0, 1, 2, 3, 4, [4, 3, 2, 1]]) {
      const rows = Array.from({ length: H }, (_, y) =>
        Array.from({ length: W }, (_, x) => [0, 1, 2, 3].map((c) => value(x, y, c))).flat(),
      );
      const pixels = await read(writePng({ width: W, height: H, depth: 8, colorType: 6, rows, filter, idatParts: 3 }));
      expect(pixels.width).toBe(W);
      expect(pixels.height).toBe(H);
      for (let y = 0; y < H; y++) {
        for (let x = 0; x < W; x++) {
          const at = y * W + x;
          expect([...pixels.rgb.subarray(at * 3, at * 3 + 3)], `filter ${filter} (${x}, ${y})`).toEqual([
            value(x, y, 0),
            value(x, y, 1),
            value(x, y, 2),
          ]);
          expect(pixels.alpha?.[at]).toBe(value(x, y, 3));
        }
      }
    }
  });

  it("Paeth, where the up and upper-left predictions tie: the up one, as the spec orders them", async () => {
    // For the last pixel: left a = 11, up b = 8, upper-left c = 10; p = 9 is 1 from both b and c.
    const rows = [
      [10, 8],
      [11, 200],
    ];
    const pixels = await read(writePng({ width: 2, height: 2, depth: 8, colorType: 0, rows, filter: 4 }));
    expect([...pixels.rgb.filter((_, at) => at % 3 === 0)]).toEqual([10, 8, 11, 200]);
  });

  it("RGBA and grey + alpha at 16 bits: each sample's high byte", async () => {
    const rgba = Array.from({ length: H }, (_, y) =>
      Array.from({ length: W }, (_, x) => [0, 1, 2, 3].map((c) => value(x, y, c, 65535))).flat(),
    );
    const wide = await read(writePng({ width: W, height: H, depth: 16, colorType: 6, rows: rgba, filter: 4 }));
    expect(wide.rgb[3]).toBe(value(1, 0, 0, 65535) >> 8);
    expect(wide.alpha?.[W + 2]).toBe(value(2, 1, 3, 65535) >> 8);
    const greyAlpha = Array.from({ length: H }, (_, y) =>
      Array.from({ length: W }, (_, x) => [value(x, y, 0, 65535), x === 2 ? 0 : 65535]).flat(),
    );
    const grey = await read(writePng({ width: W, height: H, depth: 16, colorType: 4, rows: greyAlpha, filter: 1 }));
    expect([...grey.rgb.subarray(3, 6)]).toEqual(Array(3).fill(value(1, 0, 0, 65535) >> 8));
    expect([...(grey.alpha ?? [])].filter((alpha) => alpha === 0)).toHaveLength(H);
  });

  it("at 16 bits, only an alpha of exactly 0 reads as 0: 1 to 255 of 65535 is not fully transparent (imgeditr41 #5)", async () => {
    const greyAlpha = [[9, 0, 9, 0x00ff, 9, 1, 9, 0x0100, 9, 0xffff]];
    const grey = await read(writePng({ width: 5, height: 1, depth: 16, colorType: 4, rows: greyAlpha }));
    expect([...(grey.alpha ?? [])]).toEqual([0, 1, 1, 1, 255]);
    const rgba = [[1, 2, 3, 0, 1, 2, 3, 0x00ff, 1, 2, 3, 0x8000]];
    const wide = await read(writePng({ width: 3, height: 1, depth: 16, colorType: 6, rows: rgba, filter: 1 }));
    expect([...(wide.alpha ?? [])]).toEqual([0, 1, 128]);
  });

  it("grey + alpha at 8 bits, each grey made RGB", async () => {
    const rows = Array.from({ length: H }, (_, y) =>
      Array.from({ length: W }, (_, x) => [value(x, y, 0), y === 0 ? 0 : 200]).flat(),
    );
    const pixels = await read(writePng({ width: W, height: H, depth: 8, colorType: 4, rows, filter: 3 }));
    expect([...pixels.rgb.subarray(0, 3)]).toEqual([value(0, 0, 0), value(0, 0, 0), value(0, 0, 0)]);
    expect([...(pixels.alpha ?? [])]).toEqual([...Array(W).fill(0), ...Array(W * (H - 1)).fill(200)]);
  });

  it("a palette with tRNS at 1, 2, 4 and 8 bits: each index's colour, its alpha, 255 past tRNS's end", async () => {
    for (const depth of [1, 2, 4, 8]) {
      const entries = Math.min(1 << depth, 6);
      const palette = Array.from({ length: entries }, (_, index) => [index * 10, index * 20, index * 30]).flat();
      // Only the first entry has an alpha in tRNS: the others are opaque.
      const transparency = [0];
      const rows = Array.from({ length: H }, (_, y) => Array.from({ length: W }, (_, x) => (x + y) % entries));
      const pixels = await read(
        writePng({ width: W, height: H, depth, colorType: 3, rows, palette, transparency, filter: 2 }),
      );
      for (let at = 0; at < W * H; at++) {
        const index = ((at % W) + Math.floor(at / W)) % entries;
        expect([...pixels.rgb.subarray(at * 3, at * 3 + 3)], `depth ${depth}`).toEqual([
          index * 10,
          index * 20,
          index * 30,
        ]);
        expect(pixels.alpha?.[at], `depth ${depth}`).toBe(index === 0 ? 0 : 255);
      }
    }
  });

  it("a grey tRNS key at every depth, and an RGB one at 8 and 16: that value alone is transparent", async () => {
    for (const depth of [1, 2, 4, 8, 16]) {
      const max = (1 << depth) - 1;
      const rows = Array.from({ length: H }, (_, y) => Array.from({ length: W }, (_, x) => (x + y) % (max + 1)));
      const pixels = await read(
        writePng({ width: W, height: H, depth, colorType: 0, rows, transparency: [0, 1], filter: 1 }),
      );
      for (let at = 0; at < W * H; at++) {
        const sample = ((at % W) + Math.floor(at / W)) % (max + 1);
        expect(pixels.alpha?.[at], `depth ${depth}`).toBe(sample === 1 ? 0 : 255);
        const grey = depth === 16 ? sample >> 8 : Math.round((sample * 255) / max);
        expect(pixels.rgb[at * 3], `depth ${depth}`).toBe(grey);
      }
    }
    for (const depth of [8, 16]) {
      const rows = Array.from({ length: H }, (_, y) => Array.from({ length: W }, (_, x) => [x, y, 7]).flat());
      const pixels = await read(
        writePng({ width: W, height: H, depth, colorType: 2, rows, transparency: [0, 2, 0, 1, 0, 7], filter: 4 }),
      );
      expect([...(pixels.alpha ?? [])].map((alpha, at) => (alpha === 0 ? at : -1)).filter((at) => at >= 0)).toEqual([
        W + 2,
      ]);
    }
  });

  it("Adam7 interlaced, of sizes whose passes are uneven or empty: the same pixels as not interlaced", async () => {
    for (const [width, height] of [
      [13, 11],
      [1, 1],
      [3, 9],
    ] as const) {
      const rgba = Array.from({ length: height }, (_, y) =>
        Array.from({ length: width }, (_, x) => [0, 1, 2, 3].map((c) => value(x, y, c))).flat(),
      );
      const spec = { width, height, depth: 8, colorType: 6, rows: rgba, filter: 4 };
      const [flat, interlaced] = await Promise.all([read(writePng(spec)), read(writePng({ ...spec, interlace: 1 }))]);
      expect(interlaced, `${width}x${height}`).toEqual(flat);
      // A 2-bit palette with tRNS: samples packed within bytes, each pass's rows on their own.
      const indexes = Array.from({ length: height }, (_, y) => Array.from({ length: width }, (_, x) => (x * y) % 4));
      const palette = Array.from({ length: 12 }, (_, index) => index * 20);
      const packed = {
        width,
        height,
        depth: 2,
        colorType: 3,
        rows: indexes,
        palette,
        transparency: [0, 128],
        filter: 1,
      };
      const [plain, adam7] = await Promise.all([read(writePng(packed)), read(writePng({ ...packed, interlace: 1 }))]);
      expect(adam7, `${width}x${height} palette`).toEqual(plain);
    }
  });

  it("no alpha at all (RGB, grey, a palette without tRNS): alpha undefined", async () => {
    const rgb = writePng({ width: 2, height: 1, depth: 8, colorType: 2, rows: [[1, 2, 3, 4, 5, 6]] });
    const grey = writePng({ width: 2, height: 1, depth: 8, colorType: 0, rows: [[1, 2]] });
    const palette = writePng({ width: 2, height: 1, depth: 8, colorType: 3, rows: [[0, 0]], palette: [9, 9, 9] });
    for (const bytes of [rgb, grey, palette]) expect((await read(bytes)).alpha).toBeUndefined();
    expect([...(await read(rgb)).rgb]).toEqual([1, 2, 3, 4, 5, 6]);
  });
});

describe("hostile PNGs: a PngProblem saying what is wrong, nothing large allocated", () => {
  const good = () =>
    writePng({ width: 2, height: 2, depth: 8, colorType: 6, rows: [Array(8).fill(1), Array(8).fill(2)] });
  const header = (width: number, height: number, depth = 8, colorType = 6, interlace = 0) => {
    const body = Buffer.alloc(13);
    body.writeUInt32BE(width, 0);
    body.writeUInt32BE(height, 4);
    body[8] = depth;
    body[9] = colorType;
    body[12] = interlace;
    return pngChunk("IHDR", body);
  };
  const png = (...chunks: Buffer[]) =>
    Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), ...chunks]);
  const iend = pngChunk("IEND", new Uint8Array(0));

  it("not a PNG, a damaged chunk (its CRC), a file cut short, a chunk past the end", async () => {
    expect(await problemOf(Buffer.from("GIF89a........"))).toMatch(/not a PNG/);
    const damaged = good();
    damaged[40] = (damaged[40] as number) ^ 0xff;
    expect(await problemOf(damaged)).toMatch(/CRC/);
    expect(await problemOf(good().subarray(0, 50))).toMatch(/cut short|past the end/);
    const long = header(2, 2);
    long.writeUInt32BE(0x7fffffff, 0);
    expect(await problemOf(png(long))).toMatch(/past the end/);
  });

  it("a size past the bound, told from IHDR alone (a 65535 x 65535 header in a 60-byte file)", async () => {
    const huge = png(header(65_535, 65_535), pngChunk("IDAT", deflateSync(Buffer.alloc(10))), iend);
    expect(await problemOf(huge)).toMatch(/65535x65535, more than the 4194304 pixels/);
    expect(await problemOf(good(), { maxPixels: 3 })).toMatch(/more than the 3 pixels/);
    // The bound itself is allowed.
    expect(await read(good(), { maxPixels: 4 })).toMatchObject({ width: 2, height: 2 });
    expect(await problemOf(png(header(0, 5), iend))).toMatch(/width or height is 0/);
  });

  it("pixel data that inflates to more than its size (a deflate bomb), or less, or not at all", async () => {
    const bomb = png(header(2, 2), pngChunk("IDAT", deflateSync(Buffer.alloc(50_000_000))), iend);
    expect(await problemOf(bomb)).toMatch(/inflates to more than its size/);
    const short = png(header(2, 2), pngChunk("IDAT", deflateSync(Buffer.alloc(9))), iend);
    expect(await problemOf(short)).toMatch(/ends before its last row/);
    const garbage = png(header(2, 2), pngChunk("IDAT", Buffer.from("not deflate at all")), iend);
    expect(await problemOf(garbage)).toMatch(/does not inflate/);
    // The rows exactly one inflated piece (128 rows of 1 + 127 bytes: 16 KiB), then more after them.
    const after = png(header(127, 128, 8, 0), pngChunk("IDAT", deflateSync(Buffer.alloc(16_384 + 10))), iend);
    expect(await problemOf(after)).toMatch(/inflates to more than its size/);
  });

  it("a filter type past 4, a palette index past the palette, an interlace method past 1, an unknown critical chunk", async () => {
    const raw = Buffer.from([5, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    expect(await problemOf(png(header(2, 2), pngChunk("IDAT", deflateSync(raw)), iend))).toMatch(/filter type 5/);
    const past = writePng({ width: 2, height: 1, depth: 8, colorType: 3, rows: [[0, 3]], palette: [1, 2, 3] });
    expect(await problemOf(past)).toMatch(/palette entry 3, past its palette/);
    expect(await problemOf(png(header(1, 1, 8, 6, 2), iend))).toMatch(/interlace method 2/);
    expect(await problemOf(png(header(1, 1), pngChunk("ZZZZ", new Uint8Array(1)), iend))).toMatch(/critical chunk/);
  });

  it("a colour type and depth PNG does not define, a palette image without PLTE, no IDAT, tRNS on RGBA", async () => {
    expect(await problemOf(png(header(1, 1, 4, 6), iend))).toMatch(/colour type 6 with bit depth 4/);
    const noPalette = png(header(1, 1, 8, 3), pngChunk("IDAT", deflateSync(Buffer.from([0, 0]))), iend);
    expect(await problemOf(noPalette)).toMatch(/without a palette/);
    expect(await problemOf(png(header(1, 1), iend))).toMatch(/no IDAT/);
    const trns = png(
      header(1, 1),
      pngChunk("tRNS", new Uint8Array(2)),
      pngChunk("IDAT", deflateSync(Buffer.alloc(5))),
      iend,
    );
    expect(await problemOf(trns)).toMatch(/tRNS/);
    // A grey image's tRNS is one 2-byte value: 4 bytes is no tRNS PNG defines.
    const longKey = png(
      header(1, 1, 8, 0),
      pngChunk("tRNS", new Uint8Array(4)),
      pngChunk("IDAT", deflateSync(Buffer.alloc(2))),
      iend,
    );
    expect(await problemOf(longKey)).toMatch(/tRNS chunk is malformed/);
  });

  it("IHDR not first, or twice; a palette of more than 256 entries; a chunk whose length runs into its CRC's place", async () => {
    const idat = pngChunk("IDAT", deflateSync(Buffer.alloc(18)));
    expect(await problemOf(png(pngChunk("tEXt", new Uint8Array(1)), header(2, 2), idat, iend))).toMatch(
      /first chunk is not IHDR/,
    );
    expect(await problemOf(png(header(2, 2), header(2, 2), idat, iend))).toMatch(/two IHDR/);
    for (const at of [10, 11]) {
      // A compression method (byte 10) or a filter method (byte 11) other than PNG's 0.
      const body = Buffer.alloc(13);
      body.writeUInt32BE(2, 0);
      body.writeUInt32BE(2, 4);
      body[8] = 8;
      body[9] = 6;
      body[at] = 1;
      expect(await problemOf(png(pngChunk("IHDR", body), idat, iend))).toMatch(/compression or filter method/);
    }
    const crowded = png(
      header(1, 1, 8, 3),
      pngChunk("PLTE", new Uint8Array(257 * 3)),
      pngChunk("IDAT", deflateSync(Buffer.from([0, 0]))),
      iend,
    );
    expect(await problemOf(crowded)).toMatch(/palette is malformed/);
    // The last chunk's length says 2 bytes more than its data and CRC leave.
    const overrun = png(header(2, 2), pngChunk("tEXt", new Uint8Array(4)));
    overrun.writeUInt32BE(6, overrun.length - 16);
    expect(await problemOf(overrun)).toMatch(/past the end/);
  });

  it("more chunks than any encoder writes (empty ancillary ones, 12 bytes each)", async () => {
    const filler = pngChunk("tEXt", new Uint8Array(0));
    const many = png(header(1, 1), ...Array<Buffer>(20_001).fill(filler), iend);
    expect(await problemOf(many)).toMatch(/more than 20000 chunks/);
  });
});

describe("writing an RGB PNG", () => {
  it("is read back, by node:zlib and by the reader, as the same pixels; rows past one piece handed to the compressor", async () => {
    const rgb = Uint8Array.from({ length: 3 * 4 * 3 }, (_, index) => (index * 29) % 256);
    const bytes = await writeRgbPng(4, 3, (y, row) => row.set(rgb.subarray(y * 12, (y + 1) * 12)));
    const decoded = readPng(Buffer.from(bytes).toString("base64"));
    expect(decoded).toMatchObject({ width: 4, height: 3, bitDepth: 8, colorType: 2 });
    expect(decoded.rows.flatMap((row) => [...row])).toEqual([...rgb]);
    expect([...(await read(bytes)).rgb]).toEqual([...rgb]);
    // 3,000 x 40: rows of 9,001 bytes, seven at a time, the last piece shorter.
    const wide = await writeRgbPng(3000, 40, (y, row) => row.fill(y));
    const rows = readPng(Buffer.from(wide).toString("base64")).rows;
    expect(rows.map((row) => [row.length, row[0], row[8999]])).toEqual(
      Array.from({ length: 40 }, (_, y) => [9000, y, y]),
    );
  });
});
