//! Opening an export: from the files the user picked or dropped (a zip archive among them), or
//! from a URL. Each source is listed, its manifest read and checked, the files it names read
//! and checked (sizes before reading, digests after), then the graph is loaded into the worker
//! and checked against the manifest. Nothing leaves the machine: local files are read with the
//! File API.

use std::rc::Rc;

use js_sys::Uint8Array;
use wasm_bindgen_futures::JsFuture;
use yew::Callback;

use crate::demos::open::files::{
    base_name, check_digest, check_listing, find_manifest, is_archive, url_target, Archive, Listed,
    UrlTarget,
};
use crate::demos::open::{HfManifest, OpenProblem, GRAPH_KEY, MANIFEST};
use crate::protocol::GraphSummary;
use crate::ui::fetch::{fetch_bytes, fetch_text};
use crate::ui::worker_client::{load_bytes, Runner};

/// A user's model can take a while to plan (tract folds every weight to f32): allow 3 minutes.
const LOAD_TIMEOUT_MS: u32 = 180_000;

/// Where the export comes from.
pub enum Source {
    Files(Vec<web_sys::File>),
    Url(String),
}

/// An export in the worker, ready to run.
#[derive(Debug, Clone, PartialEq)]
pub struct Opened {
    pub manifest: Rc<HfManifest>,
    /// Files given but not used (named to the user)
    pub ignored: Vec<String>,
    /// The file names or the URL, for the status line
    pub origin: String,
    pub graph: GraphSummary,
    /// Bytes read (graph and tokenizer)
    pub bytes: u64,
    /// From choosing to ready, ms
    pub load_ms: f64,
}

/// Reads files by name from wherever the export is.
enum Reader {
    Local(Vec<web_sys::File>),
    Zip(Archive),
    Remote(String),
}

impl Reader {
    async fn read(
        &mut self,
        name: &str,
        progress: impl FnMut(u64),
    ) -> Result<Vec<u8>, OpenProblem> {
        match self {
            Reader::Local(files) => {
                let file = files
                    .iter()
                    .find(|f| base_name(&f.name()) == name)
                    .ok_or_else(|| OpenProblem::Missing(vec![name.to_owned()]))?;
                read_file(file).await
            }
            Reader::Zip(archive) => archive.read(name),
            Reader::Remote(base) => fetch_bytes(&format!("{base}{name}"), progress)
                .await
                .map_err(OpenProblem::Download),
        }
    }
}

async fn read_file(file: &web_sys::File) -> Result<Vec<u8>, OpenProblem> {
    let buffer = JsFuture::from(file.array_buffer())
        .await
        .map_err(|e| OpenProblem::Load(format!("{}: {e:?}", file.name())))?;
    Ok(Uint8Array::new(&buffer).to_vec())
}

fn now_ms() -> f64 {
    gloo::utils::window().performance().map_or(0.0, |p| p.now())
}

/// Opens `source`; `progress` hears `(bytes read, bytes expected)`.
pub async fn open(
    runner: &Runner,
    source: Source,
    progress: Callback<(u64, u64)>,
) -> Result<Opened, OpenProblem> {
    let started = now_ms();
    // The manifest's text when the source already had to read it (a URL's folder).
    let (mut reader, listing, origin, manifest_text) = match source {
        Source::Files(files) => {
            let listing: Vec<Listed> = files
                .iter()
                .map(|f| Listed::new(&f.name(), f.size() as u64))
                .collect();
            let origin = listing
                .iter()
                .map(|f| f.name.clone())
                .collect::<Vec<_>>()
                .join(", ");
            if is_archive(&listing) {
                let bytes = read_file(&files[0]).await?;
                let mut archive = Archive::new(bytes)?;
                let inside = archive.listing()?;
                (Reader::Zip(archive), inside, origin, None)
            } else {
                (Reader::Local(files), listing, origin, None)
            }
        }
        Source::Url(url) => match url_target(&url).ok_or(OpenProblem::NotUrl)? {
            UrlTarget::Archive(url) => {
                let bytes = fetch_bytes(&url, |n| progress.emit((n, 0)))
                    .await
                    .map_err(OpenProblem::Download)?;
                let mut archive = Archive::new(bytes)?;
                let inside = archive.listing()?;
                (Reader::Zip(archive), inside, url, None)
            }
            UrlTarget::Folder(base) => {
                let text = fetch_text(&format!("{base}{MANIFEST}"))
                    .await
                    .map_err(OpenProblem::Download)?;
                let manifest = HfManifest::parse(&text)?;
                // A folder on a server cannot be listed: the files are the manifest's, and their
                // sizes are checked as they arrive.
                let listing: Vec<Listed> =
                    std::iter::once(Listed::new(MANIFEST, text.len() as u64))
                        .chain(manifest.served_files().iter().map(|f| {
                            Listed::new(f, manifest.files.get(f).map_or(0, |facts| facts.bytes))
                        }))
                        .collect();
                (Reader::Remote(base.clone()), listing, base, Some(text))
            }
        },
    };
    let at = find_manifest(&listing)?;
    let text = match manifest_text {
        Some(text) => text,
        None => String::from_utf8(reader.read(&listing[at].name, |_| {}).await?)
            .map_err(|e| OpenProblem::NotJson(e.to_string()))?,
    };
    let manifest = HfManifest::parse(&text)?;
    let ignored = check_listing(&manifest, &listing)?;

    let served = manifest.served_files();
    let total: u64 = served
        .iter()
        .filter_map(|f| manifest.files.get(f))
        .map(|f| f.bytes)
        .sum();
    let mut done = 0u64;
    let mut read = Vec::with_capacity(served.len());
    for name in &served {
        let bytes = reader
            .read(name, |n| progress.emit((done + n, total)))
            .await?;
        check_digest(&manifest, name, &bytes)?;
        done += bytes.len() as u64;
        progress.emit((done, total));
        read.push(bytes);
    }
    let mut read = read.into_iter();
    let onnx = read.next().unwrap_or_default();
    let tokenizer = read.next();
    let graph = load_bytes(
        runner,
        GRAPH_KEY,
        (onnx, tokenizer),
        manifest.input_specs(),
        LOAD_TIMEOUT_MS,
    )
    .await
    .map_err(OpenProblem::Load)?;
    manifest.check_graph(&graph)?;
    Ok(Opened {
        manifest: Rc::new(manifest),
        ignored,
        origin,
        graph,
        bytes: done,
        load_ms: now_ms() - started,
    })
}
