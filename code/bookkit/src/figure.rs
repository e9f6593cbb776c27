//! Drawing a figure: an SVG on a white background that turns dark in the book's dark themes, with
//! no font files, byte-identical run to run.

use plotters::prelude::*;

/// A figure of the book: the file stem under `src/figures/` and the SVG text.
#[derive(Debug, Clone, PartialEq)]
pub struct Figure {
    /// File stem, e.g. `order-attention` for `src/figures/order-attention.svg`.
    pub name: &'static str,
    /// The SVG document.
    pub svg: String,
    /// For a figure a reader can move: the JSON its renderer (`src/theme/explore.js`) redraws
    /// it from, written beside the SVG as `<name>.json` and checked as the SVG is.
    pub data: Option<String>,
}

impl Figure {
    /// Draws a `width × height` figure named `name` with [`svg`]: the name is written once.
    ///
    /// # Errors
    /// As [`svg`].
    ///
    /// ```
    /// let f = bookkit::Figure::draw("demo-blank", 20, 10, |_| Ok(()))?;
    /// assert_eq!(f.name, "demo-blank");
    /// assert!(f.svg.starts_with("<svg"));
    /// # Ok::<(), bookkit::FigureError>(())
    /// ```
    pub fn draw<F>(
        name: &'static str,
        width: u32,
        height: u32,
        draw: F,
    ) -> Result<Figure, FigureError>
    where
        F: FnOnce(&Area<'_>) -> Result<(), Box<dyn std::error::Error>>,
    {
        Ok(Figure {
            name,
            svg: svg(name, width, height, draw)?,
            data: None,
        })
    }

    /// The figure with `json` as its data: a figure a reader can move (see [`Figure::data`]).
    ///
    /// ```
    /// let f = bookkit::Figure::draw("demo-blank", 20, 10, |_| Ok(()))?.with_data("{}".into());
    /// assert_eq!(f.data.as_deref(), Some("{}"));
    /// # Ok::<(), bookkit::FigureError>(())
    /// ```
    #[must_use]
    pub fn with_data(self, json: String) -> Figure {
        Figure {
            data: Some(json),
            ..self
        }
    }

    /// The files the figure is written as: `<name>.svg` with the SVG, and `<name>.json` with its
    /// data when it has some.
    pub fn files(&self) -> Vec<(String, &str)> {
        let mut files = vec![(format!("{}.svg", self.name), self.svg.as_str())];
        if let Some(data) = &self.data {
            files.push((format!("{}.json", self.name), data.as_str()));
        }
        files
    }
}

/// Any failure while drawing a figure, with the figure's name.
#[derive(Debug, Clone, PartialEq)]
pub struct FigureError(pub String);

impl std::fmt::Display for FigureError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "drawing failed: {}", self.0)
    }
}

impl std::error::Error for FigureError {}

/// The drawing area a figure closure receives.
pub type Area<'a> = DrawingArea<SVGBackend<'a>, plotters::coord::Shift>;

/// The font family for all text; the browser picks the actual face.
pub const FONT: &str = "sans-serif";

/// Draws a `width × height` SVG on a white background and returns its text, with the
/// [`crate::style::dark_style`] block first, so that the figure follows the dark themes.
///
/// # Errors
/// Whatever the closure reports, or a backend failure, as a [`FigureError`] naming `name`.
///
/// ```
/// use plotters::prelude::*;
/// let svg = bookkit::svg("dot", 40, 30, |area| {
///     area.draw(&Circle::new((20, 15), 5, BLACK.filled()))?;
///     Ok(())
/// })?;
/// assert!(svg.starts_with("<svg"));
/// assert!(svg.contains("<circle"));
/// assert!(svg.lines().nth(1) == Some("<style>"), "{svg}");
/// # Ok::<(), bookkit::FigureError>(())
/// ```
pub fn svg<F>(name: &str, width: u32, height: u32, draw: F) -> Result<String, FigureError>
where
    F: FnOnce(&Area<'_>) -> Result<(), Box<dyn std::error::Error>>,
{
    let mut out = String::new();
    {
        let area = SVGBackend::with_string(&mut out, (width, height)).into_drawing_area();
        let result = area
            .fill(&crate::style::PAPER)
            .map_err(|e| e.to_string())
            .and_then(|()| draw(&area).map_err(|e| e.to_string()))
            .and_then(|()| area.present().map_err(|e| e.to_string()));
        result.map_err(|e| FigureError(format!("{name}: {e}")))?;
    }
    // After the root element's opening tag, which plotters writes as the first line.
    let at = out.find('\n').map_or(out.len(), |i| i + 1);
    out.insert_str(at, &crate::style::dark_style());
    Ok(out)
}
