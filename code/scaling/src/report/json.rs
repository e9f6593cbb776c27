//! The inspector's reading as one JSON object, for scripts: the same values as [`super::reading`].

use serde_json::{Value, json};

use crate::Result;
use crate::config::{LayerGroup, Positions};

/// The reading of `p` at `seq_len` tokens (default `max_position_embeddings`) as JSON: the
/// model type, the encoding, and every kind of layer with its count, mixer and, where it rotates,
/// its width, base, scheme, cos/sin factor, softmax factor and every frequency before and after
/// scaling; then the extras, notes and warnings. Non-finite numbers, which JSON cannot hold,
/// are `null`.
///
/// # Errors
/// Bad parameters in a RoPE layer.
///
/// ```
/// let p = scaling::config::read(r#"{"model_type": "llama", "head_dim": 4,
///     "max_position_embeddings": 2048, "num_hidden_layers": 2}"#)?;
/// let v = scaling::report::json(&p, None)?;
/// assert_eq!(v["encoding"], "RoPE");
/// assert_eq!(v["layers"][0]["count"], 2);
/// assert_eq!(v["layers"][0]["rope"]["rotary_dims"], 4);
/// assert_eq!(v["layers"][0]["rope"]["inv_freq"][1], 0.01);
/// let m = scaling::config::read(r#"{"model_type": "mamba", "num_hidden_layers": 2}"#)?;
/// let v = scaling::report::json(&m, None)?;
/// assert_eq!(v["encoding"], "no attention, no position encoding");
/// assert_eq!(v["layers"][0]["mixer"], "state-space");
/// assert!(v["layers"][0]["rope"].is_null());
/// # Ok::<(), scaling::Error>(())
/// ```
pub fn json(p: &Positions, seq_len: Option<usize>) -> Result<Value> {
    let mut out = json!({
        "model_type": p.model_type(),
        "encoding": p.describe(),
        "learned_position_parameters": p.learned_parameters(),
    });
    let (layers, lists, max_pos) = match p {
        Positions::Rope(m) => (
            &m.layers,
            vec![
                ("extras", &m.extras),
                ("notes", &m.notes),
                ("warnings", &m.warnings),
            ],
            Some(m.base.max_position_embeddings),
        ),
        Positions::NoEncoding(l) => (
            &l.layers,
            vec![("notes", &l.notes), ("warnings", &l.warnings)],
            None,
        ),
        _ => return Ok(out),
    };
    if let Some(max) = max_pos {
        out["max_position_embeddings"] = json!(max);
        out["evaluated_at"] = json!(seq_len.unwrap_or(max));
    }
    let seq = seq_len.or(max_pos).unwrap_or(1);
    out["layers"] = layers
        .iter()
        .map(|g| layer(g, seq))
        .collect::<Result<Vec<_>>>()?
        .into();
    for (k, v) in lists {
        out[k] = json!(v);
    }
    Ok(out)
}

/// One kind of layer.
fn layer(g: &LayerGroup, seq: usize) -> Result<Value> {
    let rope = match &g.rope {
        None => Value::Null,
        Some(r) => {
            let scaled = crate::compute(&r.base, &r.scheme, seq)?;
            json!({
                "rotary_dims": r.base.dim,
                "head_dim": r.logits.d_head,
                "rope_theta": r.base.theta,
                "scheme": r.scheme.name(),
                "cell": super::models::scheme_cell(&r.base, &r.scheme, seq),
                "cos_sin_factor": scaled.attention_factor,
                "softmax_factor": r.logits.softmax_factor,
                "inv_freq": r.base.inv_freq(),
                "scaled_inv_freq": scaled.inv_freq,
            })
        }
    };
    Ok(json!({
        "layer_type": g.layer_type,
        "count": g.count,
        "mixer": g.mixer.name(),
        "rope": rope,
        "from": g.source,
    }))
}
