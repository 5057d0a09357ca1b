import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { useDemo } from "../support.mjs";
import { LearnPage } from "../pages/learn.mjs";

const SENTENCE = "The cat sat on the mat because it was tired.";
const q = (params) => new URLSearchParams(params).toString();
const num = (s) => Number(s.replace("−", "-"));

describe("Learn: lessons with exercises checked against the model", () => {
  const ctx = useDemo(LearnPage);

  it("a dot product computed from the vectors shown is right; wrong, empty and non-numbers get their words", async () => {
    const { app } = ctx;
    await app.open(q({ lesson: "dot", text: SENTENCE }));
    assert.equal(await app.currentLesson(), "dot");
    const ex = app.exercise("dot.score");
    const rows = await ex.rows();
    assert.equal(rows.length, 16, "d_k = 16 coordinates of q and k");
    const dot = rows.reduce((s, [, qv, kv]) => s + num(qv) * num(kv), 0);

    assert.equal((await app.answer("dot.score", "")).verdict, "empty");
    const nan = await app.answer("dot.score", "<b>twelve</b>");
    assert.equal(nan.verdict, "not-a-number");
    assert.match(nan.text, /<b>twelve<\/b>/, "shown as text, not markup");
    assert.equal(await app.solved(), 0, "a gentle message is not a verdict");
    assert.equal((await app.answer("dot.score", (dot + 1).toFixed(3))).verdict, "wrong");
    const right = await app.answer("dot.score", dot.toFixed(3));
    assert.equal(right.verdict, "right", `${dot.toFixed(3)}: ${right.text}`);
    assert.equal(await app.solved(), 1);

    await ex.solutionButton.click();
    const solution = await ex.solution.textContent();
    assert.match(solution, /q·k = \(/);
    assert.match(solution, new RegExp(`= ${dot.toFixed(3).replace("-", "\\-")}`), solution);

    // Progress stays in this browser across a reload, and Reset clears it.
    await app.page.reload();
    await app.waitUntilReady();
    assert.equal(await app.solved(), 1);
    assert.match(await app.path.locator('li.done a[data-lesson="dot"]').textContent(), /One query/);
    await app.resetButton.click();
    assert.equal(await app.solved(), 0);
  });

  it("softmax of the row shown, and a decimal comma, are accepted; the scale lesson's variance grows with the width", async () => {
    const { app } = ctx;
    await app.open(q({ lesson: "softmax", text: SENTENCE }));
    const ex = app.exercise("softmax.weight");
    const rows = await ex.rows();
    const key = Number(/key (\d+)/.exec(await ex.question.textContent())[1]);
    const scores = rows.map((r) => num(r[1]));
    const max = Math.max(...scores);
    const exps = scores.map((s) => Math.exp(s - max));
    const weight = exps[key] / exps.reduce((a, b) => a + b, 0);
    assert.equal((await app.answer("softmax.weight", weight.toFixed(3).replace(".", ","))).verdict, "right");
    // The wrong axis: row sums are 1, column-softmax sums are not all 1
    const axis = await app.page.getByTestId("axis-table").locator("tbody tr").evaluateAll((trs) =>
      trs.map((tr) => [...tr.querySelectorAll("td")].map((td) => Number(td.textContent))));
    assert.ok(axis.every(([byRow]) => Math.abs(byRow - 1) < 1e-3));
    assert.ok(axis.some(([, byCol]) => Math.abs(byCol - 1) > 0.01));

    await app.prevLesson.click();
    assert.equal(await app.currentLesson(), "scale");
    const variance = await app.page.getByTestId("variance-table").locator("tbody tr").evaluateAll((trs) =>
      trs.map((tr) => [Number(tr.querySelector("th").textContent), ...[...tr.querySelectorAll("td")].map((td) => Number(td.textContent))]));
    assert.deepEqual(variance.map((r) => r[0]), [1, 2, 4, 8, 16]);
    assert.ok(variance[4][1] > variance[0][1], "the raw variance grows with m");
  });

  it("exactly one token is right for 'attends to most'; exercises change with the sentence; a too-short one offers the default", async () => {
    const { app } = ctx;
    await app.open(q({ lesson: "heads", text: SENTENCE }));
    const ex = app.exercise("heads.most");
    const options = await ex.answer.locator("option").evaluateAll((os) => os.map((o) => o.value).filter((v) => v !== ""));
    assert.equal(options.length, await app.page.getByTestId("token").count(), "one option per token");
    const verdicts = [];
    for (const v of options) verdicts.push((await app.answer("heads.most", v)).verdict);
    assert.equal(verdicts.filter((v) => v === "right").length, 1, verdicts.join(","));
    assert.equal((await app.answer("heads.most", "")).verdict, "empty");

    const before = await ex.question.textContent();
    await app.setText("Le chat dort sur le tapis parce qu'il est fatigué.");
    assert.notEqual(await ex.question.textContent(), before, "a new sentence, a new question");

    await app.setText("Jerusalem");
    await ex.tooShort.waitFor();
    assert.match(await ex.tooShort.textContent(), /1 word token/);
    await ex.useDefault.click();
    await ex.question.waitFor();
    assert.equal(await app.textInput.inputValue(), SENTENCE);

    await app.setText("");
    await app.inputMessage.waitFor();
    assert.equal(await app.textInput.inputValue(), "", "what the student typed is kept");
  });

  it("the path moves lesson by lesson, Back returns, and the link holds the lesson and the sentence", async () => {
    const { app } = ctx;
    await app.open(q({ text: "Il re parlò al popolo." }));
    assert.equal(await app.currentLesson(), "tokens");
    await app.nextLesson.click();
    assert.equal(await app.currentLesson(), "positions");
    assert.match(await app.hash(), /^#\/learn\?lesson=positions&text=Il/);
    await app.path.locator('a[data-lesson="masks"]').click();
    assert.equal(await app.currentLesson(), "masks");
    await app.page.getByTestId("whatif").waitFor();
    await app.page.goBack();
    await app.page.locator("#lesson-title").waitFor();
    await app.page.waitForFunction(() => document.querySelector('[data-testid="lesson"]')?.dataset.lesson === "positions");
    assert.equal(await app.textInput.inputValue(), "Il re parlò al popolo.");
    // The token count the first lesson asks for is the model's
    await app.path.locator('a[data-lesson="tokens"]').click();
    const tokens = await app.page.getByTestId("token").count();
    assert.equal((await app.answer("tokens.count", tokens)).verdict, "right");

    await app.open(q({ lesson: "nope", sheet: "zzz" }));
    assert.match(await app.linkProblem.textContent(), /lesson and worksheet/);
    assert.equal(await app.currentLesson(), "tokens");
  });

  it("a teacher's worksheet holds the chosen exercises; counts take thousands separators; print hides the controls", async () => {
    const { app } = ctx;
    await app.open(q({ lesson: "cost", text: SENTENCE }));
    await app.teacher.locator("summary").click();
    await app.teacher.locator('[data-kind="dot.score"]').check();
    const link = await app.page.getByTestId("sheet-link").getAttribute("href");
    assert.match(link, /#\/learn\?sheet=dot\.score%2Ccost\.yours%2Ccost\.fixed&text=The/);
    await app.page.goto(link);
    await app.worksheet.waitFor();
    await app.waitUntilReady();
    await app.exercise("cost.fixed").question.waitFor();
    assert.deepEqual(await app.exercises.evaluateAll((es) => es.map((e) => e.dataset.kind)), ["dot.score", "cost.yours", "cost.fixed"]);
    assert.equal((await app.answer("cost.fixed", "33,554,432")).verdict, "right");
    // 2 · n² · d_k with the n and d_k the question names
    const [, n, d] = /n = (\d+).*d_k = (\d+)/.exec(await app.exercise("cost.yours").question.textContent()).map(Number);
    assert.equal((await app.answer("cost.yours", String(2 * n * n * d))).verdict, "right");

    await app.page.emulateMedia({ media: "print" });
    assert.equal(await app.path.isVisible(), false);
    assert.equal(await app.exercise("cost.fixed").check.isVisible(), false);
    assert.equal(await app.exercise("dot.score").question.isVisible(), true);
    assert.ok((await app.exercise("dot.score").rows()).length === 16, "the numbers print");
    await app.page.emulateMedia({ media: "screen" });
  });

  it("a lesson embeds another view whole, which runs and leaves the address alone", async () => {
    const { app } = ctx;
    await app.open(q({ lesson: "beyond", text: SENTENCE }));
    await app.live.locator('[data-testid="embed-view"][data-demo="digits"]').click();
    const embedded = app.embeddedView;
    assert.equal(await embedded.getAttribute("data-demo"), "digits");
    await embedded.locator('[data-testid="model-status"][data-state="ready"]').waitFor({ timeout: 60_000 });
    await embedded.getByTestId("prediction").waitFor();
    assert.match(await app.hash(), /^#\/learn\?lesson=beyond/);
    // The translation lesson's view starts from the student's sentence
    await app.path.locator('a[data-lesson="cross"]').click();
    assert.equal(await app.embeddedView.getAttribute("data-demo"), "translate");
    assert.equal(await app.embeddedView.locator("#tr-text").inputValue(), SENTENCE);
    await app.embeddedView.locator('[data-testid="model-status"][data-state="ready"]').first().waitFor({ timeout: 60_000 });
    assert.match(await app.hash(), /^#\/learn\?lesson=cross/);
  });
});

describe("Learn by keyboard", () => {
  const ctx = useDemo(LearnPage);

  it("Tab reaches the answer, Enter checks it, and the verdict is announced", async () => {
    const { app } = ctx;
    await app.open(q({ lesson: "masks", text: SENTENCE }));
    const ex = app.exercise("masks.causal");
    const n = Number(/your (\d+) tokens/.exec(await ex.question.textContent())[1]);
    await ex.answer.focus();
    await app.page.keyboard.type(String((n * (n + 1)) / 2));
    await app.page.keyboard.press("Enter");
    await app.page.waitForFunction((el) => el.dataset.verdict === "right", await ex.verdict.elementHandle());
    assert.equal(await ex.verdict.getAttribute("role"), "status");
    assert.equal(await ex.verdict.getAttribute("aria-live"), "polite");
    // The next focusable thing after Check is the worked solution's button
    await app.page.keyboard.press("Tab");
    await app.page.keyboard.press("Tab");
    assert.equal(await app.page.evaluate(() => document.activeElement?.dataset.testid), "show-solution");
    await app.page.keyboard.press("Enter");
    await ex.solution.waitFor();
    assert.match(await ex.solution.textContent(), new RegExp(`= ${(n * (n + 1)) / 2}`));
  });
});

describe("Learn in Chinese", () => {
  const ctx = useDemo(LearnPage, { locale: "zh-CN" });

  it("lessons and verdicts are in Chinese, and full-width digits are read", async () => {
    const { app } = ctx;
    await app.open(q({ lesson: "cost", text: "注意力机制是深度学习的核心。" }));
    assert.equal((await app.page.locator("#lesson-title").textContent()).trim(), "代价：O(n²·d)");
    const right = await app.answer("cost.fixed", "３３５５４４３２");
    assert.equal(right.verdict, "right");
    assert.match(right.text, /正确/);
  });
});
