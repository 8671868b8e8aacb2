// A tiny PNG encoder for the emulator's images: 8-bit grayscale, its pixels in zlib "stored"
// (uncompressed) deflate blocks, so that no compressor is needed and any PNG decoder reads it.
// Web APIs only, as the rest of the emulator.

const SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
/** The most bytes one stored deflate block holds (its length is 16 bits). */
const STORED_BLOCK = 65_535;

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/** PNG's CRC-32 of bytes. */
function crc32(bytes: Uint8Array): number {
  let crc = 0xffffffff;
  for (let index = 0; index < bytes.length; index++) {
    crc = (CRC_TABLE[(crc ^ (bytes[index] as number)) & 0xff] as number) ^ (crc >>> 8);
  }
  return (crc ^ 0xffffffff) >>> 0;
}

function adler32(bytes: Uint8Array): number {
  let a = 1;
  let b = 0;
  // The sums stay below 2^32 for 5,552 bytes (zlib's NMAX): one modulo per run, not per byte.
  for (let start = 0; start < bytes.length; start += 5552) {
    const end = Math.min(bytes.length, start + 5552);
    for (let index = start; index < end; index++) {
      a += bytes[index] as number;
      b += a;
    }
    a %= 65_521;
    b %= 65_521;
  }
  return ((b << 16) | a) >>> 0;
}

/** A zlib stream of the bytes in stored blocks: a header, the blocks, then the Adler-32. */
function zlibStored(raw: Uint8Array): Uint8Array {
  const blocks = Math.max(1, Math.ceil(raw.length / STORED_BLOCK));
  const out = new Uint8Array(2 + blocks * 5 + raw.length + 4);
  const view = new DataView(out.buffer);
  out[0] = 0x78; // deflate, 32 KiB window
  out[1] = 0x01; // no preset dictionary; (0x78 << 8 | 0x01) % 31 === 0, as zlib requires
  let at = 2;
  for (let block = 0; block < blocks; block++) {
    const start = block * STORED_BLOCK;
    const length = Math.min(STORED_BLOCK, raw.length - start);
    out[at] = block === blocks - 1 ? 1 : 0; // BFINAL on the last, BTYPE 00 (stored)
    view.setUint16(at + 1, length, true);
    view.setUint16(at + 3, ~length & 0xffff, true);
    out.set(raw.subarray(start, start + length), at + 5);
    at += 5 + length;
  }
  view.setUint32(at, adler32(raw));
  return out;
}

function chunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, data.length);
  for (let index = 0; index < 4; index++) out[4 + index] = type.charCodeAt(index);
  out.set(data, 8);
  view.setUint32(8 + data.length, crc32(out.subarray(4, 8 + data.length)));
  return out;
}

/** A grayscale PNG of width × height whose pixel (x, y) is `shade(x, y)` (0-255). */
export function grayscalePng(width: number, height: number, shade: (x: number, y: number) => number): Uint8Array {
  const header = new Uint8Array(13);
  const view = new DataView(header.buffer);
  view.setUint32(0, width);
  view.setUint32(4, height);
  header[8] = 8; // bits per sample
  header[9] = 0; // grayscale
  // compression, filter and interlace methods: 0 each
  // Each row: filter type 0 (none), then its pixels.
  const raw = new Uint8Array(height * (width + 1));
  for (let y = 0; y < height; y++) {
    const row = y * (width + 1);
    for (let x = 0; x < width; x++) raw[row + 1 + x] = shade(x, y) & 0xff;
  }
  const parts = [
    Uint8Array.from(SIGNATURE),
    chunk("IHDR", header),
    chunk("IDAT", zlibStored(raw)),
    chunk("IEND", new Uint8Array(0)),
  ];
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

const BASE64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/** Bytes as base64, written out directly: btoa of a binary string took 0.4 s a megabyte. */
export function base64Bytes(bytes: Uint8Array): string {
  const out = new Uint8Array(Math.ceil(bytes.length / 3) * 4);
  const code = (index: number) => BASE64.charCodeAt(index);
  let at = 0;
  for (let index = 0; index < bytes.length; index += 3) {
    const a = bytes[index] as number;
    const b = bytes[index + 1] ?? 0;
    const c = bytes[index + 2] ?? 0;
    out[at++] = code(a >> 2);
    out[at++] = code(((a & 3) << 4) | (b >> 4));
    out[at++] = index + 1 < bytes.length ? code(((b & 15) << 2) | (c >> 6)) : 61; // "="
    out[at++] = index + 2 < bytes.length ? code(c & 63) : 61;
  }
  return new TextDecoder().decode(out);
}

/** A PNG as the emulator reads one Bedrock is sent: 8-bit samples, `channels` a pixel, unfiltered. */
export interface ReadPng {
  width: number;
  height: number;
  /** 1 grey, 2 grey + alpha, 3 RGB (a palette's entries too), 4 RGBA. */
  channels: number;
  pixels: Uint8Array;
}

/**
 * Reads an 8-bit, non-interlaced PNG (grey, RGB, palette, with or without alpha): what the
 * emulator needs to check an inpainting body's image and mask. Anything else, or a damaged file,
 * is a string saying why. Its own reader (the emulator imports nothing from src/), inflating with
 * the web's DecompressionStream as the rest of the emulator uses web APIs only.
 */
export async function readPng(bytes: Uint8Array, maxPixels: number): Promise<ReadPng | string> {
  if (bytes.length < 8 || SIGNATURE.some((byte, index) => bytes[index] !== byte)) return "not a PNG";
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let width = 0;
  let height = 0;
  let colorType = -1;
  let palette: Uint8Array | undefined;
  const data: Uint8Array[] = [];
  for (let at = 8; ; ) {
    if (at + 12 > bytes.length) return "a PNG without IEND";
    const length = view.getUint32(at);
    if (at + 12 + length > bytes.length) return "a PNG chunk past the end";
    const type = new TextDecoder().decode(bytes.subarray(at + 4, at + 8));
    const body = bytes.subarray(at + 8, at + 8 + length);
    if (crc32(bytes.subarray(at + 4, at + 8 + length)) !== view.getUint32(at + 8 + length))
      return "a PNG chunk with a bad CRC";
    at += 12 + length;
    if (type === "IHDR") {
      width = view.getUint32(at - 12 - length + 8);
      height = view.getUint32(at - 12 - length + 12);
      colorType = body[9] ?? -1;
      if (body[8] !== 8 || body[12] !== 0 || ![0, 2, 3, 4, 6].includes(colorType))
        return "a PNG that is not 8-bit and non-interlaced";
      if (width === 0 || height === 0 || width * height > maxPixels) return `a PNG of ${width}x${height}`;
    } else if (type === "PLTE") palette = body;
    else if (type === "IDAT") data.push(body);
    else if (type === "IEND") break;
  }
  if (colorType < 0 || data.length === 0) return "a PNG without IHDR or IDAT";
  const samples = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 }[colorType] as number;
  const stride = width * samples;
  let raw: Uint8Array;
  try {
    const stream = new Blob(data as Uint8Array<ArrayBuffer>[]).stream().pipeThrough(new DecompressionStream("deflate"));
    raw = new Uint8Array(await new Response(stream).arrayBuffer());
  } catch {
    return "a PNG whose data does not inflate";
  }
  if (raw.length !== height * (stride + 1)) return "a PNG whose data is not its size";
  const rows = new Uint8Array(height * stride);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)];
    for (let x = 0; x < stride; x++) {
      const left = x >= samples ? (rows[y * stride + x - samples] as number) : 0;
      const up = y > 0 ? (rows[(y - 1) * stride + x] as number) : 0;
      const corner = x >= samples && y > 0 ? (rows[(y - 1) * stride + x - samples] as number) : 0;
      const guess = left + up - corner;
      const nearest =
        Math.abs(guess - left) <= Math.abs(guess - up) && Math.abs(guess - left) <= Math.abs(guess - corner)
          ? left
          : Math.abs(guess - up) <= Math.abs(guess - corner)
            ? up
            : corner;
      const predicted = [0, left, up, (left + up) >> 1, nearest][filter as number];
      if (predicted === undefined) return "a PNG row with an unknown filter";
      rows[y * stride + x] = ((raw[y * (stride + 1) + 1 + x] as number) + predicted) & 0xff;
    }
  }
  if (colorType !== 3) return { width, height, channels: samples, pixels: rows };
  if (!palette) return "a palette PNG without PLTE";
  const colours = new Uint8Array(width * height * 3);
  for (let index = 0; index < rows.length; index++)
    colours.set(palette.subarray(rows[index]! * 3, rows[index]! * 3 + 3), index * 3);
  return { width, height, channels: 3, pixels: colours };
}
