// Benchmark of every view on a phone-class CPU: headless Chromium with its CPU throttled
// (DevTools protocol Emulation.setCPUThrottlingRate, ×4 by default) on the built site. Prints
// each view's first result and edit latency beside the targets and writes
// bench/results/phone.json; it asserts nothing.
//
//   node bench/phone.mjs [--dir dist] [--rate 4] [--loads 1] [--edits 5]
//                        [--views walkthrough,encoder,...] [--worker cgroup|none]
//
// Throttling: each fresh browser context gets a CDP session on its page that sends
// Emulation.setCPUThrottlingRate {rate} before navigation. In this Chromium that slows the
// renderer's main thread only (a helper thread signals it every 0.2 ms and the handler spins
// (rate − 1) × the time it ran, so the main thread keeps a core busy even when idle; the rate
// survives the navigation's process swap). The models run in a dedicated Web Worker, and Chromium refuses the
// same command on a worker target ("Operation is only supported for pages, not workers"), so with
// --worker cgroup (the default; needs root and the cgroup v1 cpu controller at
// /sys/fs/cgroup/cpu) every DedicatedWorker thread of the browser's renderers is moved, as soon as
// Playwright reports the worker, into a cgroup of its own with a CPU quota of 1 ms per rate ms:
// at most 1/rate of one CPU. The cgroups are removed at the end. Other threads (V8's background
// wasm compilers, the compositor) are not throttled, as under DevTools. Before the views, a
// check times a fixed JavaScript loop in the page and in its worker, unthrottled and throttled,
// and prints the slowdown of each (and, at rate > 1, the worker's with the CDP throttle alone).
//
// Figures, per view (each load is a fresh context: empty cache, no service worker):
// - first result: performance.now() (0 = navigation start) when the view's first result enters
//   the DOM (MutationObserver added before the page's scripts), median over --loads. For
//   #/encoder also that time less the end of the 23 MB model's download (the page fetches it:
//   responseEnd of its Resource Timing entry), which is what the target is about.
// - edit → updated view: from the input event (keydown or click, captured in the page) to the
//   DOM showing the result it caused; median of --edits on the last load. Which edit and which
//   result, per view, is printed under the table.

import { accessSync, constants, mkdirSync, readFileSync, readdirSync, rmdirSync, writeFileSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import { availableParallelism } from "node:os";
import { parseArgs } from "node:util";
import { startServer } from "../e2e/serve.mjs";
import { DESKTOP, PREFIX, launchBrowser, throttleMainThread } from "../e2e/support.mjs";
import { WalkthroughPage } from "../e2e/pages/walkthrough.mjs";
import { EncoderPage } from "../e2e/pages/encoder.mjs";
import { RecommendPage } from "../e2e/pages/recommend.mjs";
import { ForecastPage } from "../e2e/pages/forecast.mjs";
import { DigitsPage } from "../e2e/pages/digits.mjs";
import { TranslatePage } from "../e2e/pages/translate.mjs";
import { GeneratePage } from "../e2e/pages/generate.mjs";
import { CostPage } from "../e2e/pages/cost.mjs";
import { LearnPage } from "../e2e/pages/learn.mjs";

const TARGETS = { firstResultMs: 3000, editMs: 150 };
const ALL = ["walkthrough", "encoder", "recommend", "forecast", "digits", "translate", "generate", "cost", "learn", "open"];

const { values: opts } = parseArgs({
  options: {
    dir: { type: "string", default: process.env.DIST ?? "dist" },
    rate: { type: "string", default: "4" },
    loads: { type: "string", default: "1" },
    edits: { type: "string", default: "5" },
    views: { type: "string", default: ALL.join(",") },
    worker: { type: "string", default: "cgroup" },
  },
});
const RATE = Number(opts.rate);
const LOADS = Number(opts.loads);
const EDITS = Number(opts.edits);
const VIEWS = opts.views.split(",").map((v) => v.trim()).filter(Boolean);
for (const v of VIEWS) if (!ALL.includes(v)) throw new Error(`unknown view ${v} (views: ${ALL.join(",")})`);

// Runs in the page before its scripts, with the view's name: when its first result and the
// result of an armed edit reach the DOM. Per view, `first` says whether the first result is on
// screen, `state` reads what an edit changes, `done(before, now, sawMid)` whether the edit's
// result is on screen, and `mid` an intermediate state worth a time of its own.
function instrument(view) {
  const q = (s) => document.querySelector(s);
  const num = (x) => (x === undefined || x === null || x === "" ? -1 : Number(x));
  const run = (s = '[data-testid="run-id"]') => num(q(s)?.dataset.run);
  const byRun = { state: () => run(), done: (b, n) => n > b };
  const recState = () => ({ run: num(q('[data-testid="rec-run"]')?.dataset.run), busy: q(".rec-panel[aria-busy]")?.getAttribute("aria-busy") });
  const genState = () => ({ shown: num(q('[data-testid="step-count"]')?.dataset.shown), busy: q('[data-testid="step-count"]')?.dataset.busy });
  const learnRun = '.learn-input [data-testid="run-id"]';
  const views = {
    walkthrough: { first: () => !!q('[data-testid="heatmap"] [data-testid="cell"]'), ...byRun },
    encoder: { first: () => run() >= 1, ...byRun },
    recommend: {
      first: () => recState().run >= 1 && recState().busy === "false",
      state: recState,
      done: (b, n) => n.run > b.run && n.busy === "false",
    },
    forecast: { first: () => !!q('[data-testid="forecast-point"]'), ...byRun },
    digits: { first: () => run() >= 1 && !!q('[data-testid="prediction"]'), ...byRun },
    translate: {
      first: () => !!q('[data-testid="model-status"][data-state="ready"]'),
      state: () => ({
        run: num(q('[data-testid="timings"]')?.dataset.run),
        encoded: (q('[data-testid="timings"]')?.dataset.encodeMs ?? "") !== "",
        shown: num(q('[data-testid="step-counter"]')?.dataset.shown),
      }),
      mid: (b, n) => n.run > b.run && n.encoded,
      done: (b, n) => n.run > b.run && n.encoded && n.shown >= 1,
    },
    generate: { first: () => genState().shown >= 1 && genState().busy === "false", state: genState, done: (b, n) => n.shown > b.shown && n.busy === "false" },
    cost: {
      first: () => !!q('[data-testid="accuracy-row"]'),
      state: () => ({ running: q('[data-testid="cost"]')?.dataset.running, done: num(q('[data-testid="cost"]')?.dataset.done) }),
      mid: (b, n) => n.running === "true" && n.done === 0,
      done: (b, n, sawMid) => sawMid && n.done >= 1,
    },
    learn: { first: () => run(learnRun) >= 1 && !!q('[data-testid="lesson-live"] [data-testid="cell"]'), state: () => run(learnRun), done: (b, n) => n > b },
  };
  const v = views[view];
  const bench = (window.__phone = { first: null, ready: null, marks: [], armed: null, midAt: null, doneAt: null });
  new MutationObserver(() => {
    const now = performance.now();
    if (bench.first === null && v.first()) bench.first = now;
    if (bench.ready === null && q('[data-testid="model-status"][data-state="ready"]')) bench.ready = now;
    if (bench.armed && bench.doneAt === null) {
      const s = v.state();
      if (bench.midAt === null && v.mid?.(bench.armed.before, s)) bench.midAt = now;
      if (v.done(bench.armed.before, s, bench.midAt !== null)) bench.doneAt = now;
    }
  }).observe(document, { subtree: true, childList: true, attributes: true, characterData: true });
  for (const type of ["keydown", "click"]) {
    document.addEventListener(type, () => bench.marks.push(performance.now()), { capture: true });
  }
  bench.arm = () => {
    bench.armed = { before: v.state(), at: performance.now() };
    bench.midAt = null;
    bench.doneAt = null;
  };
  // The first input event after arming starts the clock.
  bench.result = () => {
    const mark = bench.marks.find((t) => t >= bench.armed.at);
    return { ms: bench.doneAt - mark, midMs: bench.midAt === null ? null : bench.midAt - mark };
  };
}

const median = (xs) => {
  const s = [...xs].filter(Number.isFinite).sort((a, b) => a - b);
  return s.length === 0 ? NaN : s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const round = (t) => (Number.isFinite(t) ? Math.round(t * 10) / 10 : null);
const ms = (t) => (Number.isFinite(t) ? `${t < 10 ? t.toFixed(1) : Math.round(t)} ms` : "n/a");
const mark = (t, target) => (Number.isFinite(t) ? (t <= target ? "✓" : "✗") : "");
const KEYS = "s and the dog ran off to the sea";
const SENTENCES = ["The king went up to the city.", "And the people went down to the sea."];
const PROMPT = "To be, or not to be, that is the question";

/** Types one key at the end of the text box (prepared by `prepareText`). */
const keystroke = async (app, i, arm) => {
  await arm();
  await app.page.keyboard.type(KEYS[i % KEYS.length]);
};

// Per view: where it is, its page object, what its first result and edit are, and how to make
// the edit (`edit(app, i, arm)` arms the page's clock right before the input event).
const SPECS = {
  walkthrough: {
    hash: "", Page: WalkthroughPage,
    first: "first heatmap cell", editWhat: "keystroke → heatmap (debounce included; bench/run.mjs)",
    prepare: async (app) => { await app.setText("The cat sat on the mat"); await app.textInput.press("End"); },
    edit: keystroke, settle: 150,
  },
  encoder: {
    hash: "#/encoder", Page: EncoderPage, download: "/models/minilm/model.onnx",
    first: "first attention maps (run 1); target on the time after the model's download",
    editWhat: "keystroke → new run (debounce included)",
    prepare: async (app) => { await app.setText("The bank of the river", { timeout: 120_000 }); await app.textInput.press("End"); },
    edit: keystroke, settle: 300,
    sample: async (app) => (await app.timings()).inferMs,
    sampleWhat: "the page's request → reply time of each run ([data-testid=timing] data-infer-ms)",
  },
  recommend: {
    hash: "#/recommend", Page: RecommendPage,
    first: "first top 10", editWhat: "history ↑/↓ click → new top 10 (bench/recommend.mjs)",
    prepare: async (app) => {
      const n = await app.historyItems.count();
      return [
        app.page.locator(`[data-testid="rec-history-item"][data-index="${n - 1}"] [data-testid="rec-up"]`),
        app.page.locator(`[data-testid="rec-history-item"][data-index="${n - 2}"] [data-testid="rec-down"]`),
      ];
    },
    edit: async (app, i, arm, [up, down]) => { await arm(); await (i % 2 ? down : up).click(); },
  },
  forecast: {
    hash: "#/forecast", Page: ForecastPage,
    first: "first forecast point", editWhat: "ArrowUp/Down on a focused past value → new forecast (bench/forecast.mjs)",
    edit: async (app, i, arm) => {
      await app.pastPoints.last().focus();
      await arm();
      await app.page.keyboard.press(i % 2 ? "ArrowDown" : "ArrowUp");
    },
  },
  digits: {
    hash: "#/digits", Page: DigitsPage,
    first: "first prediction (the default test image)", editWhat: "test image click → new prediction (bench/forecast.mjs)",
    prepare: async (app) => {
      const pressed = await app.examples.evaluateAll((els) => els.findIndex((e) => e.getAttribute("aria-pressed") === "true"));
      return { pressed: Math.max(pressed, 0), n: await app.examples.count() };
    },
    edit: async (app, i, arm, { pressed, n }) => { await arm(); await app.examples.nth((pressed + 1 + i) % n).click(); },
  },
  translate: {
    hash: "#/translate", Page: TranslatePage,
    first: "model ready (nothing is translated before a click)",
    editWhat: "Translate click → first decoded step shown (includes the autoplay's 450 ms pacing)",
    midWhat: "Translate click → source encoded (tokens and step counter shown)",
    edit: async (app, i, arm) => {
      await app.textInput.fill(SENTENCES[i % SENTENCES.length]);
      await arm();
      await app.translateButton.click();
    },
    after: async (app) => {
      // Pause the autoplay so that the next edit does not compete with decoding.
      if ((await app.playButton.getAttribute("aria-pressed")) === "true") await app.playButton.click();
      await app.page.waitForFunction(() => document.querySelector('[data-testid="step-counter"]')?.dataset.busy === "false");
    },
    sample: async (app) => (await app.stepTimes()).stepMs[0],
    sampleWhat: "the page's time for the first decoder step (request → answer, [data-testid=timings] data-step-ms)",
  },
  generate: {
    hash: `#/generate?text=${encodeURIComponent(PROMPT)}&t=0&step=1`, Page: GeneratePage,
    first: "first token of a greedy link (?text=…&t=0&step=1)", editWhat: "Step click → next token shown",
    edit: async (app, i, arm) => { await arm(); await app.stepButton.click(); },
    sample: async (app) => Number(await app.page.locator('[data-testid="timing-row"]').last().getAttribute("data-cached")),
    sampleWhat: "the worker's own time of the cached step (last [data-testid=timing-row] data-cached)",
  },
  cost: {
    hash: "#/cost?n=256", Page: CostPage,
    first: "accuracy table on the model's real Q, K, V (the sweep waits for Run)",
    editWhat: "Run click → first sweep point (then Cancel)",
    edit: async (app, i, arm) => { await arm(); await app.runButton.click(); },
    after: async (app) => {
      if (await app.running()) await app.cancelButton.click();
      await app.page.locator('[data-testid="cost"][data-running="false"]').waitFor();
    },
  },
  learn: {
    hash: "#/learn", Page: LearnPage,
    first: "the lesson's embedded view (its heatmap, Learn's run 1)", editWhat: "keystroke in the lesson's sentence → updated lesson",
    prepare: async (app) => {
      const run = await app.currentRun();
      await app.textInput.fill("The cat sat on the mat");
      await app.waitForSettledRun(run);
      await app.textInput.press("End");
    },
    edit: keystroke, settle: 300,
  },
  open: { skip: "needs the user's own model files (a file, folder or URL): not measured" },
};

/**
 * Holds dedicated worker threads to 1/rate of one CPU, each in a cgroup (v1 cpu controller) of
 * its own with cpu.cfs_quota_us / cpu.cfs_period_us = 1 / rate. `sweep()` finds the
 * DedicatedWorker threads of the browser's renderers (pids from SystemInfo.getProcessInfo) that
 * are not held yet.
 */
class WorkerThrottle {
  static ROOT = "/sys/fs/cgroup/cpu";

  static unavailable() {
    try {
      accessSync(`${WorkerThrottle.ROOT}/cpu.cfs_quota_us`, constants.R_OK);
      accessSync(WorkerThrottle.ROOT, constants.W_OK);
      return null;
    } catch (err) {
      return `no writable cgroup v1 cpu controller at ${WorkerThrottle.ROOT} (${err.code})`;
    }
  }

  constructor(browserSession, rate) {
    this.cdp = browserSession;
    // The smallest quota the kernel takes (1 ms) and a period of rate × that: short runs (a few
    // ms) are slowed about as much as long ones, which a 100 ms period would let through whole.
    this.quotaUs = 1000;
    this.periodUs = Math.round(1000 * rate);
    this.groups = new Map(); // tid -> cgroup directory
    this.agesMs = []; // how old each thread was when it was moved
    this.queue = Promise.resolve();
  }

  sweep() {
    this.queue = this.queue.then(() => this.#sweep()).catch((err) => console.error(`worker throttle: ${err.message}`));
    return this.queue;
  }

  async #sweep() {
    const { processInfo } = await this.cdp.send("SystemInfo.getProcessInfo");
    const uptimeS = Number(readFileSync("/proc/uptime", "utf8").split(" ")[0]);
    for (const { id, type } of processInfo) {
      if (type !== "renderer") continue;
      let tids = [];
      try { tids = readdirSync(`/proc/${id}/task`); } catch { continue; }
      for (const tid of tids) {
        let stat;
        try { stat = readFileSync(`/proc/${id}/task/${tid}/stat`, "utf8"); } catch { continue; }
        const name = stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")"));
        if (!name.startsWith("DedicatedWorker") || this.groups.get(tid)?.pid === id) continue;
        const dir = `${WorkerThrottle.ROOT}/attention-playground-phone-${process.pid}-${tid}`;
        mkdirSync(dir, { recursive: true });
        writeFileSync(`${dir}/cpu.cfs_period_us`, String(this.periodUs));
        writeFileSync(`${dir}/cpu.cfs_quota_us`, String(this.quotaUs));
        writeFileSync(`${dir}/tasks`, tid);
        this.groups.set(tid, { pid: id, dir });
        // Field 22 of stat: the thread's start, in clock ticks (100 per second) since boot.
        const startS = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[19]) / 100;
        this.agesMs.push(Math.max(0, (uptimeS - startS) * 1000));
      }
    }
  }

  /** Moves any thread still held back to the root group and removes the cgroups. */
  release() {
    for (const { dir } of this.groups.values()) {
      try {
        for (const tid of readFileSync(`${dir}/tasks`, "utf8").split("\n").filter(Boolean)) {
          try { writeFileSync(`${WorkerThrottle.ROOT}/tasks`, tid); } catch {}
        }
        rmdirSync(dir);
      } catch {}
    }
    this.groups.clear();
  }
}

const busyLoop = () => {
  const t0 = performance.now();
  let x = 0;
  for (let i = 0; i < 2e7; i++) x += Math.sqrt(i);
  return x > 0 ? performance.now() - t0 : -1;
};

const site = await startServer({ dir: opts.dir, prefix: PREFIX, port: 0 });
const browser = await launchBrowser();
const browserSession = await browser.newBrowserCDPSession();
const noCgroup = RATE > 1 && opts.worker === "cgroup" ? WorkerThrottle.unavailable() : null;
const throttle = RATE > 1 && opts.worker === "cgroup" && !noCgroup ? new WorkerThrottle(browserSession, RATE) : null;
const workerMode = RATE <= 1 ? "none needed (rate 1)" : throttle ? `cgroup cpu quota ${throttle.quotaUs / 1000} ms per ${throttle.periodUs / 1000} ms period per worker thread` : `NOT throttled: ${noCgroup ?? "--worker none"}`;
await throttle?.sweep(); // the first SystemInfo.getProcessInfo is slow; later ones take a few ms
process.on("exit", () => throttle?.release());
for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => process.exit(130));

/** A fresh context and page, throttled before navigation (main thread by CDP, workers by cgroup). */
async function phonePage(Page, { rate = RATE, workers = true } = {}) {
  const context = await browser.newContext({ viewport: DESKTOP, serviceWorkers: "block" });
  const page = await context.newPage();
  page.setDefaultTimeout(60_000);
  await throttleMainThread(context, page, rate);
  if (workers && throttle && rate > 1) page.on("worker", () => throttle.sweep());
  // The walkthrough's page object (most others extend it) records console and page errors and
  // failed responses; EncoderPage does not, so a WalkthroughPage watches the same page for it.
  const app = new Page(page, site.url);
  const health = app instanceof WalkthroughPage ? app : new WalkthroughPage(page, site.url);
  return { context, app, health };
}

/** The fixed loop's time in the page and in its worker, median of 5, on the walkthrough. */
async function loopTimes(options) {
  const { context, app } = await phonePage(WalkthroughPage, options);
  await app.open();
  await app.waitUntilReady({ timeout: 120_000 });
  await app.waitForRunAfter(-1, { timeout: 120_000 });
  if (throttle && options.workers) await throttle.sweep();
  await app.page.waitForTimeout(500);
  const worker = app.page.workers()[0];
  const main = [];
  const inWorker = [];
  for (let i = 0; i < 5; i++) {
    main.push(await app.page.evaluate(busyLoop));
    inWorker.push(await worker.evaluate(busyLoop));
  }
  await context.close();
  return { mainMs: round(median(main)), workerMs: round(median(inWorker)) };
}

async function measureView(name) {
  const spec = SPECS[name];
  if (spec.skip) return { skipped: spec.skip };
  const loads = [];
  let app;
  let context;
  let health;
  for (let i = 0; i < LOADS; i++) {
    ({ context, app, health } = await phonePage(spec.Page));
    await app.page.addInitScript(instrument, name);
    await app.page.goto(`${site.url}${spec.hash}`);
    await app.page.waitForFunction(() => window.__phone?.first !== null, null, { timeout: 300_000 });
    const load = await app.page.evaluate((download) => {
      const entry = download && performance.getEntriesByType("resource").find((e) => e.name.includes(download));
      return { first: window.__phone.first, ready: window.__phone.ready, downloadEnd: entry ? entry.responseEnd : null };
    }, spec.download ?? null);
    loads.push(load);
    if (i < LOADS - 1) await context.close();
  }
  const edits = [];
  const mids = [];
  const samples = [];
  let lost = 0;
  if (spec.edit && EDITS > 0) {
    const state = await spec.prepare?.(app);
    const arm = () => app.page.evaluate(() => window.__phone.arm());
    for (let i = 0; i < EDITS; i++) {
      await spec.edit(app, i, arm, state);
      const ok = await app.page
        .waitForFunction(() => window.__phone.doneAt !== null, null, { timeout: 60_000 })
        .then(() => true, () => false);
      if (!ok) {
        lost += 1;
        continue;
      }
      const r = await app.page.evaluate(() => window.__phone.result());
      edits.push(r.ms);
      if (r.midMs !== null) mids.push(r.midMs);
      if (spec.sample) samples.push(await spec.sample(app));
      await spec.after?.(app);
      await app.page.waitForTimeout(spec.settle ?? 200);
    }
  }
  const errors = [...health.pageErrors, ...health.consoleErrors, ...health.failedResponses];
  await context.close();
  const afterDownload = loads.map((l) => (l.downloadEnd === null ? NaN : l.first - l.downloadEnd));
  return {
    firstResult: spec.first,
    firstResultMs: round(median(loads.map((l) => l.first))),
    firstResultSamplesMs: loads.map((l) => round(l.first)),
    modelReadyMs: round(median(loads.map((l) => l.ready ?? NaN))),
    ...(spec.download ? {
      downloadEndMs: round(median(loads.map((l) => l.downloadEnd ?? NaN))),
      firstResultAfterDownloadMs: round(median(afterDownload)),
      firstResultAfterDownloadSamplesMs: afterDownload.map(round),
    } : {}),
    edit: spec.edit ? spec.editWhat : null,
    editMedianMs: round(median(edits)),
    editSamplesMs: edits.map(round),
    ...(edits.length < EDITS && spec.edit ? { editsWithoutResultIn60s: lost } : {}),
    ...(spec.midWhat ? { mid: spec.midWhat, midMedianMs: round(median(mids)), midSamplesMs: mids.map(round) } : {}),
    ...(spec.sample ? { pageMeasure: spec.sampleWhat, pageMeasureMedianMs: round(median(samples)), pageMeasureSamplesMs: samples.map(round) } : {}),
    errors,
  };
}

try {
  // Does the throttle reach the worker? The same loop unthrottled, throttled, and (rate > 1 with
  // the cgroup) with the CDP throttle alone.
  const check = { loop: "2e7 × Math.sqrt in the walkthrough's page and in its worker, median of 5" };
  check.unthrottled = await loopTimes({ rate: 1, workers: false });
  check.throttled = await loopTimes({ rate: RATE, workers: true });
  if (throttle) check.cdpOnly = await loopTimes({ rate: RATE, workers: false });
  check.workerThreadAgeWhenMovedMs = throttle ? round(Math.max(0, ...throttle.agesMs)) : null;

  const views = {};
  for (const name of VIEWS) {
    process.stdout.write(`${name} … `);
    const started = Date.now();
    views[name] = await measureView(name);
    console.log(`${((Date.now() - started) / 1000).toFixed(0)} s`);
  }
  if (throttle) check.workerThreadAgeWhenMovedMs = round(Math.max(0, ...throttle.agesMs));

  const results = {
    date: new Date().toISOString(),
    browser: `Chromium ${browser.version()}`,
    node: process.version,
    cpus: availableParallelism(),
    rate: RATE,
    mainThreadThrottle: `Emulation.setCPUThrottlingRate {rate: ${RATE}} on each page before navigation`,
    workerThrottle: workerMode,
    loads: LOADS,
    edits: EDITS,
    throttleCheck: check,
    views,
    targets: TARGETS,
  };

  const ratio = (a, b) => (a && b ? `×${(b / a).toFixed(1)}` : "n/a");
  const u = check.unthrottled;
  const t = check.throttled;
  console.log(`\n${results.browser}, ${results.cpus} CPUs, CPU throttling ×${RATE}, ${site.url}`);
  console.log(`main thread: ${results.mainThreadThrottle}; workers: ${workerMode}`);
  console.log(`throttle check (${check.loop}): main ${ms(u.mainMs)} → ${ms(t.mainMs)} (${ratio(u.mainMs, t.mainMs)}), worker ${ms(u.workerMs)} → ${ms(t.workerMs)} (${ratio(u.workerMs, t.workerMs)})`);
  if (check.cdpOnly) {
    console.log(`  with the CDP throttle alone the worker took ${ms(check.cdpOnly.workerMs)} (${ratio(u.workerMs, check.cdpOnly.workerMs)}); worker threads were moved at most ${ms(check.workerThreadAgeWhenMovedMs)} after they started`);
  }
  console.log("");
  const head = ["view", "first result", "target ≤ 3 s", "edit median", "target ≤ 150 ms"];
  const rows = Object.entries(views).map(([name, v]) => {
    if (v.skipped) return [name, "—", "", "—", ""];
    const first = v.firstResultAfterDownloadMs ?? v.firstResultMs;
    const firstCell = v.firstResultAfterDownloadMs !== undefined
      ? `${ms(v.firstResultAfterDownloadMs)} after download (${ms(v.firstResultMs)} from navigation)`
      : ms(v.firstResultMs);
    const editCell = v.edit ? `${ms(v.editMedianMs)} (n = ${v.editSamplesMs.length})` : "—";
    return [name, firstCell, mark(first, TARGETS.firstResultMs), editCell, v.edit ? mark(v.editMedianMs, TARGETS.editMs) : ""];
  });
  const widths = head.map((_, c) => Math.max(...[head, ...rows].map((r) => r[c].length)));
  const line = (r) => r.map((cell, c) => cell.padEnd(widths[c])).join("  ").trimEnd();
  console.log(line(head));
  console.log(line(widths.map((w) => "-".repeat(w))));
  rows.forEach((r) => console.log(line(r)));
  console.log(`\nfirst result median of ${LOADS} cold load(s); edits on the last load. What each view's figures are:`);
  for (const [name, v] of Object.entries(views)) {
    if (v.skipped) {
      console.log(`  ${name}: ${v.skipped}`);
      continue;
    }
    console.log(`  ${name}: first = ${v.firstResult}; edit = ${v.edit ?? "none"}`);
    if (v.downloadEndMs !== undefined) console.log(`    model download ended at ${ms(v.downloadEndMs)} (page Resource Timing responseEnd), model ready at ${ms(v.modelReadyMs)}`);
    if (v.mid) console.log(`    ${v.mid}: ${ms(v.midMedianMs)}`);
    if (v.pageMeasure) console.log(`    ${v.pageMeasure}: ${ms(v.pageMeasureMedianMs)}`);
    if (v.editsWithoutResultIn60s) console.log(`    ${v.editsWithoutResultIn60s} edit(s) showed no result within 60 s`);
    if (v.errors.length) console.log(`    page errors: ${v.errors.slice(0, 3).join(" | ")}`);
  }

  await mkdir(new URL("./results/", import.meta.url), { recursive: true });
  await writeFile(new URL("./results/phone.json", import.meta.url), JSON.stringify(results, null, 2) + "\n");
  console.log("\nwrote bench/results/phone.json");
} finally {
  await browser.close();
  await site.close();
  throttle?.release();
}
