//! The filesystem and path calls: what guests can do inside their preopens,
//! every way out of a preopen that must stay shut, and read-only preopens.
//!
//! The guests check the errno of each call themselves; these tests set up
//! the host side first and afterwards check what the guest cannot see: the
//! files it left on the host, and that nothing outside its preopen moved.

use std::fs;
use std::os::unix::fs::{symlink, MetadataExt};
use std::path::{Path, PathBuf};

use capwasi::DirPerms;

use crate::common::{
    engines, engines_with_preview2, is_component_way, on_each, on_every_engine_and_preview2, Guest,
    Sandbox, CANARY, CANARY_BYTES,
};

/// Runs `guest` with the sandbox preopened read-write as `/sandbox`, after
/// `setup`, and asserts that it passed and that nothing outside changed.
fn run_in_sandbox(guest: &str, setup: impl Fn(&Sandbox), check: impl Fn(&Sandbox)) {
    run_in_sandbox_on(engines(), guest, setup, check);
}

/// [`run_in_sandbox`], and through preview2 as well.
fn run_in_sandbox_everywhere(guest: &str, setup: impl Fn(&Sandbox), check: impl Fn(&Sandbox)) {
    run_in_sandbox_on(engines_with_preview2(), guest, setup, check);
}

fn run_in_sandbox_on(
    engines: Vec<Box<dyn capwasi::Engine>>,
    guest: &str,
    setup: impl Fn(&Sandbox),
    check: impl Fn(&Sandbox),
) {
    on_each(engines, |engine, sandbox| {
        setup(sandbox);
        let before = sandbox.snapshot_outside();
        Guest::new(guest)
            .dir(&sandbox.inside, "/sandbox", DirPerms::ReadWrite)
            .run_on(engine)
            .expect_success();
        assert_eq!(
            sandbox.snapshot_outside(),
            before,
            "{guest} changed files outside its preopen"
        );
        check(sandbox);
    });
}

/// The names directly inside `dir`, sorted.
pub(crate) fn names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    names
}

pub(crate) fn link_text(path: &Path) -> String {
    fs::read_link(path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .into_os_string()
        .into_string()
        .unwrap()
}

fn ino(path: &Path) -> u64 {
    fs::symlink_metadata(path).unwrap().ino()
}

/// `(seconds, nanoseconds)` of the modification time, not following links.
fn mtime(path: &Path) -> (i64, i64) {
    let m = fs::symlink_metadata(path).unwrap();
    (m.mtime(), m.mtime_nsec())
}

/// One entry of [`tree`].
#[derive(Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Node {
    path: PathBuf,
    kind: &'static str,
    /// File contents or symlink text; empty for directories.
    data: Vec<u8>,
    mtime: (i64, i64),
    mode: u32,
}

/// Everything under `dir`, with contents, modes and modification times, so
/// that any change a guest makes (even to a directory's entries) shows.
fn tree(dir: &Path) -> Vec<Node> {
    fn walk(dir: &Path, out: &mut Vec<Node>) {
        for entry in fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            let meta = fs::symlink_metadata(&path).unwrap();
            let (kind, data) = if meta.file_type().is_symlink() {
                (
                    "symlink",
                    fs::read_link(&path)
                        .unwrap()
                        .into_os_string()
                        .into_encoded_bytes(),
                )
            } else if meta.is_dir() {
                ("dir", Vec::new())
            } else {
                ("file", fs::read(&path).unwrap())
            };
            out.push(Node {
                path: path.clone(),
                kind,
                data,
                mtime: (meta.mtime(), meta.mtime_nsec()),
                mode: meta.mode(),
            });
            if kind == "dir" {
                walk(&path, out);
            }
        }
    }
    let mut out = Vec::new();
    walk(dir, &mut out);
    out.sort();
    out
}

/// path_open and its flags and errors, fd_read/write/pread/pwrite, fd_seek,
/// fd_tell, fd_filestat_get, fd_filestat_set_size, fd_allocate, fd_advise,
/// fd_datasync, fd_sync, fd_fdstat_get, fd_fdstat_set_flags (append),
/// fd_prestat_get and fd_prestat_dir_name.
#[test]
fn files_open_io_stat_and_flags() {
    run_in_sandbox(
        "fs_files",
        |_| {},
        |sb| {
            let s = &sb.inside;
            assert_eq!(
                names(s),
                [
                    "alloc.txt",
                    "append.txt",
                    "io.txt",
                    "new.txt",
                    "size.txt",
                    "sub"
                ]
            );
            assert_eq!(fs::read(s.join("new.txt")).unwrap(), b"");
            assert_eq!(fs::read(s.join("sub/inner.txt")).unwrap(), b"inner");
            assert_eq!(
                fs::read(s.join("io.txt")).unwrap(),
                b"abXYefgh\0\0Z\0\0\0\0\0\0\0\0\0XY"
            );
            assert_eq!(fs::read(s.join("size.txt")).unwrap(), b"0123\0\0\0\0");
            let alloc = fs::read(s.join("alloc.txt")).unwrap();
            assert_eq!(alloc.len(), 256);
            assert_eq!(&alloc[..3], b"abc");
            assert_eq!(fs::read(s.join("append.txt")).unwrap(), b"W123456789abcd!?");
        },
    );
}

/// path_filestat_get (following and not), fd_filestat_set_times and
/// path_filestat_set_times, including the invalid fstflags combinations.
#[test]
fn times_and_stat() {
    run_in_sandbox(
        "fs_times",
        |_| {},
        |sb| {
            let s = &sb.inside;
            // The last timestamps the guest set, to the nanosecond.
            assert_eq!(mtime(&s.join("t.txt")), (1_400_000_000, 987_654_321));
            assert_eq!(mtime(&s.join("t.link")), (1_000_000_000, 750_000_000));
            assert_eq!(mtime(&s.join("sub")), (1_500_000_000, 123_456_789));
            assert_eq!(link_text(&s.join("t.link")), "t.txt");
        },
    );
}

/// path_create_directory, path_remove_directory, path_unlink_file and
/// path_rename, with their POSIX errors and trailing slashes.
#[test]
fn directories_unlink_and_rename() {
    run_in_sandbox_everywhere(
        "fs_dirs",
        |_| {},
        |sb| {
            let s = &sb.inside;
            assert_eq!(names(s), ["d", "file", "flink2", "moved"]);
            assert_eq!(names(&s.join("d")), ["b", "e"]);
            assert_eq!(names(&s.join("d/e")), ["inner"]);
            assert_eq!(fs::read(s.join("d/b")).unwrap(), b"A");
            assert_eq!(fs::read(s.join("d/e/inner")).unwrap(), b"I");
            assert_eq!(fs::read(s.join("file")).unwrap(), b"F");
            assert_eq!(names(&s.join("moved")), ["inside"]);
            assert_eq!(fs::read(s.join("moved/inside")).unwrap(), b"M");
            assert_eq!(link_text(&s.join("flink2")), "file");
        },
    );
}

/// path_link, path_symlink, path_readlink (and truncation), following and
/// not following, ELOOP.
#[test]
fn links_symlinks_and_loops() {
    run_in_sandbox_everywhere(
        "fs_links",
        |_| {},
        |sb| {
            let s = &sb.inside;
            assert!(!s.join("orig").exists());
            let hard = ino(&s.join("hard"));
            assert_eq!(ino(&s.join("dir/deep")), hard);
            assert_eq!(ino(&s.join("libc")), hard);
            assert_eq!(fs::metadata(s.join("hard")).unwrap().nlink(), 3);
            assert_eq!(fs::read(s.join("hard")).unwrap(), b"changed");
            assert_eq!(fs::read(s.join("other")).unwrap(), b"other");
            // A hard link of a symlink is the same symlink.
            assert_eq!(ino(&s.join("soft2")), ino(&s.join("soft")));
            assert_eq!(link_text(&s.join("soft2")), "hard");
            for (link, text) in [
                ("sl", "target"),
                ("libc_sl", "target"),
                ("dotted", "dir/../target"),
                ("dangling", "not/there"),
                ("dir/up", "../target"),
                ("dirlink", "dir"),
                ("loop1", "loop2"),
                ("loop2", "loop1"),
                ("self", "self"),
                ("chain0", "chain1"),
                ("chain7", "target"),
            ] {
                assert_eq!(link_text(&s.join(link)), text, "{link}");
            }
        },
    );
}

/// fd_readdir raw and through opendir/readdir: ".", "..", cookies, tiny
/// buffers, and a directory of 5000 entries made by the host.
#[test]
fn readdir_cookies_small_buffers_and_5000_entries() {
    run_in_sandbox(
        "fs_readdir",
        |sb| {
            let big = sb.inside.join("big");
            fs::create_dir(&big).unwrap();
            for i in 0..5000 {
                fs::write(big.join(format!("e{i:04}")), b"").unwrap();
            }
        },
        |sb| {
            assert_eq!(names(&sb.inside.join("big")).len(), 5000);
            assert_eq!(
                names(&sb.inside.join("small")),
                ["a", "a-much-longer-name.txt", "bb", "link", "sub"]
            );
        },
    );
}

/// fd_fdstat_set_rights: shrinking works, growing is ENOTCAPABLE, and every
/// call beyond a descriptor's base or inheriting rights is ENOTCAPABLE.
#[test]
fn rights_shrink_never_grow() {
    run_in_sandbox(
        "fs_rights",
        |_| {},
        |sb| {
            let s = &sb.inside;
            assert_eq!(names(s), ["file", "link", "subdir"]);
            assert_eq!(fs::read(s.join("file")).unwrap(), b"");
        },
    );
}

/// Pointers and lengths outside linear memory in the filesystem calls are
/// EFAULT, more than 1024 iovecs EINVAL, and neither touches a file.
#[test]
fn bad_pointers_are_efault() {
    run_in_sandbox(
        "fs_badptr",
        |sb| {
            fs::write(sb.inside.join("file.txt"), b"hello").unwrap();
            symlink("file.txt", sb.inside.join("link")).unwrap();
        },
        |sb| {
            assert_eq!(names(&sb.inside), ["file.txt", "link"]);
            assert_eq!(fs::read(sb.inside.join("file.txt")).unwrap(), b"hello");
            assert_eq!(link_text(&sb.inside.join("link")), "file.txt");
        },
    );
}

// ---------------------------------------------------------------------------
// Escapes. Each runs one case of the fs_escape guest, which gets the host's
// absolute path of the directory beside the sandbox, as an attacker might
// guess it. Every case must leave everything outside the sandbox as it was.

fn escape(case: &str, setup: impl Fn(&Sandbox)) {
    escape_then(case, setup, |_| {});
}

/// Like [`escape`], then hands the sandbox to `check` for what the guest was
/// allowed to do inside it.
pub(crate) fn escape_then(case: &str, setup: impl Fn(&Sandbox), check: impl Fn(&Sandbox)) {
    on_every_engine_and_preview2(|engine, sandbox| {
        // Something for rmdir to aim at.
        fs::create_dir(sandbox.outside.join("emptydir")).unwrap();
        setup(sandbox);
        // "../../outside" from the sandbox lands beside the scratch root.
        let beyond = sandbox.root.parent().unwrap().join("outside/x.js");
        let beyond_existed = beyond.exists();
        let before = sandbox.snapshot_outside();
        let outside = sandbox.outside.to_str().expect("scratch path is UTF-8");
        Guest::new("fs_escape")
            .arg(case)
            .arg(outside)
            .dir(&sandbox.inside, "/sandbox", DirPerms::ReadWrite)
            .run_on(engine)
            .expect_success();
        assert_eq!(
            sandbox.snapshot_outside(),
            before,
            "escape case {case} changed files outside"
        );
        assert_eq!(
            fs::read(sandbox.outside.join(CANARY)).unwrap(),
            CANARY_BYTES
        );
        assert!(sandbox.outside.join("emptydir").is_dir());
        assert_eq!(beyond.exists(), beyond_existed);
        assert!(!Path::new("/capwasi-escape-probe").exists());
        assert_eq!(
            fs::read(sandbox.inside.join("inside.txt")).unwrap(),
            b"inside"
        );
        check(sandbox);
    });
}

/// Absolute paths, including the guest's own name for the preopen.
#[test]
fn escape_absolute_path() {
    escape("absolute", |_| {});
}

/// `..` above the preopen: `../outside/canary.txt`,
/// `sub/../../outside/canary.txt`, and above a subdirectory handle.
#[test]
fn escape_dotdot() {
    escape("dotdot", |_| {});
}

/// A symlink made by the host with an absolute target outside.
#[test]
fn escape_host_absolute_symlink() {
    escape("host_abs_symlink", |sb| {
        symlink(&sb.outside, sb.inside.join("out")).unwrap();
        symlink(sb.outside.join(CANARY), sb.inside.join("canary_link")).unwrap();
    });
}

/// A symlink made by the host with a relative target that climbs out.
#[test]
fn escape_host_relative_symlink() {
    escape("host_rel_symlink", |sb| {
        symlink("../outside", sb.inside.join("out")).unwrap();
        symlink("../outside/canary.txt", sb.inside.join("canary_link")).unwrap();
        fs::create_dir(sb.inside.join("deep")).unwrap();
        symlink("../../outside", sb.inside.join("deep/up")).unwrap();
    });
}

/// The guest may not create a symlink to an absolute path: an unconfined
/// host program would follow it out.
#[test]
fn escape_guest_absolute_symlink() {
    escape("guest_abs_symlink", |_| {});
}

/// The guest creates relative symlinks that climb out, directly and in two
/// hops that each look harmless, then follows them.
#[test]
fn escape_guest_relative_symlink() {
    escape("guest_rel_symlink", |_| {});
}

/// `link/`, `link/.` and `link//` where link points out; `file/` on a
/// regular file is ENOTDIR.
#[test]
fn escape_trailing_slash() {
    escape("trailing_slash", |sb| {
        symlink(&sb.outside, sb.inside.join("abs")).unwrap();
    });
}

/// A path length that takes in a NUL and what follows it is EINVAL.
#[test]
fn escape_embedded_nul() {
    escape("nul", |_| {});
}

fn out_links(sb: &Sandbox) {
    symlink("../outside", sb.inside.join("host_rel")).unwrap();
    symlink(&sb.outside, sb.inside.join("host_abs")).unwrap();
}

/// mkdir through a symlink that points out.
#[test]
fn escape_mkdir_through_symlink() {
    escape("symlink_mkdir", out_links);
}

/// rename into, out of and over things through a symlink that points out.
#[test]
fn escape_rename_through_symlink() {
    escape("symlink_rename", out_links);
}

/// unlink and rmdir through a symlink that points out.
#[test]
fn escape_unlink_through_symlink() {
    escape("symlink_unlink", out_links);
}

/// Hard links from and to the outside through a symlink, with and without
/// following.
#[test]
fn escape_link_through_symlink() {
    escape("symlink_link", out_links);
}

/// Creating a symlink inside a directory reached through a symlink out.
#[test]
fn escape_symlink_through_symlink() {
    escape("symlink_symlink", out_links);
}

/// O_CREAT through a dangling symlink whose target is outside.
#[test]
fn escape_creat_through_dangling_symlink() {
    escape("dangling_creat", |sb| {
        symlink(
            sb.outside.join("created-by-host.txt"),
            sb.inside.join("host_dangling"),
        )
        .unwrap();
    });
}

/// An archive extractor writing `../../outside/x.js` and
/// `/sandbox/../outside/x.js` as the entries name them.
#[test]
fn escape_zipslip() {
    escape("zipslip", |_| {});
}

// ---------------------------------------------------------------------------
// A read-only preopen `/ro` beside a read-write one `/rw`. Every mutation
// under /ro, and every link or rename between the two, is ENOTCAPABLE and
// changes nothing on the host, not even a timestamp.

pub(crate) fn read_only(case: &str) {
    on_every_engine_and_preview2(|engine, sandbox| {
        let ro = sandbox.inside.join("ro");
        let rw = sandbox.inside.join("rw");
        fs::create_dir_all(ro.join("dir")).unwrap();
        fs::create_dir(ro.join("empty")).unwrap();
        fs::create_dir(&rw).unwrap();
        fs::write(ro.join("file.txt"), b"read only\n").unwrap();
        fs::write(ro.join("dir/inner.txt"), b"inner\n").unwrap();
        symlink("file.txt", ro.join("link")).unwrap();
        fs::write(rw.join("rwfile.txt"), b"rw\n").unwrap();
        let before = tree(&sandbox.inside);
        let outside = sandbox.snapshot_outside();
        let mut guest = Guest::new("fs_readonly").arg(case);
        if is_component_way(engine) {
            guest = guest.arg("p2");
        }
        guest
            .dir(&ro, "/ro", DirPerms::ReadOnly)
            .dir(&rw, "/rw", DirPerms::ReadWrite)
            .run_on(engine)
            .expect_success();
        assert_eq!(
            tree(&sandbox.inside),
            before,
            "read-only case {case} changed the preopens"
        );
        assert_eq!(sandbox.snapshot_outside(), outside);
    });
}

/// The rights a read-only preopen reports, and that reading still works.
#[test]
fn read_only_rights_and_reading() {
    read_only("rights");
}

/// O_TRUNC alone, asking only to read.
#[test]
fn read_only_open_trunc() {
    read_only("open_trunc");
}

/// O_CREAT, of a new file and of an existing one.
#[test]
fn read_only_open_creat() {
    read_only("open_creat");
}

/// Opening for writing, raw and through wasi-libc's masking.
#[test]
fn read_only_open_write() {
    read_only("open_write");
}

#[test]
fn read_only_mkdir() {
    read_only("mkdir");
}

#[test]
fn read_only_unlink() {
    read_only("unlink");
}

#[test]
fn read_only_rmdir() {
    read_only("rmdir");
}

#[test]
fn read_only_rename() {
    read_only("rename");
}

#[test]
fn read_only_link() {
    read_only("link");
}

#[test]
fn read_only_symlink() {
    read_only("symlink");
}

/// fd_filestat_set_size on a file opened from the read-only preopen.
#[test]
fn read_only_set_size() {
    read_only("set_size");
}

/// path_filestat_set_times and fd_filestat_set_times.
#[test]
fn read_only_set_times() {
    read_only("set_times");
}

/// fd_allocate (and fd_sync/fd_datasync) on a file opened read-only.
#[test]
fn read_only_allocate() {
    read_only("allocate");
}

/// path_link between the read-only and the read-write preopen, both ways.
#[test]
fn read_only_link_across_preopens() {
    read_only("cross_link");
}

/// path_rename between the read-only and the read-write preopen, both ways.
#[test]
fn read_only_rename_across_preopens() {
    read_only("cross_rename");
}

/// A path opened read-only without O_DIRECTORY, whose type the host learns
/// only when the descriptor is used: as a directory it lists, opens beneath
/// itself, refuses file calls and escapes, and reports directory rights; as
/// a file it reads, refuses directory calls, and reports file rights.
#[test]
fn open_without_saying_file_or_directory() {
    run_in_sandbox(
        "fs_open_either",
        |_| {},
        |sb| {
            assert_eq!(names(&sb.inside.join("dir")), ["inner", "made"]);
        },
    );
}

/// What Linux's own `openat` answers for one combination of the matrix in
/// `fs_open_flags`, as the guest prints it. The rights become the access
/// mode as capwasi maps them: reading without writing is `O_RDONLY`.
fn native_open(dir: &Path, target: &str, oflags: u32, fdflags: u32, rights: u32) -> String {
    use rustix::fs::{Mode, OFlags};
    let mut flags = match rights {
        2 => OFlags::WRONLY,
        3 => OFlags::RDWR,
        _ => OFlags::RDONLY,
    } | OFlags::CLOEXEC;
    for (bit, flag) in [
        (1, OFlags::CREATE),
        (2, OFlags::DIRECTORY),
        (4, OFlags::EXCL),
        (8, OFlags::TRUNC),
    ] {
        flags.set(flag, oflags & bit != 0);
    }
    for (bit, flag) in [
        (1, OFlags::APPEND),
        (2, OFlags::DSYNC),
        (4, OFlags::NONBLOCK),
        (8, OFlags::RSYNC),
        (16, OFlags::SYNC),
    ] {
        flags.set(flag, fdflags & bit != 0);
    }
    let path = dir.join(target);
    let errno = match rustix::fs::open(&path, flags, Mode::from_raw_mode(0o644)) {
        Ok(_) => 0,
        Err(e) => capwasi::p1::Errno::from(std::io::Error::from(e)) as u16,
    };
    if target == "missing" {
        let _ = fs::remove_file(&path);
    }
    format!("{target} o={oflags} f={fdflags} r={rights} errno={errno}")
}

/// path_open over every combination of oflags, fdflags and the read and
/// write rights, on a missing name, a file and a directory: each answer
/// must be the one Linux gives the same flags (so no combination POSIX
/// allows is refused, `O_TRUNC|O_APPEND` among them). Then
/// `O_CREAT|O_TRUNC|O_WRONLY|O_APPEND` starts a log afresh, seeks do not
/// stop appends, and pwrite leaves the offset alone.
#[test]
fn open_flag_matrix_matches_linux() {
    let native = tempfile::tempdir().unwrap();
    fs::write(native.path().join("file"), b"contents").unwrap();
    fs::create_dir(native.path().join("dir")).unwrap();
    let mut want = Vec::new();
    for target in ["missing", "file", "dir"] {
        for oflags in 0..16 {
            for fdflags in 0..32 {
                for rights in 0..4 {
                    want.push(native_open(native.path(), target, oflags, fdflags, rights));
                }
            }
        }
    }
    assert!(want.contains(&"missing o=9 f=1 r=2 errno=0".to_string()));
    on_every_engine_and_preview2(|engine, sandbox| {
        fs::write(sandbox.inside.join("file"), b"contents").unwrap();
        fs::create_dir(sandbox.inside.join("dir")).unwrap();
        let out = Guest::new("fs_open_flags")
            .dir(&sandbox.inside, "/sandbox", DirPerms::ReadWrite)
            .run_on(engine);
        out.expect_success();
        let got: Vec<&str> = out
            .stdout
            .lines()
            .filter(|line| !line.starts_with("ok "))
            .collect();
        assert_eq!(got.len(), want.len());
        let mismatches: Vec<String> = want
            .iter()
            .zip(&got)
            .filter(|(want, got)| want != got)
            .map(|(want, got)| format!("linux: {want}   capwasi: {got}"))
            .collect();
        assert!(mismatches.is_empty(), "{}", mismatches.join("\n"));
        // On Linux, pwrite on an O_APPEND descriptor appends as well.
        assert_eq!(fs::read(sandbox.inside.join("log")).unwrap(), b"abcdefXY");
        assert_eq!(names(&sandbox.inside), ["dir", "file", "log"]);
    });
}
