//! Each hand-listed type of the canonical-ABI table against `wit/`: enum
//! cases in the WIT's order, and the memory layout of every record,
//! variant and enum that crosses in memory.

use std::net::SocketAddr;

use wit_parser::{Resolve, SizeAlign, Type, TypeDefKind, TypeId};

use crate::component::abi::Abi;
use crate::net::sockopt::IpFamily;
use crate::p2::clocks::wall_clock::Datetime;
use crate::p2::filesystem::types::{
    Advice, DescriptorFlags, DescriptorStat, DescriptorType, DirectoryEntry, MetadataHashValue,
    NewTimestamp, OpenFlags, PathFlags,
};
use crate::p2::io::streams::StreamError;
use crate::p2::sockets::tcp::ShutdownType;
use crate::p2::sockets::udp::{IncomingDatagram, OutgoingDatagram};
use crate::p2::ErrorCode;

struct Wit {
    resolve: Resolve,
    sizes: SizeAlign,
}

fn wit() -> Wit {
    let mut resolve = Resolve::new();
    resolve.features.insert("network-error-code".to_string());
    resolve
        .push_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/wit"))
        .expect("wit/ resolves");
    let mut sizes = SizeAlign::default();
    sizes.fill(&resolve);
    Wit { resolve, sizes }
}

impl Wit {
    /// The type `name` of `interface` (e.g. `wasi:io/streams`).
    fn ty(&self, interface: &str, name: &str) -> TypeId {
        let (id, _) = self
            .resolve
            .interfaces
            .iter()
            .find(|(id, _)| {
                self.resolve
                    .id_of(*id)
                    .is_some_and(|full| full.split('@').next() == Some(interface))
            })
            .unwrap_or_else(|| panic!("no interface {interface}"));
        *self.resolve.interfaces[id]
            .types
            .get(name)
            .unwrap_or_else(|| panic!("no type {name} in {interface}"))
    }

    /// Panics unless `T`'s size and alignment are the WIT type's.
    fn same_layout<T: Abi>(&self, interface: &str, name: &str) {
        let ty = Type::Id(self.ty(interface, name));
        assert_eq!(
            (T::SIZE as usize, T::ALIGN as usize),
            (
                self.sizes.size(&ty).size_wasm32(),
                self.sizes.align(&ty).align_wasm32()
            ),
            "{interface} {name}: (size, align)"
        );
    }

    /// The WIT's cases of the enum `name`, in order.
    fn cases(&self, interface: &str, name: &str) -> Vec<String> {
        match &self.resolve.types[self.ty(interface, name)].kind {
            TypeDefKind::Enum(e) => e.cases.iter().map(|c| c.name.clone()).collect(),
            other => panic!("{interface} {name} is not an enum: {other:?}"),
        }
    }
}

/// `WouldBlock` as the WIT spells it: `would-block`.
fn kebab(debug: String) -> String {
    let mut out = String::new();
    for (i, c) in debug.chars().enumerate() {
        if c.is_ascii_uppercase() && i > 0 {
            out.push('-');
        }
        out.push(c.to_ascii_lowercase());
    }
    out
}

fn names<T: std::fmt::Debug>(cases: &[T]) -> Vec<String> {
    cases.iter().map(|c| kebab(format!("{c:?}"))).collect()
}

#[test]
fn enum_cases_are_the_wits_in_its_order() {
    let wit = wit();
    for (interface, name, ours) in [
        (
            "wasi:filesystem/types",
            "error-code",
            names(ErrorCode::CASES),
        ),
        (
            "wasi:filesystem/types",
            "descriptor-type",
            names(DescriptorType::CASES),
        ),
        ("wasi:filesystem/types", "advice", names(Advice::CASES)),
        (
            "wasi:sockets/network",
            "error-code",
            names(crate::p2::sockets::ErrorCode::CASES),
        ),
        (
            "wasi:sockets/network",
            "ip-address-family",
            names(IpFamily::CASES),
        ),
        (
            "wasi:sockets/tcp",
            "shutdown-type",
            names(ShutdownType::CASES),
        ),
    ] {
        assert_eq!(ours, wit.cases(interface, name), "{interface} {name}");
    }
}

#[test]
fn layouts_are_the_wits() {
    let wit = wit();
    wit.same_layout::<Datetime>("wasi:clocks/wall-clock", "datetime");
    wit.same_layout::<StreamError>("wasi:io/streams", "stream-error");
    wit.same_layout::<ErrorCode>("wasi:filesystem/types", "error-code");
    wit.same_layout::<DescriptorType>("wasi:filesystem/types", "descriptor-type");
    wit.same_layout::<DescriptorFlags>("wasi:filesystem/types", "descriptor-flags");
    wit.same_layout::<PathFlags>("wasi:filesystem/types", "path-flags");
    wit.same_layout::<OpenFlags>("wasi:filesystem/types", "open-flags");
    wit.same_layout::<DescriptorStat>("wasi:filesystem/types", "descriptor-stat");
    wit.same_layout::<NewTimestamp>("wasi:filesystem/types", "new-timestamp");
    wit.same_layout::<DirectoryEntry>("wasi:filesystem/types", "directory-entry");
    wit.same_layout::<MetadataHashValue>("wasi:filesystem/types", "metadata-hash-value");
    wit.same_layout::<Advice>("wasi:filesystem/types", "advice");
    wit.same_layout::<crate::p2::sockets::ErrorCode>("wasi:sockets/network", "error-code");
    wit.same_layout::<std::net::IpAddr>("wasi:sockets/network", "ip-address");
    wit.same_layout::<SocketAddr>("wasi:sockets/network", "ip-socket-address");
    wit.same_layout::<IpFamily>("wasi:sockets/network", "ip-address-family");
    wit.same_layout::<ShutdownType>("wasi:sockets/tcp", "shutdown-type");
    wit.same_layout::<IncomingDatagram>("wasi:sockets/udp", "incoming-datagram");
    wit.same_layout::<OutgoingDatagram>("wasi:sockets/udp", "outgoing-datagram");
}
