import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { useWalkthrough } from "../support.mjs";

describe("scores and agreement", () => {
  const ctx = useWalkthrough();

  it("clicking a score cell shows the q·k breakdown", async () => {
    const { app } = ctx;
    await app.open();
    await app.waitUntilReady();
    await app.setText("Where is the library?");
    await app.goToStep("scores");
    const cell = app.scoreHeatmap.locator('[data-testid="cell"][data-row="1"][data-col="2"]');
    assert.match((await cell.getAttribute("aria-label")) ?? "", /-?\d/, "the cell's aria-label carries its value");
    await app.clickScoreCell(1, 2);
    await app.breakdown.waitFor();
    assert.match(await app.breakdown.innerText(), /\d/, "the breakdown shows numbers");
  });

  it("our step-by-step maths agrees with tract", async () => {
    const { app } = ctx;
    await app.open();
    await app.waitUntilReady();
    await app.setText("Les chats dorment au soleil.");
    const { ok, maxDiff } = await app.agreement();
    assert.equal(ok, "true");
    assert.ok(Number.isFinite(maxDiff) && maxDiff < 1e-4, `max |ours − tract| = ${maxDiff}`);
  });
});
