// Before and after, from the same run: each named benchmark runs on two builds of the site, one
// after the other, in the same browser version on the same machine, and the figures they wrote
// (bench/results/*.json) are printed side by side with after / before. Prints; asserts nothing.
//
//   node bench/compare.mjs --before dist-before --after dist [--scripts run,encoder,phone] [--rounds 2] [-- <args for every script>]
//
// A "before" build: `git worktree add /tmp/before <commit> && (cd /tmp/before && trunk build
// --release --public-url /attention-playground/)`, then `--before /tmp/before/dist`.
// With --rounds 2 the order alternates (before, after, after, before) and each figure is the
// mean of its rounds, so a machine that speeds up or slows down during the run favours neither.
// Writes bench/results/compare.json.

import { spawnSync } from "node:child_process";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { parseArgs } from "node:util";

const { values: opts, positionals } = parseArgs({
  options: {
    before: { type: "string" },
    after: { type: "string", default: "dist" },
    scripts: { type: "string", default: "run,storage,encoder,recommend,translate,phone" },
    rounds: { type: "string", default: "1" },
  },
  allowPositionals: true,
});
if (!opts.before) throw new Error("--before <dir of the build to compare against> is required");

const RESULT_FILE = { run: "latest.json" };
const resultUrl = (script) => new URL(`./results/${RESULT_FILE[script] ?? `${script}.json`}`, import.meta.url);

/** Numeric leaves of a results object as "a.b.c" → value (a list of cases as "a[label].b"); lists
 * of numbers (samples) and strings (dates) are left out. */
function figures(obj, prefix = "", out = new Map()) {
  for (const [k, v] of Object.entries(obj)) {
    const key = prefix ? `${prefix}.${k}` : k;
    if (typeof v === "number" && Number.isFinite(v) && !["cpus", "runs", "rounds", "loads", "keys", "edits"].includes(k)) out.set(key, v);
    else if (Array.isArray(v)) {
      // a list of cases (objects, each with a label or name), not a list of samples
      v.forEach((item, i) => {
        if (item && typeof item === "object" && !Array.isArray(item)) figures(item, `${key}[${item.label ?? item.name ?? i}]`, out);
      });
    } else if (v && typeof v === "object") figures(v, key, out);
  }
  return out;
}

function runOnce(script, dir) {
  console.log(`\n=== ${script} on ${dir} ===`);
  const r = spawnSync(process.execPath, [new URL(`./${script}.mjs`, import.meta.url).pathname, "--dir", dir, ...positionals], { stdio: "inherit" });
  if (r.status !== 0) throw new Error(`bench/${script}.mjs --dir ${dir} failed (${r.status})`);
}

const rounds = Number(opts.rounds);
const report = {};
for (const script of opts.scripts.split(",").filter(Boolean)) {
  const seen = { before: [], after: [] };
  for (let k = 0; k < rounds; k++) {
    const order = k % 2 === 0 ? ["before", "after"] : ["after", "before"];
    for (const which of order) {
      runOnce(script, opts[which]);
      seen[which].push(figures(JSON.parse(await readFile(resultUrl(script), "utf8"))));
    }
  }
  const mean = (maps, key) => maps.reduce((a, m) => a + (m.get(key) ?? NaN), 0) / maps.length;
  const keys = [...seen.after[0].keys()].filter((key) => seen.before[0].has(key));
  report[script] = Object.fromEntries(keys.map((key) => [key, { before: mean(seen.before, key), after: mean(seen.after, key) }]));
}

const fmt = (x) => (Math.abs(x) >= 1000 ? x.toFixed(0) : Math.abs(x) >= 10 ? x.toFixed(1) : x.toFixed(3));
console.log(`\nbefore: ${opts.before}   after: ${opts.after}   rounds: ${rounds}\n`);
for (const [script, rows] of Object.entries(report)) {
  console.log(`bench/${script}.mjs`);
  const lines = Object.entries(rows).map(([key, { before, after }]) => [key, fmt(before), fmt(after), before ? (after / before).toFixed(2) : "–"]);
  const widths = [0, 1, 2, 3].map((c) => Math.max(...[["figure", "before", "after", "after/before"], ...lines].map((l) => l[c].length)));
  const line = (l) => "  " + l.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join("  ");
  console.log(line(["figure", "before", "after", "after/before"]));
  lines.forEach((l) => console.log(line(l)));
}
await mkdir(new URL("./results/", import.meta.url), { recursive: true });
await writeFile(new URL("./results/compare.json", import.meta.url), JSON.stringify({ date: new Date().toISOString(), before: opts.before, after: opts.after, rounds, report }, null, 2) + "\n");
console.log("\nwrote bench/results/compare.json");
