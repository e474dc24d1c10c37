//! The `p2_abi` target: calls to any wasi 0.2 function through its
//! canonical-ABI binding (`capwasi::component::host::functions()`), with
//! arbitrary flat arguments, against a guest memory image and a guest
//! allocator (`cabi_realloc`) that the fuzzer chooses.
//!
//! This is `p1_abi` for the component path: the same argument kinds,
//! memory sizes, guard zones, allocation budget and fixture. What is new is
//! the allocator, which the host calls to make room for the lists and
//! strings it returns: per call, a bump allocator that honours `align`, or
//! one that answers a pointer at or past the end of memory, a misaligned
//! pointer, a pointer that wraps, or a trap.
//!
//! The oracle, after every call:
//! - the call returned, or trapped; it ended the guest only where that is
//!   its job (`wasi:cli/exit`), and never panicked;
//! - it touched no byte outside the memory slice (`p1_abi`'s guard zones,
//!   poisoned under the `asan` feature);
//! - the host allocated at most [`ALLOCATION_BUDGET`] bytes during the
//!   call;
//! - it asked the allocator only for an alignment the canonical ABI has
//!   (1, 2, 4 or 8);
//! - a call that returned wrote a value of its result's flat type;
//! - nothing outside the preopens was touched ([`Fixture::check`]).
//!
//! Calls that could really sleep for long are not made.

use std::sync::OnceLock;

use arbitrary::{Arbitrary, Result, Unstructured};
use capwasi::clock::SteppingClock;
use capwasi::component::abi::{Guest, Val};
use capwasi::component::host::{self, HostFunc};
use capwasi::component::FlatType;
use capwasi::p2::WasiP2Ctx;
use capwasi::Termination;

use crate::abi::{
    self, AllocationMeter, Arg, GuardedMemory, ALLOCATION_BUDGET, MAX_CALLS, MEMORY_SIZES, NOW,
};
use crate::finding;
use crate::fixture::{Fixture, Layout};
use crate::guest::tracing_calls;
use crate::input::{byte, read_seq, Encode};

/// How far the monotonic clock moves each time it is read, so that a wait
/// for a deadline ends after a few readings.
pub const MONOTONIC_STEP: u64 = 50_000;

/// A pollable for a deadline further than this from the clock's start is
/// not made: a wait on it would be real time, and a sleeping guest is no
/// finding. The clock never goes back, so every deadline that is made is
/// at most this far away whenever it is waited on.
pub const MAX_WAIT_NS: u64 = 100_000;

/// Every wasi 0.2 function, in the order of
/// `capwasi::component::host::functions()`: what a call's `func` indexes.
pub fn functions() -> &'static [&'static HostFunc] {
    static FUNCTIONS: OnceLock<Vec<&'static HostFunc>> = OnceLock::new();
    FUNCTIONS.get_or_init(|| host::functions().collect())
}

/// What the guest's `cabi_realloc` does for one call.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Realloc {
    /// A bump allocator in the upper half of memory that honours `align`
    /// and traps once it runs out, as a guest's allocator would.
    Bump,
    /// The end of memory minus `size`, rounded down to `align`, plus this:
    /// an allocation that ends exactly at the end of memory, or past it.
    AtEnd(u8),
    /// What [`Realloc::Bump`] would answer, plus one.
    Misaligned,
    /// `u32::MAX` minus this.
    FromTop(u8),
    /// A trap, as an allocator that ran out would.
    Trap,
}

impl Realloc {
    fn read(u: &mut Unstructured<'_>) -> Result<Self> {
        Ok(match byte(u)? % 5 {
            0 => Realloc::Bump,
            1 => Realloc::AtEnd(byte(u)?),
            2 => Realloc::Misaligned,
            3 => Realloc::FromTop(byte(u)?),
            _ => Realloc::Trap,
        })
    }
}

impl Encode for Realloc {
    fn encode(&self, out: &mut Vec<u8>) {
        match *self {
            Realloc::Bump => out.push(0),
            Realloc::AtEnd(k) => out.extend_from_slice(&[1, k]),
            Realloc::Misaligned => out.push(2),
            Realloc::FromTop(k) => out.extend_from_slice(&[3, k]),
            Realloc::Trap => out.push(4),
        }
    }
}

/// One call: a function (an index into [`functions`], modulo its length),
/// what the allocator does during it, and one argument per flat parameter
/// (the return pointer included).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Call {
    /// Index into [`functions`], modulo its length.
    pub func: u8,
    /// The guest's allocator during this call.
    pub realloc: Realloc,
    /// The arguments, one per flat parameter.
    pub args: Vec<Arg>,
}

impl Call {
    /// A call to `function` of `interface` (without its version), with
    /// the allocator behaving as `realloc`.
    pub fn to(interface: &str, function: &str, realloc: Realloc, args: Vec<Arg>) -> Self {
        let table = functions();
        let func = table
            .iter()
            .position(|f| f.interface == interface && f.function == function)
            .unwrap_or_else(|| panic!("no wasi 0.2 function {interface}#{function}"));
        assert!(
            func < 256,
            "{interface}#{function} is past what a byte indexes"
        );
        let params = (table[func].flat)().0.len();
        assert_eq!(params, args.len(), "{interface}#{function}");
        Call {
            func: func as u8,
            realloc,
            args,
        }
    }

    fn read(u: &mut Unstructured<'_>) -> Result<Self> {
        let table = functions();
        let func = byte(u)?;
        let realloc = Realloc::read(u)?;
        let params = (table[func as usize % table.len()].flat)().0.len();
        let mut args = Vec::with_capacity(params);
        for _ in 0..params {
            args.push(Arg::read(u)?);
        }
        Ok(Call {
            func,
            realloc,
            args,
        })
    }
}

impl Encode for Call {
    fn encode(&self, out: &mut Vec<u8>) {
        out.push(self.func);
        self.realloc.encode(out);
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
        assert!(self.calls.len() <= MAX_CALLS, "too many calls in a seed");
        out.push(self.memory_size);
        out.push(self.calls.len() as u8);
        for call in &self.calls {
            call.encode(out);
        }
        out.extend_from_slice(&self.image);
    }
}

/// The flat value of `arg` for a parameter of type `ty`, in a memory of
/// `memory` bytes: an `i32` takes the low 32 bits, as an engine passes it.
pub fn value(arg: Arg, ty: FlatType, memory: usize) -> Val {
    let v = arg.raw(memory);
    match ty {
        FlatType::I32 => Val::I32(v as u32 as i32),
        FlatType::I64 => Val::I64(v as i64),
        FlatType::F32 => Val::F32(f32::from_bits(v as u32)),
        FlatType::F64 => Val::F64(f64::from_bits(v)),
    }
}

/// Whether `val` is of flat type `ty`.
fn has_type(val: &Val, ty: FlatType) -> bool {
    matches!(
        (val, ty),
        (Val::I32(_), FlatType::I32)
            | (Val::I64(_), FlatType::I64)
            | (Val::F32(_), FlatType::F32)
            | (Val::F64(_), FlatType::F64)
    )
}

/// The bump allocator's state for one input: the next free byte.
struct Heap {
    next: u32,
    end: u32,
}

impl Heap {
    /// A heap in the upper half of a memory of `len` bytes, so that the
    /// image's arguments and return areas in the lower half stay apart
    /// from what the host allocates.
    fn new(len: usize) -> Self {
        let end = len as u32;
        Heap {
            next: (end / 2).next_multiple_of(8).min(end),
            end,
        }
    }

    /// Room for `size` bytes aligned to `align`, or `None` when it has run
    /// out (or `align` is no alignment at all).
    fn bump(&mut self, align: u32, size: u32) -> Option<u32> {
        if !align.is_power_of_two() {
            return None;
        }
        let at = self.next.checked_next_multiple_of(align)?;
        let end = at.checked_add(size)?;
        if end > self.end {
            return None;
        }
        self.next = end;
        Some(at)
    }
}

/// The guest as the host sees it during one call.
struct FuzzGuest<'a> {
    memory: &'a mut GuardedMemory,
    ctx: &'a mut WasiP2Ctx,
    heap: &'a mut Heap,
    realloc: Realloc,
    /// An alignment the host asked for that the canonical ABI never uses.
    bad_align: Option<u32>,
}

impl Guest for FuzzGuest<'_> {
    fn memory_and_ctx(&mut self) -> (&mut [u8], &mut WasiP2Ctx) {
        (self.memory.memory(), self.ctx)
    }

    fn realloc(&mut self, align: u32, size: u32) -> std::result::Result<u32, Termination> {
        if !matches!(align, 1 | 2 | 4 | 8) {
            self.bad_align.get_or_insert(align);
        }
        let out_of_memory = || Termination::Trap("cabi_realloc: out of memory".to_string());
        match self.realloc {
            Realloc::Bump => self.heap.bump(align, size).ok_or_else(out_of_memory),
            Realloc::AtEnd(k) => {
                let end = self.heap.end.wrapping_sub(size);
                let mask = !(align.max(1) - 1);
                Ok((end & mask).wrapping_add(k as u32))
            }
            Realloc::Misaligned => self
                .heap
                .bump(align, size.saturating_add(1))
                .map(|at| at + 1)
                .ok_or_else(out_of_memory),
            Realloc::FromTop(k) => Ok(u32::MAX - k as u32),
            Realloc::Trap => Err(Termination::Trap("cabi_realloc trapped".to_string())),
        }
    }
}

/// Whether the harness skips this call to spare the machine rather than to
/// spare the host code: a pollable for a deadline that a later `poll` or
/// `block` would really sleep until.
fn skipped(func: &HostFunc, args: &[Val]) -> bool {
    let when = || match args.first() {
        Some(Val::I64(v)) => *v as u64,
        _ => 0,
    };
    match (func.interface, func.function) {
        ("wasi:clocks/monotonic-clock", "subscribe-duration") => when() > MAX_WAIT_NS,
        ("wasi:clocks/monotonic-clock", "subscribe-instant") => {
            when().saturating_sub(NOW) > MAX_WAIT_NS
        }
        _ => false,
    }
}

const LAYOUT: Layout = Layout {
    tag: "p2_abi",
    canaries: &["outside"],
    read_only: Some("ro"),
    scratch: "sandbox",
};

/// Runs one input and checks the oracle after every call.
pub fn run(input: &Input) {
    run_with(functions(), input);
}

/// Runs one input against `table` rather than [`functions`]: how the
/// oracle's tests stand in a host that misbehaves.
pub fn run_with(table: &[&HostFunc], input: &Input) {
    LAYOUT.with_fixture(|fixture| run_in(fixture, table, input));
}

fn run_in(fixture: &mut Fixture, table: &[&HostFunc], input: &Input) {
    fixture.reset(abi::populate_sandbox);
    let mut ctx = {
        let mut b = abi::grants(fixture);
        b.monotonic_clock(SteppingClock::new(NOW, MONOTONIC_STEP));
        WasiP2Ctx::new(b.build().unwrap())
    };
    let size = MEMORY_SIZES[input.memory_size as usize % MEMORY_SIZES.len()];
    let mut memory = GuardedMemory::new(size, &input.image);
    let mut heap = Heap::new(size);
    for (i, call) in input.calls.iter().enumerate() {
        let func = table[call.func as usize % table.len()];
        let (params, results) = (func.flat)();
        let args: Vec<Val> = params
            .iter()
            .zip(&call.args)
            .map(|(&ty, &arg)| value(arg, ty, size))
            .collect();
        if skipped(func, &args) {
            continue;
        }
        let mut out: Vec<Val> = results.iter().map(|&ty| Val::zero(ty)).collect();
        let mut guest = FuzzGuest {
            memory: &mut memory,
            ctx: &mut ctx,
            heap: &mut heap,
            realloc: call.realloc,
            bad_align: None,
        };
        let start = AllocationMeter::start();
        let result = (func.call)(&mut guest, &args, &mut out);
        let allocated = AllocationMeter::peak_since(start);
        let bad_align = guest.bad_align;
        let what = || {
            format!(
                "call {i}: {func:?}{args:x?} with {size} bytes of memory and realloc {:?}",
                call.realloc
            )
        };
        if tracing_calls() {
            // When the result goes through memory, the last argument is
            // the return pointer: show what it points at.
            let at = match (results.is_empty(), args.last()) {
                (true, Some(Val::I32(at))) => *at as u32 as usize,
                _ => usize::MAX,
            };
            let area = memory.memory().get(at..at.saturating_add(16).min(size));
            eprintln!("{} -> {result:?} {out:x?} {area:x?}", what());
        }
        if allocated > ALLOCATION_BUDGET {
            finding(format_args!("{} allocated {allocated} bytes", what()));
        }
        if !memory.guards_intact() {
            finding(format_args!("{} wrote outside guest memory", what()));
        }
        if let Some(align) = bad_align {
            finding(format_args!(
                "{} asked cabi_realloc for alignment {align}",
                what()
            ));
        }
        fixture.check(false, what);
        match result {
            Ok(()) => {
                let typed = out.len() == results.len()
                    && out.iter().zip(&results).all(|(v, &ty)| has_type(v, ty));
                if !typed {
                    finding(format_args!(
                        "{} returned {out:?} for results of type {results:?}",
                        what()
                    ));
                }
            }
            Err(Termination::Trap(_)) => {}
            Err(Termination::Exit(_)) if func.interface == "wasi:cli/exit" => break,
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
    fn every_function_is_reachable_from_a_byte() {
        assert!(functions().len() <= 256, "{}", functions().len());
    }

    #[test]
    fn the_bump_allocator_honours_alignment_and_runs_out() {
        let mut heap = Heap::new(4096);
        assert_eq!(heap.bump(1, 3), Some(2048));
        assert_eq!(heap.bump(8, 8), Some(2056));
        assert_eq!(heap.bump(4, 0), Some(2064));
        assert_eq!(heap.bump(2, 2048), None);
        assert_eq!(heap.bump(3, 1), None);
        assert_eq!(heap.bump(1, 2032), Some(2064));
        assert_eq!(heap.bump(1, 1), None);
        let mut none = Heap::new(0);
        assert_eq!(none.bump(1, 0), Some(0));
        assert_eq!(none.bump(1, 1), None);
        let mut tiny = Heap::new(7);
        assert_eq!(tiny.bump(4, 1), None);
    }

    #[test]
    fn far_deadlines_are_skipped_and_near_ones_are_not() {
        let find = |name: &str| {
            *functions()
                .iter()
                .find(|f| f.interface == "wasi:clocks/monotonic-clock" && f.function == name)
                .unwrap()
        };
        let (duration, instant) = (find("subscribe-duration"), find("subscribe-instant"));
        assert!(!skipped(duration, &[Val::I64(MAX_WAIT_NS as i64)]));
        assert!(skipped(duration, &[Val::I64(MAX_WAIT_NS as i64 + 1)]));
        assert!(skipped(duration, &[Val::I64(-1)]));
        assert!(!skipped(instant, &[Val::I64(0)]));
        assert!(!skipped(instant, &[Val::I64((NOW + MAX_WAIT_NS) as i64)]));
        assert!(skipped(
            instant,
            &[Val::I64((NOW + MAX_WAIT_NS + 1) as i64)]
        ));
        assert!(skipped(instant, &[Val::I64(-1)]));
    }

    /// `n` outgoing datagrams at 0x100 whose data all name the first
    /// `len` bytes of memory.
    fn aliasing_datagrams(n: usize, len: u32) -> Vec<u8> {
        let mut image = vec![0u8; 0x100 + n * 44];
        for i in 0..n {
            let at = 0x100 + i * 44;
            image[at + 4..at + 8].copy_from_slice(&len.to_le_bytes());
        }
        image
    }

    fn send(count: u32) -> Call {
        Call::to(
            "wasi:sockets/udp",
            "[method]outgoing-datagram-stream.send",
            Realloc::Bump,
            vec![
                Arg::Small(1),
                Arg::Short(0x100),
                Arg::Word(count),
                Arg::Short(0x10),
            ],
        )
    }

    /// Once findings: the host allocated far past the budget. Each input
    /// must now run without one.
    #[test]
    fn former_findings_stay_within_the_budget() {
        // 48 MiB of random bytes for a guest with no memory at all.
        run(&Input {
            memory_size: 0,
            calls: vec![Call::to(
                "wasi:random/random",
                "get-random-bytes",
                Realloc::Bump,
                vec![Arg::Wide(0x300_0000), Arg::Small(0)],
            )],
            image: Vec::new(),
        });
        // A thousand datagrams, each naming the whole 256 KiB memory, and
        // the most a send may be given, sixteen.
        for count in [1000, 16] {
            run(&Input {
                memory_size: 5,
                calls: vec![send(count)],
                image: aliasing_datagrams(count as usize, 0x40000),
            });
        }
    }

    #[test]
    fn an_input_round_trips() {
        let input = Input {
            memory_size: 4,
            calls: vec![
                Call::to(
                    "wasi:filesystem/preopens",
                    "get-directories",
                    Realloc::AtEnd(3),
                    vec![Arg::Short(0x10)],
                ),
                Call::to(
                    "wasi:random/random",
                    "get-random-bytes",
                    Realloc::FromTop(1),
                    vec![Arg::Wide(16), Arg::FromEnd(8)],
                ),
                Call::to("wasi:cli/stdout", "get-stdout", Realloc::Trap, Vec::new()),
            ],
            image: b"image".to_vec(),
        };
        let mut bytes = Vec::new();
        input.encode(&mut bytes);
        let back: Input = crate::input::decode(&bytes).unwrap();
        assert_eq!(back, input);
    }
}
