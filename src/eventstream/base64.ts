// Base64 -> bytes without atob's intermediate binary string (about twice as fast on the
// payloads of long streams, and the same in every runtime).
const LOOKUP = /* @__PURE__ */ (() => {
  const table = new Uint8Array(256).fill(255);
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  for (let i = 0; i < alphabet.length; i++) table[alphabet.charCodeAt(i)] = i;
  return table;
})();

/** Decodes standard base64 (padding optional); returns undefined for anything else. */
export function decodeBase64(text: string): Uint8Array | undefined {
  let end = text.length;
  while (end > 0 && text.charCodeAt(end - 1) === 61 /* = */) end--;
  if (text.length - end > 2 || end % 4 === 1) return undefined;
  const out = new Uint8Array(Math.floor((end * 3) / 4));
  let o = 0;
  let i = 0;
  for (; i + 4 <= end; i += 4) {
    const a = LOOKUP[text.charCodeAt(i)]!;
    const b = LOOKUP[text.charCodeAt(i + 1)]!;
    const c = LOOKUP[text.charCodeAt(i + 2)]!;
    const d = LOOKUP[text.charCodeAt(i + 3)]!;
    if ((a | b | c | d) > 63) return undefined;
    out[o++] = (a << 2) | (b >> 4);
    out[o++] = ((b & 15) << 4) | (c >> 2);
    out[o++] = ((c & 3) << 6) | d;
  }
  const rest = end - i;
  if (rest > 0) {
    const a = LOOKUP[text.charCodeAt(i)]!;
    const b = LOOKUP[text.charCodeAt(i + 1)]!;
    const c = rest === 3 ? LOOKUP[text.charCodeAt(i + 2)]! : 0;
    if ((a | b | c) > 63) return undefined;
    out[o++] = (a << 2) | (b >> 4);
    if (rest === 3) out[o++] = ((b & 15) << 4) | (c >> 2);
  }
  return out;
}
