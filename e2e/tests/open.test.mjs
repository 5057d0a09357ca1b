import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { useDemo } from "../support.mjs";
import { OpenPage, exportFiles, fixture, folderWith, goldenOf, manifestOf, zipOf, REMOTE } from "../pages/open.mjs";

/** Largest |difference| between the table shown and PyTorch's attention for one head. */
function maxDiff(table, golden, layer, head) {
  const out = golden.outputs[`attn.${layer}`];
  const n = out.shape[2];
  let worst = 0;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      worst = Math.max(worst, Math.abs(table[i][j] - out.data[(head * n + i) * n + j]));
    }
  }
  return worst;
}

describe("your own model (#/open)", () => {
  const ctx = useDemo(OpenPage);

  it("a tiny GPT-2 opened from files: causal maps, PyTorch's tokens and attention, and a link", async () => {
    const { app } = ctx;
    await app.open();
    await app.fileInput.setInputFiles(exportFiles("gpt2"));
    const golden = goldenOf("gpt2").cases[0];
    await app.runText(golden.texts[0]);
    assert.match(await app.status.textContent(), /GPT-2: 2 layers × 4 heads/);
    const ids = await app.tokens.locator(".token-id").allTextContents();
    assert.deepEqual(ids.map(Number), golden.inputs.input_ids.data, "the page's tokenizer gives transformers' ids");
    assert.equal(await app.gridCells.count(), 2 * 4);
    assert.equal(await app.statsRows.count(), 2 * 4);
    assert.ok(await app.causalNote.isVisible());
    // Head view, layer 2, head 3, opened from the keyboard: the matrix's masked cells are hatched
    // and its values are PyTorch's.
    await app.gridCells.nth(1 * 4 + 2).focus();
    await app.page.keyboard.press("Enter");
    assert.equal(await app.view.getAttribute("data-view"), "head");
    const n = golden.inputs.input_ids.data.length;
    assert.equal(await app.heatmap.locator("rect.masked").count(), (n * (n - 1)) / 2);
    assert.ok(maxDiff(await app.tableValues(), golden, 1, 2) <= 5e-4, "table = transformers' attention (3 decimals)");
    assert.ok((await app.headLines.count()) > 0);
    const hash = await app.hash();
    assert.match(hash, /^#\/open\?text=The%20cat/);
    assert.match(hash, /layer=2&head=3&view=head$/);
  });

  it("a tiny BERT from a zip archive and by URL; extra files are named, not refused", async () => {
    const { app } = ctx;
    await app.open();
    const files = [...exportFiles("bert"), fixture("bert", "golden.json")];
    await app.fileInput.setInputFiles(zipOf(files, "bert-export"));
    const golden = goldenOf("bert").cases[0];
    await app.runText(golden.texts[0]);
    assert.match(await app.status.textContent(), /BERT: 2 layers × 4 heads/);
    assert.match(await app.ignored.textContent(), /golden\.json/);
    const ids = await app.tokens.locator(".token-id").allTextContents();
    assert.deepEqual(ids.map(Number), golden.inputs.input_ids.data);
    await app.tabs.nth(1).click();
    assert.ok(maxDiff(await app.tableValues(), golden, 0, 0) <= 5e-4);
    assert.equal(await app.heatmap.locator("rect.masked").count(), 0, "an encoder has no causal mask");

    // By URL: BERT's and GPT-2's folders, then RoBERTa by its manifest's address.
    await app.serveRemote();
    for (const [arch, name] of [["bert", "BERT"], ["gpt2", "GPT-2"]]) {
      await app.openUrl(`${REMOTE}${arch}/`);
      await app.page.locator('[data-testid="open-status"][data-state="ready"]', { hasText: `${name}:` }).waitFor();
      assert.match(await app.origin.textContent(), new RegExp(`models\\.example/${arch}/`));
      await app.runText(goldenOf(arch).cases[0].texts[0]);
      const shown = await app.tokens.locator(".token-id").allTextContents();
      assert.deepEqual(shown.map(Number), goldenOf(arch).cases[0].inputs.input_ids.data, `${arch} by URL`);
    }
    await app.openUrl(`${REMOTE}roberta/manifest.json`);
    await app.page.locator('[data-testid="open-status"][data-state="ready"]').waitFor();
    assert.match(await app.status.textContent(), /RoBERTa/);
    assert.match(await app.origin.textContent(), /models\.example\/roberta\//);
    await app.waitForRun();
    await app.tabs.nth(0).click();
    assert.equal(await app.gridCells.count(), 2 * 2);
    // RoBERTa's <s> … </s> are its special tokens: the toggle hides them from the maps.
    const tokens = await app.tokens.locator(".token-text").allTextContents();
    assert.equal(tokens[0], "<s>");
    assert.equal(tokens.at(-1), "</s>");
    const cols = Number(await app.page.locator('[data-testid="grid-cell"] canvas').first().getAttribute("data-cols"));
    await app.page.getByTestId("special-toggle").uncheck();
    await app.page.waitForFunction((n) => Number(document.querySelector('[data-testid="grid-cell"] canvas')?.dataset.cols) === n - 2, cols);
  });

  it("damaged, mismatched and foreign files each get their own message, and nothing runs", async () => {
    const { app } = ctx;
    ctx.allow = { allowConsole: [/net::ERR_FAILED/], allowFailedResponses: [/models\.example/] };
    await app.open();
    const bert = manifestOf("bert");
    const gpt2 = manifestOf("gpt2");
    const cases = [
      // cut short
      [{ "manifest.json": fixture("bert", "manifest.json"), "model.onnx": readFileSync(fixture("bert", "model.onnx")).subarray(0, 5000), "tokenizer.json": fixture("bert", "tokenizer.json") },
        /model\.onnx has 5000 bytes, but the manifest says 127529/],
      // one byte changed
      [{ "manifest.json": fixture("bert", "manifest.json"), "model.onnx": (() => { const b = Buffer.from(readFileSync(fixture("bert", "model.onnx"))); b[b.length >> 1] ^= 0x55; return b; })(), "tokenizer.json": fixture("bert", "tokenizer.json") },
        /model\.onnx has the right size but not the content/],
      // missing tokenizer
      [{ "manifest.json": fixture("bert", "manifest.json"), "model.onnx": fixture("bert", "model.onnx") }, /Missing: tokenizer\.json/],
      // no manifest
      [{ "model.onnx": fixture("bert", "model.onnx") }, /There is no manifest\.json/],
      // another demo's manifest
      [{ "manifest.json": fixture("../langid", "manifest.json") }, /was not written by export_hf\.py/],
      // the manifest of BERT over GPT-2's files (sizes and digests made to agree): the graph lacks an input
      [{ "manifest.json": { ...bert, files: gpt2.files }, "model.onnx": fixture("gpt2", "model.onnx"), "tokenizer.json": fixture("gpt2", "tokenizer.json") },
        /The model could not be loaded: .*no input named `attention_mask`/],
      // a manifest naming an attention output the graph does not have
      [{ "manifest.json": { ...bert, attention_outputs: ["attn.0", "attention.1"] }, "model.onnx": fixture("bert", "model.onnx"), "tokenizer.json": fixture("bert", "tokenizer.json") },
        /model\.onnx is not the graph manifest\.json describes: the graph has no output attention\.1/],
      // a manifest with fewer heads than the graph: found at the first run
      [{ "manifest.json": { ...bert, n_heads: 2 }, "model.onnx": fixture("bert", "model.onnx"), "tokenizer.json": fixture("bert", "tokenizer.json") },
        /layer 1 has 4 heads, the manifest says 2/, "run-error"],
      // not ONNX at all, with a manifest that lists it
      [{ "manifest.json": { ...bert, files: { ...bert.files, "model.onnx": { bytes: 13, sha256: null } } }, "model.onnx": Buffer.from("not an onnx!!"), "tokenizer.json": fixture("bert", "tokenizer.json") },
        /The model could not be loaded/],
      // a model too large for a tab
      [{ "manifest.json": { ...bert, parameters: 2e9 }, "model.onnx": fixture("bert", "model.onnx"), "tokenizer.json": fixture("bert", "tokenizer.json") },
        /2000 M parameters; this page opens up to 350 M/],
    ];
    for (const [files, message, where = "open-error"] of cases) {
      await app.fileInput.setInputFiles(folderWith(files));
      // Each message replaces the one before: wait for this one.
      await app.page.getByTestId(where).filter({ hasText: message }).waitFor();
      assert.equal(await app.gridCells.count(), 0);
    }
    // A host that does not answer this page (as without CORS: the browser gets a network error),
    // and something that is not a URL.
    await app.serveRemote({ reachable: false });
    await app.openUrl(`${REMOTE}bert/`);
    await app.page.locator('[data-testid="open-error"]', { hasText: "CORS" }).waitFor();
    await app.openUrl("not a url");
    await app.page.locator('[data-testid="open-error"]', { hasText: "not a URL" }).waitFor();
  });

  it("a folder dropped on the page is read whole: its extra files are named", async () => {
    const { app } = ctx;
    await app.open();
    await app.dropPaths([fixture("gpt2", "")]);
    await app.waitForRun();
    assert.match(await app.status.textContent(), /GPT-2/);
    assert.match(await app.ignored.textContent(), /golden\.json/);
  });

  it("a shared link asks for the files and says why; once opened, it shows the text, layer and head", async () => {
    const { app } = ctx;
    await app.open("text=Hello%20there&layer=2&head=3&view=head");
    assert.match(await app.linkNeedsFiles.textContent(), /“Hello there”, layer 2, head 3.*cannot travel in a link/);
    assert.equal(await app.hash(), "#/open?text=Hello%20there&layer=2&head=3&view=head", "the link is kept until then");
    await app.fileInput.setInputFiles(exportFiles("gpt2"));
    await app.waitForRun();
    assert.equal(await app.textInput.inputValue(), "Hello there");
    assert.equal(await app.view.getAttribute("data-view"), "head");
    assert.equal(await app.layerSelect.inputValue(), "2");
    assert.equal(await app.headSelect.inputValue(), "3");
    assert.equal(await app.linkNeedsFiles.count(), 0);
    // Leaving and coming back keeps the model (it stays in the worker).
    await app.page.goto(`${app.baseUrl}#/encoder`);
    await app.page.goto(`${app.baseUrl}#/open?text=Back&layer=9`);
    await app.waitForRun();
    assert.equal(await app.textInput.inputValue(), "Back");
    assert.match(await app.linkProblem.textContent(), /layer/);
  });

  it("a tiny ViT dropped on the page runs on the sample image: [CLS] and 16 patches", async () => {
    const { app } = ctx;
    await app.open();
    await app.dropFiles(exportFiles("vit"));
    await app.waitForRun();
    assert.ok(await app.imagePreview.isVisible());
    assert.match(await app.runState.textContent(), /^17 positions/);
    assert.equal(await app.gridCells.count(), 2 * 2);
  });
});

describe("your own model in Chinese", () => {
  const ctx = useDemo(OpenPage, { locale: "zh-CN" });

  it("messages and the opened model are in Chinese", async () => {
    const { app } = ctx;
    await app.open();
    await app.fileInput.setInputFiles([fixture("bert", "model.onnx")]);
    await app.openError.waitFor();
    assert.match(await app.openError.textContent(), /所给文件中没有 manifest\.json/);
    await app.fileInput.setInputFiles(exportFiles("distilbert"));
    await app.waitForRun();
    assert.match(await app.status.textContent(), /DistilBERT：2 层 × 4 个头/);
  });
});
