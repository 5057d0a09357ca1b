// The time-series and image-patches views in Simplified Chinese (a browser whose language is
// zh-CN): labels, dates, explanations, messages and link notes are Chinese; model data stays as
// it is; switching the language re-renders the view in place.

import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { useDemo } from "../support.mjs";
import { ForecastPage } from "../pages/forecast.mjs";
import { DigitsPage, SHAPES } from "../pages/digits.mjs";

const HAN = /\p{Script=Han}/u;

/** Visible text of the view, without the numbers and model data that stay as they are. */
async function viewText(page, testid) {
  return page.getByTestId(testid).innerText();
}

describe("time series in Chinese", () => {
  const ctx = useDemo(ForecastPage, { locale: "zh-CN" });

  it("labels, dates, the attention sentence and the metrics are Chinese", async () => {
    const app = ctx.app;
    await app.open();
    await app.waitUntilForecast();
    assert.equal(await app.page.evaluate(() => document.documentElement.lang), "zh-CN");
    const text = await viewText(app.page, "forecast-demo");
    for (const zh of ["序列", "预测起点", "撤销修改", "模型预测", "实际值", "季节性朴素预测", "注意力模型", "每一层、每个头中的注意力", "数据：", "MASE"]) {
      assert.ok(text.includes(zh), `the view shows ${zh}`);
    }
    for (const en of ["Reset edits", "Forecast from", "model forecast", "what happened", "attention model", "Licence", "held-out tail"]) {
      assert.ok(!text.includes(en), `no English left: ${en}`);
    }
    assert.match(await app.originLabel.innerText(), /^\d{4}年\d{1,2}月$/);
    assert.equal(await app.seriesSelect.locator("option:checked").innerText(), "莫纳罗亚山大气二氧化碳浓度");
    assert.match(await app.attentionSummary.innerText(), /^预测步 \+1（\d{4}年\d{1,2}月）把最大的权重/);
    assert.match(await app.page.getByTestId("model-status").innerText(), /正在你的浏览器中运行/);
    assert.match(await app.pastPoints.first().getAttribute("aria-label"), /拖动它或用方向键修改它/);
    assert.match(await app.page.getByTestId("attention-bars").getAttribute("aria-label"), /^预测步 \+1 对过去 36 步的注意力/);
    // the what-if hint and a point too early for a window
    assert.match(await app.page.getByTestId("whatif-pick-head").innerText(), /假如/);
    await app.setOrigin(10);
    await app.windowMessage.waitFor();
    assert.match(await app.windowMessage.innerText(), /只有 10 个过去的值，而模型需要 36 个/);
  });

  it("a tampered link's note is Chinese; yearly data is labelled by year", async () => {
    const app = ctx.app;
    await app.open("series=sunspots&layer=7&temp=99");
    await app.waitUntilForecast();
    assert.equal(await app.linkProblem.innerText(), "此链接中的层和假设的温度无法使用，已改用默认值。");
    assert.equal(await app.seriesSelect.locator("option:checked").innerText(), "年太阳黑子数");
    assert.match(await app.originLabel.innerText(), /^\d{4}$/);
    assert.match(await app.attentionSummary.innerText(), /往前 \d+ 年/);
  });

  it("switching to English re-renders the view in place", async () => {
    const app = ctx.app;
    await app.open();
    await app.waitUntilForecast();
    await app.page.locator('[data-testid="lang-switch"] [data-lang="en"]').click();
    await app.page.getByText("Reset edits").waitFor();
    assert.match(await app.originLabel.innerText(), /^[A-Z][a-z]{2} \d{4}$/);
    assert.match(await app.attentionSummary.innerText(), /^Forecast step \+1/);
    assert.equal(await app.seriesSelect.locator("option:checked").innerText(), "Atmospheric CO₂ at Mauna Loa");
    await app.page.locator('[data-testid="lang-switch"] [data-lang="zh-CN"]').click();
    await app.page.getByText("撤销修改").waitFor();
    assert.match(await app.originLabel.innerText(), /年/);
  });
});

describe("image patches in Chinese", () => {
  const ctx = useDemo(DigitsPage, { locale: "zh-CN" });

  it("drawing instructions, messages, probabilities and attention labels are Chinese", async () => {
    const app = ctx.app;
    await app.open();
    await app.waitUntilReady();
    await app.clearButton.click();
    assert.match(await app.inputMessage.innerText(), /画布是空的/);
    let text = await viewText(app.page, "digits-demo");
    for (const zh of ["画一个数字", "清除", "或者选一张测试图像", "手写数字模型正在你的浏览器中运行"]) {
      assert.ok(text.includes(zh), `the view shows ${zh}`);
    }
    await app.pickExample(4);
    text = await viewText(app.page, "digits-demo");
    for (const zh of ["模型的答案", "[CLS] 在看哪里", "注意力展开", "第 1 层", "第 2 层"]) {
      assert.ok(text.includes(zh), `the view shows ${zh}`);
    }
    for (const en of ["The model says", "Draw a digit", "Clear", "Where [CLS] looks", "layer 1", "Last run", "Data:"]) {
      assert.ok(!text.includes(en), `no English left: ${en}`);
    }
    assert.match(await app.selectedView.innerText(), /第 2 层，4 个头的平均：\[CLS\] → 图块/);
    assert.match(await app.examples.first().getAttribute("aria-label"), /^测试图像 \d+（数字 \d）$/);
    assert.ok(HAN.test(await app.canvas.getAttribute("aria-label")));
    // a dot gets the Chinese message
    await app.clearButton.click();
    await app.draw([[[100, 100], [102, 101]]], { wait: false });
    assert.match(await app.inputMessage.innerText(), /这只是一个点/);
  });

  it("a tampered link's note is Chinese; a drawing from a link says where it came from", async () => {
    const app = ctx.app;
    await app.open("draw=xyz&head=9");
    await app.waitUntilReady();
    assert.equal(await app.linkProblem.innerText(), "此链接中的手绘数字和头无法使用，已改用默认值。");
    await app.draw(SHAPES.one);
    const hash = await app.hash();
    await app.page.goto("about:blank");
    await app.page.goto(`${app.baseUrl}${hash}`);
    await app.waitUntilReady();
    await app.prediction.waitFor();
    assert.equal(await app.linkProblem.count(), 0);
    assert.match(await app.page.locator(".dg-buttons").innerText(), /这个数字来自链接/);
  });
});
