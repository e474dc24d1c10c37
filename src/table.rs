//! The bounded handle table behind descriptor numbers.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

/// Why a table refused: each ABI says it in its own terms (preview1:
/// `EMFILE` and `EBADF`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TableError {
    /// The table holds as many entries as it may.
    Full,
    /// No entry has that number.
    Absent,
}

/// Slots indexed by small integers, handed out lowest-free-first as POSIX
/// does for file descriptors, and never more than a fixed number at once.
pub struct Table<T> {
    slots: Vec<Option<T>>,
    free: BinaryHeap<Reverse<u32>>,
    live: u32,
    max: u32,
}

impl<T> Table<T> {
    /// An empty table that holds at most `max` live entries.
    pub fn new(max: u32) -> Self {
        Table {
            slots: Vec::new(),
            free: BinaryHeap::new(),
            live: 0,
            max,
        }
    }

    /// A table holding `entries` as numbers 0, 1, …, and at most `max`
    /// live entries. It may start over `max`: then nothing more fits until
    /// enough are removed.
    pub fn with_entries(max: u32, entries: Vec<T>) -> Self {
        let live = u32::try_from(entries.len()).unwrap_or(u32::MAX);
        Table {
            slots: entries.into_iter().map(Some).collect(),
            live,
            ..Table::new(max)
        }
    }

    /// Stores `value` in the lowest free slot and returns its number.
    pub fn push(&mut self, value: T) -> Result<u32, TableError> {
        if self.live >= self.max {
            return Err(TableError::Full);
        }
        let index = match self.free.pop() {
            Some(Reverse(index)) => index,
            None => {
                let index = u32::try_from(self.slots.len()).map_err(|_| TableError::Full)?;
                self.slots.push(None);
                index
            }
        };
        self.slots[index as usize] = Some(value);
        self.live += 1;
        Ok(index)
    }

    /// The entry at `index`.
    pub fn get(&self, index: u32) -> Result<&T, TableError> {
        self.slots
            .get(index as usize)
            .and_then(Option::as_ref)
            .ok_or(TableError::Absent)
    }

    /// The entry at `index` for changing.
    pub fn get_mut(&mut self, index: u32) -> Result<&mut T, TableError> {
        self.slots
            .get_mut(index as usize)
            .and_then(Option::as_mut)
            .ok_or(TableError::Absent)
    }

    /// Takes the entry at `index` out, freeing its number.
    pub fn remove(&mut self, index: u32) -> Result<T, TableError> {
        let value = self
            .slots
            .get_mut(index as usize)
            .and_then(Option::take)
            .ok_or(TableError::Absent)?;
        self.free.push(Reverse(index));
        self.live -= 1;
        Ok(value)
    }

    /// Moves the entry at `from` to `to`, dropping what `to` held. Both must
    /// be live: renumbering is how a guest replaces an open descriptor, not
    /// how it allocates one.
    pub fn renumber(&mut self, from: u32, to: u32) -> Result<(), TableError> {
        self.get(from)?;
        self.get(to)?;
        if from == to {
            return Ok(());
        }
        let value = self.remove(from)?;
        self.slots[to as usize] = Some(value);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lowest_free_first_and_bounded() {
        let mut t = Table::new(3);
        assert_eq!(t.push('a'), Ok(0));
        assert_eq!(t.push('b'), Ok(1));
        assert_eq!(t.push('c'), Ok(2));
        assert_eq!(t.push('d'), Err(TableError::Full));
        assert_eq!(t.remove(1), Ok('b'));
        assert_eq!(t.remove(1), Err(TableError::Absent));
        assert_eq!(t.push('e'), Ok(1));
    }

    #[test]
    fn renumber_replaces_and_frees() {
        let mut t = Table::new(8);
        assert_eq!(t.push('a'), Ok(0));
        assert_eq!(t.push('b'), Ok(1));
        assert_eq!(t.renumber(0, 0), Ok(()));
        assert_eq!(t.renumber(0, 5), Err(TableError::Absent));
        assert_eq!(t.renumber(5, 0), Err(TableError::Absent));
        assert_eq!(t.renumber(0, 1), Ok(()));
        assert_eq!(t.get(1), Ok(&'a'));
        assert_eq!(t.get(0), Err(TableError::Absent));
        assert_eq!(t.push('c'), Ok(0));
    }
}
