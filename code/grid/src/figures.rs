//! The chapter's figures.

use bookkit::heatmap::{Frame, KEY_HEIGHT, Key, colour_key, heatmap_with};
use bookkit::{Figure, FigureError, Heatmap, category, diverging, sequential};

use crate::positions::{Kind, Release, Segment, position_ids};
use crate::report::{example_sequence, query_key, qwen2_setup};
use crate::{Axial, Mixed};

/// The image of the position-id figure: `IMAGE_TOKENS` rows × columns of tokens after
/// `TEXT_BEFORE` text tokens (patches are twice as many per side, merged 2 × 2).
pub const IMAGE_TOKENS: (usize, usize) = (4, 6);
/// Text tokens before the image of the position-id figure.
pub const TEXT_BEFORE: usize = 3;
/// Head width of the score figure.
pub const SCORE_DIM: usize = 16;
/// Base of the score figure (rope-vit's axial models use 100).
pub const SCORE_BASE: f64 = 100.0;
/// Largest offset on each axis of the score figure.
pub const SCORE_REACH: i32 = 6;
/// Direction of the first half of RoPE-Mixed's pairs in the score figure, in degrees.
pub const MIXED_DEGREES: f64 = 30.0;

/// Every figure of the chapter.
///
/// # Errors
/// A drawing failure, naming the figure.
pub fn figures() -> Result<Vec<Figure>, FigureError> {
    Ok(vec![image_ids()?, scores()?, layout()?])
}

fn fail(e: crate::Error) -> FigureError {
    FigureError(e.to_string())
}

fn labels(range: impl Iterator<Item = i64>) -> Vec<String> {
    range.map(|i| i.to_string()).collect()
}

/// The `t`, `h` and `w` ids of an image's tokens, each on the image's own grid.
fn image_ids() -> Result<Figure, FigureError> {
    let (rows, cols) = IMAGE_TOKENS;
    let seq = [
        Segment::Text(TEXT_BEFORE),
        Segment::Image {
            h: 2 * rows,
            w: 2 * cols,
        },
    ];
    let ids = position_ids(&seq, &qwen2_setup(Release::V5_24)).map_err(fail)?;
    let image = &ids.ids[TEXT_BEFORE..];
    let (lo, hi) = (TEXT_BEFORE as f64, (TEXT_BEFORE + cols - 1) as f64);
    let titles = [
        format!("t (time) ids: all {TEXT_BEFORE}"),
        "h (row) ids".to_string(),
        "w (column) ids".to_string(),
    ];
    Figure::draw("grid-position-ids", 900, 340, |root| {
        let (grids, strip) = root.split_vertically(340 - KEY_HEIGHT as i32 - 8);
        let key = Key::Scale {
            title: "position id".into(),
            from: 0.0,
            to: 1.0,
            ticks: vec![(0.0, bookkit::fixed(lo, 0)), (1.0, bookkit::fixed(hi, 0))],
        };
        colour_key(&strip, &key, sequential)?;
        let panels = grids.split_evenly((1, 3));
        for (axis, (panel, title)) in panels.iter().zip(&titles).enumerate() {
            let values: Vec<Vec<f64>> = (0..rows)
                .map(|r| {
                    (0..cols)
                        .map(|c| (image[r * cols + c][axis] as f64 - lo) / (hi - lo))
                        .collect()
                })
                .collect();
            let text: Vec<Vec<String>> = (0..rows)
                .map(|r| {
                    (0..cols)
                        .map(|c| image[r * cols + c][axis].to_string())
                        .collect()
                })
                .collect();
            heatmap_with(
                panel,
                &Heatmap {
                    title,
                    values: &values,
                    row_labels: &labels(0..rows as i64),
                    col_labels: &labels(0..cols as i64),
                    color: sequential,
                    annotate: None,
                    cell_text: Some(&text),
                },
                &Frame {
                    x_title: "patch column",
                    y_title: "patch row",
                    key: None,
                },
            )?;
        }
        Ok(())
    })
}

/// The score of a fixed query and key as a function of (Δrow, Δcol), axial and mixed.
fn scores() -> Result<Figure, FigureError> {
    let axial = Axial::new(SCORE_DIM, SCORE_BASE).map_err(fail)?;
    let mixed = Mixed::heo(SCORE_DIM, SCORE_BASE, MIXED_DEGREES.to_radians()).map_err(fail)?;
    let (q, k) = query_key(SCORE_DIM);
    let offsets: Vec<i32> = (-SCORE_REACH..=SCORE_REACH).collect();
    let grid =
        |score: &dyn Fn((f64, f64)) -> crate::Result<f64>| -> Result<Vec<Vec<f64>>, FigureError> {
            offsets
                .iter()
                .map(|&dr| {
                    offsets
                        .iter()
                        .map(|&dc| score((dr as f64, dc as f64)).map_err(fail))
                        .collect()
                })
                .collect()
        };
    let a = grid(&|m| axial.score(q.view(), k.view(), m, (0.0, 0.0)))?;
    let m = grid(&|p| mixed.score(q.view(), k.view(), p, (0.0, 0.0)))?;
    let scale = a
        .iter()
        .chain(&m)
        .flatten()
        .fold(0.0f64, |s, v| s.max(v.abs()));
    let norm = |g: Vec<Vec<f64>>| -> Vec<Vec<f64>> {
        g.into_iter()
            .map(|r| r.into_iter().map(|v| v / scale).collect())
            .collect()
    };
    let (a, m) = (norm(a), norm(m));
    let titles = [
        format!("axial RoPE (d = {SCORE_DIM}, base {SCORE_BASE})"),
        format!(
            "RoPE-Mixed, pairs at {MIXED_DEGREES}° and {}°",
            MIXED_DEGREES + 90.0
        ),
    ];
    let ticks = labels(offsets.iter().map(|&o| o as i64));
    Figure::draw("grid-score", 900, 540, |root| {
        let (grids, strip) = root.split_vertically(540 - KEY_HEIGHT as i32 - 8);
        // The cells hold score / scale; the key is labelled with the score itself.
        let key = Key::Scale {
            title: "score q·k".into(),
            from: -1.0,
            to: 1.0,
            ticks: [-1.0, 0.0, 1.0]
                .map(|t| (t, bookkit::fixed(t * scale, 2)))
                .to_vec(),
        };
        colour_key(&strip, &key, diverging)?;
        let panels = grids.split_evenly((1, 2));
        for ((panel, title), values) in panels.iter().zip(&titles).zip([&a, &m]) {
            heatmap_with(
                panel,
                &Heatmap {
                    title,
                    values,
                    row_labels: &ticks,
                    col_labels: &ticks,
                    color: diverging,
                    annotate: None,
                    cell_text: None,
                },
                &Frame {
                    x_title: "column offset",
                    y_title: "row offset",
                    key: None,
                },
            )?;
        }
        Ok(())
    })
}

/// The position ids of the chapter's mixed sequence in both releases, coloured by kind.
fn layout() -> Result<Figure, FigureError> {
    let seq = example_sequence();
    let text: Vec<String> = seq.iter().map(ToString::to_string).collect();
    let mut runs = Vec::new();
    for release in [Release::V5_24, Release::V4_57] {
        runs.push(position_ids(&seq, &qwen2_setup(release)).map_err(fail)?);
    }
    let n = runs[0].ids.len();
    let titles = [
        format!(
            "Qwen2-VL position ids, transformers 5.24.0: {}",
            text.join(", ")
        ),
        "the same in 4.57.1 (and Qwen2-VL's paper): text resumes past the largest id".to_string(),
    ];
    Figure::draw("grid-layout", 900, 420, |root| {
        let (grids, strip) = root.split_vertically(420 - KEY_HEIGHT as i32 - 8);
        let key = Key::Swatches {
            title: "token:".into(),
            entries: vec![
                (0.0, "text".into()),
                (1.0, "image".into()),
                (2.0, "video".into()),
            ],
        };
        colour_key(&strip, &key, category)?;
        let panels = grids.split_evenly((2, 1));
        for ((panel, title), ids) in panels.iter().zip(&titles).zip(&runs) {
            let colour = |k: Kind| match k {
                Kind::Text => 0.0,
                Kind::Image => 1.0,
                Kind::Video => 2.0,
            };
            let values: Vec<Vec<f64>> = (0..3)
                .map(|_| ids.kinds.iter().map(|&k| colour(k)).collect())
                .collect();
            let cells: Vec<Vec<String>> = (0..3)
                .map(|c| ids.ids.iter().map(|p| p[c].to_string()).collect())
                .collect();
            heatmap_with(
                panel,
                &Heatmap {
                    title,
                    values: &values,
                    row_labels: &["t".to_string(), "h".to_string(), "w".to_string()],
                    col_labels: &labels(0..n as i64),
                    color: category,
                    annotate: None,
                    cell_text: Some(&cells),
                },
                &Frame {
                    x_title: "token index",
                    y_title: "",
                    key: None,
                },
            )?;
        }
        Ok(())
    })
}
