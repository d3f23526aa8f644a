//! The catalog is complete: every entry has both languages with the same values, and every
//! error message written in `src/` has an entry.

use std::collections::BTreeSet;
use std::path::Path;

use super::*;

fn values(template: &str) -> BTreeSet<&str> {
    parts(template)
        .into_iter()
        .filter_map(|p| match p {
            Part::Value(v) => Some(v),
            Part::Text(_) => None,
        })
        .collect()
}

#[test]
fn every_entry_has_both_languages_with_the_same_values() {
    let mut seen = BTreeSet::new();
    for entry in CATALOG.iter().copied().flatten() {
        assert!(!entry.en.trim().is_empty(), "an entry without English");
        assert!(!entry.pt.trim().is_empty(), "no pt-BR for {:?}", entry.en);
        assert_ne!(entry.en, entry.pt, "pt-BR left in English: {:?}", entry.en);
        assert_eq!(
            values(entry.en),
            values(entry.pt),
            "values differ: {:?}",
            entry.en
        );
        assert!(seen.insert(entry.en), "listed twice: {:?}", entry.en);
    }
}

#[test]
fn renders_the_messages_people_saw_in_english() {
    let pt = |m: &str| localize(m, Lang::PtBr);
    assert_eq!(
        pt("max_users: the company's plan allows at most 5 users"),
        "max_users: o plano da empresa permite no máximo 5 usuários"
    );
    assert_eq!(
        pt("this account is waiting for approval"),
        "esta conta aguarda aprovação"
    );
    assert_eq!(
        pt("your company's access is suspended"),
        "o acesso da sua empresa está suspenso"
    );
    assert_eq!(
        pt("status: the company is suspended"),
        "status: a empresa está suspensa"
    );
    assert_eq!(
        pt("legal_name: must have at most 200 characters"),
        "legal_name: deve ter no máximo 200 caracteres"
    );
    assert_eq!(
        pt("logo_data_url: is declared image/png but its bytes are not a PNG, JPEG, WebP or GIF image"),
        "logo_data_url: foi declarado image/png, mas seus bytes não são uma imagem PNG, JPEG, WebP ou GIF"
    );
    assert_eq!(
        pt("slug: \"ção\" is reserved for the platform; choose another"),
        "slug: \"ção\" é reservado para a plataforma; escolha outro"
    );
    // English is the text as written; text without an entry stays as it was.
    assert_eq!(
        localize("this account is disabled", Lang::En),
        "this account is disabled"
    );
    assert_eq!(pt("something a parser said"), "something a parser said");
}

/// The error messages written in a source file: the text literals given to the constructors
/// of the domain error and of the error body, and the reasons of the body checker.
fn messages_in(source: &str, all_literals: bool) -> Vec<String> {
    let code = source.split("#[cfg(test)]").next().unwrap_or(source);
    if all_literals {
        return literals(code)
            .into_iter()
            .filter(|l| l.starts_with("must ") || l.starts_with("is ") || l.starts_with("does "))
            .collect();
    }
    const MARKERS: &[&str] = &[
        "DomainError::invalid(",
        "DomainError::conflict(",
        "DomainError::Forbidden(",
        "DomainError::Unauthorized(",
        "DomainError::NotFound(",
        "DomainError::LimitExceeded {",
        "DomainError::Conflict {",
        "DomainError::Invalid {",
        "ErrorBody::new(",
    ];
    let mut found = Vec::new();
    for marker in MARKERS {
        for (at, _) in code.match_indices(marker) {
            let call = balanced(&code[at + marker.len() - 1..]);
            let mut words = literals(call)
                .into_iter()
                .filter(|l| l.chars().any(char::is_alphabetic));
            if let Some(last) = words.next_back() {
                found.push(if marker.ends_with("NotFound(") {
                    format!("{last} not found")
                } else {
                    last
                });
            }
        }
    }
    found
}

/// The text from an opening bracket to the one that closes it.
fn balanced(text: &str) -> &str {
    let mut depth = 0;
    let mut in_string = false;
    let mut escaped = false;
    for (i, c) in text.char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' if in_string => escaped = true,
            '"' => in_string = !in_string,
            '(' | '{' if !in_string => depth += 1,
            ')' | '}' if !in_string => {
                depth -= 1;
                if depth == 0 {
                    return &text[..=i];
                }
            }
            _ => {}
        }
    }
    text
}

/// String literals, with escapes and line continuations resolved.
fn literals(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '"' {
            continue;
        }
        let mut lit = String::new();
        while let Some(c) = chars.next() {
            match c {
                '"' => break,
                '\\' => match chars.next() {
                    Some('\n') => {
                        while chars.peek().is_some_and(|c| c.is_whitespace()) {
                            chars.next();
                        }
                    }
                    Some('n') => lit.push('\n'),
                    Some(other) => lit.push(other),
                    None => {}
                },
                other => lit.push(other),
            }
        }
        out.push(lit);
    }
    out
}

/// A format string with a sample for each value, as the server would send it.
fn sample(template: &str) -> String {
    parts(template)
        .into_iter()
        .map(|p| match p {
            Part::Text(t) => t,
            Part::Value(_) => "7",
        })
        .collect()
}

fn rust_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

#[test]
fn every_error_message_in_the_source_has_an_entry() {
    let mut files = Vec::new();
    rust_files(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("src"),
        &mut files,
    );
    let mut checked = 0;
    let mut missing = BTreeSet::new();
    for file in files {
        let name = file.file_name().unwrap().to_string_lossy().to_string();
        // Unit-test files make errors of their own that no client ever sees.
        let test_file = name == "tests.rs" || name.ends_with("_tests.rs");
        if name.starts_with("messages")
            || test_file
            || file
                .components()
                .any(|c| c.as_os_str() == "backup" || c.as_os_str() == "messages")
        {
            continue;
        }
        let source = std::fs::read_to_string(&file).unwrap();
        for message in messages_in(&source, name == "body.rs") {
            let s = sample(&message);
            // Only values (a field name built with format!), an error code, or the generic
            // "{what} not found" whose uses are each checked where they name the object.
            if !s.contains(' ') || s == "7 not found" {
                continue;
            }
            checked += 1;
            if to_pt(&s).is_none() {
                missing.insert(format!("{}: {message:?}", file.display()));
            }
        }
    }
    assert!(checked > 60, "the scan found only {checked} messages");
    assert!(
        missing.is_empty(),
        "messages without a translation:\n{}",
        missing.into_iter().collect::<Vec<_>>().join("\n")
    );
}
