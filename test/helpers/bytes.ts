// Byte plumbing for stream tests: join and cut bodies, replay them as a stream, and a seeded
// random source so that failures reproduce. Frames themselves come from emulator/frames.ts.

export function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.byteLength;
  }
  return out;
}

/** Cuts bytes into pieces at the given offsets. */
export function cut(bytes: Uint8Array, offsets: number[]): Uint8Array[] {
  const sorted = [...new Set(offsets)].filter((o) => o > 0 && o < bytes.byteLength).sort((a, b) => a - b);
  const pieces: Uint8Array[] = [];
  let start = 0;
  for (const offset of [...sorted, bytes.byteLength]) {
    pieces.push(bytes.slice(start, offset));
    start = offset;
  }
  return pieces;
}

/**
 * Every offset at which `length` bytes can be cut in two (1 to length - 1), in consecutive ranges
 * `[first, last]` of at most `size` offsets: a test per range keeps each within its timeout on a
 * slow, shared machine, however long the stream.
 */
export function cuttingRanges(length: number, size: number): Array<[number, number]> {
  const ranges: Array<[number, number]> = [];
  for (let first = 1; first < length; first += size) ranges.push([first, Math.min(first + size - 1, length - 1)]);
  return ranges;
}

/** A deterministic pseudo-random generator (mulberry32), so failures reproduce. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function streamOf(pieces: Uint8Array[]): ReadableStream<Uint8Array> {
  let i = 0;
  return new ReadableStream({
    pull(controller) {
      if (i < pieces.length) controller.enqueue(pieces[i++]!);
      else controller.close();
    },
  });
}
