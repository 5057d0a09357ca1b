//! A dropped folder: the browser gives its entries (not its files) in the drop event, to be
//! walked with the File and Directory Entries API. The entries are taken during the event (they
//! are gone after it), then read asynchronously.

use js_sys::{Array, Function, Promise};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{
    DragEvent, File, FileSystemDirectoryEntry, FileSystemDirectoryReader, FileSystemEntry,
    FileSystemFileEntry,
};

/// Folders deeper than this, or more files than this, are not read (an export is one folder).
const MAX_DEPTH: usize = 4;
const MAX_FILES: usize = 256;

/// The dropped entries, when at least one is a folder (`None`: plain files, read as usual).
pub fn dropped_folder(e: &DragEvent) -> Option<Vec<FileSystemEntry>> {
    let items = e.data_transfer()?.items();
    let entries: Vec<FileSystemEntry> = (0..items.length())
        .filter_map(|i| items.get(i))
        .filter_map(|item| item.webkit_get_as_entry().ok().flatten())
        .collect();
    entries
        .iter()
        .any(FileSystemEntry::is_directory)
        .then_some(entries)
}

/// A callback API as a promise: `call(resolve, reject)` starts it.
async fn promised(call: impl FnOnce(&Function, &Function)) -> Result<JsValue, JsValue> {
    let mut call = Some(call);
    let promise = Promise::new(&mut |resolve, reject| {
        if let Some(call) = call.take() {
            call(&resolve, &reject);
        }
    });
    JsFuture::from(promise).await
}

async fn read_batch(reader: &FileSystemDirectoryReader) -> Vec<FileSystemEntry> {
    let batch = promised(|resolve, reject| {
        let _ = reader.read_entries_with_callback_and_callback(resolve, reject);
    })
    .await;
    batch
        .ok()
        .map(|b| {
            Array::from(&b)
                .iter()
                // Chromium's entries are of its legacy classes (`DirectoryEntry`, `FileEntry`):
                // an `instanceof` check would fail, so entries are told apart by
                // `isDirectory`/`isFile` instead.
                .map(JsCast::unchecked_into::<FileSystemEntry>)
                .collect()
        })
        .unwrap_or_default()
}

async fn file_of(entry: &FileSystemFileEntry) -> Option<File> {
    let file = promised(|resolve, reject| entry.file_with_callback_and_callback(resolve, reject))
        .await
        .ok()?;
    file.is_instance_of::<File>().then(|| file.unchecked_into())
}

/// Every file under `entries` (folders walked to [`MAX_DEPTH`], at most [`MAX_FILES`]).
pub async fn files_of(entries: Vec<FileSystemEntry>) -> Vec<File> {
    let mut files = Vec::new();
    let mut todo: Vec<(FileSystemEntry, usize)> = entries.into_iter().map(|e| (e, 0)).collect();
    while let Some((entry, depth)) = todo.pop() {
        if files.len() >= MAX_FILES {
            break;
        }
        if entry.is_directory() && depth < MAX_DEPTH {
            let reader = entry
                .unchecked_into::<FileSystemDirectoryEntry>()
                .create_reader();
            // readEntries answers in batches until an empty one.
            loop {
                let batch = read_batch(&reader).await;
                if batch.is_empty() {
                    break;
                }
                todo.extend(batch.into_iter().map(|e| (e, depth + 1)));
            }
        } else if entry.is_file() {
            files.extend(file_of(entry.unchecked_ref::<FileSystemFileEntry>()).await);
        }
    }
    files
}
