// Page object for Learn (#/learn): the path of lessons, the lesson's live piece, its exercises
// and the teacher's panel. Health checks and run counting come from the walkthrough's page
// object; its locators are narrowed to Learn's own, since a lesson may embed another view whole.

import { WalkthroughPage } from "./walkthrough.mjs";

const byTestId = (id) => `[data-testid="${id}"]`;
const OWN = ".demo.learn > .demo-head";

export class LearnPage extends WalkthroughPage {
  get modelStatus() { return this.page.locator(`${OWN} ${byTestId("model-status")}`); }
  get textInput() { return this.page.locator("#learn-text"); }
  get runId() { return this.page.locator(`.learn-input ${byTestId("run-id")}`); }
  get inputMessage() { return this.page.locator(`.learn-input ${byTestId("input-message")}`); }
  get linkProblem() { return this.page.locator(`.learn-input ${byTestId("link-problem")}`); }
  get lesson() { return this.page.locator(byTestId("lesson")); }
  get worksheet() { return this.page.locator(byTestId("worksheet")); }
  get path() { return this.page.locator(byTestId("learn-path")); }
  get progressNote() { return this.page.locator(byTestId("learn-progress")); }
  get resetButton() { return this.page.locator(byTestId("learn-reset")); }
  get nextLesson() { return this.page.locator(byTestId("lesson-next")); }
  get prevLesson() { return this.page.locator(byTestId("lesson-prev")); }
  get live() { return this.page.locator(byTestId("lesson-live")); }
  get embeddedView() { return this.page.locator(byTestId("embedded-view")); }
  get teacher() { return this.page.locator(byTestId("teacher")); }
  get exercises() { return this.page.locator(byTestId("exercise")); }

  /** The exercise of kind `id` (e.g. "dot.score"). */
  exercise(id) {
    const root = this.page.locator(`${byTestId("exercise")}[data-kind="${id}"]`);
    return {
      root,
      question: root.locator(byTestId("question")),
      answer: root.locator(byTestId("answer")),
      check: root.locator(byTestId("check")),
      verdict: root.locator(byTestId("verdict")),
      solutionButton: root.locator(byTestId("show-solution")),
      solution: root.locator(byTestId("solution")),
      tooShort: root.locator(byTestId("too-short")),
      useDefault: root.locator(byTestId("use-default")),
      /** The data table's body rows as arrays of cell texts (row header first). */
      rows: () => root.locator(`${byTestId("exercise-data")} tbody tr`).evaluateAll((trs) =>
        trs.map((tr) => [...tr.children].map((c) => c.textContent.trim()))),
    };
  }

  /** Waits until Learn's own model (the language identifier) is ready. */
  async waitUntilReady({ timeout = 60_000 } = {}) {
    await this.page.locator(`${OWN} ${byTestId("model-status")}[data-state="ready"]`).waitFor({ timeout });
  }

  /**
   * Opens #/learn with `query` (e.g. "lesson=dot&text=…") and waits for the first run to be
   * shown. The counter starts at 0 before any run: waiting for "after -1" returned at once and
   * left the exercises empty on a slow machine (CI's 2 cores).
   */
  async open(query = "") {
    await this.page.goto(`${this.baseUrl}#/learn${query ? `?${query}` : ""}`);
    await this.waitUntilReady();
    await this.waitForRunAfter(0);
  }

  async currentLesson() {
    return this.lesson.getAttribute("data-lesson");
  }

  async hash() {
    return this.page.evaluate(() => location.hash);
  }

  /** Types `answer` into exercise `id`, presses Check and returns the verdict's id and words. */
  async answer(id, answer) {
    const ex = this.exercise(id);
    if ((await ex.answer.evaluate((el) => el.tagName)) === "SELECT") {
      await ex.answer.selectOption(String(answer));
    } else {
      await ex.answer.fill(String(answer));
    }
    const before = Number(await ex.verdict.getAttribute("data-checks"));
    await ex.check.click();
    await this.page.waitForFunction(
      ({ el, before }) => Number(el.getAttribute("data-checks")) > before,
      { el: await ex.verdict.elementHandle(), before },
    );
    return { verdict: await ex.verdict.getAttribute("data-verdict"), text: (await ex.verdict.textContent()).trim() };
  }

  async solved() {
    return Number(await this.progressNote.getAttribute("data-solved"));
  }
}
