// Benchmark of the time-series (#/forecast) and image-patches (#/digits) demos in headless
// Chromium. Prints a table, writes bench/results/forecast.json; asserts nothing.
//
//   node bench/forecast.mjs [--dir dist] [--loads 3] [--edits 20]
//
// Figures:
// - first download: response bytes (gzip, as e2e/serve.mjs sends them) from navigation to the
//   first forecast / the model being ready, counted at the server (the worker's fetches are not
//   visible to the page's Resource Timing). Headers are not counted.
// - navigation → first forecast: performance.now() when the first forecast point enters the DOM,
//   median over --loads cold loads (fresh browser context each).
// - edit → new forecast: keydown (ArrowUp on a focused past value: the same Edit action a drag
//   sends) → the DOM showing the forecast of the edited window ([data-testid=run-id] increments).
//   Median of --edits.
// - series switch → forecast: choosing another series (its model is downloaded, loaded by tract,
//   and run) → its first forecast point. Median over the two other series.
// - digits: navigation → model ready (median of --loads), test image click → prediction and pen
//   lifted → prediction (rasterising the strokes and fitting them to 8×8 in Rust included),
//   medians of --edits.
// - longest main-thread task: PerformanceObserver "longtask" (only tasks over 50 ms are reported).

import { mkdir, writeFile } from "node:fs/promises";
import { availableParallelism } from "node:os";
import { parseArgs } from "node:util";
import { startServer } from "../e2e/serve.mjs";
import { DESKTOP, PREFIX, launchBrowser } from "../e2e/support.mjs";
import { SHAPES } from "../e2e/pages/digits.mjs";

const { values: opts } = parseArgs({
  options: {
    dir: { type: "string", default: process.env.DIST ?? "dist" },
    loads: { type: "string", default: "3" },
    edits: { type: "string", default: "20" },
  },
});
const LOADS = Number(opts.loads);
const EDITS = Number(opts.edits);

// Runs in the page before its scripts: timestamps of the first forecast and of every run.
function instrument() {
  const bench = (window.__bench = { first: null, ready: null, longestTask: 0, longTasks: 0, marks: [], runs: [] });
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      bench.longTasks += 1;
      bench.longestTask = Math.max(bench.longestTask, entry.duration);
    }
  }).observe({ type: "longtask", buffered: true });
  let lastRun = null;
  new MutationObserver(() => {
    const now = performance.now();
    if (bench.first === null && document.querySelector('[data-testid="forecast-point"]')) bench.first = now;
    if (bench.ready === null && document.querySelector('[data-testid="model-status"][data-state="ready"]')) bench.ready = now;
    const run = document.querySelector('[data-testid="run-id"]')?.getAttribute("data-run");
    if (run !== null && run !== undefined && run !== lastRun) {
      lastRun = run;
      bench.runs.push({ run: Number(run), t: now });
    }
  }).observe(document, { subtree: true, childList: true, attributes: true, characterData: true });
  for (const type of ["keydown", "pointerup", "click"]) {
    document.addEventListener(type, () => bench.marks.push(performance.now()), { capture: true });
  }
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? NaN : s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const kb = (bytes) => (bytes >= 1e5 ? `${(bytes / 1e6).toFixed(2)} MB` : `${(bytes / 1e3).toFixed(1)} kB`);
const round = (t) => Math.round(t * 10) / 10;
const ms = (t) => (Number.isFinite(t) ? `${t < 10 ? t.toFixed(1) : Math.round(t)} ms` : "n/a");

const currentRun = (page) =>
  page.evaluate(() => Number(document.querySelector('[data-testid="run-id"]')?.getAttribute("data-run") ?? -1));
const waitForRunAfter = (page, run) =>
  page.waitForFunction(
    (run) => Number(document.querySelector('[data-testid="run-id"]')?.getAttribute("data-run") ?? -1) > run,
    run,
    { timeout: 30_000 },
  );
/** Time from the last input mark (keydown / pointerup / click) to the first run after `run`. */
const lastLatency = (page, run) =>
  page.evaluate((run) => {
    const { marks, runs } = window.__bench;
    return runs.find((r) => r.run > run).t - marks.at(-1);
  }, run);

async function coldLoad(browser, site, hash, readyFlag) {
  const context = await browser.newContext({ viewport: DESKTOP, serviceWorkers: "block" });
  const page = await context.newPage();
  await page.addInitScript(instrument);
  site.resetBytes();
  await page.goto(`${site.url}${hash}`);
  await page.waitForFunction((flag) => window.__bench?.[flag] !== null, readyFlag, { timeout: 120_000 });
  const bytes = site.bytesSent();
  const perPath = [...site.bytesByPath()].sort((a, b) => b[1] - a[1]);
  const t = await page.evaluate((flag) => window.__bench[flag], readyFlag);
  return { context, page, bytes, perPath, t };
}

const site = await startServer({ dir: opts.dir, prefix: PREFIX, port: 0 });
const browser = await launchBrowser();
try {
  // ---- time series
  const loads = [];
  for (let i = 0; i < LOADS; i++) {
    const load = await coldLoad(browser, site, "#/forecast", "first");
    loads.push(load);
    if (i < LOADS - 1) await load.context.close();
  }
  const page = loads.at(-1).page;
  const edits = [];
  const point = page.locator('[data-testid="past-point"]').last();
  for (let i = 0; i < EDITS; i++) {
    const run = await currentRun(page);
    await point.focus();
    await page.keyboard.press(i % 2 ? "ArrowDown" : "ArrowUp");
    await waitForRunAfter(page, run);
    edits.push(await lastLatency(page, run));
    await page.waitForTimeout(50);
  }
  const switches = [];
  for (const id of ["elnino", "sunspots"]) {
    const t0 = await page.evaluate(() => performance.now());
    await page.locator('[data-testid="series-select"]').selectOption(id);
    await page.locator('[data-testid="model-status"][data-state="ready"]').filter({ hasText: id }).waitFor({ timeout: 60_000 });
    await page.locator('[data-testid="forecast-point"]').first().waitFor();
    switches.push((await page.evaluate(() => performance.now())) - t0);
  }
  const fcTasks = await page.evaluate(() => ({ longest: window.__bench.longestTask, count: window.__bench.longTasks }));
  await loads.at(-1).context.close();

  // ---- digits
  const dLoads = [];
  for (let i = 0; i < LOADS; i++) {
    const load = await coldLoad(browser, site, "#/digits", "ready");
    dLoads.push(load);
    if (i < LOADS - 1) await load.context.close();
  }
  const dpage = dLoads.at(-1).page;
  const picks = [];
  const examples = dpage.locator('[data-testid="example"]');
  const nEx = await examples.count();
  for (let i = 0; i < EDITS; i++) {
    const run = await currentRun(dpage);
    await examples.nth(i % nEx).click();
    await waitForRunAfter(dpage, run);
    picks.push(await lastLatency(dpage, run));
    await dpage.waitForTimeout(50);
  }
  const strokes = [];
  const canvas = dpage.locator('[data-testid="digit-canvas"]');
  for (let i = 0; i < Math.min(EDITS, 10); i++) {
    await dpage.locator('[data-testid="clear"]').click();
    const box = await canvas.boundingBox();
    const at = ([x, y]) => [box.x + (x / 256) * box.width, box.y + (y / 256) * box.height];
    const shape = [SHAPES.one, SHAPES.seven, SHAPES.zero][i % 3][0];
    const run = await currentRun(dpage);
    await dpage.mouse.move(...at(shape[0]));
    await dpage.mouse.down();
    for (const p of shape.slice(1)) await dpage.mouse.move(...at(p), { steps: 3 });
    await dpage.mouse.up();
    await waitForRunAfter(dpage, run);
    strokes.push(await lastLatency(dpage, run));
  }
  const dgTasks = await dpage.evaluate(() => ({ longest: window.__bench.longestTask, count: window.__bench.longTasks }));

  const results = {
    date: new Date().toISOString(),
    browser: `Chromium ${browser.version()}`,
    node: process.version,
    cpus: availableParallelism(),
    forecast: {
      firstDownloadBytes: loads[0].bytes,
      firstDownloadByPath: Object.fromEntries(loads[0].perPath),
      firstForecastMs: round(median(loads.map((l) => l.t))),
      firstForecastSamplesMs: loads.map((l) => round(l.t)),
      editToForecastMs: round(median(edits)),
      editSamplesMs: edits.map(round),
      seriesSwitchMs: round(median(switches)),
      seriesSwitchSamplesMs: switches.map(round),
      longestMainThreadTaskMs: round(fcTasks.longest),
      longTasks: fcTasks.count,
    },
    digits: {
      firstDownloadBytes: dLoads[0].bytes,
      firstDownloadByPath: Object.fromEntries(dLoads[0].perPath),
      modelReadyMs: round(median(dLoads.map((l) => l.t))),
      modelReadySamplesMs: dLoads.map((l) => round(l.t)),
      pickToPredictionMs: round(median(picks)),
      pickSamplesMs: picks.map(round),
      strokeToPredictionMs: round(median(strokes)),
      strokeSamplesMs: strokes.map(round),
      longestMainThreadTaskMs: round(dgTasks.longest),
      longTasks: dgTasks.count,
    },
  };
  const f = results.forecast;
  const d = results.digits;
  const rows = [
    ["#/forecast first download (gzip)", kb(f.firstDownloadBytes)],
    [`#/forecast navigation → first forecast (median of ${LOADS})`, ms(f.firstForecastMs)],
    [`#/forecast edit → new forecast (median of ${edits.length})`, ms(f.editToForecastMs)],
    [`#/forecast series switch → forecast (median of ${switches.length})`, ms(f.seriesSwitchMs)],
    ["#/forecast longest main-thread task", f.longTasks ? ms(f.longestMainThreadTaskMs) : "< 50 ms"],
    ["#/digits first download (gzip)", kb(d.firstDownloadBytes)],
    [`#/digits navigation → model ready (median of ${LOADS})`, ms(d.modelReadyMs)],
    [`#/digits test image → prediction (median of ${picks.length})`, ms(d.pickToPredictionMs)],
    [`#/digits pen lifted → prediction (median of ${strokes.length})`, ms(d.strokeToPredictionMs)],
    ["#/digits longest main-thread task", d.longTasks ? ms(d.longestMainThreadTaskMs) : "< 50 ms"],
  ];
  const widths = [0, 1].map((c) => Math.max(...[["figure", "value"], ...rows].map((r) => r[c].length)));
  const line = (r) => r.map((cell, c) => cell.padEnd(widths[c])).join("  ").trimEnd();
  console.log(`\n${results.browser}, ${results.cpus} CPUs, ${site.url}\n`);
  console.log(line(["figure", "value"]));
  console.log(line(widths.map((w) => "-".repeat(w))));
  rows.forEach((r) => console.log(line(r)));
  console.log("\nfirst download of #/forecast by file:");
  for (const [path, n] of loads[0].perPath) console.log(`  ${kb(n).padStart(9)}  ${path}`);

  await mkdir(new URL("./results/", import.meta.url), { recursive: true });
  await writeFile(new URL("./results/forecast.json", import.meta.url), JSON.stringify(results, null, 2) + "\n");
  console.log("\nwrote bench/results/forecast.json");
} finally {
  await browser.close();
  await site.close();
}
