//! The chapter's figure a reader can move: ALiBi's slope of every head, as halvings
//! (`−log₂ m_h`), as the head count changes.
//!
//! The crate computes the slopes at every head count of [`HEADS`] with [`slopes`] and writes them
//! as JSON beside the figure (`src/figures/relative-alibi-slopes.json`); the book's renderer
//! (`src/theme/explore.js`) only looks them up and moves the curve of the static SVG, which is
//! drawn at [`INITIAL_HEADS`] and is what readers without JavaScript, print and the PDF see. The
//! figure test holds both files to the code, byte for byte.

use bookkit::chart::{Axes, BookMesh};
use bookkit::{Figure, FigureError, PALETTE};
use plotters::prelude::*;
use serde_json::json;

use crate::Error;
use crate::alibi::slopes;

/// The head counts the slider steps through: powers of two and the counts between them.
pub const HEADS: [usize; 9] = [2, 3, 4, 6, 8, 12, 16, 24, 32];
/// The head count the static figure shows.
pub const INITIAL_HEADS: usize = 12;
/// Decimals kept in the JSON: 1e-4 halvings is 0.002 px of the figure's plot.
pub const DECIMALS: i32 = 4;

/// The top of the y axis, in halvings (the gentlest slope is `2^−8`).
const Y_TOP: f64 = 8.5;
/// The x axis runs over heads 1 to the largest head count.
const LAST_HEAD: usize = 32;

/// `−log₂ m_h` for every head `h` of `heads`, in the order the heads are numbered.
///
/// # Errors
/// A head count [`slopes`] refuses (zero, or more than 65536).
///
/// ```
/// let h = relative::explore::halvings(4)?;
/// assert_eq!(h, [2.0, 4.0, 6.0, 8.0]);
/// # Ok::<(), relative::Error>(())
/// ```
pub fn halvings(heads: usize) -> Result<Vec<f64>, Error> {
    Ok(slopes(heads)?.iter().map(|m| -m.log2()).collect())
}

/// The figure's title at one head count.
pub fn title(heads: usize) -> String {
    format!("ALiBi: the slope of each head as halvings, −log₂ mₕ, for H = {heads} heads")
}

/// The figure's alt text at one head count.
pub fn alt(heads: usize) -> String {
    format!(
        "The slope of each of {heads} ALiBi heads, as −log₂ mₕ against the head number h: a \
         larger value is a gentler slope, a head that looks further back."
    )
}

/// The page's image line for the figure (what readers without JavaScript see).
pub fn caption() -> String {
    format!(
        "![{}](figures/relative-alibi-slopes.svg)",
        alt(INITIAL_HEADS)
    )
}

fn round(x: f64) -> f64 {
    let k = 10f64.powi(DECIMALS);
    (x * k).round() / k
}

/// The figure at [`INITIAL_HEADS`], with its data: the slopes at every head count of [`HEADS`].
///
/// # Errors
/// A drawing failure.
pub fn figure() -> Result<Figure, FigureError> {
    let fail = |e: Error| FigureError(format!("relative-alibi-slopes: {e}"));
    let initial = halvings(INITIAL_HEADS).map_err(fail)?;
    let colour = PALETTE[0];
    let mut corners = ((0, 0), (0, 0));
    let fig = Figure::draw("relative-alibi-slopes", 820, 420, |root| {
        let title = title(INITIAL_HEADS);
        let mut chart =
            Axes::new(&title)
                .caption_size(17)
                .build(root, 1f64..LAST_HEAD as f64, 0f64..Y_TOP)?;
        chart
            .configure_mesh()
            .book_labels()
            .x_desc("head h")
            .y_desc("−log₂ mₕ (halvings)")
            .x_label_formatter(&|x| bookkit::fixed(*x, 0))
            .y_label_formatter(&|y| bookkit::fixed(*y, 0))
            .light_line_style(WHITE.mix(0.0))
            .draw()?;
        let points = initial
            .iter()
            .enumerate()
            .map(|(h, &y)| ((h + 1) as f64, y));
        chart.draw_series(LineSeries::new(points, bookkit::line(colour)))?;
        corners = (
            chart.backend_coord(&(1.0, 0.0)),
            chart.backend_coord(&(LAST_HEAD as f64, Y_TOP)),
        );
        Ok(())
    })?;
    let values: Vec<Vec<f64>> = HEADS
        .iter()
        .map(|&n| Ok(halvings(n)?.into_iter().map(round).collect()))
        .collect::<Result<_, Error>>()
        .map_err(fail)?;
    let template = |text: &dyn Fn(usize) -> String| text(987_654).replace("987654", "{heads}");
    let ((x0, y0), (x1, y1)) = corners;
    let doc = json!({
        "controls": [{ "id": "heads", "label": "heads H", "values": HEADS,
                       "initial": HEADS.iter().position(|&n| n == INITIAL_HEADS) }],
        "x": { "from": 1.0, "to": LAST_HEAD as f64, "px": [x0, x1] },
        "y": { "from": 0.0, "to": Y_TOP, "px": [y0, y1] },
        "title": { "drawn": title(INITIAL_HEADS), "template": template(&title) },
        "alt": { "drawn": alt(INITIAL_HEADS), "template": template(&alt) },
        "series": [{
            "label": "−log₂ mₕ",
            "stroke": format!("#{:02X}{:02X}{:02X}", colour.0, colour.1, colour.2),
            "by": ["heads"],
            "values": values,
        }],
    });
    Ok(fig.with_data(doc.to_string() + "\n"))
}
