//! The canonical ABI between a guest's core code and a wasi 0.2 host
//! function: how each WIT type travels as flat core values and in guest
//! memory, with every pointer, length, alignment, string, discriminant and
//! handle checked. This is the one place where the component path reads
//! and writes guest memory.
//!
//! A host function sees the guest through [`Guest`]: the memory its
//! lowering names and the guest's `cabi_realloc`, which it calls to make
//! room for lists and strings it returns. Any violation is a
//! [`Termination::Trap`]; nothing a guest passes can panic the host.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, SocketAddrV4, SocketAddrV6};

use super::signatures::FlatType;
use crate::engine::Termination;
use crate::p2::{Resource, WasiP2Ctx};

/// A core wasm value, as host functions receive and return them.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Val {
    /// An `i32`.
    I32(i32),
    /// An `i64`.
    I64(i64),
    /// An `f32`.
    F32(f32),
    /// An `f64`.
    F64(f64),
}

impl Val {
    /// The zero of `ty`.
    pub fn zero(ty: FlatType) -> Val {
        match ty {
            FlatType::I32 => Val::I32(0),
            FlatType::I64 => Val::I64(0),
            FlatType::F32 => Val::F32(0.0),
            FlatType::F64 => Val::F64(0.0),
        }
    }
}

/// What a host function reaches of its guest during a call.
pub trait Guest {
    /// The memory the lowering's options name (empty when they name none)
    /// and the guest's preview2 state, borrowed together.
    fn memory_and_ctx(&mut self) -> (&mut [u8], &mut WasiP2Ctx);

    /// Calls the lowering's `cabi_realloc(0, 0, align, size)` and returns
    /// the pointer it gave, unchecked. A lowering without `realloc` traps.
    fn realloc(&mut self, align: u32, size: u32) -> Result<u32, Termination>;
}

/// A call's outcome: a value, or the end of the guest.
pub type Outcome<T> = Result<T, Termination>;

/// A trap with `message`.
pub fn trap<T>(message: impl Into<String>) -> Outcome<T> {
    Err(Termination::Trap(message.into()))
}

/// The bytes `[at, at + len)` of `memory`, if they are all inside it.
pub(crate) fn span(memory: &[u8], at: u32, len: u32) -> Outcome<std::ops::Range<usize>> {
    let start = at as usize;
    match start.checked_add(len as usize) {
        Some(end) if end <= memory.len() => Ok(start..end),
        _ => trap(format!(
            "guest pointer {at:#x} + {len} bytes is out of bounds of its memory of {} bytes",
            memory.len()
        )),
    }
}

/// `at`, if it is a multiple of `align`.
pub(crate) fn aligned(at: u32, align: u32) -> Outcome<u32> {
    if at.is_multiple_of(align) {
        Ok(at)
    } else {
        trap(format!("guest pointer {at:#x} is not {align}-byte aligned"))
    }
}

/// `len` elements of `size` bytes, if that fits in a 32-bit memory.
pub(crate) fn list_bytes(len: u32, size: u32) -> Outcome<u32> {
    match len.checked_mul(size) {
        Some(bytes) => Ok(bytes),
        None => trap(format!(
            "a list of {len} elements of {size} bytes overflows 32-bit memory"
        )),
    }
}

fn read<const N: usize>(memory: &[u8], at: u32) -> Outcome<[u8; N]> {
    let range = span(memory, aligned(at, N as u32)?, N as u32)?;
    let mut bytes = [0; N];
    bytes.copy_from_slice(&memory[range]);
    Ok(bytes)
}

fn write(guest: &mut dyn Guest, at: u32, bytes: &[u8]) -> Outcome<()> {
    let memory = guest.memory_and_ctx().0;
    let range = span(memory, at, bytes.len() as u32)?;
    memory[range].copy_from_slice(bytes);
    Ok(())
}

/// Room for `size` bytes aligned to `align`, from the guest's allocator,
/// checked to be inside its memory and aligned.
pub(crate) fn allocate(guest: &mut dyn Guest, align: u32, size: u32) -> Outcome<u32> {
    let at = guest.realloc(align, size)?;
    if !at.is_multiple_of(align) {
        return trap(format!(
            "cabi_realloc returned {at:#x}, which is not {align}-byte aligned"
        ));
    }
    let memory = guest.memory_and_ctx().0;
    if (at as usize).saturating_add(size as usize) > memory.len() {
        return trap(format!(
            "cabi_realloc returned {at:#x} for {size} bytes, out of bounds of its memory of {} bytes",
            memory.len()
        ));
    }
    Ok(at)
}

/// `n` rounded up to a multiple of `align`.
pub const fn align_to(n: u32, align: u32) -> u32 {
    n.div_ceil(align) * align
}

/// The larger of `a` and `b`, usable in constants.
pub const fn max(a: u32, b: u32) -> u32 {
    if a > b {
        a
    } else {
        b
    }
}

const fn max_usize(a: usize, b: usize) -> usize {
    if a > b {
        a
    } else {
        b
    }
}

/// The flat values of a call's parameters, read in order. A slot that a
/// variant widened to `i64` gives its low 32 bits to an `i32` case, as the
/// canonical ABI says.
pub struct Flat<'a> {
    values: &'a [Val],
    next: usize,
}

impl<'a> Flat<'a> {
    /// Reads `values` from the first.
    pub fn new(values: &'a [Val]) -> Self {
        Flat { values, next: 0 }
    }

    fn take(&mut self) -> Outcome<Val> {
        let value = self.values.get(self.next).copied();
        self.next += 1;
        match value {
            Some(value) => Ok(value),
            None => trap("fewer arguments than the function's signature"),
        }
    }

    /// The next value as an `i32`.
    pub fn i32(&mut self) -> Outcome<i32> {
        match self.take()? {
            Val::I32(v) => Ok(v),
            Val::I64(v) => Ok(v as i32),
            other => trap(format!("expected an i32 argument, got {other:?}")),
        }
    }

    /// The next value as an `i64`.
    pub fn i64(&mut self) -> Outcome<i64> {
        match self.take()? {
            Val::I64(v) => Ok(v),
            other => trap(format!("expected an i64 argument, got {other:?}")),
        }
    }

    /// Skips to `width` values past `start`: what a variant case left of
    /// the variant's widest case.
    fn skip_to(&mut self, start: usize, width: usize) {
        self.next = start + width;
    }
}

/// How a WIT type travels between guest and host.
///
/// `FLAT`, `flat_types`, `SIZE` and `ALIGN` are the canonical ABI's
/// flattening and memory layout; the tests check the flattening of every
/// function against the signatures generated from `wit/`.
pub trait Abi: Sized {
    /// How many core values the type flattens to.
    const FLAT: usize;
    /// Its size in memory.
    const SIZE: u32;
    /// Its alignment in memory.
    const ALIGN: u32;

    /// Appends the core types it flattens to.
    fn flat_types(out: &mut Vec<FlatType>);

    /// Reads it from flat parameters; `memory` holds what pointers name.
    fn lift(flat: &mut Flat<'_>, memory: &[u8]) -> Outcome<Self>;

    /// Reads it from memory at `at`, which the caller has aligned.
    fn load(memory: &[u8], at: u32) -> Outcome<Self>;

    /// Writes it to memory at `at`, which the caller has aligned, calling
    /// the guest's allocator for what it points to.
    fn store(self, guest: &mut dyn Guest, at: u32) -> Outcome<()>;

    /// Its single flat value, for a function that returns it directly.
    /// Only types that flatten to one value are returned so.
    fn lower(self) -> Outcome<Val> {
        trap("a value of several core values cannot be returned directly")
    }

    /// `len` elements from `at`: one by one, unless the type knows better.
    fn load_list(memory: &[u8], at: u32, len: u32) -> Outcome<Vec<Self>> {
        span(memory, at, list_bytes(len, Self::SIZE)?)?;
        (0..len)
            .map(|i| Self::load(memory, at + i * Self::SIZE))
            .collect()
    }

    /// Writes `items` from `at`: one by one, unless the type knows better.
    fn store_list(items: Vec<Self>, guest: &mut dyn Guest, at: u32) -> Outcome<()> {
        for (i, item) in items.into_iter().enumerate() {
            item.store(guest, at + i as u32 * Self::SIZE)?;
        }
        Ok(())
    }
}

macro_rules! integer {
    ($($ty:ty => $flat:ident, $size:literal, $lift:ident, $val:ident as $wide:ty { $($lists:item)* })*) => {$(
        impl Abi for $ty {
            const FLAT: usize = 1;
            const SIZE: u32 = $size;
            const ALIGN: u32 = $size;
            fn flat_types(out: &mut Vec<FlatType>) {
                out.push(FlatType::$flat);
            }
            fn lift(flat: &mut Flat<'_>, _: &[u8]) -> Outcome<Self> {
                // Narrow integers take the low bits of their i32, as the
                // canonical ABI says.
                Ok(flat.$lift()? as $ty)
            }
            fn load(memory: &[u8], at: u32) -> Outcome<Self> {
                Ok(<$ty>::from_le_bytes(read(memory, at)?))
            }
            fn store(self, guest: &mut dyn Guest, at: u32) -> Outcome<()> {
                write(guest, at, &self.to_le_bytes())
            }
            fn lower(self) -> Outcome<Val> {
                Ok(Val::$val(self as $wide))
            }
            $($lists)*
        }
    )*};
}

integer! {
    // Bytes are the one list the host copies in bulk: stream and file
    // contents.
    u8 => I32, 1, i32, I32 as i32 {
        fn load_list(memory: &[u8], at: u32, len: u32) -> Outcome<Vec<Self>> {
            Ok(memory[span(memory, at, len)?].to_vec())
        }
        fn store_list(items: Vec<Self>, guest: &mut dyn Guest, at: u32) -> Outcome<()> {
            write(guest, at, &items)
        }
    }
    u16 => I32, 2, i32, I32 as i32 {}
    u32 => I32, 4, i32, I32 as i32 {}
    u64 => I64, 8, i64, I64 as i64 {}
}

impl Abi for bool {
    const FLAT: usize = 1;
    const SIZE: u32 = 1;
    const ALIGN: u32 = 1;
    fn flat_types(out: &mut Vec<FlatType>) {
        out.push(FlatType::I32);
    }
    // Any nonzero value is true, as the canonical ABI says.
    fn lift(flat: &mut Flat<'_>, _: &[u8]) -> Outcome<Self> {
        Ok(flat.i32()? != 0)
    }
    fn load(memory: &[u8], at: u32) -> Outcome<Self> {
        Ok(u8::load(memory, at)? != 0)
    }
    fn store(self, guest: &mut dyn Guest, at: u32) -> Outcome<()> {
        u8::from(self).store(guest, at)
    }
    fn lower(self) -> Outcome<Val> {
        Ok(Val::I32(self.into()))
    }
}

/// A handle as the guest holds it: the resource table's index plus one,
/// so that 0, which the component model never hands out, is never valid.
impl<T> Abi for Resource<T> {
    const FLAT: usize = 1;
    const SIZE: u32 = 4;
    const ALIGN: u32 = 4;
    fn flat_types(out: &mut Vec<FlatType>) {
        out.push(FlatType::I32);
    }
    fn lift(flat: &mut Flat<'_>, _: &[u8]) -> Outcome<Self> {
        handle(flat.i32()? as u32)
    }
    fn load(memory: &[u8], at: u32) -> Outcome<Self> {
        handle(u32::load(memory, at)?)
    }
    fn store(self, guest: &mut dyn Guest, at: u32) -> Outcome<()> {
        guest_handle(&self)?.store(guest, at)
    }
    fn lower(self) -> Outcome<Val> {
        guest_handle(&self)?.lower()
    }
}

/// The resource behind the guest's handle `raw`.
pub fn handle<T>(raw: u32) -> Outcome<Resource<T>> {
    match raw.checked_sub(1) {
        Some(rep) => Ok(Resource::new(rep)),
        None => trap("bad resource handle: 0 is never a handle"),
    }
}

fn guest_handle<T>(resource: &Resource<T>) -> Outcome<u32> {
    match resource.rep().checked_add(1) {
        Some(raw) => Ok(raw),
        None => trap("the resource table ran past 32-bit handles"),
    }
}

impl Abi for () {
    const FLAT: usize = 0;
    const SIZE: u32 = 0;
    const ALIGN: u32 = 1;
    fn flat_types(_: &mut Vec<FlatType>) {}
    fn lift(_: &mut Flat<'_>, _: &[u8]) -> Outcome<Self> {
        Ok(())
    }
    fn load(_: &[u8], _: u32) -> Outcome<Self> {
        Ok(())
    }
    fn store(self, _: &mut dyn Guest, _: u32) -> Outcome<()> {
        Ok(())
    }
}

impl Abi for String {
    const FLAT: usize = 2;
    const SIZE: u32 = 8;
    const ALIGN: u32 = 4;
    fn flat_types(out: &mut Vec<FlatType>) {
        out.extend([FlatType::I32; 2]);
    }
    fn lift(flat: &mut Flat<'_>, memory: &[u8]) -> Outcome<Self> {
        let (at, len) = (flat.i32()? as u32, flat.i32()? as u32);
        string(memory, at, len)
    }
    fn load(memory: &[u8], at: u32) -> Outcome<Self> {
        string(memory, u32::load(memory, at)?, u32::load(memory, at + 4)?)
    }
    fn store(self, guest: &mut dyn Guest, at: u32) -> Outcome<()> {
        let len = self.len() as u32;
        let data = allocate(guest, 1, len)?;
        write(guest, data, self.as_bytes())?;
        data.store(guest, at)?;
        len.store(guest, at + 4)
    }
}

fn string(memory: &[u8], at: u32, len: u32) -> Outcome<String> {
    match std::str::from_utf8(&memory[span(memory, at, len)?]) {
        Ok(text) => Ok(text.to_string()),
        Err(e) => trap(format!("a string argument is not UTF-8: {e}")),
    }
}

impl<T: Abi> Abi for Vec<T> {
    const FLAT: usize = 2;
    const SIZE: u32 = 8;
    const ALIGN: u32 = 4;
    fn flat_types(out: &mut Vec<FlatType>) {
        out.extend([FlatType::I32; 2]);
    }
    fn lift(flat: &mut Flat<'_>, memory: &[u8]) -> Outcome<Self> {
        let (at, len) = (flat.i32()? as u32, flat.i32()? as u32);
        T::load_list(memory, aligned(at, T::ALIGN)?, len)
    }
    fn load(memory: &[u8], at: u32) -> Outcome<Self> {
        let (data, len) = (u32::load(memory, at)?, u32::load(memory, at + 4)?);
        T::load_list(memory, aligned(data, T::ALIGN)?, len)
    }
    fn store(self, guest: &mut dyn Guest, at: u32) -> Outcome<()> {
        let len = u32::try_from(self.len()).or_else(|_| trap("a list too long for the guest"))?;
        let data = allocate(guest, T::ALIGN, list_bytes(len, T::SIZE)?)?;
        T::store_list(self, guest, data)?;
        data.store(guest, at)?;
        len.store(guest, at + 4)
    }
}

/// The canonical ABI's layout of a variant whose cases have the given
/// payload sizes and alignments: where its payload starts, and its size
/// and alignment.
pub struct VariantLayout {
    /// The size of the discriminant.
    pub discriminant: u32,
    /// Where the payload starts.
    pub payload: u32,
    /// The variant's size.
    pub size: u32,
    /// The variant's alignment.
    pub align: u32,
}

impl VariantLayout {
    /// The layout of `cases` variant cases, the largest payload `size`
    /// bytes and the most aligned `align`.
    pub const fn new(cases: u32, size: u32, align: u32) -> Self {
        let discriminant = if cases <= 1 << 8 {
            1
        } else if cases <= 1 << 16 {
            2
        } else {
            4
        };
        let align = max(discriminant, align);
        let payload = align_to(discriminant, align);
        VariantLayout {
            discriminant,
            payload,
            size: align_to(payload + size, align),
            align,
        }
    }
}

/// Reads a discriminant below `cases` from memory.
pub fn load_case(memory: &[u8], at: u32, layout: &VariantLayout, cases: u32) -> Outcome<u32> {
    let case = match layout.discriminant {
        1 => u8::load(memory, at)?.into(),
        2 => u16::load(memory, at)?.into(),
        _ => u32::load(memory, at)?,
    };
    check_case(case, cases)
}

/// Writes a discriminant to memory.
pub fn store_case(
    guest: &mut dyn Guest,
    at: u32,
    layout: &VariantLayout,
    case: u32,
) -> Outcome<()> {
    match layout.discriminant {
        1 => (case as u8).store(guest, at),
        2 => (case as u16).store(guest, at),
        _ => case.store(guest, at),
    }
}

/// `case`, if it is below `cases`.
pub fn check_case(case: u32, cases: u32) -> Outcome<u32> {
    if case < cases {
        Ok(case)
    } else {
        trap(format!(
            "invalid discriminant {case} for a type of {cases} cases"
        ))
    }
}

/// Joins flat types case by case, as a variant's payload slots are.
pub fn join_flat(cases: &[Vec<FlatType>]) -> Vec<FlatType> {
    let mut joined: Vec<FlatType> = Vec::new();
    for case in cases {
        for (i, &ty) in case.iter().enumerate() {
            match joined.get(i).copied() {
                None => joined.push(ty),
                Some(have) if have == ty => {}
                Some(FlatType::I32 | FlatType::F32)
                    if matches!(ty, FlatType::I32 | FlatType::F32) =>
                {
                    joined[i] = FlatType::I32
                }
                Some(_) => joined[i] = FlatType::I64,
            }
        }
    }
    joined
}

impl<T: Abi> Abi for Option<T> {
    const FLAT: usize = 1 + T::FLAT;
    const SIZE: u32 = VariantLayout::new(2, T::SIZE, T::ALIGN).size;
    const ALIGN: u32 = VariantLayout::new(2, T::SIZE, T::ALIGN).align;
    fn flat_types(out: &mut Vec<FlatType>) {
        out.push(FlatType::I32);
        T::flat_types(out);
    }
    fn lift(flat: &mut Flat<'_>, memory: &[u8]) -> Outcome<Self> {
        let case = check_case(flat.i32()? as u32, 2)?;
        let start = flat.next;
        let value = if case == 1 {
            Some(T::lift(flat, memory)?)
        } else {
            None
        };
        flat.skip_to(start, T::FLAT);
        Ok(value)
    }
    fn load(memory: &[u8], at: u32) -> Outcome<Self> {
        let layout = VariantLayout::new(2, T::SIZE, T::ALIGN);
        Ok(match load_case(memory, at, &layout, 2)? {
            0 => None,
            _ => Some(T::load(memory, at + layout.payload)?),
        })
    }
    fn store(self, guest: &mut dyn Guest, at: u32) -> Outcome<()> {
        let layout = VariantLayout::new(2, T::SIZE, T::ALIGN);
        match self {
            None => store_case(guest, at, &layout, 0),
            Some(value) => {
                store_case(guest, at, &layout, 1)?;
                value.store(guest, at + layout.payload)
            }
        }
    }
}

impl<T: Abi, E: Abi> Abi for Result<T, E> {
    const FLAT: usize = 1 + max_usize(T::FLAT, E::FLAT);
    const SIZE: u32 = VariantLayout::new(2, max(T::SIZE, E::SIZE), max(T::ALIGN, E::ALIGN)).size;
    const ALIGN: u32 = VariantLayout::new(2, max(T::SIZE, E::SIZE), max(T::ALIGN, E::ALIGN)).align;
    fn flat_types(out: &mut Vec<FlatType>) {
        let (mut ok, mut err) = (Vec::new(), Vec::new());
        T::flat_types(&mut ok);
        E::flat_types(&mut err);
        out.push(FlatType::I32);
        out.extend(join_flat(&[ok, err]));
    }
    fn lift(flat: &mut Flat<'_>, memory: &[u8]) -> Outcome<Self> {
        let case = check_case(flat.i32()? as u32, 2)?;
        let start = flat.next;
        let value = if case == 0 {
            Ok(T::lift(flat, memory)?)
        } else {
            Err(E::lift(flat, memory)?)
        };
        flat.skip_to(start, Self::FLAT - 1);
        Ok(value)
    }
    fn load(memory: &[u8], at: u32) -> Outcome<Self> {
        let layout = VariantLayout::new(2, max(T::SIZE, E::SIZE), max(T::ALIGN, E::ALIGN));
        Ok(match load_case(memory, at, &layout, 2)? {
            0 => Ok(T::load(memory, at + layout.payload)?),
            _ => Err(E::load(memory, at + layout.payload)?),
        })
    }
    fn store(self, guest: &mut dyn Guest, at: u32) -> Outcome<()> {
        let layout = VariantLayout::new(2, max(T::SIZE, E::SIZE), max(T::ALIGN, E::ALIGN));
        match self {
            Ok(value) => {
                store_case(guest, at, &layout, 0)?;
                value.store(guest, at + layout.payload)
            }
            Err(error) => {
                store_case(guest, at, &layout, 1)?;
                error.store(guest, at + layout.payload)
            }
        }
    }
}

/// Implements [`Abi`] for a record (a Rust struct, or a tuple through
/// `tuple!`), field by field in the WIT's order.
#[macro_export]
#[doc(hidden)]
macro_rules! cabi_record {
    ($ty:ty { $($field:ident : $fty:ty),* $(,)? }) => {
        impl $crate::component::abi::Abi for $ty {
            const FLAT: usize = 0 $(+ <$fty as $crate::component::abi::Abi>::FLAT)*;
            const ALIGN: u32 = {
                let align = 1;
                $(let align = $crate::component::abi::max(align, <$fty as $crate::component::abi::Abi>::ALIGN);)*
                align
            };
            const SIZE: u32 = {
                let size = 0;
                $(let size = $crate::component::abi::align_to(size, <$fty as $crate::component::abi::Abi>::ALIGN)
                    + <$fty as $crate::component::abi::Abi>::SIZE;)*
                $crate::component::abi::align_to(size, Self::ALIGN)
            };
            fn flat_types(out: &mut Vec<$crate::component::signatures::FlatType>) {
                $(<$fty as $crate::component::abi::Abi>::flat_types(out);)*
            }
            fn lift(
                flat: &mut $crate::component::abi::Flat<'_>,
                memory: &[u8],
            ) -> $crate::component::abi::Outcome<Self> {
                $(let $field = <$fty as $crate::component::abi::Abi>::lift(flat, memory)?;)*
                Ok(Self { $($field),* })
            }
            #[allow(unused_assignments)]
            fn load(memory: &[u8], at: u32) -> $crate::component::abi::Outcome<Self> {
                let mut offset = 0;
                $(
                    offset = $crate::component::abi::align_to(offset, <$fty as $crate::component::abi::Abi>::ALIGN);
                    let $field = <$fty as $crate::component::abi::Abi>::load(memory, at + offset)?;
                    offset += <$fty as $crate::component::abi::Abi>::SIZE;
                )*
                Ok(Self { $($field),* })
            }
            #[allow(unused_assignments)]
            fn store(
                self,
                guest: &mut dyn $crate::component::abi::Guest,
                at: u32,
            ) -> $crate::component::abi::Outcome<()> {
                let mut offset = 0;
                $(
                    offset = $crate::component::abi::align_to(offset, <$fty as $crate::component::abi::Abi>::ALIGN);
                    <$fty as $crate::component::abi::Abi>::store(self.$field, guest, at + offset)?;
                    offset += <$fty as $crate::component::abi::Abi>::SIZE;
                )*
                Ok(())
            }
        }
    };
}

/// Implements [`Abi`] for a WIT `enum`: the Rust variants listed in the
/// WIT's order (or a slice of them, `Type = SLICE`), each travelling as its
/// position.
#[macro_export]
#[doc(hidden)]
macro_rules! cabi_enum {
    ($ty:ty { $($variant:ident),* $(,)? }) => {
        $crate::cabi_enum!($ty = &[$(<$ty>::$variant),*]);
    };
    ($ty:ty = $cases:expr) => {
        impl $ty {
            /// The cases in the WIT's order.
            #[allow(dead_code)]
            pub(crate) const CASES: &'static [$ty] = $cases;
        }
        impl $crate::component::abi::Abi for $ty {
            const FLAT: usize = 1;
            const SIZE: u32 = $crate::component::abi::VariantLayout::new(Self::CASES.len() as u32, 0, 1).size;
            const ALIGN: u32 = $crate::component::abi::VariantLayout::new(Self::CASES.len() as u32, 0, 1).align;
            fn flat_types(out: &mut Vec<$crate::component::signatures::FlatType>) {
                out.push($crate::component::signatures::FlatType::I32);
            }
            fn lift(
                flat: &mut $crate::component::abi::Flat<'_>,
                _: &[u8],
            ) -> $crate::component::abi::Outcome<Self> {
                let case = $crate::component::abi::check_case(flat.i32()? as u32, Self::CASES.len() as u32)?;
                Ok(Self::CASES[case as usize])
            }
            fn load(memory: &[u8], at: u32) -> $crate::component::abi::Outcome<Self> {
                let layout = $crate::component::abi::VariantLayout::new(Self::CASES.len() as u32, 0, 1);
                let case = $crate::component::abi::load_case(memory, at, &layout, Self::CASES.len() as u32)?;
                Ok(Self::CASES[case as usize])
            }
            fn store(
                self,
                guest: &mut dyn $crate::component::abi::Guest,
                at: u32,
            ) -> $crate::component::abi::Outcome<()> {
                let layout = $crate::component::abi::VariantLayout::new(Self::CASES.len() as u32, 0, 1);
                $crate::component::abi::store_case(guest, at, &layout, self.case())
            }
            fn lower(self) -> $crate::component::abi::Outcome<$crate::component::abi::Val> {
                Ok($crate::component::abi::Val::I32(self.case() as i32))
            }
        }
        impl $ty {
            /// The case's position in the WIT.
            #[allow(dead_code)]
            fn case(self) -> u32 {
                Self::CASES.iter().position(|case| *case == self).unwrap_or(0) as u32
            }
        }
    };
}

macro_rules! tuple {
    ($(($($t:ident $v:ident),*))*) => {$(
        impl<$($t: Abi),*> Abi for ($($t,)*) {
            const FLAT: usize = 0 $(+ $t::FLAT)*;
            const ALIGN: u32 = {
                let align = 1;
                $(let align = max(align, $t::ALIGN);)*
                align
            };
            const SIZE: u32 = {
                let size = 0;
                $(let size = align_to(size, $t::ALIGN) + $t::SIZE;)*
                align_to(size, Self::ALIGN)
            };
            fn flat_types(out: &mut Vec<FlatType>) {
                $($t::flat_types(out);)*
            }
            fn lift(flat: &mut Flat<'_>, memory: &[u8]) -> Outcome<Self> {
                Ok(($($t::lift(flat, memory)?,)*))
            }
            #[allow(unused_assignments)]
            fn load(memory: &[u8], at: u32) -> Outcome<Self> {
                let mut offset = 0;
                Ok(($({
                    offset = align_to(offset, $t::ALIGN);
                    let value = $t::load(memory, at + offset)?;
                    offset += $t::SIZE;
                    value
                },)*))
            }
            #[allow(unused_assignments)]
            fn store(self, guest: &mut dyn Guest, at: u32) -> Outcome<()> {
                let ($($v,)*) = self;
                let mut offset = 0;
                $(
                    offset = align_to(offset, $t::ALIGN);
                    $v.store(guest, at + offset)?;
                    offset += $t::SIZE;
                )*
                Ok(())
            }
        }
    )*};
}

tuple! {
    (A a, B b)
    (A a, B b, C c)
}

/// The four octets of an IPv4 address: a `tuple<u8, u8, u8, u8>`.
#[derive(Clone, Copy)]
struct Octets {
    a: u8,
    b: u8,
    c: u8,
    d: u8,
}
cabi_record!(Octets {
    a: u8,
    b: u8,
    c: u8,
    d: u8
});

/// The eight segments of an IPv6 address: a `tuple<u16 x 8>`.
#[derive(Clone, Copy)]
struct Segments {
    a: u16,
    b: u16,
    c: u16,
    d: u16,
    e: u16,
    f: u16,
    g: u16,
    h: u16,
}
cabi_record!(Segments {
    a: u16,
    b: u16,
    c: u16,
    d: u16,
    e: u16,
    f: u16,
    g: u16,
    h: u16
});

impl From<Ipv4Addr> for Octets {
    fn from(ip: Ipv4Addr) -> Self {
        let [a, b, c, d] = ip.octets();
        Octets { a, b, c, d }
    }
}

impl From<Octets> for Ipv4Addr {
    fn from(o: Octets) -> Self {
        Ipv4Addr::new(o.a, o.b, o.c, o.d)
    }
}

impl From<Ipv6Addr> for Segments {
    fn from(ip: Ipv6Addr) -> Self {
        let [a, b, c, d, e, f, g, h] = ip.segments();
        Segments {
            a,
            b,
            c,
            d,
            e,
            f,
            g,
            h,
        }
    }
}

impl From<Segments> for Ipv6Addr {
    fn from(s: Segments) -> Self {
        Ipv6Addr::new(s.a, s.b, s.c, s.d, s.e, s.f, s.g, s.h)
    }
}

/// `ipv4-socket-address`.
struct V4 {
    port: u16,
    address: Octets,
}
cabi_record!(V4 {
    port: u16,
    address: Octets
});

/// `ipv6-socket-address`.
struct V6 {
    port: u16,
    flow_info: u32,
    address: Segments,
    scope_id: u32,
}
cabi_record!(V6 {
    port: u16,
    flow_info: u32,
    address: Segments,
    scope_id: u32
});

/// A two-case variant (`ip-address`, `ip-socket-address`): which case, and
/// the payloads' types. Both cases' flat values share slots.
macro_rules! two_cases {
    ($ty:ty, $a:ty, $b:ty, |$value:ident| $split:expr, $first:expr, $second:expr) => {
        impl Abi for $ty {
            const FLAT: usize = 1 + max_usize(<$a>::FLAT, <$b>::FLAT);
            const SIZE: u32 = VariantLayout::new(
                2,
                max(<$a>::SIZE, <$b>::SIZE),
                max(<$a>::ALIGN, <$b>::ALIGN),
            )
            .size;
            const ALIGN: u32 = VariantLayout::new(
                2,
                max(<$a>::SIZE, <$b>::SIZE),
                max(<$a>::ALIGN, <$b>::ALIGN),
            )
            .align;
            fn flat_types(out: &mut Vec<FlatType>) {
                <Result<$a, $b>>::flat_types(out)
            }
            fn lift(flat: &mut Flat<'_>, memory: &[u8]) -> Outcome<Self> {
                Ok(match <Result<$a, $b>>::lift(flat, memory)? {
                    Ok(a) => $first(a),
                    Err(b) => $second(b),
                })
            }
            fn load(memory: &[u8], at: u32) -> Outcome<Self> {
                Ok(match <Result<$a, $b>>::load(memory, at)? {
                    Ok(a) => $first(a),
                    Err(b) => $second(b),
                })
            }
            fn store(self, guest: &mut dyn Guest, at: u32) -> Outcome<()> {
                let $value = self;
                let split: Result<$a, $b> = $split;
                split.store(guest, at)
            }
        }
    };
}

two_cases!(
    IpAddr,
    Octets,
    Segments,
    |ip| match ip {
        IpAddr::V4(v4) => Ok(v4.into()),
        IpAddr::V6(v6) => Err(v6.into()),
    },
    |o: Octets| IpAddr::V4(o.into()),
    |s: Segments| IpAddr::V6(s.into())
);

two_cases!(
    SocketAddr,
    V4,
    V6,
    |addr| match addr {
        SocketAddr::V4(a) => Ok(V4 {
            port: a.port(),
            address: (*a.ip()).into(),
        }),
        SocketAddr::V6(a) => Err(V6 {
            port: a.port(),
            flow_info: a.flowinfo(),
            address: (*a.ip()).into(),
            scope_id: a.scope_id(),
        }),
    },
    |a: V4| SocketAddr::V4(SocketAddrV4::new(a.address.into(), a.port)),
    |a: V6| SocketAddr::V6(SocketAddrV6::new(
        a.address.into(),
        a.port,
        a.flow_info,
        a.scope_id
    ))
);

#[cfg(test)]
mod tests;
