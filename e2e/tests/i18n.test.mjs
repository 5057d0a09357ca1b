import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { useWalkthrough } from "../support.mjs";

const hasHan = (s) => /[\u4e00-\u9fff]/.test(s);

/** Presses Tab until the focused element matches `selector` (at most `limit` presses). */
async function tabTo(page, selector, limit = 60) {
  for (let i = 0; i < limit; i++) {
    await page.keyboard.press("Tab");
    if (await page.evaluate((s) => document.activeElement?.matches(s) ?? false, selector)) return;
  }
  throw new Error(`Tab never reached ${selector}`);
}

/** The numbers drawn in the first heatmap called `name`, in order. */
async function cellValues(page, name) {
  return page.locator(`[data-testid="heatmap"][data-name="${name}"]`).first().locator(".cell-value").allTextContents();
}

describe("interface language: a Chinese browser", () => {
  const ctx = useWalkthrough({ locale: "zh-CN" });

  it("starts in Chinese; the typed text and its tokens stay as they are", async () => {
    const { app } = ctx;
    const page = app.page;
    await app.open();
    await app.waitUntilReady();
    assert.equal(await app.language(), "zh-CN");
    assert.equal(await page.title(), "注意力游乐场");
    assert.equal((await page.locator("h1").textContent()).trim(), "注意力游乐场");
    assert.equal((await page.locator('[data-testid="demo-link"][data-demo="walkthrough"]').textContent()).trim(), "逐步讲解");
    assert.match(await app.stepTitle.textContent(), /^1\. 文本变成词元/);
    assert.match(await app.modelStatus.textContent(), /正在你的浏览器中运行/);
    assert.equal(await app.langButton("zh-CN").getAttribute("aria-pressed"), "true");

    await app.setText("La reine parle.");
    assert.deepEqual((await page.locator(".token-text").allTextContents()).slice(0, 2), ["[CLS]", "la"]);
    assert.equal(await app.textInput.inputValue(), "La reine parle.");

    await app.goToStep("softmax");
    assert.match(await app.stepTitle.textContent(), /^7\. Softmax 把每一行变成权重/);
    assert.match(await app.whatIf.locator("h3").textContent(), /^假如……？（第 1 层，头 1）/);
    assert.equal((await app.page.getByTestId("whatif-reset").textContent()).trim(), "恢复模型设置");
    const toggle = page.getByTestId("table-toggle").first();
    assert.equal((await toggle.textContent()).trim(), "表格");
    assert.match(await page.getByTestId("export-png").first().getAttribute("aria-label"), /^将 .* 保存为 PNG$/);
    // The prediction names languages in Chinese; the heatmap's stable name is unchanged.
    assert.match(await app.prediction.textContent(), /法语/);
    assert.equal(await page.locator('[data-testid="heatmap"][data-name="weights head 1"]').count() > 0, true);
    // Nothing left in English in the step's headings and buttons.
    for (const text of await page.locator('[data-testid="step"] button, [data-testid="whatif"] label, h2, h3').allTextContents()) {
      assert.ok(!/\b(Show|Hide|Table|Temperature|Mask|Attention|What if)\b/.test(text), `English left: ${text}`);
    }
    await toggle.click();
    assert.equal((await toggle.textContent()).trim(), "隐藏表格");
  });

  it("a remembered choice beats the browser's language, across a reload", async () => {
    const { app } = ctx;
    await app.open();
    await app.waitUntilReady();
    assert.equal(await app.language(), "zh-CN");
    await app.switchLanguage("en");
    assert.equal((await app.page.locator("h1").textContent()).trim(), "Attention Playground");
    assert.equal(await app.page.evaluate(() => localStorage.getItem("attention-playground.lang")), '"en"');
    await app.page.reload();
    await app.waitUntilReady();
    assert.equal(await app.language(), "en");
    assert.match(await app.stepTitle.textContent(), /^1\. Text becomes tokens/);
  });

  it("the start-up failure message (plain JS in index.html) is in Chinese too", async () => {
    const { app } = ctx;
    const page = app.page;
    await page.route(/\.wasm$/, (route) => route.abort());
    await page.goto(app.baseUrl);
    const boot = page.locator("#boot[role=alert]");
    await boot.waitFor();
    assert.match(await boot.innerText(), /^注意力游乐场无法启动：.*请尝试重新加载/);
    assert.equal(await app.language(), "zh-CN");
    // The failure is the point of this test: its errors are expected.
    ctx.allow = { allowConsole: [/./], allowFailedResponses: [/./] };
    app.pageErrors.length = 0;
  });

  it("a tampered link's problem is said in Chinese", async () => {
    const { app } = ctx;
    await app.page.goto(`${app.baseUrl}#/walkthrough?text=Hola%20mundo&step=%3Cimg%3E&layer=999&head=-1&temp=99`);
    await app.waitUntilReady();
    const problem = app.page.getByTestId("link-problem");
    await problem.waitFor();
    assert.equal((await problem.textContent()).trim(), "此链接中的步骤、层、头和假设的温度无法使用，已改用默认值。");
    assert.equal(await app.textInput.inputValue(), "Hola mundo");

    await app.page.goto(`${app.baseUrl}#/nowhere`);
    const route = app.page.getByTestId("route-problem");
    await route.waitFor();
    assert.match(await route.textContent(), /不存在的视图（“nowhere”）/);
  });
});

describe("interface language: switching", () => {
  const ctx = useWalkthrough();

  it("keeps the text, step, layer, head and numbers, updates the labels, and does not reload", async () => {
    const { app } = ctx;
    const page = app.page;
    await app.open();
    await app.waitUntilReady();
    assert.equal(await app.language(), "en");
    await app.setText("Der König spricht.");
    await app.goToStep("softmax");
    await app.layerSelect.selectOption("2");
    await app.headSelect.selectOption("3");
    await page.waitForFunction(() => location.hash.includes("head=3"));
    const hash = await page.evaluate(() => location.hash);
    const before = await cellValues(page, "weights head 3");
    assert.ok(before.length > 0);
    const prediction = await page.locator(".pred-value").allTextContents();
    await page.evaluate(() => { window.__notReloaded = true; });

    await app.switchLanguage("zh-CN");
    assert.equal(await page.evaluate(() => window.__notReloaded), true, "no reload");
    assert.equal((await page.locator("h1").textContent()).trim(), "注意力游乐场");
    assert.match(await app.stepTitle.textContent(), /^7\. Softmax/);
    assert.ok(hasHan(await app.stepTitle.textContent()));
    assert.match(await app.whatIf.locator("h3").textContent(), /第 2 层，头 3/);
    assert.equal((await page.getByTestId("table-toggle").first().textContent()).trim(), "表格");
    assert.equal((await page.locator('[data-testid="demo-link"][data-demo="translate"]').textContent()).trim(), "翻译");
    assert.match(await app.agreementBadge.locator("summary").textContent(), /我们的逐步计算与 tract 一致/);
    assert.equal(await app.textInput.inputValue(), "Der König spricht.");
    assert.equal(await app.currentStep(), "softmax");
    assert.equal(await app.layerSelect.inputValue(), "2");
    assert.equal(await app.headSelect.inputValue(), "3");
    assert.equal(await page.evaluate(() => location.hash), hash);
    assert.deepEqual(await cellValues(page, "weights head 3"), before);
    assert.deepEqual(await page.locator(".pred-value").allTextContents(), prediction);
    assert.equal(await app.langButton("zh-CN").getAttribute("aria-pressed"), "true");
    assert.equal(await app.langButton("en").getAttribute("aria-pressed"), "false");

    // And back: every label returns to English.
    await app.switchLanguage("en");
    assert.match(await app.stepTitle.textContent(), /^7\. Softmax turns each row into weights/);
    assert.equal((await page.getByTestId("table-toggle").first().textContent()).trim(), "Table");
  });

  it("the choice is remembered across a reload", async () => {
    const { app } = ctx;
    await app.open();
    await app.waitUntilReady();
    await app.switchLanguage("zh-CN");
    await app.page.reload();
    await app.waitUntilReady();
    assert.equal(await app.language(), "zh-CN");
    assert.match(await app.stepTitle.textContent(), /文本变成词元/);
  });

  it("the language switch works by keyboard", async () => {
    const { app } = ctx;
    const page = app.page;
    await app.open();
    await app.waitUntilReady();
    await tabTo(page, '[data-testid="lang-switch"] button[data-lang="zh-CN"]');
    await page.keyboard.press("Enter");
    await page.waitForFunction(() => document.documentElement.lang === "zh-CN");
    assert.equal((await page.locator("h1").textContent()).trim(), "注意力游乐场");
    // Focus stays on the switch, so Shift+Tab then Space goes back.
    await page.keyboard.press("Shift+Tab");
    assert.equal(await page.evaluate(() => document.activeElement?.getAttribute("data-lang")), "en");
    await page.keyboard.press("Space");
    await page.waitForFunction(() => document.documentElement.lang === "en");
  });
});
