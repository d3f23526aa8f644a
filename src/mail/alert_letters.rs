//! The alert messages to the platform owner: what happened, in the owner's language, with a
//! link to the dashboard page where it is handled. An alert carries no secret at all.

use serde_json::Value;

use super::letter::{compose, Body, Brand, Letter};
use crate::domain::language::Lang;

/// `YYYY-MM-DD HH:MM UTC` for a Unix time in milliseconds.
fn when(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .map(|t| t.format("%Y-%m-%d %H:%M UTC").to_string())
        .unwrap_or_default()
}

fn day(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .map(|t| t.format("%Y-%m-%d").to_string())
        .unwrap_or_default()
}

fn s<'a>(facts: &'a Value, key: &str) -> &'a str {
    facts[key].as_str().unwrap_or("")
}

fn n(facts: &Value, key: &str) -> i64 {
    facts[key].as_i64().unwrap_or(0)
}

/// The title and the sentence of an alert of `kind` with `facts`.
fn words(lang: Lang, kind: &str, f: &Value) -> (String, String) {
    let pt = lang == Lang::PtBr;
    match kind {
        "backup_failed" => {
            let (at, error) = (when(n(f, "at")), s(f, "error"));
            if pt {
                (
                    "um backup falhou".into(),
                    format!("Um backup falhou em {at}: {error}"),
                )
            } else {
                (
                    "a backup failed".into(),
                    format!("A backup failed at {at}: {error}"),
                )
            }
        }
        "backup_late" => {
            let last = f["last_good_at"].as_i64().map(when);
            match (pt, last) {
                (true, Some(l)) => ("nenhum backup nas últimas 24 horas".into(), format!("Nenhum backup deu certo nas últimas 24 horas. O último bom terminou em {l}.")),
                (true, None) => ("nenhum backup nas últimas 24 horas".into(), "Nenhum backup deu certo até agora.".into()),
                (false, Some(l)) => ("no backup in 24 hours".into(), format!("No backup succeeded in the last 24 hours. The last good one finished at {l}.")),
                (false, None) => ("no backup in 24 hours".into(), "No backup has succeeded yet.".into()),
            }
        }
        "signup_waiting" => {
            let (company, since) = (s(f, "company"), when(n(f, "since")));
            if pt {
                (
                    format!("{company} aguarda aprovação"),
                    format!("{company} se cadastrou em {since} e aguarda a sua aprovação."),
                )
            } else {
                (
                    format!("{company} waits for approval"),
                    format!("{company} signed up at {since} and waits for your approval."),
                )
            }
        }
        "credential_expiring" => {
            let (app, label, at) = (s(f, "application"), s(f, "label"), day(n(f, "expires_at")));
            if pt {
                (format!("uma credencial de {app} expira em breve"), format!("A credencial \"{label}\" da aplicação {app} expira em {at}. Crie outra e troque-a na aplicação antes disso."))
            } else {
                (format!("a credential of {app} expires soon"), format!("The credential \"{label}\" of the application {app} expires on {at}. Create another and switch the application to it before then."))
            }
        }
        "plan_near_limit" => {
            let (company, users, max) = (s(f, "company"), n(f, "users"), n(f, "max_users"));
            if pt {
                (
                    format!("{company} perto do limite de usuários"),
                    format!("{company} usa {users} dos {max} usuários do plano."),
                )
            } else {
                (
                    format!("{company} near its user limit"),
                    format!("{company} uses {users} of the {max} users of its plan."),
                )
            }
        }
        "webhook_disabled" => {
            let (app, host, at) = (s(f, "application"), s(f, "host"), when(n(f, "at")));
            if pt {
                (format!("um webhook de {app} foi desativado"), format!("O endpoint de webhook da aplicação {app} em {host} falhou durante todas as tentativas e foi desativado em {at}. Corrija-o, ative-o de novo e reenvie as entregas mortas na página da aplicação."))
            } else {
                (format!("a webhook of {app} was disabled"), format!("The webhook endpoint of the application {app} at {host} failed for every attempt and was disabled at {at}. Fix it, enable it again and replay the dead deliveries on the application's page."))
            }
        }
        "provisioning_failed" => {
            let (app, company, error) = (s(f, "application"), s(f, "company"), s(f, "error"));
            if pt {
                (format!("{app} não conseguiu preparar {company}"), format!("A aplicação {app} informou que a preparação de {company} falhou: {error}. Depois de corrigir, peça uma nova tentativa na página da empresa."))
            } else {
                (format!("{app} could not provision {company}"), format!("The application {app} reported that provisioning {company} failed: {error}. Once fixed, ask it to try again from the company's page."))
            }
        }
        _ => {
            let count = n(f, "count");
            if pt {
                ("mensagens não entregues".into(), format!("{count} mensagem(ns) de e-mail não puderam ser entregues depois de todas as tentativas. Veja o cartão E-mail no painel e `armario mail list --dead`."))
            } else {
                ("undelivered messages".into(), format!("{count} e-mail message(s) could not be delivered after every attempt. See the E-mail card on the dashboard and `armario mail list --dead`."))
            }
        }
    }
}

/// The alert of `kind` with `facts` to the owner at `to`; `link` opens the dashboard page.
pub fn alert(lang: Lang, to: &str, name: &str, kind: &str, facts: &Value, link: &str) -> Letter {
    let brand = Brand::platform();
    let (title, sentence) = words(lang, kind, facts);
    let (subject, body) = match lang {
        Lang::PtBr => (
            format!("Alerta do armario: {title}"),
            Body {
                greeting: format!("Olá, {name}."),
                lines: vec![sentence],
                button: "Abrir o painel",
                link,
                footer: vec!["Você recebe este alerta como dono da plataforma, no máximo uma vez por dia para cada causa. Escolha quais receber em Alertas, no painel.".into()],
            },
        ),
        Lang::En => (
            format!("armario alert: {title}"),
            Body {
                greeting: format!("Hello, {name}."),
                lines: vec![sentence],
                button: "Open the dashboard",
                link,
                footer: vec!["You receive this alert as the platform owner, at most once a day for each cause. Choose which to receive under Alerts, in the dashboard.".into()],
            },
        ),
    };
    let mut letter = compose("alert", lang, &brand, to, subject, &body);
    // The company it is about (the platform's brand all the same): erasing that company
    // reaches this message too.
    letter.company_id = facts["company_id"].as_str().map(String::from);
    letter
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn every_kind_reads_in_both_languages() {
        let facts = json!({"company": "Padaria", "since": 0, "users": 9, "max_users": 10,
                           "application": "Help", "label": "prod", "expires_at": 0, "count": 2,
                           "at": 0, "error": "refused", "host": "hooks.example.com"});
        for kind in [
            "backup_failed",
            "backup_late",
            "signup_waiting",
            "credential_expiring",
            "plan_near_limit",
            "mail_dead",
            "webhook_disabled",
            "provisioning_failed",
        ] {
            for lang in [Lang::PtBr, Lang::En] {
                let l = alert(
                    lang,
                    "o@x.test",
                    "Olga",
                    kind,
                    &facts,
                    "https://x.test/admin/",
                );
                assert!(l.text.contains("https://x.test/admin/"), "{kind}");
                assert!(!l.subject.ends_with(": "), "{kind}");
            }
        }
        let pt = alert(
            Lang::PtBr,
            "o@x.test",
            "Olga",
            "plan_near_limit",
            &facts,
            "l",
        );
        assert!(pt.text.contains("usa 9 dos 10"), "{}", pt.text);
    }
}
