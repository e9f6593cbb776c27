//! The inspector's reports on one config or several: the reading per kind of layer, every pair,
//! the attention logits, and the "which model uses what" table.

use std::f64::consts::PI;

use bookkit::{Table, fixed};

use super::models::scheme_cell;
use super::sci;
use crate::config::{LayerGroup, Layered, ModelRope, Positions};
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

/// The inspector's reading of one config, every kind of layer with its count, evaluated at
/// `seq_len` tokens (default: `max_position_embeddings`), then the extras, notes and warnings.
/// A model none of whose layers rotates gets its layers and what they do instead; a model with
/// another encoding, one line saying what it uses.
///
/// # Errors
/// Bad parameters.
///
/// ```
/// let p = scaling::config::read(r#"{"model_type": "llama", "head_dim": 64,
///     "max_position_embeddings": 2048, "num_hidden_layers": 4}"#)?;
/// let text = scaling::report::reading(&p, None)?;
/// assert!(text.contains("| full_attention | 4 | attention | RoPE | 64 / 64 | 10000 | default |"), "{text}");
/// let mamba = scaling::config::read(r#"{"model_type": "mamba", "num_hidden_layers": 24}"#)?;
/// let text = scaling::report::reading(&mamba, None)?;
/// assert!(text.starts_with("model_type mamba: no attention, no position encoding"), "{text}");
/// assert!(text.contains("| linear_attention | 24 | state-space | none |"), "{text}");
/// # Ok::<(), scaling::Error>(())
/// ```
pub fn reading(p: &Positions, seq_len: Option<usize>) -> Result<String> {
    let m = match p {
        Positions::Rope(m) => m,
        Positions::NoEncoding(l) => return Ok(layered(l)),
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
        "mixer",
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
        let count = count(g);
        let Some(r) = &g.rope else {
            t.row([
                g.layer_type.clone(),
                count,
                g.mixer.name().into(),
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
            g.mixer.name().into(),
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
    push_lists(
        &mut out,
        [
            ("also", &m.extras),
            ("notes", &m.notes),
            ("warnings", &m.warnings),
        ],
    );
    Ok(out)
}

/// "all" when the config gives no layer count, else the count.
fn count(g: &LayerGroup) -> String {
    if g.count == 0 {
        "all".to_string()
    } else {
        g.count.to_string()
    }
}

/// Each non-empty list under its title, one line per entry.
fn push_lists<const N: usize>(out: &mut String, lists: [(&str, &Vec<String>); N]) {
    for (title, lines) in lists {
        if !lines.is_empty() {
            out.push_str(&format!("\n{title}:\n"));
            for l in lines {
                out.push_str(&format!("- {l}\n"));
            }
        }
    }
}

/// The reading of a model none of whose layers rotates: what each kind of layer does instead.
fn layered(l: &Layered) -> String {
    let mut t = Table::new(["layer kind", "layers", "mixer", "positions", "from"]);
    for g in &l.layers {
        t.row([
            g.layer_type.clone(),
            count(g),
            g.mixer.name().into(),
            "none".into(),
            g.source.clone(),
        ]);
    }
    let what = if l.attends() {
        "no layer rotates; the attention layers see no position (NoPE), and only the recurrent layers (state-space, convolution) read the tokens in order"
    } else {
        "no attention, no position encoding (in this book's sense): the layers read the tokens in order"
    };
    let mut out = format!("model_type {}: {what}\n\n{t}", l.model_type);
    push_lists(&mut out, [("notes", &l.notes), ("warnings", &l.warnings)]);
    out
}
