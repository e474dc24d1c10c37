//! The canonical ABI's checks, one by one, over a memory in a `Vec` and an
//! allocator the test controls.

use super::*;
use crate::engine::Termination;
use crate::p2::{Resource, WasiP2Ctx};
use crate::WasiCtx;

/// A guest with `size` bytes of memory and a bump allocator, or an
/// allocator that answers `answer` whatever it is asked.
struct TestGuest {
    memory: Vec<u8>,
    ctx: WasiP2Ctx,
    next: u32,
    answer: Option<Outcome<u32>>,
    asked: Vec<(u32, u32)>,
}

impl TestGuest {
    fn new(size: usize) -> Self {
        TestGuest {
            memory: vec![0; size],
            ctx: WasiP2Ctx::new(WasiCtx::builder().build().unwrap()),
            next: 1024,
            answer: None,
            asked: Vec::new(),
        }
    }
}

impl Guest for TestGuest {
    fn memory_and_ctx(&mut self) -> (&mut [u8], &mut WasiP2Ctx) {
        (&mut self.memory, &mut self.ctx)
    }

    fn realloc(&mut self, align: u32, size: u32) -> Outcome<u32> {
        self.asked.push((align, size));
        if let Some(answer) = &self.answer {
            return answer.clone();
        }
        let at = align_to(self.next, align);
        self.next = at + size;
        Ok(at)
    }
}

fn is_trap<T: std::fmt::Debug>(outcome: Outcome<T>, needle: &str) {
    match outcome {
        Err(Termination::Trap(message)) => assert!(message.contains(needle), "{message}"),
        other => panic!("expected a trap about {needle:?}, got {other:?}"),
    }
}

#[test]
fn strings_are_bounded_and_utf8() {
    let mut memory = vec![0u8; 64];
    memory[8..13].copy_from_slice(b"hello");
    memory[20..22].copy_from_slice(&[0xff, 0xfe]);
    let lift = |at: i32, len: i32| {
        let args = [Val::I32(at), Val::I32(len)];
        String::lift(&mut Flat::new(&args), &memory)
    };
    assert_eq!(lift(8, 5).unwrap(), "hello");
    assert_eq!(lift(64, 0).unwrap(), "");
    is_trap(lift(20, 2), "not UTF-8");
    is_trap(lift(60, 5), "out of bounds");
    is_trap(lift(-1, 2), "out of bounds");
    is_trap(lift(8, -1), "out of bounds");
}

#[test]
fn lists_are_aligned_bounded_and_do_not_overflow() {
    let mut memory = vec![0u8; 64];
    memory[8..16].copy_from_slice(&[1, 0, 0, 0, 2, 0, 0, 0]);
    let lift = |at: i32, len: i32| {
        let args = [Val::I32(at), Val::I32(len)];
        Vec::<u32>::lift(&mut Flat::new(&args), &memory)
    };
    assert_eq!(lift(8, 2).unwrap(), [1, 2]);
    is_trap(lift(9, 1), "aligned");
    is_trap(lift(8, 0x4000_0001), "overflows");
    is_trap(lift(56, 3), "out of bounds");
}

#[test]
fn handles_are_table_indices_plus_one() {
    let lift = |raw: i32| Resource::<()>::lift(&mut Flat::new(&[Val::I32(raw)]), &[]);
    assert_eq!(lift(1).unwrap().rep(), 0);
    assert_eq!(lift(-1).unwrap().rep(), u32::MAX - 1);
    is_trap(lift(0), "0 is never a handle");
    assert_eq!(Resource::<()>::new(6).lower().unwrap(), Val::I32(7));
}

#[test]
fn discriminants_past_the_last_case_trap() {
    let lift = |case: i32| {
        let args = [Val::I32(case), Val::I32(5)];
        Option::<u32>::lift(&mut Flat::new(&args), &[])
    };
    assert_eq!(lift(0).unwrap(), None);
    assert_eq!(lift(1).unwrap(), Some(5));
    is_trap(lift(2), "invalid discriminant");
    let mut memory = vec![0u8; 16];
    memory[0] = 3;
    is_trap(Result::<u32, u32>::load(&memory, 0), "invalid discriminant");
}

/// A payload-less case still takes the variant's whole width, and a
/// narrow case reads its slot's low bits when the slot was widened.
#[test]
fn variant_slots_are_joined_and_skipped() {
    let mut flat = Vec::new();
    Result::<u32, u64>::flat_types(&mut flat);
    assert_eq!(flat, [FlatType::I32, FlatType::I64]);
    let args = [
        Val::I32(0),
        Val::I64(0x1_0000_0007),
        Val::I32(1),
        Val::I64(9),
        Val::I32(42),
    ];
    let mut cursor = Flat::new(&args);
    assert_eq!(Result::<u32, u64>::lift(&mut cursor, &[]).unwrap(), Ok(7));
    assert_eq!(Result::<u32, u64>::lift(&mut cursor, &[]).unwrap(), Err(9));
    assert_eq!(u32::lift(&mut cursor, &[]).unwrap(), 42);
    let args = [Val::I32(0), Val::I32(99), Val::I32(43)];
    let mut cursor = Flat::new(&args);
    assert_eq!(Option::<u32>::lift(&mut cursor, &[]).unwrap(), None);
    assert_eq!(u32::lift(&mut cursor, &[]).unwrap(), 43);
}

#[test]
fn socket_addresses_lay_out_as_the_wit_says() {
    assert_eq!(
        (SocketAddr::SIZE, SocketAddr::ALIGN, SocketAddr::FLAT),
        (32, 4, 12)
    );
    let addr: SocketAddr = "[2001:db8::1]:8080".parse().unwrap();
    let mut guest = TestGuest::new(4096);
    addr.store(&mut guest, 64).unwrap();
    assert_eq!(guest.memory[64], 1, "the ipv6 case");
    assert_eq!(u16::load(&guest.memory, 68).unwrap(), 8080);
    assert_eq!(u16::load(&guest.memory, 76).unwrap(), 0x2001);
    assert_eq!(SocketAddr::load(&guest.memory, 64).unwrap(), addr);
    let v4: SocketAddr = "10.0.0.1:53".parse().unwrap();
    let args: Vec<Val> = [0, 53, 10, 0, 0, 1, 0, 0, 0, 0, 0, 0]
        .into_iter()
        .map(Val::I32)
        .collect();
    assert_eq!(SocketAddr::lift(&mut Flat::new(&args), &[]).unwrap(), v4);
}

#[test]
fn results_go_through_the_guests_allocator() {
    let mut guest = TestGuest::new(4096);
    vec!["ab".to_string(), "c".to_string()]
        .store(&mut guest, 16)
        .unwrap();
    // The list of two (ptr, len) pairs first, aligned to 4, then each string.
    assert_eq!(guest.asked, [(4, 16), (1, 2), (1, 1)]);
    let list = u32::load(&guest.memory, 16).unwrap();
    assert_eq!(u32::load(&guest.memory, 20).unwrap(), 2);
    assert_eq!(Vec::<String>::load(&guest.memory, 16).unwrap(), ["ab", "c"]);
    assert_eq!(list, 1024);
}

#[test]
fn a_misbehaving_allocator_traps() {
    for (answer, needle) in [
        (Ok(4096 - 4), "out of bounds"),
        (Ok(u32::MAX - 3), "out of bounds"),
        (Ok(1025), "aligned"),
        (Err(Termination::Trap("unreachable".into())), "unreachable"),
    ] {
        let mut guest = TestGuest::new(4096);
        guest.answer = Some(answer);
        is_trap(vec![1u32, 2, 3].store(&mut guest, 0), needle);
    }
}

#[test]
fn memory_reads_and_writes_stay_inside() {
    let memory = vec![0u8; 8];
    is_trap(u64::load(&memory, 1), "aligned");
    is_trap(u64::load(&memory, 8), "out of bounds");
    let mut guest = TestGuest::new(8);
    is_trap(7u32.store(&mut guest, 8), "out of bounds");
    is_trap(7u32.store(&mut guest, u32::MAX - 3), "out of bounds");
}
