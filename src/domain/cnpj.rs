//! CNPJ, the Brazilian company registry number: 14 digits, the last two being check digits.
//! Accepted formatted ("12.345.678/0001-95") or bare, stored as the 14 bare digits.

use crate::error::{DomainError, DomainResult};

fn check_digit(digits: &[u8], weights: &[u8]) -> u8 {
    let sum: u32 = digits
        .iter()
        .zip(weights)
        .map(|(d, w)| u32::from(*d) * u32::from(*w))
        .sum();
    let rest = (sum % 11) as u8;
    if rest < 2 {
        0
    } else {
        11 - rest
    }
}

/// Normalises and validates a CNPJ; the error names the field `field`.
pub fn normalize(field: &str, raw: &str) -> DomainResult<String> {
    let trimmed = raw.trim();
    if trimmed
        .chars()
        .any(|c| !(c.is_ascii_digit() || matches!(c, '.' | '/' | '-' | ' ')))
    {
        return Err(DomainError::invalid(
            field,
            "must contain only digits and the separators . / -",
        ));
    }
    let digits: Vec<u8> = trimmed
        .bytes()
        .filter(u8::is_ascii_digit)
        .map(|b| b - b'0')
        .collect();
    if digits.len() != 14 {
        return Err(DomainError::invalid(field, "must have 14 digits"));
    }
    if digits.iter().all(|d| *d == digits[0]) {
        return Err(DomainError::invalid(field, "is not a valid CNPJ"));
    }
    const W1: [u8; 12] = [5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2];
    const W2: [u8; 13] = [6, 5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2];
    let first = check_digit(&digits[..12], &W1);
    let second = check_digit(&digits[..13], &W2);
    if digits[12] != first || digits[13] != second {
        return Err(DomainError::invalid(field, "check digits do not match"));
    }
    Ok(digits.iter().map(|d| char::from(b'0' + d)).collect())
}

/// Formats 14 digits as 00.000.000/0000-00.
pub fn format(digits: &str) -> String {
    if digits.len() != 14 {
        return digits.to_string();
    }
    format!(
        "{}.{}.{}/{}-{}",
        &digits[..2],
        &digits[2..5],
        &digits[5..8],
        &digits[8..12],
        &digits[12..]
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
        assert_eq!(format("11222333000181"), "11.222.333/0001-81");
    }

    #[test]
    fn rejects_bad_digits_length_and_repeats() {
        assert!(normalize("cnpj", "11.222.333/0001-82").is_err());
        assert!(normalize("cnpj", "1122233300018").is_err());
        assert!(normalize("cnpj", "00000000000000").is_err());
        assert!(normalize("cnpj", "11a22233300018").is_err());
    }
}
