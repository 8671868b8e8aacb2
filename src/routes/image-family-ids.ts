// Which image family a model id names: what the image route knows of its ids before its code is
// loaded, beside route-info.ts. The route's check of a models-table entry (route-info.ts, loaded
// with the client) and the images client (src/images/, loaded on first use) read the same
// patterns, so an id one takes the other cannot refuse.

export type ImageFamily = "nova_canvas" | "titan_image_v2" | "stability" | "stability_inpaint";

// Each matched at a bare id, a cross-region id's or an ARN's last part.
const FAMILY_IDS: readonly (readonly [ImageFamily, RegExp])[] = [
  ["nova_canvas", /(?:^|[/.])amazon\.nova-canvas-v1/],
  ["titan_image_v2", /(?:^|[/.])amazon\.titan-image-generator-v2/],
  ["stability", /(?:^|[/.])stability\.(?:sd3-5-large|stable-image-core|stable-image-ultra)/],
  ["stability_inpaint", /(?:^|[/.])stability\.stable-image-inpaint-v1/],
];

/** The family an id names (a bare id, a cross-region id or an ARN ending in one), if any. */
export function imageFamily(modelId: string): ImageFamily | undefined {
  for (const [family, pattern] of FAMILY_IDS) if (pattern.test(modelId)) return family;
  return undefined;
}
