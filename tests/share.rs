//! One host directory shared by many guests: a share is the same grant or a
//! narrower one, never a wider one, and takes no descriptor of its own.

use capwasi::fs::host::HostDir;
use capwasi::fs::{Dir, OpenOptions};
use capwasi::{CapabilityDenied, DirPerms, WasiCtx};

fn denied(result: std::io::Result<()>) -> bool {
    result
        .err()
        .and_then(|e| e.into_inner())
        .is_some_and(|inner| inner.is::<CapabilityDenied>())
}

#[test]
fn a_share_never_widens_its_grant() {
    let tmp = tempfile::tempdir().unwrap();
    let read_write = HostDir::open_ambient(tmp.path(), DirPerms::ReadWrite).unwrap();
    let read_only = HostDir::open_ambient(tmp.path(), DirPerms::ReadOnly).unwrap();

    let narrowed = read_write.share(DirPerms::ReadOnly);
    assert_eq!(narrowed.perms(), DirPerms::ReadOnly);
    assert!(denied(narrowed.create_dir("a")));
    assert!(!tmp.path().join("a").exists());

    let not_widened = read_only.share(DirPerms::ReadWrite);
    assert_eq!(not_widened.perms(), DirPerms::ReadOnly);
    assert!(denied(not_widened.create_dir("b")));
    assert!(!tmp.path().join("b").exists());

    let same = read_write.share(DirPerms::ReadWrite);
    same.create_dir("c").unwrap();
    assert!(tmp.path().join("c").is_dir());
}

#[test]
fn shares_hold_no_descriptor_of_their_own() {
    let tmp = tempfile::tempdir().unwrap();
    // Only descriptors of this test's own directory count: other tests in
    // this process open and close descriptors at the same time.
    let open_fds = || {
        std::fs::read_dir("/proc/self/fd")
            .unwrap()
            .filter_map(|fd| std::fs::read_link(fd.ok()?.path()).ok())
            .filter(|target| target == tmp.path())
            .count()
    };
    let shared = HostDir::open_ambient(tmp.path(), DirPerms::ReadWrite).unwrap();
    let before = open_fds();
    let contexts: Vec<WasiCtx> = (0..100)
        .map(|_| {
            let mut builder = WasiCtx::builder();
            builder.preopened(
                Box::new(shared.share(DirPerms::ReadWrite)),
                "/data",
                DirPerms::ReadWrite,
            );
            builder.build().unwrap()
        })
        .collect();
    assert_eq!(before, 1);
    assert_eq!(open_fds(), before);
    drop(contexts);
    // The grant outlives every share and still works.
    let opened = shared.open(
        "x",
        &OpenOptions {
            create: true,
            write: true,
            ..OpenOptions::default()
        },
    );
    assert!(opened.is_ok());
}
