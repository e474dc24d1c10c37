//! A guest without an engine: a linear memory and calls into the preview1
//! table, with pointers into that memory, as compiled code would make them.

use capwasi::p1::Errno;
use capwasi::p1::WasiP1Ctx;
use capwasi::p1::{HostFunc, FUNCTIONS};
use capwasi::{Termination, WasiCtx};

/// The preview1 function named `name`.
pub fn function(name: &str) -> &'static HostFunc {
    FUNCTIONS
        .iter()
        .find(|f| f.name == name)
        .unwrap_or_else(|| panic!("no preview1 function {name}"))
}

/// Where scratch data starts in guest memory; below it are the fixed slots
/// that results are written to.
const SCRATCH: u32 = 1024;

/// Fixed slots for results: an `fd`, a `size`, a `filestat`.
pub const OUT_FD: u32 = 16;
/// Slot for a `size` or `filesize` result.
pub const OUT_SIZE: u32 = 32;
/// Slot for a `filestat` (64 bytes).
pub const OUT_STAT: u32 = 64;
/// Slot for one `iovec`.
pub const IOVEC: u32 = 256;

/// Whether `CAPWASI_FUZZ_TRACE=1` asks for every call to be printed.
pub fn tracing_calls() -> bool {
    static TRACE: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *TRACE.get_or_init(|| std::env::var_os("CAPWASI_FUZZ_TRACE").is_some_and(|v| v == "1"))
}

/// A guest: its context and its linear memory.
pub struct Guest {
    /// Everything the guest was granted, and its descriptors.
    pub ctx: WasiP1Ctx,
    /// Its linear memory.
    pub memory: Vec<u8>,
    next: u32,
}

impl Guest {
    /// A guest with `ctx` and a zeroed memory of `size` bytes.
    pub fn new(ctx: WasiCtx, size: usize) -> Self {
        assert!(size > SCRATCH as usize);
        Guest {
            ctx: WasiP1Ctx::new(ctx),
            memory: vec![0; size],
            next: SCRATCH,
        }
    }

    /// Forgets the scratch data of earlier calls.
    pub fn reset_scratch(&mut self) {
        self.next = SCRATCH;
    }

    /// Copies `bytes` into scratch memory; returns `(pointer, length)`.
    pub fn put(&mut self, bytes: &[u8]) -> (u32, u32) {
        let ptr = self.next;
        let end = ptr as usize + bytes.len();
        assert!(end <= self.memory.len(), "scratch memory exhausted");
        self.memory[ptr as usize..end].copy_from_slice(bytes);
        // Keep later data 8-byte aligned, as a compiler would.
        self.next = (end as u32 + 7) & !7;
        (ptr, bytes.len() as u32)
    }

    /// Reserves `len` zeroed bytes of scratch memory.
    pub fn reserve(&mut self, len: u32) -> u32 {
        let zeros = vec![0; len as usize];
        self.put(&zeros).0
    }

    /// Calls `name` with raw arguments. These targets never call
    /// `proc_exit`, so anything but an errno is a finding.
    ///
    /// With `CAPWASI_FUZZ_TRACE=1` in the environment, each call and its
    /// errno are printed, to read what an input does.
    pub fn call(&mut self, name: &str, args: &[u64]) -> Errno {
        let func = function(name);
        assert_eq!(
            func.params.len(),
            args.len(),
            "{name} takes {} arguments",
            func.params.len()
        );
        match (func.call)(&mut self.ctx, &mut self.memory, args) {
            Ok(code) => match u16::try_from(code).ok().and_then(Errno::from_u16) {
                Some(errno) => {
                    if tracing_calls() {
                        eprintln!("{name}{args:?} -> {}", errno.name());
                    }
                    errno
                }
                None => {
                    crate::finding(format_args!("{name}{args:?} returned {code}, not an errno"))
                }
            },
            Err(Termination::Exit(code)) => {
                crate::finding(format_args!("{name}{args:?} exited the guest with {code}"))
            }
            Err(Termination::Trap(msg)) => {
                crate::finding(format_args!("{name}{args:?} trapped: {msg}"))
            }
        }
    }

    /// A little-endian `u32` the host wrote at `ptr`.
    pub fn read_u32(&self, ptr: u32) -> u32 {
        let p = ptr as usize;
        u32::from_le_bytes(self.memory[p..p + 4].try_into().unwrap())
    }

    /// A little-endian `u64` the host wrote at `ptr`.
    pub fn read_u64(&self, ptr: u32) -> u64 {
        let p = ptr as usize;
        u64::from_le_bytes(self.memory[p..p + 8].try_into().unwrap())
    }

    /// The `(dev, ino)` of the `filestat` at [`OUT_STAT`].
    pub fn stat_identity(&self) -> (u64, u64) {
        (self.read_u64(OUT_STAT), self.read_u64(OUT_STAT + 8))
    }

    /// Writes one `iovec` for `len` bytes at `buf` into the [`IOVEC`] slot.
    pub fn set_iovec(&mut self, buf: u32, len: u32) {
        let p = IOVEC as usize;
        self.memory[p..p + 4].copy_from_slice(&buf.to_le_bytes());
        self.memory[p + 4..p + 8].copy_from_slice(&len.to_le_bytes());
    }
}
