// Every view in the other engines: Firefox (ESR, over WebDriver BiDi with puppeteer-core) and
// WebKit, Safari's engine (WebKitGTK's MiniBrowser through WebKitWebDriver under Xvfb, with
// selenium-webdriver). For each view: it reaches ready, runs one input, shows its result, and the
// page records no error. Run by scripts/test.sh after the Chromium suite:
//
//   node e2e/engines/smoke.mjs [--dir dist] [--engine firefox|webkit|all]
//
// The checks run as page scripts (the same for both drivers): an input is set the way a person's
// typing or click reaches the app (value + input event, element.click()), and a condition is
// polled. Errors: index.html keeps every uncaught error and rejection in `window.__apErrors`.

import { spawn } from "node:child_process";
import { once } from "node:events";
import { createServer } from "node:net";
import { parseArgs } from "node:util";
import { startServer } from "../serve.mjs";
import { PREFIX } from "../support.mjs";

const { values: opts } = parseArgs({
  options: {
    dir: { type: "string", default: process.env.DIST ?? "dist" },
    engine: { type: "string", default: "all" },
  },
});

/** In the page: set a text box the way typing does. */
const typeInto = (testid, text) => `(() => {
  const el = document.querySelector('[data-testid="${testid}"]');
  if (!el) return false;
  el.focus();
  el.value = ${JSON.stringify(text)};
  el.dispatchEvent(new InputEvent("input", { bubbles: true, data: ${JSON.stringify(text)} }));
  return true;
})()`;
const clickOn = (selector) => `(() => {
  const el = document.querySelector(${JSON.stringify(selector)});
  if (!el || el.disabled) return false;
  el.click();
  return true;
})()`;
const count = (selector) => `document.querySelectorAll(${JSON.stringify(selector)}).length`;
const READY = `!!document.querySelector('[data-testid="model-status"][data-state="ready"]')`;
const tokenTexts = `[...document.querySelectorAll('[data-testid="token"]')].map((t) => t.textContent).join("")`;

/** Each view: where it opens, the input it gets, and what shows that the input was run. */
const VIEWS = [
  {
    name: "walkthrough",
    hash: "#/",
    input: typeInto("text-input", "Bonjour tout le monde."),
    result: `(${tokenTexts}).includes("tout")`,
  },
  {
    name: "encoder",
    hash: "#/encoder",
    input: typeInto("text-input", "The cat sat on the mat."),
    result: `(${tokenTexts}).includes("cat")`,
  },
  {
    name: "translate",
    hash: "#/translate",
    input: `(${typeInto("text-input", "The king spoke to the people.")}) && ${clickOn('[data-testid="translate-button"]')}`,
    result: `${count('[data-testid="src-token"]')} > 3 && ${count('[data-testid="tgt-token"]')} > 0`,
  },
  {
    name: "recommend",
    hash: "#/recommend",
    input: clickOn('[data-testid="rec-example"]:nth-of-type(2)'),
    result: `${count('[data-testid="rec-top-item"]')} >= 10 && ${count('[data-testid="rec-history-item"]')} > 0`,
  },
  {
    name: "forecast",
    hash: "#/forecast",
    input: `(() => {
      const sel = document.querySelector('[data-testid="series-select"]');
      if (!sel || sel.options.length < 2) return false;
      sel.value = sel.options[1].value;
      sel.dispatchEvent(new Event("change", { bubbles: true }));
      return true;
    })()`,
    result: `${count('[data-testid="forecast-point"]')} > 0 && document.querySelector('[data-testid="series-select"]').selectedIndex === 1`,
  },
  {
    name: "digits",
    hash: "#/digits",
    input: clickOn('[data-testid="example"]:nth-of-type(4)'),
    result: `!!document.querySelector('[data-testid="example"][aria-pressed="true"]:nth-of-type(4)') && !!document.querySelector('[data-testid="prediction"]')`,
  },
  {
    name: "generate",
    // A link with a prompt and a step generates that far; one Step more is the input.
    hash: `#/generate?text=${encodeURIComponent("ROMEO:\nBut soft")}&t=0&step=3`,
    ready: `${READY} && document.querySelector('[data-testid="step-count"]')?.dataset.shown === "3" && document.querySelector('[data-testid="step-count"]')?.dataset.busy === "false"`,
    input: clickOn('[data-testid="step-button"]'),
    result: `document.querySelector('[data-testid="step-count"]')?.dataset.shown === "4"`,
  },
  {
    name: "cost",
    // No model to wait for: the measurements run in the worker on random Q, K, V.
    hash: "#/cost?n=256&d=32",
    ready: `!!document.querySelector('[data-testid="cost"]')`,
    input: clickOn('[data-testid="run"]'),
    result: `document.querySelector('[data-testid="cost"]')?.dataset.running === "false" && ${count('[data-testid="result-row"][data-state="measured"]')} > 0`,
  },
];

async function freePort() {
  const srv = createServer().listen(0, "127.0.0.1");
  await once(srv, "listening");
  const { port } = srv.address();
  srv.close();
  return port;
}

/** Polls `expr` in the page until it is true, or fails after `ms` with `what`. */
async function until(evaluate, expr, ms, what) {
  const end = Date.now() + ms;
  for (;;) {
    const ok = await evaluate(`return Boolean(${expr});`).catch(() => false);
    if (ok) return;
    if (Date.now() > end) throw new Error(`${what} (not within ${ms / 1000} s)`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function smoke(engine, open, evaluate) {
  const failures = [];
  for (const view of VIEWS) {
    const t0 = Date.now();
    try {
      await open(view.hash);
      await until(evaluate, view.ready ?? READY, 90_000, "the model is not ready");
      await until(evaluate, view.input, 20_000, "the input could not be given");
      await until(evaluate, view.result, 30_000, "no result for the input");
      const errors = await evaluate("return window.__apErrors || [];");
      if (errors.length > 0) throw new Error(`page errors: ${errors.join(" | ")}`);
      console.log(`  ✔ ${engine} ${view.name} (${Date.now() - t0} ms)`);
    } catch (e) {
      failures.push(`${engine} ${view.name}: ${e.message}`);
      console.log(`  ✖ ${engine} ${view.name}: ${e.message}`);
    }
  }
  return failures;
}

async function firefox(base) {
  const { default: puppeteer } = await import("puppeteer-core");
  const browser = await puppeteer.launch({
    browser: "firefox",
    executablePath: process.env.FIREFOX ?? "/usr/bin/firefox-esr",
    headless: true,
  });
  try {
    const page = await browser.newPage();
    const pageErrors = [];
    page.on("pageerror", (e) => pageErrors.push(String(e?.message ?? e)));
    const version = await browser.version();
    console.log(`Firefox: ${version}`);
    const open = async (hash) => {
      // A fresh document per view, as a visitor following a link gets.
      await page.goto("about:blank");
      await page.goto(`${base}${hash}`);
    };
    const evaluate = (body) => page.evaluate(new Function(body));
    const failures = await smoke("firefox", open, evaluate);
    if (pageErrors.length > 0) failures.push(`firefox: page errors: ${pageErrors.join(" | ")}`);
    return failures;
  } finally {
    await browser.close();
  }
}

async function webkit(base) {
  const { Builder } = await import("selenium-webdriver");
  const port = await freePort();
  const driverProcess = spawn("xvfb-run", ["-a", process.env.WEBKIT_DRIVER ?? "/usr/bin/WebKitWebDriver", `--port=${port}`], {
    stdio: ["ignore", "ignore", "pipe"],
    detached: true,
  });
  let stderr = "";
  driverProcess.stderr.on("data", (d) => (stderr += d));
  let driver;
  try {
    const capabilities = {
      browserName: "MiniBrowser",
      "webkitgtk:browserOptions": {
        binary: process.env.WEBKIT_BROWSER ?? "/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser",
        args: ["--automation"],
      },
    };
    const end = Date.now() + 20_000;
    for (;;) {
      try {
        driver = await new Builder().usingServer(`http://127.0.0.1:${port}`).withCapabilities(capabilities).build();
        break;
      } catch (e) {
        if (Date.now() > end) throw new Error(`WebKitWebDriver did not start: ${e.message} ${stderr}`);
        await new Promise((r) => setTimeout(r, 500));
      }
    }
    const caps = await driver.getCapabilities();
    console.log(`WebKit: ${caps.get("browserName")} ${caps.get("browserVersion")}`);
    const open = async (hash) => {
      await driver.get("about:blank");
      await driver.get(`${base}${hash}`);
    };
    const evaluate = (body) => driver.executeScript(body);
    return await smoke("webkit", open, evaluate);
  } finally {
    await driver?.quit().catch(() => {});
    try {
      process.kill(-driverProcess.pid);
    } catch {
      /* already gone */
    }
  }
}

const site = await startServer({ dir: opts.dir, prefix: PREFIX, port: 0 });
// "Your own model" opens the exporter's tiny GPT-2 from another origin, as a user's host serves it.
const fixtures = await startServer({ dir: new URL("../../models/hf/", import.meta.url).pathname, prefix: "/", port: 0, cors: true });
VIEWS.push({
  name: "open (a tiny GPT-2 by URL)",
  hash: "#/open",
  ready: `!!document.querySelector('[data-testid="url-input"]')`,
  input: `${typeInto("url-input", `${fixtures.url}gpt2/`)} && ${clickOn('[data-testid="url-open"]')}`,
  result: `document.querySelector('[data-testid="run-state"]')?.dataset.state === "done" && ${count('[data-testid="grid-cell"]')} === 8`,
});
const started = Date.now();
let failures = [];
try {
  if (opts.engine === "all" || opts.engine === "firefox") failures = failures.concat(await firefox(site.url));
  if (opts.engine === "all" || opts.engine === "webkit") failures = failures.concat(await webkit(site.url));
} catch (e) {
  failures.push(`the smoke run could not run: ${e.stack ?? e}`);
} finally {
  await site.close();
  await fixtures.close();
}
console.log(`cross-engine smoke: ${failures.length === 0 ? "all views passed" : `${failures.length} failed`} in ${Math.round((Date.now() - started) / 1000)} s`);
if (failures.length > 0) {
  for (const f of failures) console.error(`  ${f}`);
  process.exit(1);
}
