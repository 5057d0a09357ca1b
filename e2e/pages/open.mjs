// Page object for "your own model" (#/open): every selector of its DOM contract lives here.
// Health checks (console errors, failed responses, dialogs) come from the walkthrough's page object.

import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync, copyFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { WalkthroughPage } from "./walkthrough.mjs";

const byTestId = (id) => `[data-testid="${id}"]`;

/** The exporter's test fixtures (models/hf/<arch>/): tiny random-weight models with goldens. */
export const FIXTURES = fileURLToPath(new URL("../../models/hf/", import.meta.url));
export const fixture = (arch, file) => join(FIXTURES, arch, file);
export const manifestOf = (arch) => JSON.parse(readFileSync(fixture(arch, "manifest.json"), "utf-8"));
export const goldenOf = (arch) => JSON.parse(readFileSync(fixture(arch, "golden.json"), "utf-8"));
/** The files an export serves, manifest first. */
export const exportFiles = (arch) => {
  const m = manifestOf(arch);
  return ["manifest.json", m.onnx, ...(m.tokenizer ? [m.tokenizer] : [])].map((f) => fixture(arch, f));
};

/** A scratch folder for altered copies of the fixtures. */
export function scratch() {
  return mkdtempSync(join(tmpdir(), "ap-open-"));
}

/** Writes `files` ({ name: path or Buffer or object }) into a new scratch folder; answers their paths. */
export function folderWith(files) {
  const dir = scratch();
  return Object.entries(files).map(([name, content]) => {
    const path = join(dir, name);
    if (typeof content === "string") copyFileSync(content, path);
    else if (Buffer.isBuffer(content)) writeFileSync(path, content);
    else writeFileSync(path, JSON.stringify(content));
    return path;
  });
}

/** A zip of `paths` under `folder/` inside the archive (Python's zipfile: deflated). */
export function zipOf(paths, folder = "export") {
  const out = join(scratch(), `${folder}.zip`);
  const script = "import sys, zipfile, os\n" +
    "out, folder, *paths = sys.argv[1:]\n" +
    "with zipfile.ZipFile(out, 'w', zipfile.ZIP_DEFLATED) as z:\n" +
    "    for p in paths: z.write(p, folder + '/' + os.path.basename(p))\n";
  execFileSync("python3", ["-c", script, out, folder, ...paths]);
  return out;
}

/** Serves `models/hf/<arch>/` at https://models.example/<arch>/ with CORS, as a user's host would. */
export const REMOTE = "https://models.example/";

export class OpenPage extends WalkthroughPage {
  get demo() { return this.page.locator(byTestId("open-demo")); }
  get fileInput() { return this.page.locator(byTestId("file-input")); }
  get folderInput() { return this.page.locator(byTestId("folder-input")); }
  get urlInput() { return this.page.locator(byTestId("url-input")); }
  get urlOpen() { return this.page.locator(byTestId("url-open")); }
  get status() { return this.page.locator(byTestId("open-status")); }
  get openError() { return this.page.locator(byTestId("open-error")); }
  get ignored() { return this.page.locator(byTestId("open-ignored")); }
  get origin() { return this.page.locator(byTestId("open-origin")); }
  get textInput() { return this.page.locator(byTestId("text-input")); }
  get runState() { return this.page.locator(byTestId("run-state")); }
  get runError() { return this.page.locator(byTestId("run-error")); }
  get tokens() { return this.page.locator(byTestId("token")); }
  get gridCells() { return this.page.locator(byTestId("grid-cell")); }
  get statsRows() { return this.page.locator(byTestId("stats-row")); }
  get tabs() { return this.page.locator(byTestId("view-tab")); }
  get view() { return this.page.locator(byTestId("open-view")); }
  get layerSelect() { return this.page.locator(byTestId("layer-select")); }
  get headSelect() { return this.page.locator(byTestId("head-select")); }
  get headLines() { return this.page.locator(byTestId("hv-line")); }
  get heatmap() { return this.view.locator(byTestId("heatmap")); }
  get causalNote() { return this.page.locator(byTestId("causal-note")); }
  get linkNeedsFiles() { return this.page.locator(byTestId("link-needs-files")); }
  get linkProblem() { return this.page.locator(byTestId("link-problem")); }
  get imagePreview() { return this.page.locator(byTestId("image-preview")); }

  async open(query = "") {
    await this.page.goto(`${this.baseUrl}#/open${query ? `?${query}` : ""}`);
    await this.demo.waitFor();
  }

  /**
   * Serves the fixtures at REMOTE with `Access-Control-Allow-Origin: *`; unless `reachable`, every
   * request fails as the browser fails one a host does not allow (CORS) or cannot be reached.
   */
  async serveRemote({ reachable = true } = {}) {
    const cors = true;
    await this.page.unrouteAll({ behavior: "ignoreErrors" });
    await this.page.route(`${REMOTE}**`, async (route) => {
      if (!reachable) return route.abort("failed");
      const path = new URL(route.request().url()).pathname.slice(1);
      let body;
      try {
        body = readFileSync(join(FIXTURES, path));
      } catch {
        return route.fulfill({ status: 404, body: "not found", headers: cors ? { "access-control-allow-origin": "*" } : {} });
      }
      await route.fulfill({ status: 200, body, headers: cors ? { "access-control-allow-origin": "*" } : {} });
    });
  }

  /** Drops `paths` on the drop zone, as files dragged from the desktop. */
  async dropFiles(paths) {
    const files = paths.map((p) => ({ name: p.split("/").pop(), data: readFileSync(p).toString("base64") }));
    await this.page.getByTestId("drop-zone").evaluate((zone, files) => {
      const dt = new DataTransfer();
      for (const f of files) {
        const bytes = Uint8Array.from(atob(f.data), (c) => c.charCodeAt(0));
        dt.items.add(new File([bytes], f.name));
      }
      zone.dispatchEvent(new DragEvent("dragover", { dataTransfer: dt, bubbles: true, cancelable: true }));
      zone.dispatchEvent(new DragEvent("drop", { dataTransfer: dt, bubbles: true, cancelable: true }));
    }, files);
  }

  /**
   * Drops the folder (or files) at `paths` on the drop zone as the operating system does, through
   * Chromium's DevTools protocol: a folder arrives as a directory entry, as from a file manager.
   */
  async dropPaths(paths) {
    const box = await this.page.getByTestId("drop-zone").boundingBox();
    const cdp = await this.page.context().newCDPSession(this.page);
    const at = { x: box.x + box.width / 2, y: box.y + box.height / 2 };
    const data = { items: [], files: paths, dragOperationsMask: 1 };
    for (const type of ["dragEnter", "dragOver", "drop"]) {
      await cdp.send("Input.dispatchDragEvent", { type, ...at, data });
    }
    await cdp.detach();
  }

  async openUrl(url) {
    await this.urlInput.fill(url);
    await this.urlOpen.click();
  }

  /** Waits until the model is ready and a run finished (of `text`, when given). */
  async waitForRun({ text = null, timeout = 30_000 } = {}) {
    await this.page.locator(`${byTestId("open-status")}[data-state="ready"]`).waitFor({ timeout });
    await this.page.waitForFunction((text) => {
      const el = document.querySelector('[data-testid="run-state"]');
      return el?.dataset.state === "done" && (text === null || el.dataset.input === text);
    }, text, { timeout });
  }

  /** Types `text` once the model is ready and waits for its run. */
  async runText(text) {
    await this.page.locator(`${byTestId("open-status")}[data-state="ready"]`).waitFor();
    await this.textInput.fill(text);
    await this.waitForRun({ text });
  }

  /** The shown matrix's data table, as numbers (rows of cells). */
  async tableValues() {
    const toggle = this.view.getByTestId("table-toggle");
    if ((await toggle.getAttribute("aria-pressed")) !== "true") await toggle.click();
    return this.view.getByTestId("heatmap-table").locator("tbody tr").evaluateAll((rows) =>
      rows.map((r) => [...r.querySelectorAll("td")].map((td) => Number(td.textContent.replace("−", "-")))));
  }

  async hash() {
    return this.page.evaluate(() => location.hash);
  }
}
