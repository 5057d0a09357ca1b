// Page object for the generator (#/generate). Health checks (console errors, failed responses,
// dialogs) come from the walkthrough's page object.

import { readFileSync } from "node:fs";
import { WalkthroughPage } from "./walkthrough.mjs";
import { useDemo } from "../support.mjs";

const byTestId = (id) => `[data-testid="${id}"]`;

/** PyTorch's golden values for the shipped model (models/generate/golden.json). */
export const GOLDEN = JSON.parse(readFileSync(new URL("../../models/generate/golden.json", import.meta.url), "utf-8"));

export class GeneratePage extends WalkthroughPage {
  get generateButton() { return this.page.locator(byTestId("generate-button")); }
  get stepButton() { return this.page.locator(byTestId("step-button")); }
  get playButton() { return this.page.locator(byTestId("play-button")); }
  get stepCount() { return this.page.locator(byTestId("step-count")); }
  get candidates() { return this.page.locator(byTestId("candidate")); }
  get chosen() { return this.page.locator(byTestId("chosen")); }
  get draw() { return this.page.locator(byTestId("draw")); }
  get causal() { return this.page.locator(byTestId("causal-matrix")); }
  get strips() { return this.page.locator(byTestId("strip")); }
  get kvCache() { return this.page.locator(byTestId("kv-cache")); }
  get headRows() { return this.page.locator(byTestId("head-row")); }
  get stopReason() { return this.page.locator(byTestId("stop-reason")); }
  get clampNotes() { return this.page.locator(byTestId("clamp-note")); }
  get linkProblem() { return this.page.locator(byTestId("link-problem")); }
  get windowNote() { return this.page.locator(byTestId("window-note")); }
  get cacheCheck() { return this.page.locator(byTestId("cache-check")); }

  async open(query = "") {
    await this.page.goto(`${this.baseUrl}#/generate${query ? `?${query}` : ""}`);
  }

  /** The address bar's hash. */
  async hash() {
    return this.page.evaluate(() => location.hash);
  }

  /** Waits until `shown` generated tokens are on screen and no step is running. */
  async waitForShown(shown, { timeout = 30_000 } = {}) {
    await this.page.waitForFunction((n) => {
      const el = document.querySelector('[data-testid="step-count"]');
      return el && Number(el.dataset.shown) === n && el.dataset.busy === "false";
    }, shown, { timeout });
  }

  async progress() {
    return this.stepCount.evaluate((el) => ({ shown: Number(el.dataset.shown), total: Number(el.dataset.total) }));
  }

  /** Ids of the generated tokens on screen. */
  async generatedIds() {
    return this.page.locator(`${byTestId("token")}[data-new="true"]`).evaluateAll((els) => els.map((e) => Number(e.dataset.id)));
  }
}

/** Suite hooks (see support.mjs's useDemo) with a GeneratePage as `ctx.app`. */
export function useGenerate(options = {}) {
  return useDemo(GeneratePage, options);
}
