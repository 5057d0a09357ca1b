import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { GOLDEN, useGenerate } from "../pages/generate.mjs";

const prompt = encodeURIComponent(GOLDEN.cases[0].prompt);

describe("generator", () => {
  const ctx = useGenerate();

  it("a greedy link writes PyTorch's greedy tokens, with candidates, causal attention and the cache", async () => {
    const { app } = ctx;
    await app.open(`text=${prompt}&t=0&step=6`);
    await app.waitUntilReady();
    await app.waitForShown(6);
    assert.deepEqual(await app.generatedIds(), GOLDEN.greedy.tokens.slice(0, 6));
    const first = app.candidates.first();
    assert.match(await first.getAttribute("class"), /chosen/, "greedy takes the most likely token");
    assert.equal(await app.draw.count(), 0, "no draw when greedy");
    // the causal matrix of the query that chose token 6: its masked cells are hatched
    const n = Number(await app.causal.getAttribute("data-n"));
    assert.equal(n, GOLDEN.cases[0].ids.length + 5);
    assert.equal(await app.causal.locator("rect.masked").count(), (n * (n - 1)) / 2);
    assert.equal(await app.strips.count(), 4 * 5, "every layer and head, and each layer's mean");
    assert.equal(Number(await app.kvCache.getAttribute("data-rows")), n);
    assert.ok(Number(await app.cacheCheck.getAttribute("data-max-diff")) <= 1e-4, "cached = full recompute");
    assert.equal(await app.page.locator('[data-testid="agreement"]').getAttribute("data-ok"), "true");
    assert.ok((await app.headRows.count()) === 16);
  });

  it("a seeded sampled link reproduces the golden draws and tokens; ← → step through them", async () => {
    const { app } = ctx;
    const s = GOLDEN.sampled;
    await app.open(`text=${prompt}&t=${s.temperature}&k=${s.top_k}&p=${s.top_p}&seed=${s.seed}&step=5`);
    await app.waitUntilReady();
    await app.waitForShown(5);
    assert.deepEqual(await app.generatedIds(), s.tokens.slice(0, 5));
    const u = Number((await app.draw.textContent()).replace(/[^0-9.]/g, ""));
    assert.ok(Math.abs(u - s.draws[4]) < 1e-6, `draw ${u} vs ${s.draws[4]}`);
    await app.page.locator("body").click({ position: { x: 2, y: 2 } });
    await app.page.keyboard.press("ArrowLeft");
    await app.waitForShown(4);
    await app.page.keyboard.press("ArrowRight");
    await app.waitForShown(5);
    await app.page.keyboard.press("ArrowRight");
    await app.waitForShown(6);
    assert.deepEqual(await app.generatedIds(), s.tokens.slice(0, 6), "a new step continues the same draws");
    await app.page.waitForFunction(() => /[?&]step=6/.test(location.hash));
    assert.match(await app.hash(), /^#\/generate\?text=/, "the link keeps the prompt (and the default settings stay out of it)");
  });

  it("bad input: empty prompt, clamped controls, unusable link parts — never a panic", async () => {
    const { app } = ctx;
    await app.open("t=9&p=3&layer=zero&seed=x");
    await app.waitUntilReady();
    assert.ok((await app.clampNotes.count()) >= 2, "temperature and top-p are clamped with a note");
    assert.match(await app.linkProblem.textContent(), /layer|seed/);
    await app.textInput.fill("   ");
    await app.generateButton.click();
    await app.inputMessage.waitFor();
    assert.equal(await app.textInput.inputValue(), "   ", "the typed prompt is kept");
    await app.textInput.fill("O".repeat(2000));
    await app.generateButton.click();
    await app.windowNote.waitFor({ timeout: 30_000 });
  });

  it("the head table sorts by any column", async () => {
    const { app } = ctx;
    await app.open();
    await app.waitUntilReady();
    await app.page.locator('[data-testid="sort"][data-sort="sink"]').click();
    const sinks = await app.headRows.evaluateAll((rows) => rows.map((r) => Number(r.children[3].textContent)));
    assert.deepEqual(sinks, [...sinks].sort((a, b) => b - a));
    await app.page.waitForFunction(() => /sort=sink/.test(location.hash));
  });

  it("the head table shows the scores PyTorch measured on the repeated random tokens, and stars exactly the heads at or above the threshold", async () => {
    const { app } = ctx;
    const ind = GOLDEN.induction;
    await app.open("t=0");
    await app.waitUntilReady();
    const rows = await app.headRows.evaluateAll((els) => els.map((r) => ({
      head: r.children[0].textContent,
      prev: Number(r.children[1].textContent),
      induction: Number(r.children[2].textContent.replace("★", "")),
      sink: Number(r.children[3].textContent),
      star: r.dataset.induction === "true",
    })));
    assert.equal(rows.length, ind.scores.length);
    // the default order: induction score, highest first (ties within rounding may swap)
    const shown = rows.map((r) => r.induction);
    shown.slice(1).forEach((v, i) => assert.ok(v <= shown[i] + 1e-3, "sorted by induction"));
    for (const r of rows) {
      const [layer, head] = r.head.match(/\d+/g).map(Number);
      const want = ind.scores.find((s) => s.layer === layer - 1 && s.head === head - 1);
      assert.ok(want, `${r.head}: in the golden scores`);
      for (const [got, exp, what] of [[r.prev, want.previous_token, "previous-token"], [r.induction, want.induction, "induction"], [r.sink, want.sink, "sink"]]) {
        assert.ok(Math.abs(got - exp) <= 1.5e-3, `${r.head} ${what}: ${got} on screen vs PyTorch ${exp}`);
      }
      assert.equal(r.star, want.induction >= 0.3, `${r.head}: star`);
    }
    const summary = await app.page.getByTestId("heads-summary").textContent();
    const starred = rows.filter((r) => r.star).length;
    assert.match(summary, starred ? new RegExp(String(starred)) : /No head/);
  });
});
