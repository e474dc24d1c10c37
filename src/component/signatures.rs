// @generated from wit/ by tests/component_signatures.rs. Do not edit by hand:
// after changing wit/ (or the template in that test), regenerate with
//
//     CAPWASI_BLESS=1 cargo test --test component_signatures

//! Every wasi 0.2 function a `wasi:cli/command` component may import, in
//! its flat canonical-ABI form: the core wasm function type through which
//! the guest calls the host.
//!
//! This is what an engine without the component model needs to link a
//! lowered import. The canonical ABI flattens a function for a caller
//! (here, a guest calling an import) as follows:
//!
//! - The parameters flatten to a list of core values. If there are more
//!   than 16, the guest stores them in its memory instead and passes one
//!   `i32` pointer to them ([`FlatSignature::indirect_params`]).
//! - If the results flatten to at most one core value, the function returns
//!   it. Otherwise the guest passes one more `i32` after the parameters, a
//!   pointer to where the host writes the results, and the function returns
//!   nothing ([`FlatSignature::retptr`]).
//! - Pointers and lengths are `i32`: wasi 0.2 guests have 32-bit memories.
//!
//! [`IMPORTS`] holds one entry per function of every interface that the
//! world `capwasi:host/command` in `wit/` imports, the unstable
//! `network-error-code` included since the host serves it. [`lookup`] finds
//! an entry for an interface named with any wasi 0.2 patch release.

/// A core wasm value type, as the canonical ABI flattens values to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FlatType {
    /// `i32`, also every pointer and length.
    I32,
    /// `i64`.
    I64,
    /// `f32`.
    F32,
    /// `f64`.
    F64,
}

/// A wasi 0.2 function as a guest imports it: its flat core signature.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct FlatSignature {
    /// The interface, with the version in `wit/`, e.g.
    /// `wasi:io/streams@0.2.12`.
    pub interface: &'static str,
    /// The function as the interface names it, e.g.
    /// `[method]output-stream.blocking-write-and-flush`.
    pub function: &'static str,
    /// The core parameters, in order, the return pointer included when
    /// there is one.
    pub params: &'static [FlatType],
    /// The core results: none, or one value.
    pub results: &'static [FlatType],
    /// The parameters did not fit in 16 core values: `params` starts with
    /// an `i32` pointer to them in guest memory instead.
    pub indirect_params: bool,
    /// The results did not fit in one core value: the last of `params` is
    /// an `i32` pointer to where the host writes them, and `results` is
    /// empty.
    pub retptr: bool,
}

/// The wasi 0.2 patch release of every interface in [`IMPORTS`].
pub const WASI_VERSION: &str = "0.2.12";

/// Finds the signature of `function` in `interface`, where `interface` may
/// name any wasi 0.2 patch release, e.g. `wasi:io/streams@0.2.0`: patch
/// releases keep every function's signature. Gives `None` for any other
/// version, an unversioned name or a function not in [`IMPORTS`].
///
/// ```
/// use capwasi::component::signatures::{lookup, FlatType};
///
/// let write = lookup("wasi:io/streams@0.2.0", "[method]output-stream.write").unwrap();
/// assert_eq!(write.params, [FlatType::I32; 4]);
/// assert!(write.retptr);
/// assert!(lookup("wasi:io/streams@0.3.0", "[method]output-stream.write").is_none());
/// ```
pub fn lookup(interface: &str, function: &str) -> Option<&'static FlatSignature> {
    let (name, version) = interface.split_once('@')?;
    let patch = version.strip_prefix("0.2.")?;
    let is_number = !patch.is_empty() && patch.bytes().all(|b| b.is_ascii_digit());
    if !is_number || (patch.len() > 1 && patch.starts_with('0')) {
        return None;
    }
    // The table's names all end in `@{WASI_VERSION}`: compare against the
    // name as it would be spelled there, without building it.
    let spelled = || name.bytes().chain(*b"@").chain(WASI_VERSION.bytes());
    IMPORTS
        .binary_search_by(|entry| {
            entry
                .interface
                .bytes()
                .cmp(spelled())
                .then_with(|| entry.function.cmp(function))
        })
        .ok()
        .map(|index| &IMPORTS[index])
}

use FlatType::{I32, I64};

/// Every function of every interface imported by the world
/// `capwasi:host/command` in `wit/` (124 functions), sorted by interface,
/// then function.
#[rustfmt::skip]
pub static IMPORTS: &[FlatSignature] = &[
    FlatSignature { interface: "wasi:cli/environment@0.2.12", function: "get-arguments", params: &[I32], results: &[], indirect_params: false, retptr: true },
    FlatSignature { interface: "wasi:cli/environment@0.2.12", function: "get-environment", params: &[I32], results: &[], indirect_params: false, retptr: true },
    FlatSignature { interface: "wasi:cli/environment@0.2.12", function: "initial-cwd", params: &[I32], results: &[], indirect_params: false, retptr: true },
    FlatSignature { interface: "wasi:cli/exit@0.2.12", function: "exit", params: &[I32], results: &[], indirect_params: false, retptr: false },
    FlatSignature { interface: "wasi:cli/exit@0.2.12", function: "exit-with-code", params: &[I32], results: &[], indirect_params: false, retptr: false },
    FlatSignature { interface: "wasi:cli/stderr@0.2.12", function: "get-stderr", params: &[], results: &[I32], indirect_params: false, retptr: false },
    FlatSignature { interface: "wasi:cli/stdin@0.2.12", function: "get-stdin", params: &[], results: &[I32], indirect_params: false, retptr: false },
    FlatSignature { interface: "wasi:cli/stdout@0.2.12", function: "get-stdout", params: &[], results: &[I32], indirect_params: false, retptr: false },
    FlatSignature { interface: "wasi:cli/terminal-stderr@0.2.12", function: "get-terminal-stderr", params: &[I32], results: &[], indirect_params: false, retptr: true },
    FlatSignature { interface: "wasi:cli/terminal-stdin@0.2.12", function: "get-terminal-stdin", params: &[I32], results: &[], indirect_params: false, retptr: true },
    FlatSignature { interface: "wasi:cli/terminal-stdout@0.2.12", function: "get-terminal-stdout", params: &[I32], results: &[], indirect_params: false, retptr: true },
    FlatSignature { interface: "wasi:clocks/monotonic-clock@0.2.12", function: "now", params: &[], results: &[I64], indirect_params: false, retptr: false },
    FlatSignature { interface: "wasi:clocks/monotonic-clock@0.2.12", function: "resolution", params: &[], results: &[I64], indirect_params: false, retptr: false },
    FlatSignature { interface: "wasi:clocks/monotonic-clock@0.2.12", function: "subscribe-duration", params: &[I64], results: &[I32], indirect_params: false, retptr: false },
    FlatSignature { interface: "wasi:clocks/monotonic-clock@0.2.12", function: "subscribe-instant", params: &[I64], results: &[I32], indirect_params: false, retptr: false },
    FlatSignature { interface: "wasi:clocks/wall-clock@0.2.12", function: "now", params: &[I32], results: &[], indirect_params: false, retptr: true },
    FlatSignature { interface: "wasi:clocks/wall-clock@0.2.12", function: "resolution", params: &[I32], results: &[], indirect_params: false, retptr: true },
    FlatSignature { interface: "wasi:filesystem/preopens@0.2.12", function: "get-directories", params: &[I32], results: &[], indirect_params: false, retptr: true },
    FlatSignature { interface: "wasi:filesystem/types@0.2.12", function: "[method]descriptor.advise", params: &[I32, I64, I64, I32, I32], results: &[], indirect_params: false, retptr: true },
    FlatSignature { interface: "wasi:filesystem/types@0.2.12", function: "[method]descriptor.append-via-stream", params: &[I32, I32], results: &[], indirect_params: false, retptr: true },
    FlatSignature { interface: "wasi:filesystem/types@0.2.12", function: "[method]descriptor.create-directory-at", params: &[I32, I32, I32, I32], results: &[], indirect_params: false, retptr: true },
    FlatSignature { interface: "wasi:filesystem/types@0.2.12", function: "[method]descriptor.get-flags", params: &[I32, I32], results: &[], indirect_params: false, retptr: true },
    FlatSignature { interface: "wasi:filesystem/types@0.2.12", function: "[method]descriptor.get-type", params: &[I32, I32], results: &[], indirect_params: false, retptr: true },
    FlatSignature { interface: "wasi:filesystem/types@0.2.12", function: "[method]descriptor.is-same-object", params: &[I32, I32], results: &[I32], indirect_params: false, retptr: false },
    FlatSignature { interface: "wasi:filesystem/types@0.2.12", function: "[method]descriptor.link-at", params: &[I32, I32, I32, I32, I32, I32, I32, I32], results: &[], indirect_params: false, retptr: true },
    FlatSignature { interface: "wasi:filesystem/types@0.2.12", function: "[method]descriptor.metadata-hash", params: &[I32, I32], results: &[], indirect_params: false, retptr: true },
    FlatSignature { interface: "wasi:filesystem/types@0.2.12", function: "[method]descriptor.metadata-hash-at", params: &[I32, I32, I32, I32, I32], results: &[], indirect_params: false, retptr: true },
    FlatSignature { interface: "wasi:filesystem/types@0.2.12", function: "[method]descriptor.open-at", params: &[I32, I32, I32, I32, I32, I32, I32], results: &[], indirect_params: false, retptr: true },
    FlatSignature { interface: "wasi:filesystem/types@0.2.12", function: "[method]descriptor.read", params: &[I32, I64, I64, I32], results: &[], indirect_params: false, retptr: true },
    FlatSignature { interface: "wasi:filesystem/types@0.2.12", function: "[method]descriptor.read-directory", params: &[I32, I32], results: &[], indirect_params: false, retptr: true },
    FlatSignature { interface: "wasi:filesystem/types@0.2.12", function: "[method]descriptor.read-via-stream", params: &[I32, I64, I32], results: &[], indirect_params: false, retptr: true },
    FlatSignature { interface: "wasi:filesystem/types@0.2.12", function: "[method]descriptor.readlink-at", params: &[I32, I32, I32, I32], results: &[], indirect_params: false, retptr: true },
    FlatSignature { interface: "wasi:filesystem/types@0.2.12", function: "[method]descriptor.remove-directory-at", params: &[I32, I32, I32, I32], results: &[], indirect_params: false, retptr: true },
    FlatSignature { interface: "wasi:filesystem/types@0.2.12", function: "[method]descriptor.rename-at", params: &[I32, I32, I32, I32, I32, I32, I32], results: &[], indirect_params: false, retptr: true },
    FlatSignature { interface: "wasi:filesystem/types@0.2.12", function: "[method]descriptor.set-size", params: &[I32, I64, I32], results: &[], indirect_params: false, retptr: true },
    FlatSignature { interface: "wasi:filesystem/types@0.2.12", function: "[method]descriptor.set-times", params: &[I32, I32, I64, I32, I32, I64, I32, I32], results: &[], indirect_params: false, retptr: true },
    FlatSignature { interface: "wasi:filesystem/types@0.2.12", function: "[method]descriptor.set-times-at", params: &[I32, I32, I32, I32, I32, I64, I32, I32, I64, I32, I32], results: &[], indirect_params: false, retptr: true },
    FlatSignature { interface: "wasi:filesystem/types@0.2.12", function: "[method]descriptor.stat", params: &[I32, I32], results: &[], indirect_params: false, retptr: true },
    FlatSignature { interface: "wasi:filesystem/types@0.2.12", function: "[method]descriptor.stat-at", params: &[I32, I32, I32, I32, I32], results: &[], indirect_params: false, retptr: true },
    FlatSignature { interface: "wasi:filesystem/types@0.2.12", function: "[method]descriptor.symlink-at", params: &[I32, I32, I32, I32, I32, I32], results: &[], indirect_params: false, retptr: true },
    FlatSignature { interface: "wasi:filesystem/types@0.2.12", function: "[method]descriptor.sync", params: &[I32, I32], results: &[], indirect_params: false, retptr: true },
    FlatSignature { interface: "wasi:filesystem/types@0.2.12", function: "[method]descriptor.sync-data", params: &[I32, I32], results: &[], indirect_params: false, retptr: true },
    FlatSignature { interface: "wasi:filesystem/types@0.2.12", function: "[method]descriptor.unlink-file-at", params: &[I32, I32, I32, I32], results: &[], indirect_params: false, retptr: true },
    FlatSignature { interface: "wasi:filesystem/types@0.2.12", function: "[method]descriptor.write", params: &[I32, I32, I32, I64, I32], results: &[], indirect_params: false, retptr: true },
    FlatSignature { interface: "wasi:filesystem/types@0.2.12", function: "[method]descriptor.write-via-stream", params: &[I32, I64, I32], results: &[], indirect_params: false, retptr: true },
    FlatSignature { interface: "wasi:filesystem/types@0.2.12", function: "[method]directory-entry-stream.read-directory-entry", params: &[I32, I32], results: &[], indirect_params: false, retptr: true },
    FlatSignature { interface: "wasi:filesystem/types@0.2.12", function: "filesystem-error-code", params: &[I32, I32], results: &[], indirect_params: false, retptr: true },
    FlatSignature { interface: "wasi:io/error@0.2.12", function: "[method]error.to-debug-string", params: &[I32, I32], results: &[], indirect_params: false, retptr: true },
    FlatSignature { interface: "wasi:io/poll@0.2.12", function: "[method]pollable.block", params: &[I32], results: &[], indirect_params: false, retptr: false },
    FlatSignature { interface: "wasi:io/poll@0.2.12", function: "[method]pollable.ready", params: &[I32], results: &[I32], indirect_params: false, retptr: false },
    FlatSignature { interface: "wasi:io/poll@0.2.12", function: "poll", params: &[I32, I32, I32], results: &[], indirect_params: false, retptr: true },
    FlatSignature { interface: "wasi:io/streams@0.2.12", function: "[method]input-stream.blocking-read", params: &[I32, I64, I32], results: &[], indirect_params: false, retptr: true },
    FlatSignature { interface: "wasi:io/streams@0.2.12", function: "[method]input-stream.blocking-skip", params: &[I32, I64, I32], results: &[], indirect_params: false, retptr: true },
    FlatSignature { interface: "wasi:io/streams@0.2.12", function: "[method]input-stream.read", params: &[I32, I64, I32], results: &[], indirect_params: false, retptr: true },
    FlatSignature { interface: "wasi:io/streams@0.2.12", function: "[method]input-stream.skip", params: &[I32, I64, I32], results: &[], indirect_params: false, retptr: true },
    FlatSignature { interface: "wasi:io/streams@0.2.12", function: "[method]input-stream.subscribe", params: &[I32], results: &[I32], indirect_params: false, retptr: false },
    FlatSignature { interface: "wasi:io/streams@0.2.12", function: "[method]output-stream.blocking-flush", params: &[I32, I32], results: &[], indirect_params: false, retptr: true },
    FlatSignature { interface: "wasi:io/streams@0.2.12", function: "[method]output-stream.blocking-splice", params: &[I32, I32, I64, I32], results: &[], indirect_params: false, retptr: true },
    FlatSignature { interface: "wasi:io/streams@0.2.12", function: "[method]output-stream.blocking-write-and-flush", params: &[I32, I32, I32, I32], results: &[], indirect_params: false, retptr: true },
    FlatSignature { interface: "wasi:io/streams@0.2.12", function: "[method]output-stream.blocking-write-zeroes-and-flush", params: &[I32, I64, I32], results: &[], indirect_params: false, retptr: true },
    FlatSignature { interface: "wasi:io/streams@0.2.12", function: "[method]output-stream.check-write", params: &[I32, I32], results: &[], indirect_params: false, retptr: true },
    FlatSignature { interface: "wasi:io/streams@0.2.12", function: "[method]output-stream.flush", params: &[I32, I32], results: &[], indirect_params: false, retptr: true },
    FlatSignature { interface: "wasi:io/streams@0.2.12", function: "[method]output-stream.splice", params: &[I32, I32, I64, I32], results: &[], indirect_params: false, retptr: true },
    FlatSignature { interface: "wasi:io/streams@0.2.12", function: "[method]output-stream.subscribe", params: &[I32], results: &[I32], indirect_params: false, retptr: false },
    FlatSignature { interface: "wasi:io/streams@0.2.12", function: "[method]output-stream.write", params: &[I32, I32, I32, I32], results: &[], indirect_params: false, retptr: true },
    FlatSignature { interface: "wasi:io/streams@0.2.12", function: "[method]output-stream.write-zeroes", params: &[I32, I64, I32], results: &[], indirect_params: false, retptr: true },
    FlatSignature { interface: "wasi:random/insecure-seed@0.2.12", function: "insecure-seed", params: &[I32], results: &[], indirect_params: false, retptr: true },
    FlatSignature { interface: "wasi:random/insecure@0.2.12", function: "get-insecure-random-bytes", params: &[I64, I32], results: &[], indirect_params: false, retptr: true },
    FlatSignature { interface: "wasi:random/insecure@0.2.12", function: "get-insecure-random-u64", params: &[], results: &[I64], indirect_params: false, retptr: false },
    FlatSignature { interface: "wasi:random/random@0.2.12", function: "get-random-bytes", params: &[I64, I32], results: &[], indirect_params: false, retptr: true },
    FlatSignature { interface: "wasi:random/random@0.2.12", function: "get-random-u64", params: &[], results: &[I64], indirect_params: false, retptr: false },
    FlatSignature { interface: "wasi:sockets/instance-network@0.2.12", function: "instance-network", params: &[], results: &[I32], indirect_params: false, retptr: false },
    FlatSignature { interface: "wasi:sockets/ip-name-lookup@0.2.12", function: "[method]resolve-address-stream.resolve-next-address", params: &[I32, I32], results: &[], indirect_params: false, retptr: true },
    FlatSignature { interface: "wasi:sockets/ip-name-lookup@0.2.12", function: "[method]resolve-address-stream.subscribe", params: &[I32], results: &[I32], indirect_params: false, retptr: false },
    FlatSignature { interface: "wasi:sockets/ip-name-lookup@0.2.12", function: "resolve-addresses", params: &[I32, I32, I32, I32], results: &[], indirect_params: false, retptr: true },
    FlatSignature { interface: "wasi:sockets/network@0.2.12", function: "network-error-code", params: &[I32, I32], results: &[], indirect_params: false, retptr: true },
    FlatSignature { interface: "wasi:sockets/tcp-create-socket@0.2.12", function: "create-tcp-socket", params: &[I32, I32], results: &[], indirect_params: false, retptr: true },
    FlatSignature { interface: "wasi:sockets/tcp@0.2.12", function: "[method]tcp-socket.accept", params: &[I32, I32], results: &[], indirect_params: false, retptr: true },
    FlatSignature { interface: "wasi:sockets/tcp@0.2.12", function: "[method]tcp-socket.address-family", params: &[I32], results: &[I32], indirect_params: false, retptr: false },
    FlatSignature { interface: "wasi:sockets/tcp@0.2.12", function: "[method]tcp-socket.finish-bind", params: &[I32, I32], results: &[], indirect_params: false, retptr: true },
    FlatSignature { interface: "wasi:sockets/tcp@0.2.12", function: "[method]tcp-socket.finish-connect", params: &[I32, I32], results: &[], indirect_params: false, retptr: true },
    FlatSignature { interface: "wasi:sockets/tcp@0.2.12", function: "[method]tcp-socket.finish-listen", params: &[I32, I32], results: &[], indirect_params: false, retptr: true },
    FlatSignature { interface: "wasi:sockets/tcp@0.2.12", function: "[method]tcp-socket.hop-limit", params: &[I32, I32], results: &[], indirect_params: false, retptr: true },
    FlatSignature { interface: "wasi:sockets/tcp@0.2.12", function: "[method]tcp-socket.is-listening", params: &[I32], results: &[I32], indirect_params: false, retptr: false },
    FlatSignature { interface: "wasi:sockets/tcp@0.2.12", function: "[method]tcp-socket.keep-alive-count", params: &[I32, I32], results: &[], indirect_params: false, retptr: true },
    FlatSignature { interface: "wasi:sockets/tcp@0.2.12", function: "[method]tcp-socket.keep-alive-enabled", params: &[I32, I32], results: &[], indirect_params: false, retptr: true },
    FlatSignature { interface: "wasi:sockets/tcp@0.2.12", function: "[method]tcp-socket.keep-alive-idle-time", params: &[I32, I32], results: &[], indirect_params: false, retptr: true },
    FlatSignature { interface: "wasi:sockets/tcp@0.2.12", function: "[method]tcp-socket.keep-alive-interval", params: &[I32, I32], results: &[], indirect_params: false, retptr: true },
    FlatSignature { interface: "wasi:sockets/tcp@0.2.12", function: "[method]tcp-socket.local-address", params: &[I32, I32], results: &[], indirect_params: false, retptr: true },
    FlatSignature { interface: "wasi:sockets/tcp@0.2.12", function: "[method]tcp-socket.receive-buffer-size", params: &[I32, I32], results: &[], indirect_params: false, retptr: true },
    FlatSignature { interface: "wasi:sockets/tcp@0.2.12", function: "[method]tcp-socket.remote-address", params: &[I32, I32], results: &[], indirect_params: false, retptr: true },
    FlatSignature { interface: "wasi:sockets/tcp@0.2.12", function: "[method]tcp-socket.send-buffer-size", params: &[I32, I32], results: &[], indirect_params: false, retptr: true },
    FlatSignature { interface: "wasi:sockets/tcp@0.2.12", function: "[method]tcp-socket.set-hop-limit", params: &[I32, I32, I32], results: &[], indirect_params: false, retptr: true },
    FlatSignature { interface: "wasi:sockets/tcp@0.2.12", function: "[method]tcp-socket.set-keep-alive-count", params: &[I32, I32, I32], results: &[], indirect_params: false, retptr: true },
    FlatSignature { interface: "wasi:sockets/tcp@0.2.12", function: "[method]tcp-socket.set-keep-alive-enabled", params: &[I32, I32, I32], results: &[], indirect_params: false, retptr: true },
    FlatSignature { interface: "wasi:sockets/tcp@0.2.12", function: "[method]tcp-socket.set-keep-alive-idle-time", params: &[I32, I64, I32], results: &[], indirect_params: false, retptr: true },
    FlatSignature { interface: "wasi:sockets/tcp@0.2.12", function: "[method]tcp-socket.set-keep-alive-interval", params: &[I32, I64, I32], results: &[], indirect_params: false, retptr: true },
    FlatSignature { interface: "wasi:sockets/tcp@0.2.12", function: "[method]tcp-socket.set-listen-backlog-size", params: &[I32, I64, I32], results: &[], indirect_params: false, retptr: true },
    FlatSignature { interface: "wasi:sockets/tcp@0.2.12", function: "[method]tcp-socket.set-receive-buffer-size", params: &[I32, I64, I32], results: &[], indirect_params: false, retptr: true },
    FlatSignature { interface: "wasi:sockets/tcp@0.2.12", function: "[method]tcp-socket.set-send-buffer-size", params: &[I32, I64, I32], results: &[], indirect_params: false, retptr: true },
    FlatSignature { interface: "wasi:sockets/tcp@0.2.12", function: "[method]tcp-socket.shutdown", params: &[I32, I32, I32], results: &[], indirect_params: false, retptr: true },
    FlatSignature { interface: "wasi:sockets/tcp@0.2.12", function: "[method]tcp-socket.start-bind", params: &[I32, I32, I32, I32, I32, I32, I32, I32, I32, I32, I32, I32, I32, I32, I32], results: &[], indirect_params: false, retptr: true },
    FlatSignature { interface: "wasi:sockets/tcp@0.2.12", function: "[method]tcp-socket.start-connect", params: &[I32, I32, I32, I32, I32, I32, I32, I32, I32, I32, I32, I32, I32, I32, I32], results: &[], indirect_params: false, retptr: true },
    FlatSignature { interface: "wasi:sockets/tcp@0.2.12", function: "[method]tcp-socket.start-listen", params: &[I32, I32], results: &[], indirect_params: false, retptr: true },
    FlatSignature { interface: "wasi:sockets/tcp@0.2.12", function: "[method]tcp-socket.subscribe", params: &[I32], results: &[I32], indirect_params: false, retptr: false },
    FlatSignature { interface: "wasi:sockets/udp-create-socket@0.2.12", function: "create-udp-socket", params: &[I32, I32], results: &[], indirect_params: false, retptr: true },
    FlatSignature { interface: "wasi:sockets/udp@0.2.12", function: "[method]incoming-datagram-stream.receive", params: &[I32, I64, I32], results: &[], indirect_params: false, retptr: true },
    FlatSignature { interface: "wasi:sockets/udp@0.2.12", function: "[method]incoming-datagram-stream.subscribe", params: &[I32], results: &[I32], indirect_params: false, retptr: false },
    FlatSignature { interface: "wasi:sockets/udp@0.2.12", function: "[method]outgoing-datagram-stream.check-send", params: &[I32, I32], results: &[], indirect_params: false, retptr: true },
    FlatSignature { interface: "wasi:sockets/udp@0.2.12", function: "[method]outgoing-datagram-stream.send", params: &[I32, I32, I32, I32], results: &[], indirect_params: false, retptr: true },
    FlatSignature { interface: "wasi:sockets/udp@0.2.12", function: "[method]outgoing-datagram-stream.subscribe", params: &[I32], results: &[I32], indirect_params: false, retptr: false },
    FlatSignature { interface: "wasi:sockets/udp@0.2.12", function: "[method]udp-socket.address-family", params: &[I32], results: &[I32], indirect_params: false, retptr: false },
    FlatSignature { interface: "wasi:sockets/udp@0.2.12", function: "[method]udp-socket.finish-bind", params: &[I32, I32], results: &[], indirect_params: false, retptr: true },
    FlatSignature { interface: "wasi:sockets/udp@0.2.12", function: "[method]udp-socket.local-address", params: &[I32, I32], results: &[], indirect_params: false, retptr: true },
    FlatSignature { interface: "wasi:sockets/udp@0.2.12", function: "[method]udp-socket.receive-buffer-size", params: &[I32, I32], results: &[], indirect_params: false, retptr: true },
    FlatSignature { interface: "wasi:sockets/udp@0.2.12", function: "[method]udp-socket.remote-address", params: &[I32, I32], results: &[], indirect_params: false, retptr: true },
    FlatSignature { interface: "wasi:sockets/udp@0.2.12", function: "[method]udp-socket.send-buffer-size", params: &[I32, I32], results: &[], indirect_params: false, retptr: true },
    FlatSignature { interface: "wasi:sockets/udp@0.2.12", function: "[method]udp-socket.set-receive-buffer-size", params: &[I32, I64, I32], results: &[], indirect_params: false, retptr: true },
    FlatSignature { interface: "wasi:sockets/udp@0.2.12", function: "[method]udp-socket.set-send-buffer-size", params: &[I32, I64, I32], results: &[], indirect_params: false, retptr: true },
    FlatSignature { interface: "wasi:sockets/udp@0.2.12", function: "[method]udp-socket.set-unicast-hop-limit", params: &[I32, I32, I32], results: &[], indirect_params: false, retptr: true },
    FlatSignature { interface: "wasi:sockets/udp@0.2.12", function: "[method]udp-socket.start-bind", params: &[I32, I32, I32, I32, I32, I32, I32, I32, I32, I32, I32, I32, I32, I32, I32], results: &[], indirect_params: false, retptr: true },
    FlatSignature { interface: "wasi:sockets/udp@0.2.12", function: "[method]udp-socket.stream", params: &[I32, I32, I32, I32, I32, I32, I32, I32, I32, I32, I32, I32, I32, I32, I32], results: &[], indirect_params: false, retptr: true },
    FlatSignature { interface: "wasi:sockets/udp@0.2.12", function: "[method]udp-socket.subscribe", params: &[I32], results: &[I32], indirect_params: false, retptr: false },
    FlatSignature { interface: "wasi:sockets/udp@0.2.12", function: "[method]udp-socket.unicast-hop-limit", params: &[I32, I32], results: &[], indirect_params: false, retptr: true },
];
