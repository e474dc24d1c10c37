//! The scratch tree a target runs in, and the oracle that watches it.
//!
//! ```text
//! BASE/                 capwasi-fuzz-TARGET-PID, on tmpfs where there is one
//!   root/               what a guest path's HostRoot part names
//!     <canary trees>    canary.txt, secret/inner.txt, empty/, link
//!     <read-only tree>  a second preopen, granted read-only (optional)
//!     <scratch>         the preopen the guest works in, emptied per input
//! ```
//!
//! Everything but the scratch directory's contents is frozen: its bytes and
//! metadata are snapshotted once and compared after every operation, and
//! an inotify watch on every frozen directory reports any open, read or
//! change beneath it at once, including reads that a snapshot cannot see.
//! The read-only tree may be read, never changed.

use std::cell::RefCell;
use std::collections::{HashMap, HashSet};
use std::ffi::CStr;
use std::fs;
use std::mem::MaybeUninit;
use std::os::fd::OwnedFd;
use std::os::unix::fs::{symlink, MetadataExt};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use rustix::fs::inotify::{self, ReadFlags, WatchFlags};
use rustix::fs::{AtFlags, Timespec, Timestamps, CWD};

use crate::{finding, CANARY_BYTES};

/// Where the frozen trees and the scratch directory lie under the root.
pub struct Layout {
    /// A short name for the base directory, usually the target's.
    pub tag: &'static str,
    /// Canary trees, relative to the root: never to be opened, read or
    /// changed.
    pub canaries: &'static [&'static str],
    /// A tree granted read-only, relative to the root, if any.
    pub read_only: Option<&'static str>,
    /// The scratch directory the guest is granted read-write.
    pub scratch: &'static str,
}

/// The contents of the read-only tree, which a guest may read.
pub const READ_ONLY_FILE: &[u8] = b"read-only file\n";

/// The text of each canary tree's symlink, which no readlink may return.
///
/// It resolves to `canary.txt`, but no path of at most seven components
/// spells it, so a guest that made a link with this text is unlikely.
pub const CANARY_LINK_TEXT: &str = "./././././././././canary.txt";

/// A frozen node's role, which decides what events on it mean.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Role {
    /// A directory above the scratch or frozen trees.
    Container,
    /// Part of a canary tree.
    Canary,
    /// Part of the read-only tree.
    ReadOnly,
}

/// What a snapshot records of one node: everything `lstat` says that a
/// guest could change, and the bytes of a file or a symlink.
#[derive(Clone, Debug, PartialEq, Eq)]
struct NodeState {
    path: PathBuf,
    ino: u64,
    mode: u32,
    nlink: u64,
    uid: u32,
    gid: u32,
    size: u64,
    mtime: (i64, i64),
    ctime: (i64, i64),
    data: Option<Vec<u8>>,
}

struct Node {
    path: PathBuf,
    role: Role,
}

/// A watched directory: its role, and for a container, which child names
/// the guest may legitimately touch.
struct Watch {
    path: PathBuf,
    role: Role,
}

/// The scratch tree and its oracle. See the module documentation.
pub struct Fixture {
    /// The per-process base directory.
    pub base: PathBuf,
    /// The root beneath the base; [`crate::input::Part::HostRoot`] names it.
    pub root: PathBuf,
    /// The scratch directory, granted read-write.
    pub scratch: PathBuf,
    /// The read-only tree, if the layout has one.
    pub read_only: Option<PathBuf>,
    scratch_name: String,
    scratch_parent: PathBuf,
    read_only_name: Option<(PathBuf, String)>,
    nodes: Vec<Node>,
    snapshot: Vec<NodeState>,
    /// `(dev, ino)` of everything outside the scratch and read-only trees.
    outside: HashSet<(u64, u64)>,
    /// `(dev, ino)` of the read-only tree.
    read_only_ids: HashSet<(u64, u64)>,
    scratch_id: (u64, u64),
    inotify: OwnedFd,
    watches: HashMap<i32, Watch>,
    events: Vec<MaybeUninit<u8>>,
    always_full: bool,
}

/// A fixed time long past, for every frozen node, so that a change made in
/// the same clock tick as the setup still shows.
const FROZEN_TIME: Timespec = Timespec {
    tv_sec: 978_307_200,
    tv_nsec: 123_456_789,
};

static BASE_FOR_EXIT: OnceLock<PathBuf> = OnceLock::new();

extern "C" fn remove_base_at_exit() {
    if let Some(base) = BASE_FOR_EXIT.get() {
        let _ = fs::remove_dir_all(base);
    }
}

extern "C" {
    fn atexit(callback: extern "C" fn()) -> i32;
}

/// The directory the base goes under: `CAPWASI_FUZZ_DIR`, else tmpfs, else
/// the system temporary directory.
fn parent_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("CAPWASI_FUZZ_DIR") {
        return PathBuf::from(dir);
    }
    let shm = Path::new("/dev/shm");
    if shm.is_dir() {
        return shm.to_path_buf();
    }
    std::env::temp_dir()
}

/// Removes base directories left by processes that no longer run (a crash
/// skips the cleanup at exit).
fn remove_stale(parent: &Path) {
    let Ok(entries) = fs::read_dir(parent) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(name) = name.to_str() else { continue };
        let Some(rest) = name.strip_prefix("capwasi-fuzz-") else {
            continue;
        };
        let Some(pid) = rest.rsplit('-').next() else {
            continue;
        };
        if pid.parse::<u32>().is_ok() && !Path::new("/proc").join(pid).exists() {
            let _ = fs::remove_dir_all(entry.path());
        }
    }
}

fn identity(meta: &fs::Metadata) -> (u64, u64) {
    (meta.dev(), meta.ino())
}

fn set_frozen_time(path: &Path) {
    let times = Timestamps {
        last_access: FROZEN_TIME,
        last_modification: FROZEN_TIME,
    };
    rustix::fs::utimensat(CWD, path, &times, AtFlags::SYMLINK_NOFOLLOW)
        .unwrap_or_else(|e| panic!("set times of {}: {e}", path.display()));
}

fn make_canary_tree(dir: &Path) {
    fs::create_dir_all(dir.join("secret")).unwrap();
    fs::create_dir(dir.join("empty")).unwrap();
    fs::write(dir.join("canary.txt"), CANARY_BYTES).unwrap();
    let mut reversed = CANARY_BYTES.to_vec();
    reversed.reverse();
    fs::write(dir.join("secret/inner.txt"), reversed).unwrap();
    symlink(CANARY_LINK_TEXT, dir.join("link")).unwrap();
}

fn make_read_only_tree(dir: &Path) {
    fs::create_dir_all(dir.join("dir")).unwrap();
    fs::create_dir(dir.join("empty")).unwrap();
    fs::write(dir.join("file.txt"), READ_ONLY_FILE).unwrap();
    fs::write(dir.join("dir/inner.txt"), b"read-only inner\n").unwrap();
    symlink("file.txt", dir.join("link")).unwrap();
}

/// Every path under `dir`, `dir` included, parents before children.
fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    out.push(dir.to_path_buf());
    let mut entries: Vec<_> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    for path in entries {
        if fs::symlink_metadata(&path).unwrap().is_dir() {
            walk(&path, out);
        } else {
            out.push(path);
        }
    }
}

fn state(path: &Path) -> NodeState {
    let meta = fs::symlink_metadata(path)
        .unwrap_or_else(|e| finding(format_args!("frozen node {} is gone: {e}", path.display())));
    let data = if meta.file_type().is_symlink() {
        Some(
            fs::read_link(path)
                .map(|t| t.into_os_string().into_encoded_bytes())
                .unwrap_or_default(),
        )
    } else if meta.is_file() {
        Some(fs::read(path).unwrap_or_default())
    } else {
        None
    };
    NodeState {
        path: path.to_path_buf(),
        ino: meta.ino(),
        mode: meta.mode(),
        nlink: meta.nlink(),
        uid: meta.uid(),
        gid: meta.gid(),
        size: meta.size(),
        mtime: (meta.mtime(), meta.mtime_nsec()),
        ctime: (meta.ctime(), meta.ctime_nsec()),
        data,
    }
}

/// Events that change something.
fn mutating() -> ReadFlags {
    ReadFlags::MODIFY
        | ReadFlags::ATTRIB
        | ReadFlags::CLOSE_WRITE
        | ReadFlags::CREATE
        | ReadFlags::DELETE
        | ReadFlags::DELETE_SELF
        | ReadFlags::MOVE_SELF
        | ReadFlags::MOVED_FROM
        | ReadFlags::MOVED_TO
}

/// Events that only observe.
fn observing() -> ReadFlags {
    ReadFlags::OPEN | ReadFlags::ACCESS | ReadFlags::CLOSE_NOWRITE
}

impl Drop for Fixture {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.base);
    }
}

thread_local! {
    /// The fixture of each layout this thread has run, by tag: building the
    /// tree is the dearest part of an input, so it is built once and reset
    /// between inputs.
    static FIXTURES: RefCell<Vec<(&'static str, Fixture)>> = const { RefCell::new(Vec::new()) };
}

impl Layout {
    /// Runs `with` on this thread's fixture for this layout, building it
    /// on first use.
    pub fn with_fixture<R>(&'static self, with: impl FnOnce(&mut Fixture) -> R) -> R {
        FIXTURES.with(|cell| {
            let mut fixtures = cell.borrow_mut();
            let at = match fixtures.iter().position(|(tag, _)| *tag == self.tag) {
                Some(at) => at,
                None => {
                    fixtures.push((self.tag, Fixture::new(self)));
                    fixtures.len() - 1
                }
            };
            with(&mut fixtures[at].1)
        })
    }
}

impl Fixture {
    /// Grants the scratch directory as `/sandbox`, read-write, and the
    /// read-only tree as `/ro` (fd 3 and fd 4).
    pub fn grant_sandbox_and_read_only(&self, builder: &mut capwasi::WasiCtxBuilder) {
        use capwasi::DirPerms;
        builder
            .preopened_dir(&self.scratch, "/sandbox", DirPerms::ReadWrite)
            .expect("the scratch directory opens");
        let read_only = self
            .read_only
            .as_ref()
            .expect("the layout has a read-only tree");
        builder
            .preopened_dir(read_only, "/ro", DirPerms::ReadOnly)
            .expect("the read-only tree opens");
    }

    /// Builds the tree for `layout` in a fresh base directory.
    pub fn new(layout: &Layout) -> Self {
        let parent = parent_dir();
        remove_stale(&parent);
        let base = parent.join(format!(
            "capwasi-fuzz-{}-{}",
            layout.tag,
            std::process::id()
        ));
        let _ = fs::remove_dir_all(&base);
        let root = base.join("root");
        fs::create_dir_all(&root).unwrap();
        if BASE_FOR_EXIT.set(base.clone()).is_ok() {
            // SAFETY: registers a plain function with the C runtime; it
            // only removes this process's own scratch directory.
            unsafe { atexit(remove_base_at_exit) };
        }

        let scratch = root.join(layout.scratch);
        fs::create_dir_all(&scratch).unwrap();
        let mut frozen: Vec<(PathBuf, Role)> = Vec::new();
        for canary in layout.canaries {
            let dir = root.join(canary);
            make_canary_tree(&dir);
            let mut paths = Vec::new();
            walk(&dir, &mut paths);
            frozen.extend(paths.into_iter().map(|p| (p, Role::Canary)));
        }
        let read_only = layout.read_only.map(|ro| root.join(ro));
        if let Some(ro) = &read_only {
            make_read_only_tree(ro);
            let mut paths = Vec::new();
            walk(ro, &mut paths);
            frozen.extend(paths.into_iter().map(|p| (p, Role::ReadOnly)));
        }
        // Every directory above a tree, up to the base, is a container.
        let mut containers: Vec<PathBuf> = Vec::new();
        let tops = layout
            .canaries
            .iter()
            .chain(layout.read_only.iter())
            .chain(std::iter::once(&layout.scratch));
        for top in tops {
            let mut dir = root.join(top);
            while let Some(up) = dir.parent() {
                if !up.starts_with(&base) {
                    break;
                }
                if !containers.iter().any(|c| c == up) {
                    containers.push(up.to_path_buf());
                }
                dir = up.to_path_buf();
            }
        }
        containers.sort();
        let mut nodes: Vec<Node> = containers
            .iter()
            .map(|p| Node {
                path: p.clone(),
                role: Role::Container,
            })
            .collect();
        nodes.extend(frozen.into_iter().map(|(path, role)| Node { path, role }));
        // Children before parents, so that setting a child's times does not
        // move its parent's afterwards.
        for node in nodes.iter().rev() {
            set_frozen_time(&node.path);
        }

        let mut outside = HashSet::new();
        let mut read_only_ids = HashSet::new();
        for node in &nodes {
            let id = identity(&fs::symlink_metadata(&node.path).unwrap());
            match node.role {
                Role::ReadOnly => read_only_ids.insert(id),
                _ => outside.insert(id),
            };
        }
        let scratch_id = identity(&fs::metadata(&scratch).unwrap());

        let inotify = inotify::init(inotify::CreateFlags::NONBLOCK | inotify::CreateFlags::CLOEXEC)
            .expect("inotify_init");
        let mut watches = HashMap::new();
        // Files and symlinks are watched too, not only through their
        // directories: a hard link made elsewhere changes a file's link
        // count, and only a watch on the file itself hears of that.
        for node in &nodes {
            let wd = inotify::add_watch(
                &inotify,
                &node.path,
                WatchFlags::ALL_EVENTS | WatchFlags::DONT_FOLLOW,
            )
            .unwrap_or_else(|e| panic!("watch {}: {e}", node.path.display()));
            watches.insert(
                wd,
                Watch {
                    path: node.path.clone(),
                    role: node.role,
                },
            );
        }

        let scratch_parent = scratch.parent().unwrap().to_path_buf();
        let scratch_name = scratch.file_name().unwrap().to_str().unwrap().to_string();
        let read_only_name = read_only.as_ref().map(|ro| {
            (
                ro.parent().unwrap().to_path_buf(),
                ro.file_name().unwrap().to_str().unwrap().to_string(),
            )
        });
        let snapshot = nodes.iter().map(|n| state(&n.path)).collect();
        let mut fixture = Fixture {
            base,
            root,
            scratch,
            read_only,
            scratch_name,
            scratch_parent,
            read_only_name,
            nodes,
            snapshot,
            outside,
            read_only_ids,
            scratch_id,
            inotify,
            watches,
            events: vec![MaybeUninit::uninit(); 64 * 1024],
            always_full: std::env::var_os("CAPWASI_FUZZ_FULL_CHECK").is_some_and(|v| v == "1"),
        };
        fixture.drain();
        fixture
    }

    /// The root's absolute path, for [`crate::input::Part::HostRoot`].
    pub fn host_root(&self) -> &str {
        self.root.to_str().expect("scratch path is UTF-8")
    }

    /// Empties the scratch directory, then lets `populate` fill it, and
    /// forgets the events that caused.
    pub fn reset(&mut self, populate: impl FnOnce(&Path)) {
        for entry in fs::read_dir(&self.scratch).unwrap() {
            let entry = entry.unwrap();
            let path = entry.path();
            // `symlink_metadata` so that a symlink is removed, never
            // followed; remove_dir_all does not follow symlinks either.
            let is_dir = fs::symlink_metadata(&path)
                .map(|m| m.is_dir())
                .unwrap_or(false);
            let removed = if is_dir {
                fs::remove_dir_all(&path)
            } else {
                fs::remove_file(&path)
            };
            removed.unwrap_or_else(|e| panic!("reset {}: {e}", path.display()));
        }
        populate(&self.scratch);
        self.drain();
    }

    /// Discards pending events: the ones the harness itself caused.
    pub fn drain(&mut self) {
        let mut reader = inotify::Reader::new(&self.inotify, &mut self.events);
        loop {
            match reader.next() {
                Ok(_) => {}
                Err(rustix::io::Errno::AGAIN) => break,
                Err(e) => panic!("reading inotify events: {e}"),
            }
        }
    }

    /// Judges the events since the last check. Returns a description of
    /// the first event that touched something outside the guest's grant,
    /// and whether the queue overflowed (so that some may be lost).
    fn judge_events(&mut self) -> (Option<String>, bool) {
        let mut reader = inotify::Reader::new(&self.inotify, &mut self.events);
        let mut bad = None;
        let mut overflowed = false;
        loop {
            let event = match reader.next() {
                Ok(event) => event,
                Err(rustix::io::Errno::AGAIN) => break,
                Err(e) => panic!("reading inotify events: {e}"),
            };
            let mask = event.events();
            if mask.contains(ReadFlags::QUEUE_OVERFLOW) {
                overflowed = true;
                continue;
            }
            if mask.contains(ReadFlags::IGNORED) || bad.is_some() {
                continue;
            }
            let Some(watch) = self.watches.get(&event.wd()) else {
                continue;
            };
            let name = event.file_name().map(CStr::to_bytes).unwrap_or_default();
            let name = String::from_utf8_lossy(name).into_owned();
            let allowed = match watch.role {
                Role::Canary => false,
                Role::ReadOnly => !mask.intersects(mutating()),
                Role::Container => {
                    let touches = |dir: &Path, child: &str| {
                        watch.path == dir && !name.is_empty() && name == child
                    };
                    if touches(&self.scratch_parent, &self.scratch_name) {
                        // The guest's own preopen: it may open it and set
                        // its times, never replace or remove it.
                        !mask.intersects(
                            ReadFlags::CREATE
                                | ReadFlags::DELETE
                                | ReadFlags::MOVED_FROM
                                | ReadFlags::MOVED_TO,
                        )
                    } else if let Some((parent, ro)) = &self.read_only_name {
                        touches(parent, ro)
                            && mask.intersects(observing())
                            && !mask.intersects(mutating())
                    } else {
                        false
                    }
                }
            };
            if !allowed {
                bad = Some(format!(
                    "inotify {:?} on {}/{} ({:?})",
                    mask,
                    watch.path.display(),
                    name,
                    watch.role
                ));
            }
        }
        (bad, overflowed)
    }

    /// Compares every frozen node with the snapshot; returns the first
    /// difference.
    fn compare_snapshot(&mut self) -> Option<String> {
        let mut difference = None;
        for (node, before) in self.nodes.iter().zip(&self.snapshot) {
            let now = state(&node.path);
            if &now != before {
                difference = Some(format!(
                    "{:?} node changed:\n  before {before:?}\n  after  {now:?}",
                    node.role
                ));
                break;
            }
        }
        // The snapshot's own reads are events too.
        self.drain();
        difference
    }

    /// The oracle after one operation: nothing outside the guest's grants
    /// was opened, read or changed, and nothing read-only changed.
    ///
    /// The inotify events are judged every time: the kernel queues an event
    /// for every open, read, write, metadata change, link-count change,
    /// creation, removal and rename of a watched node before the call that
    /// caused it returns. With `full` (the targets pass it after the last
    /// operation of an input), or with `CAPWASI_FUZZ_FULL_CHECK=1` in the
    /// environment, the bytes and metadata of every frozen node are also
    /// compared with the snapshot. `what` describes the operation for the
    /// report.
    pub fn check(&mut self, full: bool, what: impl FnOnce() -> String) {
        let (bad, overflowed) = self.judge_events();
        if let Some(bad) = bad {
            finding(format_args!("{} touched a frozen tree: {bad}", what()));
        }
        if full || overflowed || self.always_full {
            if let Some(diff) = self.compare_snapshot() {
                finding(format_args!("{} changed a frozen tree: {diff}", what()));
            }
        }
    }

    /// Whether a `(dev, ino)` a guest learnt through a descriptor derived
    /// from the scratch preopen (or, with `from_read_only`, the read-only
    /// one) names something outside that grant.
    pub fn is_outside(&self, id: (u64, u64), from_read_only: bool) -> bool {
        if self.outside.contains(&id) {
            return true;
        }
        if from_read_only {
            id == self.scratch_id
        } else {
            self.read_only_ids.contains(&id)
        }
    }
}
