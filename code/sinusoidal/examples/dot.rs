//! Prints PE(p)·PE(p + k) at growing offsets and where it first rises, for any width and base.
//!
//! ```text
//! cargo run -p sinusoidal --example dot -- --dim 512 --base 10000 --max-offset 1000
//! ```

use std::process::ExitCode;

use bookkit::Flags;
use sinusoidal::report;

const USAGE: &str = "usage: dot [--dim D] [--base B] [--max-offset K]
  D: even, 2 to 65536 (default 512); B: positive and finite (default 10000);
  K: largest offset to search for the first rise, 2 to 1000000 (default 10000)";

fn parse(args: &[String]) -> Result<(usize, f64, usize), String> {
    let mut f = Flags::new(args, USAGE, &[])?;
    let dim = f.get("--dim", 512, |d| *d <= 65_536, "a whole number up to 65536")?;
    let base = f.get("--base", sinusoidal::BASE, |_| true, "a number")?;
    let max_k = f.get(
        "--max-offset",
        10_000,
        |k| (2..=1_000_000).contains(k),
        "a whole number from 2 to 1000000",
    )?;
    f.finish()?;
    Ok((dim, base, max_k))
}

fn main() -> ExitCode {
    bookkit::run_example(|args| {
        let (dim, base, max_k) = parse(args)?;
        let offsets: Vec<usize> = [0, 1, 2, 5, 10, 20, 50, 100, 200, 500, 1000]
            .into_iter()
            .filter(|&k| k <= max_k)
            .collect();
        let enc = sinusoidal::Sinusoid::new(dim, base, sinusoidal::Layout::Interleaved)
            .map_err(|e| e.to_string())?;
        let mut out = report::dot_offsets(dim, &offsets, max_k).map_err(|e| e.to_string())?;
        if base != sinusoidal::BASE {
            // dot_offsets uses the paper's base; show the chosen base's first rise too.
            let rise = report::first_rises(dim, &[enc.base()], max_k).map_err(|e| e.to_string())?;
            out.push_str(&format!("\nWith base {base}:\n\n{rise}"));
        }
        Ok(out)
    })
}
