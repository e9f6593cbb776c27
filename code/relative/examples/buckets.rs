//! Prints T5's bucket ranges for any settings.
//!
//! ```text
//! cargo run -p relative --example buckets
//! cargo run -p relative --example buckets -- --num-buckets 64 --max-distance 512 --causal
//! ```

use std::process::ExitCode;

use relative::t5::Buckets;

const USAGE: &str = "usage: buckets [--num-buckets B] [--max-distance D] [--causal]
  B: 4 to 1024 (default 32); D: beyond the exact range, at most 1000000 (default 128)";

fn parse(args: &[String]) -> Result<(usize, usize, bool), String> {
    let (mut buckets, mut distance, mut causal) = (32usize, 128usize, false);
    let mut it = args.iter();
    while let Some(flag) = it.next() {
        match flag.as_str() {
            "--causal" => causal = true,
            "--num-buckets" | "--max-distance" => {
                let value = it
                    .next()
                    .ok_or_else(|| format!("{flag} needs a value\n{USAGE}"))?;
                let n: usize = value
                    .parse()
                    .map_err(|_| format!("{flag} {value}: not a whole number\n{USAGE}"))?;
                if flag == "--num-buckets" {
                    if !(4..=1024).contains(&n) {
                        return Err(format!("{flag} {n}: use 4 to 1024\n{USAGE}"));
                    }
                    buckets = n;
                } else {
                    if n > 1_000_000 {
                        return Err(format!("{flag} {n}: at most 1000000\n{USAGE}"));
                    }
                    distance = n;
                }
            }
            "-h" | "--help" => return Err(USAGE.into()),
            _ => return Err(format!("unexpected argument `{flag}`\n{USAGE}")),
        }
    }
    Ok((buckets, distance, causal))
}

fn main() -> ExitCode {
    bookkit::run_example(|args| {
        parse(args).and_then(|(b, d, causal)| {
            let cfg = Buckets::new(!causal, b, d).map_err(|e| e.to_string())?;
            relative::report::t5_ranges(cfg, 2 * d as i64).map_err(|e| e.to_string())
        })
    })
}
