//! The chapter's figures.

use bookkit::chart::{Axes, BookMesh};
use bookkit::heatmap::{Frame, KEY_HEIGHT, Key, colour_key, heatmap_with};
use bookkit::style::masked_sequential;
use bookkit::{Figure, FigureError, Heatmap, PALETTE};
use plotters::prelude::*;

use crate::Kerple;
use crate::remap::matrix;
use crate::report::{FAMILY, fire_example, matrix_schemes};

/// Tokens on each side of the matrix figure and the page's matrix tables: 18, three of DCA's
/// chunks of 6, so that its inter-chunk block appears.
pub const MATRIX_N: usize = 18;
/// The largest distance of the distance figure.
pub const REACH: usize = 64;
/// The query position of the distance figure's second FIRE curve.
pub const FAR_QUERY: usize = 256;

/// Every figure of the chapter.
///
/// # Errors
/// A drawing failure, naming the figure.
pub fn figures() -> Result<Vec<Figure>, FigureError> {
    Ok(vec![matrices()?, distance()?])
}

fn fail(e: crate::Error) -> FigureError {
    FigureError(e.to_string())
}

fn labels(n: usize) -> Vec<String> {
    (0..n).map(|i| i.to_string()).collect()
}

/// The relative-position matrices of Self-Extend, ReRoPE, DCA and the rolling cache on
/// [`MATRIX_N`] tokens, one colour scale for the four.
fn matrices() -> Result<Figure, FigureError> {
    let schemes = matrix_schemes().map_err(fail)?;
    let grids: Vec<(String, Vec<Vec<f64>>)> = schemes
        .iter()
        .map(|(_, s)| {
            let m = matrix(s.as_ref(), MATRIX_N);
            (s.name(), m.outer_iter().map(|r| r.to_vec()).collect())
        })
        .collect();
    let top = grids
        .iter()
        .flat_map(|(_, g)| g.iter().flatten())
        .filter(|v| !v.is_nan())
        .fold(0.0f64, |a, &v| a.max(v));
    let (w, h) = (900u32, 920u32);
    Figure::draw("runtime-matrices", w, h, |root| {
        let (panels, strip) = root.split_vertically(h as i32 - KEY_HEIGHT as i32 - 8);
        let key = Key::Scale {
            title: "relative position Pq − Pk".into(),
            from: 0.0,
            to: 1.0,
            ticks: vec![(0.0, "0".into()), (1.0, bookkit::fixed(top, 0))],
        };
        colour_key(&strip, &key, masked_sequential)?;
        for (panel, (title, grid)) in panels.split_evenly((2, 2)).iter().zip(&grids) {
            let values: Vec<Vec<f64>> = grid
                .iter()
                .map(|r| r.iter().map(|v| v / top).collect())
                .collect();
            let text: Vec<Vec<String>> = grid
                .iter()
                .map(|r| {
                    r.iter()
                        .map(|v| {
                            if v.is_nan() {
                                String::new()
                            } else {
                                bookkit::fixed(*v, 0)
                            }
                        })
                        .collect()
                })
                .collect();
            heatmap_with(
                panel,
                &Heatmap {
                    title,
                    values: &values,
                    row_labels: &labels(MATRIX_N),
                    col_labels: &labels(MATRIX_N),
                    color: masked_sequential,
                    annotate: None,
                    cell_text: Some(&text),
                },
                &Frame {
                    x_title: "key j",
                    y_title: "query i",
                    key: None,
                },
            )?;
        }
        Ok(())
    })
}

/// The page's image line for the matrix figure: its alt text names the settings of the schemes
/// the figure draws ([`matrix_schemes`]) and [`MATRIX_N`].
///
/// # Errors
/// As [`matrix_schemes`].
pub fn matrices_caption() -> Result<String, crate::Error> {
    let names: Vec<String> = matrix_schemes()?.iter().map(|(_, s)| s.name()).collect();
    Ok(format!(
        "![The relative position P_q − P_k each query i (down) sees each key j (across) at, on \
         {MATRIX_N} tokens, for {}; grey cells are keys the query does not see.]\
         (figures/runtime-matrices.svg)",
        names.join("; ")
    ))
}

/// The page's image line for the distance figure, from the constants it is drawn with.
pub fn distance_caption() -> String {
    format!(
        "![Bias against distance from 0 to {REACH} for ALiBi, KERPLE's power and logarithmic \
         kernels, and FIRE seen from the oldest key (query at the distance itself, flat past the \
         threshold T = {}) and from a query at position {FAR_QUERY} (the same network stretched \
         over {FAR_QUERY} tokens).](figures/runtime-distance.svg)",
        bookkit::fixed(FAMILY.fire.1, 0)
    )
}

/// The title of the distance figure, from the constants it is drawn with.
pub fn distance_title() -> String {
    format!("bias against distance i − j, 0 to {REACH}")
}

/// Bias against distance for ALiBi, the two KERPLE kernels and FIRE seen from two queries.
fn distance() -> Result<Figure, FigureError> {
    let power = Kerple::power(FAMILY.power.0, FAMILY.power.1).map_err(fail)?;
    let log = Kerple::log(FAMILY.log.0, FAMILY.log.1).map_err(fail)?;
    let fire = fire_example().map_err(fail)?;
    let ds: Vec<usize> = (0..=REACH).collect();
    let curve = |f: &dyn Fn(usize) -> f64| ds.iter().map(|&d| (d as f64, f(d))).collect::<Vec<_>>();
    let curves = vec![
        (
            format!("ALiBi, m = {}", bookkit::fixed(FAMILY.slope, 2)),
            curve(&|d| -FAMILY.slope * d as f64),
        ),
        (
            format!(
                "KERPLE power, a = {}, p = {}",
                bookkit::fixed(FAMILY.power.0, 1),
                bookkit::fixed(FAMILY.power.1, 1)
            ),
            curve(&|d| power.bias(d)),
        ),
        (
            format!(
                "KERPLE log, p = {}, a = {}",
                bookkit::fixed(FAMILY.log.0, 1),
                bookkit::fixed(FAMILY.log.1, 1)
            ),
            curve(&|d| log.bias(d)),
        ),
        (
            format!(
                "FIRE, oldest key j = 0 (T = {})",
                bookkit::fixed(FAMILY.fire.1, 0)
            ),
            curve(&|d| fire.bias(d, 0)),
        ),
        (
            format!("FIRE, query at position {FAR_QUERY}"),
            curve(&|d| fire.bias(FAR_QUERY, FAR_QUERY - d)),
        ),
    ];
    let low = curves
        .iter()
        .flat_map(|(_, c)| c.iter().map(|p| p.1))
        .fold(0.0f64, f64::min);
    let entries: Vec<(String, ShapeStyle)> = curves
        .iter()
        .enumerate()
        .map(|(i, (label, _))| (label.clone(), bookkit::line(PALETTE[i % PALETTE.len()])))
        .collect();
    Figure::draw("runtime-distance", 860, 520, |root| {
        let plot = bookkit::legend_below(root, &entries)?;
        let mut chart = Axes::new(&distance_title()).caption_size(17).build(
            &plot,
            0f64..REACH as f64,
            (low.floor() - 0.5)..0.5f64,
        )?;
        chart
            .configure_mesh()
            .book_labels()
            .x_desc("distance i − j (tokens)")
            .y_desc("bias added to the logit")
            .x_label_formatter(&|x| bookkit::fixed(*x, 0))
            .y_label_formatter(&|y| bookkit::fixed(*y, 0))
            .light_line_style(WHITE.mix(0.0))
            .draw()?;
        for ((_, points), (_, style)) in curves.into_iter().zip(&entries) {
            chart.draw_series(LineSeries::new(points, *style))?;
        }
        Ok(())
    })
}
