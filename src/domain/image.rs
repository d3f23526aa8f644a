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

/// A stored logo, decoded for serving: its bytes, the type they really are, and an entity
/// tag derived from the bytes (so a cache revalidates to 304 until the image changes).
pub struct LogoImage {
    pub content_type: &'static str,
    pub bytes: Vec<u8>,
    pub etag: String,
}

impl LogoImage {
    /// Decodes a stored `data:` URL; `None` when it is not an image armario would accept
    /// today (a value stored before the type checks is not served rather than sniffed).
    pub fn from_data_url(data_url: &str) -> Option<Self> {
        use base64::Engine;
        use sha2::{Digest, Sha256};
        let (mime, data) = data_url.strip_prefix("data:")?.split_once(";base64,")?;
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(data)
            .ok()?;
        let content_type = sniff(&bytes).filter(|found| *found == mime)?;
        let etag = format!("\"{}\"", hex::encode(&Sha256::digest(&bytes)[..16]));
        Some(Self {
            content_type,
            bytes,
            etag,
        })
    }

    /// Whether an `If-None-Match` header names this image (a list of tags, or `*`).
    pub fn matches(&self, if_none_match: &str) -> bool {
        if_none_match
            .split(',')
            .map(str::trim)
            .any(|tag| tag == "*" || tag.strip_prefix("W/").unwrap_or(tag) == self.etag)
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
    fn stored_logos_decode_with_a_stable_tag() {
        let logo = LogoImage::from_data_url("data:image/png;base64,iVBORw0KGgo=").unwrap();
        assert_eq!(logo.content_type, "image/png");
        assert_eq!(logo.bytes, b"\x89PNG\r\n\x1a\n");
        assert!(logo.matches(&logo.etag));
        assert!(logo.matches(&format!("\"x\", W/{}", logo.etag)));
        assert!(!logo.matches("\"other\""));
        // Declared PNG but HTML inside, or not base64: never served.
        assert!(LogoImage::from_data_url("data:image/png;base64,PGgxPg==").is_none());
        assert!(LogoImage::from_data_url("data:image/png,raw").is_none());
    }

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
