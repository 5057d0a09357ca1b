// Benchmark of the generator (#/generate) in headless Chromium: per-token decode with the KV
// cache at about 64 and 200 tokens of context (median), the prefill of a 64-token prompt, and the
// full-recompute / cached time ratio at about 200 tokens. Prints a table, writes
// bench/results/generate.json; asserts nothing.
//
//   node bench/generate.mjs [--dir dist] [--runs 1]
//
// Each run opens a fresh page on a greedy link (t=0) whose prompt is 64 tokens and lets it
// generate to the cap of 200 new tokens (or the end token). Times are the page's own per-step
// measurements (the timing table, [data-testid=timing-row]), taken by the worker's own clock:
// the graph run and the copy of its outputs (the page's clock would also count the wait while
// the page draws the previous step's matrices). Every step runs the cached step, then a full
// recompute of the same tokens, so one run (264 steps' worth of drawing) takes about 7 minutes
// on 2 cores; each figure is the median of the ~9 steps within ±4 tokens of its context.

import { mkdir, writeFile } from "node:fs/promises";
import { parseArgs } from "node:util";
import { startServer } from "../e2e/serve.mjs";
import { DESKTOP, PREFIX, launchBrowser } from "../e2e/support.mjs";
import { GeneratePage } from "../e2e/pages/generate.mjs";

const { values: opts } = parseArgs({
  options: {
    dir: { type: "string", default: process.env.DIST ?? "dist" },
    runs: { type: "string", default: "1" },
  },
});
const RUNS = Number(opts.runs);
// 64 tokens with the shipped tokenizer (checked below: the prefill row says n).
const PROMPT = "HAMLET:\nTo be, or not to be, that is the question:\nWhether 'tis nobler in the mind to suffer\n"
  + "The slings and arrows of outrageous fortune,\nOr to take arms against a sea of troubles\nAnd by opposing end them.";

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? NaN : s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const near = (rows, n, span = 4) => rows.filter((r) => Math.abs(r.n - n) <= span);

const server = await startServer({ dir: opts.dir, prefix: PREFIX });
const browser = await launchBrowser();
const all = [];
try {
  for (let run = 0; run < RUNS; run++) {
    const context = await browser.newContext({ viewport: DESKTOP, serviceWorkers: "block" });
    const app = new GeneratePage(await context.newPage(), server.url);
    await app.open(`text=${encodeURIComponent(PROMPT)}&t=0`);
    await app.waitUntilReady({ timeout: 120_000 });
    await app.page.waitForFunction(() => {
      const el = document.querySelector('[data-testid="step-count"]');
      return el && document.querySelector('[data-testid="stop-reason"]') && el.dataset.busy === "false";
    }, null, { timeout: 600_000 });
    const rows = await app.page.locator('[data-testid="timing-row"]').evaluateAll((els) => els.map((e) => ({
      n: Number(e.dataset.n), cached: Number(e.dataset.cached), full: Number(e.dataset.full),
    })));
    all.push(rows);
    await context.close();
  }
} finally {
  await browser.close();
  await server.close();
}
const prefillN = all[0][0].n;
const decode = all.flatMap((rows) => rows.slice(1));
const at = (n) => near(decode, n);
const result = {
  prompt_tokens: prefillN,
  prefill_ms: median(all.map((rows) => rows[0].cached)),
  decode_cached_ms_64: median(at(64).map((r) => r.cached)),
  decode_cached_ms_200: median(at(200).map((r) => r.cached)),
  full_ms_200: median(at(200).map((r) => r.full)),
  ratio_full_over_cached_200: median(at(200).map((r) => r.full / r.cached)),
  max_context: Math.max(...decode.map((r) => r.n)),
  runs: RUNS,
};
console.log(`generator (#/generate), ${RUNS} runs, prompt of ${prefillN} tokens`);
console.log(`  prefill of ${prefillN} tokens           ${result.prefill_ms.toFixed(1)} ms`);
console.log(`  decode with cache at ~64 tokens   ${result.decode_cached_ms_64.toFixed(1)} ms / token (median)`);
console.log(`  decode with cache at ~200 tokens  ${result.decode_cached_ms_200.toFixed(1)} ms / token (median)`);
console.log(`  full recompute at ~200 tokens     ${result.full_ms_200.toFixed(1)} ms`);
console.log(`  no-cache / cache at ~200 tokens   ${result.ratio_full_over_cached_200.toFixed(2)} ×`);
await mkdir(new URL("./results/", import.meta.url), { recursive: true });
await writeFile(new URL("./results/generate.json", import.meta.url), JSON.stringify(result, null, 1) + "\n");
