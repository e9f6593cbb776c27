//! The figures a reader can move, moved: on every page, at every width and theme, after the page
//! check, `interactive.js` waits for each `<div class="explore">` figure to start, checks its
//! controls (native range inputs with a label, in the Tab order, on screen, with label text at
//! 4.5:1 against the page), moves every control through every setting and compares the curves
//! drawn with the figure's JSON (within `TOLERANCE_PX` of the plot, 0.75 px: plotters rounds
//! the static SVG to whole pixels, the renderer writes hundredths, and the nearest other setting
//! of the book's figure draws some curve several pixels away), and the title and alt text with
//! the setting. Then each control is focused and moved by a real arrow key press (the DevTools
//! `Input.dispatchKeyEvent`, as a keyboard sends it): the value must move by one step, the focus
//! stay, and the figure show the new setting. Console errors and exceptions raised while moving
//! are reported like those of the page's load.

use serde_json::json;

use super::chromium::Cdp;
use super::scripts::wrap;

/// The script, run in three modes (see its first lines).
const EXPLORE_CHECK: &str = include_str!("interactive.js");

/// The script in `mode` for control `index`, expecting `expect` after a key press.
fn script(mode: &str, index: usize, expect: i64) -> String {
    wrap(&format!(
        "const EXPLORE_MODE = {};\nconst EXPLORE_INDEX = {index};\nconst EXPLORE_EXPECT = {expect};\n{EXPLORE_CHECK}",
        json!(mode)
    ))
}

/// The number after `prefix` in the entry of `found` that starts with it, which is removed.
fn take(found: &mut Vec<String>, prefix: &str) -> Option<Vec<i64>> {
    let i = found.iter().position(|m| m.starts_with(prefix))?;
    let entry = found.remove(i);
    entry[prefix.len()..]
        .split_whitespace()
        .map(|n| n.parse().ok())
        .collect()
}

/// Presses and releases `key` (`ArrowLeft` or `ArrowRight`) in the page of `session`.
fn press(cdp: &mut Cdp, session: &str, key: &str) -> Result<(), String> {
    let code = if key == "ArrowLeft" { 37 } else { 39 };
    for kind in ["keyDown", "keyUp"] {
        cdp.call(
            "Input.dispatchKeyEvent",
            json!({ "type": kind, "key": key, "code": key,
                    "windowsVirtualKeyCode": code, "nativeVirtualKeyCode": code }),
            Some(session),
        )?;
    }
    Ok(())
}

/// Moves every control of every figure a reader can move on the page loaded in `session`; the
/// problems found (none on a page without such figures).
///
/// # Errors
/// The browser could not be driven, or the script failed.
pub(super) fn check(cdp: &mut Cdp, session: &str, origin: &str) -> Result<Vec<String>, String> {
    let mut found = cdp.evaluate(session, &script("sweep", 0, 0))?;
    let inputs = take(&mut found, "explore-inputs: ")
        .and_then(|n| n.first().copied())
        .unwrap_or(0);
    if found.is_empty() {
        for index in 0..usize::try_from(inputs).unwrap_or(0) {
            let mut focused = cdp.evaluate(session, &script("focus", index, 0))?;
            let Some(&[value, max]) = take(&mut focused, "explore-focused: ").as_deref() else {
                found.extend(focused);
                continue;
            };
            // Towards the far end, so that the key always has somewhere to go.
            let (key, expect) = if value < max {
                ("ArrowRight", value + 1)
            } else {
                ("ArrowLeft", value - 1)
            };
            press(cdp, session, key)?;
            found.extend(cdp.evaluate(session, &script("after", index, expect))?);
        }
    }
    found.extend(cdp.loading_problems(session, origin));
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markers_are_read_and_removed() {
        let mut found = vec!["a problem".to_string(), "explore-focused: 2 5".to_string()];
        assert_eq!(take(&mut found, "explore-focused: "), Some(vec![2, 5]));
        assert_eq!(found, vec!["a problem"]);
        assert_eq!(take(&mut found, "explore-inputs: "), None);
    }
}
