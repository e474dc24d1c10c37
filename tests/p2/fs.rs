//! wasi:filesystem through preview2: every descriptor method, the error
//! codes Linux gives, escapes, and a read-only grant.

use std::fs;

use capwasi::DirPerms;

use crate::{lines, run, sandbox};

/// What `p2_fs` prints on capwasi, a line per group of checks. Where the
/// WIT leaves the answer open (`got …`), these are Linux's.
const P2_FS: &[&str] = &[
    "ok preopen",
    "ok open-at-create-exclusive",
    "ok write-read-at-offsets",
    "ok set-size",
    "ok set-times",
    "ok sync-advise",
    "ok stat-at",
    "ok get-flags",
    "ok open-at-truncate",
    "ok write-via-stream",
    "ok append-via-stream",
    "ok read-via-stream",
];

#[test]
fn descriptors_streams_directories_links_and_escapes() {
    let tmp = tempfile::tempdir().unwrap();
    let inside = tmp.path().join("sandbox");
    let ro = tmp.path().join("ro");
    fs::create_dir(&inside).unwrap();
    fs::create_dir(&ro).unwrap();
    fs::write(ro.join("file.txt"), b"read-only\n").unwrap();
    fs::write(tmp.path().join("canary.txt"), b"canary").unwrap();
    let out = run("p2_fs", &[], b"", |b| {
        sandbox(&inside)(b);
        b.preopened_dir(&ro, "/ro", DirPerms::ReadOnly).unwrap();
    });
    out.expect_exit(0);
    let got = lines(&out);
    assert_eq!(&got[..P2_FS.len()], P2_FS, "{}", out.stdout());
    assert_eq!(got.last().map(String::as_str), Some("ok p2_fs"));
    assert!(got.contains(&"ok sandbox-escapes".to_string()));
    assert!(got.contains(&"ok ro-denied".to_string()));
    // Changes beneath the read-only grant are refused for want of
    // `mutate-directory` or of the grant's write (not-permitted); writing
    // through a descriptor that was opened without `write` is refused for
    // that (bad-descriptor).
    let refused: Vec<&str> = got
        .iter()
        .filter(|l| l.starts_with("got ro-"))
        .map(String::as_str)
        .collect();
    assert_eq!(
        refused,
        [
            "got ro-open-write not-permitted",
            "got ro-create not-permitted",
            "got ro-create-directory-at not-permitted",
            "got ro-unlink-file-at not-permitted",
            "got ro-set-times-at not-permitted",
            "got ro-set-times not-permitted",
            "got ro-set-size bad-descriptor",
            "got ro-write-via-stream bad-descriptor",
        ]
    );
    // The guest cleaned up after itself, and nothing outside changed.
    assert_eq!(fs::read_dir(&inside).unwrap().count(), 0);
    assert_eq!(fs::read(ro.join("file.txt")).unwrap(), b"read-only\n");
    assert_eq!(fs::read_dir(&ro).unwrap().count(), 1);
    assert_eq!(fs::read(tmp.path().join("canary.txt")).unwrap(), b"canary");
    assert_eq!(fs::read_dir(tmp.path()).unwrap().count(), 3);
}

#[test]
fn splice_between_file_streams() {
    let tmp = tempfile::tempdir().unwrap();
    let out = run("p2_streams", &["splice"], b"", sandbox(tmp.path()));
    out.expect_exit(0);
    let got = lines(&out);
    // A read stream over a write-only descriptor is refused when it is
    // asked for, rather than failing at its first read.
    assert_eq!(
        &got[..3],
        [
            "ok splice",
            "ok blocking-splice",
            "got read-via-stream-on-write-only-file bad-descriptor"
        ]
    );
    assert_eq!(got.last().map(String::as_str), Some("ok p2_streams"));
    assert_eq!(fs::read_dir(tmp.path()).unwrap().count(), 0);
}
