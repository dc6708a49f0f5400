//! What any text typed into the console may hold (our choice, from the hardening review):
//! no control characters, and in names no invisible formatting characters.
//!
//! A control character (NUL, escape, …) has no visible form, breaks storage on PostgreSQL
//! (which refuses NUL in text) and is always a paste accident or an attack. Zero-width and
//! direction marks are legitimate inside running text in some scripts, but in a name they
//! only serve to make two names look alike while differing (R15's uniqueness).

/// A character no text field may hold: a C0 or C1 control, except tab and line breaks.
pub fn is_forbidden_control(c: char) -> bool {
    c.is_control() && !matches!(c, '\t' | '\n' | '\r')
}

/// An invisible formatting character: zero-width spaces and joiners, direction marks and
/// embeddings, the word joiner family, the byte-order mark and the soft hyphen.
pub fn is_invisible_format(c: char) -> bool {
    matches!(
        c,
        '\u{00AD}'
            | '\u{061C}'
            | '\u{180E}'
            | '\u{200B}'..='\u{200F}'
            | '\u{202A}'..='\u{202E}'
            | '\u{2060}'..='\u{2064}'
            | '\u{2066}'..='\u{2069}'
            | '\u{FEFF}'
    )
}

/// The first control character in `text`, if any.
pub fn first_control(text: &str) -> Option<char> {
    text.chars().find(|c| is_forbidden_control(*c))
}

/// A character as a person can name it: `U+0000`.
pub fn code_point(c: char) -> String {
    format!("U+{:04X}", c as u32)
}

/// Why a name cannot be used as typed, if it cannot: it holds a control character or an
/// invisible formatting character.
pub fn name_problem(name: &str) -> Option<String> {
    if let Some(c) = first_control(name) {
        return Some(format!("Remove the control character ({}) from the name.", code_point(c)));
    }
    name.chars()
        .find(|c| is_invisible_format(*c))
        .map(|c| format!("Remove the invisible character ({}) from the name: names must look the way they are spelled.", code_point(c)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_are_refused_but_tabs_and_line_breaks_are_text() {
        assert_eq!(first_control("a\u{0}b"), Some('\u{0}'));
        assert_eq!(first_control("esc\u{1b}"), Some('\u{1b}'));
        assert_eq!(first_control("c1\u{85}"), Some('\u{85}'));
        assert_eq!(first_control("line one\nline two\r\n\tindented"), None);
    }

    #[test]
    fn r15_names_with_invisible_or_control_characters_are_refused() {
        assert!(name_problem("Hardened Ubuntu").is_none());
        assert!(name_problem("Ubuntu 日本語 édition").is_none());
        for look_alike in ["Hardened\u{200B} Ubuntu", "\u{202E}utnubU", "Ubuntu\u{FEFF}", "Ub\u{00AD}untu"] {
            let problem = name_problem(look_alike).expect(look_alike);
            assert!(problem.contains("invisible character"), "{problem}");
        }
        assert!(name_problem("a\u{0}").unwrap().contains("U+0000"));
    }
}
