// Page object for the cost-of-attention view (#/cost). Health checks come from the walkthrough's
// page object.

import { WalkthroughPage } from "./walkthrough.mjs";

const byTestId = (id) => `[data-testid="${id}"]`;

export class CostPage extends WalkthroughPage {
  get root() { return this.page.locator(byTestId("cost")); }
  get runButton() { return this.page.locator(byTestId("run")); }
  get cancelButton() { return this.page.locator(byTestId("cancel")); }
  get rows() { return this.page.locator(byTestId("result-row")); }
  get refusals() { return this.page.locator(byTestId("refusal")); }
  get accuracy() { return this.page.locator(byTestId("accuracy")); }
  get accuracyRows() { return this.page.locator(byTestId("accuracy-row")); }
  get linkProblem() { return this.page.locator(byTestId("link-problem")); }

  /** Opens #/cost, with `query` (e.g. "n=256&d=32") when given. */
  async open(query = "") {
    await this.page.goto(`${this.baseUrl}#/cost${query ? `?${query}` : ""}`);
    await this.root.waitFor();
  }

  async hash() {
    return this.page.evaluate(() => location.hash);
  }

  /** How many measurements of the current sweep have come back. */
  async done() {
    return Number(await this.root.getAttribute("data-done"));
  }

  async running() {
    return (await this.root.getAttribute("data-running")) === "true";
  }

  /** Presses Run and waits until the sweep has finished. */
  async runSweep({ timeout = 30_000 } = {}) {
    await this.runButton.click();
    await this.page.locator(`${byTestId("cost")}[data-running="true"]`).waitFor();
    await this.page.locator(`${byTestId("cost")}[data-running="false"]`).waitFor({ timeout });
  }

  /** Every result row as {method, n, state, ms, bytes, mulAdds}. */
  async results() {
    return this.rows.evaluateAll((rows) =>
      rows.map((r) => ({
        method: r.dataset.method,
        n: Number(r.dataset.n),
        state: r.dataset.state,
        ms: r.dataset.ms === undefined ? null : Number(r.dataset.ms),
        bytes: r.dataset.bytes === undefined ? null : Number(r.dataset.bytes),
        mulAdds: r.dataset.mulAdds === undefined ? null : BigInt(r.dataset.mulAdds),
      })),
    );
  }

  /** The slope printed in the slopes table, by column ("count-slope", "memory-slope", "time-slope"). */
  async slopes(column) {
    return this.page.locator(byTestId(column)).evaluateAll((cells) =>
      Object.fromEntries(cells.map((c) => [c.dataset.method, c.dataset.value === undefined ? null : Number(c.dataset.value)])),
    );
  }

  /** The accuracy table's rows as {method, max, mean, kl}. */
  async accuracyResults() {
    return this.accuracyRows.evaluateAll((rows) =>
      rows.map((r) => ({
        method: r.dataset.method,
        max: Number(r.dataset.max),
        mean: Number(r.dataset.mean),
        kl: r.dataset.kl === undefined ? null : Number(r.dataset.kl),
      })),
    );
  }

  async waitForAccuracy({ timeout = 60_000 } = {}) {
    await this.page.locator(`${byTestId("accuracy")} ${byTestId("model-status")}[data-state="ready"]`).waitFor({ timeout });
    await this.page.locator(byTestId("accuracy-table")).waitFor({ timeout });
  }
}
