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

  it("the score map is one tab stop: arrows move a cell, Enter opens its q·k breakdown, Escape closes it", async () => {
    const { app } = ctx;
    const page = app.page;
    await app.open();
    await app.waitUntilReady();
    await app.setText("La reine parle au roi.");
    await tabTo(page, '[data-testid="step-tab"][data-step="scores"], [data-step="scores"] [data-testid="step-tab"]');
    await page.keyboard.press("Enter");
    await page.locator('[data-testid="step"][data-step="scores"]').waitFor();

    const map = app.scoreHeatmap;
    await tabTo(page, '[data-testid="heatmap"][data-name^="scores"]');
    assert.equal(await map.getAttribute("tabindex"), "0");
    assert.match(await map.getAttribute("aria-label"), /Enter or Space opens the q·k breakdown/);
    // Focus starts on the first cell; arrows move it (and not the step).
    await page.locator('[data-testid="focused-cell"]').waitFor();
    for (const key of ["ArrowDown", "ArrowDown", "ArrowRight", "ArrowRight", "ArrowRight", "ArrowLeft"]) {
      await page.keyboard.press(key);
    }
    await page.waitForFunction(
      (s) => document.querySelector(s)?.getAttribute("data-focus-row") === "2" && document.querySelector(s)?.getAttribute("data-focus-col") === "2",
      '[data-testid="heatmap"][data-name^="scores"]',
    );
    assert.equal(await app.currentStep(), "scores", "arrow keys on the map do not change the step");
    const tokens = await page.locator(".token-text").allTextContents();
    const cellLabel = await map.locator('[data-testid="cell"][data-row="2"][data-col="2"]').getAttribute("aria-label");
    const announced = await page.getByTestId("cell-announcement").first().textContent();
    assert.equal(announced, cellLabel, "the focused cell is announced");
    assert.ok(announced.includes(`[${tokens[2]}, ${tokens[2]}]`), announced);
    assert.equal(await app.breakdown.count(), 0);

    await page.keyboard.press("Enter");
    await app.breakdown.waitFor();
    const title = await app.breakdown.locator("h3").textContent();
    assert.ok(title.includes(`“${tokens[2]}”`), title);
    const cellValue = Number(cellLabel.split("= ").pop());
    const sum = Number(await app.breakdown.getAttribute("data-sum"));
    const dK = Number(await app.breakdown.getAttribute("data-d-k"));
    assert.ok(Math.abs(sum - cellValue) < 2e-3, `breakdown Σ ${sum} vs cell ${cellValue}`);
    const scaled = Number(await app.breakdown.getAttribute("data-scaled"));
    assert.ok(Math.abs(scaled - sum / Math.sqrt(dK)) < 1e-4, `scaled ${scaled}`);
    // The products in the table add up to the sum.
    const products = await app.breakdown.locator("tbody tr td:nth-child(4)").allTextContents();
    assert.equal(products.length, dK);
    const total = products.map(Number).reduce((a, b) => a + b, 0);
    assert.ok(Math.abs(total - sum) < 0.01 * dK, `Σ products ${total} vs ${sum}`);
    assert.equal(await page.evaluate(() => document.activeElement?.getAttribute("data-name")), await map.getAttribute("data-name"), "focus stays on the map");

    await page.keyboard.press("Escape");
    await app.breakdown.waitFor({ state: "detached" });
    // Space works like Enter, on the cell the keyboard left.
    await page.keyboard.press("ArrowUp");
    await page.keyboard.press(" ");
    await app.breakdown.waitFor();
    assert.ok((await app.breakdown.locator("h3").textContent()).includes(`“${tokens[1]}”`));
  });
});
