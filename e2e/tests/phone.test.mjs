import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { PHONE, STEPS, useWalkthrough } from "../support.mjs";

describe("phone (390 px)", () => {
  const ctx = useWalkthrough({ viewport: PHONE });

  it("no step scrolls the page sideways, even with the longest input", async () => {
    const { app } = ctx;
    await app.open();
    await app.waitUntilReady();
    await app.setText("Supercalifragilisticexpialidocious words and many more tokens to fill the heatmap. ".repeat(8));
    const overflowing = [];
    for (const name of STEPS) {
      await app.goToStep(name);
      const overflow = await app.horizontalOverflow();
      if (overflow > 1) overflowing.push(`${name}: ${overflow}px`);
    }
    assert.deepEqual(overflowing, [], "steps wider than the phone");
  });
});
