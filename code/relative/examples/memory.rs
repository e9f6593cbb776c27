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

use bookkit::Flags;
use bookkit::meter::{Meter, measure};
use ndarray::Array2;
use relative::tiled::{tiled, tiled_slow};

#[global_allocator]
static METER: Meter = Meter;

const USAGE: &str = "usage: memory [--max-n N] [--d D] [--block B]
  N: largest length, a power of two from 1024 to 32768 (default 16384);
  D: head width, 1 to 256 (default 64); B: tile size, 1 to 1024 (default 128)";

fn parse(args: &[String]) -> Result<(usize, usize, usize), String> {
    let mut f = Flags::new(args, USAGE, &[])?;
    let max_n = f.get(
        "--max-n",
        16_384,
        |n: &usize| n.is_power_of_two() && (1024..=32_768).contains(n),
        "a power of two from 1024 to 32768",
    )?;
    let d = f.get(
        "--d",
        64,
        |d| (1..=256).contains(d),
        "a whole number from 1 to 256",
    )?;
    let block = f.get(
        "--block",
        128,
        |b| (1..=1024).contains(b),
        "a whole number from 1 to 1024",
    )?;
    f.finish()?;
    Ok((max_n, d, block))
}

fn mib(bytes: usize) -> f64 {
    bytes as f64 / (1024.0 * 1024.0)
}

fn run(max_n: usize, d: usize, block: usize) -> Result<String, String> {
    let mut out = String::from(
        "| n | naive peak (MiB) | tiled peak (MiB) | memory ratio | naive time (s) | tiled time (s) | time ratio |\n\
         |:--|--:|--:|--:|--:|--:|--:|\n",
    );
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
    Ok(format!(
        "{out}\nCausal attention, f64, d = {d}, tiles of {block}; peak bytes allocated during the call.\n"
    ))
}

fn main() -> ExitCode {
    bookkit::run_example(|args| parse(args).and_then(|(n, d, b)| run(n, d, b)))
}
