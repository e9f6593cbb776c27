//! Labelled heatmaps, for attention weights and position tables.

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use crate::chart::{LABEL_PX, TITLE_PX, font};
use crate::figure::Area;
use crate::format::fixed;
use crate::style::{INK, data_fill, ink_on};

/// What [`heatmap`] draws.
#[derive(Debug, Clone)]
pub struct Heatmap<'a> {
    /// Title above the grid.
    pub title: &'a str,
    /// `values[i][j]` is drawn in row `i` (top to bottom), column `j` (left to right).
    pub values: &'a [Vec<f64>],
    /// One label per row, drawn on the left.
    pub row_labels: &'a [String],
    /// One label per column, drawn on top.
    pub col_labels: &'a [String],
    /// Maps a value to a colour.
    pub color: fn(f64) -> RGBColor,
    /// Write each value in its cell with this many decimals (for small matrices).
    pub annotate: Option<usize>,
    /// Text to write in each cell instead of the value (same shape as `values`).
    pub cell_text: Option<&'a [Vec<String>]>,
}

/// What a reader needs besides the cells: the axes' titles and the colour key.
#[derive(Debug, Clone)]
pub struct Frame<'a> {
    /// The quantity along the columns, written under the grid (e.g. `key position j`).
    pub x_title: &'a str,
    /// The quantity down the rows, written up the left side (e.g. `query position i`).
    pub y_title: &'a str,
    /// The colour key, drawn under the x title; `None` when the figure draws one key for several
    /// heatmaps with [`colour_key`].
    pub key: Option<Key>,
}

/// A heatmap's colour key.
#[derive(Debug, Clone, PartialEq)]
pub enum Key {
    /// A continuous scale: a bar of the colour map from `from` to `to` (inputs of the heatmap's
    /// `color` function), with `ticks` (an input and its label, e.g. `(0.0, "0")`), titled
    /// `title` on its left.
    Scale {
        /// What the colours measure.
        title: String,
        /// The colour-map input at the bar's left end.
        from: f64,
        /// The colour-map input at the bar's right end.
        to: f64,
        /// Where to mark the bar and what to write there.
        ticks: Vec<(f64, String)>,
    },
    /// Named colours: a swatch of `color(value)` and its label, for each entry.
    Swatches {
        /// What the colours stand for.
        title: String,
        /// A colour-map input and its label.
        entries: Vec<(f64, String)>,
    },
}

/// Row or column labels for `n` cells that name every `step`-th cell (0, step, 2·step, …) and
/// leave the rest empty, so a large grid's axis stays readable.
///
/// ```
/// assert_eq!(bookkit::heatmap::every_nth(5, 2), ["0", "", "2", "", "4"]);
/// assert_eq!(bookkit::heatmap::every_nth(2, 0), ["0", "1"]); // a zero step labels every cell
/// ```
pub fn every_nth(n: usize, step: usize) -> Vec<String> {
    let step = step.max(1);
    (0..n)
        .map(|k| {
            if k % step == 0 {
                k.to_string()
            } else {
                String::new()
            }
        })
        .collect()
}

/// Draws a labelled heatmap filling `area`, without axis titles or colour key (prefer
/// [`heatmap_with`]: a reader cannot read a colour without its key).
///
/// # Errors
/// A drawing failure, or rows of different lengths or label counts that do not match.
pub fn heatmap(area: &Area<'_>, map: &Heatmap<'_>) -> Result<(), Box<dyn std::error::Error>> {
    draw(area, map, None)
}

/// Draws a labelled heatmap filling `area`, with the axis titles and colour key of `frame`.
///
/// # Errors
/// A drawing failure, or rows of different lengths or label counts that do not match.
///
/// ```
/// use bookkit::heatmap::{Frame, Heatmap, Key, heatmap_with};
/// let values = vec![vec![0.0, 0.5], vec![1.0, 0.25]];
/// let labels = vec!["0".to_string(), "1".to_string()];
/// let svg = bookkit::svg("keyed", 320, 260, |area| {
///     heatmap_with(
///         area,
///         &Heatmap {
///             title: "weights",
///             values: &values,
///             row_labels: &labels,
///             col_labels: &labels,
///             color: bookkit::sequential,
///             annotate: None,
///             cell_text: None,
///         },
///         &Frame {
///             x_title: "key j",
///             y_title: "query i",
///             key: Some(Key::Scale {
///                 title: "weight".into(),
///                 from: 0.0,
///                 to: 1.0,
///                 ticks: vec![(0.0, "0".into()), (1.0, "1".into())],
///             }),
///         },
///     )
/// })?;
/// for text in ["key j", "query i", "weight"] {
///     assert!(svg.contains(&format!(">\n{text}\n<")) || svg.contains(&format!(">{text}<")));
/// }
/// assert!(svg.contains("rotate(270"), "the y title runs up the side");
/// # Ok::<(), bookkit::FigureError>(())
/// ```
pub fn heatmap_with(
    area: &Area<'_>,
    map: &Heatmap<'_>,
    frame: &Frame<'_>,
) -> Result<(), Box<dyn std::error::Error>> {
    draw(area, map, Some(frame))
}

/// Height of the colour key strip: bar, tick labels and padding.
const KEY_H: i32 = 44;
/// Height of the x title's line, and width of the y title's column.
const TITLE_LINE: i32 = 24;

fn text(px: f64) -> TextStyle<'static> {
    TextStyle::from(font(px)).color(&INK)
}

/// Estimated width of `s` at `px` (0.6 em a character; the browser picks the face).
fn text_width(s: &str, px: f64) -> i32 {
    (s.chars().count() as f64 * 0.6 * px).ceil() as i32
}

fn draw(
    area: &Area<'_>,
    map: &Heatmap<'_>,
    frame: Option<&Frame<'_>>,
) -> Result<(), Box<dyn std::error::Error>> {
    let rows = map.values.len();
    let cols = map.values.first().map_or(0, Vec::len);
    if map.values.iter().any(|r| r.len() != cols) || rows == 0 || cols == 0 {
        return Err(format!("heatmap `{}` needs a non-empty rectangular grid", map.title).into());
    }
    if map.row_labels.len() != rows || map.col_labels.len() != cols {
        return Err(format!(
            "heatmap `{}`: {} row labels and {} column labels for a {rows}×{cols} grid",
            map.title,
            map.row_labels.len(),
            map.col_labels.len()
        )
        .into());
    }
    let (w, h) = area.dim_in_pixel();
    let (w, h) = (w as i32, h as i32);
    let y_title_w = if frame.is_some_and(|f| !f.y_title.is_empty()) {
        TITLE_LINE
    } else {
        0
    };
    let label_w = y_title_w
        + 12
        + map
            .row_labels
            .iter()
            .map(|s| text_width(s, LABEL_PX))
            .max()
            .unwrap_or(0);
    let below = match frame {
        Some(f) => {
            6 + if f.x_title.is_empty() { 0 } else { TITLE_LINE }
                + if f.key.is_some() { KEY_H } else { 0 }
        }
        None => 8,
    };
    let (top, right) = (60, 8);
    let cell_w = (w - label_w - right) / cols as i32;
    let cell_h = (h - top - below) / rows as i32;
    if cell_w < 1 || cell_h < 1 {
        return Err(format!(
            "heatmap `{}`: {w}×{h} px is too small for its grid",
            map.title
        )
        .into());
    }
    let (grid_w, grid_h) = (cell_w * cols as i32, cell_h * rows as i32);
    area.draw(&Text::new(
        map.title.to_string(),
        (w / 2, 16),
        text(TITLE_PX).pos(Pos::new(HPos::Center, VPos::Center)),
    ))?;
    for (j, label) in map.col_labels.iter().enumerate() {
        let x = label_w + cell_w * j as i32 + cell_w / 2;
        area.draw(&Text::new(
            label.clone(),
            (x, top - 8),
            text(LABEL_PX).pos(Pos::new(HPos::Center, VPos::Bottom)),
        ))?;
    }
    for (i, row) in map.values.iter().enumerate() {
        let y0 = top + cell_h * i as i32;
        area.draw(&Text::new(
            map.row_labels[i].clone(),
            (label_w - 8, y0 + cell_h / 2),
            text(LABEL_PX).pos(Pos::new(HPos::Right, VPos::Center)),
        ))?;
        for (j, &v) in row.iter().enumerate() {
            let x0 = label_w + cell_w * j as i32;
            let fill = data_fill((map.color)(v));
            area.draw(&Rectangle::new(
                [(x0, y0), (x0 + cell_w, y0 + cell_h)],
                fill.filled(),
            ))?;
            let text = match (map.cell_text, map.annotate) {
                (Some(cells), _) => cells.get(i).and_then(|r| r.get(j)).cloned(),
                (None, Some(d)) => Some(fixed(v, d)),
                (None, None) => None,
            };
            if let Some(text) = text {
                let ink = ink_on(fill);
                area.draw(&Text::new(
                    text,
                    (x0 + cell_w / 2, y0 + cell_h / 2),
                    TextStyle::from(font(LABEL_PX))
                        .color(&ink)
                        .pos(Pos::new(HPos::Center, VPos::Center)),
                ))?;
            }
        }
    }
    // A thin frame around the grid.
    area.draw(&Rectangle::new(
        [(label_w, top), (label_w + grid_w, top + grid_h)],
        INK.stroke_width(1),
    ))?;
    let Some(frame) = frame else {
        return Ok(());
    };
    let centre_x = label_w + grid_w / 2;
    let mut y = top + grid_h + 6;
    if !frame.y_title.is_empty() {
        area.draw(&Text::new(
            frame.y_title.to_string(),
            (TITLE_LINE / 2, top + grid_h / 2),
            text(LABEL_PX)
                .transform(FontTransform::Rotate270)
                .pos(Pos::new(HPos::Center, VPos::Center)),
        ))?;
    }
    if !frame.x_title.is_empty() {
        area.draw(&Text::new(
            frame.x_title.to_string(),
            (centre_x, y + TITLE_LINE / 2),
            text(LABEL_PX).pos(Pos::new(HPos::Center, VPos::Center)),
        ))?;
        y += TITLE_LINE;
    }
    match &frame.key {
        Some(key) => draw_key(area, key, map.color, centre_x, y + 4, grid_w),
        None => Ok(()),
    }
}

/// The height [`colour_key`] needs.
pub const KEY_HEIGHT: u32 = KEY_H as u32;

/// Draws `key` for the colour map `color`, centred in `area` (at least [`KEY_HEIGHT`] tall): one
/// key for a figure of several heatmaps that share a colour scale.
///
/// # Errors
/// A drawing failure.
///
/// ```
/// use bookkit::heatmap::{Key, colour_key};
/// let svg = bookkit::svg("key", 400, 44, |area| {
///     let key = Key::Scale {
///         title: "bias".into(),
///         from: -1.0,
///         to: 0.0,
///         ticks: vec![(-1.0, "−4.5".into()), (0.0, "0".into())],
///     };
///     colour_key(area, &key, bookkit::diverging)
/// })?;
/// assert!(svg.contains("−4.5") && svg.contains("bias"));
/// # Ok::<(), bookkit::FigureError>(())
/// ```
pub fn colour_key(
    area: &Area<'_>,
    key: &Key,
    color: fn(f64) -> RGBColor,
) -> Result<(), Box<dyn std::error::Error>> {
    let (w, _) = area.dim_in_pixel();
    let w = w as i32;
    draw_key(area, key, color, w / 2, 4, w / 2)
}

/// Draws `key` centred on `centre_x`, its bar's top at `y`, at most `max_w` wide.
fn draw_key(
    area: &Area<'_>,
    key: &Key,
    color: fn(f64) -> RGBColor,
    centre_x: i32,
    y: i32,
    max_w: i32,
) -> Result<(), Box<dyn std::error::Error>> {
    let bar_h = 14;
    match key {
        Key::Scale {
            title,
            from,
            to,
            ticks,
        } => {
            let bar_w = max_w.clamp(60, 320);
            let x0 = centre_x - bar_w / 2;
            let steps = 64;
            for s in 0..steps {
                let t = from + (to - from) * (s as f64 + 0.5) / steps as f64;
                let (a, b) = (x0 + bar_w * s / steps, x0 + bar_w * (s + 1) / steps);
                area.draw(&Rectangle::new(
                    [(a, y), (b, y + bar_h)],
                    data_fill(color(t)).filled(),
                ))?;
            }
            area.draw(&Rectangle::new(
                [(x0, y), (x0 + bar_w, y + bar_h)],
                INK.stroke_width(1),
            ))?;
            for (value, label) in ticks {
                let x = x0 + ((value - from) / (to - from) * bar_w as f64).round() as i32;
                area.draw(&PathElement::new(
                    vec![(x, y + bar_h), (x, y + bar_h + 4)],
                    INK.stroke_width(1),
                ))?;
                area.draw(&Text::new(
                    label.clone(),
                    (x, y + bar_h + 6),
                    text(LABEL_PX).pos(Pos::new(HPos::Center, VPos::Top)),
                ))?;
            }
            area.draw(&Text::new(
                title.clone(),
                (x0 - 10, y + bar_h / 2),
                text(LABEL_PX).pos(Pos::new(HPos::Right, VPos::Center)),
            ))?;
        }
        Key::Swatches { title, entries } => {
            let widths: Vec<i32> = entries
                .iter()
                .map(|(_, l)| bar_h + 6 + text_width(l, LABEL_PX) + 16)
                .collect();
            let title_w = text_width(title, LABEL_PX) + 10;
            let total = title_w + widths.iter().sum::<i32>() - 16;
            let mut x = centre_x - total / 2;
            area.draw(&Text::new(
                title.clone(),
                (x, y + bar_h / 2),
                text(LABEL_PX).pos(Pos::new(HPos::Left, VPos::Center)),
            ))?;
            x += title_w;
            for ((value, label), ew) in entries.iter().zip(widths) {
                area.draw(&Rectangle::new(
                    [(x, y), (x + bar_h, y + bar_h)],
                    data_fill(color(*value)).filled(),
                ))?;
                area.draw(&Rectangle::new(
                    [(x, y), (x + bar_h, y + bar_h)],
                    INK.stroke_width(1),
                ))?;
                area.draw(&Text::new(
                    label.clone(),
                    (x + bar_h + 6, y + bar_h / 2),
                    text(LABEL_PX).pos(Pos::new(HPos::Left, VPos::Center)),
                ))?;
                x += ew;
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::figure::svg;
    use crate::style::sequential;

    fn tiny() -> String {
        let values = vec![vec![0.25, 0.75], vec![1.0, 0.0]];
        let labels = vec!["a".to_string(), "b".to_string()];
        svg("tiny", 200, 150, |area| {
            heatmap(
                area,
                &Heatmap {
                    title: "t",
                    values: &values,
                    row_labels: &labels,
                    col_labels: &labels,
                    color: sequential,
                    annotate: Some(2),
                    cell_text: None,
                },
            )
        })
        .expect("draws")
    }

    #[test]
    fn figures_are_byte_deterministic() {
        let a = tiny();
        assert_eq!(a, tiny());
        assert!(a.contains(">\n0.75\n<"), "cell values are written: {a}");
        assert!(a.contains("font-size=\"14\""), "labels at the book's size");
        assert!(!a.contains("font-family=\"\""), "a font family is named");
    }

    #[test]
    fn heatmap_refuses_ragged_grids() {
        let values = vec![vec![0.0, 1.0], vec![0.0]];
        let labels = vec!["a".to_string(), "b".to_string()];
        let e = svg("ragged", 100, 100, |area| {
            heatmap(
                area,
                &Heatmap {
                    title: "r",
                    values: &values,
                    row_labels: &labels,
                    col_labels: &labels,
                    color: sequential,
                    annotate: None,
                    cell_text: None,
                },
            )
        })
        .unwrap_err();
        assert!(e.to_string().contains("ragged: heatmap `r`"), "{e}");
    }
}
