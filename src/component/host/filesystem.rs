//! `wasi:filesystem`: descriptors, directory listings and preopens.

use crate::p2::clocks::wall_clock::Datetime;
use crate::p2::filesystem::preopens;
use crate::p2::filesystem::types::{
    self, descriptor, directory_entry_stream, Advice, Descriptor, DescriptorFlags, DescriptorStat,
    DescriptorType, DirectoryEntry, DirectoryEntryStream, FsResult, MetadataHashValue,
    NewTimestamp, OpenFlags, PathFlags,
};
use crate::p2::io::error::IoError;
use crate::p2::io::streams::{InputStream, OutputStream};
use crate::p2::{ErrorCode, Resource};

use super::{fallible, trapping};
use crate::component::abi::{
    check_case, load_case, store_case, Abi, Flat, Guest, Outcome, Val, VariantLayout,
};
use crate::component::signatures::FlatType;
use crate::{cabi_enum, cabi_record};

// `error-code`: the core lists its codes in the WIT's order.
cabi_enum!(ErrorCode = ErrorCode::ALL);

// `descriptor-type`.
cabi_enum!(DescriptorType {
    Unknown,
    BlockDevice,
    CharacterDevice,
    Directory,
    Fifo,
    SymbolicLink,
    RegularFile,
    Socket,
});

// `advice`.
cabi_enum!(Advice {
    Normal,
    Sequential,
    Random,
    WillNeed,
    DontNeed,
    NoReuse,
});

// `descriptor-stat`.
cabi_record!(DescriptorStat {
    type_: DescriptorType,
    link_count: u64,
    size: u64,
    data_access_timestamp: Option<Datetime>,
    data_modification_timestamp: Option<Datetime>,
    status_change_timestamp: Option<Datetime>,
});

// `directory-entry`.
cabi_record!(DirectoryEntry {
    type_: DescriptorType,
    name: String,
});

// `metadata-hash-value`.
cabi_record!(MetadataHashValue {
    lower: u64,
    upper: u64
});

/// WIT `flags` of at most 8 flags: one `i32` flat, one byte in memory, bit
/// `n` the WIT's `n`th flag. Bits the WIT does not define are ignored, as
/// the canonical ABI says (and wasmtime's component model does).
macro_rules! flags {
    ($($ty:ident),* $(,)?) => {$(
        impl Abi for $ty {
            const FLAT: usize = 1;
            const SIZE: u32 = 1;
            const ALIGN: u32 = 1;
            fn flat_types(out: &mut Vec<FlatType>) {
                out.push(FlatType::I32);
            }
            fn lift(flat: &mut Flat<'_>, _: &[u8]) -> Outcome<Self> {
                Ok(defined($ty::all().bits() & flat.i32()? as u8, $ty::from_bits))
            }
            fn load(memory: &[u8], at: u32) -> Outcome<Self> {
                Ok(defined($ty::all().bits() & u8::load(memory, at)?, $ty::from_bits))
            }
            fn store(self, guest: &mut dyn Guest, at: u32) -> Outcome<()> {
                self.bits().store(guest, at)
            }
            fn lower(self) -> Outcome<Val> {
                Ok(Val::I32(self.bits().into()))
            }
        }
    )*};
}

/// The flags of `bits`, which hold only defined ones.
fn defined<T: Default>(bits: u8, from_bits: fn(u8) -> Option<T>) -> T {
    from_bits(bits).unwrap_or_default()
}

flags!(DescriptorFlags, PathFlags, OpenFlags);

// `new-timestamp`: case 0 `no-change`, case 1 `now`, case 2
// `timestamp(datetime)`. Flat, it is the discriminant and then the
// datetime's slots, `[i64, i32]`, whatever the case.
impl Abi for NewTimestamp {
    const FLAT: usize = 1 + Datetime::FLAT;
    const SIZE: u32 = TIMESTAMP.size;
    const ALIGN: u32 = TIMESTAMP.align;
    fn flat_types(out: &mut Vec<FlatType>) {
        out.push(FlatType::I32);
        Datetime::flat_types(out);
    }
    fn lift(flat: &mut Flat<'_>, memory: &[u8]) -> Outcome<Self> {
        let case = check_case(flat.i32()? as u32, 3)?;
        // Every case has the payload's slots; reading them as a datetime
        // moves past them for the cases that leave them unused.
        let at = Datetime::lift(flat, memory)?;
        Ok(match case {
            0 => NewTimestamp::NoChange,
            1 => NewTimestamp::Now,
            _ => NewTimestamp::Timestamp(at),
        })
    }
    fn load(memory: &[u8], at: u32) -> Outcome<Self> {
        Ok(match load_case(memory, at, &TIMESTAMP, 3)? {
            0 => NewTimestamp::NoChange,
            1 => NewTimestamp::Now,
            _ => NewTimestamp::Timestamp(Datetime::load(memory, at + TIMESTAMP.payload)?),
        })
    }
    fn store(self, guest: &mut dyn Guest, at: u32) -> Outcome<()> {
        match self {
            NewTimestamp::NoChange => store_case(guest, at, &TIMESTAMP, 0),
            NewTimestamp::Now => store_case(guest, at, &TIMESTAMP, 1),
            NewTimestamp::Timestamp(when) => {
                store_case(guest, at, &TIMESTAMP, 2)?;
                when.store(guest, at + TIMESTAMP.payload)
            }
        }
    }
}

/// `new-timestamp`'s layout: three cases, a datetime the only payload.
const TIMESTAMP: VariantLayout = VariantLayout::new(3, Datetime::SIZE, Datetime::ALIGN);

type Fs<T> = Result<T, ErrorCode>;

/// A filesystem call's outcome for the guest: its value or error code, or
/// a trap.
fn answer<T>(result: FsResult<T>) -> Outcome<Fs<T>> {
    fallible(result)
}

host_functions! {
    // ---- wasi:filesystem/types
    "wasi:filesystem/types" "filesystem-error-code"
        |ctx, err: Resource<IoError>| -> Option<ErrorCode> {
        trapping(types::filesystem_error_code(ctx, err))
    }

    // ---- wasi:filesystem/types: descriptor
    "wasi:filesystem/types" "[method]descriptor.read-via-stream"
        |ctx, this: Resource<Descriptor>, offset: u64| -> Fs<Resource<InputStream>> {
        answer(descriptor::read_via_stream(ctx, this, offset))
    }
    "wasi:filesystem/types" "[method]descriptor.write-via-stream"
        |ctx, this: Resource<Descriptor>, offset: u64| -> Fs<Resource<OutputStream>> {
        answer(descriptor::write_via_stream(ctx, this, offset))
    }
    "wasi:filesystem/types" "[method]descriptor.append-via-stream"
        |ctx, this: Resource<Descriptor>| -> Fs<Resource<OutputStream>> {
        answer(descriptor::append_via_stream(ctx, this))
    }
    "wasi:filesystem/types" "[method]descriptor.advise"
        |ctx, this: Resource<Descriptor>, offset: u64, length: u64, advice: Advice| -> Fs<()> {
        answer(wait!(ctx, descriptor::advise(ctx, this, offset, length, advice)))
    }
    "wasi:filesystem/types" "[method]descriptor.sync-data"
        |ctx, this: Resource<Descriptor>| -> Fs<()> {
        answer(wait!(ctx, descriptor::sync_data(ctx, this)))
    }
    "wasi:filesystem/types" "[method]descriptor.get-flags"
        |ctx, this: Resource<Descriptor>| -> Fs<DescriptorFlags> {
        answer(descriptor::get_flags(ctx, this))
    }
    "wasi:filesystem/types" "[method]descriptor.get-type"
        |ctx, this: Resource<Descriptor>| -> Fs<DescriptorType> {
        answer(wait!(ctx, descriptor::get_type(ctx, this)))
    }
    "wasi:filesystem/types" "[method]descriptor.set-size"
        |ctx, this: Resource<Descriptor>, size: u64| -> Fs<()> {
        answer(wait!(ctx, descriptor::set_size(ctx, this, size)))
    }
    "wasi:filesystem/types" "[method]descriptor.set-times"
        |ctx, this: Resource<Descriptor>, atime: NewTimestamp, mtime: NewTimestamp| -> Fs<()> {
        answer(wait!(ctx, descriptor::set_times(ctx, this, atime, mtime)))
    }
    "wasi:filesystem/types" "[method]descriptor.read"
        |ctx, this: Resource<Descriptor>, length: u64, offset: u64| -> Fs<(Vec<u8>, bool)> {
        answer(wait!(ctx, descriptor::read(ctx, this, length, offset)))
    }
    "wasi:filesystem/types" "[method]descriptor.write"
        |ctx, this: Resource<Descriptor>, buffer: Vec<u8>, offset: u64| -> Fs<u64> {
        answer(wait!(ctx, descriptor::write(ctx, this, buffer, offset)))
    }
    "wasi:filesystem/types" "[method]descriptor.read-directory"
        |ctx, this: Resource<Descriptor>| -> Fs<Resource<DirectoryEntryStream>> {
        answer(wait!(ctx, descriptor::read_directory(ctx, this)))
    }
    "wasi:filesystem/types" "[method]descriptor.sync"
        |ctx, this: Resource<Descriptor>| -> Fs<()> {
        answer(wait!(ctx, descriptor::sync(ctx, this)))
    }
    "wasi:filesystem/types" "[method]descriptor.create-directory-at"
        |ctx, this: Resource<Descriptor>, path: String| -> Fs<()> {
        answer(wait!(ctx, descriptor::create_directory_at(ctx, this, path)))
    }
    "wasi:filesystem/types" "[method]descriptor.stat"
        |ctx, this: Resource<Descriptor>| -> Fs<DescriptorStat> {
        answer(wait!(ctx, descriptor::stat(ctx, this)))
    }
    "wasi:filesystem/types" "[method]descriptor.stat-at"
        |ctx, this: Resource<Descriptor>, path_flags: PathFlags, path: String|
        -> Fs<DescriptorStat> {
        answer(wait!(ctx, descriptor::stat_at(ctx, this, path_flags, path)))
    }
    "wasi:filesystem/types" "[method]descriptor.set-times-at"
        |ctx,
         this: Resource<Descriptor>,
         path_flags: PathFlags,
         path: String,
         atime: NewTimestamp,
         mtime: NewTimestamp|
        -> Fs<()> {
        answer(wait!(
            ctx,
            descriptor::set_times_at(ctx, this, path_flags, path, atime, mtime)
        ))
    }
    "wasi:filesystem/types" "[method]descriptor.link-at"
        |ctx,
         this: Resource<Descriptor>,
         old_path_flags: PathFlags,
         old_path: String,
         new_descriptor: Resource<Descriptor>,
         new_path: String|
        -> Fs<()> {
        answer(wait!(
            ctx,
            descriptor::link_at(ctx, this, old_path_flags, old_path, new_descriptor, new_path)
        ))
    }
    "wasi:filesystem/types" "[method]descriptor.open-at"
        |ctx,
         this: Resource<Descriptor>,
         path_flags: PathFlags,
         path: String,
         open_flags: OpenFlags,
         flags: DescriptorFlags|
        -> Fs<Resource<Descriptor>> {
        answer(wait!(
            ctx,
            descriptor::open_at(ctx, this, path_flags, path, open_flags, flags)
        ))
    }
    "wasi:filesystem/types" "[method]descriptor.readlink-at"
        |ctx, this: Resource<Descriptor>, path: String| -> Fs<String> {
        answer(wait!(ctx, descriptor::readlink_at(ctx, this, path)))
    }
    "wasi:filesystem/types" "[method]descriptor.remove-directory-at"
        |ctx, this: Resource<Descriptor>, path: String| -> Fs<()> {
        answer(wait!(ctx, descriptor::remove_directory_at(ctx, this, path)))
    }
    "wasi:filesystem/types" "[method]descriptor.rename-at"
        |ctx,
         this: Resource<Descriptor>,
         old_path: String,
         new_descriptor: Resource<Descriptor>,
         new_path: String|
        -> Fs<()> {
        answer(wait!(
            ctx,
            descriptor::rename_at(ctx, this, old_path, new_descriptor, new_path)
        ))
    }
    "wasi:filesystem/types" "[method]descriptor.symlink-at"
        |ctx, this: Resource<Descriptor>, old_path: String, new_path: String| -> Fs<()> {
        answer(wait!(ctx, descriptor::symlink_at(ctx, this, old_path, new_path)))
    }
    "wasi:filesystem/types" "[method]descriptor.unlink-file-at"
        |ctx, this: Resource<Descriptor>, path: String| -> Fs<()> {
        answer(wait!(ctx, descriptor::unlink_file_at(ctx, this, path)))
    }
    "wasi:filesystem/types" "[method]descriptor.is-same-object"
        |ctx, this: Resource<Descriptor>, other: Resource<Descriptor>| -> bool {
        trapping(wait!(ctx, descriptor::is_same_object(ctx, this, other)))
    }
    "wasi:filesystem/types" "[method]descriptor.metadata-hash"
        |ctx, this: Resource<Descriptor>| -> Fs<MetadataHashValue> {
        answer(wait!(ctx, descriptor::metadata_hash(ctx, this)))
    }
    "wasi:filesystem/types" "[method]descriptor.metadata-hash-at"
        |ctx, this: Resource<Descriptor>, path_flags: PathFlags, path: String|
        -> Fs<MetadataHashValue> {
        answer(wait!(ctx, descriptor::metadata_hash_at(ctx, this, path_flags, path)))
    }
    "wasi:filesystem/types" "[resource-drop]descriptor"
        |ctx, this: Resource<Descriptor>| -> () {
        trapping(descriptor::drop(ctx, this))
    }

    // ---- wasi:filesystem/types: directory-entry-stream
    "wasi:filesystem/types" "[method]directory-entry-stream.read-directory-entry"
        |ctx, this: Resource<DirectoryEntryStream>| -> Fs<Option<DirectoryEntry>> {
        answer(wait!(ctx, directory_entry_stream::read_directory_entry(ctx, this)))
    }
    "wasi:filesystem/types" "[resource-drop]directory-entry-stream"
        |ctx, this: Resource<DirectoryEntryStream>| -> () {
        trapping(directory_entry_stream::drop(ctx, this))
    }

    // ---- wasi:filesystem/preopens
    "wasi:filesystem/preopens" "get-directories"
        |ctx| -> Vec<(Resource<Descriptor>, String)> {
        trapping(preopens::get_directories(ctx))
    }
}
