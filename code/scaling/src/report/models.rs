//! "Which model uses what", in two tables read from the same rows: the models with no RoPE in
//! any layer (one row per model), and the models with RoPE in at least one kind of layer (one row
//! per kind of layer).

use bookkit::Table;

use crate::config::{LayerGroup, Mixer, Positions};
use crate::{Base, Result, Scheme};

/// A short name for a model's position encoding, for a table cell.
fn short(p: &Positions) -> String {
    match p {
        Positions::Rope(_) => "RoPE".into(),
        Positions::NoEncoding(l) if !l.attends() => "none (no attention)".into(),
        Positions::NoEncoding(_) => "none (attention, NoPE)".into(),
        Positions::Learned { positions, .. } => format!("learned, {positions} positions"),
        Positions::T5Buckets { buckets, .. } => format!("T5 buckets ({buckets})"),
        Positions::Alibi { .. } => "ALiBi".into(),
    }
}

/// Which model uses what, for the models with no RoPE in any layer: one row per config, read by
/// [`crate::config::read`], with the learned parameters its encoding has. The RoPE models among
/// `rows` are left to [`models_rope`].
///
/// # Errors
/// None today; the `Result` keeps the signature of [`models_rope`].
///
/// ```
/// let gpt2 = scaling::config::read(r#"{"model_type": "gpt2", "n_positions": 1024, "n_embd": 768}"#)?;
/// let mamba = scaling::config::read(r#"{"model_type": "mamba", "num_hidden_layers": 24}"#)?;
/// let t = scaling::report::models(&[("GPT-2", gpt2), ("Mamba", mamba)])?;
/// assert!(t.contains("| GPT-2 | gpt2 | learned, 1024 positions | 786432 |"), "{t}");
/// assert!(t.contains("| Mamba | mamba | none (no attention) | 0 |"), "{t}");
/// # Ok::<(), scaling::Error>(())
/// ```
pub fn models(rows: &[(&str, Positions)]) -> Result<String> {
    let mut t = Table::new([
        "model",
        "model_type",
        "position encoding",
        "learned position parameters",
    ]);
    for (name, p) in rows
        .iter()
        .filter(|(_, p)| !matches!(p, Positions::Rope(_)))
    {
        t.row([
            name.to_string(),
            p.model_type().to_string(),
            short(p),
            p.learned_parameters().to_string(),
        ]);
    }
    Ok(t.to_string())
}

/// The layers cell: "all N" for a model of one kind, else the count and the kind, marked when
/// the kind does not attend or does not rotate.
fn layers_cell(g: &LayerGroup, one_kind: bool) -> String {
    let count = match (g.count, one_kind) {
        (0, _) => "all".to_string(),
        (n, true) => format!("all {n}"),
        (n, false) => n.to_string(),
    };
    // One word for every layer with no softmax attention at all (state-space, linear attention,
    // convolution, MLP only), another for attention, to the text or to an image, that does not
    // rotate.
    let mark = match (&g.rope, g.mixer) {
        (Some(_), Mixer::Attention) => String::new(),
        (Some(_), m) => format!(" ({})", m.name()),
        (None, Mixer::Attention | Mixer::CrossAttention | Mixer::AttentionAndStateSpace) => {
            " (no RoPE)".to_string()
        }
        (None, _) => " (no attention)".to_string(),
    };
    if one_kind && g.rope.is_some() && g.mixer == Mixer::Attention {
        count
    } else {
        format!("{count} {}{mark}", g.layer_type)
    }
}

/// Which model uses what, for the models with RoPE in at least one kind of layer: one row per
/// kind of layer (model and model_type repeated on each), with its rotated width over the head
/// width, its base and its scaling, or "–" where the kind does not rotate.
///
/// # Errors
/// None today (every value was checked when the config was read); kept for bad parameters a
/// future scheme may refuse.
///
/// ```
/// let p = scaling::config::read(r#"{"model_type": "gemma2", "head_dim": 256,
///     "max_position_embeddings": 8192, "num_hidden_layers": 26}"#)?;
/// let t = scaling::report::models_rope(&[("Gemma 2 2B", p)])?;
/// assert!(t.contains("| Gemma 2 2B | gemma2 | 13 sliding_attention | 256 / 256 | 10000 | default |"), "{t}");
/// # Ok::<(), scaling::Error>(())
/// ```
pub fn models_rope(rows: &[(&str, Positions)]) -> Result<String> {
    let mut t = Table::new([
        "model",
        "model_type",
        "layers",
        "rotary dims / head",
        "rope_theta",
        "scaling",
    ]);
    for (name, p) in rows {
        let Positions::Rope(m) = p else { continue };
        let one_kind = m.layers.len() == 1;
        for g in &m.layers {
            let (dims, theta, scheme) = match &g.rope {
                Some(r) => (
                    format!("{} / {}", r.base.dim, r.logits.d_head),
                    format!("{}", r.base.theta),
                    scheme_cell(&r.base, &r.scheme, m.base.max_position_embeddings),
                ),
                None => ("–".into(), "–".into(), "–".into()),
            };
            t.row([
                name.to_string(),
                m.model_type.clone(),
                layers_cell(g, one_kind),
                dims,
                theta,
                scheme,
            ]);
        }
    }
    Ok(t.to_string())
}

/// The scheme's name as a table cell: LongRoPE says which factor list it uses at `seq_len`
/// (`long_factor` beyond the pretraining length, as `_compute_longrope_parameters` picks it).
pub(super) fn scheme_cell(base: &Base, scheme: &Scheme, seq_len: usize) -> String {
    match scheme {
        Scheme::LongRope {
            original_max_position_embeddings,
            ..
        } => {
            let l = original_max_position_embeddings.unwrap_or(base.max_position_embeddings);
            if seq_len > l {
                format!("longrope, long_factor ({seq_len} > {l})")
            } else {
                format!("longrope, short_factor ({seq_len} ≤ {l})")
            }
        }
        Scheme::Linear { factor }
        | Scheme::Ntk { factor }
        | Scheme::Dynamic { factor }
        | Scheme::Llama3 { factor, .. } => format!("{} ×{factor}", scheme.name()),
        Scheme::Yarn(p) => match p.factor {
            Some(f) => format!("yarn ×{f}"),
            None => "yarn (factor from the lengths)".into(),
        },
        Scheme::Default => "default".into(),
    }
}
