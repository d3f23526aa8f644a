//! `armario mail list` and `armario mail retry`: the outbox from the server's console. Both
//! open the database like every other command, alongside a running server if there is one.

use crate::app;
use crate::cli::MailCommand;
use crate::clock::now_ms;
use crate::config::Settings;
use crate::db;

fn when(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .map(|t| t.format("%Y-%m-%d %H:%M:%S UTC").to_string())
        .unwrap_or_default()
}

pub async fn run(settings: Settings, command: MailCommand) -> Result<(), String> {
    let (state, operator) = app::open_as_operator(settings).await?;
    let result = match command {
        MailCommand::List {
            dead,
            queued,
            limit,
        } => {
            let status = if dead {
                Some("dead")
            } else if queued {
                Some("queued")
            } else {
                None
            };
            let limit = limit.clamp(1, 10_000);
            state
                .store
                .read(move |c| Ok((db::outbox::list(c, status, limit)?, db::outbox::counts(c)?)))
                .await
                .map(|(rows, counts)| {
                    println!(
                        "{} queued, {} dead-lettered{}",
                        counts.queued,
                        counts.dead,
                        if state.mail.configured() {
                            ""
                        } else {
                            " (no SMTP server is set: smtp.host)"
                        }
                    );
                    for m in rows {
                        let next = match m.status.as_str() {
                            "queued" => format!(" next {}", when(m.next_attempt_at)),
                            "sent" => m
                                .sent_at
                                .map(|t| format!(" sent {}", when(t)))
                                .unwrap_or_default(),
                            _ => String::new(),
                        };
                        println!(
                            "{}  {:<6}  {}  {}  {} attempt(s){}  {}{}",
                            when(m.created_at),
                            m.status,
                            m.kind,
                            m.recipient,
                            m.attempts,
                            next,
                            m.message_id,
                            m.last_error
                                .map(|e| format!("\n    last error: {e}"))
                                .unwrap_or_default()
                        );
                    }
                })
        }
        MailCommand::Retry => {
            let ctx = operator.audit();
            state
                .store
                .write(move |tx| {
                    let now = now_ms();
                    let n = db::outbox::requeue_dead(tx, now)?;
                    let event = crate::domain::NewAuditEvent::new("mail.requeued")
                        .details(serde_json::json!({ "messages": n }));
                    db::audit::insert(tx, &ctx, &event, now)?;
                    Ok(n)
                })
                .await
                .map(|n| println!("{n} dead-lettered message(s) queued again"))
        }
    };
    state.store.close().await;
    result.map_err(|e| e.to_string())
}
