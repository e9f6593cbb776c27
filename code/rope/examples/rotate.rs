//! Rotates a vector by RoPE and prints each pair's angle, the rotated vector and both lengths.
//!
//! ```text
//! cargo run -p rope --example rotate -- --head-dim 8 --position 3 --layout half-split
//! cargo run -p rope --example rotate -- --vector 1,0,0,1 --position 2 --base 100
//! ```

use std::process::ExitCode;

use clap::Parser;
use clap::builder::RangedU64ValueParser;
use ndarray::Array1;
use rope::{BASE, Layout, Rope};

/// Rotates a vector by RoPE and prints each pair's angle, the rotated vector and both lengths.
#[derive(Parser)]
#[command(name = "rotate")]
struct Args {
    /// The head width: even, 2 to 4096 (default 8, or the length of --vector; when both are
    /// given they must agree).
    #[arg(long, value_name = "D", value_parser = RangedU64ValueParser::<usize>::new().range(..=4096))]
    head_dim: Option<usize>,
    /// The vector to rotate (default: the first unit vector).
    // Spelled `::std::vec::Vec` so that clap's derive reads one comma list, not a repeated flag.
    #[arg(long, value_name = "x0,x1,...", value_parser = vector, allow_hyphen_values = true)]
    vector: Option<::std::vec::Vec<f64>>,
    /// The position m: 0 to 2^53.
    #[arg(long, value_name = "M", default_value_t = 3, allow_negative_numbers = true,
          value_parser = clap::value_parser!(u64).range(..=1 << 53))]
    position: u64,
    /// The base: a finite number above 1.
    #[arg(long, value_name = "B", default_value_t = BASE, allow_negative_numbers = true)]
    base: f64,
    /// Which coordinates form the pairs: interleaved (rotate_every_two in Hugging Face's GPT-J
    /// code) or half-split (rotate_half in Hugging Face's Llama and GPT-NeoX code).
    #[arg(long, value_name = "interleaved|half-split", default_value = "half-split",
          value_parser = str::parse::<Layout>)]
    layout: Layout,
}

/// Finite numbers separated by commas, at most 4096 of them.
fn vector(text: &str) -> Result<Vec<f64>, String> {
    match bookkit::cli::list::<f64>(text) {
        Ok(v) if v.len() <= 4096 && v.iter().all(|x| x.is_finite()) => Ok(v),
        _ => Err("expected finite numbers separated by commas, at most 4096 of them".into()),
    }
}

fn run(a: Args) -> Result<String, rope::Error> {
    let d = a.head_dim.or(a.vector.as_ref().map(Vec::len)).unwrap_or(8);
    let rope = Rope::new(d, a.base, a.layout)?;
    let x = match &a.vector {
        Some(v) => Array1::from(v.clone()),
        None => Array1::from_shape_fn(d, |j| if j == 0 { 1.0 } else { 0.0 }),
    };
    let rotated = rope.rotate(x.view(), a.position as f64)?;
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
    bookkit::cli::run(run)
}
