// An edit's image and mask as Bedrock's inpainting takes them. OpenAI marks what to change with
// fully transparent pixels (alpha 0) of the mask, or without a mask of the image itself; Nova
// Canvas and Titan Image Generator v2 take a black-and-white mask of the image's size, black
// where to change, and an image without transparency; Stability's Stable Image Inpaint the other
// way round, white where to change (its mask's shades are strength: white the most, black none),
// so it is sent pure white and black, the same pixels marked. So a PNG is read (png.ts), its transparency
// turned into that mask, and the image sent on as an 8-bit RGB PNG; a JPEG (which has no
// transparency) is sent as it is, and needs a mask. A variation's image is read and sent the same
// way. Every input is bounded before it is read, and a PNG is read a row at a time (png.ts): its
// rows go straight into the PNG sent, and of the mask only a bit a pixel is kept (transparent or
// not), so that an edit of Nova's largest image holds no copy of it whole.
import { invalidRequest } from "../errors.ts";
import { dataUrlBase64, dataUrlParts } from "../routes/images.ts";
import { isPng, openPng, type PixelRow, PngProblem, type PngRows, writeRgbPng } from "./png.ts";
import type { ImageInput } from "./types.ts";

/**
 * The most bytes an image or a mask may have: an 8-bit RGBA PNG of MAX_INPUT_PIXELS, stored
 * without compression, is 16 MiB. No image a model takes needs more.
 */
const MAX_INPUT_BYTES = 16 * 1024 * 1024;
/** The most pixels an image or mask may have: Nova Canvas's bound, the most any image model takes. */
const MAX_INPUT_PIXELS = 4_194_304;

/**
 * The colour a mask marks what to change with: Nova Canvas's and Titan's black, Stable Image
 * Inpaint's white (Stability's API reference for Inpaint, which AWS's "Stability AI Image
 * Services" page refers to: "completely white pixels represent maximum strength", black none);
 * the rest of the mask is the other.
 */
export type MaskMark = "black" | "white";

/** What Bedrock's INPAINTING body takes: the image and its mask, base64, and the image's size. */
export interface InpaintingInputs {
  image: string;
  maskImage: string;
  width: number;
  height: number;
}

/** The edit's image and mask read, checked and made Bedrock's; a 400 naming `image` or `mask` for what is wrong. */
export async function inpaintingInputs(
  image: ImageInput,
  mask: ImageInput | null | undefined,
  marked: MaskMark = "black",
): Promise<InpaintingInputs> {
  const picture = await readPicture(image);
  const { width, height } = picture;
  // A bit a pixel, set where it is fully transparent: what Bedrock's mask marks black.
  const marks = new Uint8Array(Math.ceil((width * height) / 8));
  let sent: string;
  if (mask != null) {
    // The mask first: its size and what it marks are refused before the image is read.
    const read = await openMask(mask, picture);
    if (read.hasAlpha) {
      for await (const [y, row] of rowsOf(read, "mask")) mark(marks, row, y * width);
    }
    if (!marks.some((byte) => byte !== 0)) throw nothingMarked(true);
    sent = await sentImage(picture);
  } else {
    if (!picture.png?.hasAlpha) throw nothingMarked(false);
    // The image's own transparency marks, read as its rows are sent.
    sent = await sentImage(picture, marks);
    if (!marks.some((byte) => byte !== 0)) throw nothingMarked(false);
  }
  return {
    image: sent,
    maskImage: base64Of(await writeRgbPng(width, height, maskRow(marks, width, marked === "black" ? 0 : 255))),
    width,
    height,
  };
}

function nothingMarked(masked: boolean) {
  return invalidRequest(
    masked
      ? "mask has no fully transparent pixel, so it marks nothing to change: make transparent (alpha 0) the pixels the edit may redraw."
      : "The image has no fully transparent pixel and no mask was sent: Bedrock's image models redraw only what a mask marks. Send a mask (a PNG of the image's size, fully transparent where to change), or make those pixels of the image transparent.",
    "mask",
  );
}

/** The mask opened (its pixels not read); a 400 naming `mask` for one that is no PNG or not the picture's size. */
async function openMask(mask: ImageInput, { width, height }: Picture): Promise<PngRows> {
  const bytes = await inputBytes(mask, "mask");
  if (!isPng(bytes)) {
    throw notAnImage(
      "mask",
      "it is not a PNG: OpenAI's mask is a PNG whose fully transparent pixels mark what to change",
    );
  }
  const read = pngOf(bytes, "mask");
  if (read.width !== width || read.height !== height) {
    throw invalidRequest(
      `mask is ${read.width}x${read.height}, and the image ${width}x${height}: they must be the same size.`,
      "mask",
    );
  }
  return read;
}

/** The bits of `marks` from pixel `first` on set where the row's alpha is 0. */
function mark(marks: Uint8Array, { alpha }: PixelRow, first: number): void {
  if (!alpha) return;
  for (let x = 0; x < alpha.length; x++) {
    if (alpha[x] === 0) {
      const pixel = first + x;
      marks[pixel >> 3] = (marks[pixel >> 3] as number) | (1 << (pixel & 7));
    }
  }
}

/** A picture sent to be edited or varied: its bytes, its size, and a PNG opened (a JPEG's pixels are not read). */
interface Picture {
  bytes: Uint8Array;
  png: PngRows | undefined;
  width: number;
  height: number;
}

/** The `image` field read: a PNG opened (its chunks and header checked), a JPEG's size read from its header; a 400 naming `image` else. */
async function readPicture(image: ImageInput): Promise<Picture> {
  const bytes = await inputBytes(image, "image");
  const png = isPng(bytes) ? pngOf(bytes, "image") : undefined;
  const { width, height } = png ?? jpegOf(bytes);
  return { bytes, png, width, height };
}

/**
 * A picture as Bedrock takes it, base64: a PNG as 8-bit RGB (Bedrock's models take no
 * transparency), its rows written as they are read, its transparent pixels set in `marks` when
 * given; a JPEG as it is.
 */
async function sentImage({ bytes, png, width, height }: Picture, marks?: Uint8Array): Promise<string> {
  if (!png) return base64Of(bytes);
  const rows = rowsOf(png, "image");
  try {
    return base64Of(
      await writeRgbPng(width, height, async (y, out) => {
        // The reader gives `height` rows, or throws.
        const [, row] = (await rows.next()).value as [number, PixelRow];
        out.set(row.rgb);
        if (marks) mark(marks, row, y * width);
      }),
    );
  } finally {
    await rows.return();
  }
}

/** A variation's image (Nova Canvas's and Titan's IMAGE_VARIATION), read and made Bedrock's as an edit's is. */
export async function variationImage(image: ImageInput): Promise<string> {
  return sentImage(await readPicture(image));
}

/** Bedrock's mask, a row at a time: `mark` (0 black, 255 white) where `marks` has a pixel's bit, the other elsewhere. */
function maskRow(marks: Uint8Array, width: number, mark: 0 | 255): (y: number, row: Uint8Array) => void {
  return (y, row) => {
    row.fill(255 - mark);
    for (let x = 0, pixel = y * width; x < width; x++, pixel++) {
      if ((marks[pixel >> 3] as number) & (1 << (pixel & 7))) {
        // Three stores, not a fill call a pixel: a transparent 4 M pixels took a quarter second so.
        row[x * 3] = mark;
        row[x * 3 + 1] = mark;
        row[x * 3 + 2] = mark;
      }
    }
  };
}

/** A PNG's chunks and header checked; a 400 naming `field` for what is wrong with them. */
function pngOf(bytes: Uint8Array, field: string): PngRows {
  try {
    return openPng(bytes, { maxPixels: MAX_INPUT_PIXELS });
  } catch (error) {
    throw pngError(error, field);
  }
}

/** A PNG's rows, numbered; a 400 naming `field` for what is wrong with its pixel data. */
async function* rowsOf(png: PngRows, field: string): AsyncGenerator<[number, PixelRow], void, undefined> {
  let y = 0;
  try {
    for await (const row of png.rows()) yield [y++, row];
  } catch (error) {
    throw pngError(error, field);
  }
}

function pngError(error: unknown, field: string): unknown {
  if (error instanceof PngProblem) return notAnImage(field, `it is not a PNG this proxy reads: ${error.message}`);
  return error;
}

function notAnImage(field: string, why: string) {
  return invalidRequest(`${field} cannot be used: ${why}.`, field, "invalid_image");
}

/** A JPEG's size, read from its frame header (SOFn); a 400 naming `image` for anything else. */
function jpegOf(bytes: Uint8Array): { width: number; height: number } {
  const why = "it is neither a PNG nor a JPEG, the formats Bedrock's image models take";
  if (bytes[0] !== 0xff || bytes[1] !== 0xd8) throw notAnImage("image", why);
  let at = 2;
  // Every segment has a length, so the walk moves forward on each step and ends with the bytes.
  while (at + 9 < bytes.length) {
    if (bytes[at] !== 0xff) break;
    const marker = bytes[at + 1] as number;
    if (marker === 0xff) {
      at += 1;
      continue;
    }
    const length = ((bytes[at + 2] as number) << 8) | (bytes[at + 3] as number);
    // SOF0 to SOF15, but DHT (C4), JPG (C8) and DAC (CC), which share the range.
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      const height = ((bytes[at + 5] as number) << 8) | (bytes[at + 6] as number);
      const width = ((bytes[at + 7] as number) << 8) | (bytes[at + 8] as number);
      if (width === 0 || height === 0) throw notAnImage("image", "its JPEG frame header gives no size");
      if (width * height > MAX_INPUT_PIXELS) {
        throw notAnImage(
          "image",
          `it is ${width}x${height}, more than the ${MAX_INPUT_PIXELS} pixels an image may have here`,
        );
      }
      return { width, height };
    }
    if (length < 2) break;
    at += 2 + length;
  }
  throw notAnImage("image", "it is a JPEG without a frame header (SOF) before its end");
}

/** An input's bytes, its size checked before it is read. */
async function inputBytes(input: ImageInput, field: string): Promise<Uint8Array> {
  const tooLarge = (bytes: number) =>
    invalidRequest(
      `${field} is ${bytes} bytes, more than the ${MAX_INPUT_BYTES} an image may have here.`,
      field,
      "image_too_large",
    );
  if (typeof input === "string") {
    const parts = dataUrlParts(input);
    if (!parts) throw notAnImage(field, "it is a string that is not a base64 data URL (data:image/png;base64,…)");
    if (parts.body.length > (MAX_INPUT_BYTES / 3) * 4 + 4096) throw tooLarge(Math.floor((parts.body.length * 3) / 4));
    const base64 = dataUrlBase64(parts.body);
    if (typeof base64 !== "string") throw notAnImage(field, `its base64 does not decode: ${base64.problem}`);
    const bytes = bytesOf(base64);
    if (bytes.length > MAX_INPUT_BYTES) throw tooLarge(bytes.length);
    return bytes;
  }
  const size = input instanceof Blob ? input.size : input.byteLength;
  if (size > MAX_INPUT_BYTES) throw tooLarge(size);
  if (size === 0) throw notAnImage(field, "it is empty");
  if (input instanceof Blob) return new Uint8Array(await input.arrayBuffer());
  return input instanceof Uint8Array ? input : new Uint8Array(input);
}

/** Canonical base64 (dataUrlBase64's) as bytes. */
function bytesOf(base64: string): Uint8Array {
  const binary = atob(base64);
  const bytes = new Uint8Array(binary.length);
  for (let index = 0; index < binary.length; index++) bytes[index] = binary.charCodeAt(index);
  return bytes;
}

/** Bytes as base64: btoa of a binary string made 32 KiB at a time (no argument list past an engine's limit). */
function base64Of(bytes: Uint8Array): string {
  const pieces: string[] = [];
  for (let at = 0; at < bytes.length; at += 32_768) {
    pieces.push(String.fromCharCode(...bytes.subarray(at, at + 32_768)));
  }
  return btoa(pieces.join(""));
}
