import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { useWalkthrough } from "../support.mjs";

const cells = (heatmap) => heatmap.locator('[data-testid="cell"]').evaluateAll((rs) =>
  rs.map((r) => Number(r.getAttribute("aria-label").split("= ").pop())));

describe("what-if controls", () => {
  const ctx = useWalkthrough();

  async function openSoftmax(app) {
    await app.open();
    await app.waitUntilReady();
    await app.setText("The king spoke to the people.");
    await app.goToStep("softmax");
    return app.page.getByTestId("whatif");
  }

  it("with the model's settings the recomputed weights equal the real ones; each control departs and says so", async () => {
    const { app } = ctx;
    const panel = await openSoftmax(app);
    const real = panel.locator('[data-testid="heatmap"][data-name^="real weights"]');
    const mine = panel.locator('[data-testid="heatmap"][data-name^="what-if weights"]');
    assert.equal(await panel.getAttribute("data-model"), "true");
    assert.equal(await panel.getByTestId("whatif-banner").count(), 0);
    assert.deepEqual(await cells(mine), await cells(real), "same recipe, same weights (to 3 decimals)");

    // Temperature: hotter is flatter (higher entropy) and the banner names it.
    await panel.getByTestId("whatif-temperature").fill("4");
    await panel.getByTestId("whatif-banner").waitFor();
    assert.match(await panel.getByTestId("whatif-banner").textContent(), /temperature 4/);
    const stats = async () => (await panel.getByTestId("whatif-stats").locator("tbody tr").first().locator("td").allTextContents()).map(Number);
    const [modelEntropy, hotEntropy] = await stats();
    assert.ok(hotEntropy > modelEntropy, `${hotEntropy} > ${modelEntropy}`);

    // Hard attention: one 1 per row, the rest 0.
    await panel.getByTestId("whatif-selection").selectOption("argmax");
    const hard = await cells(mine);
    const n = Math.round(Math.sqrt(hard.length));
    for (let i = 0; i < n; i++) {
      const row = hard.slice(i * n, (i + 1) * n);
      assert.equal(row.filter((v) => v === 1).length, 1, `row ${i}: ${row}`);
    }
    assert.match(await panel.getByTestId("whatif-banner").textContent(), /argmax/);

    // Causal mask: nothing above the diagonal.
    await panel.getByTestId("whatif-selection").selectOption("soft");
    await panel.getByTestId("whatif-mask").selectOption("causal");
    const causal = await cells(mine);
    for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) assert.equal(causal[i * n + j], 0);
    assert.ok(Number(await panel.getByTestId("whatif-shift").getAttribute("data-value")) > 0, "the head's output moved");

    // Back to the model: the banner goes and the maps agree again; the real map never changed.
    const realBefore = await cells(real);
    await panel.getByTestId("whatif-reset").click();
    await panel.getByTestId("whatif-banner").waitFor({ state: "detached" });
    assert.deepEqual(await cells(mine), realBefore);
  });

  it("a painted mask hides the clicked key, and the settings survive in the link", async () => {
    const { app } = ctx;
    const panel = await openSoftmax(app);
    const mine = panel.locator('[data-testid="heatmap"][data-name^="what-if weights"]');
    await panel.getByTestId("whatif-mask").selectOption("custom");
    await mine.locator('[data-testid="cell"][data-row="1"][data-col="2"]').click();
    const painted = await cells(mine);
    const n = Math.round(Math.sqrt(painted.length));
    assert.equal(painted[1 * n + 2], 0, "the clicked key gets no weight");
    const sum = painted.slice(n, 2 * n).reduce((a, b) => a + b, 0);
    assert.ok(Math.abs(sum - 1) < 0.01, `row 1 still sums to 1 (${sum})`);
    await panel.getByTestId("whatif-scale").uncheck();
    await app.page.waitForFunction(() => location.hash.includes("scale=off") && location.hash.includes("mask=custom"));

    const other = await ctx.context.newPage();
    await other.goto(app.page.url());
    await other.locator('[data-testid="model-status"][data-state="ready"]').waitFor({ timeout: 60_000 });
    const again = other.getByTestId("whatif");
    await again.getByTestId("whatif-banner").waitFor();
    assert.equal(await again.getByTestId("whatif-scale").isChecked(), false);
    assert.equal(await again.getByTestId("whatif-mask").inputValue(), "custom");
    assert.deepEqual(await cells(again.locator('[data-testid="heatmap"][data-name^="what-if weights"]')), await cells(mine));
    await other.close();
  });

  it("the analysis table lists every layer and head", async () => {
    const { app } = ctx;
    await openSoftmax(app);
    const rows = app.page.getByTestId("analysis-table").locator("tbody tr");
    assert.equal(await rows.count(), 2 * 4, "2 layers × 4 heads");
    const entropy = Number(await rows.first().locator("td").nth(1).textContent());
    assert.ok(entropy >= 0 && entropy <= Math.log(64));
  });
});
