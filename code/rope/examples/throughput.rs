//! Measures the fast kernels' throughput against a plain copy, and prints a Markdown table.
//!
//! ```text
//! cargo run --release -p rope --example throughput
//! ```
//!
//! The same measurement as `cargo bench -p rope`, without criterion's statistics: each variant
//! runs `--reps` times (default 30) after one warm-up run, and the table shows the median. The
//! chapter shows this table as measured once, in `code/rope/benches/throughput.md`.

use std::hint::black_box;
use std::process::ExitCode;
use std::time::Instant;

use clap::Parser;
use clap::builder::RangedU64ValueParser;
use rope::fast::{Shape, Tables, apply, apply_in_place};
use rope::{BASE, Layout, Rope};

/// Measures the fast RoPE kernels on f32 [1, heads, seq, head_dim] against a plain copy of the
/// same bytes, and prints a Markdown table of median times.
#[derive(Parser)]
#[command(name = "throughput")]
struct Args {
    /// Sequence length: 1 to 65536.
    #[arg(long, value_name = "S", default_value_t = 4096,
          value_parser = RangedU64ValueParser::<usize>::new().range(1..=65_536))]
    seq: usize,
    /// Heads: 1 to 256 (batch is 1).
    #[arg(long, value_name = "H", default_value_t = 32,
          value_parser = RangedU64ValueParser::<usize>::new().range(1..=256))]
    heads: usize,
    /// Head width: even, 2 to 1024.
    #[arg(long, value_name = "D", default_value_t = 128, value_parser = head_dim)]
    head_dim: usize,
    /// Timed runs per variant (after one warm-up run): 3 to 1000.
    #[arg(long, value_name = "R", default_value_t = 30,
          value_parser = RangedU64ValueParser::<usize>::new().range(3..=1000))]
    reps: usize,
}

/// An even head width from 2 to 1024.
fn head_dim(text: &str) -> Result<usize, String> {
    match text.parse::<usize>() {
        Ok(d) if (2..=1024).contains(&d) && d.is_multiple_of(2) => Ok(d),
        _ => Err("expected an even number from 2 to 1024".into()),
    }
}

/// The tensor's shape, refused beyond 2^28 elements.
fn shape(a: &Args) -> Result<Shape, String> {
    let shape = Shape {
        batch: 1,
        heads: a.heads,
        seq: a.seq,
        head_dim: a.head_dim,
    };
    if shape.len().is_none_or(|n| n > 1 << 28) {
        return Err(format!(
            "heads × seq × head_dim = {} × {} × {} is too large: at most 2^28 elements",
            shape.heads, shape.seq, shape.head_dim
        ));
    }
    Ok(shape)
}

fn median_seconds(reps: usize, mut f: impl FnMut()) -> f64 {
    f(); // warm-up: page in the buffers
    let mut times: Vec<f64> = (0..reps)
        .map(|_| {
            let start = Instant::now();
            f();
            start.elapsed().as_secs_f64()
        })
        .collect();
    times.sort_by(f64::total_cmp);
    times[reps / 2]
}

fn run(shape: Shape, reps: usize) -> Result<String, String> {
    let n = shape.len().ok_or("the tensor is too large")?;
    let rope = Rope::new(shape.head_dim, BASE, Layout::HalfSplit).map_err(|e| e.to_string())?;
    let tables = Tables::new(&rope, shape.seq).map_err(|e| e.to_string())?;
    let mut rng = bookkit::rng::SplitMix64(1);
    let x: Vec<f32> = (0..n).map(|_| rng.next_f64() as f32).collect();
    let mut out = vec![0f32; n];
    let mut y = x.clone();
    let bytes = (2 * n * size_of::<f32>()) as f64;
    let copy = median_seconds(reps, || {
        out.copy_from_slice(black_box(&x));
        black_box(&mut out);
    });
    let mut failed = None;
    let outp = median_seconds(reps, || {
        if let Err(e) = apply(black_box(&x), &mut out, shape, &tables) {
            failed = Some(e);
        }
        black_box(&mut out);
    });
    let inplace = median_seconds(reps, || {
        if let Err(e) = apply_in_place(black_box(&mut y), shape, &tables) {
            failed = Some(e);
        }
    });
    if let Some(e) = failed {
        return Err(e.to_string());
    }
    let mut t =
        String::from("| variant | median time (ms) | GB/s | share of copy |\n|:--|--:|--:|--:|\n");
    for (name, s) in [
        ("plain copy", copy),
        ("RoPE, out of place", outp),
        ("RoPE, in place", inplace),
    ] {
        t.push_str(&format!(
            "| {name} | {:.2} | {:.1} | {:.0}% |\n",
            s * 1e3,
            bytes / s / 1e9,
            100.0 * copy / s
        ));
    }
    Ok(format!(
        "{t}\nf32 [batch 1, heads {}, seq {}, head_dim {}]: {:.0} MiB read and {:.0} MiB written per \
         call; median of {reps} runs.\n",
        shape.heads,
        shape.seq,
        shape.head_dim,
        bytes / 2.0 / (1024.0 * 1024.0),
        bytes / 2.0 / (1024.0 * 1024.0)
    ))
}

fn main() -> ExitCode {
    bookkit::cli::run(|a: Args| run(shape(&a)?, a.reps))
}
