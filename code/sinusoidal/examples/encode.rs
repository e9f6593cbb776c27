//! Prints sinusoidal encodings and their key numbers.
//!
//! ```text
//! cargo run -p sinusoidal --example encode -- --dim 8 --positions 4
//! cargo run -p sinusoidal --example encode -- --dim 512 --positions 0 --base 100 --layout concatenated
//! ```

use std::process::ExitCode;

use bookkit::Flags;
use sinusoidal::{BASE, Layout, Sinusoid, report};

const USAGE: &str =
    "usage: encode [--dim D] [--positions N] [--base B] [--layout interleaved|concatenated]
  D: even, 2 to 65536 (default 8); N: rows to print, 0 to 64 (default 4);
  B: positive and finite (default 10000)";

struct Args {
    dim: usize,
    positions: usize,
    base: f64,
    layout: Layout,
}

fn parse(args: &[String]) -> Result<Args, String> {
    let mut f = Flags::new(args, USAGE, &[])?;
    let out = Args {
        dim: f.get("--dim", 8, |d| *d <= 65_536, "a whole number up to 65536")?,
        positions: f.get(
            "--positions",
            4,
            |n| *n <= 64,
            "a whole number of rows up to 64",
        )?,
        base: f.get("--base", BASE, |_| true, "a number")?,
        layout: f.get(
            "--layout",
            Layout::Interleaved,
            |_| true,
            "interleaved or concatenated",
        )?,
    };
    f.finish()?;
    Ok(out)
}

fn run(args: &Args) -> Result<String, String> {
    let enc = Sinusoid::new(args.dim, args.base, args.layout).map_err(|e| e.to_string())?;
    let mut out = String::new();
    if args.positions > 0 {
        out.push_str(&format!(
            "## PE(p) for p = 0 to {}, d = {}, base {}, {:?}\n\n",
            args.positions - 1,
            args.dim,
            args.base,
            args.layout
        ));
        out.push_str(&report::encoding_table(&enc, args.positions, 4));
        out.push('\n');
    }
    let half = args.dim / 2;
    let picks: Vec<usize> = if half <= 8 {
        (0..half).collect()
    } else {
        vec![0, 1, half / 4, half / 2, 3 * half / 4, half - 1]
    };
    out.push_str("## Frequencies and wavelengths\n\n");
    out.push_str(&report::wavelengths(&enc, &picks));
    out.push_str("\n## Dot product by offset\n\n");
    let first = match enc.first_rise(100_000) {
        Some(k) => format!(
            "PE(p)·PE(p + k) first rises between k = {k} and k = {}",
            k + 1
        ),
        None => "PE(p)·PE(p + k) does not rise up to k = 100000".into(),
    };
    out.push_str(&format!("{first}.\n"));
    Ok(out)
}

fn main() -> ExitCode {
    bookkit::run_example(|args| parse(args).and_then(|a| run(&a)))
}
