// The model JSON text inside an InvokeModelWithResponseStream `chunk` payload,
// `{"bytes":"<base64 of the model JSON>","p":"<padding>"}`. Bedrock always writes it in that one
// shape, so it is read straight from the payload's bytes: no text of the payload, no object from
// JSON.parse, no atob string, three allocations and two runtime calls fewer per chunk. Any other
// shape (whitespace, escapes, other keys, base64 atob would refuse) takes the general way, which
// gives the same text or none.

const decoder = new TextDecoder();

const QUOTE = 0x22;
const CLOSE = 0x7d;
const PAD = 0x3d;
/** `{"bytes":"` */
const OPENING = [0x7b, 0x22, 0x62, 0x79, 0x74, 0x65, 0x73, 0x22, 0x3a, 0x22];
/** `,"p":"` */
const PADDING_KEY = [0x2c, 0x22, 0x70, 0x22, 0x3a, 0x22];

/** Base64 digit values by character code; -1 outside the alphabet. */
const DIGITS = /* @__PURE__ */ (() => {
  const digits = new Int8Array(256).fill(-1);
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  for (let i = 0; i < alphabet.length; i++) digits[alphabet.charCodeAt(i)] = i;
  return digits;
})();

/** Reused for decoded bytes up to this size; a larger chunk gets its own buffer, not kept. */
const SCRATCH_BYTES = 16 * 1024;
let scratch: Uint8Array | undefined;

function startsWith(bytes: Uint8Array, at: number, expected: readonly number[]): boolean {
  if (at + expected.length > bytes.length) return false;
  for (let i = 0; i < expected.length; i++) if (bytes[at + i] !== expected[i]) return false;
  return true;
}

/** Whether bytes[at, end) is `}` or `,"p":"<letters and digits>"}`: the rest of the plain shape. */
function plainTail(bytes: Uint8Array, at: number, end: number): boolean {
  if (at === end - 1) return bytes[at] === CLOSE;
  if (!startsWith(bytes, at, PADDING_KEY)) return false;
  let i = at + PADDING_KEY.length;
  for (; i < end; i++) {
    const c = bytes[i]!;
    if (!((c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a))) break;
  }
  return i === end - 2 && bytes[i] === QUOTE && bytes[i + 1] === CLOSE;
}

/**
 * The model JSON text of a payload in the plain shape, decoded as atob and a UTF-8 decode would
 * (trailing bits ignored, a leading BOM dropped); undefined for any other payload.
 */
export function plainChunkText(body: Uint8Array): string | undefined {
  if (!startsWith(body, 0, OPENING)) return undefined;
  const start = OPENING.length;
  let end = start;
  while (end < body.length && DIGITS[body[end]!]! >= 0) end++;
  let pads = 0;
  while (pads < 2 && body[end + pads] === PAD) pads++;
  if (body[end + pads] !== QUOTE || !plainTail(body, end + pads + 1, body.length)) return undefined;
  const digits = end - start;
  // What atob refuses: padding that does not make whole quads, or one digit left over.
  if ((pads > 0 && (digits + pads) % 4 !== 0) || digits % 4 === 1) return undefined;
  const size = (digits * 3) >> 2;
  let out: Uint8Array;
  if (size > SCRATCH_BYTES) out = new Uint8Array(size);
  else {
    scratch ??= new Uint8Array(SCRATCH_BYTES);
    out = scratch;
  }
  let o = 0;
  let i = start;
  for (const whole = start + (digits & ~3); i < whole; i += 4) {
    const quad =
      (DIGITS[body[i]!]! << 18) | (DIGITS[body[i + 1]!]! << 12) | (DIGITS[body[i + 2]!]! << 6) | DIGITS[body[i + 3]!]!;
    out[o++] = quad >> 16;
    out[o++] = quad >> 8;
    out[o++] = quad;
  }
  if (i < end) {
    // Two or three digits left: one or two bytes.
    const pair = (DIGITS[body[i]!]! << 6) | DIGITS[body[i + 1]!]!;
    out[o++] = pair >> 4;
    if (end - i === 3) out[o++] = (pair << 4) | (DIGITS[body[i + 2]!]! >> 2);
  }
  return decoder.decode(out.subarray(0, o));
}
