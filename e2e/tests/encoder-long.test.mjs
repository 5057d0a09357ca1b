import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { useWalkthrough } from "../support.mjs";
import { EncoderPage } from "../pages/encoder.mjs";

// 254 word pieces + [CLS] + [SEP] = the model's 256.
const words = (n) => Array.from({ length: n }, (_, i) => ["river", "bank", "money", "table"][i % 4]).join(" ");

describe("long input on the encoder", () => {
  const ctx = useWalkthrough();

  it("runs 256 tokens in the worker while the page stays responsive, and cuts longer text with a note", async () => {
    const enc = new EncoderPage(ctx.app.page, ctx.site.url);
    await enc.openAndRun();
    const run = await enc.currentRun();
    await enc.textInput.fill(words(254));
    await enc.page.locator('[data-testid="run-state"][data-state="running"]').waitFor();
    // While the model runs, the main thread answers at once and the text box still takes input.
    const started = Date.now();
    await enc.page.evaluate(() => 1 + 1);
    assert.ok(Date.now() - started < 1000, "the page answered while the model ran");
    await enc.waitForRunAfter(run, { timeout: 90_000 });
    await enc.page.locator('[data-testid="run-state"][data-state="idle"]').waitFor({ timeout: 90_000 });
    assert.equal(await enc.tokens.count(), 256);
    assert.equal(await enc.truncationNote.count(), 0, "exactly 256 tokens is not cut");
    const t = await enc.timings();
    assert.equal(t.tokens, 256);

    // The head view of 256 tokens draws, with a bounded number of lines.
    await enc.showView("head");
    const lines = Number(await enc.headView.getAttribute("data-lines"));
    assert.ok(lines > 0 && lines < 256 * 26, `${lines} lines`);

    await enc.setText(words(400), { timeout: 90_000 });
    await enc.truncationNote.waitFor();
    assert.match(await enc.truncationNote.textContent(), /402 tokens.*256/);
    assert.equal(await enc.tokens.count(), 256);
    assert.equal(await enc.textInput.inputValue(), words(400), "the full text stays in the box");

    // The what-if maps draw every cell: at 256 tokens the step view says so instead.
    await enc.showView("steps");
    await enc.goToStep("softmax");
    await enc.page.getByTestId("whatif-too-long").waitFor();
    assert.match(await enc.page.getByTestId("whatif-too-long").textContent(), /256/);
    assert.equal(await enc.whatIf.count(), 0);
  });
});
