import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { download, parseCsv } from "../downloads.mjs";
import { useWalkthrough } from "../support.mjs";

describe("export and data tables", () => {
  const ctx = useWalkthrough({ acceptDownloads: true });

  it("the weights heatmap saves as CSV, JSON, SVG and PNG with labels, layer, head and model", async () => {
    const { app } = ctx;
    await app.open();
    await app.waitUntilReady();
    await app.setText('He said "yes, go", then left.');
    await app.goToStep("softmax");
    await app.headSelect.selectOption("3");
    const figure = app.page.locator("figure.matrix", { has: app.page.locator('[data-testid="heatmap"][data-name^="weights"]') }).first();
    const tokens = await app.page.locator(".token-text").allTextContents();
    const shown = await app.heatmapShape(figure.getByTestId("heatmap"));

    const csv = await download(app.page, figure.getByTestId("export-csv"));
    assert.match(csv.name, /^attention-walkthrough-weights.*-layer1-head3\.csv$/);
    const { meta, rows } = parseCsv(csv.bytes.toString("utf8"));
    assert.equal(meta.layer, "1");
    assert.equal(meta.head, "3");
    assert.equal(meta.step, "softmax");
    assert.equal(meta.input, 'He said "yes, go", then left.');
    assert.ok(meta.model.length > 0);
    assert.deepEqual(rows[0].slice(1), tokens, "column labels are the tokens");
    assert.deepEqual(rows.slice(1).map((r) => r[0]), tokens, "row labels are the tokens");
    assert.equal(rows.length - 1, shown.rows);
    for (const r of rows.slice(1)) {
      const sum = r.slice(1).map(Number).reduce((a, b) => a + b, 0);
      assert.ok(Math.abs(sum - 1) < 1e-4, `each softmax row sums to 1 (got ${sum})`);
    }

    const json = JSON.parse((await download(app.page, figure.getByTestId("export-json"))).bytes.toString("utf8"));
    assert.equal(json.head, 3);
    assert.equal(json.layer, 1);
    assert.equal(json.demo, "walkthrough");
    assert.deepEqual(json.rows, tokens);
    assert.equal(json.values.length, shown.rows);
    assert.equal(json.values[0].length, shown.cols);
    assert.ok(Math.abs(json.values[0][0] - Number(rows[1][1])) < 1e-6, "CSV and JSON hold the same numbers");

    const svg = (await download(app.page, figure.getByTestId("export-svg"))).bytes.toString("utf8");
    assert.match(svg, /^<svg[^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    assert.equal((svg.match(/data-testid="cell"/g) ?? []).length, shown.rows * shown.cols);

    const png = await download(app.page, figure.getByTestId("export-png"));
    assert.match(png.name, /\.png$/);
    assert.deepEqual([...png.bytes.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], "a PNG file");
    const width = png.bytes.readUInt32BE(16);
    assert.ok(width > 100, `the PNG has the heatmap's size (width ${width})`);
  });

  it("a table behind the heatmap lists every value with its token labels", async () => {
    const { app } = ctx;
    await app.open();
    await app.waitUntilReady();
    await app.setText("Le roi parle au peuple.");
    await app.goToStep("softmax");
    const figure = app.page.locator("figure.matrix", { has: app.page.locator('[data-testid="heatmap"][data-name^="weights"]') }).first();
    const toggle = figure.getByTestId("table-toggle");
    assert.equal(await toggle.getAttribute("aria-pressed"), "false");
    await toggle.click();
    assert.equal(await toggle.getAttribute("aria-pressed"), "true");
    const table = figure.getByTestId("heatmap-table");
    const tokens = await app.page.locator(".token-text").allTextContents();
    assert.deepEqual(await table.locator("tbody th").allTextContents(), tokens);
    assert.deepEqual((await table.locator("thead th").allTextContents()).slice(1), tokens);
    const cells = await table.locator("tbody td").allTextContents();
    assert.equal(cells.length, tokens.length * tokens.length);
    const firstCell = await figure.locator('[data-testid="cell"][data-row="0"][data-col="0"]').getAttribute("aria-label");
    assert.ok(firstCell.endsWith(`= ${cells[0]}`), `${firstCell} vs ${cells[0]}`);
    await toggle.click();
    await table.waitFor({ state: "detached" });
  });
});
