// Benchmark of the translation demo (#/translate) on the built site in headless Chromium. It
// prints figures beside their targets and writes bench/results/translate.json; it asserts nothing.
//
//   node bench/translate.mjs [--dir dist] [--rounds 3]
//
// Figures, for English sources of about 20 tokens (the tokenizer's count, </s> included):
// - decoder step: from the page sending one decoder request to the worker until the answer is
//   back in the page (tract run on <s> + the prefix, attention maps included, plus messaging);
//   the page records it per step ([data-testid=timings] data-step-ms). Median over every step.
//   Also the run alone, by the worker's own clock (data-step-run-ms): the graph run and the copy
//   of its outputs, without the wait for the page (which may be drawing the previous step).
// - full sentence: wall clock from the Translate click to the DOM showing the finished
//   translation with "Translate all" (tokenize + encoder + every decoder step + rendering).
//   Median over sentences × rounds.
// - encoder: tokenize + encoder request, as the page records it.

import { mkdir, writeFile } from "node:fs/promises";
import { availableParallelism } from "node:os";
import { parseArgs } from "node:util";
import { startServer } from "../e2e/serve.mjs";
import { DESKTOP, PREFIX, launchBrowser } from "../e2e/support.mjs";

// Issue 23: a decoder step ≤ 12 ms (the run in the worker); the page's round trip had ≤ 30 ms.
const TARGETS = { stepMs: 30, stepRunMs: 12 };
const SENTENCES = [
  "And the king said to his servants, go into the city and bring the people to me.",
  "The Lord is my shepherd; I shall not want. He makes me lie down in green pastures.",
  "Then Jesus said to his disciples, follow me and I will give you rest.",
];

const { values: opts } = parseArgs({
  options: {
    dir: { type: "string", default: process.env.DIST ?? "dist" },
    rounds: { type: "string", default: "3" },
  },
});

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? NaN : s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const round = (t) => Math.round(t * 10) / 10;
const ms = (t) => (Number.isFinite(t) ? `${t.toFixed(1)} ms` : "n/a");

// Runs in the page before its scripts: when did the last Translate click and the last finish happen.
function instrument() {
  const bench = (window.__trbench = { click: null, finished: null, runAtClick: 0 });
  const runNow = () => Number(document.querySelector('[data-testid="timings"]')?.dataset.run ?? 0);
  document.addEventListener(
    "click",
    (e) => {
      if (e.target?.closest?.('[data-testid="translate-button"]')) {
        bench.click = performance.now();
        bench.finished = null;
        bench.runAtClick = runNow();
      }
    },
    { capture: true },
  );
  new MutationObserver(() => {
    const c = document.querySelector('[data-testid="step-counter"]');
    // Only the translation this click started counts (the previous one stays finished on screen
    // until the new source is encoded).
    const t = document.querySelector('[data-testid="timings"]');
    const fresh = runNow() > bench.runAtClick && t?.dataset.encodeMs !== "";
    if (bench.click !== null && bench.finished === null && fresh && c?.dataset.finished === "true" && c.dataset.shown === c.dataset.computed) {
      bench.finished = performance.now();
    }
  }).observe(document, { subtree: true, childList: true, attributes: true });
}

const site = await startServer({ dir: opts.dir, prefix: PREFIX, port: 0 });
const browser = await launchBrowser();
try {
  const context = await browser.newContext({ viewport: DESKTOP });
  const page = await context.newPage();
  await page.addInitScript(instrument);
  await page.goto(`${site.url}#/translate`);
  await page.locator('[data-testid="model-status"][data-state="ready"]').waitFor({ timeout: 120_000 });

  const steps = [];
  const stepRuns = [];
  const sentences = [];
  const encoders = [];
  const perSentence = [];
  let lostClicks = 0;
  for (let r = 0; r < Number(opts.rounds); r++) {
    for (const text of SENTENCES) {
      const run = Number(await page.locator('[data-testid="timings"]').getAttribute("data-run"));
      await page.locator('[data-testid="text-input"]').fill(text);
      // A click that starts nothing within 5 s is counted and repeated (seen about once in 10
      // runs of this script: the run counter did not move; see the translate issue's note).
      let encoded = false;
      for (let attempt = 0; attempt < 3 && !encoded; attempt++) {
        if (attempt > 0) lostClicks += 1;
        await page.locator('[data-testid="translate-button"]').click();
        encoded = await page
          .waitForFunction(
            (run) => {
              const t = document.querySelector('[data-testid="timings"]');
              return Number(t.dataset.run) > run && t.dataset.encodeMs !== "" && document.querySelector('[data-testid="all"]');
            },
            run,
            { timeout: attempt < 2 ? 5_000 : 30_000 },
          )
          .then(() => true, () => false);
      }
      if (!encoded) throw new Error(`"${text}" was not encoded after 3 clicks`);
      await page.locator('[data-testid="all"]').click();
      await page.waitForFunction(() => window.__trbench.finished !== null, null, { timeout: 120_000 });
      const got = await page.evaluate(() => {
        const t = document.querySelector('[data-testid="timings"]').dataset;
        return {
          wall: window.__trbench.finished - window.__trbench.click,
          encodeMs: Number(t.encodeMs),
          stepMs: t.stepMs.split(",").filter(Boolean).map(Number),
          // builds before the worker's own clock was recorded have no data-step-run-ms
          stepRunMs: (t.stepRunMs ?? "").split(",").filter(Boolean).map(Number),
          srcTokens: document.querySelectorAll('[data-testid="src-token"]').length,
          translation: document.querySelector('[data-testid="translation"]').textContent,
        };
      });
      steps.push(...got.stepMs);
      stepRuns.push(...got.stepRunMs);
      sentences.push(got.wall);
      encoders.push(got.encodeMs);
      perSentence.push({ text, srcTokens: got.srcTokens, steps: got.stepMs.length, wallMs: round(got.wall), translation: got.translation });
    }
  }

  const results = {
    date: new Date().toISOString(),
    browser: `Chromium ${browser.version()}`,
    node: process.version,
    cpus: availableParallelism(),
    sourceTokens: [...new Set(perSentence.map((s) => s.srcTokens))],
    stepMedianMs: round(median(steps)),
    stepRunMedianMs: round(median(stepRuns)),
    stepSamples: steps.length,
    sentenceMedianMs: round(median(sentences)),
    sentenceSamples: sentences.length,
    encoderMedianMs: round(median(encoders)),
    lostClicks,
    perSentence: perSentence.slice(0, SENTENCES.length),
    targets: TARGETS,
  };
  const rows = [
    [`decoder step, run in the worker (median of ${stepRuns.length})`, ms(results.stepRunMedianMs), `≤ ${TARGETS.stepRunMs} ms`],
    [`decoder step, request → answer in the page (median of ${steps.length})`, ms(results.stepMedianMs), `≤ ${TARGETS.stepMs} ms`],
    [`full sentence, click → done (median of ${sentences.length})`, ms(results.sentenceMedianMs), ""],
    [`tokenize + encoder (median of ${encoders.length})`, ms(results.encoderMedianMs), ""],
  ];
  const widths = [0, 1, 2].map((c) => Math.max(...[["figure", "value", "target"], ...rows].map((r) => r[c].length)));
  const line = (r) => r.map((cell, c) => cell.padEnd(widths[c])).join("  ").trimEnd();
  console.log(`\n${results.browser}, ${results.cpus} CPUs, ${site.url}#/translate`);
  console.log(`sources of ${results.sourceTokens.join("/")} tokens; Translate clicks repeated: ${lostClicks}\n`);
  console.log(line(["figure", "value", "target"]));
  console.log(line(widths.map((w) => "-".repeat(w))));
  rows.forEach((r) => console.log(line(r)));
  console.log("");
  for (const s of results.perSentence) console.log(`  ${s.srcTokens} → ${s.steps} tokens: ${s.translation}`);

  await mkdir(new URL("./results/", import.meta.url), { recursive: true });
  await writeFile(new URL("./results/translate.json", import.meta.url), JSON.stringify(results, null, 2) + "\n");
  console.log("\nwrote bench/results/translate.json");
} finally {
  await browser.close();
  await site.close();
}
