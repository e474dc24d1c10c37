//! Helpers shared by the command-line test binaries.

#![allow(dead_code)]

use std::fs;
use std::path::{Path, PathBuf};

use tempfile::TempDir;

/// The repository root (the workspace holding the cli crate).
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("cli/ has a parent")
        .to_path_buf()
}

/// The prebuilt demo guest.
pub fn demo_wasm() -> PathBuf {
    repo_root().join("examples/guests/demo.wasm")
}

/// A private copy of examples/data: the demo writes into its directory for a
/// moment, and a test watches what it did to its own copy.
pub fn copy_of_example_data() -> TempDir {
    fn copy(from: &Path, to: &Path) {
        fs::create_dir_all(to).unwrap();
        for entry in fs::read_dir(from).unwrap() {
            let path = entry.unwrap().path();
            let dest = to.join(path.file_name().unwrap());
            if path.is_dir() {
                copy(&path, &dest);
            } else {
                fs::copy(&path, &dest).unwrap();
            }
        }
    }
    let tmp = TempDir::new().unwrap();
    copy(&repo_root().join("examples/data"), tmp.path());
    tmp
}
