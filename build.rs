//! Rebuild when a message file changes: `rust_i18n::i18n!` reads `locales/*.yml` at compile time,
//! and cargo does not know it did.
fn main() {
    println!("cargo:rerun-if-changed=locales");
}
