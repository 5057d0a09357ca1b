// Benchmark of "your own model" (#/open) in headless Chromium: for each export, the time from
// choosing its files to the model being ready (read, checked, loaded into the worker) and to the
// first result on screen, and the run time by the worker's own clock. Prints a table, writes
// bench/results/open.json; asserts nothing.
//
//   node bench/open.mjs [--dir dist] [--rounds 3] [--big models/.cache/hf]
//
// Exports: the five tiny fixtures in models/hf/ (always), and, when `--big` names a folder made
// by `python models/hf/make_bench_exports.py`, all-MiniLM-L6-v2 opened as "your own model"
// (int8, 23.6 MB) and a random BERT-base (int8, 110 M parameters: the size check). Each round
// opens a fresh page; figures are medians over the rounds.

import { existsSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { startServer } from "../e2e/serve.mjs";
import { DESKTOP, PREFIX, launchBrowser } from "../e2e/support.mjs";
import { OpenPage, exportFiles } from "../e2e/pages/open.mjs";

const { values: opts } = parseArgs({
  options: {
    dir: { type: "string", default: process.env.DIST ?? "dist" },
    rounds: { type: "string", default: "3" },
    big: { type: "string", default: "models/.cache/hf" },
  },
});
const ROUNDS = Number(opts.rounds);
const TEXT = "The animal didn't cross the street because it was too tired.";

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? NaN : s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

const exportsToRun = ["bert", "roberta", "distilbert", "gpt2", "vit"].map((arch) => ({ name: `tiny ${arch}`, files: exportFiles(arch) }));
for (const [name, dir] of [["MiniLM-L6 int8 (as your own model)", "minilm-int8"], ["BERT-base random int8 (110 M)", "bert-base-random-int8"]]) {
  const folder = join(opts.big, dir);
  if (existsSync(join(folder, "manifest.json"))) {
    exportsToRun.push({ name, files: ["manifest.json", "model.onnx", "tokenizer.json"].map((f) => join(folder, f)), big: true });
  } else {
    console.log(`(${name}: ${folder} not found; run python models/hf/make_bench_exports.py)`);
  }
}

const server = await startServer({ dir: opts.dir, prefix: PREFIX });
const browser = await launchBrowser();
const results = [];
try {
  for (const ex of exportsToRun) {
    const rounds = [];
    for (let r = 0; r < ROUNDS; r++) {
      const context = await browser.newContext({ viewport: DESKTOP, serviceWorkers: "block" });
      const app = new OpenPage(await context.newPage(), server.url);
      await app.open(`text=${encodeURIComponent(TEXT)}`);
      const t0 = Date.now();
      await app.fileInput.setInputFiles(ex.files);
      const timeout = ex.big ? 300_000 : 60_000;
      const outcome = await Promise.race([
        app.page.locator('[data-testid="open-status"][data-state="ready"]').waitFor({ timeout }).then(() => "ready"),
        app.openError.waitFor({ timeout }).then(() => "error"),
      ]).catch((e) => `timeout (${e.message.split("\n")[0]})`);
      if (outcome !== "ready") {
        const message = outcome === "error" ? await app.openError.textContent() : outcome;
        rounds.push({ failed: message });
        await context.close();
        break;
      }
      const ready = Date.now() - t0;
      const pageLoad = Number(await app.status.getAttribute("data-load-ms"));
      await app.page.locator('[data-testid="run-state"][data-state="done"], [data-testid="run-error"]').first().waitFor({ timeout });
      const first = Date.now() - t0;
      const runMs = Number(await app.runState.getAttribute("data-ms"));
      const tokens = Number(await app.runState.getAttribute("data-tokens"));
      const memory = await app.page.evaluate(() => performance.memory?.usedJSHeapSize ?? null);
      rounds.push({ ready, pageLoad, first, runMs, tokens, memory });
      await context.close();
    }
    const ok = rounds.filter((r) => !r.failed);
    results.push({
      name: ex.name,
      rounds,
      failed: rounds.find((r) => r.failed)?.failed ?? null,
      ready_ms: median(ok.map((r) => r.ready)),
      page_load_ms: median(ok.map((r) => r.pageLoad)),
      first_result_ms: median(ok.map((r) => r.first)),
      run_ms: median(ok.map((r) => r.runMs)),
      tokens: ok[0]?.tokens ?? null,
    });
  }
} finally {
  await browser.close();
  await server.close();
}

const f = (v) => (Number.isFinite(v) ? v.toFixed(0) : "—");
console.log(`\n"Your own model", medians of ${ROUNDS} rounds (release build, headless Chromium)\n`);
console.log("| export | files → ready (ms) | page's load (ms) | files → first result (ms) | run (ms, worker) | positions |");
console.log("|---|---|---|---|---|---|");
for (const r of results) {
  if (r.failed && !Number.isFinite(r.ready_ms)) {
    console.log(`| ${r.name} | refused or failed: ${r.failed} | | | | |`);
  } else {
    console.log(`| ${r.name} | ${f(r.ready_ms)} | ${f(r.page_load_ms)} | ${f(r.first_result_ms)} | ${Number.isFinite(r.run_ms) ? r.run_ms.toFixed(1) : "—"} | ${r.tokens ?? "—"} |`);
  }
}
await mkdir(new URL("./results/", import.meta.url), { recursive: true });
await writeFile(new URL("./results/open.json", import.meta.url), JSON.stringify({ when: new Date().toISOString(), rounds: ROUNDS, results }, null, 2));
