import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { PHONE } from "../support.mjs";
import { DECODER_URL, useTranslate } from "../pages/translate.mjs";

const sum = (xs) => xs.reduce((a, b) => a + b, 0);

describe("translation demo", () => {
  const ctx = useTranslate();

  it("translates an example token by token until </s>, with alignment, self-attention and top-5", async () => {
    const { app } = ctx;
    await app.open();
    await app.waitUntilReady();
    assert.ok((await app.examples.count()) >= 3, "examples are offered");
    const example = await app.examples.first().textContent();
    const run = await app.run();
    await app.examples.first().click();
    await app.waitForSource(run);
    assert.equal(await app.textInput.inputValue(), example, "the example is put in the box");
    await app.translateAll();

    const p = await app.progress();
    assert.ok(p.computed >= 2, `several steps (${p.computed})`);
    assert.match(await app.stopNote.textContent(), /<\/s>/);
    const translation = (await app.translation.textContent()).trim();
    assert.ok(translation.length > 0, "a French sentence");
    assert.ok(!translation.includes("</s>"));

    const src = await app.sourceTokens.count();
    const tgt = await app.targetTokens.count();
    assert.equal(tgt, p.computed, "one French token per step (the last is </s>)");
    assert.equal((await app.sourceTokens.last().textContent()).trim(), "</s>");

    // Each step's time from request to answer, and its run by the worker's clock, which is part of it.
    const times = await app.stepTimes();
    assert.equal(times.stepMs.length, p.computed);
    assert.equal(times.stepRunMs.length, p.computed);
    times.stepRunMs.forEach((run, i) => assert.ok(run > 0 && run <= times.stepMs[i] + 1, `step ${i}: run ${run} ms within ${times.stepMs[i]} ms`));

    const cross = await app.grid(app.crossHeatmap);
    assert.deepEqual([cross.rows, cross.cols, cross.cells], [tgt, src, tgt * src]);
    assert.match(cross.name, /average of 4 heads/);
    const self = await app.grid(app.selfHeatmap);
    assert.deepEqual([self.rows, self.cols], [tgt, tgt]);
    assert.equal(self.masked, (tgt * (tgt - 1)) / 2, "the causal mask hides every later position");

    const cands = await app.candidateList();
    assert.equal(cands.length, 5);
    assert.ok(cands[0].chosen && cands.slice(1).every((c) => !c.chosen), "the most likely token is chosen");
    for (let i = 1; i < 5; i++) assert.ok(cands[i - 1].prob >= cands[i].prob, "sorted by probability");
    assert.ok(sum(cands.map((c) => c.prob)) <= 1.0001);
    assert.equal(cands[0].text, "</s>", "the last step chose the end of the sentence");
  });

  it("steps forward and back, pauses and plays, filling the matrices row by row", async () => {
    const { app } = ctx;
    await app.open();
    await app.waitUntilReady();
    await app.translate("The king went up to the city with his servants.");
    // Decoding starts playing by itself: pause it, then drive it by hand.
    await app.playButton.click();
    await app.page.waitForFunction(() => document.querySelector('[data-testid="step-counter"]').dataset.busy === "false");
    const paused = await app.progress();
    await app.page.waitForTimeout(1200);
    assert.deepEqual(await app.progress(), paused, "nothing moves while paused");

    if (!paused.finished) {
      await app.forwardButton.click();
      await app.waitForShown(paused.computed + 1);
      const p = await app.progress();
      assert.equal(p.computed, paused.computed + 1, "Step runs exactly one decoder step");
      const cross = await app.grid(app.crossHeatmap);
      assert.equal(cross.rows, p.shown, "one alignment row per step");
    }
    await app.translateAll();
    const end = await app.progress();
    await app.backButton.click();
    await app.backButton.click();
    await app.waitForShown(end.computed - 2);
    assert.equal((await app.grid(app.crossHeatmap)).rows, end.computed - 2);
    assert.equal(await app.targetTokens.count(), end.computed - 2);
    assert.equal((await app.progress()).computed, end.computed, "stepping back keeps the computed steps");
    await app.pressArrow("right");
    await app.waitForShown(end.computed - 1);
    // Play from here replays the remaining (already computed) step.
    await app.playButton.click();
    await app.waitForFinished();
    assert.equal((await app.grid(app.crossHeatmap)).rows, end.computed);
  });

  it("links hovered target and source tokens through the cross-attention, per layer and head", async () => {
    const { app } = ctx;
    await app.open();
    await app.waitUntilReady();
    await app.translate("God is love.");
    await app.translateAll();
    const nSrc = await app.sourceTokens.count();

    await app.targetTokens.first().hover();
    const w = await app.weights(app.sourceTokens);
    assert.ok(w.every((x) => x !== null), "every source token gets a weight");
    assert.ok(Math.abs(sum(w) - 1) < 2e-3, `the row sums to 1 (${sum(w)})`);
    assert.equal(await app.page.locator('[data-testid="tgt-token"].tr-hovered').count(), 1);

    await app.sourceTokens.nth(Math.min(1, nSrc - 1)).hover();
    const wt = await app.weights(app.targetTokens);
    assert.ok(wt.every((x) => x !== null && x >= 0 && x <= 1), "every target token gets its weight on that source token");

    await app.headButtons.nth(2).click(); // head 2 (after "average")
    assert.match((await app.grid(app.crossHeatmap)).name, /layer 3, head 2/);
    await app.layerButtons.first().click();
    assert.match((await app.grid(app.selfHeatmap)).name, /layer 1, head 2/);
    await app.targetTokens.first().hover();
    const w1 = await app.weights(app.sourceTokens);
    assert.ok(Math.abs(sum(w1) - 1) < 2e-3, "one head's row sums to 1 too");
  });

  it("opens a shared link (?text=) and translates it", async () => {
    const { app } = ctx;
    await app.open("Jesus wept.");
    await app.waitUntilReady();
    await app.waitForSource(0);
    await app.translateAll();
    assert.equal(await app.textInput.inputValue(), "Jesus wept.");
    assert.ok((await app.translation.textContent()).trim().length > 0);
  });

  it("a click right after an edit translates the edited sentence (no lost or stale clicks)", async () => {
    const { app } = ctx;
    await app.open("Jesus wept.");
    await app.waitUntilReady();
    await app.waitForSource(0);
    await app.translateAll();
    // The edit and the click in one task: the click arrives before the page has re-rendered.
    await app.page.evaluate(() => {
      const box = document.querySelector('[data-testid="text-input"]');
      box.value = "The king spoke to the people.";
      box.dispatchEvent(new InputEvent("input", { bubbles: true }));
      document.querySelector('[data-testid="translate-button"]').click();
    });
    await app.page.waitForFunction(() => [...document.querySelectorAll('[data-testid="src-token"]')].some((t) => t.textContent.includes("king")));
    assert.equal(await app.textInput.inputValue(), "The king spoke to the people.");
  });
});

describe("translation demo: bad input", () => {
  const ctx = useTranslate();

  it("asks for text when the box is empty and keeps odd input as typed", async () => {
    const { app } = ctx;
    await app.open();
    await app.waitUntilReady();
    await app.textInput.fill("   ");
    await app.translateButton.click();
    await app.inputMessage.waitFor();
    assert.match(await app.inputMessage.textContent(), /Type an English sentence/);

    const odd = '<img src=x onerror=alert(1)> 🙂 שלום & "love"';
    await app.translate(odd);
    await app.translateAll();
    assert.equal(await app.textInput.inputValue(), odd, "the text is kept");
    await app.unknownNote.waitFor();
    assert.equal(await app.page.locator("img").count(), 0, "no markup is injected");
  });

  it("cuts a source longer than the model's maximum and says so", async () => {
    const { app } = ctx;
    await app.open();
    await app.waitUntilReady();
    const long = "And the king said to his servants, go into the city and bring me the people. ".repeat(8);
    await app.translate(long);
    await app.truncationNote.waitFor();
    assert.match(await app.truncationNote.textContent(), /at most 64/);
    assert.equal(await app.sourceTokens.count(), 64);
    await app.translateAll();
    assert.equal(await app.textInput.inputValue(), long);
    const p = await app.progress();
    assert.ok(p.finished && p.computed <= 95);
  });

  it("says so when the decoder cannot be downloaded", async () => {
    const { app } = ctx;
    ctx.allow = { allowConsole: [/404|Failed to load/i], allowFailedResponses: [/decoder\.onnx/] };
    await app.page.route(DECODER_URL, (route) => route.fulfill({ status: 404, body: "missing" }));
    await app.open();
    await app.page.locator('[data-testid="model-status"][data-state="failed"]').waitFor();
    assert.match(await app.error.textContent(), /decoder\.onnx/);
  });
});

describe("translation demo on a phone", () => {
  const ctx = useTranslate({ viewport: PHONE });

  it("fits the width: matrices scroll inside their panels", async () => {
    const { app } = ctx;
    await app.open();
    await app.waitUntilReady();
    await app.translate("In the beginning God created the heavens and the earth.");
    await app.translateAll();
    assert.ok((await app.horizontalOverflow()) <= 1, "no sideways scrolling of the page");
  });
});
