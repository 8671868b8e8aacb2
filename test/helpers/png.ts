// A PNG read as a decoder reads it, with node:zlib rather than the emulator's own encoder: the
// signature, each chunk's CRC, IHDR's size and type, and the pixels inflated and unfiltered
// (filter type 0 only, which is all a stored-block encoder writes).
import { crc32, inflateSync } from "node:zlib";

export interface DecodedPng {
  width: number;
  height: number;
  bitDepth: number;
  colorType: number;
  /** Rows of samples, filter bytes removed. */
  rows: Uint8Array[];
}

const SIGNATURE = "89504e470d0a1a0a";

export function readPng(base64: string): DecodedPng {
  const bytes = Buffer.from(base64, "base64");
  if (bytes.subarray(0, 8).toString("hex") !== SIGNATURE) throw new Error("not a PNG: bad signature");
  let at = 8;
  let header: Buffer | undefined;
  const data: Buffer[] = [];
  let ended = false;
  while (at < bytes.length) {
    const length = bytes.readUInt32BE(at);
    const type = bytes.subarray(at + 4, at + 8).toString("latin1");
    const body = bytes.subarray(at + 8, at + 8 + length);
    const crc = bytes.readUInt32BE(at + 8 + length);
    if (crc32(bytes.subarray(at + 4, at + 8 + length)) !== crc) throw new Error(`bad CRC in ${type}`);
    if (type === "IHDR") header = body;
    if (type === "IDAT") data.push(body);
    if (type === "IEND") ended = true;
    at += 12 + length;
  }
  if (!header || !ended) throw new Error("not a PNG: no IHDR or IEND");
  const width = header.readUInt32BE(0);
  const height = header.readUInt32BE(4);
  const bitDepth = header[8] ?? 0;
  const colorType = header[9] ?? 0;
  const samples = colorType === 0 ? 1 : colorType === 2 ? 3 : 4;
  const raw = inflateSync(Buffer.concat(data));
  const stride = width * samples + 1;
  if (raw.length !== stride * height) throw new Error(`pixels: ${raw.length} bytes, expected ${stride * height}`);
  const rows = Array.from({ length: height }, (_, y) => {
    if (raw[y * stride] !== 0) throw new Error("a filter other than none");
    return new Uint8Array(raw.subarray(y * stride + 1, (y + 1) * stride));
  });
  return { width, height, bitDepth, colorType, rows };
}
