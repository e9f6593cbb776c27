//! Trains a toy position table on short sequences and shows which rows learned.
//!
//! ```text
//! cargo run -p learned --example train -- --max-len 16 --dim 8 --lengths 4,8,12 --steps 60
//! ```

use std::process::ExitCode;

const USAGE: &str = "usage: train [--max-len L] [--dim D] [--lengths N,N,...] [--steps S]
  L: rows in the table, 1 to 256 (default 16); D: even width, at most 1024 (default 8);
  N: training lengths, each 1 to L (default 4,8,12); S: steps (default 60, at most 100000)";

struct Args {
    max_len: usize,
    dim: usize,
    lengths: Vec<usize>,
    steps: usize,
}

fn number(flag: &str, value: &str) -> Result<usize, String> {
    value
        .parse()
        .map_err(|_| format!("{flag} {value}: not a whole number\n{USAGE}"))
}

fn parse(args: &[String]) -> Result<Args, String> {
    let mut out = Args {
        max_len: 16,
        dim: 8,
        lengths: vec![4, 8, 12],
        steps: 60,
    };
    let mut it = args.iter();
    while let Some(flag) = it.next() {
        if flag == "-h" || flag == "--help" {
            return Err(USAGE.into());
        }
        let value = it
            .next()
            .ok_or_else(|| format!("{flag} needs a value\n{USAGE}"))?;
        match flag.as_str() {
            "--max-len" => out.max_len = number(flag, value)?,
            "--dim" => out.dim = number(flag, value)?,
            "--steps" => out.steps = number(flag, value)?,
            "--lengths" => {
                out.lengths = value
                    .split(',')
                    .map(|n| number(flag, n.trim()))
                    .collect::<Result<_, _>>()?;
            }
            _ => return Err(format!("unexpected argument `{flag}`\n{USAGE}")),
        }
    }
    if out.max_len > 256 {
        return Err(format!(
            "--max-len {}: at most 256 rows are printed",
            out.max_len
        ));
    }
    if out.dim > 1024 {
        return Err(format!("--dim {}: at most 1024", out.dim));
    }
    if out.steps > 100_000 {
        return Err(format!("--steps {}: at most 100000", out.steps));
    }
    Ok(out)
}

fn main() -> ExitCode {
    bookkit::run_example(|args| {
        parse(args).and_then(|a| {
            learned::report::training(a.max_len, a.dim, &a.lengths, a.steps)
                .map_err(|e| e.to_string())
        })
    })
}
