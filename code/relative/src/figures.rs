//! The chapter's figures.

use bookkit::chart::Axes;
use bookkit::{Figure, FigureError, Heatmap, PALETTE, diverging, heatmap};
use plotters::prelude::*;

use crate::alibi::{bias, slopes, weight_at_distance};
use crate::report::ALIBI_DECAY_WINDOW;
use crate::shaw::memory_floats;
use crate::t5::{Buckets, bucket};
use crate::tiled::score_floats;

/// Every figure of the chapter.
///
/// # Errors
/// A drawing failure, naming the figure.
pub fn figures() -> Result<Vec<Figure>, FigureError> {
    Ok(vec![
        t5_buckets()?,
        alibi_bias()?,
        alibi_decay()?,
        memory()?,
    ])
}

/// Offset → bucket for T5's defaults, bidirectional and causal.
fn t5_buckets() -> Result<Figure, FigureError> {
    Figure::draw("relative-t5-buckets", 820, 400, |root| {
        let causal = Buckets::new(false, 32, 128)?;
        let mut chart = Axes::new("T5: offset j − i → bucket (32 buckets, max distance 128)")
            .y_label_area(44)
            .build(root, -160f64..160f64, -1f64..33f64)?;
        chart
            .configure_mesh()
            .x_desc("offset j − i (negative: looking back)")
            .y_desc("bucket")
            .x_label_formatter(&|x| bookkit::fixed(*x, 0))
            .y_label_formatter(&|y| bookkit::fixed(*y, 0))
            .light_line_style(WHITE.mix(0.0))
            .draw()?;
        for (n, (label, cfg)) in [("bidirectional", Buckets::T5), ("causal", causal)]
            .into_iter()
            .enumerate()
        {
            let c = PALETTE[n];
            // Draw as steps: each offset's bucket held flat across its unit interval.
            let points: Vec<(f64, f64)> = (-160i64..160)
                .flat_map(|r| {
                    let b = bucket(r, cfg) as f64;
                    [(r as f64 - 0.5, b), (r as f64 + 0.5, b)]
                })
                .collect();
            chart
                .draw_series(LineSeries::new(points, bookkit::line(c)))?
                .label(label)
                .legend(bookkit::legend_line(c));
        }
        bookkit::legend(&mut chart, SeriesLabelPosition::UpperLeft)?;
        Ok(())
    })
}

/// The causal ALiBi bias of four of eight heads (masked entries grey).
fn alibi_bias() -> Result<Figure, FigureError> {
    Figure::draw("relative-alibi-bias", 900, 260, |root| {
        let n = 10;
        let m = slopes(8)?;
        let panels = root.split_evenly((1, 4));
        for (panel, h) in panels.iter().zip([0usize, 1, 3, 7]) {
            let b = bias(m[h], n);
            // One colour scale for all heads (head 1's largest penalty is darkest); NaN marks the
            // mask.
            let scale = m[0] * (n - 1) as f64;
            let values: Vec<Vec<f64>> = (0..n)
                .map(|i| {
                    (0..n)
                        .map(|j| if j > i { f64::NAN } else { b[[i, j]] / scale })
                        .collect()
                })
                .collect();
            let labels: Vec<String> = (0..n)
                .map(|k| {
                    if k % 3 == 0 {
                        k.to_string()
                    } else {
                        String::new()
                    }
                })
                .collect();
            let title = format!("head {}, m_{} = 2^-{}", h + 1, h + 1, h + 1);
            heatmap(
                &panel.margin(4, 4, 4, 4),
                &Heatmap {
                    title: &title,
                    values: &values,
                    row_labels: &labels,
                    col_labels: &labels,
                    color: masked_diverging,
                    annotate: None,
                    cell_text: None,
                },
            )?;
        }
        Ok(())
    })
}

fn masked_diverging(t: f64) -> RGBColor {
    if t.is_nan() {
        RGBColor(225, 225, 225)
    } else {
        diverging(t)
    }
}

/// Attention weight at distance Δ, by head, with equal content logits.
fn alibi_decay() -> Result<Figure, FigureError> {
    let n = ALIBI_DECAY_WINDOW;
    Figure::draw("relative-alibi-decay", 820, 420, |root| {
        let m = slopes(8)?;
        let title = alibi_decay_title(n);
        let mut chart =
            Axes::new(&title).build(root, 0f64..(n - 1) as f64, (1e-8f64..1f64).log_scale())?;
        chart
            .configure_mesh()
            .x_desc("distance Δ = i − j")
            .y_desc("attention weight")
            .x_label_formatter(&|x| bookkit::fixed(*x, 0))
            .y_label_formatter(&|y| format!("{y:.0e}"))
            .light_line_style(WHITE.mix(0.0))
            .draw()?;
        for (h, &slope) in m.iter().enumerate() {
            let c = PALETTE[h % PALETTE.len()];
            let style = if h < PALETTE.len() {
                bookkit::line(c)
            } else {
                // Beyond the palette: greys, lighter for the later head.
                ShapeStyle::from(BLACK.mix(if h == PALETTE.len() { 0.8 } else { 0.4 }))
                    .stroke_width(2)
            };
            // Weights below the plot's floor are left out rather than clamped.
            let points = (0..n)
                .map(|k| weight_at_distance(slope, k, n).map(|w| (k as f64, w)))
                .filter(|p| p.as_ref().map_or(true, |&(_, w)| w >= 1e-8))
                .collect::<Result<Vec<_>, _>>()?;
            chart
                .draw_series(LineSeries::new(points, style))?
                .label(format!("head {}, m_{} = 2^-{}", h + 1, h + 1, h + 1))
                .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 16, y)], style));
        }
        bookkit::legend(&mut chart, SeriesLabelPosition::LowerRight)?;
        Ok(())
    })
}

/// The decay figure's title, from the same window as its data.
fn alibi_decay_title(n: usize) -> String {
    format!("ALiBi: weight on the key Δ tokens back, 8 heads, equal content (window n = {n})")
}

/// Floats held as a function of the sequence length.
type FloatsAt = Box<dyn Fn(usize) -> usize>;

/// Memory of the relative key term and of the scores, as n grows (log–log).
fn memory() -> Result<Figure, FigureError> {
    let (d, k, block) = (64, 16, 128);
    Figure::draw("relative-memory", 820, 420, |root| {
        let title =
            format!("floats held at once, one head (d_head = {d}, Δ_max = {k}, tiles of {block})");
        let mut chart =
            Axes::new(&title).build(root, 7.8f64..14.2f64, (1e3f64..1e11f64).log_scale())?;
        chart
            .configure_mesh()
            .x_desc("sequence length n")
            .y_desc("floats")
            .x_labels(7)
            .x_label_formatter(&|x| bookkit::fixed(2f64.powf(x.round()), 0))
            .y_label_formatter(&|y| format!("{y:.0e}"))
            .light_line_style(WHITE.mix(0.0))
            .draw()?;
        let ns: Vec<usize> = (8..=14).map(|e| 1usize << e).collect();
        let curves: [(&str, FloatsAt); 5] = [
            (
                "Shaw, explicit A^K (n²·d_head)",
                Box::new(move |n| memory_floats(n, d, k).0),
            ),
            (
                "naive scores (3n²)",
                Box::new(move |n| score_floats(n, block).0),
            ),
            (
                "Shaw, skewing (n·d_head + n(n+1))",
                Box::new(move |n| memory_floats(n, d, k).2),
            ),
            (
                "Shaw, gather (n(2Δ_max+1))",
                Box::new(move |n| memory_floats(n, d, k).1),
            ),
            (
                "tiled scores (one tile)",
                Box::new(move |n| score_floats(n, block).1),
            ),
        ];
        for (i, (label, f)) in curves.iter().enumerate() {
            let c = PALETTE[i];
            // x is log2(n), labelled with n itself.
            let points: Vec<(f64, f64)> = ns
                .iter()
                .map(|&n| ((n as f64).log2(), f(n) as f64))
                .collect();
            chart
                .draw_series(LineSeries::new(points.clone(), bookkit::line(c)))?
                .label(*label)
                .legend(bookkit::legend_line(c));
            chart.draw_series(points.iter().map(|&p| Circle::new(p, 3, c.filled())))?;
        }
        bookkit::legend(&mut chart, SeriesLabelPosition::UpperLeft)?;
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_decay_figure_is_titled_with_the_window_it_draws() {
        let fig = alibi_decay().unwrap();
        let title = alibi_decay_title(ALIBI_DECAY_WINDOW);
        assert!(fig.svg.contains(&title), "the SVG lacks its title");
        assert!(title.contains(&format!("n = {ALIBI_DECAY_WINDOW}")));
        // The table the page shows beside it states the same window.
        let table = crate::report::alibi_decay(8, ALIBI_DECAY_WINDOW, &[1]).unwrap();
        assert!(table.contains(&format!("n = {ALIBI_DECAY_WINDOW} keys")));
    }

    #[test]
    fn the_memory_figure_draws_its_title() {
        let fig = memory().unwrap();
        assert!(
            fig.svg
                .contains("one head (d_head = 64, Δ_max = 16, tiles of 128)"),
            "the SVG lacks its title"
        );
    }
}
