//! The chapter's figures.
use bookkit::{Figure, FigureError};
/// Every figure of the chapter.
///
/// # Errors
/// A drawing failure, naming the figure.
pub fn figures() -> Result<Vec<Figure>, FigureError> {
    Ok(vec![])
}
