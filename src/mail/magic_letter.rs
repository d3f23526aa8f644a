//! The magic sign-in message: one link that signs in, once, the browser that asked for it.

use super::letter::{compose, Body, Brand, Letter};
use crate::domain::language::Lang;

/// The sign-in link message: a link valid `minutes`, usable once, in the asking browser only.
pub fn magic_link(
    lang: Lang,
    brand: &Brand,
    to: &str,
    name: &str,
    link: &str,
    minutes: i64,
) -> Letter {
    let (subject, body) = match lang {
        Lang::PtBr => (
            format!("Seu link para entrar em {}", brand.name),
            Body {
                greeting: format!("Olá, {name}."),
                lines: vec![
                    format!("Recebemos um pedido para entrar na sua conta em {} sem senha.", brand.name),
                    format!(
                        "Para entrar, abra o link abaixo no mesmo navegador em que você o pediu. Ele vale por {minutes} minutos e funciona uma única vez."
                    ),
                ],
                button: "Entrar agora",
                link,
                footer: vec![
                    "Se você não fez esse pedido, ignore este e-mail: ninguém entra na sua conta sem abrir este link no navegador que o pediu."
                        .into(),
                ],
            },
        ),
        Lang::En => (
            format!("Your link to sign in to {}", brand.name),
            Body {
                greeting: format!("Hello, {name}."),
                lines: vec![
                    format!("We received a request to sign in to your account at {} without a password.", brand.name),
                    format!(
                        "To sign in, open the link below in the same browser you asked for it from. It is valid for {minutes} minutes and works once."
                    ),
                ],
                button: "Sign in now",
                link,
                footer: vec![
                    "If you did not ask for this, ignore this e-mail: nobody signs in without opening this link in the browser that asked for it."
                        .into(),
                ],
            },
        ),
    };
    compose("magic_link", lang, brand, to, subject, &body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_languages_carry_the_link_and_the_minutes() {
        let link = "https://x.test/portal/magic#token=1";
        let pt = magic_link(Lang::PtBr, &Brand::platform(), "a@b.test", "Ana", link, 15);
        assert!(pt.subject.starts_with("Seu link para entrar em armario"));
        assert!(pt.text.contains("15 minutos") && pt.text.contains(link));
        let en = magic_link(Lang::En, &Brand::platform(), "a@b.test", "<b>", link, 15);
        assert!(en.html.contains("lang=\"en\"") && en.html.contains(link));
        assert!(!en.html.contains("<b>"));
        assert_eq!(en.kind, "magic_link");
    }
}
