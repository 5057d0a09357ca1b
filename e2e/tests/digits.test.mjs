// The image-patches view (#/digits): drawing with mouse and touch, test images, probabilities,
// [CLS] attention per layer and head, rollout, and bad input (a cleared canvas, a speck); it opens on a test image.

import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { PHONE, useWalkthrough } from "../support.mjs";
import { DigitsPage, SHAPES } from "../pages/digits.mjs";

const manifest = JSON.parse(readFileSync(new URL("../../models/digits/manifest.json", import.meta.url), "utf8"));

const digitsPage = (ctx) => new DigitsPage(ctx.app.page, ctx.site.url);
const sum = (xs) => xs.reduce((a, b) => a + b, 0);

describe("image patches", () => {
  const ctx = useWalkthrough();

  it("opens on a test image with its answer; Clear gives the empty canvas, which the link keeps", async () => {
    const app = digitsPage(ctx);
    await app.open();
    await app.waitUntilReady();
    await app.prediction.waitFor();
    assert.equal(await app.predicted(), manifest.examples[0].predicted, "a result on screen at once");
    assert.equal(await app.inputMessage.count(), 0);
    assert.match(await app.hash(), new RegExp(`test=${manifest.examples[0].index}`));
    await app.clearButton.click();
    await app.inputMessage.waitFor();
    assert.match(await app.inputMessage.innerText(), /empty/);
    assert.equal(await app.predicted(), null);
    await app.page.waitForFunction(() => location.hash.includes("draw=&") || location.hash.endsWith("draw="));
    const hash = await app.hash();
    await app.page.goto("about:blank");
    await app.page.goto(`${app.baseUrl}${hash}`);
    await app.waitUntilReady();
    await app.inputMessage.waitFor();
    assert.equal(await app.predicted(), null, "a link to the empty canvas opens on it");
  });

  it("drawing a 1 with the mouse predicts 1; clearing goes back to the message", async () => {
    const app = digitsPage(ctx);
    await app.open();
    await app.waitUntilReady();
    await app.draw(SHAPES.one);
    assert.equal(await app.predicted(), 1);
    const probs = await app.probabilities();
    assert.equal(probs.length, 10);
    assert.ok(Math.abs(sum(probs) - 1) < 1e-4);
    assert.equal(await app.inputMessage.count(), 0);
    await app.clearButton.click();
    await app.inputMessage.waitFor();
    assert.equal(await app.predicted(), null);
    assert.equal(await app.page.locator('[data-testid="stroke"]').count(), 0);
  });

  it("a test image is classified as the manifest says, with attention per layer and head and a rollout", async () => {
    const app = digitsPage(ctx);
    await app.open();
    await app.waitUntilReady();
    for (const i of [0, 7, 13]) {
      await app.pickExample(i);
      assert.equal(await app.predicted(), manifest.examples[i].predicted, `example ${i}`);
    }
    assert.equal(await app.headViews.count(), manifest.n_layers * (manifest.n_heads + 1));
    for (const view of [app.selectedView, app.rolloutView]) {
      const w = await app.patchWeights(view);
      assert.equal(w.length, 16);
      assert.ok(w.every((v) => v >= 0 && v <= 1));
    }
    // [CLS]'s row of attention: patches plus itself sum to 1 (the label says what stays on [CLS])
    await app.headViews.nth(1).click();
    const head1 = await app.patchWeights(app.selectedView);
    const self = Number((await app.selectedView.innerText()).match(/the rest, (\d+)%/)[1]) / 100;
    assert.ok(Math.abs(sum(head1) + self - 1) < 0.01, `patches ${sum(head1)} + self ${self}`);
    assert.match(await app.selectedView.innerText(), /layer 1, head 1/);
  });

  it("a finger draws too (touch → pointer events)", async () => {
    const app = digitsPage(ctx);
    await app.open();
    await app.waitUntilReady();
    await app.drawWithTouch(SHAPES.one[0]);
    assert.equal(await app.predicted(), 1);
  });

  it("a speck is refused with a message", async () => {
    const app = digitsPage(ctx);
    await app.open();
    await app.waitUntilReady();
    await app.draw([[[100, 100], [102, 101]]], { wait: false });
    await app.inputMessage.waitFor();
    assert.match(await app.inputMessage.innerText(), /dot/);
    assert.equal(await app.predicted(), null);
  });

  it("a missing model file gives a readable error, and drawing still works", async () => {
    const app = digitsPage(ctx);
    ctx.allow = { allowConsole: [/./], allowFailedResponses: [/\.onnx/] };
    await app.page.route(/digits\/model\.onnx$/, (route) => route.fulfill({ status: 404, body: "Not Found" }));
    await app.open();
    await app.error.waitFor({ timeout: 30_000 });
    assert.match(await app.error.innerText(), /model\.onnx/);
    await app.draw(SHAPES.one, { wait: false });
    await app.modelInput.waitFor();
  });
});

describe("image patches on a phone", () => {
  const ctx = useWalkthrough({ viewport: PHONE });

  it("fits the width and shows the answer right under the canvas", async () => {
    const app = digitsPage(ctx);
    await app.open();
    await app.waitUntilReady();
    await app.drawWithTouch(SHAPES.one[0]);
    assert.ok((await app.horizontalOverflow()) <= 1);
    const canvas = await app.canvas.boundingBox();
    const answer = await app.prediction.boundingBox();
    const picker = await app.examples.first().boundingBox();
    assert.ok(answer.y > canvas.y && answer.y < picker.y, "canvas, then the answer, then the test images");
  });
});
