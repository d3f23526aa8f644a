//! Search that ignores accents and case: "sao paulo comercio" and "COMÉRCIO" both find
//! "São Paulo Comércio". Stored text and queries go through the same `fold`, so the two sides
//! always agree; the folded text of a row is kept in its `search_fold` column.

use unicode_normalization::char::is_combining_mark;
use unicode_normalization::UnicodeNormalization;

/// Separates the folded fields of one row, so a query cannot match across two fields. A control
/// character: `domain::text` refuses them in names and queries.
pub const FIELD_SEPARATOR: char = '\u{1f}';

/// Lower case, compatibility decomposition (NFKD, so "ﬁ" and full-width letters fold too), and
/// no combining marks: "Açaí" becomes "acai", "ÉÇÃ" becomes "eca".
pub fn fold(text: &str) -> String {
    // Lower-casing first: some capitals lower-case to a letter plus a combining mark
    // ("İ" to "i̇"), which the decomposition then drops.
    text.to_lowercase()
        .nfkd()
        .filter(|ch| !is_combining_mark(*ch))
        .collect()
}

/// The folded search text of a row: each field folded, absent ones empty, joined by
/// `FIELD_SEPARATOR`.
pub fn search_text(fields: &[Option<&str>]) -> String {
    let folded: Vec<String> = fields.iter().map(|f| fold(f.unwrap_or(""))).collect();
    folded.join(&FIELD_SEPARATOR.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_accents_and_case() {
        assert_eq!(fold("São Paulo Comércio"), "sao paulo comercio");
        assert_eq!(fold("COMÉRCIO"), "comercio");
        assert_eq!(fold("Mãe Terra"), "mae terra");
        assert_eq!(fold("Ipê Amarelo"), "ipe amarelo");
        assert_eq!(fold("Açaí"), "acai");
        assert_eq!(fold("ÀÁÂÃÄ ÇÑ Ü"), "aaaaa cn u");
        assert_eq!(fold("50%_off"), "50%_off");
    }

    #[test]
    fn keeps_fields_apart() {
        assert_eq!(
            search_text(&[Some("Açaí"), None, Some("acai")]),
            "acai\u{1f}\u{1f}acai"
        );
    }
}
