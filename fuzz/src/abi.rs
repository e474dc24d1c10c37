//! The `p1_abi` target: calls to any preview1 function with arbitrary raw
//! arguments, against a guest memory image the fuzzer chooses.
//!
//! The oracle, after every call:
//! - the call returned an errno that witx defines, or ended the guest only
//!   where that is its job (`proc_exit`, a fatal `proc_raise`); it never
//!   panicked and never trapped;
//! - it touched no byte outside the memory slice: the slice is cut from a
//!   larger allocation whose guard zones must keep their pattern, and when
//!   built with AddressSanitizer and the `asan` feature are poisoned, so
//!   that even a read of them is reported;
//! - the host allocated at most [`ALLOCATION_BUDGET`] bytes during the
//!   call (the target installs a counting allocator; see
//!   [`AllocationMeter`]);
//! - nothing outside the preopens was touched ([`Fixture::check`]).

use std::fs;
use std::path::Path;

use arbitrary::{Arbitrary, Result, Unstructured};
use capwasi::clock::SteppingClock;
use capwasi::p1::types::{eventtype, subclockflags, subscription};
use capwasi::p1::{Errno, WasiP1Ctx};
use capwasi::p1::{ValType, FUNCTIONS};
use capwasi::random::Deterministic;
use capwasi::{Stdio, Termination, WasiCtxBuilder};

use crate::finding;
use crate::fixture::{Fixture, Layout};
use crate::input::{byte, read_seq, word16, word32, word64, Encode};

/// The most calls one input makes.
pub const MAX_CALLS: usize = 16;

/// Guest memory sizes an input picks from: none at all, tiny, one wasm
/// page and a few pages. Bounded, so that what the host may allocate per
/// call is bounded too.
pub const MEMORY_SIZES: [usize; 6] = [0, 7, 100, 4096, 65536, 4 * 65536];

/// The most the host may allocate (in live bytes at its peak) during one
/// call. Every guest-controlled size is bounded by the guest's memory, at
/// most 256 KiB here, so a call that needs more than this allocates in
/// proportion to something else: a finding.
pub const ALLOCATION_BUDGET: usize = 4 << 20;

/// Bytes of guard zone on each side of the memory slice.
const GUARD: usize = 16 * 1024;
const GUARD_BYTE: u8 = 0xA5;
/// What both guard zones hold; compared as a whole, so that the check is
/// one `memcmp` rather than a comparison per byte.
static GUARD_PATTERN: [u8; GUARD] = [GUARD_BYTE; GUARD];

/// The instant the fixed clocks read, in nanoseconds.
pub(crate) const NOW: u64 = 1_700_000_000_000_000_000;

/// A `poll_oneoff` clock that would make the call wait longer than this is
/// not made: the wait is real time, and a sleeping guest is no finding.
const MAX_POLL_WAIT_NS: u64 = 100_000;

/// A call's argument, as the fuzzer shapes it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Arg {
    /// A small number: a descriptor, a flag set, a count.
    Small(u8),
    /// A 16-bit number, typically a pointer into a small memory.
    Short(u16),
    /// Any 32-bit value.
    Word(u32),
    /// Any 64-bit value.
    Wide(u64),
    /// The memory size minus this: pointers at and just past the end.
    FromEnd(u8),
    /// `u32::MAX` minus this: pointers and lengths that wrap.
    FromTop(u8),
}

impl Arg {
    pub(crate) fn read(u: &mut Unstructured<'_>) -> Result<Self> {
        Ok(match byte(u)? % 6 {
            0 => Arg::Small(byte(u)?),
            1 => Arg::Short(word16(u)?),
            2 => Arg::Word(word32(u)?),
            3 => Arg::Wide(word64(u)?),
            4 => Arg::FromEnd(byte(u)?),
            _ => Arg::FromTop(byte(u)?),
        })
    }

    /// The raw value, for a parameter of type `ty` in a memory of
    /// `memory` bytes. An `i32` is zero-extended, as adapters pass it.
    pub fn value(self, ty: ValType, memory: usize) -> u64 {
        let v = self.raw(memory);
        match ty {
            ValType::I32 => v & 0xFFFF_FFFF,
            ValType::I64 => v,
        }
    }

    /// The value before it is cut to a parameter's width, in a memory of
    /// `memory` bytes.
    pub(crate) fn raw(self, memory: usize) -> u64 {
        match self {
            Arg::Small(v) => v as u64,
            Arg::Short(v) => v as u64,
            Arg::Word(v) => v as u64,
            Arg::Wide(v) => v,
            Arg::FromEnd(v) => (memory as u64).wrapping_sub(v as u64),
            Arg::FromTop(v) => (u32::MAX - v as u32) as u64,
        }
    }
}

impl Encode for Arg {
    fn encode(&self, out: &mut Vec<u8>) {
        match *self {
            Arg::Small(v) => out.extend_from_slice(&[0, v]),
            Arg::Short(v) => {
                out.push(1);
                out.extend_from_slice(&v.to_le_bytes());
            }
            Arg::Word(v) => {
                out.push(2);
                out.extend_from_slice(&v.to_le_bytes());
            }
            Arg::Wide(v) => {
                out.push(3);
                out.extend_from_slice(&v.to_le_bytes());
            }
            Arg::FromEnd(v) => out.extend_from_slice(&[4, v]),
            Arg::FromTop(v) => out.extend_from_slice(&[5, v]),
        }
    }
}

/// One call: a function (an index into the table, modulo its length) and
/// one argument per parameter.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Call {
    /// Index into [`FUNCTIONS`], modulo its length.
    pub func: u8,
    /// The arguments, one per parameter.
    pub args: Vec<Arg>,
}

impl Call {
    /// A call to the function named `name`.
    pub fn to(name: &str, args: Vec<Arg>) -> Self {
        let func = FUNCTIONS
            .iter()
            .position(|f| f.name == name)
            .unwrap_or_else(|| panic!("no preview1 function {name}"));
        assert_eq!(FUNCTIONS[func].params.len(), args.len(), "{name}");
        Call {
            func: func as u8,
            args,
        }
    }

    fn read(u: &mut Unstructured<'_>) -> Result<Self> {
        let func = byte(u)?;
        let params = FUNCTIONS[func as usize % FUNCTIONS.len()].params.len();
        let mut args = Vec::with_capacity(params);
        for _ in 0..params {
            args.push(Arg::read(u)?);
        }
        Ok(Call { func, args })
    }
}

impl Encode for Call {
    fn encode(&self, out: &mut Vec<u8>) {
        out.push(self.func);
        for arg in &self.args {
            arg.encode(out);
        }
    }
}

/// A whole input: the memory size, the calls, and the memory image (the
/// rest of the input, copied to the start of memory).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Input {
    /// Index into [`MEMORY_SIZES`], modulo its length.
    pub memory_size: u8,
    /// The calls, in order.
    pub calls: Vec<Call>,
    /// The start of memory; the rest is zero.
    pub image: Vec<u8>,
}

impl<'a> Arbitrary<'a> for Input {
    fn arbitrary(u: &mut Unstructured<'a>) -> Result<Self> {
        let memory_size = byte(u)?;
        let count = (byte(u)? as usize) % (MAX_CALLS + 1);
        let calls = read_seq(u, count, Call::read)?;
        let image = u.bytes(u.len())?.to_vec();
        Ok(Input {
            memory_size,
            calls,
            image,
        })
    }
}

impl Encode for Input {
    fn encode(&self, out: &mut Vec<u8>) {
        out.push(self.memory_size);
        out.push(self.calls.len() as u8);
        for call in &self.calls {
            call.encode(out);
        }
        out.extend_from_slice(&self.image);
    }
}

/// Counts the bytes a global allocator hands out, so that a target can
/// bound what one call allocates. A target installs it with
/// `#[global_allocator]`.
pub struct AllocationMeter;

static LIVE: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
static PEAK: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

// SAFETY: every method forwards to the system allocator unchanged; the
// counters only observe sizes.
unsafe impl std::alloc::GlobalAlloc for AllocationMeter {
    unsafe fn alloc(&self, layout: std::alloc::Layout) -> *mut u8 {
        note_alloc(layout.size());
        // SAFETY: forwarded with the caller's layout.
        unsafe { std::alloc::System.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: std::alloc::Layout) -> *mut u8 {
        note_alloc(layout.size());
        // SAFETY: forwarded with the caller's layout.
        unsafe { std::alloc::System.alloc_zeroed(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: std::alloc::Layout) {
        LIVE.fetch_sub(layout.size(), std::sync::atomic::Ordering::Relaxed);
        // SAFETY: forwarded with the caller's pointer and layout.
        unsafe { std::alloc::System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: std::alloc::Layout, new: usize) -> *mut u8 {
        // A reallocation may hold both blocks at once.
        note_alloc(new);
        // SAFETY: forwarded with the caller's pointer, layout and size.
        let moved = unsafe { std::alloc::System.realloc(ptr, layout, new) };
        LIVE.fetch_sub(layout.size(), std::sync::atomic::Ordering::Relaxed);
        moved
    }
}

fn note_alloc(size: usize) {
    use std::sync::atomic::Ordering::Relaxed;
    let live = LIVE.fetch_add(size, Relaxed) + size;
    PEAK.fetch_max(live, Relaxed);
}

impl AllocationMeter {
    /// Starts measuring: returns the live bytes now, and resets the peak.
    pub fn start() -> usize {
        use std::sync::atomic::Ordering::Relaxed;
        let live = LIVE.load(Relaxed);
        PEAK.store(live, Relaxed);
        live
    }

    /// The most bytes that were live at once since [`Self::start`],
    /// beyond what was live then.
    pub fn peak_since(start: usize) -> usize {
        PEAK.load(std::sync::atomic::Ordering::Relaxed)
            .saturating_sub(start)
    }
}

#[cfg(feature = "asan")]
mod asan {
    extern "C" {
        fn __asan_poison_memory_region(addr: *const u8, size: usize);
        fn __asan_unpoison_memory_region(addr: *const u8, size: usize);
    }

    pub fn poison(bytes: &[u8]) {
        // SAFETY: marks bytes this code owns; it only changes what ASan
        // reports about them.
        unsafe { __asan_poison_memory_region(bytes.as_ptr(), bytes.len()) }
    }

    pub fn unpoison(bytes: &[u8]) {
        // SAFETY: as above.
        unsafe { __asan_unpoison_memory_region(bytes.as_ptr(), bytes.len()) }
    }
}

#[cfg(not(feature = "asan"))]
mod asan {
    pub fn poison(_: &[u8]) {}
    pub fn unpoison(_: &[u8]) {}
}

/// A guest memory of `len` bytes between two guard zones.
pub(crate) struct GuardedMemory {
    block: Vec<u8>,
    len: usize,
}

impl GuardedMemory {
    pub(crate) fn new(len: usize, image: &[u8]) -> Self {
        let mut block = vec![GUARD_BYTE; GUARD + len + GUARD];
        let memory = &mut block[GUARD..GUARD + len];
        memory.fill(0);
        let n = image.len().min(len);
        memory[..n].copy_from_slice(&image[..n]);
        let guarded = GuardedMemory { block, len };
        asan::poison(&guarded.block[..GUARD]);
        asan::poison(&guarded.block[GUARD + len..]);
        guarded
    }

    pub(crate) fn memory(&mut self) -> &mut [u8] {
        &mut self.block[GUARD..GUARD + self.len]
    }

    /// Whether both guard zones still hold their pattern.
    pub(crate) fn guards_intact(&self) -> bool {
        asan::unpoison(&self.block[..GUARD]);
        asan::unpoison(&self.block[GUARD + self.len..]);
        let intact = self.block[..GUARD] == GUARD_PATTERN[..]
            && self.block[GUARD + self.len..] == GUARD_PATTERN[..];
        asan::poison(&self.block[..GUARD]);
        asan::poison(&self.block[GUARD + self.len..]);
        intact
    }
}

impl Drop for GuardedMemory {
    fn drop(&mut self) {
        asan::unpoison(&self.block);
    }
}

/// Whether `poll_oneoff` with these arguments could wait longer than
/// [`MAX_POLL_WAIT_NS`]: whether any subscription it would decode is a
/// clock due later than that. The clocks read [`NOW`].
fn poll_would_wait(memory: &[u8], subscriptions: u64, count: u64) -> bool {
    for i in 0..count.min((memory.len() / subscription::SIZE as usize) as u64) {
        let base = subscriptions + i * subscription::SIZE as u64;
        let at = |offset: u32, len: usize| -> Option<&[u8]> {
            let start = usize::try_from(base + offset as u64).ok()?;
            memory.get(start..start.checked_add(len)?)
        };
        let Some(tag) = at(subscription::TAG, 1) else {
            return false;
        };
        if tag[0] != eventtype::CLOCK {
            continue;
        }
        let (Some(timeout), Some(flags)) = (
            at(subscription::CLOCK_TIMEOUT, 8),
            at(subscription::CLOCK_FLAGS, 2),
        ) else {
            return false;
        };
        let timeout = u64::from_le_bytes(timeout.try_into().unwrap());
        let flags = u16::from_le_bytes(flags.try_into().unwrap());
        let due = if flags & subclockflags::SUBSCRIPTION_CLOCK_ABSTIME != 0 {
            timeout.saturating_sub(NOW)
        } else {
            timeout
        };
        if due > MAX_POLL_WAIT_NS {
            return true;
        }
    }
    false
}

/// Whether the harness skips this call to spare the machine rather than to
/// spare the host code: a real wait, or disk space reserved for real.
fn skipped(name: &str, memory: &[u8], args: &[u64]) -> bool {
    match name {
        "poll_oneoff" => poll_would_wait(memory, args[0], args[2]),
        "fd_allocate" => args[1].saturating_add(args[2]) > 1 << 20,
        _ => false,
    }
}

const LAYOUT: Layout = Layout {
    tag: "p1_abi",
    canaries: &["outside"],
    read_only: Some("ro"),
    scratch: "sandbox",
};

/// Runs one input and checks the oracle after every call.
pub fn run(input: &Input) {
    LAYOUT.with_fixture(|fixture| run_in(fixture, input));
}

/// What the scratch preopen holds at the start of every input.
pub(crate) fn populate_sandbox(sandbox: &Path) {
    fs::write(sandbox.join("file.txt"), b"0123456789").unwrap();
    fs::create_dir(sandbox.join("dir")).unwrap();
    std::os::unix::fs::symlink("file.txt", sandbox.join("link")).unwrap();
}

/// The grants every input starts with: arguments, environment, stdin
/// bytes, fixed clocks, deterministic randomness, a descriptor limit, and
/// the fixture's sandbox and read-only preopens.
pub(crate) fn grants(fixture: &Fixture) -> WasiCtxBuilder {
    let mut b = WasiCtxBuilder::new();
    b.args(["prog", "arg one", "ünï"])
        .env("KEY", "value")
        .env("EMPTY", "")
        .stdin(Stdio::input(b"stdin bytes\n".to_vec()))
        .wall_clock(SteppingClock::new(NOW, 0))
        .monotonic_clock(SteppingClock::new(NOW, 0))
        .random(Deterministic::new(7))
        .max_open_fds(32);
    fixture.grant_sandbox_and_read_only(&mut b);
    b
}

fn run_in(fixture: &mut Fixture, input: &Input) {
    fixture.reset(populate_sandbox);
    let mut ctx = WasiP1Ctx::new(grants(fixture).build().unwrap());
    let size = MEMORY_SIZES[input.memory_size as usize % MEMORY_SIZES.len()];
    let mut memory = GuardedMemory::new(size, &input.image);
    for (i, call) in input.calls.iter().enumerate() {
        let func = &FUNCTIONS[call.func as usize % FUNCTIONS.len()];
        let args: Vec<u64> = func
            .params
            .iter()
            .zip(&call.args)
            .map(|(&ty, arg)| arg.value(ty, size))
            .collect();
        if skipped(func.name, memory.memory(), &args) {
            continue;
        }
        let start = AllocationMeter::start();
        let result = (func.call)(&mut ctx, memory.memory(), &args);
        let allocated = AllocationMeter::peak_since(start);
        let what = || {
            format!(
                "call {i}: {}{args:x?} with {size} bytes of memory",
                func.name
            )
        };
        if allocated > ALLOCATION_BUDGET {
            finding(format_args!("{} allocated {allocated} bytes", what()));
        }
        if !memory.guards_intact() {
            finding(format_args!("{} wrote outside guest memory", what()));
        }
        fixture.check(false, what);
        match result {
            Ok(code) => {
                if u16::try_from(code).ok().and_then(Errno::from_u16).is_none() {
                    finding(format_args!("{} returned {code}, not an errno", what()));
                }
            }
            Err(Termination::Exit(_)) if matches!(func.name, "proc_exit" | "proc_raise") => break,
            Err(other) => finding(format_args!("{} ended the guest: {other:?}", what())),
        }
    }
    drop(ctx);
    fixture.check(true, || "after the last call".to_string());
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn guards_see_a_write_past_either_end() {
        for size in MEMORY_SIZES {
            let mut memory = GuardedMemory::new(size, b"image");
            memory.memory().fill(0xFF);
            assert!(memory.guards_intact(), "writes inside are fine");
            memory.block[GUARD + size] ^= 1;
            assert!(
                !memory.guards_intact(),
                "one byte past the end, size {size}"
            );
            memory.block[GUARD + size] ^= 1;
            memory.block[GUARD - 1] ^= 1;
            assert!(
                !memory.guards_intact(),
                "one byte before the start, size {size}"
            );
        }
    }

    #[test]
    fn a_long_poll_is_skipped_and_a_short_one_is_not() {
        let mut memory = vec![0u8; 256];
        let sub = |memory: &mut [u8], timeout: u64, flags: u16| {
            memory[subscription::TAG as usize] = eventtype::CLOCK;
            let t = subscription::CLOCK_TIMEOUT as usize;
            memory[t..t + 8].copy_from_slice(&timeout.to_le_bytes());
            let f = subscription::CLOCK_FLAGS as usize;
            memory[f..f + 2].copy_from_slice(&flags.to_le_bytes());
        };
        sub(&mut memory, 1000, 0);
        assert!(!poll_would_wait(&memory, 0, 1));
        sub(&mut memory, 10_000_000_000, 0);
        assert!(poll_would_wait(&memory, 0, 1));
        sub(
            &mut memory,
            NOW + 1000,
            subclockflags::SUBSCRIPTION_CLOCK_ABSTIME,
        );
        assert!(!poll_would_wait(&memory, 0, 1));
        sub(
            &mut memory,
            NOW + 10_000_000,
            subclockflags::SUBSCRIPTION_CLOCK_ABSTIME,
        );
        assert!(poll_would_wait(&memory, 0, 1));
    }
}
