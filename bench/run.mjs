// Benchmark of the built site in headless Chromium. It prints figures beside their targets and
// writes bench/results/latest.json; it asserts nothing.
//
//   node bench/run.mjs [--dir dist] [--loads 3] [--keys 20]
//
// Figures:
// - first download: response bytes (gzip, as sent by e2e/serve.mjs) before the first heatmap shows.
//   Counted at the server because the model and worker fetches come from a dedicated worker, which
//   the page's Resource Timing and CDP Network domain do not see. Headers are not counted.
// - navigation → first heatmap: performance.now() (0 = navigation start) when the first heatmap
//   cell enters the DOM; median over --loads cold loads, each in a fresh browser context.
// - keystroke → heatmap: from keydown to the DOM showing the inference it triggered ([data-testid=
//   run-id]'s data-run increments); median over --keys keystrokes. Includes the input debounce.
// - longest main-thread task: the longest PerformanceObserver "longtask" (only tasks over 50 ms are
//   reported, so "< 50 ms" means none was).

import { mkdir, writeFile } from "node:fs/promises";
import { availableParallelism } from "node:os";
import { parseArgs } from "node:util";
import { startServer } from "../e2e/serve.mjs";
import { DESKTOP, PREFIX, launchBrowser } from "../e2e/support.mjs";

const TARGETS = { firstDownloadBytes: 2.5e6, firstHeatmapMs: 1500, keystrokeMs: 100 };

const { values: opts } = parseArgs({
  options: {
    dir: { type: "string", default: process.env.DIST ?? "dist" },
    loads: { type: "string", default: "3" },
    keys: { type: "string", default: "20" },
  },
});

// Runs in the page before any of its scripts: timestamps for the figures above.
function instrument() {
  const bench = (window.__bench = { firstHeatmap: null, longestTask: 0, longTasks: 0, keydowns: [], runs: [] });
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      bench.longTasks += 1;
      bench.longestTask = Math.max(bench.longestTask, entry.duration);
    }
  }).observe({ type: "longtask", buffered: true });
  let lastRun = null;
  new MutationObserver(() => {
    const now = performance.now();
    if (bench.firstHeatmap === null && document.querySelector('[data-testid="heatmap"] [data-testid="cell"]')) {
      bench.firstHeatmap = now;
    }
    const run = document.querySelector('[data-testid="run-id"]')?.getAttribute("data-run");
    if (run !== null && run !== undefined && run !== lastRun) {
      lastRun = run;
      bench.runs.push({ run: Number(run), t: now });
    }
  }).observe(document, { subtree: true, childList: true, attributes: true, characterData: true });
  document.addEventListener("keydown", () => bench.keydowns.push(performance.now()), { capture: true });
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? NaN : s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const mb = (bytes) => (bytes >= 1e5 ? `${(bytes / 1e6).toFixed(2)} MB` : `${(bytes / 1e3).toFixed(1)} kB`);
const round = (t) => Math.round(t * 10) / 10;
const ms = (t) => (Number.isFinite(t) ? `${Math.round(t)} ms` : "n/a");

async function coldLoad(browser, site) {
  // The offline service worker is blocked: it precaches the same files after load, which this
  // local server (no-cache, no ETag) sends a second time, where GitHub Pages' HTTP cache
  // (max-age=600) would answer it. The figure is what the page itself needs.
  const context = await browser.newContext({ viewport: DESKTOP, serviceWorkers: "block" });
  const page = await context.newPage();
  await page.addInitScript(instrument);
  site.resetBytes();
  await page.goto(site.url);
  await page.waitForFunction(() => window.__bench?.firstHeatmap !== null, null, { timeout: 120_000 });
  const bytes = site.bytesSent();
  const perPath = [...site.bytesByPath()].sort((a, b) => b[1] - a[1]);
  const firstHeatmap = await page.evaluate(() => window.__bench.firstHeatmap);
  return { context, page, bytes, perPath, firstHeatmap };
}

async function keystrokes(page, count) {
  const input = page.locator('[data-testid="text-input"]');
  const currentRun = () =>
    page.evaluate(() => Number(document.querySelector('[data-testid="run-id"]')?.getAttribute("data-run") ?? -1));
  const waitForRunAfter = (run) =>
    page.waitForFunction(
      (run) => Number(document.querySelector('[data-testid="run-id"]')?.getAttribute("data-run") ?? -1) > run,
      run,
      { timeout: 30_000 },
    );
  let run = await currentRun();
  await input.fill("The cat sat on the mat");
  await waitForRunAfter(run);
  await input.press("End");
  const samples = [];
  const keys = "s and the dog ran off".padEnd(count, " x").slice(0, count);
  for (const key of keys) {
    run = await currentRun();
    await page.keyboard.type(key);
    await waitForRunAfter(run);
    samples.push(
      await page.evaluate((run) => {
        const { keydowns, runs } = window.__bench;
        const done = runs.find((r) => r.run > run);
        return done.t - keydowns.at(-1);
      }, run),
    );
    await page.waitForTimeout(100); // let the page settle so keystrokes do not queue up
  }
  return samples;
}

const site = await startServer({ dir: opts.dir, prefix: PREFIX, port: 0 });
const browser = await launchBrowser();
try {
  const loads = [];
  for (let i = 0; i < Number(opts.loads); i++) {
    const load = await coldLoad(browser, site);
    loads.push(load);
    if (i < Number(opts.loads) - 1) await load.context.close();
  }
  const { bytes, perPath } = loads[0];
  const last = loads.at(-1);
  await last.page.locator('[data-testid="model-status"][data-state="ready"]').waitFor({ timeout: 60_000 });
  const keySamples = await keystrokes(last.page, Number(opts.keys));
  const { longestTask, longTasks } = await last.page.evaluate(() => window.__bench);

  const results = {
    date: new Date().toISOString(),
    browser: `Chromium ${browser.version()}`,
    node: process.version,
    cpus: availableParallelism(),
    firstDownloadBytes: bytes,
    firstDownloadByPath: Object.fromEntries(perPath),
    firstHeatmapMs: round(median(loads.map((l) => l.firstHeatmap))),
    firstHeatmapSamplesMs: loads.map((l) => round(l.firstHeatmap)),
    keystrokeToHeatmapMs: round(median(keySamples)),
    keystrokeSamplesMs: keySamples.map(round),
    longestMainThreadTaskMs: round(longestTask),
    longTasks,
    targets: TARGETS,
  };

  const rows = [
    ["first download (gzip)", mb(results.firstDownloadBytes), `≤ ${mb(TARGETS.firstDownloadBytes)}`],
    [`navigation → first heatmap (median of ${loads.length})`, ms(results.firstHeatmapMs), `≤ ${ms(TARGETS.firstHeatmapMs)}`],
    [`keystroke → heatmap (median of ${keySamples.length})`, ms(results.keystrokeToHeatmapMs), `≤ ${ms(TARGETS.keystrokeMs)}`],
    ["longest main-thread task", longTasks ? ms(longestTask) : "< 50 ms", ""],
  ];
  const widths = [0, 1, 2].map((c) => Math.max(...[["figure", "value", "target"], ...rows].map((r) => r[c].length)));
  const line = (r) => r.map((cell, c) => cell.padEnd(widths[c])).join("  ").trimEnd();
  console.log(`\n${results.browser}, ${results.cpus} CPUs, ${site.url}\n`);
  console.log(line(["figure", "value", "target"]));
  console.log(line(widths.map((w) => "-".repeat(w))));
  rows.forEach((r) => console.log(line(r)));
  console.log("\nfirst download by file:");
  for (const [path, n] of perPath) console.log(`  ${mb(n).padStart(9)}  ${path}`);

  await mkdir(new URL("./results/", import.meta.url), { recursive: true });
  await writeFile(new URL("./results/latest.json", import.meta.url), JSON.stringify(results, null, 2) + "\n");
  console.log("\nwrote bench/results/latest.json");
} finally {
  await browser.close();
  await site.close();
}
