//! Structured fuzz inputs: decoding with `arbitrary`, and encoding back.
//!
//! Every structured input here is read with a handful of primitives (one
//! byte, a little-endian integer, a length-prefixed byte string), and
//! [`Encode`] writes the same primitives in the same order. A seed can then
//! be written as a value and stored as the exact bytes that decode to it.
//! When the fuzzer's bytes run out, every primitive reads as zero, which is
//! what `arbitrary` does, so any byte string decodes to some input.

use arbitrary::{Arbitrary, Result, Unstructured};

/// Reads one byte; zero once the input is exhausted.
pub fn byte(u: &mut Unstructured<'_>) -> Result<u8> {
    u.arbitrary()
}

/// Reads a little-endian `u16`.
pub fn word16(u: &mut Unstructured<'_>) -> Result<u16> {
    u.arbitrary()
}

/// Reads a little-endian `u32`.
pub fn word32(u: &mut Unstructured<'_>) -> Result<u32> {
    u.arbitrary()
}

/// Reads a little-endian `u64`.
pub fn word64(u: &mut Unstructured<'_>) -> Result<u64> {
    u.arbitrary()
}

/// Reads a byte string of at most `max` bytes: a length byte, then as many
/// of the bytes as remain.
pub fn bytes<'a>(u: &mut Unstructured<'a>, max: usize) -> Result<&'a [u8]> {
    let len = (byte(u)? as usize) % (max + 1);
    let len = len.min(u.len());
    u.bytes(len)
}

/// The inverse of the readers above: what a seed is written with.
pub trait Encode {
    /// Appends the bytes that decode to `self`.
    fn encode(&self, out: &mut Vec<u8>);
}

/// Appends a byte string as [`bytes`] reads it.
pub fn put_bytes(out: &mut Vec<u8>, data: &[u8]) {
    out.push(data.len() as u8);
    out.extend_from_slice(data);
}

/// One component of a [`PathSpec`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Part {
    /// `.`
    Dot,
    /// `..`
    DotDot,
    /// Nothing, which makes `//`.
    Empty,
    /// The host's absolute path of the scratch root, without its leading
    /// slash: as an attacker might guess it.
    HostRoot,
    /// A name from the target's vocabulary.
    Name(u8),
    /// Bytes the fuzzer chose, which may be invalid UTF-8 or hold a NUL.
    Raw(Vec<u8>),
}

/// The most components one path has.
pub const MAX_PARTS: usize = 7;
/// The longest raw component.
pub const MAX_RAW: usize = 24;

const FIXED_PARTS: u8 = 5;

/// A guest path built from components, so that the fuzzer reaches `..`,
/// absolute host paths, names that exist and trailing slashes without
/// having to spell them byte by byte.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PathSpec {
    /// Starts with `/`.
    pub absolute: bool,
    /// Ends with `/`.
    pub trailing_slash: bool,
    /// The components, joined by `/`.
    pub parts: Vec<Part>,
}

impl PathSpec {
    /// A relative path of vocabulary names, by index.
    pub fn names(indices: &[u8]) -> Self {
        PathSpec {
            parts: indices.iter().map(|&i| Part::Name(i)).collect(),
            ..Default::default()
        }
    }

    /// Decodes a path whose names index `vocabulary`.
    pub fn read(u: &mut Unstructured<'_>, vocabulary: &[&str]) -> Result<Self> {
        let header = byte(u)?;
        let count = ((header >> 2) as usize) % (MAX_PARTS + 1);
        let kinds = FIXED_PARTS + vocabulary.len() as u8;
        let mut parts = Vec::with_capacity(count);
        for _ in 0..count {
            parts.push(match byte(u)? % kinds {
                0 => Part::Dot,
                1 => Part::DotDot,
                2 => Part::Empty,
                3 => Part::HostRoot,
                4 => Part::Raw(bytes(u, MAX_RAW)?.to_vec()),
                n => Part::Name(n - FIXED_PARTS),
            });
        }
        Ok(PathSpec {
            absolute: header & 1 != 0,
            trailing_slash: header & 2 != 0,
            parts,
        })
    }

    /// The path's bytes, with `host_root` standing for [`Part::HostRoot`].
    pub fn render(&self, vocabulary: &[&str], host_root: &str) -> Vec<u8> {
        let mut out = Vec::new();
        if self.absolute {
            out.push(b'/');
        }
        for (i, part) in self.parts.iter().enumerate() {
            if i > 0 {
                out.push(b'/');
            }
            match part {
                Part::Dot => out.push(b'.'),
                Part::DotDot => out.extend_from_slice(b".."),
                Part::Empty => {}
                Part::HostRoot => {
                    out.extend_from_slice(host_root.trim_start_matches('/').as_bytes())
                }
                Part::Name(n) => {
                    out.extend_from_slice(vocabulary[*n as usize % vocabulary.len()].as_bytes())
                }
                Part::Raw(bytes) => out.extend_from_slice(bytes),
            }
        }
        if self.trailing_slash {
            out.push(b'/');
        }
        out
    }
}

impl Encode for PathSpec {
    fn encode(&self, out: &mut Vec<u8>) {
        assert!(
            self.parts.len() <= MAX_PARTS,
            "too many parts in a seed path"
        );
        out.push(
            (self.absolute as u8)
                | (self.trailing_slash as u8) << 1
                | (self.parts.len() as u8) << 2,
        );
        for part in &self.parts {
            match part {
                Part::Dot => out.push(0),
                Part::DotDot => out.push(1),
                Part::Empty => out.push(2),
                Part::HostRoot => out.push(3),
                Part::Raw(bytes) => {
                    assert!(bytes.len() <= MAX_RAW, "raw seed component too long");
                    out.push(4);
                    put_bytes(out, bytes);
                }
                Part::Name(n) => out.push(FIXED_PARTS + n),
            }
        }
    }
}

/// Reads values one after another until the input runs out or `max` are
/// read, as a sequence of operations is.
pub fn read_seq<'a, T>(
    u: &mut Unstructured<'a>,
    max: usize,
    mut read: impl FnMut(&mut Unstructured<'a>) -> Result<T>,
) -> Result<Vec<T>> {
    let mut out = Vec::new();
    while !u.is_empty() && out.len() < max {
        out.push(read(u)?);
    }
    Ok(out)
}

/// Decodes a whole fuzz input with `read`; a thin adapter for
/// [`Arbitrary`] implementations.
pub fn decode<'a, T: Arbitrary<'a>>(data: &'a [u8]) -> Result<T> {
    T::arbitrary_take_rest(Unstructured::new(data))
}

#[cfg(test)]
mod tests {
    use super::*;

    const VOCAB: &[&str] = &["a", "b", "outside"];

    #[test]
    fn path_round_trips() {
        let path = PathSpec {
            absolute: true,
            trailing_slash: true,
            parts: vec![
                Part::DotDot,
                Part::Name(2),
                Part::Raw(b"x\0\xff".to_vec()),
                Part::Empty,
                Part::HostRoot,
                Part::Dot,
            ],
        };
        let mut bytes = Vec::new();
        path.encode(&mut bytes);
        let back = PathSpec::read(&mut Unstructured::new(&bytes), VOCAB).unwrap();
        assert_eq!(back, path);
        assert_eq!(
            back.render(VOCAB, "/tmp/r"),
            b"/../outside/x\0\xff//tmp/r/./".to_vec()
        );
    }
}
