//! Prints what the hand-built offset heads do at the length they were built for and beyond, and
//! NoPE's counter.
//!
//! ```text
//! cargo run -p trained --example heads -- --delta 3 --built-len 16 --long 128
//! ```

use std::process::ExitCode;

use clap::Parser;
use clap::builder::RangedU64ValueParser;
use trained::heads::HeadSpec;
use trained::{Error, report};

/// Builds, for every scheme, a head that reads the token `--delta` back, and reports the weight
/// it puts there at `--built-len` tokens and at `--long` tokens; then NoPE's counter.
#[derive(Parser)]
#[command(name = "heads")]
struct Args {
    /// The offset to read: 1 (a previous-token head) to 15.
    #[arg(long, value_name = "Δ", default_value_t = 3,
          value_parser = RangedU64ValueParser::<usize>::new().range(1..=15))]
    delta: usize,
    /// The length the heads are built for (the learned table's rows): 16 to 512, above Δ.
    #[arg(long, value_name = "L", default_value_t = 16,
          value_parser = RangedU64ValueParser::<usize>::new().range(16..=512))]
    built_len: usize,
    /// The longer length to run them at: 16 to 2048.
    #[arg(long, value_name = "N", default_value_t = 128,
          value_parser = RangedU64ValueParser::<usize>::new().range(16..=2048))]
    long: usize,
    /// The logit margin given to the intended key: 1 to 50.
    #[arg(long, value_name = "C", default_value_t = 10.0)]
    sharpness: f64,
}

fn run(args: Args) -> Result<String, Error> {
    if !(1.0..=50.0).contains(&args.sharpness) {
        return Err(errors::bad(
            "sharpness",
            args.sharpness,
            "it must be 1 to 50",
        ));
    }
    let spec = HeadSpec {
        delta: args.delta,
        built_len: args.built_len,
        sharpness: args.sharpness,
        ..HeadSpec::CHAPTER
    };
    let heads = report::heads(&spec, args.long)?;
    let queries: Vec<usize> = [args.delta, args.built_len - 1, args.long - 1].into();
    let dilution = report::dilution(&spec, &queries)?;
    let counter = report::nope_counter(&[0, 1, 2, 15, 127, args.long - 1])?;
    Ok(format!(
        "## Offset heads\n\n{heads}\n## Weight on the key as the query moves on\n\n{dilution}\n## NoPE's counter\n\n{counter}"
    ))
}

fn main() -> ExitCode {
    bookkit::cli::run(run)
}
