// "Does attention explain this?" on the recommender, the translator and the generator: the
// shared panel opens from the link, draws the table's numbers, says τ/ρ in words, removes an
// element live, and says why when the input is too short. (explain.test.mjs: walkthrough, digits.)

import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { ExplainPanel } from "../pages/explain.mjs";
import { useRecommend } from "../pages/recommend.mjs";
import { useTranslate } from "../pages/translate.mjs";
import { useGenerate } from "../pages/generate.mjs";

/** The checks every model shares: bars = table, verdicts, curves; the number of elements. */
async function checkPanel(panel) {
  const chips = await panel.chips.allTextContents();
  assert.ok(chips.length >= 2, chips.join(" "));
  assert.equal(await panel.rows.count(), chips.length);
  const { header, rows } = await panel.importanceTable();
  const col = (name) => header.indexOf(name);
  for (const id of ["attention", "rollout", "occlusion"]) {
    assert.ok(col(id) > 0, header.join("|"));
    assert.deepEqual(await panel.values(id).allTextContents(), rows.map((r) => r[col(id)]), id);
  }
  assert.equal(await panel.verdicts.locator("li").count(), 2);
  assert.match(await panel.verdicts.textContent(), /matters most/);
  assert.match(await panel.verdicts.textContent(), /Kendall τ = -?\d\.\d\d, Spearman ρ = -?\d\.\d\d|undefined/);
  for (const m of ["attention", "rollout", "occlusion", "random"]) {
    await panel.curve.getByTestId(`curve-${m}`).waitFor({ state: "attached" });
    assert.ok(Number.isFinite(Number(await panel.areas.getByTestId(`area-${m}`).getAttribute("data-area"))), m);
  }
  return { chips, occlusion: rows.map((r) => Number(r[col("occlusion")])) };
}

/** Removes the element occlusion ranks first; the live value moves by about its drop. */
async function removeTop(page, panel, occlusion, valuePattern, scale = 1) {
  const top = occlusion.indexOf(Math.max(...occlusion));
  await panel.chips.nth(top).click();
  assert.equal(await panel.chips.nth(top).getAttribute("aria-pressed"), "true");
  await page.waitForFunction(() => document.querySelector('[data-testid="explain-live"]')?.dataset.value);
  const text = await panel.live.textContent();
  assert.match(text, /Without the 1 removed element/);
  const base = Number(text.match(valuePattern)[1]) / scale;
  const now = Number(await panel.live.getAttribute("data-value"));
  assert.notEqual(now, base);
  assert.ok(Math.abs(base - now - occlusion[top]) < 2e-3 + Math.abs(occlusion[top]) * 0.01, `${base} ${now} ${occlusion[top]}`);
}

describe("does attention explain the prediction? (recommendation)", () => {
  const ctx = useRecommend();

  it("explains the top recommendation's score, removes a movie live, and asks for more history", async () => {
    const app = ctx.app;
    await app.open("explain=1");
    const panel = new ExplainPanel(app.page);
    await panel.waitForRunAfter(0, { timeout: 60_000 });
    const history = await app.historyIds();
    const { chips, occlusion } = await checkPanel(panel);
    assert.equal(chips.length, Math.min(history.length, 50));
    assert.match(await panel.live.textContent(), /the score of “.+” \(the top recommendation\)/);
    await removeTop(app.page, panel, occlusion, /was (-?[\d.]+)\)/);
    assert.match(await app.hash(), /explain=1/);

    // One movie: nothing to rank; none: nothing to remove.
    await app.clearButton.click();
    await panel.message.waitFor();
    assert.match(await panel.message.textContent(), /history is empty/);
    await app.addByTitle("Star Wars");
    await app.page.waitForFunction(() => /at least two/.test(document.querySelector('[data-testid="explain-message"]')?.textContent ?? ""));
  });
});

describe("does attention explain the prediction? (translation)", () => {
  const ctx = useTranslate();

  it("explains the token chosen at the step shown with cross-attention and its rollout through the encoder", async () => {
    const app = ctx.app;
    const text = "In the beginning God created the heavens and the earth.";
    await app.openLink(`text=${encodeURIComponent(text)}&step=3&explain=1`);
    const panel = new ExplainPanel(app.page);
    await panel.waitForRunAfter(0, { timeout: 60_000 });
    const { chips, occlusion } = await checkPanel(panel);
    assert.equal(chips.length, 11, "every source token but </s>");
    assert.ok(!chips.includes("</s>"));
    assert.match(await panel.live.textContent(), /at step 3\)/);
    assert.match(await panel.root.getByTestId("explain-note").textContent(), /composed with that cross-attention/);
    await removeTop(app.page, panel, occlusion, /was ([\d.]+)%/, 100);
    assert.match(await app.hash(), /explain=1/);

    // Stepping back explains the earlier step afresh.
    const before = await panel.runs();
    await app.page.keyboard.press("ArrowLeft");
    await panel.waitForRunAfter(before);
    assert.match(await panel.live.textContent(), /at step 2\)/);
  });

  it("says why for a one-word source", async () => {
    const app = ctx.app;
    await app.openLink("text=God&step=1&explain=1");
    const panel = new ExplainPanel(app.page);
    await panel.message.waitFor({ timeout: 60_000 });
    await app.page.waitForFunction(() => /at least two/.test(document.querySelector('[data-testid="explain-message"]')?.textContent ?? ""));
  });
});

describe("does attention explain the prediction? (generation)", () => {
  const ctx = useGenerate();
  const long = "To be, or not to be, that is the question: whether tis nobler in the mind to suffer the slings and arrows of outrageous fortune, or to take arms against a sea of troubles";

  it("tests the last 32 tokens of a long context and removes one live", async () => {
    const app = ctx.app;
    await app.open(`text=${encodeURIComponent(long)}&t=0&step=2&explain=1`);
    await app.waitForShown(2, { timeout: 60_000 });
    const panel = new ExplainPanel(app.page);
    await panel.waitForRunAfter(0, { timeout: 60_000 });
    const { chips, occlusion } = await checkPanel(panel);
    assert.equal(chips.length, 32);
    assert.match(await panel.root.getByTestId("explain-budget").textContent(), /Tested the last 32 of 49 tokens/);
    assert.match(await panel.live.textContent(), /P\(next token “.+”\)/);
    await removeTop(app.page, panel, occlusion, /was ([\d.]+)%/, 100);
    assert.match(await app.hash(), /explain=1/);
  });

  it("says why for a one-token prompt at its first step", async () => {
    const app = ctx.app;
    await app.open("text=KING&t=0&step=1&explain=1");
    await app.waitForShown(1, { timeout: 60_000 });
    const panel = new ExplainPanel(app.page);
    await app.page.waitForFunction(() => /at least two/.test(document.querySelector('[data-testid="explain-message"]')?.textContent ?? ""));
    assert.equal(await panel.rows.count(), 0);
  });
});
