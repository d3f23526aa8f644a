//! The messages about a person's address: the link that verifies a sign-up's address, the link
//! sent to a new address to confirm a change, and the notice the old address receives once the
//! change is made (which carries no link at all).

use super::letter::{compose as letter, Body, Brand, Letter};
use crate::domain::language::Lang;

/// Asks the person who signed up to confirm that `to` is theirs: a link valid `days`, once.
pub fn verification(
    lang: Lang,
    brand: &Brand,
    to: &str,
    name: &str,
    link: &str,
    days: i64,
) -> Letter {
    let (subject, body) = match lang {
        Lang::PtBr => (
            format!("Confirme seu e-mail em {}", brand.name),
            Body {
                greeting: format!("Olá, {name}."),
                lines: vec![
                    format!("Recebemos o cadastro de {} com este endereço de e-mail.", brand.name),
                    format!(
                        "Para confirmar que o endereço é seu, abra o link abaixo. Ele vale por {days} dias e funciona uma única vez. O cadastro continua em análise até ser aprovado."
                    ),
                ],
                button: "Confirmar meu e-mail",
                link,
                footer: vec!["Se você não fez esse cadastro, ignore este e-mail.".into()],
            },
        ),
        Lang::En => (
            format!("Confirm your e-mail at {}", brand.name),
            Body {
                greeting: format!("Hello, {name}."),
                lines: vec![
                    format!("We received the sign-up of {} with this e-mail address.", brand.name),
                    format!(
                        "To confirm the address is yours, open the link below. It is valid for {days} days and works once. The sign-up stays under review until it is approved."
                    ),
                ],
                button: "Confirm my e-mail",
                link,
                footer: vec!["If you did not sign up, ignore this e-mail.".into()],
            },
        ),
    };
    letter("email_verification", lang, brand, to, subject, &body)
}

/// Sent to the new address `to`: opening the link (valid `hours`, once) makes it the account's.
pub fn change_confirmation(
    lang: Lang,
    brand: &Brand,
    to: &str,
    name: &str,
    link: &str,
    hours: i64,
) -> Letter {
    let (subject, body) = match lang {
        Lang::PtBr => (
            format!("Confirme seu novo e-mail em {}", brand.name),
            Body {
                greeting: format!("Olá, {name}."),
                lines: vec![
                    format!("Foi pedido que este passe a ser o e-mail da sua conta em {}.", brand.name),
                    format!(
                        "Para confirmar, abra o link abaixo. Ele vale por {hours} horas e funciona uma única vez. Até lá, o e-mail da conta continua o antigo."
                    ),
                ],
                button: "Confirmar o novo e-mail",
                link,
                footer: vec!["Se você não fez esse pedido, ignore este e-mail: nada muda.".into()],
            },
        ),
        Lang::En => (
            format!("Confirm your new e-mail at {}", brand.name),
            Body {
                greeting: format!("Hello, {name}."),
                lines: vec![
                    format!("Someone asked for this to become the e-mail of your account at {}.", brand.name),
                    format!(
                        "To confirm, open the link below. It is valid for {hours} hours and works once. Until then, the account keeps its old e-mail."
                    ),
                ],
                button: "Confirm the new e-mail",
                link,
                footer: vec!["If you did not ask for this, ignore this e-mail: nothing changes.".into()],
            },
        ),
    };
    letter("email_change", lang, brand, to, subject, &body)
}

/// Sent to the old address `to` once the account moved to `new_email`. It has no link: a
/// notice must not hand the old address a way in.
pub fn changed_notice(lang: Lang, brand: &Brand, to: &str, name: &str, new_email: &str) -> Letter {
    let (subject, body) = match lang {
        Lang::PtBr => (
            format!("Seu e-mail em {} foi alterado", brand.name),
            Body {
                greeting: format!("Olá, {name}."),
                lines: vec![
                    format!(
                        "O e-mail da sua conta em {} passou a ser {new_email}.",
                        brand.name
                    ),
                    "Este endereço não recebe mais as mensagens da conta.".into(),
                ],
                button: "",
                link: "",
                footer: vec![
                    "Se não foi você, fale agora com o administrador da sua empresa.".into(),
                ],
            },
        ),
        Lang::En => (
            format!("Your e-mail at {} was changed", brand.name),
            Body {
                greeting: format!("Hello, {name}."),
                lines: vec![
                    format!(
                        "The e-mail of your account at {} is now {new_email}.",
                        brand.name
                    ),
                    "This address no longer receives the account's messages.".into(),
                ],
                button: "",
                link: "",
                footer: vec![
                    "If this was not you, talk to your company's administrator now.".into(),
                ],
            },
        ),
    };
    letter("email_changed", lang, brand, to, subject, &body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_notice_has_no_link_and_names_the_new_address() {
        let l = changed_notice(
            Lang::PtBr,
            &Brand::platform(),
            "old@x.test",
            "Ana",
            "new@x.test",
        );
        assert!(l.text.contains("new@x.test") && l.subject.contains("foi alterado"));
        assert!(!l.html.contains("<a ") && !l.text.contains("http"));
        assert_eq!(l.kind, "email_changed");
    }

    #[test]
    fn links_travel_in_both_languages() {
        let link = "https://x.test/portal/verify#token=1";
        let pt = verification(Lang::PtBr, &Brand::platform(), "a@x.test", "Ana", link, 7);
        assert!(pt.text.contains(link) && pt.text.contains("7 dias"));
        let en = change_confirmation(Lang::En, &Brand::platform(), "b@x.test", "Ana", link, 24);
        assert!(en.html.contains(link) && en.text.contains("24 hours"));
    }
}
