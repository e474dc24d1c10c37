//! A race between the guest and the host filesystem.
//!
//! A host thread keeps swapping `d` inside the sandbox between a real
//! directory and a symlink that points outside (relative and absolute in
//! turn), each swap one atomic `renameat2(RENAME_EXCHANGE)`, so that `d`
//! always exists and is one or the other. Meanwhile the guest
//! (`tests/guests/src/reg_race.c`) opens `d/f` for writing and writes a
//! marker, reads `d/secret.txt`, and makes and removes `d/newdir`, at least
//! 10,000 times. A resolver that checked a path and then used it would
//! lose this race sooner or later; one that resolves beneath a handle in a
//! single kernel call cannot. Nothing outside may be read or changed.

use std::fs;
use std::os::unix::fs::symlink;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{mpsc, Arc};
use std::thread;
use std::time::Duration;

use capwasi::{DirPerms, Engine, OutputPipe, Stdio, WasiCtxBuilder};
use rustix::fs::{renameat_with, RenameFlags, CWD};

/// How many times the guest tries.
const ATTEMPTS: u64 = 10_000;

/// Only a guard against a hang, not a speed requirement.
const HANG_GUARD: Duration = Duration::from_secs(120);

const MARKER: &[u8] = b"RACE-MARKER";
const OUTSIDE_SECRET: &[u8] = b"OUTSIDE secret, never to be read\n";

fn guest() -> Vec<u8> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/guests/bin/reg_race.wasm");
    fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Every path under `dir` with its contents (or symlink text), sorted.
fn tree(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut out = Vec::new();
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let meta = fs::symlink_metadata(&path).unwrap();
        if meta.is_symlink() {
            let text = fs::read_link(&path).unwrap().into_os_string();
            out.push((path, text.into_encoded_bytes()));
        } else if meta.is_dir() {
            out.push((path.clone(), Vec::new()));
            out.extend(tree(&path));
        } else {
            out.push((path.clone(), fs::read(&path).unwrap()));
        }
    }
    out.sort();
    out
}

/// The counts the guest prints on its last line.
struct Counts {
    attempts: u64,
    opened: u64,
    refused: u64,
    other: u64,
}

fn parse_counts(stdout: &str) -> Counts {
    let words: Vec<&str> = stdout
        .lines()
        .last()
        .unwrap_or_default()
        .split(' ')
        .collect();
    let field = |name: &str| -> u64 {
        let at = words
            .iter()
            .position(|w| *w == name)
            .unwrap_or_else(|| panic!("no {name} in {stdout:?}"));
        words[at + 1].parse().unwrap()
    };
    Counts {
        attempts: field("attempts"),
        opened: field("opened"),
        refused: field("refused"),
        other: field("other"),
    }
}

#[test]
fn swapping_a_directory_for_a_symlink_never_lets_the_guest_out() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    let sandbox = root.join("sandbox");
    let outside = root.join("outside");
    fs::create_dir_all(sandbox.join("d")).unwrap();
    fs::create_dir(&outside).unwrap();
    fs::write(outside.join("secret.txt"), OUTSIDE_SECRET).unwrap();
    fs::create_dir(outside.join("sub")).unwrap();
    fs::write(sandbox.join("d/secret.txt"), b"inside secret\n").unwrap();
    // The two symlinks `d` takes turns with; while `d` is one of them, the
    // real directory waits under that one's name, still inside.
    let rel = sandbox.join("swap_rel");
    let abs = sandbox.join("swap_abs");
    symlink("../outside", &rel).unwrap();
    symlink(&outside, &abs).unwrap();
    let before = tree(&outside);

    let stop = Arc::new(AtomicBool::new(false));
    let swaps = Arc::new(AtomicU64::new(0));
    let swapper = {
        let (stop, swaps, d) = (stop.clone(), swaps.clone(), sandbox.join("d"));
        thread::spawn(move || {
            let mut cycle = 0u64;
            while !stop.load(Ordering::Relaxed) {
                for alt in [&rel, &abs] {
                    // There and back: `d` is a symlink out in between. Each
                    // state is held for a varying time, from nothing (the
                    // swap lands inside a lookup) to longer than a whole
                    // open, so that every interleaving comes up.
                    for _ in 0..2 {
                        renameat_with(CWD, &d, CWD, alt, RenameFlags::EXCHANGE)
                            .expect("renameat2(RENAME_EXCHANGE)");
                        swaps.fetch_add(1, Ordering::Relaxed);
                        cycle += 1;
                        for _ in 0..(cycle % 16) * 1000 {
                            std::hint::spin_loop();
                        }
                    }
                }
            }
        })
    };

    let (done, outcome) = mpsc::channel();
    {
        let sandbox = sandbox.clone();
        thread::spawn(move || {
            let stdout = OutputPipe::new();
            let mut builder = WasiCtxBuilder::new();
            builder
                .args(["reg_race", &ATTEMPTS.to_string()])
                .stdout(Stdio::output(stdout.clone()))
                .preopened_dir(&sandbox, "/sandbox", DirPerms::ReadWrite)
                .unwrap();
            let ctx = builder.build().unwrap();
            let status = capwasi_wasmtime::WasmtimeEngine::new().run(&guest(), ctx);
            let _ = done.send((
                status,
                String::from_utf8_lossy(&stdout.contents()).into_owned(),
            ));
        });
    }
    let (status, stdout) = outcome
        .recv_timeout(HANG_GUARD)
        .unwrap_or_else(|_| panic!("the guest did not finish within {HANG_GUARD:?}"));
    stop.store(true, Ordering::Relaxed);
    swapper.join().expect("swapper thread");

    assert_eq!(status, Ok(0), "guest output:\n{stdout}");
    let counts = parse_counts(&stdout);
    let swaps = swaps.load(Ordering::Relaxed);
    eprintln!(
        "{} attempts: {} opened through the directory, {} refused through a symlink, \
         {} other errors; {swaps} swaps",
        counts.attempts, counts.opened, counts.refused, counts.other
    );
    assert!(counts.attempts >= ATTEMPTS);
    assert_eq!(
        counts.opened + counts.refused + counts.other,
        counts.attempts
    );
    // Both sides of the race were met, so the test exercised it.
    assert!(swaps > 0, "the host never swapped");
    assert!(
        counts.opened > 0,
        "the guest never wrote through the directory"
    );
    assert!(counts.refused > 0, "the guest never met the symlink");

    // Nothing outside was written, created or removed.
    assert_eq!(tree(&outside), before, "the outside tree changed");
    for (path, bytes) in tree(root) {
        if !path.starts_with(&sandbox) {
            assert!(
                !bytes.windows(MARKER.len()).any(|w| w == MARKER),
                "{} holds the guest's marker",
                path.display()
            );
        }
    }
    // The guest's writes landed inside, in the real directory.
    let inside = tree(&sandbox);
    assert!(inside
        .iter()
        .any(|(p, b)| p.ends_with("f") && b.starts_with(MARKER)));
}
