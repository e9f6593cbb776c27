//! M-RoPE's position ids for a sequence that mixes text, images and video, computed as Hugging
//! Face transformers' `get_rope_index` computes them (Qwen2-VL, Qwen2.5-VL and Qwen3-VL model
//! files), in two releases that differ:
//!
//! - **5.24.0** (`get_rope_index` and `get_vision_position_ids` in `modeling_qwen2_vl.py`,
//!   `modeling_qwen2_5_vl.py`, `modeling_qwen3_vl.py`): text after an image or video continues at
//!   the block's start plus `max(h, w) / merge`, the *spatial* extent, whatever its time ids
//!   reached (so since 5.3.0); Qwen2.5-VL's time step is `tokens_per_second · second_per_grid` in
//!   `float32` (since pull request huggingface/transformers#48669, September 2026).
//! - **4.57.1** (the same functions before the 5.3.0 rewrite): text continues at the largest id of
//!   the block plus one, as Qwen2-VL's paper says (Section 2.1: "incrementing the maximum position
//!   ID of the preceding modality by one"), and so through 5.2.0; Qwen2.5-VL's `second_per_grid`
//!   is first cast to the integer type of `arange`, so 0.5 s becomes 0 (5.3.0 to 5.6.0 truncate
//!   it too, with `int(...)`, beside the new text rule: a combination not modelled here).
//!
//! The two agree on text, on images, and on videos whose time ids stay below their spatial
//! extent; the test `releases_agree_where_time_stays_inside_the_frame` holds them to that.

use std::fmt;
use std::str::FromStr;

use errors::bad;

use crate::Error;

/// One run of tokens of one kind. Image and video sizes are patch grids before merging, as
/// `image_grid_thw` and `video_grid_thw` give them: the language model sees
/// `t × (h / merge) × (w / merge)` tokens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Segment {
    /// `n` text tokens.
    Text(usize),
    /// An image of `h × w` patches.
    Image {
        /// Patch rows.
        h: usize,
        /// Patch columns.
        w: usize,
    },
    /// A video of `t` temporal patches of `h × w` patches each.
    Video {
        /// Temporal patches (frames / temporal_patch_size).
        t: usize,
        /// Patch rows.
        h: usize,
        /// Patch columns.
        w: usize,
    },
}

impl fmt::Display for Segment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Segment::Text(n) => write!(f, "text:{n}"),
            Segment::Image { h, w } => write!(f, "image:{h}x{w}"),
            Segment::Video { t, h, w } => write!(f, "video:{t}x{h}x{w}"),
        }
    }
}

impl FromStr for Segment {
    type Err = String;

    /// `text:N`, `image:HxW` or `video:TxHxW`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let fail = || format!("expected text:N, image:HxW or video:TxHxW, got `{s}`");
        let (kind, size) = s.split_once(':').ok_or_else(fail)?;
        let n: Vec<usize> = size
            .split('x')
            .map(|p| p.trim().parse())
            .collect::<Result<_, _>>()
            .map_err(|_| fail())?;
        match (kind.trim(), n.as_slice()) {
            ("text", &[n]) => Ok(Segment::Text(n)),
            ("image", &[h, w]) => Ok(Segment::Image { h, w }),
            ("video", &[t, h, w]) => Ok(Segment::Video { t, h, w }),
            _ => Err(fail()),
        }
    }
}

/// The model family: how a video's time axis becomes position ids.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Model {
    /// Qwen2-VL: temporal patch `k` has time id `k`.
    Qwen2Vl,
    /// Qwen2.5-VL: temporal patch `k` has time id `⌊k · tokens_per_second · second_per_grid⌋`,
    /// absolute time (`second_per_grid = temporal_patch_size / fps`, from the processor).
    Qwen25Vl {
        /// `vision_config.tokens_per_second`: time ids per second of video.
        tokens_per_second: u32,
        /// `second_per_grid_ts`: seconds per temporal patch.
        second_per_grid: f32,
    },
    /// Qwen3-VL: every temporal patch is its own block with `t = 1`, after a timestamp written in
    /// text (`<0.5 seconds>` and the vision start token, `timestamp_tokens` text tokens).
    Qwen3Vl {
        /// Text tokens in front of each frame.
        timestamp_tokens: usize,
    },
}

/// The transformers release whose `get_rope_index` to follow.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Release {
    /// 4.57.1: text continues after the largest id (through 5.2.0); integer seconds per grid.
    V4_57,
    /// 5.24.0: text continues after the spatial extent (since 5.3.0); `float32` time step.
    V5_24,
}

impl FromStr for Release {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "4.57.1" => Ok(Release::V4_57),
            "5.24.0" => Ok(Release::V5_24),
            _ => Err(format!("expected 4.57.1 or 5.24.0, got `{s}`")),
        }
    }
}

/// The kind of one token, for tables and figures.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A text token.
    Text,
    /// An image token.
    Image,
    /// A video token.
    Video,
}

/// The settings `get_rope_index` reads besides the sequence.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Setup {
    /// The model family.
    pub model: Model,
    /// The release followed.
    pub release: Release,
    /// `spatial_merge_size`: patches merged per side into one token (2 in every Qwen-VL).
    pub merge: usize,
    /// Ids must stay below this (`max_position_embeddings`). The guard is this crate's own:
    /// `get_rope_index` checks no limit.
    pub limit: u64,
}

/// The most tokens a sequence may have here: 2^20.
pub const MAX_TOKENS: usize = 1 << 20;

/// Position ids `[t, h, w]` and the kind of every token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ids {
    /// One `[t, h, w]` per token.
    pub ids: Vec<[u64; 3]>,
    /// One kind per token.
    pub kinds: Vec<Kind>,
}

impl Ids {
    /// `mrope_position_deltas`: the largest id plus one, minus the number of tokens. Generation
    /// continues from `position + delta`.
    ///
    /// ```
    /// use grid::positions::{Ids, Kind};
    /// let ids = Ids { ids: vec![[0, 0, 0], [1, 1, 2]], kinds: vec![Kind::Image; 2] };
    /// assert_eq!(ids.delta(), 1);
    /// ```
    pub fn delta(&self) -> i64 {
        let max = self.ids.iter().flatten().max().map_or(0, |&m| m as i64 + 1);
        max - self.ids.len() as i64
    }
}

/// A vision block as `get_rope_index` sees it: `t × h × w` tokens (after merging) with a time
/// step rule.
#[derive(Debug, Clone, Copy)]
struct Block {
    t: usize,
    h: usize,
    w: usize,
    kind: Kind,
    /// The raw (unmerged) `max(h, w)`, for the 5.24.0 advance.
    raw_side: usize,
}

fn check(segments: &[Segment], setup: &Setup) -> Result<(), Error> {
    if setup.merge == 0 {
        return Err(bad("spatial_merge_size", 0, "it must be at least 1"));
    }
    if setup.limit == 0 || setup.limit > 1 << 53 {
        return Err(bad(
            "max_position_embeddings",
            setup.limit,
            "it must be between 1 and 2^53",
        ));
    }
    if segments.is_empty() {
        return Err(Error::Empty { what: "segments" });
    }
    match setup.model {
        Model::Qwen25Vl {
            tokens_per_second,
            second_per_grid,
        } => {
            if tokens_per_second == 0 {
                return Err(bad("tokens_per_second", 0, "it must be at least 1"));
            }
            if !(second_per_grid.is_finite() && second_per_grid > 0.0) {
                return Err(bad(
                    "second_per_grid",
                    second_per_grid,
                    "it must be a finite number above 0 (temporal_patch_size / fps)",
                ));
            }
        }
        Model::Qwen3Vl {
            timestamp_tokens: 0,
        } => {
            return Err(bad(
                "timestamp_tokens",
                0,
                "each Qwen3-VL frame follows at least one text token (its timestamp)",
            ));
        }
        _ => {}
    }
    for s in segments {
        let (t, h, w) = match *s {
            Segment::Text(0) => {
                return Err(bad("segment", s, "a text run needs at least one token"));
            }
            Segment::Text(_) => continue,
            Segment::Image { h, w } => (1, h, w),
            Segment::Video { t, h, w } => (t, h, w),
        };
        if t == 0 || h == 0 || w == 0 {
            return Err(bad(
                "segment",
                s,
                "an image or video grid has no side of size 0",
            ));
        }
        if !(h.is_multiple_of(setup.merge) && w.is_multiple_of(setup.merge)) {
            return Err(bad(
                "segment",
                s,
                format!(
                    "its height and width must be multiples of spatial_merge_size = {}",
                    setup.merge
                ),
            ));
        }
    }
    for pair in segments.windows(2) {
        if !matches!(pair[0], Segment::Text(_)) && !matches!(pair[1], Segment::Text(_)) {
            return Err(bad(
                "segment",
                pair[1],
                format!(
                    "it follows {} with no text between (real prompts put the vision start and \
                     end tokens there; get_rope_index would read the two as one run)",
                    pair[0]
                ),
            ));
        }
    }
    Ok(())
}

/// The sequence as `get_rope_index` walks it: text runs and vision blocks, Qwen3-VL's videos
/// split into frames after their timestamps.
fn runs(segments: &[Segment], setup: &Setup) -> Vec<Result<usize, Block>> {
    let m = setup.merge;
    let block = |t, h: usize, w: usize, kind| Block {
        t,
        h: h / m,
        w: w / m,
        kind,
        raw_side: h.max(w),
    };
    let mut out = Vec::new();
    for s in segments {
        match (*s, setup.model) {
            (Segment::Text(n), _) => out.push(Ok(n)),
            (Segment::Image { h, w }, _) => out.push(Err(block(1, h, w, Kind::Image))),
            (Segment::Video { t, h, w }, Model::Qwen3Vl { timestamp_tokens }) => {
                for _ in 0..t {
                    out.push(Ok(timestamp_tokens));
                    out.push(Err(block(1, h, w, Kind::Video)));
                }
            }
            (Segment::Video { t, h, w }, _) => out.push(Err(block(t, h, w, Kind::Video))),
        }
    }
    out
}

// ANCHOR: time
/// The time id of temporal patch `k` of a block (before the block's start is added).
fn time_id(k: usize, kind: Kind, setup: &Setup) -> u64 {
    match (setup.model, kind, setup.release) {
        (
            Model::Qwen25Vl {
                tokens_per_second,
                second_per_grid,
            },
            Kind::Video,
            Release::V5_24,
        ) => {
            // time_interval = tokens_per_second * second_per_grid_ts[i]: a float32 scalar; then
            // (arange(t) * time_interval).long() truncates a float32 product.
            let interval = tokens_per_second as f32 * second_per_grid;
            (k as f32 * interval) as u64
        }
        (
            Model::Qwen25Vl {
                tokens_per_second,
                second_per_grid,
            },
            Kind::Video,
            Release::V4_57,
        ) => {
            // torch.as_tensor(second_per_grid_t, dtype=int64): the seconds truncated first.
            (k as u64)
                .saturating_mul(second_per_grid as u64)
                .saturating_mul(u64::from(tokens_per_second))
        }
        _ => k as u64,
    }
}
// ANCHOR_END: time

/// The `[t, h, w]` position id of every token of `segments`.
///
/// Text tokens get the same id in all three components, counting on from where the previous
/// run left off. A vision block starting at `s` gives the token at temporal patch `k`, row `r`
/// and column `c` the ids `(s + time(k), s + r, s + c)`, in the order `k`, then `r`, then `c`.
/// The next run starts at `s + max(h, w) / merge` (5.24.0) or one past the block's largest id
/// (4.57.1).
///
/// # Errors
/// An empty sequence, a text run of 0 tokens, a grid with a side of 0 or not a multiple of
/// `merge`, two vision runs with no text between, a Qwen2.5-VL time step that is not positive,
/// a Qwen3-VL frame with no timestamp, more than [`MAX_TOKENS`] tokens, or an id at or past
/// `setup.limit`.
///
/// ```
/// use grid::positions::{Model, Release, Segment, Setup, position_ids};
/// let setup = Setup { model: Model::Qwen2Vl, release: Release::V5_24, merge: 2, limit: 32768 };
/// let seq = [Segment::Text(2), Segment::Image { h: 4, w: 6 }, Segment::Text(1)];
/// let ids = position_ids(&seq, &setup)?.ids;
/// assert_eq!(ids[..3], [[0, 0, 0], [1, 1, 1], [2, 2, 2]]); // text, then the image's first row
/// assert_eq!(ids[7], [2, 3, 4]); // the image's last token: row 1, column 2
/// assert_eq!(ids[8], [5, 5, 5]); // text resumes at 2 + max(2, 3)
/// # Ok::<(), grid::Error>(())
/// ```
pub fn position_ids(segments: &[Segment], setup: &Setup) -> Result<Ids, Error> {
    check(segments, setup)?;
    let runs = runs(segments, setup);
    let total: usize = runs
        .iter()
        .map(|r| match r {
            Ok(n) => *n,
            Err(b) => b.t.saturating_mul(b.h).saturating_mul(b.w),
        })
        .fold(0usize, usize::saturating_add);
    if total > MAX_TOKENS {
        return Err(bad(
            "sequence length",
            total,
            "it must be at most 2^20 tokens",
        ));
    }
    let (mut ids, mut kinds) = (Vec::with_capacity(total), Vec::with_capacity(total));
    let mut next: u64 = 0; // where the next run starts
    for run in runs {
        let largest = match run {
            Ok(n) => {
                ids.extend((0..n as u64).map(|i| [next + i; 3]));
                kinds.extend(std::iter::repeat_n(Kind::Text, n));
                next += n as u64;
                next - 1
            }
            // ANCHOR: block
            Err(b) => {
                let s = next;
                let mut largest = s;
                for k in 0..b.t {
                    let t = s.saturating_add(time_id(k, b.kind, setup));
                    for r in 0..b.h as u64 {
                        for c in 0..b.w as u64 {
                            ids.push([t, s + r, s + c]); // [3]: one token
                            largest = largest.max(t).max(s + r).max(s + c);
                        }
                    }
                }
                kinds.extend(std::iter::repeat_n(b.kind, b.t * b.h * b.w));
                next = match setup.release {
                    Release::V5_24 => s + (b.raw_side / setup.merge) as u64,
                    Release::V4_57 => largest.saturating_add(1),
                };
                largest
            } // ANCHOR_END: block
        };
        if largest >= setup.limit {
            return Err(bad(
                "position id",
                largest,
                format!(
                    "it must stay below max_position_embeddings = {}",
                    setup.limit
                ),
            ));
        }
    }
    Ok(Ids { ids, kinds })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn setup(model: Model, release: Release) -> Setup {
        Setup {
            model,
            release,
            merge: 2,
            limit: 1 << 20,
        }
    }

    #[test]
    fn segments_parse_and_print() {
        for text in ["text:3", "image:4x6", "video:3x4x4"] {
            assert_eq!(text.parse::<Segment>().unwrap().to_string(), text);
        }
        for bad in [
            "text",
            "text:3x2",
            "image:4",
            "video:1x2",
            "audio:3",
            "image:ax2",
        ] {
            assert!(bad.parse::<Segment>().is_err(), "{bad}");
        }
        assert_eq!("4.57.1".parse::<Release>(), Ok(Release::V4_57));
        assert_eq!("5.24.0".parse::<Release>(), Ok(Release::V5_24));
        assert!("5.0".parse::<Release>().is_err());
    }

    #[test]
    fn bad_sequences_are_refused_with_their_rule() {
        let s = setup(Model::Qwen2Vl, Release::V5_24);
        let msg = |seq: &[Segment], s: &Setup| position_ids(seq, s).unwrap_err().to_string();
        let img = |h, w| Segment::Image { h, w };
        assert!(msg(&[], &s).contains("`segments` is empty"));
        assert!(msg(&[Segment::Text(0)], &s).contains("at least one token"));
        assert!(msg(&[img(0, 2)], &s).contains("no side of size 0"));
        assert!(msg(&[img(2, 0)], &s).contains("no side of size 0"));
        let v = Segment::Video { t: 0, h: 2, w: 2 };
        assert!(msg(&[v], &s).contains("no side of size 0"));
        assert!(msg(&[img(3, 2)], &s).contains("multiples of spatial_merge_size = 2"));
        assert!(msg(&[img(2, 3)], &s).contains("multiples of spatial_merge_size = 2"));
        let e = msg(&[img(2, 2), img(2, 2)], &s);
        assert!(e.contains("follows image:2x2 with no text between"), "{e}");
        assert!(position_ids(&[img(2, 2), Segment::Text(1), img(2, 2)], &s).is_ok());
        assert!(position_ids(&[Segment::Text(1), Segment::Text(1)], &s).is_ok());
        let e = msg(&[Segment::Text(41)], &Setup { limit: 40, ..s });
        assert_eq!(
            e,
            "position id = 40 is not allowed: it must stay below max_position_embeddings = 40"
        );
        assert!(position_ids(&[Segment::Text(40)], &Setup { limit: 40, ..s }).is_ok());
        // A block's largest id counts too: 1 text token, then 2 × 2 tokens with ids up to 2.
        let seq = [Segment::Text(1), img(4, 4)];
        assert!(msg(&seq, &Setup { limit: 2, ..s }).starts_with("position id = 2 "));
        assert!(position_ids(&seq, &Setup { limit: 3, ..s }).is_ok());
        assert!(msg(&[Segment::Text(1)], &Setup { limit: 0, ..s }).contains("max_position"));
        assert!(
            msg(
                &[Segment::Text(1)],
                &Setup {
                    limit: (1 << 53) + 1,
                    ..s
                }
            )
            .contains("2^53")
        );
        assert!(
            position_ids(
                &[Segment::Text(1)],
                &Setup {
                    limit: 1 << 53,
                    ..s
                }
            )
            .is_ok()
        );
        assert!(
            msg(&[Segment::Text(1)], &Setup { merge: 0, ..s }).contains("spatial_merge_size = 0")
        );
        let e = msg(&[Segment::Text(MAX_TOKENS + 1)], &s);
        assert!(e.starts_with("sequence length = 1048577"), "{e}");
        assert!(position_ids(&[Segment::Text(MAX_TOKENS)], &s).is_ok());
        let big = Segment::Video {
            t: 1 << 40,
            h: 1 << 12,
            w: 1 << 12,
        };
        assert!(msg(&[big], &s).starts_with("sequence length"));
        let q25 = |tokens_per_second, second_per_grid| {
            setup(
                Model::Qwen25Vl {
                    tokens_per_second,
                    second_per_grid,
                },
                Release::V5_24,
            )
        };
        assert!(msg(&[Segment::Text(1)], &q25(0, 1.0)).contains("tokens_per_second = 0"));
        assert!(msg(&[Segment::Text(1)], &q25(2, 0.0)).contains("second_per_grid = 0"));
        assert!(msg(&[Segment::Text(1)], &q25(2, f32::NAN)).contains("second_per_grid = NaN"));
        let q3 = setup(
            Model::Qwen3Vl {
                timestamp_tokens: 0,
            },
            Release::V5_24,
        );
        assert!(msg(&[Segment::Text(1)], &q3).contains("timestamp_tokens = 0"));
    }

    #[test]
    fn a_video_in_each_release() {
        // 3 temporal patches of 2 × 2 tokens after 1 text token; then 1 text token.
        let seq = [
            Segment::Text(1),
            Segment::Video { t: 3, h: 4, w: 4 },
            Segment::Text(1),
        ];
        let v5 = position_ids(&seq, &setup(Model::Qwen2Vl, Release::V5_24)).unwrap();
        let v4 = position_ids(&seq, &setup(Model::Qwen2Vl, Release::V4_57)).unwrap();
        assert_eq!(v5.ids[12], [3, 2, 2]); // last video token: frame 2, row 1, column 1
        assert_eq!(v5.ids[13], [3, 3, 3]); // 1 + max(4, 4) / 2: the last frame's time id again
        assert_eq!(v4.ids[13], [4, 4, 4]); // one past the largest id, 3
        assert_eq!((v5.delta(), v4.delta()), (4 - 14, 5 - 14));
        assert_eq!(v5.kinds[0], Kind::Text);
        assert_eq!(v5.kinds[1], Kind::Video);
        // Qwen2.5-VL, 0.5 s per temporal patch at 4 time ids per second: a step of 2 in 5.24.0,
        // 0 in 4.57.1 (0.5 truncated to 0 first).
        let m = Model::Qwen25Vl {
            tokens_per_second: 4,
            second_per_grid: 0.5,
        };
        let v5 = position_ids(&seq, &setup(m, Release::V5_24)).unwrap();
        let v4 = position_ids(&seq, &setup(m, Release::V4_57)).unwrap();
        let times = |ids: &Ids| [1, 5, 9].map(|i| ids.ids[i][0]);
        assert_eq!(times(&v5), [1, 3, 5]);
        assert_eq!(times(&v4), [1, 1, 1]);
        // Qwen3-VL: three frames, each after 2 timestamp tokens, all with time id = its start.
        let m = Model::Qwen3Vl {
            timestamp_tokens: 2,
        };
        let v5 = position_ids(&seq, &setup(m, Release::V5_24)).unwrap();
        assert_eq!(v5.ids.len(), 1 + 3 * (2 + 4) + 1);
        assert_eq!(v5.ids[3], [3, 3, 3]); // first frame's first token
        assert_eq!(v5.ids[9], [7, 7, 7]); // second frame: 3 + 2 + 2 timestamp tokens
        assert_eq!(v5.kinds[1], Kind::Text);
    }
}
