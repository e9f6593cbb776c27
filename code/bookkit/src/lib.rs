//! What every chapter crate needs to show its results in the book the same way:
//!
//! - [`fixed`] and [`Table`]: numbers with a fixed number of decimals and no `-0.000`, so a
//!   snapshot is stable across platforms and readable on the page;
//! - [`Figure`], [`svg`], [`heatmap`]: SVG figures drawn by plotters with no font files, so the
//!   bytes are the same on every machine, and [`check_figures`] / [`write_figures`], which the
//!   figure-freshness test and `cargo xtask figures` call.
//!
//! Figures get an opaque white background so they read the same in mdBook's light and dark
//! themes.

#![cfg_attr(test, allow(clippy::unwrap_used))]

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

/// `x` with exactly `decimals` digits after the point, never `-0.000`.
///
/// ```
/// assert_eq!(bookkit::fixed(-0.00001, 3), "0.000");
/// assert_eq!(bookkit::fixed(-1.23456, 3), "-1.235");
/// assert_eq!(bookkit::fixed(2.0, 0), "2");
/// assert_eq!(bookkit::fixed(f64::NAN, 2), "NaN");
/// ```
pub fn fixed(x: f64, decimals: usize) -> String {
    let s = format!("{x:.decimals$}");
    match s.strip_prefix('-') {
        Some(rest) if rest.chars().all(|c| c == '0' || c == '.') => rest.to_string(),
        _ => s,
    }
}

/// A Markdown table built row by row; the page shows it as a table, the snapshot keeps it as text.
///
/// ```
/// let mut t = bookkit::Table::new(["token", "value"]);
/// t.row(["John".to_string(), bookkit::fixed(0.5, 2)]);
/// assert_eq!(t.to_string(), "| token | value |\n|:--|--:|\n| John | 0.50 |\n");
/// ```
#[derive(Debug, Clone)]
pub struct Table {
    header: Vec<String>,
    rows: Vec<Vec<String>>,
}

impl Table {
    /// A table with these column headings; the first column is left-aligned, the rest right.
    pub fn new<S: Into<String>>(header: impl IntoIterator<Item = S>) -> Self {
        Table {
            header: header.into_iter().map(Into::into).collect(),
            rows: Vec::new(),
        }
    }

    /// Appends a row (it may be shorter than the header; missing cells stay empty).
    pub fn row<S: Into<String>>(&mut self, cells: impl IntoIterator<Item = S>) -> &mut Self {
        self.rows.push(cells.into_iter().map(Into::into).collect());
        self
    }
}

impl std::fmt::Display for Table {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(f, "| {} |", self.header.join(" | "))?;
        let align: Vec<&str> = (0..self.header.len())
            .map(|i| if i == 0 { ":--" } else { "--:" })
            .collect();
        writeln!(f, "|{}|", align.join("|"))?;
        for row in &self.rows {
            let mut cells = row.clone();
            cells.resize(self.header.len().max(row.len()), String::new());
            writeln!(f, "| {} |", cells.join(" | "))?;
        }
        Ok(())
    }
}

/// Formats a vector as `(a, b, c)` with fixed decimals.
///
/// ```
/// assert_eq!(bookkit::tuple([1.0, -0.0, 0.25], 2), "(1.00, 0.00, 0.25)");
/// ```
pub fn tuple(values: impl IntoIterator<Item = f64>, decimals: usize) -> String {
    let parts: Vec<String> = values.into_iter().map(|x| fixed(x, decimals)).collect();
    format!("({})", parts.join(", "))
}

/// An example program's `--flag value` arguments, read with errors that name the flag, the value
/// and the rule, followed by the usage text.
///
/// ```
/// let args: Vec<String> = ["--dim", "8", "--fast"].iter().map(|s| s.to_string()).collect();
/// let mut flags = bookkit::Flags::new(&args, "usage: demo", &["--fast"])?;
/// assert_eq!(flags.get("--dim", 4usize, |d| *d <= 64, "a whole number up to 64")?, 8);
/// assert_eq!(flags.get("--base", 2.5f64, |_| true, "a number")?, 2.5); // absent: the default
/// assert!(flags.switch("--fast"));
/// flags.finish()?;
/// let bad: Vec<String> = ["--dim", "x"].iter().map(|s| s.to_string()).collect();
/// let e = bookkit::Flags::new(&bad, "usage: demo", &[])?
///     .get("--dim", 4usize, |_| true, "a whole number")
///     .unwrap_err();
/// assert_eq!(e, "--dim x: expected a whole number\nusage: demo");
/// # Ok::<(), String>(())
/// ```
#[derive(Debug, Clone)]
pub struct Flags<'u> {
    pairs: Vec<(String, Option<String>)>,
    usage: &'u str,
}

impl<'u> Flags<'u> {
    /// Pairs each flag with its value; the flags in `switches` take none.
    ///
    /// # Errors
    /// `-h` or `--help` (the usage text), a bare value, or a flag with no value.
    pub fn new(args: &[String], usage: &'u str, switches: &[&str]) -> Result<Self, String> {
        let mut pairs = Vec::new();
        let mut it = args.iter();
        while let Some(flag) = it.next() {
            if flag == "-h" || flag == "--help" {
                return Err(usage.to_string());
            }
            if !flag.starts_with("--") {
                return Err(format!("unexpected argument `{flag}`\n{usage}"));
            }
            let value = if switches.contains(&flag.as_str()) {
                None
            } else {
                let v = it
                    .next()
                    .ok_or_else(|| format!("{flag} needs a value\n{usage}"))?;
                Some(v.clone())
            };
            pairs.push((flag.clone(), value));
        }
        Ok(Flags { pairs, usage })
    }

    /// Removes every occurrence of `flag` and returns the last value given.
    fn take(&mut self, flag: &str) -> Option<String> {
        let mut last = None;
        self.pairs.retain(|(f, v)| {
            if f == flag {
                last = v.clone();
                false
            } else {
                true
            }
        });
        last
    }

    /// The value of `flag` if given, parsed, and refused unless `allowed`; `rule` says what is
    /// accepted.
    ///
    /// # Errors
    /// A value that does not parse or is not allowed.
    pub fn optional<T: std::str::FromStr>(
        &mut self,
        flag: &str,
        allowed: impl Fn(&T) -> bool,
        rule: &str,
    ) -> Result<Option<T>, String> {
        let Some(value) = self.take(flag) else {
            return Ok(None);
        };
        match value.parse::<T>() {
            Ok(v) if allowed(&v) => Ok(Some(v)),
            _ => Err(format!("{flag} {value}: expected {rule}\n{}", self.usage)),
        }
    }

    /// As [`Flags::optional`], with a default when the flag is absent.
    ///
    /// # Errors
    /// As [`Flags::optional`].
    pub fn get<T: std::str::FromStr>(
        &mut self,
        flag: &str,
        default: T,
        allowed: impl Fn(&T) -> bool,
        rule: &str,
    ) -> Result<T, String> {
        Ok(self.optional(flag, allowed, rule)?.unwrap_or(default))
    }

    /// A comma-separated list, or `default` when the flag is absent.
    ///
    /// # Errors
    /// An entry that does not parse, or a list that is not `allowed`.
    pub fn list<T: std::str::FromStr>(
        &mut self,
        flag: &str,
        default: Vec<T>,
        allowed: impl Fn(&[T]) -> bool,
        rule: &str,
    ) -> Result<Vec<T>, String> {
        let Some(value) = self.take(flag) else {
            return Ok(default);
        };
        let list: Result<Vec<T>, _> = value.split(',').map(|x| x.trim().parse::<T>()).collect();
        match list {
            Ok(v) if allowed(&v) => Ok(v),
            _ => Err(format!("{flag} {value}: expected {rule}\n{}", self.usage)),
        }
    }

    /// Whether the switch `flag` was given.
    pub fn switch(&mut self, flag: &str) -> bool {
        let before = self.pairs.len();
        self.pairs.retain(|(f, _)| f != flag);
        self.pairs.len() != before
    }

    /// Refuses any flag that was not read.
    ///
    /// # Errors
    /// The first unknown flag.
    pub fn finish(self) -> Result<(), String> {
        match self.pairs.first() {
            Some((flag, _)) => Err(format!("unexpected argument `{flag}`\n{}", self.usage)),
            None => Ok(()),
        }
    }
}

/// The shape every example program shares: run on the command-line arguments (without the
/// program name), print the text it returns, or print the error and exit with a failure status.
pub fn run_example<F>(run: F) -> std::process::ExitCode
where
    F: FnOnce(&[String]) -> Result<String, String>,
{
    let args: Vec<String> = std::env::args().skip(1).collect();
    match run(&args) {
        Ok(text) => {
            print!("{text}");
            std::process::ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}

/// A figure of the book: the file stem under `src/figures/` and the SVG text.
#[derive(Debug, Clone, PartialEq)]
pub struct Figure {
    /// File stem, e.g. `order-attention` for `src/figures/order-attention.svg`.
    pub name: &'static str,
    /// The SVG document.
    pub svg: String,
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

/// Draws a `width × height` SVG on a white background and returns its text.
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
            .fill(&WHITE)
            .map_err(|e| e.to_string())
            .and_then(|()| draw(&area).map_err(|e| e.to_string()))
            .and_then(|()| area.present().map_err(|e| e.to_string()));
        result.map_err(|e| FigureError(format!("{name}: {e}")))?;
    }
    Ok(out)
}

/// A sequential colour for a value in `[0, 1]`: white through blue to dark navy.
pub fn sequential(t: f64) -> RGBColor {
    let t = t.clamp(0.0, 1.0);
    let lerp = |a: f64, b: f64, u: f64| a + (b - a) * u;
    // Two linear segments: white → mid blue → navy.
    let (r, g, b) = if t < 0.6 {
        let u = t / 0.6;
        (
            lerp(255.0, 66.0, u),
            lerp(255.0, 133.0, u),
            lerp(255.0, 244.0, u),
        )
    } else {
        let u = (t - 0.6) / 0.4;
        (
            lerp(66.0, 8.0, u),
            lerp(133.0, 29.0, u),
            lerp(244.0, 88.0, u),
        )
    };
    RGBColor(r.round() as u8, g.round() as u8, b.round() as u8)
}

/// A categorical colour: entry `t` (rounded) of [`PALETTE`], lightened so dark text reads on it.
/// NaN draws light grey (an empty cell).
pub fn category(t: f64) -> RGBColor {
    if t.is_nan() {
        return RGBColor(235, 235, 235);
    }
    let c = PALETTE[(t.max(0.0).round() as usize) % PALETTE.len()];
    let lighten = |x: u8| ((x as f64 + 255.0) / 2.0).round() as u8;
    RGBColor(lighten(c.0), lighten(c.1), lighten(c.2))
}

/// A diverging colour for a value in `[-1, 1]`: blue for negative, white at zero, red for positive.
pub fn diverging(t: f64) -> RGBColor {
    let t = t.clamp(-1.0, 1.0);
    let mix = |c: (f64, f64, f64), u: f64| {
        RGBColor(
            (255.0 + (c.0 - 255.0) * u).round() as u8,
            (255.0 + (c.1 - 255.0) * u).round() as u8,
            (255.0 + (c.2 - 255.0) * u).round() as u8,
        )
    };
    if t < 0.0 {
        mix((33.0, 102.0, 172.0), -t)
    } else {
        mix((178.0, 24.0, 43.0), t)
    }
}

/// Colours that stay distinct on white and for common colour-vision deficiencies
/// (Okabe and Ito's palette).
pub const PALETTE: [RGBColor; 6] = [
    RGBColor(0, 114, 178),
    RGBColor(213, 94, 0),
    RGBColor(0, 158, 115),
    RGBColor(204, 121, 167),
    RGBColor(230, 159, 0),
    RGBColor(86, 180, 233),
];

/// The line style of every curve in the book: the colour, two pixels wide.
pub fn line(c: RGBColor) -> ShapeStyle {
    ShapeStyle::from(c).stroke_width(2)
}

/// The legend entry for a curve drawn with [`line()`]: a short stroke of the same style.
pub fn legend_line(c: RGBColor) -> impl Fn((i32, i32)) -> PathElement<(i32, i32)> {
    move |(x, y)| PathElement::new(vec![(x, y), (x + 16, y)], line(c))
}

/// Draws a chart's legend the same way in every figure: a white box with a black border.
///
/// # Errors
/// A drawing failure.
pub fn legend<'a, 'b: 'a, CT>(
    chart: &mut ChartContext<'a, SVGBackend<'b>, CT>,
    position: SeriesLabelPosition,
) -> Result<(), Box<dyn std::error::Error>>
where
    CT: plotters::coord::CoordTranslate,
{
    chart
        .configure_series_labels()
        .background_style(WHITE)
        .border_style(BLACK)
        .position(position)
        .draw()
        .map_err(|e| e.to_string())?;
    Ok(())
}

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

fn figure_path(dir: &Path, figure: &Figure) -> PathBuf {
    dir.join(format!("{}.svg", figure.name))
}

/// Compares every figure with the file committed under `dir`; lists each one that differs or is
/// missing, with the command that redraws it.
///
/// # Errors
/// One line per stale or missing figure.
pub fn check_figures(dir: &Path, figures: &[Figure]) -> Result<(), String> {
    let mut problems = String::new();
    for figure in figures {
        let path = figure_path(dir, figure);
        match std::fs::read_to_string(&path) {
            Ok(committed) if committed == figure.svg => {}
            Ok(_) => {
                let _ = writeln!(
                    problems,
                    "figure `{}` ({}) differs from what the code draws now: run \
                     `cargo xtask figures`, look at the new figure and commit it",
                    figure.name,
                    path.display()
                );
            }
            Err(e) => {
                let _ = writeln!(
                    problems,
                    "figure `{}` ({}) cannot be read ({e}): run `cargo xtask figures`",
                    figure.name,
                    path.display()
                );
            }
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems)
    }
}

/// Writes every figure to `dir/<name>.svg` and returns the paths written.
///
/// # Errors
/// The first I/O error, with the path.
pub fn write_figures(dir: &Path, figures: &[Figure]) -> Result<Vec<PathBuf>, String> {
    std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    figures
        .iter()
        .map(|f| {
            let path = figure_path(dir, f);
            std::fs::write(&path, &f.svg).map_err(|e| format!("{}: {e}", path.display()))?;
            Ok(path)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn negative_zero_never_shows() {
        for x in [-0.0, -1e-9, -0.0004] {
            assert_eq!(fixed(x, 3), "0.000");
        }
        assert_eq!(fixed(-0.0005001, 3), "-0.001");
    }

    #[test]
    fn colour_maps_hit_their_ends() {
        assert_eq!(sequential(0.0), WHITE);
        assert_eq!(sequential(1.0), RGBColor(8, 29, 88));
        assert_eq!(diverging(0.0), WHITE);
        assert_eq!(diverging(-1.0), RGBColor(33, 102, 172));
        assert_eq!(diverging(2.0), RGBColor(178, 24, 43));
    }

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

    #[test]
    fn stale_and_missing_figures_are_named() {
        let dir = std::env::temp_dir().join(format!("bookkit-figs-{}", std::process::id()));
        let fig = Figure {
            name: "one",
            svg: "<svg/>".into(),
        };
        assert!(
            check_figures(&dir, std::slice::from_ref(&fig))
                .unwrap_err()
                .contains("cannot be read")
        );
        write_figures(&dir, std::slice::from_ref(&fig)).unwrap();
        assert_eq!(check_figures(&dir, std::slice::from_ref(&fig)), Ok(()));
        let changed = Figure {
            svg: "<svg></svg>".into(),
            ..fig
        };
        let e = check_figures(&dir, &[changed]).unwrap_err();
        assert!(
            e.contains("`one`") && e.contains("cargo xtask figures"),
            "{e}"
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
