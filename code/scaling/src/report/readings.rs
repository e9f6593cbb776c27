//! The inspector's reports on one config or several: the reading per kind of layer, every pair,
//! the attention logits, and the "which model uses what" table.

use std::f64::consts::PI;

use bookkit::{Table, fixed};

use super::sci;
use crate::config::{LayerRope, ModelRope, Positions};
use crate::{Base, Result, Scaled, Scheme, compute};

/// `scheme` at `seq_len`, with `θ'_j / θ_j` for every pair and the smallest and largest of them.
fn ratios(base: &Base, scheme: &Scheme, seq_len: usize) -> Result<(Scaled, Vec<f64>, f64, f64)> {
    let scaled = compute(base, scheme, seq_len)?;
    let ratios: Vec<f64> = base
        .inv_freq()
        .iter()
        .zip(&scaled.inv_freq)
        .map(|(a, b)| b / a)
        .collect();
    let min = ratios.iter().copied().fold(f64::INFINITY, f64::min);
    let max = ratios.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    Ok((scaled, ratios, min, max))
}

/// The summary cells of one model: scheme, rotary dims, theta, attention factor, the smallest and
/// largest `θ'_j / θ_j`, and how many pairs are unchanged.
///
/// # Errors
/// Bad parameters.
pub fn summary(model: &ModelRope, seq_len: usize) -> Result<Vec<String>> {
    let (scaled, ratios, min, max) = ratios(&model.base, &model.scheme, seq_len)?;
    let unchanged = ratios.iter().filter(|r| (**r - 1.0).abs() < 1e-12).count();
    Ok(vec![
        model.scheme.name().to_string(),
        model.base.dim.to_string(),
        format!("{}", model.base.theta),
        fixed(scaled.attention_factor, 4),
        sci(min),
        sci(max),
        unchanged.to_string(),
    ])
}

/// Summaries of several configs, each evaluated at the given sequence length.
///
/// # Errors
/// Bad parameters.
pub fn fixtures(models: &[(&str, ModelRope, usize)]) -> Result<String> {
    let mut t = Table::new([
        "config",
        "evaluated at",
        "scheme",
        "rotary dims",
        "rope_theta",
        "attention factor",
        "smallest θ'/θ",
        "largest θ'/θ",
        "pairs unchanged",
    ]);
    for (name, model, seq) in models {
        let mut row = vec![name.to_string(), seq.to_string()];
        row.extend(summary(model, *seq)?);
        t.row(row);
    }
    Ok(t.to_string())
}

/// Every pair of one model: `θ_j`, `θ'_j`, their ratio and both wavelengths.
///
/// # Errors
/// Bad parameters.
pub fn per_pair(model: &ModelRope, seq_len: usize) -> Result<String> {
    let scaled = compute(&model.base, &model.scheme, seq_len)?;
    let mut t = Table::new([
        "pair j",
        "θⱼ",
        "θ'_j",
        "θ′ⱼ / θⱼ",
        "wavelength",
        "scaled wavelength",
    ]);
    for (j, (a, b)) in model
        .base
        .inv_freq()
        .iter()
        .zip(&scaled.inv_freq)
        .enumerate()
    {
        t.row([
            j.to_string(),
            sci(*a),
            sci(*b),
            fixed(b / a, 4),
            fixed(2.0 * PI / a, 1),
            fixed(2.0 * PI / b, 1),
        ]);
    }
    Ok(format!(
        "{t}\nattention factor {}\n",
        fixed(scaled.attention_factor, 4)
    ))
}

/// The scale of the attention logits of a model: the softmax scale relative to `1/√d_head`, the
/// cos/sin factor of its scheme, and what the two make of the rotated part of each logit.
///
/// # Errors
/// Bad parameters.
pub fn logits(model: &ModelRope, seq_len: usize) -> Result<String> {
    let scaled = compute(&model.base, &model.scheme, seq_len)?;
    let l = model.logits;
    let c = scaled.attention_factor;
    let mut t = Table::new(["quantity", "value"]);
    t.row([
        "d_head under the square root".to_string(),
        l.d_head.to_string(),
    ]);
    t.row(["rotated dimensions".to_string(), model.base.dim.to_string()]);
    t.row(["softmax scale".to_string(), fixed(l.softmax_scale(), 6)]);
    t.row([
        "softmax scale × √d_head".to_string(),
        fixed(l.softmax_factor, 6),
    ]);
    t.row(["cos/sin factor c".to_string(), fixed(c, 6)]);
    t.row([
        "rotated part of each logit, relative to 1/√d_head (softmax factor × c²)".to_string(),
        fixed(l.rotary_part(c), 6),
    ]);
    t.row([
        "unrotated part, relative to 1/√d_head".to_string(),
        fixed(l.softmax_factor, 6),
    ]);
    Ok(t.to_string())
}

/// "RoPE", or for a model whose layers differ, the count of each kind and whether it rotates.
fn encoding(p: &Positions) -> String {
    match p {
        Positions::Rope(m) if m.layers.len() > 1 => {
            let kinds: Vec<String> = m
                .layers
                .iter()
                .map(|g| {
                    let rope = if g.rope.is_some() { "" } else { " (no RoPE)" };
                    format!("{} {}{rope}", g.count, g.layer_type)
                })
                .collect();
            format!("RoPE: {}", kinds.join(", "))
        }
        other => other.describe(),
    }
}

/// Which model uses what: one row per config, read by [`crate::config::read`]; for a model whose
/// layers differ, the count of each kind and its setting.
///
/// # Errors
/// Bad parameters in a RoPE config.
pub fn models(rows: &[(&str, Positions)]) -> Result<String> {
    let mut t = Table::new([
        "model",
        "model_type",
        "position encoding",
        "learned position parameters",
        "rotary dims / head",
        "rope_theta",
        "scaling",
    ]);
    for (name, p) in rows {
        let (dims, theta, scheme, model_type) = match p {
            Positions::Rope(m) => {
                // One value when every kind of layer agrees, else one per kind.
                let per_kind = |cell: &dyn Fn(&LayerRope) -> String| {
                    let cells: Vec<(String, String)> = m
                        .layers
                        .iter()
                        .map(|g| {
                            let v = g.rope.as_ref().map_or("none".to_string(), cell);
                            (g.layer_type.clone(), v)
                        })
                        .collect();
                    if cells.iter().all(|(_, v)| *v == cells[0].1) {
                        cells[0].1.clone()
                    } else {
                        cells
                            .iter()
                            .map(|(k, v)| format!("{v} ({k})"))
                            .collect::<Vec<_>>()
                            .join(", ")
                    }
                };
                let max = m.base.max_position_embeddings;
                (
                    per_kind(&|r| format!("{} / {}", r.base.dim, r.logits.d_head)),
                    per_kind(&|r| format!("{}", r.base.theta)),
                    per_kind(&|r| scheme_cell(&r.base, &r.scheme, max)),
                    m.model_type.clone(),
                )
            }
            other => (
                "–".into(),
                "–".into(),
                "–".into(),
                other.model_type().to_string(),
            ),
        };
        t.row([
            name.to_string(),
            model_type,
            encoding(p),
            p.learned_parameters().to_string(),
            dims,
            theta,
            scheme,
        ]);
    }
    Ok(t.to_string())
}

/// The scheme's name as a table cell: LongRoPE says which factor list it uses at `seq_len`
/// (`long_factor` beyond the pretraining length, as `_compute_longrope_parameters` picks it).
fn scheme_cell(base: &Base, scheme: &Scheme, seq_len: usize) -> String {
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

/// The inspector's reading of one config, every kind of layer with its count, evaluated at
/// `seq_len` tokens (default: `max_position_embeddings`), then the extras, notes and warnings.
/// A model without RoPE gets one line saying what it uses.
///
/// # Errors
/// Bad parameters.
///
/// ```
/// let p = scaling::config::read(r#"{"model_type": "llama", "head_dim": 64,
///     "max_position_embeddings": 2048, "num_hidden_layers": 4}"#)?;
/// let text = scaling::report::reading(&p, None)?;
/// assert!(text.contains("| full_attention | 4 | RoPE | 64 / 64 | 10000 | default |"), "{text}");
/// # Ok::<(), scaling::Error>(())
/// ```
pub fn reading(p: &Positions, seq_len: Option<usize>) -> Result<String> {
    let m = match p {
        Positions::Rope(m) => m,
        other => {
            return Ok(format!(
                "model_type {}: no RoPE; it uses {} ({} learned position parameters)\n",
                other.model_type(),
                other.describe(),
                other.learned_parameters()
            ));
        }
    };
    let seq = seq_len.unwrap_or(m.base.max_position_embeddings);
    let mut t = Table::new([
        "layer kind",
        "layers",
        "positions",
        "rotary dims / head",
        "rope_theta",
        "scaling",
        "cos/sin factor",
        "softmax factor",
        "smallest θ'/θ",
        "largest θ'/θ",
        "from",
    ]);
    for g in &m.layers {
        let count = if g.count == 0 {
            "all".to_string()
        } else {
            g.count.to_string()
        };
        let Some(r) = &g.rope else {
            t.row([
                g.layer_type.clone(),
                count,
                "none".into(),
                "–".into(),
                "–".into(),
                "–".into(),
                "–".into(),
                "–".into(),
                "–".into(),
                "–".into(),
                g.source.clone(),
            ]);
            continue;
        };
        let (scaled, _, min, max) = ratios(&r.base, &r.scheme, seq)?;
        t.row([
            g.layer_type.clone(),
            count,
            "RoPE".into(),
            format!("{} / {}", r.base.dim, r.logits.d_head),
            format!("{}", r.base.theta),
            scheme_cell(&r.base, &r.scheme, seq),
            fixed(scaled.attention_factor, 4),
            fixed(r.logits.softmax_factor, 4),
            sci(min),
            sci(max),
            g.source.clone(),
        ]);
    }
    let mut out = format!(
        "model_type {}, max_position_embeddings {}, evaluated at {seq} tokens\n\n{t}",
        m.model_type, m.base.max_position_embeddings
    );
    for (title, lines) in [
        ("also", &m.extras),
        ("notes", &m.notes),
        ("warnings", &m.warnings),
    ] {
        if !lines.is_empty() {
            out.push_str(&format!("\n{title}:\n"));
            for l in lines {
                out.push_str(&format!("- {l}\n"));
            }
        }
    }
    Ok(out)
}
