//! The two languages armario speaks: Brazilian Portuguese (the default for people) and English.

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lang {
    En,
    PtBr,
}

impl Lang {
    /// The stored and `lang` attribute form: `pt-BR` or `en`.
    pub fn as_str(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::PtBr => "pt-BR",
        }
    }

    /// Reads the stored form; anything else is pt-BR, the default.
    pub fn from_stored(s: &str) -> Self {
        if s == "en" {
            Lang::En
        } else {
            Lang::PtBr
        }
    }
}
