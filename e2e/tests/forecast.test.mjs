// The time-series view (#/forecast): forecast, baseline, attention over past steps, editing a past
// value by dragging it, too-short windows, links, series switching and broken model files.

import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { PHONE, useWalkthrough } from "../support.mjs";
import { ForecastPage } from "../pages/forecast.mjs";

const golden = JSON.parse(readFileSync(new URL("../../models/forecast/golden.json", import.meta.url), "utf8"));
const manifest = JSON.parse(readFileSync(new URL("../../models/forecast/manifest.json", import.meta.url), "utf8"));
const { window: T, horizon: H } = manifest;

function forecastPage(ctx) {
  return new ForecastPage(ctx.app.page, ctx.site.url);
}

describe("time series", () => {
  const ctx = useWalkthrough();

  it("forecasts the first held-out year of CO₂ as PyTorch did, with a baseline and attention", async () => {
    const app = forecastPage(ctx);
    await app.open();
    await app.waitUntilForecast();
    assert.equal(await app.pastPoints.count(), T);
    assert.equal(await app.forecastPoints.count(), H);
    assert.equal(await app.page.locator('[data-testid="truth-line"]').count(), 1);
    assert.equal(await app.page.locator('[data-testid="baseline-line"]').count(), 1);
    // the default point is the start of the held-out tail: the golden case "test_start"
    const want = golden.cases.find((c) => c.series === "co2" && c.name === "test_start");
    const got = await app.forecastValues();
    got.forEach((v, i) => assert.ok(Math.abs(v - want.forecast_units[i]) <= 1e-4 * want.scale, `step ${i + 1}: ${v} vs ${want.forecast_units[i]}`));
    const weights = await app.attentionWeights();
    assert.equal(weights.length, T);
    assert.ok(Math.abs(weights.reduce((a, b) => a + b, 0) - 1) < 1e-4, "one step's attention sums to 1");
    assert.match(await app.attentionSummary.innerText(), /Forecast step \+1 .* back/);
    const metrics = await app.metrics.innerText();
    assert.match(metrics, /attention model/);
    assert.match(metrics, /seasonal naive/);
    assert.equal(await app.miniBars.count(), 2 * 5, "2 layers × (average + 4 heads)");
  });

  it("dragging a past value changes the forecast and attention; reset brings both back exactly", async () => {
    const app = forecastPage(ctx);
    await app.open();
    await app.waitUntilForecast();
    const before = await app.forecastValues();
    const attBefore = await app.attentionWeights();
    assert.equal(await app.resetEdits.isDisabled(), true);
    const valueBefore = Number(await app.pastPoints.nth(T - 12).getAttribute("data-value"));
    await app.dragPastPoint(T - 12, -80);
    const valueAfter = Number(await app.pastPoints.nth(T - 12).getAttribute("data-value"));
    assert.ok(valueAfter > valueBefore + 0.5, `dragged up: ${valueBefore} → ${valueAfter}`);
    const after = await app.forecastValues();
    assert.notDeepEqual(after, before, "the forecast changed");
    assert.notDeepEqual(await app.attentionWeights(), attBefore, "the attention changed");
    assert.match(await app.resetEdits.innerText(), /\(1\)/);
    const run = await app.currentRun();
    await app.resetEdits.click();
    await app.waitForSettledRun(run);
    assert.deepEqual(await app.forecastValues(), before);
    assert.deepEqual(await app.attentionWeights(), attBefore);
  });

  it("the arrow keys edit a focused past value too", async () => {
    const app = forecastPage(ctx);
    await app.open();
    await app.waitUntilForecast();
    const before = await app.forecastValues();
    const run = await app.currentRun();
    await app.pastPoints.nth(T - 1).focus();
    await app.page.keyboard.press("ArrowUp");
    await app.waitForSettledRun(run);
    assert.notDeepEqual(await app.forecastValues(), before);
  });

  it("a point too early for a full window says so, and no forecast is drawn", async () => {
    const app = forecastPage(ctx);
    await app.open();
    await app.waitUntilForecast();
    await app.setOrigin(10);
    await app.windowMessage.waitFor();
    assert.match(await app.windowMessage.innerText(), new RegExp(`Only 10 past values.*needs ${T}`));
    assert.equal(await app.forecastPoints.count(), 0);
    assert.equal(await app.pastPoints.count(), 10, "what there is is still drawn");
    const run = await app.setOrigin(T);
    await app.waitForSettledRun(run);
    assert.equal(await app.windowMessage.count(), 0);
    assert.equal(await app.forecastPoints.count(), H);
  });

  it("forecasting from the last value draws no true values", async () => {
    const app = forecastPage(ctx);
    await app.open();
    await app.waitUntilForecast();
    const n = manifest.series.find((s) => s.id === "co2").values.length;
    const run = await app.setOrigin(n);
    await app.waitForSettledRun(run);
    assert.equal(await app.forecastPoints.count(), H);
    assert.equal(await app.page.locator('[data-testid="truth-line"]').count(), 0);
    const want = golden.cases.find((c) => c.series === "co2" && c.name === "series_end");
    const got = await app.forecastValues();
    got.forEach((v, i) => assert.ok(Math.abs(v - want.forecast_units[i]) <= 1e-4 * want.scale));
  });

  it("another series loads its own model; the step and head pickers change the bars", async () => {
    const app = forecastPage(ctx);
    await app.open();
    await app.waitUntilForecast();
    await app.chooseSeries("sunspots");
    await app.page.locator('[data-testid="model-status"][data-state="ready"]').filter({ hasText: "sunspots" }).waitFor({ timeout: 30_000 });
    await app.forecastPoints.first().waitFor();
    assert.match(await app.originLabel.innerText(), /^\d{4}$/, "yearly steps are labelled by year");
    const want = golden.cases.find((c) => c.series === "sunspots" && c.name === "test_start");
    const got = await app.forecastValues();
    got.forEach((v, i) => assert.ok(Math.abs(v - want.forecast_units[i]) <= 1e-4 * want.scale));
    const w1 = await app.attentionWeights();
    await app.stepSelect.selectOption({ value: "5" });
    await app.page.locator('[data-testid="attention-bars"][data-step="5"]').waitFor();
    assert.notDeepEqual(await app.attentionWeights(), w1);
    await app.page.locator('[data-testid="head-select"]').selectOption({ value: "2" });
    assert.match(await app.page.locator('[data-testid="attention-bars"]').getAttribute("aria-label"), /head 3/);
  });

  it("a link picks the series and point; a bad link falls back with a note", async () => {
    const app = forecastPage(ctx);
    await app.open("series=elnino&t=500");
    await app.waitUntilForecast();
    assert.equal(await app.seriesSelect.inputValue(), "elnino");
    assert.equal(await app.originSlider.inputValue(), "500");
    // the address bar follows the view, so it can be shared
    const run = await app.setOrigin(480);
    await app.waitForSettledRun(run);
    assert.match(await app.page.evaluate(() => location.hash), /^#\/forecast\?series=elnino&t=480&step=1&layer=2&head=avg$/);
    await app.page.goto("about:blank");
    await app.open("series=%3Cscript%3Ealert(1)%3C%2Fscript%3E&t=999999");
    await app.waitUntilForecast();
    assert.equal(await app.seriesSelect.inputValue(), "co2");
    assert.match(await app.linkProblem.innerText(), /series and point in time could not be used/);
  });

  it("a missing model file gives a readable error", async () => {
    const app = forecastPage(ctx);
    ctx.allow = { allowConsole: [/./], allowFailedResponses: [/\.onnx/] };
    await app.page.route(/co2\.onnx$/, (route) => route.fulfill({ status: 404, body: "Not Found" }));
    await app.open();
    await app.error.waitFor({ timeout: 30_000 });
    assert.match(await app.error.innerText(), /co2\.onnx/);
    assert.equal(await app.modelState(), "failed");
  });
});

describe("time series on a phone", () => {
  const ctx = useWalkthrough({ viewport: PHONE });

  it("the page does not scroll sideways and a finger drags a point", async () => {
    const app = forecastPage(ctx);
    await app.open();
    await app.waitUntilForecast();
    assert.ok((await app.horizontalOverflow()) <= 1, "no sideways scrolling of the page");
    const before = await app.forecastValues();
    // the chart starts scrolled to its right end: the last past point is on screen
    const box = await app.pastPoints.nth(T - 1).locator("circle").first().boundingBox();
    assert.ok(box.x > 0 && box.x < 390, `last past point at x=${box.x}`);
    const run = await app.currentRun();
    const cdp = await app.page.context().newCDPSession(app.page);
    const x = box.x + box.width / 2;
    const y = box.y + box.height / 2;
    await cdp.send("Input.dispatchTouchEvent", { type: "touchStart", touchPoints: [{ x, y, id: 1 }] });
    for (let k = 1; k <= 5; k++) {
      await cdp.send("Input.dispatchTouchEvent", { type: "touchMove", touchPoints: [{ x, y: y - 8 * k, id: 1 }] });
    }
    await cdp.send("Input.dispatchTouchEvent", { type: "touchEnd", touchPoints: [] });
    await app.waitForSettledRun(run);
    assert.notDeepEqual(await app.forecastValues(), before);
  });
});
