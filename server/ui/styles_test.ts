import assert from "node:assert/strict";
import { PALETTE } from "../../lib/plots/palette.ts";
import { VERDICT_COLORS } from "../../lib/plots/verdict.ts";

const css = await Deno.readTextFile(new URL("./styles.css", import.meta.url));

function variable(name: string): string | undefined {
  return new RegExp(`--${name}:\\s*(#[0-9a-fA-F]{3,8})\\s*;`).exec(css)?.[1].toLowerCase();
}

Deno.test("the stylesheet's status colours are the charts' palette", () => {
  // badges, KPI tones and table rows (CSS) must match the charts (lib/plots)
  assert.equal(variable("ok"), PALETTE.success);
  assert.equal(variable("drift"), PALETTE.error);
  assert.equal(variable("close"), PALETTE.attention);
  assert.equal(variable("accent"), PALETTE.current);
  assert.deepEqual(
    [variable("ok"), variable("close"), variable("drift")],
    [VERDICT_COLORS.ok, VERDICT_COLORS.close, VERDICT_COLORS.drift],
  );
});
