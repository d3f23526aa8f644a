//! Two-factor sign-in, without I/O: TOTP (RFC 6238: HMAC-SHA-1, 6 digits, 30-second steps),
//! base32 secrets, the `otpauth://` URI, recovery codes, and who a policy binds.
//!
//! HMAC-SHA-1 comes from the `hmac` and `sha1` crates rather than a TOTP crate: RFC 4226's
//! truncation is a dozen lines, and keeping the step arithmetic here lets the service refuse a
//! code already used in its step, which the store enforces.

use hmac::{Hmac, Mac};
use rand::RngCore;
use sha1::Sha1;

use crate::domain::user::Role;

pub const STEP_SECS: i64 = 30;
pub const DIGITS: u32 = 6;
/// Steps either side of now that are accepted, for clocks that drift.
pub const SKEW_STEPS: i64 = 1;
/// 160-bit secrets, as RFC 4226 recommends.
pub const SECRET_BYTES: usize = 20;
pub const RECOVERY_CODES: usize = 10;

/// Who must use a second factor: in a company, nobody, its admins or everyone; on the platform
/// (owners), `Off` or anything else meaning all owners.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MfaPolicy {
    Off,
    Admins,
    Everyone,
}

impl MfaPolicy {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Off => "off",
            Self::Admins => "admins",
            Self::Everyone => "everyone",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "off" => Some(Self::Off),
            "admins" => Some(Self::Admins),
            "everyone" => Some(Self::Everyone),
            _ => None,
        }
    }

    /// Whether the policy binds a user with this role. For owners the platform's policy binds
    /// whenever it is not `Off`.
    pub fn binds(self, role: Role) -> bool {
        match (self, role) {
            (Self::Off, _) => false,
            (Self::Everyone, _) => true,
            (Self::Admins, Role::Member) => false,
            (Self::Admins, _) => true,
        }
    }
}

const ALPHABET: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/// RFC 4648 base32, without padding (what authenticator apps expect).
pub fn base32(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(5) * 8);
    let (mut buf, mut bits) = (0u32, 0u32);
    for &b in bytes {
        buf = (buf << 8) | u32::from(b);
        bits += 8;
        while bits >= 5 {
            bits -= 5;
            out.push(ALPHABET[((buf >> bits) & 31) as usize] as char);
        }
    }
    if bits > 0 {
        out.push(ALPHABET[((buf << (5 - bits)) & 31) as usize] as char);
    }
    out
}

/// A fresh random secret.
pub fn new_secret() -> Vec<u8> {
    let mut s = vec![0u8; SECRET_BYTES];
    rand::rngs::OsRng.fill_bytes(&mut s);
    s
}

/// The code for one time step (RFC 4226's dynamic truncation).
pub fn code_at(secret: &[u8], step: i64) -> u32 {
    let mut mac = Hmac::<Sha1>::new_from_slice(secret).expect("HMAC takes a key of any length");
    mac.update(&step.to_be_bytes());
    let h = mac.finalize().into_bytes();
    let off = (h[19] & 0x0f) as usize;
    let bin = u32::from_be_bytes([h[off] & 0x7f, h[off + 1], h[off + 2], h[off + 3]]);
    bin % 10u32.pow(DIGITS)
}

pub fn step_of(unix_secs: i64) -> i64 {
    unix_secs.div_euclid(STEP_SECS)
}

/// The step within the accepted window whose code is `code`, if any. The caller refuses a
/// step at or before the last one accepted.
pub fn matching_step(secret: &[u8], code: &str, unix_secs: i64) -> Option<i64> {
    let code = code.trim();
    if code.len() != DIGITS as usize || !code.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let wanted: u32 = code.parse().ok()?;
    let now = step_of(unix_secs);
    (now - SKEW_STEPS..=now + SKEW_STEPS).find(|&s| {
        // Compare all candidates the same way; the code is short, the window tiny.
        subtle::ConstantTimeEq::ct_eq(&code_at(secret, s), &wanted).into()
    })
}

/// The `otpauth://` URI an authenticator app reads from the QR code.
pub fn otpauth_uri(issuer: &str, account: &str, secret_b32: &str) -> String {
    let label = format!("{}:{}", enc(issuer), enc(account));
    format!(
        "otpauth://totp/{label}?secret={secret_b32}&issuer={}&algorithm=SHA1&digits={DIGITS}&period={STEP_SECS}",
        enc(issuer)
    )
}

fn enc(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~@".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The URI drawn as a QR code, in SVG.
pub fn qr_svg(uri: &str) -> String {
    use qrcode::render::svg;
    let code = qrcode::QrCode::new(uri.as_bytes()).expect("an otpauth URI fits in a QR code");
    code.render::<svg::Color<'_>>()
        .min_dimensions(200, 200)
        .quiet_zone(true)
        .build()
}

/// Ten fresh recovery codes, `xxxxx-xxxxx` in lower-case base32 (50 random bits each).
pub fn new_recovery_codes() -> Vec<String> {
    (0..RECOVERY_CODES)
        .map(|_| {
            let mut b = [0u8; 7];
            rand::rngs::OsRng.fill_bytes(&mut b);
            let s = base32(&b).to_lowercase();
            format!("{}-{}", &s[..5], &s[5..10])
        })
        .collect()
}

/// A recovery code as stored: lower case, without spaces or dashes, so `ABCDE FGHIJ` works.
pub fn normalize_recovery_code(code: &str) -> String {
    code.chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 6238, appendix B (SHA-1, the 8-digit values' last 6 digits).
    #[test]
    fn rfc_6238_vectors() {
        let secret = b"12345678901234567890";
        for (t, want) in [
            (59, 287_082),
            (1_111_111_109, 81_804),
            (1_111_111_111, 50_471),
            (1_234_567_890, 5_924),
            (2_000_000_000, 279_037),
        ] {
            assert_eq!(code_at(secret, step_of(t)), want, "t={t}");
        }
    }

    #[test]
    fn window_is_one_step_either_side() {
        let secret = b"12345678901234567890";
        let t = 1_111_111_109;
        let at = |s: i64| format!("{:06}", code_at(secret, s));
        let now = step_of(t);
        assert_eq!(matching_step(secret, &at(now - 1), t), Some(now - 1));
        assert_eq!(matching_step(secret, &at(now + 1), t), Some(now + 1));
        assert_eq!(matching_step(secret, &at(now - 2), t), None);
        assert_eq!(matching_step(secret, "12345", t), None);
        assert_eq!(matching_step(secret, "abcdef", t), None);
    }

    #[test]
    fn base32_matches_rfc_4648() {
        assert_eq!(base32(b""), "");
        assert_eq!(base32(b"f"), "MY");
        assert_eq!(base32(b"foobar"), "MZXW6YTBOI");
    }

    #[test]
    fn uri_and_qr() {
        let uri = otpauth_uri("armario", "ana@x.com", "MZXW6YTBOI");
        assert_eq!(
            uri,
            "otpauth://totp/armario:ana@x.com?secret=MZXW6YTBOI&issuer=armario&algorithm=SHA1&digits=6&period=30"
        );
        assert!(qr_svg(&uri).contains("<svg"));
    }

    #[test]
    fn policies_bind_the_right_roles() {
        assert!(!MfaPolicy::Off.binds(Role::CompanyAdmin));
        assert!(MfaPolicy::Admins.binds(Role::CompanyAdmin));
        assert!(!MfaPolicy::Admins.binds(Role::Member));
        assert!(MfaPolicy::Everyone.binds(Role::Member));
    }

    #[test]
    fn recovery_codes_are_distinct_and_normalize() {
        let codes = new_recovery_codes();
        assert_eq!(codes.len(), 10);
        let mut set: Vec<_> = codes.iter().map(|c| normalize_recovery_code(c)).collect();
        set.dedup();
        assert_eq!(set.len(), 10);
        assert_eq!(normalize_recovery_code(" ABCDE-fghij "), "abcdefghij");
    }
}
