/// <reference types="node" />
// SigV4's hashes on node:crypto, for createBedrock({ signingCrypto }): synchronous, where
// WebCrypto's digest and sign each take a trip through Node's thread pool. The signature is the
// same byte for byte (node/signing-crypto.test.ts); only what computes the hashes differs.
import { createHash, createHmac } from "node:crypto";
import type { SigningCrypto } from "../src/aws/sign.ts";

export const nodeSigningCrypto: SigningCrypto = {
  sha256Hex: (text) => createHash("sha256").update(text, "utf8").digest("hex"),
  hmacSha256: (key, text) => {
    const digest = createHmac("sha256", typeof key === "string" ? key : new Uint8Array(key))
      .update(text, "utf8")
      .digest();
    return digest.buffer.slice(digest.byteOffset, digest.byteOffset + digest.byteLength);
  },
};
