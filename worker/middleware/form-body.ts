// The multipart body of a POST (image edits and variations): read within the key's limits
// (worker/form-body.ts), then its model checked as a JSON body's is (json-body.ts). An edit may
// also come as JSON (OpenAI's EditImageBodyJsonParam): read as every JSON body is, then made the
// multipart form's request (image-edit-json.ts).
import type { MiddlewareHandler } from "hono";
import { EDIT_MEDIA } from "../../src/core.ts";
import { readJsonBody, unsupportedBody } from "../body.ts";
import type { AppEnv, JsonRequest } from "../context.ts";
import { isMultipartForm, readFormBody } from "../form-body.ts";
import { editFromJson } from "../image-edit-json.ts";
import { admitBody, readHeld } from "./json-body.ts";

export const formBody: MiddlewareHandler<AppEnv> = async (c, next) => {
  const { bodyLimits } = c.get("ready");
  const limits = bodyLimits(c.get("key").models);
  admitBody(c, await readHeld(c, (hold) => readFormBody(c.req.raw, limits, hold)));
  await next();
};

/** application/json, or a +json type (application/merge-patch+json), parameters after it. */
const JSON_TYPE = /^application\/(?:[\w.-]+\+)?json\s*(?:;|$)/i;

export const editBody: MiddlewareHandler<AppEnv> = async (c, next) => {
  const { bodyLimits } = c.get("ready");
  const limits = bodyLimits(c.get("key").models);
  const type = c.req.header("content-type") ?? "";
  if (JSON_TYPE.test(type)) {
    const value = await readHeld(c, (hold) => readJsonBody(c.req.raw, limits, EDIT_MEDIA, hold));
    // The model checked first, as every body's is: an unknown one is a 404 whatever the images.
    admitBody(c, value);
    c.set("body", editFromJson(value) as JsonRequest);
  } else if (isMultipartForm(type)) {
    admitBody(c, await readHeld(c, (hold) => readFormBody(c.req.raw, limits, hold)));
  } else {
    throw unsupportedBody(
      "unsupported_content_type",
      "An image edit is a multipart/form-data body (its images as files), as OpenAI's clients send images.edit, or an application/json one (its images as data URLs in images[].image_url): not a body of another type, nor a multipart one without its boundary.",
    );
  }
  await next();
};
