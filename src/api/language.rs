//! The language of the API's messages, chosen from `Accept-Language`: Brazilian Portuguese when
//! the request prefers Portuguese, English when it prefers English or does not say (clients
//! and scripts that send no header keep the messages they always had). Only the `message` of an
//! error changes; `code` and `field` are the same in every language.

use poem::http::{header, HeaderValue, StatusCode};
use poem::{Endpoint, IntoResponse, Request, Response};

use super::messages;

pub use crate::domain::language::Lang;

/// The best of pt-BR and English for an `Accept-Language` value; English when it names neither.
pub fn negotiate(accept_language: Option<&str>) -> Lang {
    named(accept_language).unwrap_or(Lang::En)
}

/// The best of pt-BR and English that an `Accept-Language` value names, if it names one.
pub fn named(accept_language: Option<&str>) -> Option<Lang> {
    let mut best: Option<(f32, Lang)> = None;
    for item in accept_language.unwrap_or("").split(',') {
        let mut pieces = item.split(';');
        let tag = pieces.next().unwrap_or("").trim().to_ascii_lowercase();
        let q = pieces
            .filter_map(|p| p.trim().strip_prefix("q="))
            .find_map(|v| v.trim().parse::<f32>().ok())
            .unwrap_or(1.0);
        let primary = tag.split('-').next().unwrap_or("");
        let lang = match primary {
            "pt" => Lang::PtBr,
            "en" => Lang::En,
            _ => continue,
        };
        // The first of equal weights wins, as listed.
        if q > 0.0 && best.is_none_or(|(bq, _)| q > bq) {
            best = Some((q, lang));
        }
    }
    best.map(|(_, lang)| lang)
}

/// Wraps the app: renders the message of every JSON error in the negotiated language.
pub async fn localize_errors<E: Endpoint>(next: E, req: Request) -> poem::Result<Response> {
    let lang = negotiate(req.header(header::ACCEPT_LANGUAGE));
    let api = req.uri().path().starts_with("/api/");
    let mut resp = next.call(req).await?.into_response();
    if api {
        resp.headers_mut()
            .append(header::VARY, HeaderValue::from_static("Accept-Language"));
    }
    let json = resp
        .content_type()
        .is_some_and(|ct| ct.starts_with("application/json"));
    if lang == Lang::En || resp.status() < StatusCode::BAD_REQUEST || !json {
        return Ok(resp);
    }
    let bytes = resp.take_body().into_bytes().await?;
    let mut body: serde_json::Value = match serde_json::from_slice(&bytes) {
        Ok(v) => v,
        Err(_) => {
            resp.set_body(bytes);
            return Ok(resp);
        }
    };
    if let Some(message) = body.get("message").and_then(|m| m.as_str()) {
        body["message"] = messages::localize(message, lang).into();
    }
    resp.set_body(body.to_string());
    resp.headers_mut().remove(header::CONTENT_LENGTH);
    Ok(resp)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefers_what_the_header_prefers() {
        assert_eq!(negotiate(None), Lang::En);
        assert_eq!(negotiate(Some("")), Lang::En);
        assert_eq!(negotiate(Some("pt-BR")), Lang::PtBr);
        assert_eq!(negotiate(Some("pt")), Lang::PtBr);
        assert_eq!(negotiate(Some("pt-PT,pt;q=0.9")), Lang::PtBr);
        assert_eq!(negotiate(Some("en-US,en;q=0.9")), Lang::En);
        assert_eq!(negotiate(Some("pt-BR,pt;q=0.9,en-US;q=0.8")), Lang::PtBr);
        assert_eq!(negotiate(Some("en;q=0.5, pt-BR;q=0.8")), Lang::PtBr);
        assert_eq!(negotiate(Some("fr-FR, en;q=0.3")), Lang::En);
        assert_eq!(negotiate(Some("fr-FR")), Lang::En);
        assert_eq!(negotiate(Some("pt-BR;q=0, en")), Lang::En);
    }
}
