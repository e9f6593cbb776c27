//! The chapter's figures.

use bookkit::chart::{Axes, BookMesh};
use bookkit::heatmap::{Frame, KEY_HEIGHT, Key, colour_key, heatmap_with};
use bookkit::{Figure, FigureError, Heatmap, PALETTE, diverging, legend_line, line};
use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;

use crate::{Layout, Schedule, Sinusoid};

/// The heatmap's width and number of positions.
pub const HEATMAP: (usize, usize) = (64, 64);
/// The entries (sines) the wave figure draws, its width, and its last position.
pub const DIMS: ([usize; 4], usize, usize) = ([8, 16, 32, 64], 128, 100);
/// The dot-product figure's width, bases and largest offset.
pub const DOT: (usize, [f64; 3], usize) = (512, [10.0, 100.0, 10000.0], 200);

/// A list `a, b and c` of the items, for captions.
fn and_list(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

/// The two titles of the heatmap's panels.
pub fn heatmap_titles() -> [&'static str; 2] {
    ["paper: interleaved sin, cos", "tensor2tensor: [sin | cos]"]
}

/// The page's image line for the heatmap, its numbers from [`HEATMAP`].
pub fn heatmap_caption() -> String {
    let (d, n) = HEATMAP;
    format!(
        "![The encoding matrix for d_model = {d} and positions 0 to {}, in the paper's form \
         (interleaved, paper frequencies; left) and tensor2tensor's (half-split, tensor2tensor \
         frequencies; right). Red is +1, blue is -1.](figures/sinusoidal-heatmap.svg)",
        n - 1
    )
}

/// The wave figure's title, from [`DIMS`].
pub fn dims_title() -> String {
    let (entries, d, _) = DIMS;
    let list: Vec<String> = entries.iter().map(|j| j.to_string()).collect();
    format!(
        "PE(p) entries j = {} (sines), d_model = {d}",
        list.join(", ")
    )
}

/// The page's image line for the wave figure.
pub fn dims_caption() -> String {
    let (entries, d, last) = DIMS;
    format!(
        "![{} sine entries of the d_model = {d} encoding over positions 0 to {last}: each pair is a \
         wave of its own length.](figures/sinusoidal-dims.svg)",
        number_word(entries.len())
    )
}

/// The dot-product figure's title, from [`DOT`].
pub fn dot_title() -> String {
    let (d, bases, _) = DOT;
    format!(
        "PE(p) · PE(p + Δ) = Σ cos(Δωᵢ), d_model = {d}, for {} bases",
        number_word(bases.len()).to_lowercase()
    )
}

/// The page's image line for the dot-product figure.
pub fn dot_caption() -> String {
    let (d, bases, _) = DOT;
    let list: Vec<String> = bases.iter().map(|b| format!("{b}")).collect();
    format!(
        "![PE(p)·PE(p + Δ) against the offset Δ for d_model = {d} and bases {}.](figures/sinusoidal-dot.svg)",
        and_list(&list)
    )
}

/// "Three", "Four", … for the small counts the captions need.
fn number_word(n: usize) -> String {
    match n {
        2 => "Two".into(),
        3 => "Three".into(),
        4 => "Four".into(),
        5 => "Five".into(),
        other => other.to_string(),
    }
}

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

/// The encoding matrix for [`HEATMAP`]: the paper's form and tensor2tensor's.
fn encoding_heatmap() -> Result<Figure, FigureError> {
    let (d, n) = HEATMAP;
    Figure::draw("sinusoidal-heatmap", 900, 600, |root| {
        let (grids, strip) = root.split_vertically(600 - KEY_HEIGHT as i32 - 8);
        let (left, right) = grids.split_horizontally(450);
        let [paper, t2t] = heatmap_titles();
        for (area, layout, schedule, title) in [
            (left, Layout::Interleaved, Schedule::Paper, paper),
            (right, Layout::Concatenated, Schedule::Tensor2Tensor, t2t),
        ] {
            let enc = Sinusoid::new(d, crate::BASE, layout, schedule)?;
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
            heatmap_with(
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
                &Frame {
                    x_title: "dimension",
                    y_title: "position p",
                    key: None,
                },
            )?;
        }
        let key = Key::Scale {
            title: "entry of PE(p)".into(),
            from: -1.0,
            to: 1.0,
            ticks: [-1.0, -0.5, 0.0, 0.5, 1.0]
                .map(|t| (t, bookkit::fixed(t, 1)))
                .to_vec(),
        };
        colour_key(&strip, &key, diverging)?;
        Ok(())
    })
}

/// A few sine entries over positions (see [`DIMS`]): each pair is a wave of its own length.
fn dims_over_positions() -> Result<Figure, FigureError> {
    let (entries, d, last) = DIMS;
    let enc = Sinusoid::paper(d).map_err(|e| FigureError(e.to_string()))?;
    Figure::draw("sinusoidal-dims", 820, 420, |root| {
        // The waves fill the whole plot, so the legend goes under it.
        let legend: Vec<_> = (entries.iter().enumerate())
            .map(|(n, &j)| {
                let label = format!("j = {j}, wavelength {:.0}", enc.wavelengths()[j / 2]);
                (label, line(PALETTE[n]))
            })
            .collect();
        let plot = bookkit::legend_below(root, &legend)?;
        let mut chart = Axes::new(&dims_title()).y_label_area(56).build(
            &plot,
            0f64..last as f64,
            -1.15f64..1.15f64,
        )?;
        mesh(&mut chart, "position p", "value", 1)?;
        for (&j, (_, style)) in entries.iter().zip(&legend) {
            let w = enc.frequencies()[j / 2];
            let curve: Vec<(f64, f64)> = (0..=10 * last)
                .map(|s| {
                    let p = s as f64 / 10.0;
                    (p, (p * w).sin())
                })
                .collect();
            chart.draw_series(LineSeries::new(curve, *style))?;
        }
        Ok(())
    })
}

/// `PE(p)·PE(p + k)` against the offset k for the width and bases of [`DOT`].
fn dot_by_offset() -> Result<Figure, FigureError> {
    let (d, bases, max_k) = DOT;
    Figure::draw("sinusoidal-dot", 820, 400, |root| {
        let mut chart = Axes::new(&dot_title()).y_label_area(52).build(
            root,
            0f64..max_k as f64,
            -120f64..260f64,
        )?;
        mesh(&mut chart, "offset Δ", "dot product", 0)?;
        for (n, base) in bases.into_iter().enumerate() {
            let enc = Sinusoid::new(d, base, Layout::Interleaved, Schedule::Paper)?;
            let c = PALETTE[n];
            let curve: Vec<(f64, f64)> = (0..=10 * max_k)
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
        .book_labels()
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
