// The translation and recommendation demos with a Chinese browser: headings, buttons, notes and
// labels are in Simplified Chinese, while the model's output (English and French tokens, the
// translation, movie titles) is exactly what it is in English; switching language keeps it.

import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { useTranslate } from "../pages/translate.mjs";
import { useRecommend } from "../pages/recommend.mjs";

const HAN = /[\u4e00-\u9fff]/;

async function switchTo(page, code) {
  await page.locator(`[data-testid="lang-switch"] [data-lang="${code}"]`).click();
  await page.waitForFunction((code) => document.documentElement.lang === code, code);
}

describe("translation demo in Chinese", () => {
  const ctx = useTranslate({ locale: "zh-CN" });

  it("shows Chinese controls and explanations around an unchanged French translation", async () => {
    const { app } = ctx;
    await app.openLink(`text=${encodeURIComponent("God is love.")}`);
    await app.waitUntilReady();
    assert.equal(await app.page.evaluate(() => document.documentElement.lang), "zh-CN");
    await app.waitForSource(0);
    await app.translateAll();

    assert.equal((await app.translateButton.textContent()).trim(), "翻译");
    assert.equal((await app.allButton.textContent()).trim(), "全部翻译");
    assert.match(await app.playButton.textContent(), /播放/);
    assert.match(await app.backButton.textContent(), /后退/);
    assert.match(await app.forwardButton.textContent(), /下一步/);
    assert.match(await app.counter.textContent(), /^第 \d+ 步，共 \d+ 步/);
    assert.match(await app.stopNote.textContent(), /完成：.*<\/s>/);
    assert.match(await app.page.getByTestId("bible-note").textContent(), /圣经/);
    assert.match(await app.page.locator(".tagline").textContent(), HAN);
    assert.match(await app.shiftSection.locator("h3").textContent(), /跨解码步的变化/);
    assert.match(await app.page.getByTestId("layer-shift-table").locator("caption").textContent(), /每层/);
    assert.match(await app.page.getByTestId("top-candidates").locator("h3").textContent(), /最可能/);
    assert.match(await app.crossFigure.locator(".matrix-name").textContent(), /^交叉注意力，第 3 层，4 个头的平均/);
    assert.match((await app.grid(app.crossHeatmap)).name, /^Cross-attention, layer 3, average of 4 heads/, "the stable name stays English");

    const french = (await app.translation.textContent()).trim();
    const source = await app.sourceTokens.allTextContents();
    const target = await app.targetTokens.allTextContents();
    assert.ok(!HAN.test(french) && !source.some((t) => HAN.test(t)) && !target.some((t) => HAN.test(t)), "model output is not translated");

    await switchTo(app.page, "en");
    assert.equal((await app.translateButton.textContent()).trim(), "Translate");
    assert.match(await app.counter.textContent(), /^Step \d+ of \d+/);
    assert.match(await app.shiftSection.locator("h3").textContent(), /Across decoding steps/);
    assert.match(await app.crossFigure.locator(".matrix-name").textContent(), /^Cross-attention, layer 3, average of 4 heads/);
    assert.equal((await app.translation.textContent()).trim(), french, "the same translation");
    assert.deepEqual(await app.targetTokens.allTextContents(), target);
    assert.deepEqual(await app.sourceTokens.allTextContents(), source);
  });

  it("words input notes and link problems in Chinese", async () => {
    const { app } = ctx;
    await app.openLink(`text=${encodeURIComponent("Jesus wept.")}&layer=9&temp=99`);
    await app.waitUntilReady();
    await app.linkProblem.waitFor();
    assert.match(await app.linkProblem.textContent(), /此链接中的.*层.*无法使用/);
    assert.match(await app.linkProblem.textContent(), /温度/);
    await app.waitForSource(0);
    await app.translateAll();
    await app.textInput.fill("  ");
    await app.translateButton.click();
    await app.inputMessage.waitFor();
    assert.match(await app.inputMessage.textContent(), /请输入一个要翻译的英文句子/);
    await switchTo(app.page, "en");
    assert.match(await app.inputMessage.textContent(), /Type an English sentence/, "a stored note follows the switch");
  });
});

describe("recommendation demo in Chinese", () => {
  const ctx = useRecommend({ locale: "zh-CN" });

  it("shows Chinese headings, notes and controls around unchanged movie titles and picks", async () => {
    const { app } = ctx;
    await app.open("h=50-181-172-174-100-127");
    await app.waitUntilReady();
    await app.waitForResult(0);
    const headings = await app.page.locator(".rec h2").allTextContents();
    for (const h of ["你的观看记录", "接下来最可能看的 10 部电影", "对观看记录的注意力", "因果掩码在这里起什么作用", "为什么注意力不能完全解释推荐"]) {
      assert.ok(headings.some((x) => x.includes(h)), `heading ${h} in ${headings}`);
    }
    assert.match(await app.clearButton.textContent(), /清空记录/);
    assert.match(await app.page.locator('label[for="rec-search-input"]').textContent(), /添加电影/);
    assert.match(await app.searchInput.getAttribute("placeholder"), HAN);
    assert.match(await app.acknowledgement.textContent(), /GroupLens Research/);
    assert.match(await app.acknowledgement.textContent(), /数据/);
    assert.match(await app.historyItems.first().locator('[data-testid="rec-remove"]').getAttribute("aria-label"), /删除/);

    const ids = await app.topIds();
    const titles = await app.topItems.locator(".rec-title").allTextContents();
    assert.ok(titles.every((t) => !HAN.test(t)), "movie titles are data, not translated");
    assert.match(await app.topItems.first().locator(".rec-genres").textContent(), HAN, "genre names are labels, translated");

    // A refused search in Chinese, then the same page in English: same picks and titles.
    await app.searchInput.fill("zzqx");
    await app.searchInput.press("Enter");
    await app.notice.waitFor();
    assert.match(await app.notice.textContent(), /没有与“zzqx”匹配的电影/);
    await switchTo(app.page, "en");
    assert.match(await app.notice.textContent(), /No movie matches “zzqx”/, "the note follows the switch");
    assert.deepEqual(await app.topIds(), ids);
    assert.deepEqual(await app.topItems.locator(".rec-title").allTextContents(), titles);
    assert.ok((await app.page.locator(".rec h2").allTextContents()).some((h) => h.includes("Top 10 next movies")));
  });
});
