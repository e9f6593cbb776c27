//! Peak memory, measured with a counting allocator: naive attention holds O(n²) floats, tiled
//! attention O(block² + n·d). Exact byte counts depend on the matrix-multiply library's packing
//! buffers, so the test checks the orders of growth, and the book's measured table comes from
//! `cargo run --release -p relative --example memory`.

#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

use bookkit::meter::{Meter, measure};
use ndarray::Array2;
use relative::tiled::{tiled, tiled_slow};

#[global_allocator]
static METER: Meter = Meter;

#[test]
fn naive_grows_quadratically_and_tiled_does_not() {
    let (d, block) = (16, 32);
    let mut peaks = Vec::new();
    for n in [128usize, 256, 512] {
        let mut rng = bookkit::rng::SplitMix64(n as u64);
        let mut draw = || Array2::from_shape_fn((n, d), |_| rng.next_gaussian());
        let (q, k, v) = (draw(), draw(), draw());
        let (a, naive_peak) =
            measure(|| tiled_slow(q.view(), k.view(), v.view(), block, true, None).unwrap());
        let (b, tiled_peak) =
            measure(|| tiled(q.view(), k.view(), v.view(), block, true, None).unwrap());
        assert!((&a - &b).iter().all(|x| x.abs() < 1e-12));
        // Naive: at least the scores and the weights, two n × n matrices of f64 (the measured
        // peak is exactly that, so this bound has no slack to lose).
        assert!(naive_peak >= 2 * n * n * 8, "n = {n}: {naive_peak}");
        // Tiled: the output (n × d), one tile and per-block running values, plus the library's
        // small packing buffers: a small fraction of the naive peak, shrinking as n grows.
        assert!(
            4 * tiled_peak < naive_peak,
            "n = {n}: {tiled_peak} vs {naive_peak}"
        );
        peaks.push((naive_peak, tiled_peak));
    }
    // Doubling n: naive roughly ×4, tiled roughly ×2 at most.
    for w in peaks.windows(2) {
        let (naive_ratio, tiled_ratio) =
            (w[1].0 as f64 / w[0].0 as f64, w[1].1 as f64 / w[0].1 as f64);
        assert!((3.5..4.5).contains(&naive_ratio), "{naive_ratio}");
        assert!(tiled_ratio < 2.5, "{tiled_ratio}");
    }
}

/// The measured table the page includes is not rerun by the tests (it takes minutes and its times
/// vary), but it must still be what the example prints with the settings it names: its command,
/// its header, one row per length from 1024 to 16384, and its caption.
#[test]
fn the_committed_measurement_matches_the_example() {
    use relative::report::{
        MEMORY_BLOCK, MEMORY_COMMAND, MEMORY_D_HEAD, MEMORY_HEADER, memory_caption,
    };
    let committed = include_str!("../bench/memory.md");
    assert!(committed.starts_with(&format!("Output of `{MEMORY_COMMAND}`:\n\n{MEMORY_HEADER}")));
    let rows: Vec<&str> = committed
        .lines()
        .filter(|l| l.starts_with("| ") && !l.starts_with("| n "))
        .collect();
    let ns: Vec<&str> = rows
        .iter()
        .map(|r| r.split(" | ").next().unwrap().trim_start_matches("| "))
        .collect();
    assert_eq!(ns, ["1024", "2048", "4096", "8192", "16384"]);
    assert!(committed.ends_with(&format!(
        "\n\n{}\n",
        memory_caption(MEMORY_D_HEAD, MEMORY_BLOCK)
    )));
}
