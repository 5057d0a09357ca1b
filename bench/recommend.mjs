// Benchmark of the recommendation demo (#/recommend) on the built site in headless Chromium. It
// prints figures beside their targets and writes bench/results/recommend.json; it asserts nothing.
//
//   node bench/recommend.mjs [--dir dist] [--rounds 30]
//
// Figure: history change → updated recommendations. In the page, from the click on a history
// edit button (↑ on the latest movie, then ↓ to put it back: each click is a new history) until
// the DOM shows the new top 10 (the result counter [data-testid=rec-run] has moved on and the
// list is no longer marked busy). That covers the model run in the worker (tract on the 50-item
// window, with both layers' attention as outputs), ranking 1,682 movies and rendering the list,
// the bars and the 50 × 50 heatmap. Median over rounds, for a full 50-movie window and for a
// 6-movie history.

import { mkdir, writeFile } from "node:fs/promises";
import { availableParallelism } from "node:os";
import { parseArgs } from "node:util";
import { startServer } from "../e2e/serve.mjs";
import { DESKTOP, PREFIX, launchBrowser } from "../e2e/support.mjs";

// Issue 23 asks ≤ 30 ms (the recommendation issue had asked ≤ 50 ms).
const TARGETS = { updateMs: 30 };

const { values: opts } = parseArgs({
  options: {
    dir: { type: "string", default: process.env.DIST ?? "dist" },
    rounds: { type: "string", default: "30" },
  },
});

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? NaN : s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const round = (t) => Math.round(t * 10) / 10;
const ms = (t) => (Number.isFinite(t) ? `${t.toFixed(1)} ms` : "n/a");

/** In the page: clicks `selector`, resolves with the ms until the next result is rendered. */
function timeEdit(selector) {
  return new Promise((resolve, reject) => {
    const counter = () => Number(document.querySelector('[data-testid="rec-run"]')?.dataset.run ?? 0);
    const before = counter();
    const done = () => {
      const panel = document.querySelector(".rec-panel[aria-busy]");
      return counter() > before && panel?.getAttribute("aria-busy") === "false";
    };
    const button = document.querySelector(selector);
    if (!button) return reject(new Error(`no ${selector}`));
    const t0 = performance.now();
    const obs = new MutationObserver(() => {
      if (done()) {
        obs.disconnect();
        // The frame with the new DOM is painted at the next animation frame.
        requestAnimationFrame(() => resolve(performance.now() - t0));
      }
    });
    obs.observe(document, { subtree: true, childList: true, attributes: true });
    button.click();
    setTimeout(() => { obs.disconnect(); reject(new Error("no update within 10 s")); }, 10_000);
  });
}

const site = await startServer({ dir: opts.dir, prefix: PREFIX, port: 0 });
const browser = await launchBrowser();
try {
  const context = await browser.newContext({ viewport: DESKTOP });
  const page = await context.newPage();
  const measure = async (query, label) => {
    await page.goto(`${site.url}#/recommend?${query}`);
    await page.reload();
    await page.locator('[data-testid="model-status"][data-state="ready"]').waitFor({ timeout: 120_000 });
    await page.waitForFunction(() => Number(document.querySelector('[data-testid="rec-run"]')?.dataset.run ?? 0) > 0);
    const n = await page.locator('[data-testid="rec-history-item"]').count();
    const up = `[data-testid="rec-history-item"][data-index="${n - 1}"] [data-testid="rec-up"]`;
    const down = `[data-testid="rec-history-item"][data-index="${n - 2}"] [data-testid="rec-down"]`;
    for (let i = 0; i < 4; i++) await page.evaluate(timeEdit, i % 2 ? down : up); // warm-up
    const samples = [];
    for (let i = 0; i < Number(opts.rounds); i++) samples.push(await page.evaluate(timeEdit, i % 2 ? down : up));
    return { label, historyLength: n, medianMs: round(median(samples)), maxMs: round(Math.max(...samples)), samples: samples.length };
  };
  const full = Array.from({ length: 50 }, (_, i) => i + 1).join("-");
  const rows = [await measure(`h=${full}`, "50-movie history (full window)"), await measure("h=50-181-172-174-100-127", "6-movie history")];

  const results = {
    date: new Date().toISOString(),
    browser: `Chromium ${browser.version()}`,
    node: process.version,
    cpus: availableParallelism(),
    updates: rows,
    targets: TARGETS,
  };
  const table = rows.map((r) => [`${r.label}: edit → new top 10 (median of ${r.samples})`, ms(r.medianMs), `≤ ${TARGETS.updateMs} ms`, ms(r.maxMs)]);
  const head = ["figure", "median", "target", "max"];
  const widths = head.map((_, c) => Math.max(...[head, ...table].map((r) => r[c].length)));
  const line = (r) => r.map((cell, c) => cell.padEnd(widths[c])).join("  ").trimEnd();
  console.log(`\n${results.browser}, ${results.cpus} CPUs, ${site.url}#/recommend\n`);
  console.log(line(head));
  console.log(line(widths.map((w) => "-".repeat(w))));
  table.forEach((r) => console.log(line(r)));

  await mkdir(new URL("./results/", import.meta.url), { recursive: true });
  await writeFile(new URL("./results/recommend.json", import.meta.url), JSON.stringify(results, null, 2) + "\n");
  console.log("\nwrote bench/results/recommend.json");
} finally {
  await browser.close();
  await site.close();
}
