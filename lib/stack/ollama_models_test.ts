import assert from "node:assert/strict";
import {
  CONCISE_MODEL,
  CONCISE_SYSTEM,
  CONCISE_TEMPERATURE,
  conciseModelfile,
  ensureVariantModels,
  ollamaModels,
  smolModelfile,
} from "./ollama.ts";
import { INTEGRATION, integrationConfig } from "./testing.ts";
import { loadStackConfig } from "./config.ts";

Deno.test("the concise model's Modelfile is SmolLM2's from the same GGUF plus a brief system prompt and a lower temperature", () => {
  const text = conciseModelfile("/m/SmolLM2.gguf");
  assert.ok(
    text.startsWith(smolModelfile("/m/SmolLM2.gguf").trimEnd()),
    "same weights, template, stops",
  );
  assert.ok(text.includes(`SYSTEM """${CONCISE_SYSTEM}"""`));
  assert.ok(text.includes(`PARAMETER temperature ${CONCISE_TEMPERATURE}`));
  assert.ok(CONCISE_TEMPERATURE < 0.7, "lower than the requests' default temperature");
  assert.equal(text.match(/^FROM /gm)?.length, 1);
});

Deno.test("an external Ollama is left as its owner has it", async () => {
  const lines: string[] = [];
  await ensureVariantModels(
    loadStackConfig({ OLLAMA_HOST: "http://127.0.0.1:1" }),
    (l) => lines.push(l),
  );
  assert.deepEqual(lines, []);
});

Deno.test({
  name: "the running stack has both models, the second created from the same GGUF",
  ...INTEGRATION,
  fn: async () => {
    const config = integrationConfig();
    const models = await ollamaModels(config.ollama.host);
    assert.ok(models.includes(config.ollama.model), models.join(", "));
    assert.ok(models.includes(CONCISE_MODEL), `${CONCISE_MODEL} missing: ${models.join(", ")}`);
    const show = await (await fetch(`${config.ollama.host}/api/show`, {
      method: "POST",
      body: JSON.stringify({ model: CONCISE_MODEL }),
    })).json() as { system?: string; details?: { parameter_size?: string } };
    assert.equal(show.system, CONCISE_SYSTEM);
    assert.equal(show.details?.parameter_size, "134.52M");
  },
});
