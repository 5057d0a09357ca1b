//! A heatmap's numbers as files: CSV for spreadsheets, JSON for code, both labelled with the
//! tokens and where the matrix came from (model, demo, step, layer, head, input).

use serde::Serialize;

/// Where a matrix came from; every field the view knows is written into the files.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ExportContext {
    pub model: String,
    pub demo: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub step: Option<String>,
    /// 1-based, as the page shows it
    #[serde(skip_serializing_if = "Option::is_none")]
    pub layer: Option<usize>,
    /// 1-based, as the page shows it
    #[serde(skip_serializing_if = "Option::is_none")]
    pub head: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub input: Option<String>,
}

/// One matrix with its labels, ready to write.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MatrixExport<'a> {
    pub name: &'a str,
    #[serde(flatten)]
    pub context: &'a ExportContext,
    pub rows: &'a [String],
    pub cols: &'a [String],
    /// Row-major values; JSON writes −∞ (a masked score) and NaN as `null`
    #[serde(serialize_with = "nullable_rows")]
    pub values: Vec<&'a [f32]>,
}

fn nullable_rows<S: serde::Serializer>(rows: &[&[f32]], s: S) -> Result<S::Ok, S::Error> {
    use serde::ser::SerializeSeq;
    let mut seq = s.serialize_seq(Some(rows.len()))?;
    for row in rows {
        let row: Vec<Option<f32>> = row.iter().map(|v| v.is_finite().then_some(*v)).collect();
        seq.serialize_element(&row)?;
    }
    seq.end()
}

/// A cell as text: full precision, `-inf` for masked entries.
fn cell(v: f32) -> String {
    if v == f32::NEG_INFINITY {
        "-inf".into()
    } else if v == f32::INFINITY {
        "inf".into()
    } else if v.is_nan() {
        "NaN".into()
    } else {
        v.to_string()
    }
}

impl MatrixExport<'_> {
    /// `# key: value` lines describing the matrix, then a header of column labels and one row
    /// per row label. Labels are quoted (tokens may contain commas, quotes or a leading `#`).
    pub fn to_csv(&self) -> Result<String, String> {
        let mut out = String::new();
        let c = self.context;
        let mut meta = vec![("matrix", self.name.to_owned()), ("model", c.model.clone())];
        meta.push(("demo", c.demo.clone()));
        if let Some(s) = &c.step {
            meta.push(("step", s.clone()));
        }
        if let Some(l) = c.layer {
            meta.push(("layer", l.to_string()));
        }
        if let Some(h) = c.head {
            meta.push(("head", h.to_string()));
        }
        if let Some(i) = &c.input {
            // One line: a newline in the input would end the comment.
            meta.push(("input", i.replace(['\r', '\n'], " ")));
        }
        for (k, v) in meta {
            out.push_str(&format!("# {k}: {v}\n"));
        }
        // Labels are always quoted, so a token like `##s` is never read as a `#` comment line.
        let mut writer = csv::WriterBuilder::new()
            .quote_style(csv::QuoteStyle::NonNumeric)
            .from_writer(Vec::new());
        let header = std::iter::once("").chain(self.cols.iter().map(String::as_str));
        writer.write_record(header).map_err(|e| e.to_string())?;
        for (label, row) in self.rows.iter().zip(&self.values) {
            let record = std::iter::once(label.clone()).chain(row.iter().map(|&v| cell(v)));
            writer.write_record(record).map_err(|e| e.to_string())?;
        }
        let bytes = writer.into_inner().map_err(|e| e.to_string())?;
        out.push_str(&String::from_utf8(bytes).map_err(|e| e.to_string())?);
        Ok(out)
    }

    /// Pretty JSON with the context, labels and values (`null` for −∞ or NaN).
    pub fn to_json(&self) -> Result<String, String> {
        serde_json::to_string_pretty(self).map_err(|e| e.to_string())
    }

    /// A file name without extension: letters, digits and dashes only.
    pub fn file_stem(&self) -> String {
        let c = self.context;
        let mut parts = vec!["attention".to_owned(), c.demo.clone(), self.name.to_owned()];
        if let Some(l) = c.layer {
            parts.push(format!("layer{l}"));
        }
        if let Some(h) = c.head {
            parts.push(format!("head{h}"));
        }
        let joined = parts.join("-");
        let mut stem = String::with_capacity(joined.len());
        for ch in joined.chars() {
            let ch = if ch.is_ascii_alphanumeric() {
                ch.to_ascii_lowercase()
            } else {
                '-'
            };
            if !(ch == '-' && stem.ends_with('-')) {
                stem.push(ch);
            }
        }
        stem.trim_matches('-').chars().take(80).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn context() -> ExportContext {
        ExportContext {
            model: "langid".into(),
            demo: "walkthrough".into(),
            step: Some("softmax".into()),
            layer: Some(1),
            head: Some(2),
            input: Some("Hello,\n\"world\"".into()),
        }
    }

    #[test]
    fn csv_has_context_quoted_labels_and_full_precision() {
        let ctx = context();
        let rows = vec!["a,b".to_owned(), "\"q\"".to_owned()];
        let cols = vec!["x".to_owned(), "y".to_owned()];
        let data = [[0.125_f32, f32::NEG_INFINITY], [1.0 / 3.0, 0.0]];
        let export = MatrixExport {
            name: "weights head 2",
            context: &ctx,
            rows: &rows,
            cols: &cols,
            values: data.iter().map(|r| r.as_slice()).collect(),
        };
        let csv = export.to_csv().expect("csv");
        let lines: Vec<&str> = csv.lines().collect();
        assert_eq!(lines[0], "# matrix: weights head 2");
        assert!(lines.contains(&"# layer: 1") && lines.contains(&"# head: 2"));
        assert!(lines.contains(&"# input: Hello, \"world\""));
        let body: Vec<&str> = lines
            .iter()
            .copied()
            .filter(|l| !l.starts_with('#'))
            .collect();
        assert_eq!(
            body,
            [
                "\"\",\"x\",\"y\"",
                "\"a,b\",0.125,-inf",
                "\"\"\"q\"\"\",0.33333334,0"
            ]
        );
        assert_eq!(
            export.file_stem(),
            "attention-walkthrough-weights-head-2-layer1-head2"
        );
    }

    #[test]
    fn json_round_trips_with_null_for_masked_cells() {
        let ctx = context();
        let rows = vec!["t0".to_owned()];
        let cols = vec!["k0".to_owned(), "k1".to_owned()];
        let data = [[0.5_f32, f32::NEG_INFINITY]];
        let export = MatrixExport {
            name: "scores",
            context: &ctx,
            rows: &rows,
            cols: &cols,
            values: data.iter().map(|r| r.as_slice()).collect(),
        };
        let v: serde_json::Value =
            serde_json::from_str(&export.to_json().expect("json")).expect("parses");
        assert_eq!(v["name"], "scores");
        assert_eq!(v["model"], "langid");
        assert_eq!(v["layer"], 1);
        assert_eq!(v["values"][0][0], 0.5);
        assert!(v["values"][0][1].is_null());
        assert_eq!(v["cols"][1], "k1");
    }
}
