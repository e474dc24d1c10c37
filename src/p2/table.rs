//! The resource table behind preview2's handles: typed, bounded, and aware
//! of which resource was made from which.
//!
//! A stream borrows the descriptor it reads, and a pollable the stream it
//! waits on, so each child records its parent. Deleting a resource that
//! still has children is refused with an error: the child would outlive
//! what it reads from.

use std::any::Any;
use std::fmt;
use std::marker::PhantomData;

/// The default bound on live resources, the same as preview1's descriptors.
pub const DEFAULT_MAX_RESOURCES: u32 = crate::DEFAULT_MAX_OPEN_FDS;

/// A handle to a `T` in a [`ResourceTable`]. It is only a number: the
/// table checks on every use that an entry is there and is a `T`.
pub struct Resource<T> {
    rep: u32,
    kind: PhantomData<fn() -> T>,
}

impl<T> Resource<T> {
    /// The handle with number `rep`, as an engine's own handle table hands
    /// it back.
    pub fn new(rep: u32) -> Self {
        Resource {
            rep,
            kind: PhantomData,
        }
    }

    /// The handle's number.
    pub fn rep(&self) -> u32 {
        self.rep
    }
}

// Written out so that a handle is `Copy` whatever `T` is.
impl<T> Clone for Resource<T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T> Copy for Resource<T> {}

impl<T> fmt::Debug for Resource<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Resource<{}>({})", std::any::type_name::<T>(), self.rep)
    }
}

impl<T> PartialEq for Resource<T> {
    fn eq(&self, other: &Self) -> bool {
        self.rep == other.rep
    }
}

impl<T> Eq for Resource<T> {}

/// Why the table refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ResourceError {
    /// The table holds as many resources as it may.
    #[error("too many live resources")]
    Full,
    /// No resource has that handle (never made, or already dropped).
    #[error("no such resource")]
    Absent,
    /// The handle names a resource of another type.
    #[error("resource of the wrong type")]
    WrongType,
    /// Resources made from this one are still live.
    #[error("resource still has live children")]
    HasChildren,
}

struct Entry {
    value: Box<dyn Any + Send + Sync>,
    parent: Option<u32>,
    children: u32,
}

/// Live resources by handle number, at most a fixed number at once.
pub struct ResourceTable {
    slots: Vec<Option<Entry>>,
    /// Freed numbers, reused last-freed first.
    free: Vec<u32>,
    live: u32,
    max: u32,
}

impl Default for ResourceTable {
    fn default() -> Self {
        ResourceTable::new(DEFAULT_MAX_RESOURCES)
    }
}

impl ResourceTable {
    /// An empty table that holds at most `max` live resources.
    pub fn new(max: u32) -> Self {
        ResourceTable {
            slots: Vec::new(),
            free: Vec::new(),
            live: 0,
            max,
        }
    }

    /// How many resources are live.
    pub fn len(&self) -> usize {
        self.live as usize
    }

    /// Whether no resource is live.
    pub fn is_empty(&self) -> bool {
        self.live == 0
    }

    /// Stores `value` and returns its handle.
    pub fn push<T: Any + Send + Sync>(&mut self, value: T) -> Result<Resource<T>, ResourceError> {
        self.insert(Box::new(value), None).map(Resource::new)
    }

    /// Stores `value` as a child of `parent`, which then cannot be deleted
    /// before it.
    pub fn push_child<T: Any + Send + Sync, P: Any>(
        &mut self,
        value: T,
        parent: Resource<P>,
    ) -> Result<Resource<T>, ResourceError> {
        self.get(parent)?;
        let rep = self.insert(Box::new(value), Some(parent.rep))?;
        if let Some(entry) = self.entry_mut(parent.rep) {
            entry.children += 1;
        }
        Ok(Resource::new(rep))
    }

    /// The `T` behind `handle`.
    pub fn get<T: Any>(&self, handle: Resource<T>) -> Result<&T, ResourceError> {
        self.slots
            .get(handle.rep as usize)
            .and_then(Option::as_ref)
            .ok_or(ResourceError::Absent)?
            .value
            .downcast_ref()
            .ok_or(ResourceError::WrongType)
    }

    /// The `T` behind `handle`, for changing.
    pub fn get_mut<T: Any>(&mut self, handle: Resource<T>) -> Result<&mut T, ResourceError> {
        self.entry_mut(handle.rep)
            .ok_or(ResourceError::Absent)?
            .value
            .downcast_mut()
            .ok_or(ResourceError::WrongType)
    }

    /// Takes the `T` behind `handle` out of the table, freeing its number.
    pub fn delete<T: Any>(&mut self, handle: Resource<T>) -> Result<T, ResourceError> {
        let entry = self.entry_mut(handle.rep).ok_or(ResourceError::Absent)?;
        if !entry.value.is::<T>() {
            return Err(ResourceError::WrongType);
        }
        if entry.children > 0 {
            return Err(ResourceError::HasChildren);
        }
        let Some(entry) = self.slots[handle.rep as usize].take() else {
            return Err(ResourceError::Absent);
        };
        self.free.push(handle.rep);
        self.live -= 1;
        if let Some(parent) = entry.parent.and_then(|rep| self.entry_mut(rep)) {
            parent.children -= 1;
        }
        match entry.value.downcast() {
            Ok(value) => Ok(*value),
            Err(_) => Err(ResourceError::WrongType),
        }
    }

    fn entry_mut(&mut self, rep: u32) -> Option<&mut Entry> {
        self.slots.get_mut(rep as usize).and_then(Option::as_mut)
    }

    fn insert(
        &mut self,
        value: Box<dyn Any + Send + Sync>,
        parent: Option<u32>,
    ) -> Result<u32, ResourceError> {
        if self.live >= self.max {
            return Err(ResourceError::Full);
        }
        let entry = Entry {
            value,
            parent,
            children: 0,
        };
        let rep = match self.free.pop() {
            Some(rep) => {
                self.slots[rep as usize] = Some(entry);
                rep
            }
            None => {
                let rep = u32::try_from(self.slots.len()).map_err(|_| ResourceError::Full)?;
                self.slots.push(Some(entry));
                rep
            }
        };
        self.live += 1;
        Ok(rep)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typed_handles_are_checked() {
        let mut table = ResourceTable::new(8);
        let text = table.push(String::from("text"));
        let number = table.push(7u64);
        let (Ok(text), Ok(number)) = (text, number) else {
            panic!("pushes failed");
        };
        assert_eq!(table.get(text).map(String::as_str), Ok("text"));
        assert_eq!(table.get(number), Ok(&7));
        let forged: Resource<u64> = Resource::new(text.rep());
        assert_eq!(table.get(forged), Err(ResourceError::WrongType));
        assert_eq!(table.delete(forged), Err(ResourceError::WrongType));
        assert_eq!(
            table.get(Resource::<u64>::new(99)),
            Err(ResourceError::Absent)
        );
        assert_eq!(table.delete(number), Ok(7));
        assert_eq!(table.delete(number), Err(ResourceError::Absent));
        assert_eq!(table.get(number), Err(ResourceError::Absent));
        assert_eq!(table.len(), 1);
    }

    #[test]
    fn parents_outlive_their_children() {
        let mut table = ResourceTable::new(8);
        let Ok(parent) = table.push(1u8) else {
            panic!("push failed")
        };
        let Ok(child) = table.push_child(2u16, parent) else {
            panic!("push_child failed")
        };
        let Ok(grandchild) = table.push_child(3u32, child) else {
            panic!("push_child failed")
        };
        assert_eq!(table.delete(parent), Err(ResourceError::HasChildren));
        assert_eq!(table.delete(child), Err(ResourceError::HasChildren));
        assert_eq!(table.delete(grandchild), Ok(3));
        assert_eq!(table.delete(child), Ok(2));
        assert_eq!(table.delete(parent), Ok(1));
        assert!(table.is_empty());
        let dropped: Resource<u8> = parent;
        assert_eq!(
            table.push_child(0u8, dropped).err(),
            Some(ResourceError::Absent)
        );
    }

    #[test]
    fn bounded() {
        let mut table = ResourceTable::new(2);
        assert!(table.push(()).is_ok());
        let Ok(second) = table.push(()) else {
            panic!("push failed")
        };
        assert_eq!(table.push(()).err(), Some(ResourceError::Full));
        assert_eq!(table.delete(second), Ok(()));
        assert!(table.push(()).is_ok());
    }
}
