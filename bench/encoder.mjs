// Benchmark of the pretrained encoder demo (#/encoder, all-MiniLM-L6-v2 int8) in headless
// Chromium, and of the same model.onnx in onnxruntime-web (npm, wasm backend, one thread) in the
// same browser, so the two runtimes can be compared. Prints a table, writes
// bench/results/encoder.json; asserts nothing.
//
//   node bench/encoder.mjs [--dir dist] [--runs 5]
//
// Figures:
// - model download + first result: navigation to #/encoder (cold: empty cache, fresh context) →
//   the first attention maps in the DOM ([data-testid=run-id] turns 1). Includes the app itself,
//   the 23.5 MB model (gzip, as e2e/serve.mjs sends it), tract's load and optimisation, and the
//   first run. Bytes are counted at the server.
// - inference, tract: the page's request → reply time for one sentence of 16, 64 and 256 tokens
//   ([data-testid=timing] data-infer-ms): tokenization in the worker, the run, and sending back
//   the 6 attention tensors the model view needs (6 × 12 × n² floats). Median of --runs.
// - inference, ORT: session.run() of the same model.onnx with the same token count, asking for the
//   same 6 outputs, in onnxruntime-web's wasm backend with numThreads = 1 (the page has no
//   cross-origin isolation, so no threads, as on GitHub Pages). Median of --runs after one warm-up.
//   Its wasm files are served from node_modules (no CDN).
// - second visit: reload of the same context → first result, with the model read from Cache
//   Storage (the bytes of model.onnx the server sent are printed: 0 expected).
// - ratio tract / ORT per length (> 1 means tract is slower).
// - the worker's peak memory: its WebAssembly memory after the model is loaded and after the
//   256-token runs (a wasm memory never shrinks, so the second is the peak).

import { mkdir, mkdtemp, rm, symlink, writeFile } from "node:fs/promises";
import { availableParallelism, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { startServer } from "../e2e/serve.mjs";
import { DESKTOP, PREFIX, launchBrowser } from "../e2e/support.mjs";
import { EncoderPage } from "../e2e/pages/encoder.mjs";

const { values: opts } = parseArgs({
  options: {
    dir: { type: "string", default: process.env.DIST ?? "dist" },
    runs: { type: "string", default: "5" },
  },
});
const RUNS = Number(opts.runs);
const LENGTHS = [16, 64, 256];
const OUTPUTS = [0, 1, 2, 3, 4, 5].map((l) => `layer${l}.weights`);
// Each of these words is one WordPiece token, so n − 2 words make n tokens with [CLS] and [SEP].
const WORDS = ["river", "bank", "money", "table", "house", "green"];
const sentence = (tokens, shift) => Array.from({ length: tokens - 2 }, (_, i) => WORDS[(i + shift) % WORDS.length]).join(" ");

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? NaN : s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const round = (t) => Math.round(t * 10) / 10;
const ms = (t) => (Number.isFinite(t) ? `${Math.round(t)} ms` : "n/a");
const mb = (bytes) => `${(bytes / 1e6).toFixed(2)} MB`;

// The ORT page: loads ort.wasm from ./ort/, the model from ./model.onnx, and exposes window.bench.
const ORT_PAGE = `<!DOCTYPE html><meta charset="utf-8"><title>ORT bench</title>
<script type="module">
import * as ort from "./ort/ort.wasm.min.mjs";
ort.env.wasm.numThreads = 1;
ort.env.wasm.wasmPaths = new URL("./ort/", location.href).href;
window.bench = {
  async load() {
    const t0 = performance.now();
    const bytes = new Uint8Array(await (await fetch("./model.onnx")).arrayBuffer());
    const t1 = performance.now();
    window.session = await ort.InferenceSession.create(bytes, { executionProviders: ["wasm"] });
    return { downloadMs: t1 - t0, createMs: performance.now() - t1 };
  },
  async run(n, outputs) {
    const ids = new BigInt64Array(n);
    ids[0] = 101n; ids[n - 1] = 102n;
    for (let i = 1; i < n - 1; i++) ids[i] = BigInt(2000 + (i % 50));
    const mask = new BigInt64Array(n).fill(1n);
    const feeds = {
      input_ids: new ort.Tensor("int64", ids, [1, n]),
      attention_mask: new ort.Tensor("int64", mask, [1, n]),
    };
    const t0 = performance.now();
    const out = await window.session.run(feeds, outputs);
    const t = performance.now() - t0;
    const w = out[outputs[outputs.length - 1]];
    // Sanity: a softmax row sums to 1.
    let sum = 0; for (let j = 0; j < n; j++) sum += w.data[j];
    return { ms: t, rowSum: sum, dims: w.dims };
  },
};
window.benchReady = true;
</script>`;

async function ortSite(dist) {
  const dir = await mkdtemp(join(tmpdir(), "ort-bench-"));
  await writeFile(join(dir, "index.html"), ORT_PAGE);
  await symlink(resolve("node_modules/onnxruntime-web/dist"), join(dir, "ort"));
  await symlink(resolve(dist, "models/minilm/model.onnx"), join(dir, "model.onnx"));
  const site = await startServer({ dir, prefix: "/ort-bench/", port: 0 });
  return { ...site, dir };
}

/** The largest WebAssembly memory among the page's workers, in bytes: wasm-bindgen's glue keeps
 * `wasm_bindgen` in the worker's global scope, and calling it again returns the instance's
 * exports, `memory` among them. */
async function workerMemory(page) {
  let most = 0;
  for (const worker of page.workers()) {
    const bytes = await worker
      .evaluate(async () => (typeof wasm_bindgen === "function" ? (await wasm_bindgen()).memory.buffer.byteLength : 0))
      .catch(() => 0);
    most = Math.max(most, bytes);
  }
  return most;
}

async function tractFigures(browser, site) {
  const context = await browser.newContext({ viewport: DESKTOP, serviceWorkers: "block" });
  const page = await context.newPage();
  page.setDefaultTimeout(120_000);
  const enc = new EncoderPage(page, site.url);
  // performance.now() (0 = navigation start) when the first result reaches the DOM.
  await page.addInitScript(() => {
    window.__firstResult = null;
    new MutationObserver(() => {
      const run = document.querySelector('[data-testid="run-id"]')?.getAttribute("data-run");
      if (window.__firstResult === null && Number(run) >= 1) window.__firstResult = performance.now();
    }).observe(document, { subtree: true, childList: true, attributes: true });
  });
  site.resetBytes();
  const started = Date.now();
  await page.goto(`${site.url}#/encoder`);
  await enc.waitUntilReady({ timeout: 300_000 });
  await enc.waitForRunAfter(0, { timeout: 120_000 });
  const wallMs = Date.now() - started;
  const navToResult = await page.evaluate(() => window.__firstResult);
  const first = await enc.timings();
  const bytes = site.bytesSent();
  const modelBytes = [...site.bytesByPath()].filter(([p]) => p.includes("/models/minilm/")).reduce((a, [, n]) => a + n, 0);

  const memoryAfterLoad = await workerMemory(page);
  const infer = {};
  for (const n of LENGTHS) {
    const samples = [];
    for (let k = 0; k <= RUNS; k++) {
      await enc.setText(sentence(n, k), { timeout: 120_000 });
      const t = await enc.timings();
      if (t.tokens !== n) throw new Error(`expected ${n} tokens, got ${t.tokens}`);
      if (k > 0) samples.push(t.inferMs); // the first at each length warms up
    }
    infer[n] = samples;
  }
  // The worker's WebAssembly memory only grows, so its size now is its peak so far.
  const memoryAfter256 = await workerMemory(page);
  // Second visit: the model comes from Cache Storage, not the network.
  site.resetBytes();
  await page.goto("about:blank");
  await page.goto(`${site.url}#/encoder`); // the default sentence again, as on the first visit
  await enc.waitUntilReady({ timeout: 300_000 });
  await enc.waitForRunAfter(0, { timeout: 120_000 });
  const secondVisitMs = await page.evaluate(() => window.__firstResult);
  const secondVisitModelBytes = [...site.bytesByPath()].filter(([p]) => p.includes("/models/minilm/model.onnx")).reduce((a, [, n]) => a + n, 0);
  await context.close();
  return { wallMs, navToResult, first, bytes, modelBytes, infer, secondVisitMs, secondVisitModelBytes, memoryAfterLoad, memoryAfter256 };
}

async function ortFigures(browser, ort) {
  const context = await browser.newContext({ viewport: DESKTOP });
  const page = await context.newPage();
  page.setDefaultTimeout(300_000);
  const errors = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  await page.goto(ort.url);
  await page.waitForFunction(() => window.benchReady === true);
  const load = await page.evaluate(() => window.bench.load());
  const runs = {};
  for (const n of LENGTHS) {
    await page.evaluate(([n, outputs]) => window.bench.run(n, outputs), [n, OUTPUTS]); // warm-up
    const samples = [];
    for (let k = 0; k < RUNS; k++) {
      const r = await page.evaluate(([n, outputs]) => window.bench.run(n, outputs), [n, OUTPUTS]);
      if (Math.abs(r.rowSum - 1) > 1e-3) throw new Error(`ORT row sum ${r.rowSum}`);
      samples.push(r.ms);
    }
    runs[n] = samples;
  }
  await context.close();
  if (errors.length) throw new Error(errors.join("\n"));
  return { load, runs };
}

const site = await startServer({ dir: opts.dir, prefix: PREFIX, port: 0 });
const ort = await ortSite(opts.dir);
const browser = await launchBrowser();
try {
  const tract = await tractFigures(browser, site);
  const onnxrt = await ortFigures(browser, ort);
  const results = {
    date: new Date().toISOString(),
    browser: `Chromium ${browser.version()}`,
    node: process.version,
    cpus: availableParallelism(),
    runs: RUNS,
    modelDownloadAndFirstResultMs: round(tract.navToResult),
    firstVisitBytes: tract.bytes,
    modelBytesGzip: tract.modelBytes,
    appLoadMs: tract.first.loadMs,
    secondVisitFirstResultMs: round(tract.secondVisitMs),
    secondVisitModelBytes: tract.secondVisitModelBytes,
    firstInferMs: tract.first.inferMs,
    workerWasmMemoryAfterLoadBytes: tract.memoryAfterLoad,
    workerWasmMemoryPeakBytes: tract.memoryAfter256,
    tract: Object.fromEntries(LENGTHS.map((n) => [n, { medianMs: round(median(tract.infer[n])), samplesMs: tract.infer[n].map(round) }])),
    ort: {
      version: "onnxruntime-web 1.30.0 (wasm, numThreads 1)",
      sessionCreateMs: round(onnxrt.load.createMs),
      ...Object.fromEntries(LENGTHS.map((n) => [n, { medianMs: round(median(onnxrt.runs[n])), samplesMs: onnxrt.runs[n].map(round) }])),
    },
    ratioTractOverOrt: Object.fromEntries(LENGTHS.map((n) => [n, Number((median(tract.infer[n]) / median(onnxrt.runs[n])).toFixed(2))])),
  };

  const rows = [
    ["model download + first result (cold)", ms(results.modelDownloadAndFirstResultMs), ""],
    ["  of which: manifest, download, tract load", ms(results.appLoadMs), ""],
    ["  bytes sent (gzip): all / encoder model", `${mb(results.firstVisitBytes)} / ${mb(results.modelBytesGzip)}`, ""],
    ["second visit → first result (model from Cache Storage)", ms(results.secondVisitFirstResultMs), `${results.secondVisitModelBytes} model bytes sent`],
    ["worker's wasm memory: after load / peak after 256 tokens", `${mb(results.workerWasmMemoryAfterLoadBytes)} / ${mb(results.workerWasmMemoryPeakBytes)}`, ""],
    ["ORT session create (same model)", ms(results.ort.sessionCreateMs), ""],
    ...LENGTHS.map((n) => [
      `inference ${n} tokens: tract | ORT | tract/ORT`,
      `${ms(results.tract[n].medianMs)} | ${ms(results.ort[n].medianMs)}`,
      `${results.ratioTractOverOrt[n]}`,
    ]),
  ];
  const widths = [0, 1, 2].map((c) => Math.max(...[["figure", "value", "ratio"], ...rows].map((r) => r[c].length)));
  const line = (r) => r.map((cell, c) => cell.padEnd(widths[c])).join("  ").trimEnd();
  console.log(`\n${results.browser}, ${results.cpus} CPUs, ${site.url}#/encoder, median of ${RUNS}\n`);
  console.log(line(["figure", "value", "ratio"]));
  console.log(line(widths.map((w) => "-".repeat(w))));
  rows.forEach((r) => console.log(line(r)));

  await mkdir(new URL("./results/", import.meta.url), { recursive: true });
  await writeFile(new URL("./results/encoder.json", import.meta.url), JSON.stringify(results, null, 2) + "\n");
  console.log("\nwrote bench/results/encoder.json");
} finally {
  await browser.close();
  await site.close();
  await ort.close();
  await rm(ort.dir, { recursive: true, force: true });
}
