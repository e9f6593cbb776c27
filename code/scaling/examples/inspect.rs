//! Reads a Hugging Face `config.json` and prints its RoPE scaling: the scheme, every pair's
//! frequency before and after, wavelengths, the cos/sin factor and the softmax scale of the
//! logits. For a model without RoPE it says what the model uses instead. Optionally draws a
//! figure.
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
    let model = match read(&text).map_err(|e| format!("{path}: {e}"))? {
        Positions::Rope(m) => m,
        other => {
            return Ok(format!(
                "{path}\n\nmodel_type {}: no RoPE; it uses {} ({} learned position parameters)\n",
                other.model_type(),
                other.describe(),
                other.learned_parameters()
            ));
        }
    };
    let seq = a.seq_len.unwrap_or(model.base.max_position_embeddings);
    // LongRoPE's factor lists show in the table's ratio column; print other parameters as they are.
    let scheme = match &model.scheme {
        scaling::Scheme::LongRope { .. } => {
            "longrope (per-pair factors: see the ratio column)".into()
        }
        other => format!("{other:?}"),
    };
    let mut out = format!(
        "{path}\n\nscheme: {scheme}\nrotary dims {}, rope_theta {}, max_position_embeddings {}, evaluated at {seq} tokens\n",
        model.base.dim, model.base.theta, model.base.max_position_embeddings
    );
    for note in &model.notes {
        out.push_str(&format!("note: {note}\n"));
    }
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
