//! Holds the preview1 host tables to `witx/`, the written statement of the ABI.
//!
//! The host describes the ABI twice over: once as the function table every
//! engine adapter registers, once as the memory layouts its guest-memory code
//! reads and writes. A guest compiled against the published ABI breaks
//! silently when either disagrees with it, so each is compared here against
//! what the `witx` crate computes from `witx/*.witx`. The witx files in turn are
//! pinned to well-known ABI facts, so neither side can move on its own.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use capwasi::p1::{self, ValType};
use witx::{Document, Id, Layout, RecordKind, Type, WasmType};

/// Parses and validates the two witx files shipped in the repository.
fn load() -> Document {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("witx");
    let paths = [
        dir.join("typenames.witx"),
        dir.join("wasi_snapshot_preview1.witx"),
    ];
    witx::load(&paths).unwrap_or_else(|e| panic!("witx/ does not validate: {}", e.report()))
}

/// The preview1 module of the witx document, found under the name the host
/// registers its imports with.
fn module(doc: &Document) -> std::rc::Rc<witx::Module> {
    doc.module(&Id::new(p1::MODULE)).unwrap_or_else(|| {
        let found: Vec<String> = doc.modules().map(|m| m.name.as_str().to_owned()).collect();
        panic!(
            "capwasi::p1::MODULE is {:?} but witx/ defines the modules {found:?}",
            p1::MODULE
        )
    })
}

fn witx_core(t: &WasmType) -> &'static str {
    match t {
        WasmType::I32 => "i32",
        WasmType::I64 => "i64",
        WasmType::F32 => "f32",
        WasmType::F64 => "f64",
    }
}

// The arm after the two known types only fires if the host grows a value type
// preview1 never uses.
#[allow(unreachable_patterns)]
fn host_core(t: &ValType) -> &'static str {
    match t {
        ValType::I32 => "i32",
        ValType::I64 => "i64",
        _ => "a value type preview1 does not use",
    }
}

fn render(params: &[&str], results: &[&str]) -> String {
    format!("({}) -> ({})", params.join(" "), results.join(" "))
}

/// The core wasm signature the witx crate derives for each function, keyed by
/// import name.
fn witx_signatures(doc: &Document) -> BTreeMap<String, String> {
    module(doc)
        .funcs()
        .map(|f| {
            let (params, results) = f.wasm_signature();
            let params: Vec<_> = params.iter().map(witx_core).collect();
            let results: Vec<_> = results.iter().map(witx_core).collect();
            (f.name.as_str().to_owned(), render(&params, &results))
        })
        .collect()
}

/// Names in `a` that are not in `b`, for failure messages.
fn missing<'a>(a: &'a BTreeSet<String>, b: &BTreeSet<String>) -> Vec<&'a str> {
    a.iter()
        .filter(|n| !b.contains(*n))
        .map(String::as_str)
        .collect()
}

#[test]
fn host_function_table_has_exactly_the_witx_functions() {
    let doc = load();
    assert_eq!(
        doc.modules().count(),
        1,
        "witx/ should define only the preview1 module"
    );
    let spec: BTreeSet<String> = witx_signatures(&doc).into_keys().collect();

    let mut host = BTreeSet::new();
    let mut duplicated = Vec::new();
    for f in p1::FUNCTIONS.iter() {
        if !host.insert(f.name.to_owned()) {
            duplicated.push(f.name);
        }
    }
    assert!(
        duplicated.is_empty(),
        "capwasi::p1::FUNCTIONS registers these names more than once: {duplicated:?}"
    );

    let not_implemented = missing(&spec, &host);
    let not_in_spec = missing(&host, &spec);
    assert!(
        not_implemented.is_empty() && not_in_spec.is_empty(),
        "capwasi::p1::FUNCTIONS drifted from witx/:\n  \
         in witx but missing from the host table: {not_implemented:?}\n  \
         in the host table but not in witx: {not_in_spec:?}"
    );
}

#[test]
fn host_function_signatures_match_witx() {
    let doc = load();
    let spec = witx_signatures(&doc);
    let mut wrong = Vec::new();
    for f in p1::FUNCTIONS.iter() {
        // An unknown name is reported by the test above; here only shapes count.
        let Some(expected) = spec.get(f.name) else {
            continue;
        };
        let params: Vec<_> = f.params.iter().map(host_core).collect();
        let results: Vec<_> = f.results.iter().map(host_core).collect();
        let actual = render(&params, &results);
        if &actual != expected {
            wrong.push(format!("{}: host {actual}, witx {expected}", f.name));
        }
    }
    assert!(
        wrong.is_empty(),
        "host signatures differ from the core types witx derives:\n  {}",
        wrong.join("\n  ")
    );
}

/// What a layout entry must say about a witx type: its size, its alignment,
/// and which field names may appear at which byte offsets.
struct Expected {
    size: u32,
    align: u32,
    kind: Shape,
}

enum Shape {
    /// A record: the field list must name every member at its offset.
    Record(BTreeMap<String, u32>),
    /// A tagged union: `tag` sits at offset 0 and the payload at one offset
    /// shared by every case. The field list may be empty (the host reads unions
    /// through per-case offsets, checked by `named_constants_match_witx`); when
    /// it is not, the payload may be listed as `u` (the name C headers use) or
    /// under the name of any case.
    Union {
        payload: u32,
        cases: BTreeSet<String>,
    },
    /// A scalar, enum, flags, handle or list: it has no fields to list.
    Scalar,
}

fn expected_layout(nt: &witx::NamedType) -> Expected {
    let sa = nt.mem_size_align();
    let kind = match &**nt.type_() {
        Type::Record(r) if matches!(r.kind, RecordKind::Other) => Shape::Record(
            r.member_layout()
                .iter()
                .map(|m| (m.member.name.as_str().to_owned(), m.offset as u32))
                .collect(),
        ),
        Type::Variant(v) if !v.is_enum() => Shape::Union {
            payload: v.payload_offset() as u32,
            cases: v
                .cases
                .iter()
                .filter(|c| c.tref.is_some())
                .map(|c| c.name.as_str().to_owned())
                .collect(),
        },
        _ => Shape::Scalar,
    };
    Expected {
        size: sa.size as u32,
        align: sa.align as u32,
        kind,
    }
}

/// Every way a stated layout of type `name` disagrees with witx, one line per
/// difference.
fn layout_differences(
    name: &str,
    size: u32,
    align: u32,
    fields: &[(&str, u32)],
    want: &Expected,
) -> Vec<String> {
    let mut out = Vec::new();
    if size != want.size {
        out.push(format!("{name}: size {size} but witx says {}", want.size));
    }
    if align != want.align {
        out.push(format!(
            "{name}: align {align} but witx says {}",
            want.align
        ));
    }
    let mut listed = BTreeMap::new();
    for &(field, offset) in fields {
        if listed.insert(field.to_owned(), offset).is_some() {
            out.push(format!("{name}: field {field} listed twice"));
        }
    }
    match &want.kind {
        Shape::Record(members) => {
            for (field, offset) in members {
                match listed.get(field) {
                    None => out.push(format!(
                        "{name}: field {field} (offset {offset}) is missing"
                    )),
                    Some(o) if o != offset => {
                        out.push(format!("{name}.{field}: offset {o} but witx says {offset}"))
                    }
                    Some(_) => {}
                }
            }
            for field in listed.keys().filter(|f| !members.contains_key(*f)) {
                out.push(format!("{name}: field {field} is not in witx"));
            }
        }
        Shape::Union { .. } if listed.is_empty() => {}
        Shape::Union { payload, cases } => {
            match listed.get("tag") {
                None => out.push(format!(
                    "{name}: the tag (field `tag`, offset 0) is missing"
                )),
                Some(&o) if o != 0 => out.push(format!("{name}.tag: offset {o} but witx says 0")),
                Some(_) => {}
            }
            let mut has_payload = false;
            for (field, &o) in listed.iter().filter(|(f, _)| f.as_str() != "tag") {
                if field != "u" && !cases.contains(field) {
                    out.push(format!(
                        "{name}: field {field} is neither `tag`, `u` nor a case {cases:?}"
                    ));
                } else if o != *payload {
                    out.push(format!(
                        "{name}.{field}: offset {o} but the payload is at {payload}"
                    ));
                } else {
                    has_payload = true;
                }
            }
            if !has_payload {
                out.push(format!(
                    "{name}: the payload (as `u` or a case name, offset {payload}) is missing"
                ));
            }
        }
        Shape::Scalar => {
            if !listed.is_empty() {
                out.push(format!(
                    "{name}: lists fields {:?} but witx has no fields for it",
                    listed.keys().collect::<Vec<_>>()
                ));
            }
        }
    }
    out
}

#[test]
fn host_layouts_match_witx() {
    let doc = load();
    let mut wrong = Vec::new();
    let mut seen = BTreeSet::new();
    for layout in p1::types::LAYOUTS.iter() {
        if !seen.insert(layout.name) {
            wrong.push(format!("{}: listed twice in LAYOUTS", layout.name));
            continue;
        }
        match doc.typename(&Id::new(layout.name)) {
            None => wrong.push(format!("{}: no witx type has this name", layout.name)),
            Some(nt) => wrong.extend(layout_differences(
                layout.name,
                layout.size,
                layout.align,
                layout.fields,
                &expected_layout(&nt),
            )),
        }
    }
    assert!(
        wrong.is_empty(),
        "capwasi::p1::types::LAYOUTS drifted from witx/:\n  {}",
        wrong.join("\n  ")
    );
}

#[test]
fn every_witx_struct_and_union_has_a_host_layout() {
    let doc = load();
    let host: BTreeSet<&str> = p1::types::LAYOUTS.iter().map(|l| l.name).collect();
    let uncovered: Vec<String> = doc
        .typenames()
        .filter(|nt| match &**nt.type_() {
            Type::Record(r) => matches!(r.kind, RecordKind::Other),
            Type::Variant(v) => !v.is_enum(),
            _ => false,
        })
        .map(|nt| nt.name.as_str().to_owned())
        .filter(|name| !host.contains(name.as_str()))
        .collect();
    assert!(
        uncovered.is_empty(),
        "these witx structs/unions have no entry in capwasi::p1::types::LAYOUTS: {uncovered:?}"
    );
}

/// The cases of a witx enum, in declaration order, which is their numbering.
fn enum_cases(doc: &Document, name: &str) -> Vec<String> {
    let nt = doc
        .typename(&Id::new(name))
        .unwrap_or_else(|| panic!("witx/ has no type {name}"));
    match &**nt.type_() {
        Type::Variant(v) if v.is_enum() => {
            v.cases.iter().map(|c| c.name.as_str().to_owned()).collect()
        }
        other => panic!(
            "witx type {name} should be an enum, found a {}",
            other.kind()
        ),
    }
}

/// The bits of a witx flags type, in declaration order, which is bit order.
fn flag_bits(doc: &Document, name: &str) -> Vec<String> {
    let nt = doc
        .typename(&Id::new(name))
        .unwrap_or_else(|| panic!("witx/ has no type {name}"));
    match &**nt.type_() {
        Type::Record(r) if r.bitflags_repr().is_some() => r
            .members
            .iter()
            .map(|m| m.name.as_str().to_owned())
            .collect(),
        other => panic!("witx type {name} should be flags, found a {}", other.kind()),
    }
}

#[test]
fn errno_numbers_and_names_match_witx() {
    let doc = load();
    let cases = enum_cases(&doc, "errno");
    let mut wrong = Vec::new();
    for (index, case) in cases.iter().enumerate() {
        let code = index as u16;
        match capwasi::p1::Errno::from_u16(code) {
            None => wrong.push(format!("{code} ({case}): Errno::from_u16 gives None")),
            Some(e) => {
                let name = e.name();
                if name != case {
                    wrong.push(format!("{code}: host calls it {name:?}, witx {case:?}"));
                }
                let back = e as u16;
                if back != code {
                    wrong.push(format!(
                        "{case}: from_u16({code}) yields a value numbered {back}"
                    ));
                }
            }
        }
    }
    // Preview1 has no codes past the last witx case; a host inventing one would
    // hand guests a number their libc cannot decode.
    let past_end = cases.len() as u16;
    if capwasi::p1::Errno::from_u16(past_end).is_some() {
        wrong.push(format!(
            "Errno::from_u16({past_end}) exists but witx ends before it"
        ));
    }
    assert!(
        wrong.is_empty(),
        "capwasi::p1::Errno drifted from witx errno:\n  {}",
        wrong.join("\n  ")
    );
}

#[test]
fn rights_mask_matches_witx() {
    let doc = load();
    let bits = flag_bits(&doc, "rights").len() as u32;
    let all: u64 = p1::types::rights::ALL;
    assert_eq!(
        all.count_ones(),
        bits,
        "capwasi::p1::types::rights::ALL is {all:#x}: {} bits set, witx rights has {bits}",
        all.count_ones()
    );
    // Flag bits are numbered from zero in declaration order, so every right
    // the spec defines lies below bit `bits`.
    assert_eq!(
        all,
        (1u64 << bits) - 1,
        "capwasi::p1::types::rights::ALL is {all:#x}, not the low {bits} bits"
    );
}

/// Checks that each `(case, value)` pair gives the witx number of `case`: its
/// position for an enum, `1 << position` for flags. Every case of the type
/// must be covered unless `partial` is set.
fn check_constants(
    doc: &Document,
    type_name: &str,
    host: &[(&str, u64)],
    partial: bool,
    wrong: &mut Vec<String>,
) {
    let nt = doc
        .typename(&Id::new(type_name))
        .unwrap_or_else(|| panic!("witx/ has no type {type_name}"));
    let (numbered, flags): (Vec<String>, bool) = match &**nt.type_() {
        Type::Variant(v) if v.is_enum() => (
            v.cases.iter().map(|c| c.name.as_str().to_owned()).collect(),
            false,
        ),
        Type::Record(r) if r.bitflags_repr().is_some() => (
            r.members
                .iter()
                .map(|m| m.name.as_str().to_owned())
                .collect(),
            true,
        ),
        other => panic!(
            "witx type {type_name} is a {}, not an enum or flags",
            other.kind()
        ),
    };
    for &(case, value) in host {
        match numbered.iter().position(|c| c == case) {
            None => wrong.push(format!("{type_name}: witx has no case {case}")),
            Some(i) => {
                let want = if flags { 1u64 << i } else { i as u64 };
                if value != want {
                    wrong.push(format!(
                        "{type_name}.{case}: host {value:#x}, witx {want:#x}"
                    ));
                }
            }
        }
    }
    if !partial {
        for case in numbered
            .iter()
            .filter(|c| !host.iter().any(|(h, _)| h == c))
        {
            wrong.push(format!("{type_name}.{case}: no host constant checked"));
        }
    }
}

/// The witx type called `name`.
fn named(doc: &Document, name: &str) -> std::rc::Rc<witx::NamedType> {
    doc.typename(&Id::new(name))
        .unwrap_or_else(|| panic!("witx/ has no type {name}"))
}

/// Byte offset of `field` inside the witx record `record`.
fn field_offset(doc: &Document, record: &str, field: &str) -> u32 {
    match &**named(doc, record).type_() {
        Type::Record(r) => r
            .member_layout()
            .iter()
            .find(|m| m.member.name.as_str() == field)
            .map(|m| m.offset as u32)
            .unwrap_or_else(|| panic!("witx record {record} has no field {field}")),
        other => panic!("witx type {record} is a {}, not a record", other.kind()),
    }
}

/// Offset of the payload inside the witx union `union`.
fn payload_offset(doc: &Document, union: &str) -> u32 {
    match &**named(doc, union).type_() {
        Type::Variant(v) if !v.is_enum() => v.payload_offset() as u32,
        other => panic!("witx type {union} is a {}, not a union", other.kind()),
    }
}

#[test]
fn named_constants_match_witx() {
    use p1::types::*;
    let doc = load();
    let mut wrong = Vec::new();

    check_constants(
        &doc,
        "rights",
        &[
            ("fd_datasync", rights::FD_DATASYNC),
            ("fd_read", rights::FD_READ),
            ("fd_seek", rights::FD_SEEK),
            ("fd_fdstat_set_flags", rights::FD_FDSTAT_SET_FLAGS),
            ("fd_sync", rights::FD_SYNC),
            ("fd_tell", rights::FD_TELL),
            ("fd_write", rights::FD_WRITE),
            ("fd_advise", rights::FD_ADVISE),
            ("fd_allocate", rights::FD_ALLOCATE),
            ("path_create_directory", rights::PATH_CREATE_DIRECTORY),
            ("path_create_file", rights::PATH_CREATE_FILE),
            ("path_link_source", rights::PATH_LINK_SOURCE),
            ("path_link_target", rights::PATH_LINK_TARGET),
            ("path_open", rights::PATH_OPEN),
            ("fd_readdir", rights::FD_READDIR),
            ("path_readlink", rights::PATH_READLINK),
            ("path_rename_source", rights::PATH_RENAME_SOURCE),
            ("path_rename_target", rights::PATH_RENAME_TARGET),
            ("path_filestat_get", rights::PATH_FILESTAT_GET),
            ("path_filestat_set_size", rights::PATH_FILESTAT_SET_SIZE),
            ("path_filestat_set_times", rights::PATH_FILESTAT_SET_TIMES),
            ("fd_filestat_get", rights::FD_FILESTAT_GET),
            ("fd_filestat_set_size", rights::FD_FILESTAT_SET_SIZE),
            ("fd_filestat_set_times", rights::FD_FILESTAT_SET_TIMES),
            ("path_symlink", rights::PATH_SYMLINK),
            ("path_remove_directory", rights::PATH_REMOVE_DIRECTORY),
            ("path_unlink_file", rights::PATH_UNLINK_FILE),
            ("poll_fd_readwrite", rights::POLL_FD_READWRITE),
            ("sock_shutdown", rights::SOCK_SHUTDOWN),
            ("sock_accept", rights::SOCK_ACCEPT),
        ],
        false,
        &mut wrong,
    );
    check_constants(
        &doc,
        "filetype",
        &[
            ("unknown", filetype::UNKNOWN.into()),
            ("block_device", filetype::BLOCK_DEVICE.into()),
            ("character_device", filetype::CHARACTER_DEVICE.into()),
            ("directory", filetype::DIRECTORY.into()),
            ("regular_file", filetype::REGULAR_FILE.into()),
            ("socket_dgram", filetype::SOCKET_DGRAM.into()),
            ("socket_stream", filetype::SOCKET_STREAM.into()),
            ("symbolic_link", filetype::SYMBOLIC_LINK.into()),
        ],
        false,
        &mut wrong,
    );
    check_constants(
        &doc,
        "fdflags",
        &[
            ("append", fdflags::APPEND.into()),
            ("dsync", fdflags::DSYNC.into()),
            ("nonblock", fdflags::NONBLOCK.into()),
            ("rsync", fdflags::RSYNC.into()),
            ("sync", fdflags::SYNC.into()),
        ],
        false,
        &mut wrong,
    );
    check_constants(
        &doc,
        "oflags",
        &[
            ("creat", oflags::CREAT.into()),
            ("directory", oflags::DIRECTORY.into()),
            ("excl", oflags::EXCL.into()),
            ("trunc", oflags::TRUNC.into()),
        ],
        false,
        &mut wrong,
    );
    check_constants(
        &doc,
        "lookupflags",
        &[("symlink_follow", lookupflags::SYMLINK_FOLLOW.into())],
        false,
        &mut wrong,
    );
    check_constants(
        &doc,
        "fstflags",
        &[
            ("atim", fstflags::ATIM.into()),
            ("atim_now", fstflags::ATIM_NOW.into()),
            ("mtim", fstflags::MTIM.into()),
            ("mtim_now", fstflags::MTIM_NOW.into()),
        ],
        false,
        &mut wrong,
    );
    check_constants(
        &doc,
        "clockid",
        &[
            ("realtime", clockid::REALTIME.into()),
            ("monotonic", clockid::MONOTONIC.into()),
            ("process_cputime_id", clockid::PROCESS_CPUTIME_ID.into()),
            ("thread_cputime_id", clockid::THREAD_CPUTIME_ID.into()),
        ],
        false,
        &mut wrong,
    );
    check_constants(
        &doc,
        "whence",
        &[
            ("set", whence::SET.into()),
            ("cur", whence::CUR.into()),
            ("end", whence::END.into()),
        ],
        false,
        &mut wrong,
    );
    check_constants(
        &doc,
        "advice",
        &[
            ("normal", advice::NORMAL.into()),
            ("sequential", advice::SEQUENTIAL.into()),
            ("random", advice::RANDOM.into()),
            ("willneed", advice::WILLNEED.into()),
            ("dontneed", advice::DONTNEED.into()),
            ("noreuse", advice::NOREUSE.into()),
        ],
        false,
        &mut wrong,
    );
    check_constants(
        &doc,
        "eventtype",
        &[
            ("clock", eventtype::CLOCK.into()),
            ("fd_read", eventtype::FD_READ.into()),
            ("fd_write", eventtype::FD_WRITE.into()),
        ],
        false,
        &mut wrong,
    );
    check_constants(
        &doc,
        "eventrwflags",
        &[(
            "fd_readwrite_hangup",
            eventrwflags::FD_READWRITE_HANGUP.into(),
        )],
        false,
        &mut wrong,
    );
    check_constants(
        &doc,
        "subclockflags",
        &[(
            "subscription_clock_abstime",
            subclockflags::SUBSCRIPTION_CLOCK_ABSTIME.into(),
        )],
        false,
        &mut wrong,
    );
    check_constants(
        &doc,
        "riflags",
        &[
            ("recv_peek", sockflags::RECV_PEEK.into()),
            ("recv_waitall", sockflags::RECV_WAITALL.into()),
        ],
        false,
        &mut wrong,
    );
    check_constants(
        &doc,
        "roflags",
        &[("recv_data_truncated", sockflags::RECV_DATA_TRUNCATED.into())],
        false,
        &mut wrong,
    );
    check_constants(
        &doc,
        "sdflags",
        &[
            ("rd", sockflags::SHUT_RD.into()),
            ("wr", sockflags::SHUT_WR.into()),
        ],
        false,
        &mut wrong,
    );
    check_constants(
        &doc,
        "preopentype",
        &[("dir", preopentype::DIR.into())],
        false,
        &mut wrong,
    );
    // The host names only the signals it treats specially.
    check_constants(
        &doc,
        "signal",
        &[
            ("none", signal::NONE.into()),
            ("chld", signal::CHLD.into()),
            ("cont", signal::CONT.into()),
            ("urg", signal::URG.into()),
            ("winch", signal::WINCH.into()),
        ],
        true,
        &mut wrong,
    );
    let last_signal = enum_cases(&doc, "signal").len() as u64 - 1;
    if u64::from(signal::MAX) != last_signal {
        wrong.push(format!(
            "signal::MAX is {} but the last witx signal is {last_signal}",
            signal::MAX
        ));
    }

    // Unions are read through per-case offsets; derive each from witx.
    let size = |name| named(&doc, name).mem_size_align().size as u32;
    let u = field_offset(&doc, "subscription", "u");
    let payload = u + payload_offset(&doc, "subscription_u");
    let clock = |field| payload + field_offset(&doc, "subscription_clock", field);
    let offsets = [
        ("prestat::SIZE", prestat::SIZE, size("prestat")),
        (
            "prestat::NAME_LEN",
            prestat::NAME_LEN,
            payload_offset(&doc, "prestat") + field_offset(&doc, "prestat_dir", "pr_name_len"),
        ),
        (
            "subscription::SIZE",
            subscription::SIZE,
            size("subscription"),
        ),
        (
            "subscription::USERDATA",
            subscription::USERDATA,
            field_offset(&doc, "subscription", "userdata"),
        ),
        ("subscription::TAG", subscription::TAG, u),
        (
            "subscription::CLOCK_ID",
            subscription::CLOCK_ID,
            clock("id"),
        ),
        (
            "subscription::CLOCK_TIMEOUT",
            subscription::CLOCK_TIMEOUT,
            clock("timeout"),
        ),
        (
            "subscription::CLOCK_PRECISION",
            subscription::CLOCK_PRECISION,
            clock("precision"),
        ),
        (
            "subscription::CLOCK_FLAGS",
            subscription::CLOCK_FLAGS,
            clock("flags"),
        ),
        (
            "subscription::FD",
            subscription::FD,
            payload + field_offset(&doc, "subscription_fd_readwrite", "file_descriptor"),
        ),
    ];
    for (what, host, want) in offsets {
        if host != want {
            wrong.push(format!("{what}: host {host}, witx {want}"));
        }
    }

    assert!(
        wrong.is_empty(),
        "capwasi::p1::types constants drifted from witx/:\n  {}",
        wrong.join("\n  ")
    );
}

/// Import signatures of the published preview1 ABI, as wasi-libc and every
/// runtime link them. Kept here so an edit to `witx/` cannot move the ABI
/// together with the host.
const PUBLISHED_SIGNATURES: &[(&str, &str)] = &[
    ("args_get", "(i32 i32) -> (i32)"),
    ("args_sizes_get", "(i32 i32) -> (i32)"),
    ("environ_get", "(i32 i32) -> (i32)"),
    ("environ_sizes_get", "(i32 i32) -> (i32)"),
    ("clock_res_get", "(i32 i32) -> (i32)"),
    ("clock_time_get", "(i32 i64 i32) -> (i32)"),
    ("fd_advise", "(i32 i64 i64 i32) -> (i32)"),
    ("fd_allocate", "(i32 i64 i64) -> (i32)"),
    ("fd_close", "(i32) -> (i32)"),
    ("fd_datasync", "(i32) -> (i32)"),
    ("fd_fdstat_get", "(i32 i32) -> (i32)"),
    ("fd_fdstat_set_flags", "(i32 i32) -> (i32)"),
    ("fd_fdstat_set_rights", "(i32 i64 i64) -> (i32)"),
    ("fd_filestat_get", "(i32 i32) -> (i32)"),
    ("fd_filestat_set_size", "(i32 i64) -> (i32)"),
    ("fd_filestat_set_times", "(i32 i64 i64 i32) -> (i32)"),
    ("fd_pread", "(i32 i32 i32 i64 i32) -> (i32)"),
    ("fd_prestat_get", "(i32 i32) -> (i32)"),
    ("fd_prestat_dir_name", "(i32 i32 i32) -> (i32)"),
    ("fd_pwrite", "(i32 i32 i32 i64 i32) -> (i32)"),
    ("fd_read", "(i32 i32 i32 i32) -> (i32)"),
    ("fd_readdir", "(i32 i32 i32 i64 i32) -> (i32)"),
    ("fd_renumber", "(i32 i32) -> (i32)"),
    ("fd_seek", "(i32 i64 i32 i32) -> (i32)"),
    ("fd_sync", "(i32) -> (i32)"),
    ("fd_tell", "(i32 i32) -> (i32)"),
    ("fd_write", "(i32 i32 i32 i32) -> (i32)"),
    ("path_create_directory", "(i32 i32 i32) -> (i32)"),
    ("path_filestat_get", "(i32 i32 i32 i32 i32) -> (i32)"),
    (
        "path_filestat_set_times",
        "(i32 i32 i32 i32 i64 i64 i32) -> (i32)",
    ),
    ("path_link", "(i32 i32 i32 i32 i32 i32 i32) -> (i32)"),
    (
        "path_open",
        "(i32 i32 i32 i32 i32 i64 i64 i32 i32) -> (i32)",
    ),
    ("path_readlink", "(i32 i32 i32 i32 i32 i32) -> (i32)"),
    ("path_remove_directory", "(i32 i32 i32) -> (i32)"),
    ("path_rename", "(i32 i32 i32 i32 i32 i32) -> (i32)"),
    ("path_symlink", "(i32 i32 i32 i32 i32) -> (i32)"),
    ("path_unlink_file", "(i32 i32 i32) -> (i32)"),
    ("poll_oneoff", "(i32 i32 i32 i32) -> (i32)"),
    ("proc_exit", "(i32) -> ()"),
    ("proc_raise", "(i32) -> (i32)"),
    ("sched_yield", "() -> (i32)"),
    ("random_get", "(i32 i32) -> (i32)"),
    ("sock_accept", "(i32 i32 i32) -> (i32)"),
    ("sock_recv", "(i32 i32 i32 i32 i32 i32) -> (i32)"),
    ("sock_send", "(i32 i32 i32 i32 i32) -> (i32)"),
    ("sock_shutdown", "(i32 i32) -> (i32)"),
];

/// A type name, its size and alignment, and its fields with their offsets.
type StatedLayout = (&'static str, u32, u32, &'static [(&'static str, u32)]);

/// Sizes, alignments and field offsets of the published preview1 structs and
/// unions; union payloads are listed as `u`.
const PUBLISHED_LAYOUTS: &[StatedLayout] = &[
    ("iovec", 8, 4, &[("buf", 0), ("buf_len", 4)]),
    ("ciovec", 8, 4, &[("buf", 0), ("buf_len", 4)]),
    (
        "dirent",
        24,
        8,
        &[
            ("d_next", 0),
            ("d_ino", 8),
            ("d_namlen", 16),
            ("d_type", 20),
        ],
    ),
    (
        "fdstat",
        24,
        8,
        &[
            ("fs_filetype", 0),
            ("fs_flags", 2),
            ("fs_rights_base", 8),
            ("fs_rights_inheriting", 16),
        ],
    ),
    (
        "filestat",
        64,
        8,
        &[
            ("dev", 0),
            ("ino", 8),
            ("filetype", 16),
            ("nlink", 24),
            ("size", 32),
            ("atim", 40),
            ("mtim", 48),
            ("ctim", 56),
        ],
    ),
    ("event_fd_readwrite", 16, 8, &[("nbytes", 0), ("flags", 8)]),
    (
        "event",
        32,
        8,
        &[
            ("userdata", 0),
            ("error", 8),
            ("type", 10),
            ("fd_readwrite", 16),
        ],
    ),
    (
        "subscription_clock",
        32,
        8,
        &[("id", 0), ("timeout", 8), ("precision", 16), ("flags", 24)],
    ),
    ("subscription_fd_readwrite", 4, 4, &[("file_descriptor", 0)]),
    ("subscription_u", 40, 8, &[("tag", 0), ("u", 8)]),
    ("subscription", 48, 8, &[("userdata", 0), ("u", 8)]),
    ("prestat_dir", 4, 4, &[("pr_name_len", 0)]),
    ("prestat", 8, 4, &[("tag", 0), ("u", 4)]),
];

#[test]
fn witx_states_the_published_abi() {
    let doc = load();

    let published: BTreeMap<&str, &str> = PUBLISHED_SIGNATURES.iter().copied().collect();
    assert_eq!(published.len(), 46, "preview1 has 46 functions");
    let stated = witx_signatures(&doc);
    let mut wrong = Vec::new();
    for (name, sig) in &published {
        match stated.get(*name) {
            None => wrong.push(format!("function {name} is missing")),
            Some(s) if s != sig => wrong.push(format!("{name}: witx gives {s}, the ABI is {sig}")),
            Some(_) => {}
        }
    }
    for name in stated
        .keys()
        .filter(|n| !published.contains_key(n.as_str()))
    {
        wrong.push(format!("function {name} is not part of preview1"));
    }

    let mut structs = 0;
    for nt in doc.typenames() {
        let is_aggregate = match &**nt.type_() {
            Type::Record(r) => matches!(r.kind, RecordKind::Other),
            Type::Variant(v) => !v.is_enum(),
            _ => false,
        };
        if is_aggregate {
            structs += 1;
        }
    }
    if structs != PUBLISHED_LAYOUTS.len() {
        wrong.push(format!(
            "witx has {structs} structs/unions, the ABI {}",
            PUBLISHED_LAYOUTS.len()
        ));
    }
    for &(name, size, align, fields) in PUBLISHED_LAYOUTS {
        let Some(nt) = doc.typename(&Id::new(name)) else {
            wrong.push(format!("{name}: missing from witx"));
            continue;
        };
        wrong.extend(layout_differences(
            name,
            size,
            align,
            fields,
            &expected_layout(&nt),
        ));
    }
    assert!(
        wrong.is_empty(),
        "witx/ differs from the published preview1 ABI:\n  {}",
        wrong.join("\n  ")
    );

    let errno = enum_cases(&doc, "errno");
    assert_eq!(errno.len(), 77);
    assert_eq!(
        (
            errno[0].as_str(),
            errno[8].as_str(),
            errno[28].as_str(),
            errno[76].as_str()
        ),
        ("success", "badf", "inval", "notcapable")
    );
    let rights = flag_bits(&doc, "rights");
    assert_eq!(rights.len(), 30);
    assert_eq!(
        (rights[0].as_str(), rights[13].as_str(), rights[29].as_str()),
        ("fd_datasync", "path_open", "sock_accept")
    );
    let signal = enum_cases(&doc, "signal");
    assert_eq!(signal.len(), 31);
    assert_eq!(
        (
            signal[0].as_str(),
            signal[9].as_str(),
            signal[15].as_str(),
            signal[30].as_str()
        ),
        ("none", "kill", "term", "sys")
    );
}
