//! The chapter's figures.

use bookkit::chart::{Axes, BookMesh};
use bookkit::heatmap::Frame;
use bookkit::{Figure, FigureError, Heatmap, PALETTE, category, diverging, heatmap, heatmap_with};
use plotters::prelude::*;

use crate::packing::{Reset, pack};
use crate::report::{TOY_DIM, TOY_LENGTHS, TOY_ROWS, toy_run};

/// The documents and context length of the packing figure.
pub const DOCS: [usize; 5] = [5, 3, 7, 2, 6];
/// The context length of the packing figure.
pub const CONTEXT: usize = 8;

/// `4, 8 and 12`.
fn and_list(items: &[usize]) -> String {
    let words: Vec<String> = items.iter().map(|x| x.to_string()).collect();
    match words.as_slice() {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

/// The left panel's title of the training figure, from the toy run's constants.
pub fn training_title() -> String {
    let lengths: Vec<String> = TOY_LENGTHS.iter().map(|n| n.to_string()).collect();
    format!(
        "{TOY_ROWS} × {TOY_DIM} table after training on lengths {}",
        lengths.join(", ")
    )
}

/// The page's image line for the training figure, from the toy run's constants.
pub fn training_caption() -> String {
    let longest = TOY_LENGTHS.iter().copied().max().unwrap_or(0);
    format!(
        "![A {TOY_ROWS}-row table after training on lengths {} (left): rows 0 to {} have taken on \
         structure, rows {longest} to {} are still small random values. Right: how far each row \
         moved and how far it remains from its target.](figures/learned-training.svg)",
        and_list(&TOY_LENGTHS),
        longest.saturating_sub(1),
        TOY_ROWS - 1
    )
}

/// The page's image line for the packing figure, from [`DOCS`] and [`CONTEXT`] and the first
/// token whose position differs from its index.
///
/// # Errors
/// As [`pack`].
pub fn packing_caption() -> Result<String, crate::Error> {
    let slots = pack(&DOCS, CONTEXT, Reset::Never)?;
    let example = slots
        .iter()
        .find(|s| s.position != s.index_in_doc)
        .map_or(String::new(), |s| {
            format!(
                " \"{}≠{}\" marks a token given position {} whose index in its document is {}.",
                s.position, s.index_in_doc, s.position, s.index_in_doc
            )
        });
    Ok(format!(
        "![Documents of {} tokens packed into contexts of {CONTEXT} (colour = document). Each \
         cell shows the position the model is given;{example}](figures/learned-packing.svg)",
        and_list(&DOCS)
    ))
}

/// Every figure of the chapter.
///
/// # Errors
/// A drawing failure, naming the figure.
pub fn figures() -> Result<Vec<Figure>, FigureError> {
    Ok(vec![training()?, packing()?])
}

/// The toy run of the page's table ([`toy_run`]): learned rows, untouched rows.
fn training() -> Result<Figure, FigureError> {
    Figure::draw("learned-training", 900, 460, |root| {
        let (max_len, d) = (TOY_ROWS, TOY_DIM);
        let run = toy_run()?;
        let target = sinusoidal::Sinusoid::paper(d)?;
        let (left, right) = root.split_horizontally(430);
        let values: Vec<Vec<f64>> = run
            .trained
            .rows()
            .rows()
            .into_iter()
            .map(|r| r.to_vec())
            .collect();
        let rows = bookkit::heatmap::every_nth(max_len, 4);
        let cols = bookkit::heatmap::every_nth(d, 4);
        heatmap_with(
            &left.margin(6, 6, 6, 6),
            &Heatmap {
                title: &training_title(),
                values: &values,
                row_labels: &rows,
                col_labels: &cols,
                color: diverging,
                annotate: None,
                cell_text: None,
            },
            &Frame {
                x_title: "dimension j",
                y_title: "position p",
                key: Some(bookkit::heatmap::Key::Scale {
                    title: "entry".into(),
                    from: -1.0,
                    to: 1.0,
                    ticks: vec![
                        (-1.0, "≤ −1".into()),
                        (0.0, "0".into()),
                        (1.0, "≥ 1".into()),
                    ],
                }),
            },
        )?;
        let series = [
            ("distance moved from the initial row", PALETTE[0], true),
            ("distance to the target", PALETTE[1], false),
        ];
        let entries: Vec<_> = (series.iter())
            .map(|&(label, c, _)| (label.to_string(), ShapeStyle::from(c).stroke_width(2)))
            .collect();
        let right = bookkit::legend_below(&right, &entries)?;
        let mut chart = Axes::new("per position").y_label_area(52).build(
            &right,
            -0.5f64..(max_len as f64 - 0.5),
            0f64..3.4f64,
        )?;
        chart
            .configure_mesh()
            .book_labels()
            .x_desc("position")
            .x_label_formatter(&|x| bookkit::fixed(*x, 0))
            .y_label_formatter(&|y| bookkit::fixed(*y, 1))
            .light_line_style(WHITE.mix(0.0))
            .draw()?;
        for (_, c, moved) in series {
            let points = (0..max_len)
                .map(|p| {
                    let now = run.trained.lookup(p)?;
                    let other = if moved {
                        run.initial.lookup(p)?.to_owned()
                    } else {
                        target.encode(p)
                    };
                    Ok((p as f64, (&now - &other).mapv(|v| v * v).sum().sqrt()))
                })
                .collect::<Result<Vec<_>, order::Error>>()?;
            chart.draw_series(LineSeries::new(
                points.clone(),
                ShapeStyle::from(c).stroke_width(2),
            ))?;
            chart.draw_series(points.iter().map(|&p| Circle::new(p, 3, c.filled())))?;
        }
        Ok(())
    })
}

/// Documents packed into contexts: colour = document, number = the position the model sees.
fn packing() -> Result<Figure, FigureError> {
    Figure::draw("learned-packing", 900, 470, |root| {
        let (top, bottom) = root.split_vertically(190);
        // One key for both grids, under the second: the colours are the documents.
        let key = Frame {
            x_title: "offset in the context",
            y_title: "",
            key: Some(bookkit::heatmap::Key::Swatches {
                title: "document:".into(),
                entries: (DOCS.iter().enumerate())
                    .map(|(k, len)| (k as f64, format!("{k} ({len} tokens)")))
                    .collect(),
            }),
        };
        for (area, reset, title) in [
            (
                top,
                Reset::Never,
                "positions without reset (colour = document)",
            ),
            (
                bottom,
                Reset::AtDocumentStart,
                "positions with reset at each document start",
            ),
        ] {
            let slots = pack(&DOCS, CONTEXT, reset)?;
            let contexts = slots.last().map_or(0, |s| s.context + 1);
            let mut values = vec![vec![f64::NAN; CONTEXT]; contexts];
            let mut text = vec![vec![String::new(); CONTEXT]; contexts];
            for s in &slots {
                values[s.context][s.offset] = s.doc as f64;
                text[s.context][s.offset] = if s.position == s.index_in_doc {
                    s.position.to_string()
                } else {
                    format!("{}≠{}", s.position, s.index_in_doc)
                };
            }
            let rows: Vec<String> = (0..contexts).map(|c| format!("context {c}")).collect();
            let cols: Vec<String> = (0..CONTEXT).map(|o| o.to_string()).collect();
            let map = Heatmap {
                title,
                values: &values,
                row_labels: &rows,
                col_labels: &cols,
                color: category,
                annotate: None,
                cell_text: Some(&text),
            };
            let area = area.margin(4, 4, 6, 6);
            if reset == Reset::Never {
                heatmap(&area, &map)?;
            } else {
                heatmap_with(&area, &map, &key)?;
            }
        }
        Ok(())
    })
}
