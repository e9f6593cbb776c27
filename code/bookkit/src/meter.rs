//! A counting allocator for measuring peak memory of one computation on one thread.
//!
//! Install it in a binary with `#[global_allocator] static A: bookkit::meter::Meter =
//! bookkit::meter::Meter;` and wrap the computation in [`measure`]. Counts are kept per thread,
//! so other threads (a test harness, say) do not disturb them.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

thread_local! {
    static CURRENT: Cell<isize> = const { Cell::new(0) };
    static PEAK: Cell<isize> = const { Cell::new(0) };
}

fn track(delta: isize) {
    // `try_with`: during thread teardown the slots may be gone; then nothing is counted.
    let _ = CURRENT.try_with(|current| {
        // Wrapping: an allocator must never panic (unwinding out of it is undefined behaviour).
        let now = current.get().wrapping_add(delta);
        current.set(now);
        let _ = PEAK.try_with(|peak| {
            if now > peak.get() {
                peak.set(now);
            }
        });
    });
}

/// The system allocator, with per-thread accounting of live bytes and their peak.
#[derive(Debug, Clone, Copy, Default)]
pub struct Meter;

// SAFETY: every method forwards to `System` with the same arguments and returns its result
// unchanged; the bookkeeping touches only `const`-initialised thread-locals of `Cell<isize>`,
// which do not allocate on targets with native thread-local storage (Linux, macOS, Windows; on a
// target that emulates TLS with OS keys, first access could allocate and re-enter this allocator).
#[allow(unsafe_code)]
unsafe impl GlobalAlloc for Meter {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: forwarded as is; the caller upholds `GlobalAlloc::alloc`'s contract.
        let ptr = unsafe { System.alloc(layout) };
        if !ptr.is_null() {
            track(layout.size() as isize);
        }
        ptr
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: forwarded as is; the caller upholds `GlobalAlloc::alloc_zeroed`'s contract.
        let ptr = unsafe { System.alloc_zeroed(layout) };
        if !ptr.is_null() {
            track(layout.size() as isize);
        }
        ptr
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: `ptr` was allocated by `System` with `layout` (every allocation goes through
        // `alloc` or `realloc` above).
        unsafe { System.dealloc(ptr, layout) };
        track(-(layout.size() as isize));
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: as for `dealloc`; the caller upholds `GlobalAlloc::realloc`'s contract.
        let new = unsafe { System.realloc(ptr, layout, new_size) };
        if !new.is_null() {
            track(new_size as isize - layout.size() as isize);
        }
        new
    }
}

/// Runs `f` and returns its result with the peak number of bytes allocated on this thread above
/// what was live when it started. Meaningful only in a binary that installed [`Meter`] as its
/// global allocator; otherwise the count is 0. Not reentrant: a nested `measure` resets the peak.
pub fn measure<T>(f: impl FnOnce() -> T) -> (T, usize) {
    let start = CURRENT.with(Cell::get);
    PEAK.with(|p| p.set(start));
    let out = f();
    let peak = PEAK.with(Cell::get);
    (out, (peak - start).max(0) as usize)
}
