//! Prints RoPE's long-term decay curve and average cosine at growing distances.
//!
//! ```text
//! cargo run -p rope --example decay -- --head-dim 128 --base 500000
//! ```

use std::process::ExitCode;

const USAGE: &str = "usage: decay [--head-dim D] [--base B]
  D: even, 2 to 4096 (default 128); B: positive and finite (default 10000)";

fn parse(args: &[String]) -> Result<(usize, f64), String> {
    let (mut d, mut base) = (128usize, rope::BASE);
    let mut it = args.iter();
    while let Some(flag) = it.next() {
        if flag == "-h" || flag == "--help" {
            return Err(USAGE.into());
        }
        let value = it
            .next()
            .ok_or_else(|| format!("{flag} needs a value\n{USAGE}"))?;
        match flag.as_str() {
            "--head-dim" => {
                d = value
                    .parse()
                    .map_err(|_| format!("{flag} {value}: not a whole number"))?;
                if d > 4096 {
                    return Err(format!("{flag} {d}: at most 4096"));
                }
            }
            "--base" => {
                base = value
                    .parse()
                    .map_err(|_| format!("{flag} {value}: not a number"))?
            }
            _ => return Err(format!("unexpected argument `{flag}`\n{USAGE}")),
        }
    }
    Ok((d, base))
}

fn main() -> ExitCode {
    bookkit::run_example(|args| {
        let distances = [0.0, 1.0, 10.0, 100.0, 1000.0, 10000.0, 100000.0];
        parse(args)
            .and_then(|(d, b)| rope::report::decay(d, b, &distances).map_err(|e| e.to_string()))
    })
}
