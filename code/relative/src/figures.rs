//! The chapter's figures.

use bookkit::chart::{Axes, BookMesh};
use bookkit::format::{subscript, superscript};
use bookkit::heatmap::{Frame, KEY_HEIGHT, Key, colour_key, heatmap_with};
use bookkit::style::masked_diverging;
use bookkit::{Figure, FigureError, Heatmap, PALETTE};
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
        crate::explore::figure()?,
    ])
}

/// Offset → bucket for T5's defaults, bidirectional and causal.
fn t5_buckets() -> Result<Figure, FigureError> {
    Figure::draw("relative-t5-buckets", 820, 430, |root| {
        let causal = Buckets::new(false, 32, 128)?;
        let configs = [("bidirectional", Buckets::T5), ("causal", causal)];
        let entries: Vec<_> = (configs.iter().enumerate())
            .map(|(n, (label, _))| (label.to_string(), bookkit::line(PALETTE[n])))
            .collect();
        let plot = bookkit::legend_below(root, &entries)?;
        let mut chart = Axes::new("T5: offset j − i → bucket (32 buckets, max distance 128)")
            .y_label_area(52)
            .build(&plot, -160f64..160f64, -1f64..33f64)?;
        chart
            .configure_mesh()
            .book_labels()
            .x_desc("offset j − i (negative: looking back)")
            .y_desc("bucket")
            .x_label_formatter(&|x| bookkit::fixed(*x, 0))
            .y_label_formatter(&|y| bookkit::fixed(*y, 0))
            .light_line_style(WHITE.mix(0.0))
            .draw()?;
        for (&(_, cfg), (_, style)) in configs.iter().zip(&entries) {
            // Draw as steps: each offset's bucket held flat across its unit interval.
            let points: Vec<(f64, f64)> = (-160i64..160)
                .flat_map(|r| {
                    let b = bucket(r, cfg) as f64;
                    [(r as f64 - 0.5, b), (r as f64 + 0.5, b)]
                })
                .collect();
            chart.draw_series(LineSeries::new(points, *style))?;
        }
        Ok(())
    })
}

/// The causal ALiBi bias of four of eight heads (masked entries grey).
fn alibi_bias() -> Result<Figure, FigureError> {
    Figure::draw("relative-alibi-bias", 900, 340, |root| {
        let n = 10;
        let m = slopes(8)?;
        let (grids, strip) = root.split_vertically(340 - KEY_HEIGHT as i32 - 8);
        let panels = grids.split_evenly((1, 4));
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
            let title = format!(
                "head {h1}, m{s} = 2{p}",
                h1 = h + 1,
                s = subscript(h as i64 + 1),
                p = superscript(-(h as i64 + 1))
            );
            heatmap_with(
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
                &Frame {
                    x_title: "key j",
                    y_title: "query i",
                    key: None,
                },
            )?;
        }
        // The colours are bias / scale; the key is labelled with the bias itself.
        let scale = m[0] * (n - 1) as f64;
        let key = Key::Scale {
            title: "bias −m(i − j) (grey: masked)".into(),
            from: -1.0,
            to: 0.0,
            ticks: [-1.0, -0.5, 0.0]
                .map(|t| (t, bookkit::fixed(t * scale, 2)))
                .to_vec(),
        };
        colour_key(&strip, &key, masked_diverging)?;
        Ok(())
    })
}

/// Attention weight at distance Δ, by head, with equal content logits.
fn alibi_decay() -> Result<Figure, FigureError> {
    let n = ALIBI_DECAY_WINDOW;
    Figure::draw("relative-alibi-decay", 820, 470, |root| {
        let m = slopes(8)?;
        let title = alibi_decay_title(n);
        let entries: Vec<(String, ShapeStyle)> = (0..m.len())
            .map(|h| {
                let k = h as i64 + 1;
                let m = format!("m{} = 2{}", subscript(k), superscript(-k));
                (format!("head {}, {m}", h + 1), head_style(h))
            })
            .collect();
        let plot = bookkit::legend_below(root, &entries)?;
        let mut chart = Axes::new(&title).x_label_area(52).build(
            &plot,
            0f64..n as f64,
            (1e-8f64..1f64).log_scale(),
        )?;
        chart
            .configure_mesh()
            .book_labels()
            .x_desc("distance Δ = i − j")
            .y_desc("attention weight")
            .x_label_formatter(&|x| bookkit::fixed(*x, 0))
            .y_label_formatter(&|y| format!("{y:.0e}"))
            .light_line_style(WHITE.mix(0.0))
            .draw()?;
        for ((&slope, (_, style)), _) in m.iter().zip(&entries).zip(0..) {
            let style = *style;
            // Weights below the plot's floor are left out rather than clamped.
            let points = (0..n)
                .map(|k| weight_at_distance(slope, k, n).map(|w| (k as f64, w)))
                .filter(|p| p.as_ref().map_or(true, |&(_, w)| w >= 1e-8))
                .collect::<Result<Vec<_>, _>>()?;
            chart.draw_series(LineSeries::new(points, style))?;
        }
        Ok(())
    })
}

/// The line of head `h` (from 0) in the decay figure: the palette, then black dashes and black
/// dots, so that no two heads share a style.
fn head_style(h: usize) -> ShapeStyle {
    match PALETTE.get(h) {
        Some(&c) => bookkit::line(c),
        None => ShapeStyle::from(BLACK).stroke_width(if h == PALETTE.len() { 2 } else { 1 }),
    }
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
    Figure::draw("relative-memory", 820, 480, |root| {
        let labels = [
            "Shaw, explicit Aᴷ (n²·d_head)",
            "naive scores (3n²)",
            "Shaw, skewing (n·d_head + n(n+1))",
            "Shaw, gather (n(2Δ_max+1))",
            "tiled scores (one tile)",
        ];
        let entries: Vec<_> = (labels.iter().enumerate())
            .map(|(i, l)| (l.to_string(), bookkit::line(PALETTE[i])))
            .collect();
        let plot = bookkit::legend_below(root, &entries)?;
        let title =
            format!("floats held at once, one head (d_head = {d}, Δ_max = {k}, tiles of {block})");
        let mut chart =
            Axes::new(&title).build(&plot, 7.8f64..14.2f64, (1e3f64..1e11f64).log_scale())?;
        chart
            .configure_mesh()
            .book_labels()
            .x_desc("sequence length n")
            .y_desc("floats")
            .x_labels(7)
            .x_label_formatter(&|x| bookkit::fixed(2f64.powf(x.round()), 0))
            .y_label_formatter(&|y| format!("{y:.0e}"))
            .light_line_style(WHITE.mix(0.0))
            .draw()?;
        let ns: Vec<usize> = (8..=14).map(|e| 1usize << e).collect();
        // In the order of `labels`.
        let curves: [FloatsAt; 5] = [
            Box::new(move |n| memory_floats(n, d, k).0),
            Box::new(move |n| score_floats(n, block).0),
            Box::new(move |n| memory_floats(n, d, k).2),
            Box::new(move |n| memory_floats(n, d, k).1),
            Box::new(move |n| score_floats(n, block).1),
        ];
        for (i, f) in curves.iter().enumerate() {
            let c = PALETTE[i];
            // x is log2(n), labelled with n itself.
            let points: Vec<(f64, f64)> = ns
                .iter()
                .map(|&n| ((n as f64).log2(), f(n) as f64))
                .collect();
            chart.draw_series(LineSeries::new(points.clone(), bookkit::line(c)))?;
            chart.draw_series(points.iter().map(|&p| Circle::new(p, 3, c.filled())))?;
        }
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
