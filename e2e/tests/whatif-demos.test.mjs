// The what-if panel on the models that export only their weights (forecast, digits,
// translation, recommendation): with the
// model's recipe it reproduces the real weights; a change departs, says so, and does what it says.

import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { useWalkthrough } from "../support.mjs";
import { ForecastPage } from "../pages/forecast.mjs";
import { DigitsPage } from "../pages/digits.mjs";
import { TranslatePage } from "../pages/translate.mjs";
import { RecommendPage } from "../pages/recommend.mjs";

/** Values of a heatmap's cells (from their labels), and its row count. */
async function grid(heatmap) {
  const values = await heatmap.locator('[data-testid="cell"]').evaluateAll((rs) =>
    rs.map((r) => Number(r.getAttribute("aria-label").split("= ").pop().replace("−", "-"))));
  return { values, rows: Number(await heatmap.getAttribute("data-rows")), cols: Number(await heatmap.getAttribute("data-cols")) };
}

async function checkPanel(panel) {
  const real = panel.locator('[data-testid="heatmap"][data-name^="real weights"]');
  const mine = panel.locator('[data-testid="heatmap"][data-name^="what-if weights"]');
  assert.equal(await panel.getAttribute("data-model"), "true");
  assert.deepEqual((await grid(mine)).values, (await grid(real)).values, "the model's recipe gives the model's weights");
  assert.match(await panel.getByTestId("whatif-from-weights").textContent(), /√d_k · ln\(weight\)/);

  await panel.getByTestId("whatif-temperature").fill("0.5");
  await panel.getByTestId("whatif-banner").waitFor();
  assert.match(await panel.getByTestId("whatif-banner").textContent(), /temperature 0\.5/);
  const [modelEntropy, coldEntropy] = (await panel.getByTestId("whatif-stats").locator("tbody tr").first().locator("td").allTextContents()).map(Number);
  assert.ok(coldEntropy < modelEntropy, `colder is sharper: ${coldEntropy} < ${modelEntropy}`);

  await panel.getByTestId("whatif-selection").selectOption("argmax");
  const hard = await grid(mine);
  for (let i = 0; i < hard.rows; i++) {
    const row = hard.values.slice(i * hard.cols, (i + 1) * hard.cols);
    assert.equal(row.filter((v) => v === 1).length, 1, `row ${i} is one-hot`);
  }
  await panel.getByTestId("whatif-reset").click();
  await panel.page().waitForFunction(() => document.querySelector('[data-testid="whatif"]')?.dataset.model === "true");
  assert.deepEqual((await grid(mine)).values, (await grid(real)).values, "back to the model");
}

describe("what-if on models that export only their weights", () => {
  const ctx = useWalkthrough();

  it("forecast: one head's weights over the window", async () => {
    const app = new ForecastPage(ctx.app.page, ctx.app.baseUrl);
    await app.open();
    await app.waitUntilForecast();
    await app.page.getByTestId("whatif-pick-head").waitFor();
    await app.page.getByTestId("head-select").selectOption("1");
    const panel = app.page.getByTestId("whatif");
    await panel.waitFor();
    const g = await grid(panel.locator('[data-testid="heatmap"][data-name^="real weights"]'));
    assert.deepEqual([g.rows, g.cols], [12, 36]);
    await checkPanel(panel);
  });

  it("digits: one head's attention between [CLS] and the 16 patches", async () => {
    const app = new DigitsPage(ctx.app.page, ctx.app.baseUrl);
    await app.open();
    await app.waitUntilReady();
    await app.pickExample(3);
    await app.page.getByTestId("whatif-pick-head").waitFor();
    await app.headViews.nth(7).click(); // layer 2, head 2
    const panel = app.page.getByTestId("whatif");
    await panel.waitFor();
    const g = await grid(panel.locator('[data-testid="heatmap"][data-name^="real weights"]'));
    assert.deepEqual([g.rows, g.cols], [17, 17]);
    await checkPanel(panel);
  });

  it("translation: one head's cross-attention", async () => {
    const app = new TranslatePage(ctx.app.page, ctx.app.baseUrl);
    await app.open();
    await app.waitUntilReady();
    await app.translate("The people went out of the city.");
    await app.translateAll();
    await app.page.getByTestId("whatif-pick-head").waitFor();
    await app.headButtons.nth(1).click(); // head 1
    const panel = app.page.getByTestId("whatif");
    await panel.waitFor();
    const g = await grid(panel.locator('[data-testid="heatmap"][data-name^="real weights"]'));
    assert.equal(g.cols, await app.sourceTokens.count());
    assert.equal(g.rows, await app.targetTokens.count());
    await checkPanel(panel);
  });

  it("recommendation: one head's causal attention over the history", async () => {
    const app = new RecommendPage(ctx.app.page, ctx.app.baseUrl);
    await app.open("h=50-181-172-174-100-127");
    await app.waitUntilReady();
    await app.waitForResult(0);
    await app.page.getByTestId("whatif-pick-head").waitFor();
    await app.headSelect.selectOption("2");
    const panel = app.page.getByTestId("whatif");
    await panel.waitFor();
    const real = await grid(panel.locator('[data-testid="heatmap"][data-name^="real weights"]'));
    assert.deepEqual([real.rows, real.cols], [6, 6]);
    assert.ok(real.values.every((v, k) => k % 6 <= Math.floor(k / 6) || v === 0), "the model's mask is causal");
    // Without the mask the what-if panel cannot reveal the future: those keys stay at 0.
    await panel.getByTestId("whatif-mask").selectOption("none");
    const mine = await grid(panel.locator('[data-testid="heatmap"][data-name^="what-if weights"]'));
    assert.ok(mine.values.every((v, k) => k % 6 <= Math.floor(k / 6) || v === 0));
    await panel.getByTestId("whatif-reset").click();
    await checkPanel(panel);
  });
});
