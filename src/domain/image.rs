//! A logo's bytes must be the image its data URL declares. A browser that is told
//! `image/png` but given HTML or SVG may still sniff and run it; the portal shows the logo to
//! every user of the company, so the declared type is checked against the magic numbers.
//! SVG is not accepted at all: it can carry script.

use crate::error::{DomainError, DomainResult};

/// The image type the bytes start like, by magic number.
fn sniff(bytes: &[u8]) -> Option<&'static str> {
    if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some("image/png")
    } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some("image/jpeg")
    } else if bytes.starts_with(b"GIF87a") || bytes.starts_with(b"GIF89a") {
        Some("image/gif")
    } else if bytes.len() >= 12 && &bytes[..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
        Some("image/webp")
    } else {
        None
    }
}

/// Refuses bytes that are not the declared image type.
pub fn check_kind(field: &str, declared: &str, bytes: &[u8]) -> DomainResult<()> {
    match sniff(bytes) {
        Some(found) if found == declared => Ok(()),
        Some(found) => Err(DomainError::invalid(
            field,
            format!("is declared {declared} but its bytes are {found}"),
        )),
        None => Err(DomainError::invalid(
            field,
            format!("is declared {declared} but its bytes are not a PNG, JPEG, WebP or GIF image"),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bytes_must_match_the_declared_type() {
        let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR";
        assert!(check_kind("logo", "image/png", png).is_ok());
        assert!(check_kind("logo", "image/jpeg", png).is_err());
        assert!(check_kind("logo", "image/png", b"<html><script>alert(1)</script>").is_err());
        assert!(check_kind(
            "logo",
            "image/png",
            b"<svg xmlns=\"http://www.w3.org/2000/svg\"/>"
        )
        .is_err());
        assert!(check_kind("logo", "image/webp", b"RIFF\0\0\0\0WEBPVP8 ").is_ok());
        assert!(check_kind("logo", "image/gif", b"GIF89a..").is_ok());
        assert!(check_kind("logo", "image/jpeg", &[0xFF, 0xD8, 0xFF, 0xE0]).is_ok());
    }
}
