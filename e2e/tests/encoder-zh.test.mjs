import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { useWalkthrough } from "../support.mjs";
import { EncoderPage } from "../pages/encoder.mjs";

const CJK = /[\u4e00-\u9fff]/;

describe("the encoder in Chinese (browser language zh-CN)", () => {
  const ctx = useWalkthrough({ locale: "zh-CN" });

  it("labels the views, statistics, head view, steps and what-if in Chinese; tokens stay as they are", async () => {
    const enc = new EncoderPage(ctx.app.page, ctx.site.url);
    await enc.openAndRun({ text: "The cat sat on the mat.", head: 40 });
    // A bad part of the link is named in Chinese.
    await enc.linkProblem.waitFor();
    assert.match(await enc.linkProblem.textContent(), /此链接中的头无法使用/);

    assert.match(await enc.demo.locator(".tagline").textContent(), /预训练句子编码器/);
    const tabs = await enc.page.getByTestId("view-tab").allTextContents();
    assert.deepEqual(tabs.map((t) => t.trim()), ["模型视图", "头视图", "逐步讲解"]);
    assert.match(await enc.page.locator("label[for=enc-text]").textContent(), /你的文本/);
    assert.match(await enc.runState.textContent(), /个词元/);
    assert.match(await enc.page.locator("#enc-stats-title").textContent(), /各头统计/);
    const headers = await enc.page.getByTestId("stats-sort").allTextContents();
    assert.ok(headers.some((h) => h.includes("熵")), headers.join("|"));
    assert.match(await enc.gridCells.first().getAttribute("title"), /第 1 层第 1 个头：熵/);
    assert.match(await enc.specialToggle.locator("xpath=..").textContent(), /显示 \[CLS\] \/ \[SEP\]/);
    // Tokens are model data: not translated.
    const tokens = await enc.tokens.allTextContents();
    assert.ok(tokens.some((t) => t.includes("cat")), tokens.join(" "));

    await enc.pickHead(0, 1);
    assert.match(await enc.headView.locator("figcaption").textContent(), /第 1 层第 2 个头/);
    assert.match(await enc.page.locator(".enc-hv-sides").textContent(), /查询.*键/);

    await enc.showView("steps");
    await enc.goToStep("tokens");
    assert.match(await enc.page.getByTestId("step-title").textContent(), /文本变成 WordPiece 词元/);
    assert.match(await enc.step.locator(".explanation").textContent(), CJK);
    await enc.goToStep("softmax");
    await enc.whatIf.waitFor();
    assert.match(await enc.step.locator("h2").textContent(), /softmax 把每一行变成权重/);
    // The matrix keeps its stable name (data-name, file names); the reader sees it in Chinese.
    // (The head view opened head 2 of layer 1; the step view keeps that head.)
    const weights = enc.step.locator('figure.matrix:has([data-testid="heatmap"][data-name="weights head 2"]) .matrix-name');
    assert.equal((await weights.textContent()).trim(), "权重 头 2");
    assert.match(await enc.whatIfMask.locator("option[value=model]").textContent(), /模型自己的/);
    assert.match(await enc.page.locator("footer.about").textContent(), CJK);

    // Switching to English re-translates what is on screen, the link note included.
    await enc.page.locator('[data-testid="lang-switch"] [data-lang="en"]').click();
    await enc.page.locator('[data-testid="view-tab"][data-view="model"]', { hasText: "Model view" }).waitFor();
    assert.match(await enc.page.getByTestId("step-title").textContent(), /Softmax turns each row into weights/);
    assert.match(await enc.linkProblem.textContent(), /This link's head could not be used/);
    assert.match(await enc.whatIfMask.locator("option[value=model]").textContent(), /the model's/);
  });
});
