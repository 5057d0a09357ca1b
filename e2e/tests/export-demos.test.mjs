// Every demo's matrices have the same Save buttons and data table as the walkthrough's: the
// files carry the demo, model, layer/head/step and labels, and hold the numbers on screen.

import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { download, parseCsv } from "../downloads.mjs";
import { useWalkthrough } from "../support.mjs";
import { TranslatePage } from "../pages/translate.mjs";
import { RecommendPage } from "../pages/recommend.mjs";
import { ForecastPage } from "../pages/forecast.mjs";
import { DigitsPage } from "../pages/digits.mjs";

const sum = (xs) => xs.reduce((a, b) => a + b, 0);

/** The figure around the heatmap whose data-name starts with `name`. */
function figureOf(page, name) {
  return page.locator("figure.matrix", { has: page.locator(`[data-testid="heatmap"][data-name^="${name}"]`) }).first();
}

/** Saves the figure's matrix as JSON and CSV, checks they agree and every row sums to 1. */
async function saveAndCheck(page, figure, { demo, layer, head }) {
  const json = JSON.parse((await download(page, figure.getByTestId("export-json"))).bytes.toString("utf8"));
  assert.equal(json.demo, demo);
  assert.ok(json.model.length > 0, "the model is named");
  if (layer !== undefined) assert.equal(json.layer, layer);
  if (head !== undefined) assert.equal(json.head, head);
  assert.equal(json.values.length, json.rows.length);
  for (const row of json.values) {
    assert.equal(row.length, json.cols.length);
    assert.ok(Math.abs(sum(row) - 1) < 1e-4, `a row of attention weights sums to 1 (${sum(row)})`);
  }
  const csv = await download(page, figure.getByTestId("export-csv"));
  assert.match(csv.name, new RegExp(`^attention-${demo}-.*\\.csv$`));
  const { meta, rows } = parseCsv(csv.bytes.toString("utf8"));
  assert.equal(meta.demo, demo);
  assert.deepEqual(rows[0].slice(1), json.cols);
  assert.deepEqual(rows.slice(1).map((r) => r[0]), json.rows);
  assert.ok(Math.abs(Number(rows[1][1]) - json.values[0][0]) < 1e-6, "CSV and JSON hold the same numbers");
  const png = await download(page, figure.getByTestId("export-png"));
  assert.deepEqual([...png.bytes.subarray(0, 4)], [0x89, 0x50, 0x4e, 0x47], "a PNG file");
  await figure.getByTestId("table-toggle").click();
  assert.equal(await figure.getByTestId("heatmap-table").locator("tbody tr").count(), json.rows.length);
  return json;
}

describe("export from every demo", () => {
  const ctx = useWalkthrough({ acceptDownloads: true });

  it("translation: the cross-attention grid of the chosen layer and head", async () => {
    const app = new TranslatePage(ctx.app.page, ctx.app.baseUrl);
    await app.open();
    await app.waitUntilReady();
    await app.translate("Jesus wept.");
    await app.translateAll();
    await app.layerButtons.nth(1).click();
    await app.headButtons.nth(2).click(); // head 2 (0 is the average)
    const json = await saveAndCheck(app.page, figureOf(app.page, "Cross-attention"), { demo: "translate", layer: 2, head: 2 });
    assert.equal(json.input, "Jesus wept.");
    assert.equal(json.cols.at(-1), "</s>", "columns are the English tokens");
    await saveAndCheck(app.page, figureOf(app.page, "Decoder self-attention"), { demo: "translate", layer: 2, head: 2 });
  });

  it("recommendation: attention over the history", async () => {
    const app = new RecommendPage(ctx.app.page, ctx.app.baseUrl);
    await app.open("h=50-181-172-174-100-127");
    await app.waitUntilReady();
    await app.waitForResult(0);
    await app.headSelect.selectOption("1");
    const json = await saveAndCheck(app.page, figureOf(app.page, "attention"), { demo: "recommend", layer: 2, head: 1 });
    assert.equal(json.rows.length, 6);
    assert.match(json.input, /50-181-172-174-100-127/);
  });

  it("forecast: every forecast step's attention over the window", async () => {
    const app = new ForecastPage(ctx.app.page, ctx.app.baseUrl);
    await app.open();
    await app.waitUntilForecast();
    // The tools sit under the plot's own grid of every step's attention.
    const json = await saveAndCheck(app.page, app.page.locator(".fc-plots"), { demo: "forecast", layer: 2 });
    assert.match(json.model, /^forecast\//);
    assert.equal(json.rows.length, 12);
    assert.equal(json.cols.length, 36);
  });

  it("digits: [CLS] attention of every layer and head, and the rollout", async () => {
    const app = new DigitsPage(ctx.app.page, ctx.app.baseUrl);
    await app.open();
    await app.waitUntilReady();
    await app.pickExample(2);
    const json = await saveAndCheck(app.page, figureOf(app.page, "[CLS] attention"), { demo: "digits" });
    assert.equal(json.cols.length, 17);
    assert.equal(json.rows.at(-1), "rollout");
    assert.match(json.input, /test image of a \d/);
  });
});
