//! The catalog of every message the API answers, in English and Brazilian Portuguese.
//!
//! Domain errors carry their English text (`field: reason`), which is also what the log shows;
//! each entry of the catalog (one file per area, beside this one) is an English template whose
//! `{name}` parts are the variable values, and its pt-BR rendering. `localize` finds the
//! template a message was made from and fills the pt-BR one, so `code` and `field` never change
//! and the services need no knowledge of languages. The tests fail when an error message in
//! `src/` has no entry here.

mod access;
mod input;
mod oidc_plans_erasure;

use super::language::Lang;

/// One message in both languages. `{name}` marks a value; both sides name the same values.
pub struct Entry {
    pub en: &'static str,
    pub pt: &'static str,
}

const fn e(en: &'static str, pt: &'static str) -> Entry {
    Entry { en, pt }
}

/// The catalog, area by area, each searched in turn. More specific templates come before the
/// general ones that would also match them, within an area and from one area to the next.
pub const CATALOG: &[&[Entry]] = &[access::ENTRIES, input::ENTRIES, oidc_plans_erasure::ENTRIES];

/// Values that are words themselves: a status read out in a sentence.
fn translate_value(name: &str, value: &str) -> Option<&'static str> {
    Some(match (name, value) {
        ("company_status", "pending") => "pendente",
        ("company_status", "active") => "ativa",
        ("company_status", "suspended") => "suspensa",
        ("company_status", "cancelled") => "cancelada",
        ("user_status", "pending") => "pendente",
        ("user_status", "active") => "ativo",
        ("user_status", "disabled") => "desativado",
        _ => return None,
    })
}

/// The message in the given language. English is the text as written; a message with no entry
/// (a parser's own wording) is left in English rather than lost.
pub fn localize(message: &str, lang: Lang) -> String {
    match lang {
        Lang::En => message.to_string(),
        Lang::PtBr => to_pt(message).unwrap_or_else(|| message.to_string()),
    }
}

/// The pt-BR rendering, when the message has an entry.
pub(crate) fn to_pt(message: &str) -> Option<String> {
    if let Some(t) = render(message) {
        return Some(t);
    }
    // `field: reason`: the field keeps its name, as in the `field` property.
    let (field, reason) = message.split_once(": ")?;
    if !is_field_name(field) {
        return None;
    }
    Some(format!("{field}: {}", render(reason)?))
}

fn is_field_name(s: &str) -> bool {
    !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "_.-[]".contains(c))
}

fn render(message: &str) -> Option<String> {
    CATALOG.iter().copied().flatten().find_map(|entry| {
        let values = capture(&parts(entry.en), message)?;
        let mut out = entry.pt.to_string();
        for (name, value) in values {
            let value = translate_value(name, &value).map_or(value, str::to_string);
            out = out.replace(&format!("{{{name}}}"), &value);
        }
        Some(out)
    })
}

/// A template cut into text and `{name}` parts.
#[derive(Debug, PartialEq)]
pub(crate) enum Part<'a> {
    Text(&'a str),
    Value(&'a str),
}

pub(crate) fn parts(template: &str) -> Vec<Part<'_>> {
    let mut out = Vec::new();
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        let Some(close) = rest[open..].find('}') else {
            break;
        };
        if open > 0 {
            out.push(Part::Text(&rest[..open]));
        }
        out.push(Part::Value(&rest[open + 1..open + close]));
        rest = &rest[open + close + 1..];
    }
    if !rest.is_empty() {
        out.push(Part::Text(rest));
    }
    out
}

/// Matches `text` against the template parts; each value takes at least one character.
fn capture<'t>(parts: &[Part<'t>], text: &str) -> Option<Vec<(&'t str, String)>> {
    match parts.split_first() {
        None => text.is_empty().then(Vec::new),
        Some((Part::Text(t), rest)) => capture(rest, text.strip_prefix(t)?),
        Some((Part::Value(name), rest)) => {
            if rest.is_empty() {
                return (!text.is_empty()).then(|| vec![(*name, text.to_string())]);
            }
            // The next part is text: try each place it occurs, the nearest first.
            let Part::Text(next) = rest[0] else {
                return None;
            };
            let mut from = text.chars().next()?.len_utf8();
            while let Some(at) = text.get(from..).and_then(|t| t.find(next)) {
                let split = from + at;
                if let Some(mut found) = capture(rest, &text[split..]) {
                    found.insert(0, (*name, text[..split].to_string()));
                    return Some(found);
                }
                from = split + 1;
                while from < text.len() && !text.is_char_boundary(from) {
                    from += 1;
                }
            }
            None
        }
    }
}

#[cfg(test)]
mod tests;
