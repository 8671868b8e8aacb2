// PNG in and out for image edits, web-standard APIs only: a reader that takes a PNG's pixels as
// 8-bit RGB and its alpha (every colour type, bit depths 1 to 16, tRNS, the five row filters,
// Adam7 interlacing; IDAT inflated with DecompressionStream), and a writer of 8-bit RGB PNGs (CompressionStream).
// A PNG is a client's bytes: every size is bounded before anything is allocated from it, and
// whatever is wrong is a PngProblem the caller turns into a 400 naming its field.
// The reader goes a row at a time (openPng): the pixel data inflated as it is read, each row
// unfiltered against the one before it alone, so that an image of Nova's largest size costs a
// few rows of memory, not its tens of MiB of inflated data (review imgeditr41 #1). An Adam7
// image's rows come in seven passes across the whole image, so it alone is gathered whole, as
// 8-bit RGB and alpha (at most 4 bytes a pixel: 16 MiB at the pixel bound), once its first row
// has been inflated.

/** Why bytes are not a PNG this reads; the caller says which field they came in. */
export class PngProblem extends Error {}

export interface PngPixels {
  width: number;
  height: number;
  /** 3 bytes a pixel, row after row: red, green, blue, each 0-255. */
  rgb: Uint8Array;
  /** 1 byte a pixel (0 fully transparent, 255 opaque); undefined when the PNG has no alpha at all. */
  alpha: Uint8Array | undefined;
}

export interface PngBounds {
  /** The most pixels (width × height) read. */
  maxPixels: number;
}

const SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
/**
 * The most chunks read: real encoders write IDATs of 8 KiB or more, so 16 MiB of PNG is about
 * 2,000 of them. A file of empty 12-byte chunks would otherwise make a loop of a million.
 */
const MAX_CHUNKS = 20_000;

/** Samples a pixel has, by colour type: grey, -, RGB, palette index, grey + alpha, -, RGBA. */
const SAMPLES: Readonly<Record<number, number>> = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 };
/** The bit depths each colour type allows (PNG §11.2.2). */
const DEPTHS: Readonly<Record<number, readonly number[]>> = {
  0: [1, 2, 4, 8, 16],
  2: [8, 16],
  3: [1, 2, 4, 8],
  4: [8, 16],
  6: [8, 16],
};

interface Header {
  width: number;
  height: number;
  depth: number;
  colorType: number;
  interlaced: boolean;
}

/**
 * A sub-image stored whole in the inflated data, rows filtered on their own: the whole image, or
 * one of Adam7's seven passes. Its pixel (x, y) is the image's (x0 + x·dx, y0 + y·dy).
 */
interface Pass {
  /** Where its first row's filter byte is. */
  start: number;
  width: number;
  height: number;
  x0: number;
  y0: number;
  dx: number;
  dy: number;
}

/** Adam7's passes (PNG §8.2): each one's first column and row, and its steps. */
const ADAM7 = [
  [0, 0, 8, 8],
  [4, 0, 8, 8],
  [0, 4, 4, 8],
  [2, 0, 4, 4],
  [0, 2, 2, 4],
  [1, 0, 2, 2],
  [0, 1, 1, 2],
] as const;

/** What the chunks say besides IHDR: the palette, tRNS, and the IDATs' bytes (views, not copies). */
interface Chunks {
  header: Header;
  palette: Uint8Array | undefined;
  transparency: Uint8Array | undefined;
  data: Uint8Array[];
}

/** Whether the bytes start as a PNG does. */
export function isPng(bytes: Uint8Array): boolean {
  return SIGNATURE.every((byte, index) => bytes[index] === byte);
}

/** One row of a PNG's pixels: rgb 3 bytes a pixel, alpha 1 (undefined when the PNG has none). */
export interface PixelRow {
  rgb: Uint8Array;
  alpha: Uint8Array | undefined;
}

/** A PNG whose chunks and header have been checked, its rows still to be read. */
export interface PngRows {
  width: number;
  height: number;
  /** Whether it has alpha: an alpha channel, or tRNS. */
  hasAlpha: boolean;
  /**
   * Its rows, top to bottom, each in arrays the next one reuses; the pixel data's end is checked
   * before the last row is given. Stopped early (break), the inflating stops too.
   */
  rows(): AsyncGenerator<PixelRow, void, undefined>;
}

/** A PNG's chunks and header read (a PngProblem for what is wrong with them); its pixels not yet. */
export function openPng(bytes: Uint8Array, bounds: PngBounds): PngRows {
  const chunks = readChunks(bytes, bounds);
  const { width, height, colorType } = chunks.header;
  const hasAlpha = colorType === 4 || colorType === 6 || chunks.transparency !== undefined;
  return { width, height, hasAlpha, rows: () => pixelRows(chunks, hasAlpha) };
}

/** A PNG's pixels as 8-bit RGB and its alpha, whole; a PngProblem for anything it cannot read. */
export async function readPngPixels(bytes: Uint8Array, bounds: PngBounds): Promise<PngPixels> {
  const png = openPng(bytes, bounds);
  const { width, height } = png;
  const rgb = new Uint8Array(width * height * 3);
  const alpha = png.hasAlpha ? new Uint8Array(width * height) : undefined;
  let y = 0;
  for await (const row of png.rows()) {
    rgb.set(row.rgb, y * width * 3);
    if (row.alpha) alpha?.set(row.alpha, y * width);
    y++;
  }
  return { width, height, rgb, alpha };
}

/** The rows of an image not interlaced, each expanded as it is unfiltered; Adam7's gathered first. */
async function* pixelRows(chunks: Chunks, hasAlpha: boolean): AsyncGenerator<PixelRow, void, undefined> {
  const { header } = chunks;
  const { width, height } = header;
  const { passes, length } = passesOf(header);
  const data = inflatedRows(chunks.data, length);
  try {
    if (header.interlaced) {
      yield* gatheredRows(chunks, passes, data, hasAlpha);
      return;
    }
    const rgb = new Uint8Array(width * 3);
    const alpha = hasAlpha ? new Uint8Array(width) : undefined;
    const row = { rgb, alpha };
    const filtered = new RowUnfilter(header, width);
    for (let y = 0; y < height; y++) {
      const raw = await filtered.next(data, y, y === height - 1);
      expand(raw, { start: 0, width, height: 1, x0: 0, y0: 0, dx: 1, dy: 1 }, chunks, rgb, alpha);
      yield row;
    }
  } finally {
    await data.stop();
  }
}

/**
 * An Adam7 image's rows: its passes' rows unfiltered one by one and expanded into the whole
 * image's 8-bit RGB and alpha (allocated once the first row has been inflated), then given.
 */
async function* gatheredRows(
  chunks: Chunks,
  passes: readonly Pass[],
  data: InflatedRows,
  hasAlpha: boolean,
): AsyncGenerator<PixelRow, void, undefined> {
  const { width, height } = chunks.header;
  let rgb: Uint8Array | undefined;
  let alpha: Uint8Array | undefined;
  for (const [index, pass] of passes.entries()) {
    const filtered = new RowUnfilter(chunks.header, pass.width);
    for (let y = 0; y < pass.height; y++) {
      const last = index === passes.length - 1 && y === pass.height - 1;
      const raw = await filtered.next(data, y, last);
      rgb ??= new Uint8Array(width * height * 3);
      if (hasAlpha) alpha ??= new Uint8Array(width * height);
      const one = { ...pass, height: 1, y0: pass.y0 + y * pass.dy };
      expand(raw, one, chunks, rgb, alpha);
    }
  }
  // Every image has a first pass with a row, so rgb is there.
  const whole = rgb as Uint8Array;
  for (let y = 0; y < height; y++) {
    yield {
      rgb: whole.subarray(y * width * 3, (y + 1) * width * 3),
      alpha: alpha?.subarray(y * width, (y + 1) * width),
    };
  }
}

/** A pass's rows read one at a time from the inflated data and unfiltered against the row before. */
class RowUnfilter {
  private current: Uint8Array;
  private previous: Uint8Array;
  private readonly stride: number;
  private readonly bpp: number;

  constructor(header: Header, width: number) {
    this.stride = rowBytes(header, width);
    this.bpp = bytesPerPixel(header);
    this.current = new Uint8Array(this.stride + 1);
    this.previous = new Uint8Array(this.stride + 1);
  }

  /** Row `y` of the pass, its filter byte first; `last`: the data must end with it. */
  async next(data: InflatedRows, y: number, last: boolean): Promise<Uint8Array> {
    [this.previous, this.current] = [this.current, this.previous];
    await data.fill(this.current);
    if (last) await data.end();
    unfilterRow(this.current, y > 0 ? this.previous : undefined, this.stride, this.bpp, y);
    return this.current;
  }
}

/** The passes the pixel data holds (one, or Adam7's that have pixels), and its length. */
function passesOf(header: Header): { passes: Pass[]; length: number } {
  const layouts = header.interlaced ? ADAM7 : ([[0, 0, 1, 1]] as const);
  const passes: Pass[] = [];
  let start = 0;
  for (const [x0, y0, dx, dy] of layouts) {
    const width = Math.ceil((header.width - x0) / dx);
    const height = Math.ceil((header.height - y0) / dy);
    // A small image has empty passes, which hold no bytes at all.
    if (width <= 0 || height <= 0) continue;
    passes.push({ start, width, height, x0, y0, dx, dy });
    start += height * (rowBytes(header, width) + 1);
  }
  return { passes, length: start };
}

/** The chunks, checked in order and by CRC; the header's bounds checked before any pixel is read. */
function readChunks(bytes: Uint8Array, bounds: PngBounds): Chunks {
  if (!isPng(bytes)) throw new PngProblem("it is not a PNG (its first bytes are not PNG's signature)");
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let header: Header | undefined;
  let palette: Uint8Array | undefined;
  let transparency: Uint8Array | undefined;
  const data: Uint8Array[] = [];
  let at = SIGNATURE.length;
  for (let count = 0; ; count++) {
    if (count >= MAX_CHUNKS) throw new PngProblem(`it has more than ${MAX_CHUNKS} chunks`);
    if (at + 12 > bytes.length) throw new PngProblem("it ends before its IEND chunk (the file is cut short)");
    const length = view.getUint32(at);
    if (length > bytes.length - at - 12) throw new PngProblem("a chunk runs past the end of the file");
    const type = String.fromCharCode(...bytes.subarray(at + 4, at + 8));
    const body = bytes.subarray(at + 8, at + 8 + length);
    if (crc32(bytes.subarray(at + 4, at + 8 + length)) !== view.getUint32(at + 8 + length)) {
      throw new PngProblem(`its ${type.replace(/[^A-Za-z]/g, "?")} chunk fails its CRC (the file is damaged)`);
    }
    at += 12 + length;
    if (count === 0 && type !== "IHDR") throw new PngProblem("its first chunk is not IHDR");
    if (type === "IHDR") {
      if (header) throw new PngProblem("it has two IHDR chunks");
      header = readHeader(body, bounds);
    } else if (type === "PLTE") {
      if (length === 0 || length % 3 !== 0 || length / 3 > 256) throw new PngProblem("its palette is malformed");
      palette = body;
    } else if (type === "tRNS") {
      transparency = body;
    } else if (type === "IDAT") {
      data.push(body);
    } else if (type === "IEND") {
      break;
    } else if ((type.charCodeAt(0) & 0x20) === 0) {
      // An unknown chunk whose type's first letter is upper case is critical: it cannot be skipped.
      throw new PngProblem(`it has a critical chunk this reader does not know (${type.replace(/[^A-Za-z]/g, "?")})`);
    }
  }
  // The first chunk was IHDR, or the loop threw.
  const checked = header as Header;
  if (data.length === 0) throw new PngProblem("it has no pixel data (no IDAT chunk)");
  if (checked.colorType === 3 && !palette) throw new PngProblem("it is a palette image without a palette (PLTE)");
  return { header: checked, palette, transparency, data };
}

function readHeader(body: Uint8Array, { maxPixels }: PngBounds): Header {
  if (body.length !== 13) throw new PngProblem("its IHDR chunk is malformed");
  const view = new DataView(body.buffer, body.byteOffset, 13);
  const width = view.getUint32(0);
  const height = view.getUint32(4);
  const [depth = 0, colorType = 0, compression, filter, interlace] = body.subarray(8);
  if (width === 0 || height === 0) throw new PngProblem("its width or height is 0");
  if (width * height > maxPixels) {
    throw new PngProblem(`it is ${width}x${height}, more than the ${maxPixels} pixels an image may have here`);
  }
  if (!DEPTHS[colorType]?.includes(depth)) {
    throw new PngProblem(`its colour type ${colorType} with bit depth ${depth} is not one PNG defines`);
  }
  if (compression !== 0 || filter !== 0) throw new PngProblem("its compression or filter method is not PNG's");
  if (interlace !== 0 && interlace !== 1) throw new PngProblem(`its interlace method ${interlace} is not PNG's`);
  return { width, height, depth, colorType, interlaced: interlace === 1 };
}

/** Bytes of one row's samples, `width` pixels wide, without its filter byte. */
function rowBytes({ depth, colorType }: Header, width: number): number {
  return Math.ceil((width * depth * (SAMPLES[colorType] as number)) / 8);
}

/** The filters' unit: bytes of a whole pixel, or 1 below a byte. */
function bytesPerPixel({ depth, colorType }: Header): number {
  return Math.max(1, (depth * (SAMPLES[colorType] as number)) / 8);
}

/** The pixel data inflated as it is read, handed out a row at a time. */
interface InflatedRows {
  /** Fills `row` with the next bytes; a PngProblem if the data ends first or does not inflate. */
  fill(row: Uint8Array): Promise<void>;
  /** Checks that nothing follows what was read. */
  end(): Promise<void>;
  /** Stops inflating (after the end, or when the rows are left early). */
  stop(): Promise<void>;
}

/**
 * The IDATs inflated (zlib, as PNG stores them) into exactly `expected` bytes, a piece at a time:
 * more is refused as soon as it comes (a small file may inflate to gigabytes), and less too. Only
 * the piece DecompressionStream gave last is held, never `expected` bytes.
 */
function inflatedRows(data: readonly Uint8Array[], expected: number): InflatedRows {
  // The IDATs as one stream, as zlib wrote them across chunks.
  const inflated = new Blob(data as Uint8Array<ArrayBuffer>[]).stream().pipeThrough(new DecompressionStream("deflate"));
  const reader = inflated.getReader();
  let piece: Uint8Array = new Uint8Array(0);
  let at = 0;
  let received = 0;
  /** The next piece, or undefined at the end. */
  const read = async (): Promise<Uint8Array | undefined> => {
    let next: ReadableStreamReadResult<Uint8Array>;
    try {
      next = await reader.read();
    } catch {
      throw new PngProblem("its pixel data does not inflate (the file is damaged)");
    }
    if (next.done) return undefined;
    received += next.value.length;
    if (received > expected) throw new PngProblem("its pixel data inflates to more than its size holds");
    return next.value;
  };
  return {
    async fill(row) {
      for (let filled = 0; filled < row.length; ) {
        if (at === piece.length) {
          const next = await read();
          if (!next) throw new PngProblem("its pixel data ends before its last row");
          piece = next;
          at = 0;
        }
        const count = Math.min(row.length - filled, piece.length - at);
        row.set(piece.subarray(at, at + count), filled);
        filled += count;
        at += count;
      }
    },
    async end() {
      if (at < piece.length || (await read()) !== undefined) {
        throw new PngProblem("its pixel data inflates to more than its size holds");
      }
    },
    async stop() {
      await reader.cancel().catch(() => undefined);
    },
  };
}

/**
 * Undoes a row's filter in place (PNG §9): None, Sub, Up, Average, Paeth. `raw` is the row with
 * its filter byte first, `previous` the row above unfiltered (undefined for a pass's first row,
 * whose "above" is zeros). A loop per filter: 4 M pixels take a tenth of the time a predictor
 * call per byte took.
 */
function unfilterRow(raw: Uint8Array, previous: Uint8Array | undefined, stride: number, bpp: number, y: number): void {
  const filter = raw[0];
  const end = stride + 1;
  if (filter === 0) return;
  if (filter === 1) {
    for (let at = 1 + bpp; at < end; at++) raw[at] = ((raw[at] as number) + (raw[at - bpp] as number)) & 0xff;
  } else if (filter === 2) {
    if (!previous) return;
    for (let at = 1; at < end; at++) raw[at] = ((raw[at] as number) + (previous[at] as number)) & 0xff;
  } else if (filter === 3) {
    for (let at = 1; at < end; at++) {
      const left = at - bpp >= 1 ? (raw[at - bpp] as number) : 0;
      const b = previous ? (previous[at] as number) : 0;
      raw[at] = ((raw[at] as number) + ((left + b) >> 1)) & 0xff;
    }
  } else if (filter === 4) {
    for (let at = 1; at < end; at++) {
      const hasLeft = at - bpp >= 1;
      const a = hasLeft ? (raw[at - bpp] as number) : 0;
      const b = previous ? (previous[at] as number) : 0;
      const c = previous && hasLeft ? (previous[at - bpp] as number) : 0;
      raw[at] = ((raw[at] as number) + paeth(a, b, c)) & 0xff;
    }
  } else {
    throw new PngProblem(`row ${y} has filter type ${filter}, which PNG does not define`);
  }
}

function paeth(a: number, b: number, c: number): number {
  const p = a + b - c;
  const pa = Math.abs(p - a);
  const pb = Math.abs(p - b);
  const pc = Math.abs(p - c);
  if (pa <= pb && pa <= pc) return a;
  return pb <= pc ? b : c;
}

/** A pass's unfiltered rows into the image's 8-bit RGB and alpha, whatever the colour type and depth. */
function expand(
  raw: Uint8Array,
  pass: Pass,
  { header, palette, transparency }: Chunks,
  rgb: Uint8Array,
  alpha: Uint8Array | undefined,
): void {
  const { depth, colorType } = header;
  const samples = SAMPLES[colorType] as number;
  const stride = rowBytes(header, pass.width);
  if (depth === 8 && colorType !== 3 && !transparency) {
    expandBytes(raw, pass, header, rgb, alpha);
    return;
  }
  const max = (1 << depth) - 1;
  // Sample `index` of the row starting at `row`, at its own depth (0 to max).
  const sample = (row: number, index: number): number => {
    if (depth === 8) return raw[row + index] as number;
    if (depth === 16) return ((raw[row + 2 * index] as number) << 8) | (raw[row + 2 * index + 1] as number);
    const bit = index * depth;
    return ((raw[row + (bit >> 3)] as number) >> (8 - depth - (bit & 7))) & max;
  };
  // A sample scaled to 8 bits (PNG §13.12: the most significant bits of 16, replicated bits below 8).
  const scale = (value: number) => (depth === 16 ? value >> 8 : Math.round((value * 255) / max));
  // An alpha the same, but at 16 bits only 0 stays 0: "fully transparent" is alpha 0 exactly, and
  // 1 to 255 of 65535 is not (imgeditr41 #5).
  const opacityOf = (value: number) => (depth === 16 && value > 0 ? Math.max(1, value >> 8) : scale(value));
  const key = transparentKey(colorType, transparency);
  for (let y = 0; y < pass.height; y++) {
    const row = y * (stride + 1) + 1;
    for (let x = 0; x < pass.width; x++) {
      const pixel = (pass.y0 + y * pass.dy) * header.width + pass.x0 + x * pass.dx;
      const first = sample(row, x * samples);
      let red: number;
      let green: number;
      let blue: number;
      let opacity = 255;
      if (colorType === 3) {
        const entry = palette as Uint8Array;
        if (first * 3 + 2 >= entry.length) {
          throw new PngProblem(`a pixel names palette entry ${first}, past its palette`);
        }
        red = entry[first * 3] as number;
        green = entry[first * 3 + 1] as number;
        blue = entry[first * 3 + 2] as number;
        opacity = transparency?.[first] ?? 255;
      } else if (colorType === 0 || colorType === 4) {
        red = green = blue = scale(first);
        if (colorType === 4) opacity = opacityOf(sample(row, x * 2 + 1));
        else if (key && first === key[0]) opacity = 0;
      } else {
        const second = sample(row, x * samples + 1);
        const third = sample(row, x * samples + 2);
        [red, green, blue] = [scale(first), scale(second), scale(third)];
        if (colorType === 6) opacity = opacityOf(sample(row, x * 4 + 3));
        else if (key && first === key[0] && second === key[1] && third === key[2]) opacity = 0;
      }
      rgb[pixel * 3] = red;
      rgb[pixel * 3 + 1] = green;
      rgb[pixel * 3 + 2] = blue;
      if (alpha) alpha[pixel] = opacity;
    }
  }
}

/**
 * expand's common case, 8-bit samples without a palette or tRNS, one index walked per output:
 * the general loop's per-sample calls cost 4 M pixels half a second.
 */
function expandBytes(
  raw: Uint8Array,
  pass: Pass,
  { width, colorType }: Header,
  rgb: Uint8Array,
  alpha: Uint8Array | undefined,
): void {
  const samples = SAMPLES[colorType] as number;
  const grey = colorType === 0 || colorType === 4;
  for (let y = 0; y < pass.height; y++) {
    let at = y * (pass.width * samples + 1) + 1;
    let pixel = (pass.y0 + y * pass.dy) * width + pass.x0;
    for (let x = 0; x < pass.width; x++, pixel += pass.dx, at += samples) {
      const out = pixel * 3;
      rgb[out] = raw[at] as number;
      rgb[out + 1] = raw[grey ? at : at + 1] as number;
      rgb[out + 2] = raw[grey ? at : at + 2] as number;
      if (alpha) alpha[pixel] = raw[at + samples - 1] as number;
    }
  }
}

/** tRNS of a grey or RGB image: the one sample value (or RGB triple) that is fully transparent. */
function transparentKey(colorType: number, transparency: Uint8Array | undefined): number[] | undefined {
  if (!transparency || colorType === 3) return undefined;
  const values = colorType === 0 ? 1 : colorType === 2 ? 3 : 0;
  if (values === 0) throw new PngProblem("it has a tRNS chunk, which an image with an alpha channel may not");
  if (transparency.length !== values * 2) throw new PngProblem("its tRNS chunk is malformed");
  return Array.from(
    { length: values },
    (_, index) => ((transparency[2 * index] as number) << 8) | (transparency[2 * index + 1] as number),
  );
}

/** About how many bytes of rows writeRgbPng hands the compressor at a time. */
const ROWS_CHUNK_BYTES = 64 * 1024;

/**
 * An 8-bit RGB PNG of `width` × `height`, row `y`'s pixels written by `fillRow(y, row)` (3 bytes a
 * pixel, the filter byte None; what it returns is awaited, as a PNG read a row at a time waits), deflated by
 * CompressionStream as the rows are made: the image's unfiltered bytes are never held whole. What
 * fillRow throws, writeRgbPng throws.
 */
export async function writeRgbPng(
  width: number,
  height: number,
  fillRow: (y: number, row: Uint8Array) => unknown,
): Promise<Uint8Array> {
  const stride = width * 3 + 1;
  const rowsAtOnce = Math.max(1, Math.floor(ROWS_CHUNK_BYTES / stride));
  let next = 0;
  // What fillRow threw, as it was: the stream's error may reach the end otherwise wrapped.
  let failure: { error: unknown } | undefined;
  const rows = new ReadableStream<Uint8Array<ArrayBuffer>>({
    async pull(controller) {
      if (next >= height) {
        controller.close();
        return;
      }
      const count = Math.min(rowsAtOnce, height - next);
      const piece = new Uint8Array(count * stride);
      try {
        for (let index = 0; index < count; index++, next++) {
          await fillRow(next, piece.subarray(index * stride + 1, (index + 1) * stride));
        }
      } catch (error) {
        failure = { error };
        controller.error(error);
        return;
      }
      controller.enqueue(piece);
    },
  });
  let compressed: Uint8Array;
  try {
    compressed = new Uint8Array(await new Response(rows.pipeThrough(new CompressionStream("deflate"))).arrayBuffer());
  } catch (error) {
    throw failure ? failure.error : error;
  }
  const header = new Uint8Array(13);
  const view = new DataView(header.buffer);
  view.setUint32(0, width);
  view.setUint32(4, height);
  header[8] = 8;
  header[9] = 2;
  return joined([
    Uint8Array.from(SIGNATURE),
    chunk("IHDR", header),
    chunk("IDAT", compressed),
    chunk("IEND", new Uint8Array(0)),
  ]);
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

function joined(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

let crcTable: Uint32Array | undefined;

/** PNG's CRC-32 (ISO 3309), its table made on first use. */
function crc32(bytes: Uint8Array): number {
  if (!crcTable) {
    crcTable = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      crcTable[n] = c >>> 0;
    }
  }
  let crc = 0xffffffff;
  for (let index = 0; index < bytes.length; index++) {
    crc = (crcTable[(crc ^ (bytes[index] as number)) & 0xff] as number) ^ (crc >>> 8);
  }
  return (crc ^ 0xffffffff) >>> 0;
}
