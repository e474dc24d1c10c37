//! One regression test per sandbox hole that another WASI runtime shipped,
//! named after it, so that the suite says in so many words that capwasi
//! does not have it:
//!
//! - wazero followed a relative symlink that the guest made out of the
//!   mount;
//! - Wasmer followed a symlink out when opening with `O_CREAT`;
//! - Node's uvwasi let a guest mkdir, rename and unlink outside its preopen
//!   through a symlink;
//! - wasmtime truncated through a read-only preopen (`O_TRUNC` without the
//!   right to write), linked and renamed across preopens of different
//!   permissions, let a trailing slash make a no-follow lookup follow a
//!   symlink, and panicked in `path_open` after `fd_renumber` onto itself
//!   or onto a closed number (CVE-2025-53901).
//!
//! And for what follows from the first: a guest may create symlinks whose
//! relative targets climb out (they are only text), but nothing may follow
//! them out; symlinks with absolute targets are refused outright.
//!
//! The attempts run in guests that also serve `fs.rs` and `misc.rs`
//! (`fs_escape`, `fs_readonly`) or were written for these tests
//! (`reg_renumber`); each test checks on the host that nothing outside the
//! preopens was created, changed or removed.

use std::fs;
use std::os::unix::fs::symlink;

use capwasi::DirPerms;

use crate::common::{on_every_engine, Guest, Sandbox, CANARY, CANARY_BYTES};
use crate::fs::{escape_then, link_text, names, read_only};

/// Everything beside the sandbox that an escape could reach: the canary,
/// an empty directory to remove, and the scratch root itself.
fn assert_outside_intact(sandbox: &Sandbox, before: &[(std::path::PathBuf, Vec<u8>)], what: &str) {
    assert_eq!(
        sandbox.snapshot_outside(),
        before,
        "{what}: something outside the sandbox changed"
    );
    assert_eq!(
        fs::read(sandbox.outside.join(CANARY)).unwrap(),
        CANARY_BYTES,
        "{what}: the canary changed"
    );
    assert!(
        sandbox.outside.join("emptydir").is_dir(),
        "{what}: emptydir is gone"
    );
}

/// Symlinks that point out, made by the host, for the cases that take them.
fn host_links_out(sb: &Sandbox) {
    symlink("../outside", sb.inside.join("host_rel")).unwrap();
    symlink(&sb.outside, sb.inside.join("host_abs")).unwrap();
}

/// Runs one case of `reg_renumber` with `/sandbox` at fd 3 and `/second`
/// (a directory inside it) at fd 4. A host panic would fail the run.
fn renumber_case(case: &str, check: impl Fn(&Sandbox)) {
    on_every_engine(|engine, sandbox| {
        let second = sandbox.inside.join("second");
        fs::create_dir(&second).unwrap();
        fs::create_dir(sandbox.outside.join("emptydir")).unwrap();
        let before = sandbox.snapshot_outside();
        let out = Guest::new("reg_renumber")
            .arg(case)
            .dir(&sandbox.inside, "/sandbox", DirPerms::ReadWrite)
            .dir(&second, "/second", DirPerms::ReadWrite)
            .run_on(engine);
        out.expect_success();
        assert_eq!(
            out.stdout.lines().last(),
            Some(format!("ok {case}").as_str())
        );
        assert_outside_intact(sandbox, &before, case);
        check(sandbox);
    });
}

// ---- the advisories ---------------------------------------------------------

/// wazero: a relative symlink the guest made (`../outside`, `d/up` to
/// `../../outside`, and two hops that each look harmless) was followed out
/// of the mount. Every open, stat, create, rename, link and removal through
/// them is EPERM.
#[test]
fn wazero_guest_relative_symlink_is_not_followed_out() {
    escape_then("guest_rel_symlink", |_| {}, |_| {});
}

/// Wasmer: opening with `O_CREAT` followed a symlink out, creating or
/// truncating the file it pointed at. Dangling symlinks whose targets are
/// outside, made by the guest and by the host, with `O_CREAT`,
/// `O_CREAT|O_TRUNC` and through wasi-libc's `open` and `fopen`: EPERM, and
/// no file appears outside.
#[test]
fn wasmer_open_creat_does_not_follow_a_symlink_out() {
    escape_then(
        "dangling_creat",
        |sb| {
            symlink(
                sb.outside.join("created-by-host.txt"),
                sb.inside.join("host_dangling"),
            )
            .unwrap();
        },
        |sb| {
            assert!(!sb.outside.join("created.txt").exists());
            assert!(!sb.outside.join("created-by-host.txt").exists());
        },
    );
}

/// uvwasi: `path_create_directory` through a symlink that points out made
/// the directory outside.
#[test]
fn uvwasi_mkdir_through_symlink_stays_inside() {
    escape_then("symlink_mkdir", host_links_out, |sb| {
        assert!(!sb.outside.join("newdir").exists());
    });
}

/// uvwasi: `path_rename` through a symlink that points out moved files in
/// or out of the preopen. Renaming onto the symlink itself replaces only
/// the link.
#[test]
fn uvwasi_rename_through_symlink_stays_inside() {
    escape_then("symlink_rename", host_links_out, |sb| {
        assert!(!sb.outside.join("planted.txt").exists());
        // The guest renamed its decoy onto `canary_link`: the link is gone,
        // replaced by the decoy, and the canary it pointed at is untouched.
        assert_eq!(fs::read(sb.inside.join("canary_link")).unwrap(), b"decoy");
        assert_eq!(link_text(&sb.inside.join("rel2")), "../outside");
    });
}

/// uvwasi: `path_unlink_file` and `path_remove_directory` through a symlink
/// that points out removed files and directories outside. Unlinking the
/// symlink removes only the symlink.
#[test]
fn uvwasi_unlink_through_symlink_stays_inside() {
    escape_then("symlink_unlink", host_links_out, |sb| {
        assert!(!sb.inside.join("canary_link").exists());
        assert!(fs::symlink_metadata(sb.inside.join("host_rel")).is_err());
        assert!(fs::symlink_metadata(sb.inside.join("host_abs")).is_err());
        assert_eq!(link_text(&sb.inside.join("rel")), "../outside");
    });
}

/// wasmtime: `path_open` with `O_TRUNC` and only the right to read
/// truncated a file beneath a read-only preopen. ENOTCAPABLE, raw and
/// through wasi-libc, of a file, a file in a subdirectory and a symlink,
/// and the file keeps its bytes and its timestamps.
#[test]
fn wasmtime_trunc_on_read_only_preopen_is_refused() {
    read_only("open_trunc");
}

/// wasmtime: `path_link` from a read-only preopen into a writable one gave
/// the guest a writable name for a read-only file (and the reverse planted
/// files in the read-only tree). ENOTCAPABLE both ways.
#[test]
fn wasmtime_link_across_preopens_of_different_permissions_is_refused() {
    read_only("cross_link");
}

/// wasmtime: `path_rename` across preopens of different permissions moved
/// files out of, or into, the read-only tree. ENOTCAPABLE both ways.
#[test]
fn wasmtime_rename_across_preopens_of_different_permissions_is_refused() {
    read_only("cross_rename");
}

/// wasmtime: a trailing slash (`link/`, `link/.`, `link//`) made a lookup
/// without `SYMLINK_FOLLOW` resolve a symlink that points out. Opens,
/// stats and set-times of every such route are EPERM.
#[test]
fn wasmtime_trailing_slash_symlink_does_not_defeat_nofollow() {
    escape_then(
        "trailing_slash",
        |sb| symlink(&sb.outside, sb.inside.join("abs")).unwrap(),
        |_| {},
    );
}

/// wasmtime (CVE-2025-53901): `fd_renumber(fd, fd)` corrupted the table
/// and the next `path_open` panicked the host. Here it is a no-op, for a
/// file and for a preopen, and the opens after it get fresh numbers.
#[test]
fn wasmtime_fd_renumber_onto_itself_then_path_open() {
    renumber_case("self", |sb| {
        assert_eq!(
            names(&sb.inside),
            ["a", "after0", "after1", "after2", "after3", "second"]
        );
        assert_eq!(fs::read(sb.inside.join("a")).unwrap(), b"a");
    });
}

/// wasmtime (CVE-2025-53901): `fd_renumber` onto a closed number, then
/// `path_open`, panicked the host. Here renumbering to or from a closed
/// number is EBADF and changes nothing, and the closed number is handed
/// out again exactly once.
#[test]
fn wasmtime_fd_renumber_to_or_from_closed_fd_then_path_open() {
    renumber_case("closed", |sb| {
        for name in ["a", "b", "c", "d"] {
            assert_eq!(fs::read(sb.inside.join(name)).unwrap(), name.as_bytes());
        }
    });
}

/// `fd_renumber` onto a preopen closes the preopen's handle (its number
/// now names a file, and is no preopen), and a preopen renumbered to
/// another number keeps its name and still confines what it opens.
#[test]
fn fd_renumber_onto_a_preopen() {
    renumber_case("preopen", |sb| {
        assert!(!sb.root.join("escaped").exists());
        assert!(sb.inside.join("c").is_file());
        assert!(names(&sb.inside.join("second")).is_empty());
    });
}

/// `fd_renumber` with numbers far beyond the table (up to `u32::MAX`) is
/// EBADF either way round, and a file renumbered onto stdin's number works
/// there.
#[test]
fn fd_renumber_with_numbers_beyond_the_table() {
    renumber_case("bad_numbers", |sb| {
        assert_eq!(fs::read(sb.inside.join("a")).unwrap(), b"a");
    });
}

// ---- symlinks the guest makes ---------------------------------------------

/// A guest may not create a symlink with an absolute target (the host's
/// path of the directory beside its sandbox, `/`, or the guest's own view
/// of a file): confined lookups would refuse to follow it, but an
/// unconfined host program would not. Every attempt is `EPERM`, and
/// nothing is created.
#[test]
fn symlink_with_absolute_target_is_refused() {
    escape_then(
        "guest_abs_symlink",
        |_| {},
        |sb| {
            for name in ["out", "canary_link", "root", "root2", "own", "libc_out"] {
                assert!(
                    std::fs::symlink_metadata(sb.inside.join(name)).is_err(),
                    "{name} was created"
                );
            }
            assert_eq!(link_text(&sb.inside.join("rel")), "sandbox/inside.txt");
        },
    );
}

/// A guest may create symlinks whose relative targets climb out, directly
/// (`../outside`), from deeper down (`../../outside`) and in two hops; the
/// host sees exactly that text, and following them is refused everywhere.
#[test]
fn symlink_with_climbing_relative_target_is_created_but_never_followed_out() {
    escape_then(
        "guest_rel_symlink",
        |_| {},
        |sb| {
            assert_eq!(link_text(&sb.inside.join("out")), "../outside");
            assert_eq!(
                link_text(&sb.inside.join("canary_link")),
                "../outside/canary.txt"
            );
            assert_eq!(link_text(&sb.inside.join("d/up")), "../../outside");
            assert_eq!(link_text(&sb.inside.join("d/parent")), "..");
            assert_eq!(link_text(&sb.inside.join("twohop")), "d/parent/..");
            assert_eq!(link_text(&sb.inside.join("self")), "../sandbox");
        },
    );
}
