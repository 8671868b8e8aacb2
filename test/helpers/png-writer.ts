// PNGs written for tests as any encoder writes them, with node:zlib and the spec's filters applied
// here (not by the code under test): every colour type and bit depth, a chosen filter per row,
// PLTE and tRNS, IDAT split into parts, Adam7 interlacing. Also bytes to break them: a chunk rewritten with a good CRC.
import { crc32, deflateSync } from "node:zlib";

export interface PngSpec {
  width: number;
  height: number;
  depth: number;
  colorType: number;
  /** Each row's samples, unfiltered and unpacked: one number per sample, at the PNG's depth. */
  rows: number[][];
  /** The filter of each row (0-4), or one for all; default 0. */
  filter?: number | number[];
  palette?: number[];
  transparency?: number[];
  /** IDAT split into this many chunks; default 1. */
  idatParts?: number;
  interlace?: number;
}

const SAMPLES: Record<number, number> = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 };
const ADAM7: ReadonlyArray<readonly [number, number, number, number]> = [
  [0, 0, 8, 8],
  [4, 0, 8, 8],
  [0, 4, 4, 8],
  [2, 0, 4, 4],
  [0, 2, 2, 4],
  [1, 0, 2, 2],
  [0, 1, 1, 2],
];

export function pngChunk(type: string, data: Uint8Array): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, "latin1");
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0);
  return Buffer.concat([head, data, crc]);
}

/** A row's samples as bytes at `depth`: packed from the high bit below 8, big-endian at 16. */
function packRow(samples: number[], depth: number): number[] {
  if (depth === 8) return samples;
  if (depth === 16) return samples.flatMap((value) => [value >> 8, value & 0xff]);
  const bytes = new Array<number>(Math.ceil((samples.length * depth) / 8)).fill(0);
  samples.forEach((value, index) => {
    const bit = index * depth;
    bytes[bit >> 3] = (bytes[bit >> 3] as number) | (value << (8 - depth - (bit % 8)));
  });
  return bytes;
}

function paeth(a: number, b: number, c: number): number {
  const p = a + b - c;
  const [pa, pb, pc] = [Math.abs(p - a), Math.abs(p - b), Math.abs(p - c)];
  return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
}

/** PNG §9.2: each byte less its predictor, from the unfiltered bytes. */
function filterRow(row: number[], above: number[] | undefined, filter: number, bpp: number): number[] {
  return row.map((value, x) => {
    const a = x >= bpp ? (row[x - bpp] as number) : 0;
    const b = above ? (above[x] as number) : 0;
    const c = above && x >= bpp ? (above[x - bpp] as number) : 0;
    const predictor = [0, a, b, (a + b) >> 1, paeth(a, b, c)][filter] as number;
    return (value - predictor) & 0xff;
  });
}

export function writePng(spec: PngSpec): Buffer {
  const { width, height, depth, colorType } = spec;
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = depth;
  header[9] = colorType;
  header[12] = spec.interlace ?? 0;
  const samples = SAMPLES[colorType] as number;
  const bpp = Math.max(1, (depth * samples) / 8);
  const filtered = (rows: number[][]) => {
    const packed = rows.map((row) => packRow(row, depth));
    return packed.flatMap((row, y) => {
      const filter = Array.isArray(spec.filter) ? (spec.filter[y] ?? 0) : (spec.filter ?? 0);
      return [filter, ...filterRow(row, packed[y - 1], filter, bpp)];
    });
  };
  // Interlaced: Adam7's seven sub-images one after another, each filtered on its own (empty ones left out).
  const raw =
    spec.interlace === 1
      ? ADAM7.flatMap(([x0, y0, dx, dy]) => {
          const rows: number[][] = [];
          for (let y = y0; y < height; y += dy) {
            const row: number[] = [];
            for (let x = x0; x < width; x += dx)
              row.push(...(spec.rows[y] as number[]).slice(x * samples, (x + 1) * samples));
            if (row.length > 0) rows.push(row);
          }
          return filtered(rows);
        })
      : filtered(spec.rows);
  const data = deflateSync(Buffer.from(raw));
  const parts = spec.idatParts ?? 1;
  const size = Math.ceil(data.length / parts);
  const idats = Array.from({ length: parts }, (_, index) =>
    pngChunk("IDAT", data.subarray(index * size, (index + 1) * size)),
  );
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk("IHDR", header),
    ...(spec.palette ? [pngChunk("PLTE", Uint8Array.from(spec.palette))] : []),
    ...(spec.transparency ? [pngChunk("tRNS", Uint8Array.from(spec.transparency))] : []),
    ...idats,
    pngChunk("IEND", new Uint8Array(0)),
  ]);
}

/** An 8-bit RGBA PNG whose pixel (x, y) is `pixel(x, y)`, [r, g, b, a]. */
export function rgbaPng(width: number, height: number, pixel: (x: number, y: number) => number[]): Buffer {
  const rows = Array.from({ length: height }, (_, y) => Array.from({ length: width }, (_, x) => pixel(x, y)).flat());
  return writePng({ width, height, depth: 8, colorType: 6, rows, filter: 4 });
}

/**
 * A large 8-bit RGBA PNG written fast, from bytes rather than a number per sample (rgbaPng takes
 * seconds a megapixel): grey, its first column fully transparent, what an edit without a mask redraws.
 */
export function holedPng(width: number, height: number): Buffer {
  const stride = 1 + width * 4;
  // Filter 0 on every row, each pixel grey and opaque.
  const raw = Buffer.alloc(height * stride, 128);
  for (let y = 0; y < height; y++) {
    raw[y * stride] = 0;
    for (let x = 0; x < width; x++) raw[y * stride + 4 + x * 4] = x === 0 ? 0 : 255;
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 6], 8);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk("IHDR", header),
    pngChunk("IDAT", deflateSync(raw)),
    pngChunk("IEND", new Uint8Array(0)),
  ]);
}
