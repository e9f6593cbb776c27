//! Labelled heatmaps, for attention weights and position tables.

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use crate::figure::{Area, FONT};
use crate::format::fixed;

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

/// Draws a labelled heatmap filling `area`.
///
/// # Errors
/// A drawing failure, or rows of different lengths or label counts that do not match.
pub fn heatmap(area: &Area<'_>, map: &Heatmap<'_>) -> Result<(), Box<dyn std::error::Error>> {
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
    let label_w = 12
        + 8 * map
            .row_labels
            .iter()
            .map(|s| s.chars().count())
            .max()
            .unwrap_or(0) as i32;
    let (top, bottom, right) = (56, 8, 8);
    let cell_w = (w - label_w - right) / cols as i32;
    let cell_h = (h - top - bottom) / rows as i32;
    let text = |size: f64| TextStyle::from((FONT, size).into_font()).color(&BLACK);
    area.draw(&Text::new(
        map.title.to_string(),
        (w / 2, 16),
        text(17.0).pos(Pos::new(HPos::Center, VPos::Center)),
    ))?;
    for (j, label) in map.col_labels.iter().enumerate() {
        let x = label_w + cell_w * j as i32 + cell_w / 2;
        area.draw(&Text::new(
            label.clone(),
            (x, top - 10),
            text(14.0).pos(Pos::new(HPos::Center, VPos::Bottom)),
        ))?;
    }
    for (i, row) in map.values.iter().enumerate() {
        let y0 = top + cell_h * i as i32;
        area.draw(&Text::new(
            map.row_labels[i].clone(),
            (label_w - 8, y0 + cell_h / 2),
            text(14.0).pos(Pos::new(HPos::Right, VPos::Center)),
        ))?;
        for (j, &v) in row.iter().enumerate() {
            let x0 = label_w + cell_w * j as i32;
            let fill = (map.color)(v);
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
                let luminance =
                    0.299 * fill.0 as f64 + 0.587 * fill.1 as f64 + 0.114 * fill.2 as f64;
                let ink = if luminance < 140.0 { WHITE } else { BLACK };
                area.draw(&Text::new(
                    text,
                    (x0 + cell_w / 2, y0 + cell_h / 2),
                    TextStyle::from((FONT, 14.0).into_font())
                        .color(&ink)
                        .pos(Pos::new(HPos::Center, VPos::Center)),
                ))?;
            }
        }
    }
    // A thin frame around the grid.
    area.draw(&Rectangle::new(
        [
            (label_w, top),
            (label_w + cell_w * cols as i32, top + cell_h * rows as i32),
        ],
        BLACK.stroke_width(1),
    ))?;
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
