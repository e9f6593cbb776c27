//! Measures peak memory and time of naive and tiled causal attention as n grows.
//!
//! ```text
//! cargo run --release -p relative --example memory -- --max-n 16384
//! ```
//!
//! Peak memory comes from a counting allocator, time from the wall clock (one run each, so expect
//! some noise). Build with `--release`: a debug build is many times slower.

use std::process::ExitCode;
use std::time::Instant;

use bookkit::meter::{Meter, measure};
use clap::Parser;
use clap::builder::RangedU64ValueParser;
use ndarray::Array2;
use relative::report::{MEMORY_BLOCK, MEMORY_D_HEAD, MEMORY_HEADER, memory_caption};
use relative::tiled::{tiled, tiled_slow};

#[global_allocator]
static METER: Meter = Meter;

/// Measures peak memory and time of the explicit and tiled forms of causal attention for
/// n = 1024, 2048, … up to `--max-n`, and prints a Markdown table.
#[derive(Parser)]
#[command(name = "memory")]
struct Args {
    /// Largest length: a power of two from 1024 to 32768.
    #[arg(long, value_name = "N", default_value_t = 16_384, value_parser = max_n)]
    max_n: usize,
    /// Head width: 1 to 256.
    #[arg(long, value_name = "D", default_value_t = MEMORY_D_HEAD,
          value_parser = RangedU64ValueParser::<usize>::new().range(1..=256))]
    d: usize,
    /// Tile size: 1 to 1024.
    #[arg(long, value_name = "B", default_value_t = MEMORY_BLOCK,
          value_parser = RangedU64ValueParser::<usize>::new().range(1..=1024))]
    block: usize,
}

/// A power of two from 1024 to 32768.
fn max_n(text: &str) -> Result<usize, String> {
    match text.parse::<usize>() {
        Ok(n) if n.is_power_of_two() && (1024..=32_768).contains(&n) => Ok(n),
        _ => Err("expected a power of two from 1024 to 32768".into()),
    }
}

fn mib(bytes: usize) -> f64 {
    bytes as f64 / (1024.0 * 1024.0)
}

fn run(max_n: usize, d: usize, block: usize) -> Result<String, String> {
    let mut out = String::from(MEMORY_HEADER);
    let mut n = 1024;
    while n <= max_n {
        let mut rng = bookkit::rng::SplitMix64(n as u64);
        let mut draw = || Array2::from_shape_fn((n, d), |_| rng.next_gaussian());
        let (q, k, v) = (draw(), draw(), draw());
        let start = Instant::now();
        let (a, naive_peak) =
            measure(|| tiled_slow(q.view(), k.view(), v.view(), block, true, None));
        let naive_time = start.elapsed().as_secs_f64();
        let start = Instant::now();
        let (b, tiled_peak) = measure(|| tiled(q.view(), k.view(), v.view(), block, true, None));
        let tiled_time = start.elapsed().as_secs_f64();
        let (a, b) = (a.map_err(|e| e.to_string())?, b.map_err(|e| e.to_string())?);
        let worst = (&a - &b).iter().fold(0.0f64, |w, x| w.max(x.abs()));
        if worst > 1e-9 {
            return Err(format!("n = {n}: tiled and naive differ by {worst}"));
        }
        out.push_str(&format!(
            "| {n} | {:.1} | {:.2} | {:.0} | {naive_time:.2} | {tiled_time:.2} | {:.1} |\n",
            mib(naive_peak),
            mib(tiled_peak),
            naive_peak as f64 / tiled_peak.max(1) as f64,
            naive_time / tiled_time.max(1e-9)
        ));
        eprintln!("n = {n} done");
        n *= 2;
    }
    Ok(format!("{out}\n{}\n", memory_caption(d, block)))
}

fn main() -> ExitCode {
    bookkit::cli::run(|args: Args| run(args.max_n, args.d, args.block))
}
