//! Rotates a vector by RoPE and prints the result, the angles, and the score with a key.
//!
//! ```text
//! cargo run -p rope --example rotate -- --head-dim 8 --position 3 --layout half-split
//! cargo run -p rope --example rotate -- --vector 1,0,0,1 --position 2 --base 100
//! ```

use std::process::ExitCode;

use bookkit::Flags;
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
    let mut f = Flags::new(args, USAGE, &[])?;
    let out = Args {
        head_dim: f.optional("--head-dim", |d| *d <= 4096, "a whole number up to 4096")?,
        vector: match f.list(
            "--vector",
            Vec::new(),
            |v: &[f64]| v.len() <= 4096 && v.iter().all(|x| x.is_finite()),
            "finite numbers separated by commas, at most 4096 of them",
        )? {
            v if v.is_empty() => None,
            v => Some(v),
        },
        position: f.get(
            "--position",
            3,
            |m| *m <= 1 << 53,
            "a whole number up to 2^53",
        )?,
        base: f.get("--base", BASE, |_| true, "a number")?,
        layout: f.get(
            "--layout",
            Layout::HalfSplit,
            |_| true,
            "interleaved or half-split",
        )?,
    };
    f.finish()?;
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
