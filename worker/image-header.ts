// An input image's size, read from its header before the library reads the image: an edit is
// drawn at its image's own size (src/images editSize), which tokens_per_day must reserve before
// the call (token-estimate.ts countedImageRequest). Only the header is read: a PNG's IHDR, or a
// JPEG's frame header (SOF) within its first HEAD_BYTES. Nothing is checked here but what the
// size needs: the library refuses an image that is no PNG or JPEG it reads.

/**
 * How much of an image is read for its size. A PNG's IHDR is in its first 24 bytes; a JPEG's SOF
 * follows its APP segments (Exif with its thumbnail, an ICC profile, Photoshop's), each at most
 * 64 KiB, three of which fit with room to spare. A JPEG whose SOF is further on counts as the
 * largest image (token-estimate.ts).
 */
const HEAD_BYTES = 256 * 1024;
/** Base64 characters of HEAD_BYTES: four for every three bytes. */
const HEAD_BASE64_CHARS = Math.ceil(HEAD_BYTES / 3) * 4;

export interface ImageSize {
  width: number;
  height: number;
}

/**
 * The first bytes of a request's image as the multipart form (a file) or a field (a base64 data
 * URL) sends it; of the first of several (`image[]`), the one the library edits. Undefined for
 * anything else, or base64 that does not decode.
 */
export async function imageHead(image: unknown): Promise<Uint8Array | undefined> {
  const first = Array.isArray(image) ? image[0] : image;
  if (first instanceof Blob) return new Uint8Array(await first.slice(0, HEAD_BYTES).arrayBuffer());
  if (typeof first !== "string") return undefined;
  const base64 = /^data:[^,]*;base64,/i.exec(first);
  if (!base64) return undefined;
  const chars = first.slice(base64[0].length, base64[0].length + HEAD_BASE64_CHARS).replace(/\s/g, "");
  try {
    // Whole groups of four characters: a group cut short does not decode.
    return Uint8Array.from(atob(chars.slice(0, chars.length - (chars.length % 4))), (c) => c.charCodeAt(0));
  } catch {
    return undefined;
  }
}

/** The size an image's first bytes give: a PNG's IHDR, a JPEG's SOF; undefined for anything else, or a side of 0. */
export function imageHeaderSize(head: Uint8Array): ImageSize | undefined {
  const size = isPng(head) ? pngSize(head) : isJpeg(head) ? jpegSize(head) : undefined;
  return size && size.width > 0 && size.height > 0 ? size : undefined;
}

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

function isPng(head: Uint8Array): boolean {
  return PNG_SIGNATURE.every((byte, at) => head[at] === byte);
}

function isJpeg(head: Uint8Array): boolean {
  return head[0] === 0xff && head[1] === 0xd8;
}

/** IHDR, the first chunk: its type at bytes 12 to 15, the width and height (32 bits each) after. */
function pngSize(head: Uint8Array): ImageSize | undefined {
  if (head.length < 24 || String.fromCharCode(...head.subarray(12, 16)) !== "IHDR") return undefined;
  return { width: uint32(head, 16), height: uint32(head, 20) };
}

/** The frame header (SOF0 to SOF15 but DHT, JPG and DAC, which share the range), walked to segment by segment. */
function jpegSize(head: Uint8Array): ImageSize | undefined {
  let at = 2;
  // Every segment has a length, so the walk moves forward on each step and ends with the bytes.
  while (at + 9 < head.length && head[at] === 0xff) {
    const marker = head[at + 1] as number;
    if (marker === 0xff) {
      at += 1;
      continue;
    }
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      return { width: uint16(head, at + 7), height: uint16(head, at + 5) };
    }
    const length = uint16(head, at + 2);
    if (length < 2) return undefined;
    at += 2 + length;
  }
  return undefined;
}

function uint16(bytes: Uint8Array, at: number): number {
  return ((bytes[at] as number) << 8) | (bytes[at + 1] as number);
}

function uint32(bytes: Uint8Array, at: number): number {
  return (
    (((bytes[at] as number) << 24) |
      ((bytes[at + 1] as number) << 16) |
      ((bytes[at + 2] as number) << 8) |
      (bytes[at + 3] as number)) >>>
    0
  );
}
