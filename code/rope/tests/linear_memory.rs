//! Peak memory of linear attention, measured with a counting allocator: the explicit form holds
//! an n × n matrix, the regrouped form O(n · d_head) rows and a d_head × d_v state. Both forms use
//! plain loops, so the byte counts are exact, and the committed table
//! (`benches/linear_memory.md`) is checked against the code: its command, its caption and its
//! first rows must be what the code produces now.

#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

use bookkit::meter::Meter;
use rope::report::{
    LINEAR_MEMORY_D_HEAD, LINEAR_MEMORY_D_V, LINEAR_MEMORY_MIN_N, linear_memory_caption,
    linear_memory_command, linear_memory_row,
};

#[global_allocator]
static METER: Meter = Meter;

const COMMITTED: &str = include_str!("../benches/linear_memory.md");

/// Explicit ≥ its n × n weights; linear within an exact O(n) budget; and the committed table's
/// command, caption and first two rows are what the code measures now. (Rows are recomputed only
/// for n = 256 and 512: the explicit form is slow in a debug build.)
#[test]
fn explicit_grows_quadratically_linear_does_not_and_the_table_is_current() {
    let (d, dv) = (LINEAR_MEMORY_D_HEAD, LINEAR_MEMORY_D_V);
    let rows: Vec<_> = [LINEAR_MEMORY_MIN_N, 2 * LINEAR_MEMORY_MIN_N]
        .iter()
        .map(|&n| linear_memory_row(n).unwrap())
        .collect();
    for &(n, slow, fast) in &rows {
        // The explicit form holds at least its n × n f64 weights.
        assert!(slow >= n * n * 8, "n = {n}: {slow}");
        // The regrouped form holds φ and Rφ of q and k (four n × d_head), the output (n × d_v),
        // the d_head × d_v state and z, plus 4 KiB for short-lived row copies: nothing n × n.
        let bound = 8 * n * (4 * d + dv) + 8 * d * (dv + 1) + 4096;
        assert!(
            fast >= 8 * n * dv && fast <= bound,
            "n = {n}: {fast} vs {bound}"
        );
    }
    // Doubling n: the explicit peak over the linear one grows too (n² against n).
    let ratio = (rows[1].1 as f64 / rows[1].2 as f64) / (rows[0].1 as f64 / rows[0].2 as f64);
    assert!((1.5..2.5).contains(&ratio), "{ratio}");

    let first = COMMITTED.lines().next().unwrap();
    let max_n: usize = first
        .split("--max-n ")
        .nth(1)
        .and_then(|s| s.trim_end_matches("`.").parse().ok())
        .unwrap_or_else(|| panic!("no --max-n in {first:?}"));
    assert_eq!(
        first,
        format!("Measured: output of `{}`.", linear_memory_command(max_n))
    );
    assert!(
        COMMITTED.ends_with(&linear_memory_caption()),
        "caption differs from the code's"
    );
    for (n, slow, fast) in rows {
        let row = COMMITTED
            .lines()
            .find(|l| l.starts_with(&format!("| {n} |")))
            .unwrap();
        assert!(
            row.starts_with(&format!("| {n} | {slow} | "))
                && row.contains(&format!(" | {fast} | ")),
            "{row} vs {slow}, {fast}"
        );
    }
}
