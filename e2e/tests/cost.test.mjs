import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { useDemo } from "../support.mjs";
import { CostPage } from "../pages/cost.mjs";

const METHODS = ["full", "tiled", "window", "strided", "global", "linformer", "linear"];

describe("the cost of attention", () => {
  const ctx = useDemo(CostPage);

  it("a small sweep gives one row per (method, n), and the count slopes are the counts table's", async () => {
    const { app } = ctx;
    await app.open("n=256&d=32&heads=1");
    await app.runSweep();
    const rows = await app.results();
    const sizes = [16, 32, 64, 128, 256];
    assert.equal(rows.length, sizes.length * METHODS.length);
    for (const n of sizes) {
      for (const method of METHODS) {
        const row = rows.filter((r) => r.n === n && r.method === method);
        assert.equal(row.length, 1, `${method} at ${n}`);
        assert.equal(row[0].state, "measured");
        assert.ok(row[0].ms >= 0 && row[0].bytes > 0);
      }
    }
    // The slope over the last doubling, from the table's exact counts, is the one printed.
    const printed = await app.slopes("count-slope");
    for (const method of METHODS) {
      const at = (n) => Number(rows.find((r) => r.method === method && r.n === n).mulAdds);
      const fromTable = Math.log2(at(256) / at(128));
      assert.ok(Math.abs(printed[method] - fromTable) < 1e-9, `${method}: ${printed[method]} vs ${fromTable}`);
    }
    assert.equal(printed.full, 2);
    assert.equal(printed.linear, 1);
    // Full attention's multiply-adds are 2n²d exactly.
    assert.equal(rows.find((r) => r.method === "full" && r.n === 256).mulAdds, 2n * 256n * 256n * 32n);
    // Memory: full holds n², the rest O(n).
    const memory = await app.slopes("memory-slope");
    assert.ok(memory.full > 1.5 && memory.tiled < 1.1 && memory.linear < 1.1, JSON.stringify(memory));
    // Both charts have a point per measurement that is not 0 and a slope in the legend.
    assert.equal(await app.page.locator('[data-testid="memory-chart"] [data-testid="point"]').count(), rows.length);
    assert.equal(await app.page.locator('[data-testid="time-chart"] [data-testid="slope"]').count(), METHODS.length);
  });

  it("Cancel stops the sweep within one measurement", async () => {
    const { app } = ctx;
    await app.open("n=8192&d=64&methods=full,tiled");
    await app.runButton.click();
    await app.page.waitForFunction(() => Number(document.querySelector('[data-testid="cost"]').dataset.done) >= 4);
    await app.cancelButton.click();
    await app.page.locator('[data-testid="cost"][data-cancelled="true"]').waitFor();
    assert.equal(await app.running(), false);
    const done = await app.done();
    await app.page.waitForTimeout(1500);
    assert.equal(await app.done(), done, "no measurement arrives after Cancel");
    assert.ok((await app.rows.count()) < 20, "the sweep did not finish");
    assert.match(await app.page.getByTestId("cancelled").textContent(), /Cancelled after \d+ of 20/);
    assert.equal(await app.runButton.isEnabled(), true);
  });

  it("a setting a tab cannot hold is refused before it runs, with the bytes it needs", async () => {
    const { app } = ctx;
    await app.open("n=8192&d=64&heads=8&methods=full,linear");
    // 8 heads × 4 bytes × (8192² + 4·8192·64) floats.
    const bytes = 8 * 4 * (8192 * 8192 + 4 * 8192 * 64);
    assert.equal(await app.refusals.count(), 1);
    const text = await app.refusals.first().textContent();
    assert.ok(text.includes(String(bytes)), text);
    assert.match(text, /Full at n = 8192 with 8 heads is refused before it runs.*2\.21 GB/);
    // Fewer heads fit: the note goes.
    await app.page.getByTestId("heads").selectOption("1");
    assert.equal(await app.refusals.count(), 0);
  });

  it("the link restores the settings and follows every change", async () => {
    const { app } = ctx;
    await app.open("d=32&heads=3&n=128&methods=full,window&w=4&k=9&text=Le%20roi%20parla.&layer=2&head=3");
    assert.equal(await app.page.getByTestId("d-k").inputValue(), "32");
    assert.equal(await app.page.getByTestId("heads").inputValue(), "3");
    assert.equal(await app.page.getByTestId("max-n").inputValue(), "128");
    assert.equal(await app.page.getByTestId("window").inputValue(), "4");
    assert.equal(await app.page.getByTestId("rank").inputValue(), "9");
    const ticked = await app.page.locator('[data-testid="method"]:checked').evaluateAll((els) => els.map((e) => e.dataset.method));
    assert.deepEqual(ticked, ["full", "window"]);
    assert.equal(await app.page.getByTestId("accuracy-text").inputValue(), "Le roi parla.");
    await app.page.getByTestId("d-k").selectOption("128");
    await app.page.locator('[data-testid="method"][data-method="linear"]').check();
    await app.page.waitForFunction(() => location.hash.includes("d=128"));
    const hash = await app.hash();
    assert.match(hash, /methods=full%2Cwindow%2Clinear|methods=full,window,linear/);
    assert.match(hash, /layer=2&head=3/);
    // A link with unusable parts says so and keeps the defaults for them.
    // (Opened in the same tab: the shell remounts the view on the hashchange, which reads it.)
    await app.page.goto(`${app.baseUrl}#/cost?d=7&n=100`);
    await app.linkProblem.waitFor();
    assert.match(await app.linkProblem.textContent(), /d and n/);
    assert.equal(await app.page.getByTestId("d-k").inputValue(), "64");
  });

  it("on the model's real Q, K, V tiled attention equals full, a narrow window does not, and the pattern is drawn", async () => {
    const { app } = ctx;
    await app.open("w=2&text=Le%20roi%20parla%20au%20peuple%20dans%20la%20ville.");
    await app.waitForAccuracy();
    const results = await app.accuracyResults();
    assert.deepEqual(results.map((r) => r.method), METHODS);
    const get = (m) => results.find((r) => r.method === m);
    assert.equal(get("full").max, 0);
    assert.ok(get("tiled").max < 1e-5, `tiled ${get("tiled").max}`);
    assert.ok(get("window").max > 1e-4 && get("window").kl > 0, JSON.stringify(get("window")));
    assert.equal(get("linear").kl, null);
    // The drawing of the window's computed scores: the band |i − j| ≤ 2 of an n × n map.
    const map = app.page.locator('[data-testid="accuracy"] [data-testid="heatmap"]');
    const n = Number(await map.getAttribute("data-rows"));
    assert.ok(n > 5);
    const ones = await map.locator('[data-testid="cell"]').evaluateAll((cells) =>
      cells.filter((c) => /= 1\.000$/.test(c.getAttribute("aria-label"))).length);
    assert.equal(ones, n * 5 - 6);
    // Another head changes the numbers (the Q, K, V are the model's, per head).
    await app.page.getByTestId("accuracy-head").selectOption("2");
    await app.page.waitForFunction((before) =>
      document.querySelector('[data-testid="accuracy-row"][data-method="window"]').dataset.max !== before, String(get("window").max));
  });
});

describe("the cost of attention in Chinese", () => {
  const ctx = useDemo(CostPage, { locale: "zh-CN" });

  it("labels, refusals and results are in Chinese", async () => {
    const { app } = ctx;
    await app.open("n=32&heads=16&d=256&methods=full,linear");
    assert.equal((await app.runButton.textContent()).trim(), "运行");
    assert.match(await app.page.locator(".cost-controls h2").textContent(), /设置/);
    await app.runSweep();
    assert.match(await app.page.getByTestId("slopes-table").locator("caption").textContent(), /斜率/);
    assert.match(await app.page.getByTestId("cost-about").textContent(), /不是 O\(n³\)/);
    assert.equal(await app.rows.count(), 4);
  });
});
