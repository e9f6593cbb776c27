//! The chapter's figures, drawn from the same functions the tables use.

use bookkit::chart::{Axes, BookMesh};
use bookkit::heatmap::{Frame, KEY_HEIGHT, Key, colour_key, heatmap_with};
use bookkit::{Figure, FigureError, Heatmap, PALETTE, sequential};
use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;

use crate::{PositionTable, Positions, attend, fixed_encoding, tokenize};

/// The two sentences of the chapter.
pub const SENTENCES: [&str; 2] = ["John likes cats", "cats like John"];

/// How many positions the position figure shows (0 to `SHOWN − 1`), past the learned table's end.
pub const SHOWN: usize = 16;

/// The left panel's title of the position figure: the rows of the chapter's learned table.
pub fn learned_panel_title() -> String {
    let rows = PositionTable::chapter().max_len();
    format!("learned table: one row per position, 0 to {}", rows - 1)
}

/// The page's image line for the position figure, from the chapter's learned table.
pub fn positions_caption() -> String {
    let rows = PositionTable::chapter().max_len();
    format!(
        "![The learned table's {rows} rows (left) stop at position {}; the fixed encoding (right) \
         is a smooth function sampled at every integer position.](figures/order-positions.svg)",
        rows - 1
    )
}

/// Every figure of the chapter.
///
/// # Errors
/// A drawing failure, naming the figure.
pub fn figures() -> Result<Vec<Figure>, FigureError> {
    Ok(vec![attention_weights()?, position_vectors()?])
}

/// Attention weights of both sentences, without and with learned positions (2 × 2 panels).
fn attention_weights() -> Result<Figure, FigureError> {
    Figure::draw("order-attention", 820, 720, |root| {
        let (grids, strip) = root.split_vertically(720 - KEY_HEIGHT as i32 - 8);
        let panels = grids.split_evenly((2, 2));
        let mut k = 0;
        for sentence in SENTENCES {
            let labels: Vec<String> = tokenize(sentence)?
                .iter()
                .map(|t| t.word.to_string())
                .collect();
            for (positions, what) in [
                (Positions::None, "no positions"),
                (Positions::Learned, "learned positions"),
            ] {
                let w = attend(sentence, positions)?.weights;
                let values: Vec<Vec<f64>> = w.rows().into_iter().map(|r| r.to_vec()).collect();
                let title = format!("“{sentence}”, {what}");
                heatmap_with(
                    &panels[k].margin(8, 8, 8, 8),
                    &Heatmap {
                        title: &title,
                        values: &values,
                        row_labels: &labels,
                        col_labels: &labels,
                        color: sequential,
                        annotate: Some(2),
                        cell_text: None,
                    },
                    &Frame {
                        x_title: "key (attended to)",
                        y_title: "query",
                        key: None,
                    },
                )?;
                k += 1;
            }
        }
        let key = Key::Scale {
            title: "attention weight".into(),
            from: 0.0,
            to: 1.0,
            ticks: [0.0, 0.25, 0.5, 0.75, 1.0]
                .map(|t| (t, bookkit::fixed(t, 2)))
                .to_vec(),
        };
        colour_key(&strip, &key, sequential)?;
        Ok(())
    })
}

/// One panel of the position figure: positions 0 to `SHOWN − 1` across, values −1.2 to 1.2 up.
fn panel<'a, 'b>(
    area: &'a bookkit::Area<'b>,
    caption: &str,
    y_desc: Option<&str>,
) -> Result<
    ChartContext<'a, SVGBackend<'b>, Cartesian2d<RangedCoordf64, RangedCoordf64>>,
    Box<dyn std::error::Error>,
> {
    let mut chart = Axes::new(caption).caption_size(17).y_label_area(44).build(
        area,
        -0.5f64..(SHOWN as f64 - 0.5),
        -1.2f64..1.2f64,
    )?;
    let mut mesh = chart.configure_mesh();
    mesh.book_labels();
    mesh.x_desc("position")
        .x_label_formatter(&|x| bookkit::fixed(*x, 0))
        .y_label_formatter(&|y| bookkit::fixed(*y, 1))
        .light_line_style(WHITE.mix(0.0));
    if let Some(desc) = y_desc {
        mesh.y_desc(desc);
    }
    mesh.draw().map_err(|e| e.to_string())?;
    Ok(chart)
}

/// The learned table's values (8 rows, then nothing) beside the fixed encoding (any position).
fn position_vectors() -> Result<Figure, FigureError> {
    let table = PositionTable::chapter();
    Figure::draw("order-positions", 820, 360, |root| {
        let (left, right) = root.split_horizontally(410);
        let mut chart = panel(&left, &learned_panel_title(), Some("value"))?;
        for (d, &c) in PALETTE.iter().enumerate().take(crate::D_MODEL) {
            let points: Vec<(f64, f64)> = (0..table.max_len())
                .map(|p| (p as f64, table.rows()[[p, d]]))
                .collect();
            chart
                .draw_series(LineSeries::new(points.clone(), bookkit::line(c)))?
                .label(format!("component {d}"))
                .legend(bookkit::legend_line(c));
            chart.draw_series(points.iter().map(|&p| Circle::new(p, 3, c.filled())))?;
        }
        chart.draw_series(std::iter::once(Text::new(
            "no row ⇒ error",
            (9.0, 0.9),
            (bookkit::FONT, 15).into_font(),
        )))?;
        bookkit::legend(&mut chart, SeriesLabelPosition::LowerRight)?;

        let mut chart = panel(&right, "fixed encoding: a value at every position", None)?;
        for (d, &c) in PALETTE.iter().enumerate().take(crate::D_MODEL) {
            // The function drawn finely between integer positions, and its integer samples.
            let curve: Vec<(f64, f64)> = (0..=10 * (SHOWN - 1))
                .map(|s| {
                    let p = s as f64 / 10.0;
                    (p, crate::positions::encoding_entry(p, d, crate::D_MODEL))
                })
                .collect();
            // Thin, in the full colour: a paler line would fall under 3:1 against the background.
            chart.draw_series(LineSeries::new(curve, ShapeStyle::from(c).stroke_width(1)))?;
            let samples = (0..SHOWN)
                .map(|p| fixed_encoding(p, crate::D_MODEL).map(|v| (p as f64, v[d])))
                .collect::<Result<Vec<_>, _>>()?;
            chart.draw_series(samples.iter().map(|&p| Circle::new(p, 3, c.filled())))?;
        }
        root.present()?;
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn figures_draw_and_name_their_files() {
        let figs = super::figures().expect("draws");
        let names: Vec<_> = figs.iter().map(|f| f.name).collect();
        assert_eq!(names, ["order-attention", "order-positions"]);
        for f in &figs {
            assert!(f.svg.starts_with("<svg") && f.svg.trim_end().ends_with("</svg>"));
        }
    }
}
