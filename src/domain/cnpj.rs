//! CNPJ, the Brazilian company registry number: 12 characters then 2 numeric check digits.
//! Since July 2026 the 12 may carry letters as well as digits (IN RFB 2.229/2024); the check
//! digits use the same mod-11 weights, each character counting as its ASCII code minus 48 (so
//! digits keep their value and `A` is 17). Accepted formatted (`12.ABC.345/01DE-35`) or bare,
//! in any case; stored as the 14 bare characters in upper case.

use crate::error::{DomainError, DomainResult};

/// Characters in a CNPJ without punctuation.
pub const LEN: usize = 14;

/// The punctuation of the formatted form, by the number of characters before it.
const SEPARATORS: [(usize, char); 4] = [(2, '.'), (5, '.'), (8, '/'), (12, '-')];

const SHAPE: &str =
    "must be 14 letters or digits, bare or formatted as 00.000.000/0000-00, with nothing else";

fn check_digit(values: &[u32], weights: &[u32]) -> u32 {
    let sum: u32 = values.iter().zip(weights).map(|(v, w)| v * w).sum();
    let rest = sum % 11;
    if rest < 2 {
        0
    } else {
        11 - rest
    }
}

/// The two check digits of the first 12 characters (upper-case letters or digits).
pub fn check_digits(first12: &[u8]) -> [u8; 2] {
    const W1: [u32; 12] = [5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2];
    const W2: [u32; 13] = [6, 5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2];
    let mut values: Vec<u32> = first12
        .iter()
        .map(|b| u32::from(*b).saturating_sub(48))
        .collect();
    let first = check_digit(&values, &W1);
    values.push(first);
    let second = check_digit(&values, &W2);
    [b'0' + first as u8, b'0' + second as u8]
}

/// Strips the punctuation, accepting each separator only at its standard place; `None` when
/// anything else is in the way (a space inside, a letter that is not ASCII, a stray symbol).
fn bare(trimmed: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(LEN);
    let mut after_separator = false;
    for c in trimmed.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_uppercase() as u8);
            after_separator = false;
        } else if !after_separator && SEPARATORS.contains(&(out.len(), c)) {
            after_separator = true;
        } else {
            return None;
        }
    }
    Some(out)
}

/// Normalises and validates a CNPJ; the error names the field `field`.
pub fn normalize(field: &str, raw: &str) -> DomainResult<String> {
    let chars = bare(raw.trim()).ok_or_else(|| DomainError::invalid(field, SHAPE))?;
    if chars.len() != LEN {
        return Err(DomainError::invalid(field, "must have 14 characters"));
    }
    if !chars[12..].iter().all(u8::is_ascii_digit) {
        return Err(DomainError::invalid(
            field,
            "must end with two check digits (0-9)",
        ));
    }
    if chars.iter().all(|c| *c == chars[0]) {
        return Err(DomainError::invalid(field, "is not a valid CNPJ"));
    }
    if chars[12..] != check_digits(&chars[..12]) {
        return Err(DomainError::invalid(field, "check digits do not match"));
    }
    Ok(String::from_utf8(chars).expect("ASCII"))
}

/// Formats 14 characters as 00.000.000/0000-00.
pub fn format(bare: &str) -> String {
    if bare.len() != LEN || !bare.is_ascii() {
        return bare.to_string();
    }
    format!(
        "{}.{}.{}/{}-{}",
        &bare[..2],
        &bare[2..5],
        &bare[5..8],
        &bare[8..12],
        &bare[12..]
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_formatted_and_bare() {
        assert_eq!(
            normalize("cnpj", "11.222.333/0001-81").unwrap(),
            "11222333000181"
        );
        assert_eq!(
            normalize("cnpj", "11222333000181").unwrap(),
            "11222333000181"
        );
        assert_eq!(
            normalize("cnpj", " 11.222.333/0001-81\n").unwrap(),
            "11222333000181"
        );
        assert_eq!(format("11222333000181"), "11.222.333/0001-81");
    }

    #[test]
    fn accepts_alphanumeric_in_any_case_and_stores_upper_case() {
        for raw in [
            "12.ABC.345/01DE-35",
            "12ABC34501DE35",
            "12.abc.345/01de-35",
            "12abc34501De35",
        ] {
            assert_eq!(normalize("cnpj", raw).unwrap(), "12ABC34501DE35", "{raw}");
        }
        assert_eq!(format("12ABC34501DE35"), "12.ABC.345/01DE-35");
        assert_eq!(check_digits(b"12ABC34501DE"), *b"35");
    }

    #[test]
    fn rejects_bad_digits_length_and_repeats() {
        assert!(normalize("cnpj", "11.222.333/0001-82").is_err());
        assert!(normalize("cnpj", "12.ABC.345/01DE-36").is_err());
        assert!(normalize("cnpj", "1122233300018").is_err());
        assert!(normalize("cnpj", "00000000000000").is_err());
        assert!(normalize("cnpj", "11a22233300018").is_err());
        // Letters are never check digits.
        assert!(normalize("cnpj", "12ABC34501DE3A").is_err());
    }

    #[test]
    fn rejects_stray_characters_and_misplaced_punctuation() {
        for raw in [
            "11.222.333/0001 81",
            "11 222 333 0001 81",
            "11222333 000181",
            "11.222.333/0001-8_1",
            "11..222.333/0001-81",
            "11-222-333-0001-81",
            "11.222.333.0001-81",
            "1.1222333000181",
            "11222333000181-",
            "11.222.333/0001-81.",
            "12.ÁBC.345/01DE-35",
            "１１222333000181",
        ] {
            let err = normalize("cnpj", raw).unwrap_err();
            assert!(
                matches!(&err, DomainError::Invalid { field, .. } if field == "cnpj"),
                "{raw}: {err:?}"
            );
        }
        // Partial punctuation, each mark in its place, is still the standard form.
        assert_eq!(
            normalize("cnpj", "11222333/0001-81").unwrap(),
            "11222333000181"
        );
    }
}
