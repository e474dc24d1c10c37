//! A resumable position in a directory listing.

use std::io;

use super::{Dir, DirEntries, DirEntry};

/// A listing that remembers where it is, so that reading a directory in
/// many small calls costs O(n) in total rather than O(n) per call.
///
/// Positions count entries from the start of the listing (`.` and `..`
/// excluded). Asking for the position the cursor is already at continues
/// the same host stream; only a jump backwards starts a new one.
pub struct ReadDirCursor {
    stream: DirEntries,
    position: u64,
    /// The entry at the cursor, valid when `peeked`; reused for every
    /// entry so that a listing allocates nothing per entry.
    entry: DirEntry,
    peeked: bool,
}

impl ReadDirCursor {
    /// A cursor at the start of `dir`'s listing.
    pub fn new(dir: &dyn Dir) -> io::Result<Self> {
        Ok(ReadDirCursor {
            stream: dir.entries()?,
            position: 0,
            entry: DirEntry::default(),
            peeked: false,
        })
    }

    /// Moves to entry `position`, restarting the listing only if it lies
    /// behind the cursor.
    pub fn seek(&mut self, dir: &dyn Dir, position: u64) -> io::Result<()> {
        if position < self.position {
            *self = ReadDirCursor::new(dir)?;
        }
        while self.position < position {
            if self.peek()?.is_none() {
                break;
            }
            self.advance();
        }
        Ok(())
    }

    /// The entry at the cursor, or `None` at the end.
    pub fn peek(&mut self) -> io::Result<Option<&DirEntry>> {
        if !self.peeked {
            self.peeked = self.stream.next_into(&mut self.entry)?;
        }
        Ok(self.peeked.then_some(&self.entry))
    }

    /// Steps past the entry at the cursor.
    pub fn advance(&mut self) {
        if std::mem::take(&mut self.peeked) {
            self.position += 1;
        }
    }

    /// The position of the entry [`Self::peek`] returns.
    pub fn position(&self) -> u64 {
        self.position
    }
}
