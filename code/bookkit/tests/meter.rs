//! The allocation meter, installed as this test binary's allocator.

#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

use bookkit::meter::{Meter, measure};

#[global_allocator]
static ALLOCATOR: Meter = Meter;

#[test]
fn peak_counts_live_bytes_on_this_thread() {
    // One vector of 10 000 u64: exactly 80 000 bytes at its peak (with_capacity allocates once).
    let (len, peak) = measure(|| {
        let v: Vec<u64> = Vec::with_capacity(10_000);
        v.capacity()
    });
    assert_eq!(len, 10_000);
    assert_eq!(peak, 80_000);
    // Two in sequence, each freed before the next: the peak is the larger one, not the sum.
    let ((), peak) = measure(|| {
        drop(Vec::<u8>::with_capacity(1000));
        drop(Vec::<u8>::with_capacity(3000));
    });
    assert_eq!(peak, 3000);
    // Two alive at once: the sum.
    let ((), peak) = measure(|| {
        let a = Vec::<u8>::with_capacity(1000);
        let b = Vec::<u8>::with_capacity(3000);
        drop((a, b));
    });
    assert_eq!(peak, 4000);
    // Growth by realloc counts the new size: `reserve_exact(900)` on an empty vector of capacity
    // 100 reallocates to exactly 900 bytes.
    let ((), peak) = measure(|| {
        let mut v = Vec::<u8>::with_capacity(100);
        v.reserve_exact(900);
        drop(v);
    });
    assert_eq!(peak, 900);
    // Memory live before the measurement is not counted.
    let held = vec![0u8; 50_000];
    let ((), peak) = measure(|| drop(Vec::<u8>::with_capacity(10)));
    assert_eq!(peak, 10);
    drop(held);
}
