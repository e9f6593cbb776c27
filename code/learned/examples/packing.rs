//! Packs documents into fixed contexts and prints the position each token gets.
//!
//! ```text
//! cargo run -p learned --example packing -- --docs 5,3,7 --context 8
//! ```

use std::process::ExitCode;

const USAGE: &str = "usage: packing [--docs N,N,...] [--context L]
  document lengths: positive whole numbers, at most 200 tokens in all (default 5,3,7);
  L: context length, positive (default 8)";

fn parse(args: &[String]) -> Result<(Vec<usize>, usize), String> {
    let (mut docs, mut context) = (vec![5, 3, 7], 8);
    let mut it = args.iter();
    while let Some(flag) = it.next() {
        if flag == "-h" || flag == "--help" {
            return Err(USAGE.into());
        }
        let value = it
            .next()
            .ok_or_else(|| format!("{flag} needs a value\n{USAGE}"))?;
        match flag.as_str() {
            "--docs" => {
                docs = value
                    .split(',')
                    .map(|n| n.trim().parse::<usize>())
                    .collect::<Result<_, _>>()
                    .map_err(|_| {
                        format!("--docs {value}: give whole numbers separated by commas")
                    })?;
                let total = docs.iter().try_fold(0usize, |a, &n| a.checked_add(n));
                if total.is_none_or(|t| t > 200) {
                    return Err(format!("--docs {value}: at most 200 tokens are printed"));
                }
            }
            "--context" => {
                context = value
                    .parse()
                    .map_err(|_| format!("--context {value}: not a whole number"))?;
            }
            _ => return Err(format!("unexpected argument `{flag}`\n{USAGE}")),
        }
    }
    Ok((docs, context))
}

fn main() -> ExitCode {
    bookkit::run_example(|args| {
        parse(args).and_then(|(docs, context)| {
            learned::report::packing(&docs, context).map_err(|e| e.to_string())
        })
    })
}
