//! The files the user gives (picked, dropped, a folder, a zip archive, or fetched from a URL),
//! checked before a byte of the model runs: which is the manifest, what is missing, extra, cut
//! short or altered. Sizes are checked from the listing, before the files are read; digests
//! after.

use std::io::{Cursor, Read};

use sha2::{Digest, Sha256};

use super::{HfManifest, OpenProblem, MANIFEST, MAX_ONNX_BYTES};

/// A file's name (its last path segment: folders and archives may nest) and size.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Listed {
    pub name: String,
    pub bytes: u64,
}

impl Listed {
    pub fn new(path: &str, bytes: u64) -> Self {
        Self {
            name: base_name(path).to_owned(),
            bytes,
        }
    }
}

/// `a/b/model.onnx` → `model.onnx` (also with `\`).
pub fn base_name(path: &str) -> &str {
    path.rsplit(['/', '\\']).next().unwrap_or(path)
}

/// Whether the user gave one zip archive rather than the files themselves.
pub fn is_archive(listing: &[Listed]) -> bool {
    matches!(listing, [one] if one.name.to_ascii_lowercase().ends_with(".zip"))
}

/// Index of `manifest.json` in the listing, after refusing an empty listing and two files of
/// one name.
pub fn find_manifest(listing: &[Listed]) -> Result<usize, OpenProblem> {
    if listing.is_empty() {
        return Err(OpenProblem::NoFiles);
    }
    for (i, f) in listing.iter().enumerate() {
        if listing[..i].iter().any(|g| g.name == f.name) {
            return Err(OpenProblem::Duplicate(f.name.clone()));
        }
    }
    listing
        .iter()
        .position(|f| f.name == MANIFEST)
        .ok_or_else(|| OpenProblem::NoManifest(listing.iter().map(|f| f.name.clone()).collect()))
}

/// Checks the listing against the manifest before reading anything large: the model is not
/// too large for a tab, nothing it names is missing, every size is the manifest's. Answers the
/// names of the files that will not be used (shown to the user, not an error).
pub fn check_listing(
    manifest: &HfManifest,
    listing: &[Listed],
) -> Result<Vec<String>, OpenProblem> {
    manifest.check_size()?;
    let served = manifest.served_files();
    let missing: Vec<String> = served
        .iter()
        .filter(|s| !listing.iter().any(|f| &f.name == *s))
        .cloned()
        .collect();
    if !missing.is_empty() {
        return Err(OpenProblem::Missing(missing));
    }
    for file in listing.iter().filter(|f| served.contains(&f.name)) {
        check_size(manifest, &file.name, file.bytes)?;
    }
    Ok(listing
        .iter()
        .filter(|f| f.name != MANIFEST && !served.contains(&f.name))
        .map(|f| f.name.clone())
        .collect())
}

/// The size the manifest gives `file`, against `got`.
pub fn check_size(manifest: &HfManifest, file: &str, got: u64) -> Result<(), OpenProblem> {
    match manifest.files.get(file) {
        Some(facts) if facts.bytes != got => Err(OpenProblem::WrongSize {
            file: file.to_owned(),
            got,
            expected: facts.bytes,
        }),
        _ => Ok(()),
    }
}

/// The SHA-256 the manifest gives `file` (when it gives one), against the bytes read.
pub fn check_digest(manifest: &HfManifest, file: &str, bytes: &[u8]) -> Result<(), OpenProblem> {
    check_size(manifest, file, bytes.len() as u64)?;
    let Some(expected) = manifest.files.get(file).and_then(|f| f.sha256.as_deref()) else {
        return Ok(());
    };
    let digest = Sha256::digest(bytes);
    let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    if hex.eq_ignore_ascii_case(expected) {
        Ok(())
    } else {
        Err(OpenProblem::WrongDigest(file.to_owned()))
    }
}

/// Most bytes an archive may unpack to (a zip bomb stops here, not in the tab's memory).
const MAX_UNPACKED: u64 = MAX_ONNX_BYTES + 64_000_000;

/// A zip archive held in memory: its listing first, then only the files asked for.
pub struct Archive {
    zip: zip::ZipArchive<Cursor<Vec<u8>>>,
}

impl Archive {
    pub fn new(bytes: Vec<u8>) -> Result<Self, OpenProblem> {
        zip::ZipArchive::new(Cursor::new(bytes))
            .map(|zip| Self { zip })
            .map_err(|e| OpenProblem::Archive(e.to_string()))
    }

    /// Every file in the archive (folders left out), by base name and unpacked size.
    pub fn listing(&mut self) -> Result<Vec<Listed>, OpenProblem> {
        let mut out = Vec::new();
        let mut total = 0u64;
        for i in 0..self.zip.len() {
            let entry = self
                .zip
                .by_index(i)
                .map_err(|e| OpenProblem::Archive(e.to_string()))?;
            if entry.is_dir() {
                continue;
            }
            total = total.saturating_add(entry.size());
            out.push(Listed::new(entry.name(), entry.size()));
        }
        if total > MAX_UNPACKED {
            return Err(OpenProblem::TooLarge {
                bytes: total,
                limit: MAX_UNPACKED,
            });
        }
        Ok(out)
    }

    /// The bytes of the file whose base name is `name`.
    pub fn read(&mut self, name: &str) -> Result<Vec<u8>, OpenProblem> {
        let index = (0..self.zip.len())
            .find(|&i| {
                self.zip
                    .name_for_index(i)
                    .is_some_and(|n| base_name(n) == name && !n.ends_with('/'))
            })
            .ok_or_else(|| OpenProblem::Missing(vec![name.to_owned()]))?;
        let entry = self
            .zip
            .by_index(index)
            .map_err(|e| OpenProblem::Archive(e.to_string()))?;
        let size = entry.size();
        let mut bytes = Vec::with_capacity(usize::try_from(size.min(MAX_UNPACKED)).unwrap_or(0));
        entry
            .take(MAX_UNPACKED)
            .read_to_end(&mut bytes)
            .map_err(|e| OpenProblem::Archive(e.to_string()))?;
        Ok(bytes)
    }
}

/// Splits what the user typed into the folder URL the export's files are under and, when it
/// names one, the archive: `https://x/m/` and `https://x/m/manifest.json` → folder
/// `https://x/m/`; `https://x/m.zip` → the archive.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UrlTarget {
    Folder(String),
    Archive(String),
}

pub fn url_target(url: &str) -> Option<UrlTarget> {
    let url = url.trim();
    if url.is_empty() || url.chars().any(char::is_whitespace) {
        return None;
    }
    let path = url.split(['?', '#']).next().unwrap_or(url);
    if path.to_ascii_lowercase().ends_with(".zip") {
        return Some(UrlTarget::Archive(url.to_owned()));
    }
    let folder = match path.strip_suffix(MANIFEST) {
        Some(rest) => rest.to_owned(),
        None if path.ends_with('/') => path.to_owned(),
        None => format!("{path}/"),
    };
    Some(UrlTarget::Folder(folder))
}
