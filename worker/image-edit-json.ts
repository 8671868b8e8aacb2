// The JSON form of an image edit (OpenAI's EditImageBodyJsonParam): its images and mask as
// references, `{image_url}` or `{file_id}`, made the request the library's edit() takes, as the
// multipart form's fields are (form-body.ts). Only a data URL is taken: this server has no Files
// API for a file_id to name, and the proxy fetches nothing, so an http(s) URL is refused too.
// Every other field is the library's already, typed as JSON types it.
import { invalidRequest } from "../src/core.ts";

const SEND_DATA_URL = "send the image's bytes as a base64 data URL in image_url (data:image/png;base64,…)";

/** A JSON edit body as the library's request: images[0].image_url its image, mask.image_url its mask. */
export function editFromJson(body: Record<string, unknown>): Record<string, unknown> {
  const { images, mask, ...fields } = body;
  const request: Record<string, unknown> = { ...fields };
  if (images != null) {
    if ("image" in fields) throw invalidRequest("Send the image in images, not also in image.", "image");
    if (!Array.isArray(images)) throw invalidRequest("images must be an array of {image_url} objects.", "images");
    const urls = images.map((reference, index) => dataUrlOf(reference, `images[${index}]`));
    // The library's words for multipart's two images, naming the JSON field.
    if (urls.length !== 1) {
      throw invalidRequest("images must hold one image: Bedrock's image models edit one image at a time.", "images");
    }
    request.image = urls[0];
  }
  if (mask != null) request.mask = dataUrlOf(mask, "mask");
  return request;
}

/** An ImageRefParam's data URL; the 400 naming its field for a file_id, a web address or anything else. */
function dataUrlOf(reference: unknown, where: string): string {
  if (typeof reference !== "object" || reference === null || Array.isArray(reference)) {
    throw invalidRequest(`${where} must be an object with image_url: ${SEND_DATA_URL}.`, where);
  }
  const { image_url, file_id } = reference as Record<string, unknown>;
  if (file_id != null) {
    throw invalidRequest(
      `${where}.file_id names a file uploaded to OpenAI's Files API, which this server does not have: ${SEND_DATA_URL}.`,
      `${where}.file_id`,
      "unsupported_parameter",
    );
  }
  if (typeof image_url !== "string") {
    throw invalidRequest(`${where}.image_url is required: ${SEND_DATA_URL}.`, `${where}.image_url`);
  }
  if (/^https?:/i.test(image_url.trimStart())) {
    throw invalidRequest(
      `${where}.image_url is a web address, and this proxy fetches nothing: ${SEND_DATA_URL}.`,
      `${where}.image_url`,
      "unsupported_parameter",
    );
  }
  return image_url;
}
