//! Prints the M-RoPE position ids `(t, h, w)` of a sequence mixing text, images and video, as
//! Hugging Face transformers' `get_rope_index` computes them, and which rotary frequencies read
//! each component.
//!
//! ```text
//! cargo run -p grid --example mrope -- --grid 4x6 --mrope-section 16,24,24
//! cargo run -p grid --example mrope -- --sequence text:3,image:4x6,text:2,video:3x4x4,text:2
//! cargo run -p grid --example mrope -- --sequence text:1,video:4x4x4,text:1 --model qwen2.5-vl \
//!     --second-per-grid 0.5 --release 4.57.1
//! ```

use std::process::ExitCode;

use clap::Parser;
use grid::mrope::{Mrope, Sections, parse_section};
use grid::positions::{Model, Release, Segment, Setup, position_ids};
use grid::{Grid, report};

/// Prints the M-RoPE position ids of a mixed text/image/video sequence.
#[derive(Parser)]
#[command(name = "mrope")]
struct Args {
    /// The runs of the sequence, in order: text:N, image:HxW or video:TxHxW (image and video
    /// sizes in patches before merging, as image_grid_thw gives them).
    // Spelled `::std::vec::Vec` so that clap's derive reads one comma list, not a repeated flag.
    #[arg(long, value_name = "RUN,RUN,...", value_parser = bookkit::cli::list::<Segment>,
          conflicts_with = "grid")]
    sequence: Option<::std::vec::Vec<Segment>>,
    /// Instead of --sequence: one image of ROWSxCOLS tokens (after merging) between two text
    /// tokens on each side.
    #[arg(long, value_name = "ROWSxCOLS", value_parser = str::parse::<Grid>)]
    grid: Option<Grid>,
    /// How many of the head's rotary frequencies read t, h and w; they must add up to
    /// head_dim / 2 (default: the model's, 16,24,24 for Qwen2-VL and Qwen2.5-VL, 24,20,20 for
    /// Qwen3-VL).
    #[arg(long, value_name = "T,H,W", value_parser = parse_section)]
    mrope_section: Option<[usize; 3]>,
    /// The head width (Qwen2-VL and Qwen3-VL: 128).
    #[arg(long, value_name = "D", default_value_t = 128,
          value_parser = clap::value_parser!(u32).range(2..=4096))]
    head_dim: u32,
    /// How the sections lie over the frequencies (default: the model's, chunked for Qwen2-VL and
    /// Qwen2.5-VL, interleaved for Qwen3-VL).
    #[arg(long, value_name = "chunked|interleaved", value_parser = str::parse::<Sections>)]
    layout: Option<Sections>,
    /// The model family: qwen2-vl, qwen2.5-vl or qwen3-vl.
    #[arg(long, value_name = "NAME", default_value = "qwen2-vl",
          value_parser = ["qwen2-vl", "qwen2.5-vl", "qwen3-vl"])]
    model: String,
    /// Qwen2.5-VL: time ids per second of video (vision_config.tokens_per_second).
    #[arg(long, value_name = "N", default_value_t = 2,
          value_parser = clap::value_parser!(u32).range(1..=1000))]
    tokens_per_second: u32,
    /// Qwen2.5-VL: seconds per temporal patch (temporal_patch_size / fps).
    #[arg(long, value_name = "S", default_value_t = 1.0)]
    second_per_grid: f32,
    /// Qwen3-VL: text tokens in front of every frame (its timestamp).
    #[arg(long, value_name = "N", default_value_t = 3)]
    timestamp_tokens: usize,
    /// Which transformers release's get_rope_index to follow: 5.24.0 or 4.57.1.
    #[arg(long, value_name = "VERSION", default_value = "5.24.0",
          value_parser = str::parse::<Release>)]
    release: Release,
    /// spatial_merge_size: patches merged per side into one token.
    #[arg(long, value_name = "M", default_value_t = 2)]
    merge: usize,
    /// A limit of this program's own: every id must stay below it (default: the model's
    /// max_position_embeddings: transformers' default for Qwen2-VL, the published config's for
    /// Qwen3-VL; get_rope_index itself checks none).
    #[arg(long, value_name = "N")]
    max_position: Option<u64>,
}

fn run(a: Args) -> Result<String, grid::Error> {
    // Qwen2-VL's: the defaults of transformers 5.24.0's config class (report::QWEN2_VL);
    // Qwen3-VL's: its published config, read by chapter 6's reader (grid::published).
    let (_, base, section, layout, limit) = match a.model.as_str() {
        "qwen3-vl" => grid::published::qwen3_vl()?,
        _ => report::QWEN2_VL,
    };
    let (section, layout) = (
        a.mrope_section.unwrap_or(section),
        a.layout.unwrap_or(layout),
    );
    let mrope = Mrope::new(a.head_dim as usize, base, section, layout)?;
    let model = match a.model.as_str() {
        "qwen2.5-vl" => Model::Qwen25Vl {
            tokens_per_second: a.tokens_per_second,
            second_per_grid: a.second_per_grid,
        },
        "qwen3-vl" => Model::Qwen3Vl {
            timestamp_tokens: a.timestamp_tokens,
        },
        _ => Model::Qwen2Vl,
    };
    let sequence = match (a.sequence, a.grid) {
        (Some(s), _) => s,
        (None, g) => {
            let g = g.unwrap_or(Grid::new(4, 6)?);
            vec![
                Segment::Text(2),
                Segment::Image {
                    h: a.merge.saturating_mul(g.rows()),
                    w: a.merge.saturating_mul(g.cols()),
                },
                Segment::Text(2),
            ]
        }
    };
    let setup = Setup {
        model,
        release: a.release,
        merge: a.merge,
        limit: a.max_position.unwrap_or(limit),
    };
    let ids = position_ids(&sequence, &setup)?;
    let runs: Vec<String> = sequence.iter().map(ToString::to_string).collect();
    Ok(format!(
        "{} ({:?} layout, head_dim {}, mrope_section {:?}):\n{}\nsequence {}\n\n{}",
        a.model,
        layout,
        a.head_dim,
        section,
        report::frequency_axes(&mrope),
        runs.join(", "),
        report::ids_table(&ids)
    ))
}

fn main() -> ExitCode {
    bookkit::cli::run(run)
}
