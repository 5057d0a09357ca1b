import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { useWalkthrough } from "../support.mjs";

/** Presses Tab until the focused element matches `selector` (at most `limit` presses). */
async function tabTo(page, selector, limit = 80) {
  for (let i = 0; i < limit; i++) {
    await page.keyboard.press("Tab");
    if (await page.evaluate((s) => document.activeElement?.matches(s) ?? false, selector)) return;
  }
  throw new Error(`Tab never reached ${selector}`);
}

describe("keyboard only", () => {
  const ctx = useWalkthrough();

  it("type, pick a step, a layer, a head, a what-if setting and open a table without a mouse", async () => {
    const { app } = ctx;
    const page = app.page;
    await app.open();
    await app.waitUntilReady();

    await tabTo(page, '[data-testid="text-input"]');
    const run = await app.currentRun();
    await page.keyboard.press("Control+A");
    await page.keyboard.type("La reine parle.");
    await app.waitForSettledRun(run);
    assert.deepEqual((await page.locator(".token-text").allTextContents()).slice(0, 2), ["[CLS]", "la"]);

    await tabTo(page, '[data-testid="step-tab"][data-step="softmax"], [data-step="softmax"] [data-testid="step-tab"]');
    await page.keyboard.press("Enter");
    await page.locator('[data-testid="step"][data-step="softmax"]').waitFor();

    await tabTo(page, '[data-testid="layer-select"]');
    await page.keyboard.press("ArrowDown");
    await page.waitForFunction(() => document.querySelector('[data-testid="layer-select"]').value === "2");
    await tabTo(page, '[data-testid="head-select"]');
    await page.keyboard.press("ArrowDown");
    await page.waitForFunction(() => location.hash.includes("layer=2") && location.hash.includes("head=2"));

    // Arrow keys move between steps once focus is off the text box.
    await page.evaluate(() => document.activeElement?.blur?.());
    await page.keyboard.press("ArrowRight");
    await page.locator('[data-testid="step"][data-step="context"]').waitFor();
    await page.keyboard.press("ArrowLeft");
    await page.locator('[data-testid="step"][data-step="softmax"]').waitFor();

    await tabTo(page, '[data-testid="whatif-scale"]');
    await page.keyboard.press("Space");
    await page.getByTestId("whatif-banner").waitFor();
    await tabTo(page, '[data-testid="whatif-reset"]');
    await page.keyboard.press("Enter");
    await page.getByTestId("whatif-banner").waitFor({ state: "detached" });

    await page.evaluate(() => window.scrollTo(0, 0));
    await tabTo(page, '[data-testid="table-toggle"]');
    await page.keyboard.press("Enter");
    await page.getByTestId("heatmap-table").first().waitFor();
  });
});
