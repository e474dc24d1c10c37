//! Checked access to a guest's linear memory.
//!
//! Every guest pointer and length goes through [`GuestMemory`]: a range that
//! does not lie wholly inside memory is `EFAULT`, never a panic. The only
//! unsafe code builds disjoint mutable slices for vectored reads, and it is
//! kept to [`GuestMemory::iovecs_mut`].

use std::io::{IoSlice, IoSliceMut};

use smallvec::SmallVec;

use super::Errno;

/// The most iovecs one call may pass; Linux refuses more (`IOV_MAX`), and
/// the bound keeps a hostile count from costing the host anything.
pub const MAX_IOVECS: u32 = 1024;

/// Iovec lists this short are gathered on the stack; longer ones are rare.
const INLINE_IOVECS: usize = 8;

/// Host views of a guest iovec array, ready for vectored I/O.
type IoSlices<'a> = SmallVec<[IoSlice<'a>; INLINE_IOVECS]>;
/// Mutable host views of a guest iovec array, pairwise disjoint.
type IoSlicesMut<'a> = SmallVec<[IoSliceMut<'a>; INLINE_IOVECS]>;

/// A guest's linear memory, for the duration of one host call.
pub struct GuestMemory<'a> {
    bytes: &'a mut [u8],
}

impl<'a> GuestMemory<'a> {
    /// Wraps the bytes of the guest's exported memory.
    pub fn new(bytes: &'a mut [u8]) -> Self {
        GuestMemory { bytes }
    }

    /// The byte range `ptr..ptr+len`, if it lies inside memory.
    fn range(&self, ptr: u32, len: u32) -> Result<std::ops::Range<usize>, Errno> {
        let start = ptr as usize;
        let end = start.checked_add(len as usize).ok_or(Errno::Fault)?;
        if end > self.bytes.len() {
            return Err(Errno::Fault);
        }
        Ok(start..end)
    }

    /// `len` bytes at `ptr`.
    pub fn slice(&self, ptr: u32, len: u32) -> Result<&[u8], Errno> {
        let range = self.range(ptr, len)?;
        Ok(&self.bytes[range])
    }

    /// `len` writable bytes at `ptr`.
    pub fn slice_mut(&mut self, ptr: u32, len: u32) -> Result<&mut [u8], Errno> {
        let range = self.range(ptr, len)?;
        Ok(&mut self.bytes[range])
    }

    fn array<const N: usize>(&self, ptr: u32) -> Result<[u8; N], Errno> {
        let range = self.range(ptr, N as u32)?;
        let mut out = [0; N];
        out.copy_from_slice(&self.bytes[range]);
        Ok(out)
    }

    /// Reads a little-endian u8 at `ptr`.
    pub fn read_u8(&self, ptr: u32) -> Result<u8, Errno> {
        Ok(self.array::<1>(ptr)?[0])
    }

    /// Reads a little-endian u16 at `ptr`.
    pub fn read_u16(&self, ptr: u32) -> Result<u16, Errno> {
        Ok(u16::from_le_bytes(self.array(ptr)?))
    }

    /// Reads a little-endian u32 at `ptr`.
    pub fn read_u32(&self, ptr: u32) -> Result<u32, Errno> {
        Ok(u32::from_le_bytes(self.array(ptr)?))
    }

    /// Reads a little-endian u64 at `ptr`.
    pub fn read_u64(&self, ptr: u32) -> Result<u64, Errno> {
        Ok(u64::from_le_bytes(self.array(ptr)?))
    }

    /// Writes `bytes` at `ptr`.
    pub fn write(&mut self, ptr: u32, bytes: &[u8]) -> Result<(), Errno> {
        let len = u32::try_from(bytes.len()).map_err(|_| Errno::Fault)?;
        self.slice_mut(ptr, len)?.copy_from_slice(bytes);
        Ok(())
    }

    /// Writes a little-endian u8 at `ptr`.
    pub fn write_u8(&mut self, ptr: u32, value: u8) -> Result<(), Errno> {
        self.write(ptr, &[value])
    }

    /// Writes a little-endian u16 at `ptr`.
    pub fn write_u16(&mut self, ptr: u32, value: u16) -> Result<(), Errno> {
        self.write(ptr, &value.to_le_bytes())
    }

    /// Writes a little-endian u32 at `ptr`.
    pub fn write_u32(&mut self, ptr: u32, value: u32) -> Result<(), Errno> {
        self.write(ptr, &value.to_le_bytes())
    }

    /// Writes a little-endian u64 at `ptr`.
    pub fn write_u64(&mut self, ptr: u32, value: u64) -> Result<(), Errno> {
        self.write(ptr, &value.to_le_bytes())
    }

    /// A guest path: `len` bytes at `ptr`, UTF-8 with no NUL.
    ///
    /// A NUL would silently cut the path short at the host's C boundary, so
    /// it is refused here rather than passed on.
    pub fn path(&self, ptr: u32, len: u32) -> Result<&str, Errno> {
        let bytes = self.slice(ptr, len)?;
        if bytes.contains(&0) {
            return Err(Errno::Inval);
        }
        std::str::from_utf8(bytes).map_err(|_| Errno::Ilseq)
    }

    /// Decodes the `(buf, buf_len)` pairs of an iovec array, checking each
    /// buffer against memory.
    #[inline]
    fn iovec_ranges(
        &self,
        iovs: u32,
        count: u32,
    ) -> Result<impl Iterator<Item = std::ops::Range<usize>> + '_, Errno> {
        if count > MAX_IOVECS {
            return Err(Errno::Inval);
        }
        let table = self.slice(iovs, count * 8)?;
        // Checked up front so that a bad entry late in the list fails the
        // call before any I/O happens.
        for pair in table.chunks_exact(8) {
            let ptr = u32::from_le_bytes([pair[0], pair[1], pair[2], pair[3]]);
            let len = u32::from_le_bytes([pair[4], pair[5], pair[6], pair[7]]);
            self.range(ptr, len)?;
        }
        Ok(table.chunks_exact(8).map(|pair| {
            let ptr = u32::from_le_bytes([pair[0], pair[1], pair[2], pair[3]]) as usize;
            let len = u32::from_le_bytes([pair[4], pair[5], pair[6], pair[7]]) as usize;
            ptr..ptr + len
        }))
    }

    /// Runs `with` on the buffers of a `ciovec` array, for a vectored
    /// write. The list is built on this call's stack and handed over by
    /// reference: returning it would copy it, twice, on every call.
    #[inline]
    pub fn iovecs<R>(
        &self,
        iovs: u32,
        count: u32,
        with: impl FnOnce(&[IoSlice<'_>]) -> R,
    ) -> Result<R, Errno> {
        let mut slices = IoSlices::new();
        for range in self.iovec_ranges(iovs, count)? {
            if !range.is_empty() {
                slices.push(IoSlice::new(&self.bytes[range]));
            }
        }
        Ok(with(&slices))
    }

    /// The total length of an iovec array, checked like [`Self::iovecs`].
    pub fn iovecs_len(&self, iovs: u32, count: u32) -> Result<usize, Errno> {
        Ok(self.iovec_ranges(iovs, count)?.map(|r| r.len()).sum())
    }

    /// The buffers of an `iovec` array, for a vectored read.
    ///
    /// Guest iovecs may overlap, and two overlapping `&mut` slices may not
    /// exist at once, so the list stops before the first buffer that
    /// overlaps an earlier one. The call then reads less than asked, which
    /// every reader must already handle.
    #[inline]
    pub fn iovecs_mut<R>(
        &mut self,
        iovs: u32,
        count: u32,
        with: impl FnOnce(&mut [IoSliceMut<'_>]) -> R,
    ) -> Result<R, Errno> {
        let mut taken: SmallVec<[std::ops::Range<usize>; INLINE_IOVECS]> = SmallVec::new();
        for range in self.iovec_ranges(iovs, count)? {
            if range.is_empty() {
                continue;
            }
            if taken
                .iter()
                .any(|t| t.start < range.end && range.start < t.end)
            {
                break;
            }
            taken.push(range);
        }
        let base = self.bytes.as_mut_ptr();
        let mut slices = IoSlicesMut::new();
        for r in taken {
            // SAFETY: every range was checked to lie inside `self.bytes`, the
            // ranges are pairwise disjoint, and the slices borrow `self`
            // mutably for their whole lifetime, so no other access to these
            // bytes can exist while they live.
            let slice = unsafe { std::slice::from_raw_parts_mut(base.add(r.start), r.len()) };
            slices.push(IoSliceMut::new(slice));
        }
        Ok(with(&mut slices))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn out_of_bounds_is_efault() {
        let mut bytes = vec![0u8; 16];
        let mut mem = GuestMemory::new(&mut bytes);
        assert_eq!(mem.read_u32(13), Err(Errno::Fault));
        assert_eq!(mem.read_u64(u32::MAX), Err(Errno::Fault));
        assert_eq!(mem.write_u32(12, 1), Ok(()));
        assert_eq!(mem.slice(16, 0).map(|s| s.len()), Ok(0));
        assert_eq!(mem.slice(17, 0).map(|s| s.len()), Err(Errno::Fault));
    }

    #[test]
    fn overlapping_read_iovecs_are_cut() {
        let mut bytes = vec![0u8; 64];
        // Two iovecs: [32..40) and [36..44), which overlap.
        bytes[0..4].copy_from_slice(&32u32.to_le_bytes());
        bytes[4..8].copy_from_slice(&8u32.to_le_bytes());
        bytes[8..12].copy_from_slice(&36u32.to_le_bytes());
        bytes[12..16].copy_from_slice(&8u32.to_le_bytes());
        let mut mem = GuestMemory::new(&mut bytes);
        assert_eq!(mem.iovecs_mut(0, 2, |v| v.len()), Ok(1));
        assert_eq!(mem.iovecs(0, 2, |v| v.len()), Ok(2));
        assert_eq!(
            mem.iovecs_mut(0, MAX_IOVECS + 1, |v| v.len()).err(),
            Some(Errno::Inval)
        );
    }

    #[test]
    fn paths_refuse_nul_and_bad_utf8() {
        let mut bytes = b"a\0b\xff".to_vec();
        let mem = GuestMemory::new(&mut bytes);
        assert_eq!(mem.path(0, 1), Ok("a"));
        assert_eq!(mem.path(0, 3), Err(Errno::Inval));
        assert_eq!(mem.path(3, 1), Err(Errno::Ilseq));
    }
}
