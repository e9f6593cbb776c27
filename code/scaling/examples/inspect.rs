//! Reads a Hugging Face `config.json` and prints its RoPE scaling: the scheme, every pair's
//! frequency before and after, wavelengths and the attention factor. Optionally draws a figure.
//!
//! ```text
//! cargo run -p scaling --example inspect -- code/scaling/tests/fixtures/llama-3.1-8b.json
//! cargo run -p scaling --example inspect -- path/to/config.json --seq-len 200000 --figure rope.svg
//! ```

use std::process::ExitCode;

use scaling::config::parse;

const USAGE: &str = "usage: inspect CONFIG.json [--seq-len N] [--figure OUT.svg]
  N: the sequence length to evaluate at, 1 to 2^40 (default: max_position_embeddings);
  it matters for dynamic NTK and LongRoPE";

struct Args {
    path: String,
    seq_len: Option<usize>,
    figure: Option<String>,
}

fn parse_args(args: &[String]) -> Result<Args, String> {
    let mut out = Args {
        path: String::new(),
        seq_len: None,
        figure: None,
    };
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "-h" | "--help" => return Err(USAGE.into()),
            "--seq-len" => {
                let v = it
                    .next()
                    .ok_or_else(|| format!("--seq-len needs a value\n{USAGE}"))?;
                let n: usize = v
                    .parse()
                    .map_err(|_| format!("--seq-len {v}: not a whole number\n{USAGE}"))?;
                if n == 0 || n > 1 << 40 {
                    return Err(format!("--seq-len {n}: use 1 to 2^40\n{USAGE}"));
                }
                out.seq_len = Some(n);
            }
            "--figure" => {
                out.figure = Some(
                    it.next()
                        .ok_or_else(|| format!("--figure needs a path\n{USAGE}"))?
                        .clone(),
                );
            }
            flag if flag.starts_with("--") => {
                return Err(format!("unexpected argument `{flag}`\n{USAGE}"));
            }
            path if out.path.is_empty() => out.path = path.to_string(),
            extra => return Err(format!("unexpected argument `{extra}`\n{USAGE}")),
        }
    }
    if out.path.is_empty() {
        return Err(format!("no config file given\n{USAGE}"));
    }
    Ok(out)
}

fn run(a: &Args) -> Result<String, String> {
    let text = std::fs::read_to_string(&a.path).map_err(|e| format!("{}: {e}", a.path))?;
    let model = parse(&text).map_err(|e| format!("{}: {e}", a.path))?;
    let seq = a.seq_len.unwrap_or(model.base.max_position_embeddings);
    // LongRoPE's factor lists show in the table's ratio column; print other parameters as they are.
    let scheme = match &model.scheme {
        scaling::Scheme::LongRope { .. } => {
            "longrope (per-pair factors: see the ratio column)".into()
        }
        other => format!("{other:?}"),
    };
    let mut out = format!(
        "{}\n\nscheme: {scheme}\nrotary dims {}, rope_theta {}, max_position_embeddings {}, evaluated at {seq} tokens\n",
        a.path, model.base.dim, model.base.theta, model.base.max_position_embeddings
    );
    for note in &model.notes {
        out.push_str(&format!("note: {note}\n"));
    }
    out.push('\n');
    out.push_str(&scaling::report::per_pair(&model, seq).map_err(|e| e.to_string())?);
    if let Some(path) = &a.figure {
        let svg =
            scaling::figures::model_figure(&a.path, &model, seq).map_err(|e| e.to_string())?;
        std::fs::write(path, svg).map_err(|e| format!("{path}: {e}"))?;
        out.push_str(&format!("\nwrote {path}\n"));
    }
    Ok(out)
}

fn main() -> ExitCode {
    bookkit::run_example(|args| parse_args(args).and_then(|a| run(&a)))
}
