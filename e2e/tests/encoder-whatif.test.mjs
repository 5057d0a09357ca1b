import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { useWalkthrough } from "../support.mjs";
import { EncoderPage } from "../pages/encoder.mjs";

// The encoder model is 23 MB: each test loads the page once (a second page in the same browser
// context reads the model from Cache Storage).
describe("what-if on the encoder's step view, and its permalink", () => {
  const ctx = useWalkthrough();

  it("recomputes one head from the real scores: temperature changes the what-if weights, never the model's; the link restores everything", async () => {
    const enc = new EncoderPage(ctx.app.page, ctx.site.url);
    await enc.openAndRun({ text: "Attention is all you need.", view: "steps", layer: 2, head: 3 });
    await enc.goToStep("softmax");
    await enc.whatIf.waitFor();
    assert.match(await enc.whatIf.locator("h3").textContent(), /layer 2, head 3/);
    assert.equal(await enc.whatIf.getAttribute("data-model"), "true");
    assert.equal(await enc.whatIfBanner.count(), 0);

    const model = await enc.cells(enc.stepWeights);
    const real = await enc.cells(enc.whatIfReal);
    const same = await enc.cells(enc.whatIfMine);
    assert.equal(model.length, 8 * 8, "8 tokens");
    assert.deepEqual(real, model, "the panel shows the model's own weights");
    assert.deepEqual(same, real, "the model's recipe on its real scores gives its real weights");

    await enc.whatIfTemperature.fill("3");
    await enc.whatIfBanner.waitFor();
    assert.match(await enc.whatIfBanner.textContent(), /temperature 3/);
    const hot = await enc.cells(enc.whatIfMine);
    assert.notDeepEqual(hot, real, "a temperature of 3 changes the what-if weights");
    assert.deepEqual(await enc.cells(enc.whatIfReal), real, "the panel's real weights stay");
    assert.deepEqual(await enc.cells(enc.stepWeights), model, "the model's weights in the step view stay");
    // Hotter is flatter: higher entropy than the model's.
    const entropy = (await enc.whatIf.getByTestId("whatif-stats").locator("tbody tr").first().locator("td").allTextContents()).map(Number);
    assert.ok(entropy[1] > entropy[0], `${entropy[1]} > ${entropy[0]}`);

    // The panel is there on the scale, mask and context steps too, not on the others.
    for (const step of ["scale", "mask", "context"]) {
      await enc.goToStep(step);
      await enc.whatIf.waitFor();
    }
    await enc.goToStep("scores");
    assert.equal(await enc.whatIf.count(), 0);
    await enc.goToStep("softmax");

    await enc.whatIfScale.uncheck();
    await enc.whatIfSelection.selectOption("topk");
    await enc.page.waitForFunction(() => location.hash.includes("attn=top") && location.hash.includes("scale=off"));
    const link = enc.page.url();
    const params = enc.linkParams();
    assert.equal(params.view, "steps");
    assert.equal(params.step, "softmax");
    assert.equal(params.layer, "2");
    assert.equal(params.head, "3");
    assert.equal(params.temp, "3");
    const after = await enc.cells(enc.whatIfMine);

    const again = new EncoderPage(await ctx.context.newPage(), ctx.site.url);
    again.page.setDefaultTimeout(20_000);
    await again.page.goto(link);
    await again.waitUntilReady();
    await again.page.locator('[data-testid="encoder-view"][data-view="steps"]').waitFor();
    await again.page.locator('[data-testid="step"][data-step="softmax"]:not([data-loading])').waitFor({ timeout: 60_000 });
    await again.whatIf.waitFor();
    assert.equal(await again.layerSelect.inputValue(), "2");
    assert.equal(await again.headSelect.inputValue(), "3");
    assert.equal(await again.textInput.inputValue(), "Attention is all you need.");
    assert.equal(await again.whatIfTemperature.inputValue(), "3");
    assert.equal(await again.whatIfScale.isChecked(), false);
    assert.equal(await again.whatIfSelection.inputValue(), "topk");
    assert.equal(await again.linkProblem.count(), 0, "a good link raises no complaint");
    assert.deepEqual(await again.cells(again.whatIfMine), after, "the same what-if weights");
    assert.deepEqual(await again.cells(again.stepWeights), model, "and the same real ones");
    await again.page.close();
  });

  it("a tampered link says which parts it could not use and shows the defaults", async () => {
    const enc = new EncoderPage(ctx.app.page, ctx.site.url);
    // layer 999 and head 13 are past the model's 6 layers and 12 heads.
    await enc.openAndRun({ text: "Time flies.", layer: 999, head: 13, view: "<img src=x onerror=alert(1)>", step: "nonsense", temp: "99" });
    await enc.linkProblem.waitFor();
    assert.equal(await enc.linkProblem.getAttribute("role"), "status");
    const message = await enc.linkProblem.textContent();
    for (const part of ["layer", "head", "view", "step", "temperature"]) {
      assert.match(message, new RegExp(part), `${part} named in: ${message}`);
    }
    assert.match(message, /could not be used/);
    await enc.page.locator('[data-testid="encoder-view"][data-view="model"]').waitFor();
    assert.equal(await enc.gridCells.count(), 72);
    assert.equal(await enc.page.locator('[data-testid="grid-cell"][aria-pressed="true"]').getAttribute("data-layer"), "0");
    assert.equal(await enc.page.locator('[data-testid="grid-cell"][aria-pressed="true"]').getAttribute("data-head"), "0");
    // The address bar is rewritten to the view shown, so sharing it again shares a good link.
    const params = enc.linkParams();
    assert.deepEqual([params.view, params.layer, params.head, params.temp], ["model", "1", "1", undefined]);
    assert.equal(await enc.textInput.inputValue(), "Time flies.");
    // ctx's afterEach fails the test if a dialog opened (the view name was never run as HTML).
  });
});
