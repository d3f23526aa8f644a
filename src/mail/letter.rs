//! What a message says: subject, plain text and HTML, in the recipient's language, branded with
//! the company's name, colour and logo. Every value put into the HTML is escaped. A message
//! carries no secret but its own one-time link.

use crate::domain::language::Lang;

/// The sender's brand: the company's, or the platform's for people of no company.
#[derive(Debug, Clone)]
pub struct Brand {
    pub name: String,
    /// `#rrggbb`.
    pub color: String,
    /// Whether the company has a logo; it travels as an inline image (`cid:`), attached when the
    /// message is sent, since mail clients block `data:` images.
    pub has_logo: bool,
}

pub const DEFAULT_COLOR: &str = "#1f4e79";
/// The content id of the inline logo.
pub const LOGO_CID: &str = "logo@armario";

impl Brand {
    pub fn platform() -> Self {
        Self {
            name: "armario".into(),
            color: DEFAULT_COLOR.into(),
            has_logo: false,
        }
    }
}

/// A composed message, before it is queued.
#[derive(Debug, Clone)]
pub struct Letter {
    /// What caused it, for the listing and the metrics: `password_reset`.
    pub kind: &'static str,
    pub to: String,
    pub company_id: Option<String>,
    pub subject: String,
    pub text: String,
    pub html: String,
    pub has_logo: bool,
}

fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(ch),
        }
    }
    out
}

/// A colour safe to put in a style attribute; the default otherwise.
fn safe_color(c: &str) -> &str {
    let ok = c.len() == 7 && c.starts_with('#') && c[1..].chars().all(|ch| ch.is_ascii_hexdigit());
    if ok {
        c
    } else {
        DEFAULT_COLOR
    }
}

/// The parts of a message with one call to action; a notice has none (an empty `link`).
pub(super) struct Body<'a> {
    pub greeting: String,
    pub lines: Vec<String>,
    pub button: &'a str,
    pub link: &'a str,
    pub footer: Vec<String>,
}

pub(super) fn render(
    lang: Lang,
    brand: &Brand,
    subject: &str,
    body: &Body<'_>,
) -> (String, String) {
    let mut text = format!("{}\n\n", body.greeting);
    for l in &body.lines {
        text.push_str(l);
        text.push_str("\n\n");
    }
    if !body.link.is_empty() {
        text.push_str(body.link);
        text.push_str("\n\n");
    }
    for l in &body.footer {
        text.push_str(l);
        text.push('\n');
    }
    text.push_str(&format!("\n— {}\n", brand.name));

    let color = safe_color(&brand.color);
    let logo = if brand.has_logo {
        format!(
            "<img src=\"cid:{LOGO_CID}\" alt=\"{}\" height=\"40\" style=\"display:block;max-height:40px;margin-bottom:8px\">",
            escape(&brand.name)
        )
    } else {
        String::new()
    };
    let paragraphs: String = body
        .lines
        .iter()
        .map(|l| format!("<p style=\"margin:0 0 16px\">{}</p>", escape(l)))
        .collect();
    let footer: String = body
        .footer
        .iter()
        .map(|l| {
            format!(
                "<p style=\"margin:0 0 8px;color:#555;font-size:13px\">{}</p>",
                escape(l)
            )
        })
        .collect();
    let action = if body.link.is_empty() {
        String::new()
    } else {
        format!(
            "<p style=\"margin:24px 0\"><a href=\"{link}\" style=\"background:{color};color:#fff;padding:12px 20px;border-radius:6px;text-decoration:none;display:inline-block\">{button}</a></p>\
<p style=\"margin:0 0 16px;font-size:13px;color:#555;word-break:break-all\">{link}</p>",
            link = escape(body.link),
            button = escape(body.button),
        )
    };
    let html = format!(
        "<!DOCTYPE html>\n<html lang=\"{lang}\"><head><meta charset=\"utf-8\"><title>{title}</title></head>\
<body style=\"margin:0;padding:24px;background:#f4f5f7;font-family:Arial,Helvetica,sans-serif;color:#1b1b1b\">\
<table role=\"presentation\" width=\"100%\" style=\"max-width:560px;margin:0 auto;background:#fff;border-radius:8px;border-top:6px solid {color}\">\
<tr><td style=\"padding:24px\">{logo}<p style=\"margin:0 0 24px;font-weight:bold;color:{color}\">{name}</p>\
<p style=\"margin:0 0 16px\">{greeting}</p>{paragraphs}{action}{footer}\
</td></tr></table></body></html>\n",
        lang = lang.as_str(),
        title = escape(subject),
        name = escape(&brand.name),
        greeting = escape(&body.greeting),
    );
    (text, html)
}

/// A message of `kind` from its parts, rendered in `lang` with `brand`.
pub(super) fn compose(
    kind: &'static str,
    lang: Lang,
    brand: &Brand,
    to: &str,
    subject: String,
    body: &Body<'_>,
) -> Letter {
    let (text, html) = render(lang, brand, &subject, body);
    Letter {
        kind,
        to: to.to_string(),
        company_id: None,
        subject,
        text,
        html,
        has_logo: brand.has_logo,
    }
}

/// The password reset message: a link valid `minutes`, usable once.
pub fn password_reset(
    lang: Lang,
    brand: &Brand,
    to: &str,
    name: &str,
    link: &str,
    minutes: i64,
) -> Letter {
    let (subject, body) = match lang {
        Lang::PtBr => (
            format!("Redefinir sua senha em {}", brand.name),
            Body {
                greeting: format!("Olá, {name}."),
                lines: vec![
                    format!(
                        "Recebemos um pedido para redefinir a senha da sua conta em {}.",
                        brand.name
                    ),
                    format!(
                        "Para escolher uma nova senha, abra o link abaixo. Ele vale por {minutes} minutos e funciona uma única vez."
                    ),
                ],
                button: "Escolher nova senha",
                link,
                footer: vec![
                    "Se você não fez esse pedido, ignore este e-mail: sua senha continua a mesma."
                        .into(),
                ],
            },
        ),
        Lang::En => (
            format!("Reset your password at {}", brand.name),
            Body {
                greeting: format!("Hello, {name}."),
                lines: vec![
                    format!(
                        "We received a request to reset the password of your account at {}.",
                        brand.name
                    ),
                    format!(
                        "To choose a new password, open the link below. It is valid for {minutes} minutes and works once."
                    ),
                ],
                button: "Choose a new password",
                link,
                footer: vec![
                    "If you did not ask for this, ignore this e-mail: your password stays the same."
                        .into(),
                ],
            },
        ),
    };
    compose("password_reset", lang, brand, to, subject, &body)
}

/// The invitation to join a company: a link valid `days`, usable once, to choose a name and a
/// password.
pub fn invitation(lang: Lang, brand: &Brand, to: &str, link: &str, days: i64) -> Letter {
    let (subject, body) = match lang {
        Lang::PtBr => (
            format!("Convite para entrar em {}", brand.name),
            Body {
                greeting: "Olá.".into(),
                lines: vec![
                    format!("Você foi convidado para usar a conta de {} no armario.", brand.name),
                    format!(
                        "Para aceitar, abra o link abaixo e escolha seu nome e sua senha. Ele vale por {days} dias e funciona uma única vez."
                    ),
                ],
                button: "Aceitar o convite",
                link,
                footer: vec![
                    "Se você não esperava este convite, ignore este e-mail: nada será criado."
                        .into(),
                ],
            },
        ),
        Lang::En => (
            format!("Invitation to join {}", brand.name),
            Body {
                greeting: "Hello.".into(),
                lines: vec![
                    format!("You have been invited to use {}'s account on armario.", brand.name),
                    format!(
                        "To accept, open the link below and choose your name and password. It is valid for {days} days and works once."
                    ),
                ],
                button: "Accept the invitation",
                link,
                footer: vec![
                    "If you did not expect this invitation, ignore this e-mail: nothing will be created."
                        .into(),
                ],
            },
        ),
    };
    compose("invitation", lang, brand, to, subject, &body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_escapes_names_and_refuses_odd_colours() {
        let brand = Brand {
            name: "<b>Acme</b> & Cia".into(),
            color: "red;background:url(x)".into(),
            has_logo: true,
        };
        let l = password_reset(
            Lang::En,
            &brand,
            "a@b.test",
            "<script>",
            "https://x.test/r#token=1",
            30,
        );
        assert!(!l.html.contains("<script>"));
        assert!(!l.html.contains("<b>Acme"));
        assert!(l.html.contains("&lt;b&gt;Acme&lt;/b&gt; &amp; Cia"));
        assert!(!l.html.contains("url(x)"));
        assert!(l.html.contains(DEFAULT_COLOR));
        assert!(l.html.contains("cid:logo@armario"));
        assert!(l.text.contains("https://x.test/r#token=1"));
    }

    #[test]
    fn portuguese_by_language() {
        let l = password_reset(
            Lang::PtBr,
            &Brand::platform(),
            "a@b.test",
            "Ana",
            "https://x.test/r#token=1",
            30,
        );
        assert!(l.subject.starts_with("Redefinir sua senha"));
        assert!(l.html.contains("lang=\"pt-BR\""));
        assert!(l.text.contains("30 minutos"));
    }

    #[test]
    fn invitation_in_both_languages_carries_its_link() {
        let link = "https://x.test/portal/invite#token=1";
        let pt = invitation(Lang::PtBr, &Brand::platform(), "a@b.test", link, 7);
        assert!(pt.subject.starts_with("Convite para entrar em armario"));
        assert!(pt.text.contains("7 dias") && pt.text.contains(link));
        let en = invitation(Lang::En, &Brand::platform(), "a@b.test", link, 7);
        assert!(en.html.contains("lang=\"en\"") && en.html.contains(link));
        assert_eq!(en.kind, "invitation");
    }
}
