// Benchmark of the cost-of-attention view (#/cost) in headless Chromium on the built site: one
// full sweep (every method, n = 16 … --n, d_k = --d, one head) in the page's worker, as a user
// runs it. Prints a table, writes bench/results/cost.json; asserts nothing.
//
//   node bench/cost.mjs [--dir dist] [--n 8192] [--d 64] [--heads 1]
//
// Figures, per method:
// - time slope: the page's own least-squares fit of ln(median time) on ln n over the points of
//   at least 1 ms (full attention ≈ 2, the O(n) methods ≈ 1);
// - count slope: log₂ of the exact multiply-adds over the last doubling of n (the formula's);
// - largest n within 1 s: the largest n whose median time (all heads) was at most 1000 ms. The
//   page does not run a method at larger n once it took over 1 s, so "≥ N" means it never did
//   up to the longest n.

import { mkdir, writeFile } from "node:fs/promises";
import { availableParallelism } from "node:os";
import { parseArgs } from "node:util";
import { startServer } from "../e2e/serve.mjs";
import { DESKTOP, PREFIX, launchBrowser } from "../e2e/support.mjs";
import { CostPage } from "../e2e/pages/cost.mjs";

const { values: opts } = parseArgs({
  options: {
    dir: { type: "string", default: process.env.DIST ?? "dist" },
    n: { type: "string", default: "8192" },
    d: { type: "string", default: "64" },
    heads: { type: "string", default: "1" },
  },
});

const site = await startServer({ dir: opts.dir, prefix: PREFIX, port: 0 });
const browser = await launchBrowser();
try {
  const context = await browser.newContext({ viewport: DESKTOP, serviceWorkers: "block" });
  const page = await context.newPage();
  await page.goto(`${site.url}#/cost?n=${opts.n}&d=${opts.d}&heads=${opts.heads}`);
  await page.getByTestId("run").click();
  const started = Date.now();
  await page.locator('[data-testid="cost"][data-running="true"]').waitFor();
  await page.locator('[data-testid="cost"][data-running="false"]').waitFor({ timeout: 30 * 60_000 });
  const sweepS = (Date.now() - started) / 1000;
  const cost = new CostPage(page, site.url);
  const rows = (await cost.results()).map((r) => ({ ...r, mulAdds: r.mulAdds === null ? null : String(r.mulAdds) }));
  const timeSlopes = await cost.slopes("time-slope");
  const countSlopes = await cost.slopes("count-slope");
  const memorySlopes = await cost.slopes("memory-slope");
  const error = await page.getByTestId("sweep-error").count() ? await page.getByTestId("sweep-error").textContent() : null;
  const methods = [...new Set(rows.map((r) => r.method))];
  const longest = Number(opts.n);
  const perMethod = methods.map((method) => {
    const mine = rows.filter((r) => r.method === method && r.state === "measured");
    const within = mine.filter((r) => r.ms <= 1000).map((r) => r.n);
    const best = within.length ? Math.max(...within) : null;
    const ranAll = mine.some((r) => r.n === longest) && mine.every((r) => r.ms <= 1000);
    return {
      method,
      timeSlope: timeSlopes[method],
      countSlope: countSlopes[method],
      memorySlope: memorySlopes[method],
      largestNWithin1s: best,
      neverOver1s: ranAll,
      msAtLargestN: mine.at(-1)?.ms ?? null,
      largestNMeasured: mine.at(-1)?.n ?? null,
    };
  });
  const results = {
    date: new Date().toISOString(),
    browser: `Chromium ${browser.version()}`,
    node: process.version,
    cpus: availableParallelism(),
    settings: { maxN: longest, dK: Number(opts.d), heads: Number(opts.heads) },
    sweepSeconds: Math.round(sweepS * 10) / 10,
    error,
    perMethod,
    rows,
  };
  const f = (x, digits = 2) => (x === null || x === undefined ? "—" : x.toFixed(digits));
  const table = [
    ["method", "time slope", "count slope", "memory slope", "largest n ≤ 1 s", "ms at largest n run"],
    ...perMethod.map((m) => [
      m.method,
      f(m.timeSlope),
      f(m.countSlope, 3),
      f(m.memorySlope, 3),
      m.largestNWithin1s === null ? "none" : `${m.neverOver1s ? "≥ " : ""}${m.largestNWithin1s}`,
      `${f(m.msAtLargestN, 1)} (n = ${m.largestNMeasured})`,
    ]),
  ];
  const widths = table[0].map((_, c) => Math.max(...table.map((r) => r[c].length)));
  const line = (r) => r.map((cell, c) => cell.padEnd(widths[c])).join("  ").trimEnd();
  console.log(`\n${results.browser}, ${results.cpus} CPUs; d_k = ${opts.d}, ${opts.heads} head(s), n = 16 … ${longest}; sweep ${results.sweepSeconds} s\n`);
  console.log(line(table[0]));
  console.log(line(widths.map((w) => "-".repeat(w))));
  table.slice(1).forEach((r) => console.log(line(r)));
  if (error) console.log(`\nthe sweep stopped: ${error}`);
  await mkdir(new URL("./results/", import.meta.url), { recursive: true });
  await writeFile(new URL("./results/cost.json", import.meta.url), JSON.stringify(results, null, 2) + "\n");
  console.log("\nwrote bench/results/cost.json");
} finally {
  await browser.close();
  await site.close();
}
