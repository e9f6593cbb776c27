//! Prints ALiBi's slopes for a head count and how each head's attention decays with distance.
//!
//! ```text
//! cargo run -p relative --example alibi -- --heads 12 --window 1024
//! ```

use std::process::ExitCode;

const USAGE: &str = "usage: alibi [--heads H] [--window N]
  H: 1 to 256 (default 8); N: keys in the causal window, 2 to 1000000 (default 512)";

fn parse(args: &[String]) -> Result<(usize, usize), String> {
    let (mut heads, mut window) = (8usize, 512usize);
    let mut it = args.iter();
    while let Some(flag) = it.next() {
        if flag == "-h" || flag == "--help" {
            return Err(USAGE.into());
        }
        let value = it
            .next()
            .ok_or_else(|| format!("{flag} needs a value\n{USAGE}"))?;
        let n: usize = value
            .parse()
            .map_err(|_| format!("{flag} {value}: not a whole number\n{USAGE}"))?;
        match flag.as_str() {
            "--heads" if (1..=256).contains(&n) => heads = n,
            "--window" if (2..=1_000_000).contains(&n) => window = n,
            "--heads" | "--window" => return Err(format!("{flag} {n}: out of range\n{USAGE}")),
            _ => return Err(format!("unexpected argument `{flag}`\n{USAGE}")),
        }
    }
    Ok((heads, window))
}

fn main() -> ExitCode {
    bookkit::run_example(|args| {
        parse(args).and_then(|(heads, window)| {
            let distances: Vec<usize> = [1, 8, 64, 256, 4096]
                .into_iter()
                .filter(|&k| k < window)
                .collect();
            let slopes = relative::report::alibi_slopes(&[heads]).map_err(|e| e.to_string())?;
            let decay = relative::report::alibi_decay(heads, window, &distances)
                .map_err(|e| e.to_string())?;
            Ok(format!(
                "## Slopes\n\n{slopes}\n## Weight by distance\n\n{decay}"
            ))
        })
    })
}
