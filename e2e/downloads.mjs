// Downloads in e2e tests: click a Save button, get the file; read our CSV format back.

import { readFile } from "node:fs/promises";

/** Clicks `button` and returns the downloaded file's name and bytes. */
export async function download(page, button) {
  const [file] = await Promise.all([page.waitForEvent("download"), button.click()]);
  const path = await file.path();
  return { name: file.suggestedFilename(), bytes: await readFile(path) };
}

/** Parses our CSV: leading `# key: value` lines, then a header row and labelled rows (RFC 4180 quoting). */
export function parseCsv(text) {
  const meta = {};
  const rows = [];
  const lines = text.split("\n");
  let first = 0;
  for (; first < lines.length && lines[first].startsWith("# "); first++) {
    const [k, ...v] = lines[first].slice(2).split(": ");
    meta[k] = v.join(": ");
  }
  const body = lines.slice(first).join("\n");
  let field = "", row = [], quoted = false;
  for (let i = 0; i < body.length; i++) {
    const c = body[i];
    if (quoted) {
      if (c === '"' && body[i + 1] === '"') { field += '"'; i++; }
      else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ",") { row.push(field); field = ""; }
    else if (c === "\n") { row.push(field); rows.push(row); row = []; field = ""; }
    else field += c;
  }
  if (field || row.length) { row.push(field); rows.push(row); }
  return { meta, rows };
}
