//! What any text typed into the console may hold (our choice, from the hardening review):
//! no control characters, and in names no invisible formatting characters and no space but
//! the plain one.
//!
//! A control character (NUL, escape, …) has no visible form, breaks storage on PostgreSQL
//! (which refuses NUL in text) and is always a paste accident or an attack. Zero-width and
//! direction marks are legitimate inside running text in some scripts, but in a name they
//! only serve to make two names look alike while differing (R15's uniqueness).

/// A character no text field may hold: a C0 or C1 control, except tab and line breaks.
pub fn is_forbidden_control(c: char) -> bool {
    c.is_control() && !matches!(c, '\t' | '\n' | '\r')
}

/// An invisible character: zero-width spaces and joiners, direction marks and embeddings,
/// the word joiner family, the byte-order mark, the soft hyphen, the combining grapheme
/// joiner, variation selectors, tag characters, and the fillers and blanks that draw
/// nothing (Hangul fillers, the blank Braille pattern, Khmer's inherent vowels).
pub fn is_invisible_format(c: char) -> bool {
    matches!(
        c,
        '\u{00AD}'
            | '\u{034F}'
            | '\u{061C}'
            | '\u{115F}'..='\u{1160}'
            | '\u{17B4}'..='\u{17B5}'
            | '\u{180B}'..='\u{180F}'
            | '\u{200B}'..='\u{200F}'
            | '\u{202A}'..='\u{202E}'
            | '\u{2060}'..='\u{2064}'
            | '\u{2066}'..='\u{206F}'
            | '\u{2800}'
            | '\u{3164}'
            | '\u{FE00}'..='\u{FE0F}'
            | '\u{FEFF}'
            | '\u{FFA0}'
            | '\u{FFF9}'..='\u{FFFB}'
            | '\u{1D173}'..='\u{1D17A}'
            | '\u{E0000}'..='\u{E007F}'
            | '\u{E0100}'..='\u{E01EF}'
    )
}

/// A space a name may not hold although text may: a line break, a tab, or any space but the
/// plain one (a name is one line, and its spaces must look like spaces: a no-break or
/// ideographic space would make a second name that reads as the first).
pub fn is_irregular_space(c: char) -> bool {
    c.is_whitespace() && c != ' '
}

/// A text or emoji presentation selector right after a symbol (☁ and U+FE0F draw ☁️): how
/// the symbol is drawn, not a character of its own, so a name may hold it there. After a
/// letter, a digit or another selector it draws nothing, and is refused.
fn is_presentation_selector(previous: Option<char>, c: char) -> bool {
    matches!(c, '\u{FE0E}' | '\u{FE0F}')
        && previous.is_some_and(|p| !p.is_alphanumeric() && !p.is_whitespace() && !p.is_control() && !is_invisible_format(p))
}

/// Whether two names read the same: equal but for ASCII case, the number of spaces between
/// words and presentation selectors (☁️ and ☁) (R15's uniqueness; both already free of other
/// spaces and of invisible characters, see [`name_problem`]).
pub fn same_name(a: &str, b: &str) -> bool {
    let words = |name: &str| {
        let drawn: String = name.chars().filter(|c| !matches!(c, '\u{FE0E}' | '\u{FE0F}')).collect();
        drawn.split(' ').filter(|w| !w.is_empty()).map(str::to_ascii_lowercase).collect::<Vec<_>>()
    };
    words(a) == words(b)
}

/// The first control character in `text`, if any.
pub fn first_control(text: &str) -> Option<char> {
    text.chars().find(|c| is_forbidden_control(*c))
}

/// A character as a person can name it: `U+0000`.
pub fn code_point(c: char) -> String {
    format!("U+{:04X}", c as u32)
}

/// Why a name cannot be used as typed, if it cannot: it holds a control character, a line
/// break, a tab or a space other than the plain one, or an invisible character. Names reach
/// emails and SMS as they are, so a line break would let a seller write lines of their own
/// into the marketplace's messages to buyers.
pub fn name_problem(name: &str) -> Option<String> {
    if let Some(c) = name.chars().find(|c| is_irregular_space(*c)) {
        return Some(format!(
            "Use only plain spaces in the name: it is one line, without line breaks, tabs or other spaces ({}).",
            code_point(c)
        ));
    }
    if let Some(c) = first_control(name) {
        return Some(format!("Remove the control character ({}) from the name.", code_point(c)));
    }
    let mut previous = None;
    for c in name.chars() {
        if is_invisible_format(c) && !is_presentation_selector(previous, c) {
            return Some(format!("Remove the invisible character ({}) from the name: names must look the way they are spelled.", code_point(c)));
        }
        previous = Some(c);
    }
    // An accent typed apart from its Latin letter (e followed by U+0301, as some systems
    // write é) would make a second name that reads as one already listed. The accented
    // Latin letters names use have a one-character form, which the name must use; the rare
    // pair without one is refused too (the bundles carry no normalisation tables to tell).
    let mut previous = ' ';
    for c in name.chars() {
        if previous.is_ascii_alphabetic() && ('\u{0300}'..='\u{036F}').contains(&c) {
            return Some(format!(
                "Type each accented letter as one character: the accent {} follows its letter as a character of its own.",
                code_point(c)
            ));
        }
        previous = c;
    }
    // Marks drawn over any letter may add an accent or two, in any script; piled up, or
    // drawn around the letters (an enclosing mark), they spill over what is beside the name
    // on a page, such as other sellers' products.
    let (mut piled, mut marks) = (0, 0);
    for c in name.chars() {
        if is_enclosing_mark(c) {
            return Some(format!("Remove the enclosing mark ({}) from the name: it draws over the letters around it.", code_point(c)));
        }
        // Counted in a row, and in the whole name: marks of other scripts between them
        // must not reset the count.
        if is_stacking_mark(c) {
            piled += 1;
            marks += 1;
        } else if c.is_alphanumeric() && !is_other_script_mark(c) || c == ' ' {
            piled = 0;
        }
        if piled > MAX_STACKED_MARKS || marks > MAX_MARKS {
            return Some(format!(
                "Remove the marks piled on one letter ({}…): at most {MAX_STACKED_MARKS} may follow a letter in a name.",
                code_point(c)
            ));
        }
    }
    None
}

/// Accents a name may stack on one letter ([`name_problem`]).
pub const MAX_STACKED_MARKS: usize = 2;
/// Accents of the stacking blocks a whole name may hold (letters with accents have a
/// one-character form in the scripts that use many).
pub const MAX_MARKS: usize = 8;

/// A combining sign of a script whose letters take several (the Indic scripts, Hebrew,
/// Arabic, Thai and their neighbours): text, but no letter of its own, so it does not end
/// a pile of accents.
fn is_other_script_mark(c: char) -> bool {
    matches!(c, '\u{0591}'..='\u{05C7}' | '\u{0610}'..='\u{061A}' | '\u{064B}'..='\u{065F}' | '\u{0900}'..='\u{0DFF}' | '\u{0E31}'..='\u{0E4E}' | '\u{0EB1}'..='\u{0ECD}')
        && !c.is_numeric()
}

/// A mark drawn around the character before it (a circle, a square, the Cyrillic
/// hundred-thousands and millions signs).
fn is_enclosing_mark(c: char) -> bool {
    matches!(c, '\u{0488}' | '\u{0489}' | '\u{20DD}'..='\u{20E0}' | '\u{20E2}'..='\u{20E4}' | '\u{A670}'..='\u{A672}')
}

/// A combining mark of the blocks that draw over any letter of any script (diacritics, their
/// extensions and supplements, marks for symbols, half marks, and the Cyrillic ones). The
/// vowel signs and viramas of scripts such as Devanagari are not among them: a letter there
/// often takes several, and they stay within the line.
fn is_stacking_mark(c: char) -> bool {
    matches!(
        c,
        '\u{0300}'..='\u{036F}' | '\u{0483}'..='\u{0487}' | '\u{1AB0}'..='\u{1AFF}' | '\u{1DC0}'..='\u{1DFF}' | '\u{20D0}'..='\u{20FF}' | '\u{FE20}'..='\u{FE2F}'
    )
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
    fn r15_marks_may_not_pile_up_on_a_letter_or_enclose_it_in_any_script() {
        let piled = format!("1{}{}", "\u{030D}".repeat(29), "\u{0316}".repeat(30));
        let interleaved = format!("Д{}", "\u{0301}\u{093F}".repeat(20));
        let spread = "Ŏ\u{0301}".repeat(9);
        for spilling in [format!("Д{}", "\u{0489}".repeat(59)), piled, "Box\u{20DE} Tools".to_owned(), "Мо\u{0301}\u{0300}\u{0302}сква".to_owned(), format!("Д{}", "\u{A670}".repeat(59)), interleaved, spread] {
            assert!(name_problem(&spilling).is_some(), "{spilling:?}");
        }
        assert!(name_problem(&format!("Д{}", "\u{0489}".repeat(59))).unwrap().contains("U+0489"));
        // An accent or two on a letter of another script, and the vowel signs of Devanagari, are text.
        for fine in ["Москва\u{0301}", "Ǫ\u{0301}\u{0304} Tools", "हिन्दी टूल्स", "Café Tools"] {
            assert_eq!(name_problem(fine), None, "{fine:?}");
        }
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

    #[test]
    fn r15_a_name_is_one_line_of_plain_spaces_and_no_invisible_filler() {
        for name in ["Postgres\n\nPAYMENT FAILED", "Evil\r\nBcc: x", "Tab\there", "No\u{00A0}break", "Wide\u{3000}space", "Line\u{2028}sep"] {
            let problem = name_problem(name).expect(name);
            assert!(problem.contains("plain spaces"), "{name:?}: {problem}");
        }
        for name in [
            "Tools\u{034F}", "Tools\u{FE0F}", "Tools\u{3164}", "Tools\u{115F}", "Tools\u{FFA0}", "Tools\u{2800}", "Tools\u{E0041}",
            "Tools\u{180B}", "Tools\u{17B4}",
        ] {
            assert!(name_problem(name).expect(name).contains("invisible character"), "{name:?}");
        }
        assert!(name_problem("Tools e\u{0301}dition").expect("a decomposed é").contains("U+0301"));
        assert!(name_problem("Tools \u{00E9}dition 日本 Tiếng Việt").is_none(), "composed letters are letters");
        assert!(name_problem("\u{2601}\u{FE0F} Cloud Backup").is_none(), "an emoji drawn as one");
        assert!(same_name("\u{2601}\u{FE0F} Cloud Backup", "\u{2601} cloud backup"));
        assert!(name_problem("1\u{FE0F} Tools").is_some() && name_problem("\u{2601}\u{FE0F}\u{FE0F}").is_some());
        assert!(same_name("Tools  for  Ops", "tools for ops"));
        assert!(!same_name("Tools for Ops", "Tools for Ops 2"));
    }
}
