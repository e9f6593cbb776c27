//! The chapter's figures.

use bookkit::chart::Axes;
use bookkit::{Figure, FigureError, Heatmap, PALETTE, diverging, heatmap, legend_line, line};
use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;

use crate::{Layout, Sinusoid};

/// Every figure of the chapter.
///
/// # Errors
/// A drawing failure, naming the figure.
pub fn figures() -> Result<Vec<Figure>, FigureError> {
    Ok(vec![
        encoding_heatmap()?,
        dims_over_positions()?,
        dot_by_offset()?,
    ])
}

/// The encoding matrix for d = 64, positions 0 to 63, in both layouts.
fn encoding_heatmap() -> Result<Figure, FigureError> {
    let (n, d) = (64, 64);
    Figure::draw("sinusoidal-heatmap", 900, 520, |root| {
        let (left, right) = root.split_horizontally(450);
        for (area, layout, title) in [
            (left, Layout::Interleaved, "paper: interleaved sin, cos"),
            (right, Layout::Concatenated, "tensor2tensor: [sin | cos]"),
        ] {
            let enc = Sinusoid::new(d, crate::BASE, layout)?;
            let m = enc.matrix(n);
            let values: Vec<Vec<f64>> = m.rows().into_iter().map(|r| r.to_vec()).collect();
            let label = |k: usize| {
                if k.is_multiple_of(16) {
                    k.to_string()
                } else {
                    String::new()
                }
            };
            let rows: Vec<String> = (0..n).map(label).collect();
            let cols: Vec<String> = (0..d).map(label).collect();
            heatmap(
                &area.margin(6, 6, 6, 6),
                &Heatmap {
                    title,
                    values: &values,
                    row_labels: &rows,
                    col_labels: &cols,
                    color: diverging,
                    annotate: None,
                    cell_text: None,
                },
            )?;
        }
        Ok(())
    })
}

/// A few sine entries over positions 0 to 100 (d = 128): each pair is a wave of its own length.
fn dims_over_positions() -> Result<Figure, FigureError> {
    let enc = Sinusoid::paper(128).map_err(|e| FigureError(e.to_string()))?;
    Figure::draw("sinusoidal-dims", 820, 380, |root| {
        let mut chart = Axes::new("PE(p) entries j = 8, 16, 32, 64 (sines), d = 128")
            .y_label_area(44)
            .build(root, 0f64..100f64, -1.15f64..1.15f64)?;
        mesh(&mut chart, "position p", "value", 1)?;
        for (n, &j) in [8usize, 16, 32, 64].iter().enumerate() {
            let c = PALETTE[n];
            let w = enc.frequencies()[j / 2];
            let curve: Vec<(f64, f64)> = (0..=1000)
                .map(|s| {
                    let p = s as f64 / 10.0;
                    (p, (p * w).sin())
                })
                .collect();
            let label = format!("j = {j}, wavelength {:.0}", enc.wavelengths()[j / 2]);
            curve_with_label(&mut chart, curve, c, label)?;
        }
        bookkit::legend(&mut chart, SeriesLabelPosition::LowerLeft)?;
        Ok(())
    })
}

/// `PE(p)·PE(p + k)` against the offset k for d = 512 and three bases.
fn dot_by_offset() -> Result<Figure, FigureError> {
    let d = 512;
    Figure::draw("sinusoidal-dot", 820, 400, |root| {
        let mut chart = Axes::new("PE(p) · PE(p + k) = Σ cos(k ω_i), d = 512, for three bases")
            .y_label_area(52)
            .build(root, 0f64..200f64, -120f64..260f64)?;
        mesh(&mut chart, "offset k", "dot product", 0)?;
        for (n, base) in [10.0, 100.0, 10000.0].into_iter().enumerate() {
            let enc = Sinusoid::new(d, base, Layout::Interleaved)?;
            let c = PALETTE[n];
            let curve: Vec<(f64, f64)> = (0..=2000)
                .map(|s| {
                    let k = s as f64 / 10.0;
                    (k, enc.dot_at_offset(k))
                })
                .collect();
            curve_with_label(&mut chart, curve, c, format!("base {base}"))?;
        }
        bookkit::legend(&mut chart, SeriesLabelPosition::UpperRight)?;
        Ok(())
    })
}

/// A line chart over `f64` axes, as both line figures draw it.
type LineChart<'a, 'b> =
    ChartContext<'a, SVGBackend<'b>, Cartesian2d<RangedCoordf64, RangedCoordf64>>;

/// The mesh both line figures share: whole-number x labels, `y_decimals` on the y labels, no
/// light grid lines.
fn mesh(
    chart: &mut LineChart<'_, '_>,
    x_desc: &str,
    y_desc: &str,
    y_decimals: usize,
) -> Result<(), Box<dyn std::error::Error>> {
    chart
        .configure_mesh()
        .x_desc(x_desc)
        .x_label_formatter(&|x| bookkit::fixed(*x, 0))
        .y_desc(y_desc)
        .y_label_formatter(&|y| bookkit::fixed(*y, y_decimals))
        .light_line_style(WHITE.mix(0.0))
        .draw()?;
    Ok(())
}

/// One curve in the book's line style, with its legend entry.
fn curve_with_label(
    chart: &mut LineChart<'_, '_>,
    points: Vec<(f64, f64)>,
    c: RGBColor,
    label: String,
) -> Result<(), Box<dyn std::error::Error>> {
    chart
        .draw_series(LineSeries::new(points, line(c)))?
        .label(label)
        .legend(legend_line(c));
    Ok(())
}
