// Permalinks of the time-series (#/forecast) and image-patches (#/digits) views: the address bar
// follows the view, what-if settings included; opening the link in a fresh page restores exactly
// that view (a drawn digit too, as its 8×8 image); damaged parts say so and fall back.

import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { useWalkthrough } from "../support.mjs";
import { ForecastPage } from "../pages/forecast.mjs";
import { DigitsPage, SHAPES } from "../pages/digits.mjs";

const digitsManifest = JSON.parse(readFileSync(new URL("../../models/digits/manifest.json", import.meta.url), "utf8"));

/** Opens `hash` in a second page of the same browser context, with its own health checks. */
async function reopen(ctx, PageClass, hash) {
  const app = new PageClass(await ctx.context.newPage(), ctx.app.baseUrl);
  await app.page.goto(`${ctx.app.baseUrl}${hash}`);
  return app;
}

describe("forecast and digits links", () => {
  const ctx = useWalkthrough();

  it("forecast: a link restores series, point, step, layer, head and what-if settings", async () => {
    const app = new ForecastPage(ctx.app.page, ctx.app.baseUrl);
    await app.open("series=elnino&t=500&step=3&layer=1&head=2&scale=off&temp=2&attn=top3");
    await app.waitUntilForecast();
    assert.equal(await app.linkProblem.count(), 0);
    assert.equal(await app.seriesSelect.inputValue(), "elnino");
    assert.equal(await app.originSlider.inputValue(), "500");
    assert.equal(await app.stepSelect.inputValue(), "2");
    assert.equal(await app.layerSelect.inputValue(), "0");
    assert.equal(await app.headSelect.inputValue(), "1");
    await app.page.locator('[data-testid="attention-bars"][data-step="2"]').waitFor();
    const panel = app.whatIf;
    await panel.waitFor();
    assert.equal(await panel.getAttribute("data-model"), "false");
    assert.equal(await panel.getByTestId("whatif-scale").isChecked(), false);
    assert.equal(await panel.getByTestId("whatif-temperature").inputValue(), "2");
    assert.equal(await panel.getByTestId("whatif-selection").inputValue(), "topk");
    assert.equal(await panel.getByTestId("whatif-param").inputValue(), "3");

    // Change the view: the address bar follows, and a fresh page opened on it shows the same.
    await app.headSelect.selectOption({ value: "3" });
    await panel.getByTestId("whatif-temperature").fill("0.5");
    await panel.getByTestId("whatif-mask").selectOption("causal");
    await app.page.waitForFunction(() => /temp=0\.5/.test(location.hash) && /mask=causal/.test(location.hash));
    const hash = await app.hash();
    assert.match(hash, /^#\/forecast\?series=elnino&t=500&step=3&layer=1&head=4&/);
    assert.match(hash, /scale=off/);
    assert.match(hash, /attn=top3/);
    const forecast = await app.forecastValues();
    const weights = await app.attentionWeights();

    const again = await reopen(ctx, ForecastPage, hash);
    await again.waitUntilForecast();
    assert.equal(await again.linkProblem.count(), 0);
    assert.deepEqual(await again.forecastValues(), forecast);
    assert.deepEqual(await again.attentionWeights(), weights);
    const panel2 = again.whatIf;
    await panel2.waitFor();
    assert.equal(await panel2.getByTestId("whatif-temperature").inputValue(), "0.5");
    assert.equal(await panel2.getByTestId("whatif-mask").inputValue(), "causal");
    assert.equal(await panel2.getByTestId("whatif-selection").inputValue(), "topk");
    assert.equal(await again.hash(), hash, "the restored view writes the same link");
    again.assertHealthy();
    await again.page.close();
  });

  it("forecast: a tampered link says what it could not use and shows the defaults", async () => {
    const app = new ForecastPage(ctx.app.page, ctx.app.baseUrl);
    await app.open("series=sunspots&t=99999&step=13&layer=9&head=0&temp=abc&attn=top0");
    await app.waitUntilForecast();
    const note = await app.linkProblem.innerText();
    assert.equal(await app.linkProblem.getAttribute("role"), "status");
    for (const part of ["point in time", "forecast step", "layer", "head", "temperature", "attention rule"]) {
      assert.ok(note.includes(part), `the note names the ${part}: ${note}`);
    }
    assert.ok(!note.includes("series"), `the series was usable: ${note}`);
    // the usable part is kept, the rest is the default
    assert.equal(await app.seriesSelect.inputValue(), "sunspots");
    assert.equal(await app.stepSelect.inputValue(), "0");
    assert.equal(await app.layerSelect.inputValue(), "1");
    assert.equal(await app.headSelect.inputValue(), "avg");
    assert.match(await app.hash(), /^#\/forecast\?series=sunspots&t=\d+&step=1&layer=2&head=avg$/);
  });

  it("digits: a test image with layer, head and what-if comes back from its link", async () => {
    const app = new DigitsPage(ctx.app.page, ctx.app.baseUrl);
    const example = digitsManifest.examples[5];
    await app.open(`test=${example.index}&layer=1&head=3&attn=argmax`);
    await app.waitUntilReady();
    await app.prediction.waitFor();
    assert.equal(await app.linkProblem.count(), 0);
    assert.equal(await app.predicted(), example.predicted);
    assert.equal(await app.examples.nth(5).getAttribute("aria-pressed"), "true");
    assert.match(await app.selectedView.innerText(), /layer 1, head 3/);
    const panel = app.whatIf;
    await panel.waitFor();
    assert.equal(await panel.getByTestId("whatif-selection").inputValue(), "argmax");
    assert.equal(await app.hash(), `#/digits?test=${example.index}&layer=1&head=3&attn=argmax`);
    // picking another image and head rewrites the link
    await app.pickExample(2);
    await app.headViews.nth(7).click(); // layer 2, head 2
    await app.page.waitForFunction(() => /layer=2&head=2/.test(location.hash));
    assert.equal(await app.hash(), `#/digits?test=${digitsManifest.examples[2].index}&layer=2&head=2&attn=argmax`);
  });

  it("digits: a drawn digit travels in the link as its 8×8 image and gives the same answer", async () => {
    const app = new DigitsPage(ctx.app.page, ctx.app.baseUrl);
    await app.open();
    await app.waitUntilReady();
    await app.draw(SHAPES.seven);
    await app.headViews.nth(2).click(); // layer 1, head 2
    const panel = app.whatIf;
    await panel.waitFor();
    await panel.getByTestId("whatif-temperature").fill("3");
    await app.page.waitForFunction(() => /temp=3/.test(location.hash));
    const hash = await app.hash();
    const m = hash.match(/draw=([0-9a-g]{64})/);
    assert.ok(m, `the drawing is in the link: ${hash}`);
    const pixels = await app.modelPixels();
    assert.deepEqual([...m[1]].map((c) => parseInt(c, 17)), pixels, "the link holds the image the model read");
    const predicted = await app.predicted();
    const probs = await app.probabilities();
    const selected = await app.patchWeights(app.selectedView);

    const again = await reopen(ctx, DigitsPage, hash);
    await again.waitUntilReady();
    await again.prediction.waitFor();
    assert.equal(await again.linkProblem.count(), 0);
    assert.deepEqual(await again.modelPixels(), pixels);
    assert.equal(await again.predicted(), predicted);
    assert.deepEqual(await again.probabilities(), probs, "the same input gives the same probabilities");
    assert.deepEqual(await again.patchWeights(again.selectedView), selected);
    assert.match(await again.selectedView.innerText(), /layer 1, head 2/);
    await again.backdrop.waitFor();
    assert.equal(await again.whatIf.getByTestId("whatif-temperature").inputValue(), "3");
    assert.equal(await again.hash(), hash);
    // drawing on it starts a new digit
    await again.draw(SHAPES.one);
    assert.equal(await again.backdrop.count(), 0);
    assert.equal(await again.predicted(), 1);
    again.assertHealthy();
    await again.page.close();
  });

  it("digits: a tampered link says what it could not use and shows the defaults", async () => {
    const app = new DigitsPage(ctx.app.page, ctx.app.baseUrl);
    await app.open("draw=zz99&layer=0&head=7&scale=maybe&mask=custom:x");
    await app.waitUntilReady();
    const note = await app.linkProblem.innerText();
    assert.equal(await app.linkProblem.getAttribute("role"), "status");
    for (const part of ["drawing", "layer", "head", "scaling", "mask"]) {
      assert.ok(note.includes(part), `the note names the ${part}: ${note}`);
    }
    // the drawing could not be used, so the page opens on its default, the first test image
    await app.prediction.waitFor();
    assert.equal(await app.hash(), `#/digits?test=${digitsManifest.examples[0].index}&layer=2&head=avg`);
    // a test image that is not shipped
    // (a fresh load: the same demo would otherwise keep its view and rewrite the address)
    await app.page.goto("about:blank");
    await app.open("test=99999");
    await app.waitUntilReady();
    assert.match(await app.linkProblem.innerText(), /test image could not be used/);
  });
});
