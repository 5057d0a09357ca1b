import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { useWalkthrough } from "../support.mjs";

describe("weight matrices", () => {
  const ctx = useWalkthrough();

  it("Q, K, V and output steps reveal the model's own W matrices on request", async () => {
    const { app } = ctx;
    await app.open();
    await app.waitUntilReady();
    await app.setText("The king spoke to the people.");
    const heatmap = (name) => app.page.locator(`[data-testid="heatmap"][data-name="${name}"]`);

    await app.goToStep("qkv");
    assert.equal(await heatmap("W_Q").count(), 0, "hidden until asked for");
    await app.page.getByTestId("weights-toggle").click();
    for (const name of ["W_Q", "W_K", "W_V"]) {
      await heatmap(name).waitFor();
      const shape = await app.heatmapShape(heatmap(name));
      assert.equal(shape.rows, shape.cols, `${name} is square (d_model × d_model)`);
      assert.equal(shape.cells, shape.rows * shape.cols);
    }
    const q = await app.heatmapShape(app.page.locator('[data-testid="heatmap"][data-name="Q"]'));
    assert.equal((await app.heatmapShape(heatmap("W_Q"))).cols, q.cols, "W_Q has one column per column of Q");

    await app.goToStep("output");
    await heatmap("W_O").waitFor();
    await app.page.getByTestId("weights-toggle").click();
    await heatmap("W_O").waitFor({ state: "detached" });
  });
});
