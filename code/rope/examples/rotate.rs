//! Rotates a vector by RoPE and prints the result, the angles, and the score with a key.
//!
//! ```text
//! cargo run -p rope --example rotate -- --head-dim 8 --position 3 --layout half-split
//! cargo run -p rope --example rotate -- --vector 1,0,0,1 --position 2 --base 100
//! ```

use std::process::ExitCode;

use ndarray::Array1;
use rope::{BASE, Layout, Rope};

const USAGE: &str = "usage: rotate [--head-dim D] [--vector x0,x1,...] [--position M] [--base B] [--layout interleaved|half-split]
  D: even, 2 to 4096 (default 8; with --vector, the vector's length must equal D when both are given);
  M: 0 to 2^53 (default 3); B: positive and finite (default 10000)";

struct Args {
    head_dim: Option<usize>,
    vector: Option<Vec<f64>>,
    position: u64,
    base: f64,
    layout: Layout,
}

fn parse(args: &[String]) -> Result<Args, String> {
    let mut out = Args {
        head_dim: None,
        vector: None,
        position: 3,
        base: BASE,
        layout: Layout::HalfSplit,
    };
    let mut it = args.iter();
    while let Some(flag) = it.next() {
        if flag == "-h" || flag == "--help" {
            return Err(USAGE.into());
        }
        let value = it
            .next()
            .ok_or_else(|| format!("{flag} needs a value\n{USAGE}"))?;
        let bad = |what: &str| format!("{flag} {value}: {what}\n{USAGE}");
        match flag.as_str() {
            "--head-dim" => {
                let d: usize = value.parse().map_err(|_| bad("not a whole number"))?;
                if d > 4096 {
                    return Err(bad("at most 4096"));
                }
                out.head_dim = Some(d);
            }
            "--vector" => {
                let v: Vec<f64> = value
                    .split(',')
                    .map(|x| x.trim().parse::<f64>())
                    .collect::<Result<_, _>>()
                    .map_err(|_| bad("give numbers separated by commas"))?;
                if v.iter().any(|x| !x.is_finite()) || v.len() > 4096 {
                    return Err(bad("entries must be finite, at most 4096 of them"));
                }
                out.vector = Some(v);
            }
            "--position" => {
                out.position = value.parse().map_err(|_| bad("not a whole number"))?;
                if out.position > 1 << 53 {
                    return Err(bad("at most 2^53 (exact in f64)"));
                }
            }
            "--base" => out.base = value.parse().map_err(|_| bad("not a number"))?,
            "--layout" => out.layout = value.parse()?,
            _ => return Err(format!("unexpected argument `{flag}`\n{USAGE}")),
        }
    }
    Ok(out)
}

fn run(a: &Args) -> Result<String, String> {
    let d = a.head_dim.or(a.vector.as_ref().map(Vec::len)).unwrap_or(8);
    let rope = Rope::new(d, a.base, a.layout).map_err(|e| e.to_string())?;
    let x = match &a.vector {
        Some(v) => Array1::from(v.clone()),
        None => Array1::from_shape_fn(d, |j| if j == 0 { 1.0 } else { 0.0 }),
    };
    let rotated = rope
        .rotate(x.view(), a.position as f64)
        .map_err(|e| e.to_string())?;
    let mut out = format!(
        "head_dim {d}, base {}, {:?} layout, position {}\n\n| pair (a, b) | θ_j | angle m·θ_j (rad) |\n|:--|--:|--:|\n",
        a.base, a.layout, a.position
    );
    for (p, q, theta) in rope.pairs() {
        out.push_str(&format!(
            "| ({p}, {q}) | {theta:.6e} | {:.6} |\n",
            a.position as f64 * theta
        ));
    }
    out.push_str(&format!(
        "\nx        = {:?}\nR_m x    = {:?}\n",
        x.to_vec(),
        rotated.to_vec()
    ));
    out.push_str(&format!(
        "|x| = {:.12}, |R_m x| = {:.12}\n",
        x.dot(&x).sqrt(),
        rotated.dot(&rotated).sqrt()
    ));
    Ok(out)
}

fn main() -> ExitCode {
    bookkit::run_example(|args| parse(args).and_then(|a| run(&a)))
}
