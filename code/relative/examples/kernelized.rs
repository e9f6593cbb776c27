//! Measures kernelized attention with a relative bias as n grows: the explicit `n × n` sum
//! against the FFT form, with the machine's multiply-add rate measured in the same run.
//!
//! ```text
//! cargo run --release -p relative --example kernelized -- --max-n 65536
//! ```
//!
//! Time from the wall clock, best of `--repeats` runs; peak memory from a counting allocator. The
//! FFT form's rate counts `5 L log₂ L` floating-point operations per complex transform of length
//! `L` (the usual count for radix 2) and nothing else, so it understates the work done. Build
//! with `--release`.

use std::hint::black_box;
use std::process::ExitCode;
use std::time::Instant;

use bookkit::meter::{Meter, measure};
use clap::Parser;
use clap::builder::RangedU64ValueParser;
use ndarray::Array2;
use relative::kernelized::{kernelized, kernelized_slow, transforms};

#[global_allocator]
static METER: Meter = Meter;

/// Times the explicit and FFT forms of kernelized attention with a T5-like bias for
/// n = 256, 512, … up to `--max-n` (the explicit form up to `--max-slow`), and prints a Markdown
/// table.
#[derive(Parser)]
#[command(name = "kernelized")]
struct Args {
    /// Largest length: a power of two from 256 to 262144.
    #[arg(long, value_name = "N", default_value_t = 65_536, value_parser = power_of_two)]
    max_n: usize,
    /// Largest length for the explicit form (it holds n² floats): a power of two from 256 to 262144.
    #[arg(long, value_name = "N", default_value_t = 8_192, value_parser = power_of_two)]
    max_slow: usize,
    /// Feature and value width: 1 to 64.
    #[arg(long, value_name = "D", default_value_t = 4,
          value_parser = RangedU64ValueParser::<usize>::new().range(1..=64))]
    d: usize,
    /// Runs per measurement (the best is kept): 1 to 20.
    #[arg(long, value_name = "R", default_value_t = 3,
          value_parser = RangedU64ValueParser::<usize>::new().range(1..=20))]
    repeats: usize,
}

fn power_of_two(text: &str) -> Result<usize, String> {
    match text.parse::<usize>() {
        Ok(n) if n.is_power_of_two() && (256..=262_144).contains(&n) => Ok(n),
        _ => Err("expected a power of two from 256 to 262144".into()),
    }
}

/// The best wall-clock time of `repeats` runs of `f`, its last result and its peak bytes.
fn time<T>(repeats: usize, mut f: impl FnMut() -> T) -> (f64, T, usize) {
    let mut best = f64::INFINITY;
    let mut last = None;
    let mut peak = 0;
    for _ in 0..repeats {
        let start = Instant::now();
        let (out, bytes) = measure(&mut f);
        best = best.min(start.elapsed().as_secs_f64());
        peak = peak.max(bytes);
        last = Some(out);
    }
    (best, last.expect("repeats ≥ 1"), peak)
}

/// The machine's rate of independent `f64` multiply-adds, in GFLOP/s (two operations each):
/// sixteen accumulators, so the loop is limited by the arithmetic units, not by one chain.
fn peak_gflops() -> f64 {
    let steps = 50_000_000u64;
    let (x, y) = (black_box(0.999_999_9), black_box(1e-9));
    let start = Instant::now();
    let mut acc = [1.0f64; 16];
    for _ in 0..steps / 16 {
        for a in acc.iter_mut() {
            *a = *a * x + y;
        }
    }
    black_box(acc);
    2.0 * steps as f64 / start.elapsed().as_secs_f64() / 1e9
}

/// A T5-like bias: a learned-looking value per offset, smaller with distance, in [−3, 1].
fn bias(n: usize) -> Vec<f64> {
    let n = n as i64;
    (-(n - 1)..n)
        .map(|o| 1.0 - 4.0 * (1.0 + o.abs() as f64).ln() / (1.0 + n as f64).ln())
        .collect()
}

fn mib(bytes: usize) -> f64 {
    bytes as f64 / (1024.0 * 1024.0)
}

fn run(a: Args) -> Result<String, String> {
    let peak = peak_gflops();
    let mut out = String::from(
        "| n | explicit (s) | explicit peak (MiB) | FFT form (s) | FFT peak (MiB) | FFT µs / (n log₂ n) | FFT form GFLOP/s | share of the multiply-add rate |\n\
         |:--|--:|--:|--:|--:|--:|--:|--:|\n",
    );
    let mut n = 256;
    while n <= a.max_n {
        let mut rng = bookkit::rng::SplitMix64(n as u64);
        let mut draw = || Array2::from_shape_fn((n, a.d), |_| rng.next_gaussian());
        let (q, k, v) = (draw(), draw(), draw());
        let b = bias(n);
        let (fast_t, fast, fast_peak) =
            time(a.repeats, || kernelized(q.view(), k.view(), v.view(), &b));
        let fast = fast.map_err(|e| e.to_string())?;
        let (slow_t, slow_peak) = if n <= a.max_slow {
            let (t, slow, p) = time(a.repeats, || {
                kernelized_slow(q.view(), k.view(), v.view(), &b)
            });
            let slow = slow.map_err(|e| e.to_string())?;
            let worst = (&slow - &fast).iter().fold(0.0f64, |w, x| w.max(x.abs()));
            if worst > 1e-8 {
                return Err(format!("n = {n}: the two forms differ by {worst}"));
            }
            (format!("{t:.4}"), format!("{:.1}", mib(p)))
        } else {
            ("–".into(), "–".into())
        };
        let l = (2 * n - 1).next_power_of_two() as f64;
        let flops = transforms(a.d, a.d) as f64 * 5.0 * l * l.log2(); // d = d_v here
        let gflops = flops / fast_t / 1e9;
        let nlogn = n as f64 * (n as f64).log2();
        out.push_str(&format!(
            "| {n} | {slow_t} | {slow_peak} | {fast_t:.4} | {:.2} | {:.4} | {gflops:.2} | {:.0}% |\n",
            mib(fast_peak),
            fast_t * 1e6 / nlogn,
            100.0 * gflops / peak
        ));
        eprintln!("n = {n} done");
        n *= 2;
    }
    Ok(format!(
        "{out}\nf64, d = d_v = {d}, φ = elu + 1, a T5-like bias on every offset, best of {r} runs. \
         The machine's rate of independent f64 multiply-adds, measured in the same run: \
         {peak:.2} GFLOP/s. The FFT form's rate counts only its {t} transforms of length L per call \
         (L = the power of two at or above 2n − 1, 5 L log₂ L each).\n",
        d = a.d,
        r = a.repeats,
        t = transforms(a.d, a.d),
    ))
}

fn main() -> ExitCode {
    bookkit::cli::run(run)
}
