// Shared set-up for the end-to-end tests, screenshots and benchmarks: serve the built site under
// the GitHub Pages sub-path and launch the system Chromium through playwright-core.
//
// Environment:
//   DIST      built site to serve (default: dist)           BASE_URL  test a running site instead
//   AP_PUBLIC_URL  the sub-path it was built for (default: /attention-playground/)
//   CHROMIUM  browser binary (default: /usr/bin/chromium)

import { after, afterEach, before, beforeEach } from "node:test";
import { mkdir } from "node:fs/promises";
import { chromium } from "playwright-core";
import { startServer } from "./serve.mjs";
import { WalkthroughPage } from "./pages/walkthrough.mjs";

export { MODEL_URL, STEPS } from "./pages/walkthrough.mjs";

export const PREFIX = process.env.AP_PUBLIC_URL ?? "/attention-playground/";
export const DESKTOP = { width: 1280, height: 900 };
export const PHONE = { width: 390, height: 844 };

export function launchBrowser() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--no-first-run",
      "--disable-sync",
    ],
  });
}

/** Serves DIST under PREFIX on a free port, or uses BASE_URL when set. */
export async function startSite() {
  if (process.env.BASE_URL) return { url: process.env.BASE_URL, close: async () => {} };
  return startServer({ dir: process.env.DIST ?? "dist", prefix: PREFIX, port: 0 });
}

/**
 * Registers hooks for a suite: one server and browser per file, a fresh context per test, and a
 * check after every test that the page logged no console error and threw nothing. A test that
 * provokes errors sets `ctx.allow = { allowConsole: [...], allowFailedResponses: [...] }`.
 * Returns `ctx`; tests use `ctx.app` (a WalkthroughPage) and `ctx.context`. Options: `viewport`,
 * `serviceWorkers` ("block" by default, "allow" for the offline tests), `acceptDownloads`, `locale`
 * (the browser's language, "en-US" by default).
 */
export function useWalkthrough(options = {}) {
  return useDemo(WalkthroughPage, options);
}

/** The same suite hooks for any demo's page object (`PageClass(page, baseUrl)`). */
export function useDemo(PageClass, { viewport = DESKTOP, serviceWorkers = "block", acceptDownloads = false, locale = "en-US" } = {}) {
  const ctx = {};
  before(async () => {
    ctx.site = await startSite();
    ctx.browser = await launchBrowser();
  });
  after(async () => {
    await ctx.browser?.close();
    await ctx.site?.close();
  });
  beforeEach(async () => {
    ctx.allow = {};
    // The offline service worker is blocked unless a suite asks for it: it would otherwise take
    // over requests that tests intercept with page.route (see e2e/tests/offline.test.mjs).
    // The browser's language picks the interface language (English unless a suite asks for
    // another, e.g. `locale: "zh-CN"`), so tests do not depend on the machine's settings.
    ctx.context = await ctx.browser.newContext({ viewport, serviceWorkers, acceptDownloads, locale });
    const page = await ctx.context.newPage();
    page.setDefaultTimeout(20_000);
    // E2E_CPU_SLOWDOWN=3 slows each page's main thread to look for tests that race the page, as
    // CI's slower machine does.
    const slowdown = Number(process.env.E2E_CPU_SLOWDOWN ?? 1);
    if (slowdown > 1) await throttleMainThread(ctx.context, page, slowdown);
    ctx.app = new PageClass(page, ctx.site.url);
  });
  afterEach(async (t) => {
    try {
      if (!t.passed) await saveFailureScreenshot(ctx.app.page, t.name);
      ctx.app.assertHealthy(ctx.allow);
    } catch (err) {
      if (t.passed) await saveFailureScreenshot(ctx.app.page, t.name);
      throw err;
    } finally {
      await ctx.context.close();
    }
  });
  return ctx;
}

/**
 * Slows `page`'s main thread `rate` times (DevTools `Emulation.setCPUThrottlingRate`; it survives
 * navigation). Chromium refuses it for workers: the models' worker runs at full speed.
 */
export async function throttleMainThread(context, page, rate) {
  const cdp = await context.newCDPSession(page);
  await cdp.send("Emulation.setCPUThrottlingRate", { rate });
}

/** Saves a full-page screenshot of a failed test to e2e/artifacts/failures/<test name>.png. */
export async function saveFailureScreenshot(page, name) {
  const dir = new URL("./artifacts/failures/", import.meta.url);
  await mkdir(dir, { recursive: true });
  const file = new URL(`${name.replace(/[^a-z0-9]+/gi, "-").toLowerCase()}.png`, dir);
  await page.screenshot({ path: file.pathname, fullPage: true }).catch(() => {});
}
