// The foundation_model setting, on every route that takes it (converse, embed): the foundation id
// that an id naming no model (an application inference profile, a provisioned model, a custom
// model deployment) serves. A route decides by that id's family, and still calls the entry's own.
// Its checks are here once, so that each route refuses the same values for the same reasons; a
// route says only which foundation ids it knows.
import type { ModelSettingValues } from "../model-settings.ts";
import { foundationModelId } from "./converse/model-family.ts";

// An imported model is served with its own template and is no foundation model: a family named
// for it would be wrong, and would let a client's "signed" thinking reach that template as written.
const IMPORTED_MODEL = /^arn:[^:]+:bedrock:[^:]*:[^:]*:imported-model\//;

/** Whether a model id is an imported model's ARN (Custom Model Import). */
export function isImportedModel(modelId: string): boolean {
  return IMPORTED_MODEL.test(modelId);
}
// A foundation id as Bedrock names it, with a cross-region prefix or not: no ARN, no spaces.
const FOUNDATION_ID_SHAPE = /^[a-z0-9-]+(?:\.[a-z0-9-]+)?\.[A-Za-z0-9][\w.:-]*$/;

/**
 * The id that describes the model for every decision by family: the foundation_model an opaque
 * id's settings name (foundationModelProblem checks it is given for such ids only), else the id
 * itself. Bedrock is still called with the model's own id.
 */
export function describingModelId(modelId: string, settings?: Pick<ModelSettingValues, "foundation_model">): string {
  return settings?.foundation_model ?? modelId;
}

/** The foundation id (without its geography) a foundation_model value names, as Bedrock spells one; else undefined. */
function namedFoundationId(value: string): string | undefined {
  return FOUNDATION_ID_SHAPE.test(value) ? foundationModelId(value) : undefined;
}

/**
 * Why `named` cannot be the foundation_model of `modelId`, or undefined: the id names its model
 * already, or serves an imported one (the two could disagree, or the setting would be wrong); or
 * the value is no foundation id the route knows (`knows`, given the id without its geography),
 * refused in the route's words (`unknown`).
 */
export function foundationModelProblem(
  modelId: string,
  named: string,
  knows: (foundationId: string) => boolean,
  unknown: string,
): string | undefined {
  if (foundationModelId(modelId) || isImportedModel(modelId)) {
    return "foundation_model: this model id names its model already, or serves an imported one (the setting is for ids that name none: application inference profiles, provisioned models, custom model deployments).";
  }
  const id = namedFoundationId(named);
  return id !== undefined && knows(id) ? undefined : unknown;
}
