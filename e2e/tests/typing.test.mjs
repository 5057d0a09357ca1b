import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { useWalkthrough } from "../support.mjs";

describe("typing", () => {
  const ctx = useWalkthrough();

  it("typing a sentence updates the tokens and the heatmaps", async () => {
    const { app } = ctx;
    await app.open();
    await app.waitUntilReady();
    await app.setText("Hi");
    const shortCount = await app.tokens.count();

    await app.textInput.fill("");
    await app.typeText("The cat sat on the mat because it was warm.");
    const tokens = await app.tokenTexts();
    assert.ok(tokens.length > shortCount, `more tokens for a longer sentence (${shortCount} → ${tokens.length})`);
    assert.match(tokens[0], /CLS/);
    assert.match(tokens.at(-1), /SEP/);

    await app.goToStep("scores");
    const scores = await app.heatmapShape(app.scoreHeatmap);
    assert.equal(scores.rows, tokens.length, "one score row per token");
    assert.equal(scores.cols, tokens.length, "one score column per token");
    assert.equal(scores.cells, scores.rows * scores.cols);

    // Shorter text: the heatmap follows.
    await app.setText("Bonjour");
    const fewer = await app.tokens.count();
    assert.ok(fewer < tokens.length);
    assert.equal((await app.heatmapShape(app.scoreHeatmap)).rows, fewer);
  });

  it("example buttons fill the text and run the model", async () => {
    const { app } = ctx;
    await app.open();
    await app.waitUntilReady();
    assert.ok((await app.examples.count()) > 0, "at least one example");
    await app.setText("x");
    const run = await app.currentRun();
    await app.examples.first().click();
    await app.waitForRunAfter(run);
    const text = await app.textInput.inputValue();
    assert.ok(text.length > 1, "the example filled the textarea");
    assert.ok((await app.tokens.count()) > 2);
    await app.prediction.waitFor();
    assert.match(await app.prediction.innerText(), /\d/, "prediction shows probabilities");
  });

  it("layer and head selects change the attention shown", async () => {
    const { app } = ctx;
    await app.open();
    await app.waitUntilReady();
    await app.setText("The quick brown fox jumps over the lazy dog.");
    await app.goToStep("softmax");
    const snapshot = () =>
      app.heatmaps.first().evaluate((svg) => svg.getAttribute("data-name") + "|" +
        [...svg.querySelectorAll('[data-testid="cell"]')].map((c) => c.getAttribute("aria-label")).join(","));
    const before = await snapshot();
    for (const select of [app.headSelect, app.layerSelect]) {
      const values = await select.locator("option").evaluateAll((options) => options.map((o) => o.value));
      assert.ok(values.length > 1, "more than one option");
      const previous = await snapshot();
      await select.selectOption(values[1]);
      await app.page.waitForFunction(
        (prev) => {
          const svg = document.querySelector('[data-testid="step"] [data-testid="heatmap"]');
          const now = svg?.getAttribute("data-name") + "|" +
            [...(svg?.querySelectorAll('[data-testid="cell"]') ?? [])].map((c) => c.getAttribute("aria-label")).join(",");
          return svg && now !== prev;
        },
        previous,
      );
    }
    assert.notEqual(await snapshot(), before);
  });
});
