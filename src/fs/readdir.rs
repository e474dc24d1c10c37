//! A resumable position in a directory listing.

use std::io;

use super::{Dir, DirEntries, DirEntry};

/// A listing that remembers where it is, so that reading a directory in
/// many small calls costs O(n) in total rather than O(n) per call.
///
/// Positions count entries from the start of the listing (`.` and `..`
/// excluded): small numbers, because a 32-bit guest's `telldir` returns a
/// `long` and would cut a host's 64-bit `d_off` short. Each position the
/// cursor has passed is remembered with the stream's own cookie for it, so
/// that going back to a position is a host seek rather than a count from
/// the start. That keeps a position taken before the directory changed
/// between the same two entries afterwards: nothing the change left alone
/// is repeated or lost, as POSIX `seekdir` promises.
pub struct ReadDirCursor {
    stream: DirEntries,
    /// Where entry `i` begins, as the stream's cookie, for every position
    /// passed since the last rewind; `starts[0]` is 0, the start. Eight
    /// bytes per entry, for the entries this descriptor has listed.
    starts: Vec<u64>,
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
            starts: vec![0],
            position: 0,
            entry: DirEntry::default(),
            peeked: false,
        })
    }

    /// Moves to entry `position`. The position the cursor is at continues
    /// the same host stream; one passed before is a host seek; one further
    /// on is reached by reading forward.
    pub fn seek(&mut self, position: u64) -> io::Result<()> {
        if position == self.position {
            return Ok(());
        }
        let known = (self.starts.len() - 1) as u64;
        let from = position.min(known);
        self.stream.seek(self.starts[from as usize])?;
        self.position = from;
        self.peeked = false;
        while self.position < position {
            if self.peek()?.is_none() {
                break;
            }
            self.advance();
        }
        Ok(())
    }

    /// Goes back to the start and reads the directory afresh, as
    /// `rewinddir` does, so that the listing sees every change since.
    /// Positions handed out before no longer mean anything (as POSIX says
    /// of `telldir` values across `rewinddir`).
    pub fn rewind(&mut self) -> io::Result<()> {
        self.stream.seek(0)?;
        self.starts.truncate(1);
        self.position = 0;
        self.peeked = false;
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
            // The cursor only ever steps from a position it knows, so the
            // next one is either known already (then re-read, and the
            // host's current answer wins) or the first unknown.
            match self.starts.get_mut(self.position as usize) {
                Some(start) => *start = self.entry.next,
                None => self.starts.push(self.entry.next),
            }
        }
    }

    /// The position of the entry [`Self::peek`] returns.
    pub fn position(&self) -> u64 {
        self.position
    }
}
