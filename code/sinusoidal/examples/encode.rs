//! Prints sinusoidal encodings and their key numbers.
//!
//! ```text
//! cargo run -p sinusoidal --example encode -- --dim 8 --positions 4
//! cargo run -p sinusoidal --example encode -- --dim 512 --positions 0 --base 100 --layout concatenated --schedule t2t
//! ```

use clap::Parser;
use clap::builder::RangedU64ValueParser;
use std::process::ExitCode;

use sinusoidal::{BASE, Error, Layout, Schedule, Sinusoid, report};

/// Prints sinusoidal encodings, their frequencies and wavelengths, and where the dot product of
/// two encodings first rises with the offset.
#[derive(Parser)]
struct Args {
    /// The width d: even, 2 to 65536.
    // (Sinusoid::new refuses an odd or zero width and names the rule.)
    #[arg(long, value_name = "D", default_value_t = 8, value_parser = RangedU64ValueParser::<usize>::new().range(..=65_536))]
    dim: usize,
    /// How many positions to print, from 0: 0 to 64 rows.
    #[arg(long, value_name = "N", default_value_t = 4, value_parser = RangedU64ValueParser::<usize>::new().range(..=64))]
    positions: usize,
    /// The base b: positive and finite (the paper uses 10000).
    #[arg(long, value_name = "B", default_value_t = BASE)]
    base: f64,
    /// Where the sines and cosines sit: interleaved (the paper) or concatenated (half-split, as
    /// tensor2tensor and fairseq).
    #[arg(long, default_value = "interleaved", value_parser = str::parse::<Layout>)]
    layout: Layout,
    /// Which frequencies: paper (b^(-2i/d)) or t2t (b^(-i/(d/2-1)), tensor2tensor and fairseq).
    #[arg(long, default_value = "paper", value_parser = str::parse::<Schedule>)]
    schedule: Schedule,
}

fn run(args: &Args) -> Result<String, Error> {
    let enc = Sinusoid::new(args.dim, args.base, args.layout, args.schedule)?;
    let mut out = String::new();
    if args.positions > 0 {
        out.push_str(&format!(
            "## PE(p) for p = 0 to {}, d = {}, base {}, {:?}, {:?}\n\n",
            args.positions - 1,
            args.dim,
            args.base,
            args.layout,
            args.schedule
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
    bookkit::cli::run(|args: Args| run(&args))
}
