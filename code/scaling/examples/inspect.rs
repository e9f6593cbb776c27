//! Reads a Hugging Face `config.json` and prints its RoPE scaling: every kind of layer with its
//! count and scheme (or no RoPE), what else the model does with positions, notes and warnings,
//! then every pair's frequency before and after for the main rotating layers, wavelengths, the
//! cos/sin factor and the softmax scale of the logits. For a model without RoPE it says what the
//! model uses instead. Optionally draws a figure.
//!
//! ```text
//! cargo run -p scaling --example inspect -- code/scaling/tests/fixtures/llama-3.1-8b.json
//! cargo run -p scaling --example inspect -- path/to/config.json --seq-len 200000 --figure rope.svg
//! ```

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;
use scaling::config::{Positions, read};

/// Reads a Hugging Face config.json and prints what its RoPE scaling does to every frequency.
#[derive(Parser)]
#[command(name = "inspect")]
struct Args {
    /// The model's config.json.
    #[arg(value_name = "CONFIG.json")]
    config: PathBuf,
    /// The sequence length to evaluate at, 1 to 2^40 (default: max_position_embeddings); it
    /// matters for dynamic NTK and LongRoPE.
    #[arg(long, value_name = "N", value_parser = seq_len)]
    seq_len: Option<usize>,
    /// Also draw the frequencies and wavelengths before and after into this SVG file.
    #[arg(long, value_name = "OUT.svg")]
    figure: Option<PathBuf>,
}

/// A sequence length: a whole number from 1 to 2^40.
fn seq_len(text: &str) -> Result<usize, String> {
    match text.parse::<usize>() {
        Ok(n) if (1..=1 << 40).contains(&n) => Ok(n),
        _ => Err("expected a whole number from 1 to 2^40".into()),
    }
}

fn run(a: Args) -> Result<String, String> {
    let path = a.config.display();
    let text =
        std::fs::read_to_string(&a.config).map_err(|e| format!("cannot read {path}: {e}"))?;
    let positions = read(&text).map_err(|e| format!("{path}: {e}"))?;
    // Every kind of layer with its count, what else the model does with positions, the notes
    // and the warnings; then every pair of the main rotating layers.
    let reading = scaling::report::reading(&positions, a.seq_len).map_err(|e| e.to_string())?;
    let Positions::Rope(model) = positions else {
        return Ok(format!("{path}\n\n{reading}"));
    };
    let seq = a.seq_len.unwrap_or(model.base.max_position_embeddings);
    let mut out = format!(
        "{path}\n\n{reading}\nEvery pair of the {} layers ({} rotary dims, rope_theta {}):\n",
        model
            .layers
            .iter()
            .find(|g| g
                .rope
                .as_ref()
                .is_some_and(|r| r.base == model.base && r.scheme == model.scheme))
            .map_or("main", |g| g.layer_type.as_str()),
        model.base.dim,
        model.base.theta
    );
    out.push('\n');
    out.push_str(&scaling::report::per_pair(&model, seq).map_err(|e| e.to_string())?);
    out.push_str("\nThe attention logits:\n\n");
    out.push_str(&scaling::report::logits(&model, seq).map_err(|e| e.to_string())?);
    if let Some(file) = &a.figure {
        let svg = scaling::figures::model_figure(&path.to_string(), &model, seq)
            .map_err(|e| e.to_string())?;
        std::fs::write(file, svg).map_err(|e| format!("cannot write {}: {e}", file.display()))?;
        out.push_str(&format!("\nwrote {}\n", file.display()));
    }
    Ok(out)
}

fn main() -> ExitCode {
    bookkit::cli::run(run)
}
