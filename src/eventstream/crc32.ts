// CRC-32 (IEEE), of a message's prelude (so that a corrupt length field is refused before the
// bytes it claims are waited for or allocated) and of the whole message. Eight bytes a step
// ("slicing by 8": eight tables, one per byte position of the step): a byte-at-a-time loop
// made checking every answer twice as slow as AWS's codec with Node's native CRC.
const TABLES = /* @__PURE__ */ (() => {
  const tables = new Int32Array(8 * 256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    tables[n] = c;
  }
  for (let n = 0; n < 256; n++) {
    for (let t = 1; t < 8; t++) {
      const previous = tables[(t - 1) * 256 + n]!;
      tables[t * 256 + n] = (previous >>> 8) ^ tables[previous & 0xff]!;
    }
  }
  return tables;
})();

/**
 * CRC-32 of bytes[start, end). `previous` is the CRC of the bytes before them, to continue a
 * checksum: a message's CRC goes on from its prelude's, which was already computed.
 */
export function crc32(bytes: Uint8Array, start = 0, end = bytes.length, previous = 0): number {
  const t = TABLES;
  // Kept a signed 32-bit integer throughout (the tables' too): the loop does no conversions.
  let crc = ~previous;
  let i = start;
  for (const last = end - 7; i < last; i += 8) {
    crc ^= bytes[i]! | (bytes[i + 1]! << 8) | (bytes[i + 2]! << 16) | (bytes[i + 3]! << 24);
    crc =
      t[1792 + (crc & 0xff)]! ^
      t[1536 + ((crc >>> 8) & 0xff)]! ^
      t[1280 + ((crc >>> 16) & 0xff)]! ^
      t[1024 + (crc >>> 24)]! ^
      t[768 + bytes[i + 4]!]! ^
      t[512 + bytes[i + 5]!]! ^
      t[256 + bytes[i + 6]!]! ^
      t[bytes[i + 7]!]!;
  }
  for (; i < end; i++) crc = t[(crc ^ bytes[i]!) & 0xff]! ^ (crc >>> 8);
  return ~crc >>> 0;
}
