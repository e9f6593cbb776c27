//! What a model without RoPE uses instead, keyed on `model_type` (and Falcon's `alibi`), as
//! Hugging Face transformers 5.24.0's modeling code builds it. A minimal reader: it names the
//! encoding and its size, nothing more.
//!
//! - learned absolute table: `gpt2` and `gpt_bigcode` (`GPT2Model.__init__` /
//!   `GPTBigCodeModel.__init__`, `wpe = nn.Embedding(config.max_position_embeddings, …)`, where
//!   the config's `attribute_map` maps `max_position_embeddings` to the key `n_positions`),
//!   `bert` (`BertEmbeddings.__init__`, `nn.Embedding(config.max_position_embeddings, …)`; 5.24.0
//!   reads no `position_embedding_type`, so a value other than `absolute` is refused rather than
//!   read as a table the model was not trained with), `roberta` (`RobertaEmbeddings`: the same
//!   table, with positions counted from `pad_token_id + 1`, so `max_position_embeddings −
//!   pad_token_id − 1` usable positions; `RobertaConfig`'s `pad_token_id` defaults to 1), `opt`
//!   (`OPTLearnedPositionalEmbedding`, `max_position_embeddings` rows plus an offset of 2);
//! - T5's bucketed relative bias: `t5` (`T5Config.relative_attention_num_buckets`, default 32,
//!   and `relative_attention_max_distance`, default 128; `T5Attention.__init__` learns
//!   `nn.Embedding(relative_attention_num_buckets, n_heads)` in the first block of the encoder
//!   stack and of the decoder stack, `has_relative_attention_bias=bool(i == 0)` in `T5Stack`);
//! - ALiBi: `bloom` (`build_alibi_tensor` in `modeling_bloom.py`), `mpt` (`MptModel.forward`
//!   always adds `build_mpt_alibi_tensor`), and `falcon` when its `alibi` key is true
//!   (`FalconModel.__init__`, `self.use_alibi = config.alibi`; rotary otherwise).

use serde_json::Value;

use super::{Layered, ModelRope, Obj};
use crate::Result;

/// How a model encodes positions.
#[derive(Debug, Clone, PartialEq)]
#[expect(
    clippy::large_enum_variant,
    reason = "one value per config read; boxing would change every match on Positions::Rope"
)]
pub enum Positions {
    /// Rotary embeddings, read in full.
    Rope(ModelRope),
    /// No layer encodes positions: an attention-free model (Mamba, Falcon Mamba, Mamba-2) or a hybrid whose
    /// attention layers see no position (Jamba, Nemotron-H), read per kind of layer.
    NoEncoding(Layered),
    /// A learned table of absolute positions with `positions` rows.
    Learned {
        /// The config's `model_type`.
        model_type: String,
        /// The table's length: `n_positions` (GPT-2) or `max_position_embeddings`.
        positions: usize,
        /// Rows the table holds beyond `positions` (OPT's offset of 2).
        offset: usize,
        /// The width of each row: `n_embd` (GPT-2) or `hidden_size`.
        width: usize,
    },
    /// T5's learned bias per relative-distance bucket.
    T5Buckets {
        /// The config's `model_type`.
        model_type: String,
        /// `relative_attention_num_buckets`.
        buckets: usize,
        /// `relative_attention_max_distance`.
        max_distance: usize,
        /// `num_heads`: each bucket holds one bias per head.
        heads: usize,
    },
    /// ALiBi's fixed linear biases.
    Alibi {
        /// The config's `model_type`.
        model_type: String,
    },
}

impl Positions {
    /// The config's `model_type` (empty when a RoPE config gives none).
    pub fn model_type(&self) -> &str {
        match self {
            Positions::Rope(m) => &m.model_type,
            Positions::NoEncoding(l) => &l.model_type,
            Positions::Learned { model_type, .. }
            | Positions::T5Buckets { model_type, .. }
            | Positions::Alibi { model_type } => model_type,
        }
    }

    /// A short description: "RoPE", "a learned absolute table of 1024 positions", …
    ///
    /// ```
    /// use scaling::config::Positions;
    /// let t5 = Positions::T5Buckets {
    ///     model_type: "t5".into(), buckets: 32, max_distance: 128, heads: 8,
    /// };
    /// assert_eq!(t5.describe(), "T5's relative buckets (32 buckets up to distance 128)");
    /// assert_eq!(t5.learned_parameters(), 512); // 32 × 8, in the encoder and in the decoder
    /// ```
    pub fn describe(&self) -> String {
        match self {
            Positions::Rope(_) => "RoPE".into(),
            Positions::NoEncoding(l) if !l.attends() => "no attention, no position encoding".into(),
            Positions::NoEncoding(_) => {
                "no position encoding: its attention layers see none".into()
            }
            Positions::Learned { positions, .. } => {
                format!("a learned absolute table of {positions} positions")
            }
            Positions::T5Buckets {
                buckets,
                max_distance,
                ..
            } => format!("T5's relative buckets ({buckets} buckets up to distance {max_distance})"),
            Positions::Alibi { .. } => "ALiBi (fixed linear biases)".into(),
        }
    }

    /// How many learned parameters encode positions: the table's rows × width, T5's buckets ×
    /// heads in its two stacks, and none for RoPE and ALiBi, which are fixed functions of the
    /// position.
    pub fn learned_parameters(&self) -> usize {
        match self {
            Positions::Rope(_) | Positions::NoEncoding(_) | Positions::Alibi { .. } => 0,
            Positions::Learned {
                positions,
                offset,
                width,
                ..
            } => positions.saturating_add(*offset).saturating_mul(*width),
            Positions::T5Buckets { buckets, heads, .. } => {
                buckets.saturating_mul(*heads).saturating_mul(2)
            }
        }
    }
}

/// Keys that only a RoPE config has: without a `model_type`, a config must name one of them to be
/// read as RoPE (a BERT-era config without `model_type` would otherwise read as RoPE with the
/// default base).
const ROPE_KEYS: [&str; 9] = [
    "rope_theta",
    "rope_scaling",
    "rope_parameters",
    "partial_rotary_factor",
    "head_dim",
    "qk_rope_head_dim",
    "rotary_pct",
    "rotary_emb_base",
    "rotary_dim",
];

/// The encoding of a model the RoPE reader does not apply to, or `None` for a RoPE model.
pub(super) fn not_rope(top: Obj<'_>) -> Result<Option<Positions>> {
    let model_type = match top.get("model_type") {
        Some(Value::String(s)) => s.as_str(),
        // (A `model_type` that is not a string was refused by `read` already.)
        _ if ROPE_KEYS.iter().any(|k| top.has(k)) => return Ok(None),
        _ => {
            return Err(top.missing(
                "model_type",
                "nothing in this config says how it encodes positions: it names no RoPE key \
                 (rope_theta, rope_scaling, rope_parameters, head_dim, partial_rotary_factor, …), \
                 and transformers' AutoConfig needs `model_type` too",
            ));
        }
    };
    let owned = || model_type.to_string();
    let need = |k: &str, why: &str| top.require(top.usize(k)?, k, why);
    let rows = "a learned absolute table has one row per position";
    let wide = "a learned absolute table has one column per model dimension";
    Ok(Some(match model_type {
        "gpt2" | "gpt_bigcode" => Positions::Learned {
            model_type: owned(),
            positions: need("n_positions", rows)?,
            offset: 0,
            width: need("n_embd", wide)?,
        },
        "bert" | "roberta"
            if top
                .get("position_embedding_type")
                .is_some_and(|v| v != "absolute" && !v.is_null()) =>
        {
            return Err(errors::key(
                "position_embedding_type",
                top.get("position_embedding_type").unwrap_or(&Value::Null),
                "transformers 5.24.0 reads no relative variant: it would build an absolute table the model was not trained with",
            ));
        }
        "roberta" => {
            let pad = top.usize("pad_token_id")?.unwrap_or(1);
            let rows = need("max_position_embeddings", rows)?;
            if rows <= pad + 1 {
                return Err(errors::key(
                    "max_position_embeddings",
                    rows,
                    "RoBERTa counts positions from pad_token_id + 1: it must exceed that",
                ));
            }
            Positions::Learned {
                model_type: owned(),
                positions: rows - pad - 1,
                offset: pad + 1,
                width: need("hidden_size", wide)?,
            }
        }
        "bert" | "opt" => Positions::Learned {
            model_type: owned(),
            positions: need("max_position_embeddings", rows)?,
            offset: if model_type == "opt" { 2 } else { 0 },
            width: need("hidden_size", wide)?,
        },
        "t5" => Positions::T5Buckets {
            model_type: owned(),
            buckets: top.usize("relative_attention_num_buckets")?.unwrap_or(32),
            max_distance: top.usize("relative_attention_max_distance")?.unwrap_or(128),
            heads: need("num_heads", "T5 learns one bias per bucket and head")?,
        },
        "bloom" | "mpt" => Positions::Alibi {
            model_type: owned(),
        },
        "falcon" if top.get("alibi") == Some(&Value::Bool(true)) => Positions::Alibi {
            model_type: owned(),
        },
        _ => return Ok(None),
    }))
}
