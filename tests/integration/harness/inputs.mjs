// Input schemas the tests give their models (issue 23, docs/models.md): a model takes only the
// inputs it declares, so a test that sends more than a prompt declares what it sends.

export const PROMPT = { type: "string", minLength: 1, maxLength: 4000 };

/** A prompt and an optional integer seed. */
export const PROMPT_AND_SEED = {
  type: "object", required: ["prompt"], additionalProperties: false,
  properties: { prompt: PROMPT, seed: { type: "integer", minimum: 0, maximum: 2147483647 } },
};
