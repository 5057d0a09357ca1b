// The translation demo's analysis across decoding steps (entropy, top-1 mass, most attended
// source token, shift from the step before, and the same per layer), checked against the
// cross-attention matrix the page exports; and its permalink: text, step, layer, head and the
// what-if recipe round trip, and a tampered link says what it could not use.

import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { download, parseCsv } from "../downloads.mjs";
import { useTranslate } from "../pages/translate.mjs";

const sum = (xs) => xs.reduce((a, b) => a + b, 0);
const entropy = (row) => -sum(row.filter((p) => p > 0).map((p) => p * Math.log(p)));
const argmax = (row) => row.reduce((best, v, j) => (v > row[best] ? j : best), 0);
const tv = (a, b) => 0.5 * sum(a.map((x, j) => Math.abs(x - b[j])));

/** The matrix of a figure's CSV export: { cols, rows: [label], values: [[number]] }. */
async function csvMatrix(page, figure) {
  const csv = await download(page, figure.getByTestId("export-csv"));
  const { meta, rows } = parseCsv(csv.bytes.toString("utf8"));
  const body = rows.slice(1).filter((r) => r.length > 1);
  return { meta, cols: rows[0].slice(1), rows: body.map((r) => r[0]), values: body.map((r) => r.slice(1).map(Number)) };
}

describe("translation: attention across decoding steps", () => {
  const ctx = useTranslate({ acceptDownloads: true });

  it("has one row and one point per decoded token, and its numbers are those of the exported cross-attention", async () => {
    const { app } = ctx;
    await app.openLink(`text=${encodeURIComponent("God is love.")}&head=2`);
    await app.waitUntilReady();
    await app.waitForSource(0);
    await app.translateAll();
    const { computed } = await app.progress();
    assert.equal(await app.targetTokens.count(), computed);
    assert.equal(await app.shiftRows.count(), computed, "one table row per decoded token");
    assert.equal(await app.shiftPoints.count(), computed, "one chart point per decoded token");

    const cross = await csvMatrix(app.page, app.crossFigure);
    assert.equal(cross.meta.layer, "3");
    assert.equal(cross.meta.head, "2");
    assert.equal(cross.values.length, computed);
    const table = await app.shiftTable();
    for (const [t, row] of cross.values.entries()) {
      const s = table[t];
      assert.equal(s.step, t + 1);
      assert.ok(Math.abs(s.entropy - entropy(row)) < 1e-4, `step ${t + 1}: entropy ${s.entropy} vs ${entropy(row)}`);
      assert.ok(Math.abs(s.top1 - Math.max(...row)) < 1e-5, `step ${t + 1}: top-1 mass`);
      assert.equal(s.argmax, argmax(row), `step ${t + 1}: most attended source token`);
      if (t === 0) assert.equal(s.shift, null, "the first step has nothing to shift from");
      else assert.ok(Math.abs(s.shift - tv(row, cross.values[t - 1])) < 1e-4, `step ${t + 1}: shift`);
    }
    assert.deepEqual(table.map((s) => s.current), table.map((_, t) => t === computed - 1), "the current step is highlighted");

    // The analysis's own Save writes the same numbers.
    const figure = app.shiftSection.locator("figure");
    const own = await csvMatrix(app.page, figure);
    assert.equal(own.values.length, computed);
    assert.equal(own.cols.length, 4);
    for (const [t, [e, top1, pos, shift]] of own.values.entries()) {
      assert.ok(Math.abs(e - table[t].entropy) < 1e-5);
      assert.ok(Math.abs(top1 - table[t].top1) < 1e-5);
      assert.equal(pos, table[t].argmax + 1, "positions are 1-based in the file");
      if (t === 0) assert.ok(Number.isNaN(shift));
      else assert.ok(Math.abs(shift - table[t].shift) < 1e-5);
    }
    await figure.getByTestId("table-toggle").click();
    assert.equal(await figure.getByTestId("heatmap-table").locator("tbody tr").count(), computed);

    // Per layer: the chosen layer's means are the means of the table above.
    const layers = await app.layerShiftTable();
    assert.deepEqual(layers.map((l) => l.layer), [1, 2, 3]);
    assert.deepEqual(layers.map((l) => l.current), [false, false, true]);
    const l3 = layers[2];
    assert.ok(Math.abs(l3.meanEntropy - sum(table.map((s) => s.entropy)) / computed) < 1e-4);
    assert.ok(Math.abs(l3.meanTop1 - sum(table.map((s) => s.top1)) / computed) < 1e-4);
    const shifts = table.slice(1).map((s) => s.shift);
    assert.ok(Math.abs(l3.meanShift - sum(shifts) / shifts.length) < 1e-4);

    // Another layer: the analysis follows the alignment, and its numbers match that layer's row in the summary.
    await app.layerButtons.first().click();
    await app.page.waitForFunction(() => document.querySelector('[data-testid="layer-shift-row"].current')?.dataset.layer === "1");
    const table1 = await app.shiftTable();
    const cross1 = await csvMatrix(app.page, app.crossFigure);
    assert.equal(cross1.meta.layer, "1");
    for (const [t, row] of cross1.values.entries()) assert.ok(Math.abs(table1[t].entropy - entropy(row)) < 1e-4);
    const meanEntropy1 = sum(table1.map((s) => s.entropy)) / computed;
    assert.ok(Math.abs((await app.layerShiftTable())[0].meanEntropy - meanEntropy1) < 1e-4);

    // Stepping back shortens the analysis with the alignment.
    await app.backButton.click();
    await app.waitForShown(computed - 1);
    assert.equal(await app.shiftRows.count(), computed - 1);
  });
});

describe("translation permalinks", () => {
  const ctx = useTranslate();

  it("restores the step, layer, head and what-if recipe, and keeps them in the address bar", async () => {
    const { app } = ctx;
    await app.openLink(`text=${encodeURIComponent("God is love.")}&step=2&layer=2&head=3&temp=0.5&attn=top2`);
    await app.waitUntilReady();
    await app.waitForSource(0);
    await app.waitForShown(2);
    const p = await app.progress();
    assert.equal(p.shown, 2, "the link's step is shown");
    assert.deepEqual(await app.pickedView(), { layer: 2, head: "2" });
    await app.whatIf.waitFor();
    assert.equal(await app.whatIf.getAttribute("data-model"), "false", "the what-if recipe departs from the model");
    assert.equal(await app.whatIf.getByTestId("whatif-temperature").inputValue(), "0.5");
    assert.equal(await app.whatIf.getByTestId("whatif-selection").inputValue(), "topk");
    assert.equal(await app.whatIf.getByTestId("whatif-param").inputValue(), "2");
    assert.equal(await app.linkProblem.count(), 0, "nothing in the link was refused");
    await app.page.waitForTimeout(600);
    assert.equal((await app.progress()).shown, 2, "it waits at the link's step");
    const hash = await app.hash();
    for (const part of ["step=2", "layer=2", "head=3", "temp=0.5", "attn=top2"]) assert.ok(hash.includes(part), `${part} in ${hash}`);

    // Change the view and the recipe by hand: the address bar follows, and reopening it restores them.
    await app.forwardButton.click();
    await app.waitForShown(3);
    await app.layerButtons.nth(0).click();
    await app.whatIf.getByTestId("whatif-mask").selectOption("causal");
    await app.whatIf.getByTestId("whatif-temperature").fill("2");
    await app.page.waitForFunction(() => location.hash.includes("temp=2&") || location.hash.endsWith("temp=2"));
    const changed = await app.hash();
    for (const part of ["step=3", "layer=1", "head=3", "temp=2", "attn=top2", "mask=causal"]) assert.ok(changed.includes(part), `${part} in ${changed}`);
    await app.page.goto("about:blank");
    await app.page.goto(`${app.baseUrl}${changed}`);
    await app.waitUntilReady();
    await app.waitForSource(0);
    await app.waitForShown(3);
    assert.deepEqual(await app.pickedView(), { layer: 1, head: "2" });
    await app.whatIf.waitFor();
    assert.equal(await app.whatIf.getByTestId("whatif-temperature").inputValue(), "2");
    assert.equal(await app.whatIf.getByTestId("whatif-mask").inputValue(), "causal");
    assert.equal(await app.hash(), changed, "the restored view writes the same link");
  });

  it("a tampered link says what it could not use and falls back to the defaults", async () => {
    const { app } = ctx;
    await app.openLink(`text=${encodeURIComponent("Jesus wept.")}&step=abc&layer=9&head=0&temp=99&attn=top0`);
    await app.waitUntilReady();
    await app.linkProblem.waitFor();
    const text = await app.linkProblem.textContent();
    assert.equal(await app.linkProblem.getAttribute("role"), "status");
    for (const part of ["step", "layer", "head", "what-if temperature", "what-if attention rule"]) {
      assert.ok(text.includes(part), `names the ${part}: ${text}`);
    }
    assert.match(text, /could not be used, so the default is shown instead/);
    await app.waitForSource(0);
    await app.waitForFinished();
    assert.deepEqual(await app.pickedView(), { layer: 3, head: "avg" }, "default layer and head");
    assert.equal(await app.textInput.inputValue(), "Jesus wept.", "the usable text is kept");
    const hash = await app.hash();
    assert.ok(!/temp=|attn=|head=|layer=/.test(hash), `the bad values are gone from the link: ${hash}`);

    // A step beyond the end of the translation: the whole translation, and a note.
    await app.page.goto("about:blank");
    await app.openLink(`text=${encodeURIComponent("Jesus wept.")}&step=90`);
    await app.waitUntilReady();
    await app.waitForSource(0);
    await app.linkProblem.waitFor({ timeout: 60_000 });
    await app.waitForFinished();
    assert.match(await app.linkProblem.textContent(), /step/);
    const p = await app.progress();
    assert.ok(p.shown === p.computed && p.computed < 90);
  });
});
