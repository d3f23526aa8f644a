//! The sender task: delivers queued messages over SMTP, one at a time, oldest first. A message
//! is marked sent only after the server accepted it, so a crash in between sends it again with
//! the same `Message-ID` (at least once). A refused attempt waits `retry_wait(n)`; a permanent
//! refusal (5xx) or the last attempt dead-letters the message.

use std::sync::Arc;
use std::time::Duration;

use base64::Engine;
use lettre::message::header::ContentType;
use lettre::message::{Attachment, Mailbox, MultiPart, SinglePart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use crate::clock::now_ms;
use crate::crypto::Sealer;
use crate::db::{self, outbox::DueMessage, Store};
use crate::mail::letter::LOGO_CID;
use crate::mail::settings::{Security, Smtp};
use crate::mail::{context, Mail, SealedBody};
use crate::metrics::Metrics;

/// The longest the sender sleeps without looking at the outbox.
const IDLE_POLL: Duration = Duration::from_secs(5);
const BATCH: u32 = 16;
/// How long a claimed message is left to its sender before any sender may try it again (a
/// sender that stopped mid-send): past the SMTP exchange's own time limits.
const CLAIM_MS: i64 = 120_000;

type Transport = AsyncSmtpTransport<Tokio1Executor>;

fn transport(smtp: &Smtp) -> Result<Transport, String> {
    let builder = match smtp.security {
        Security::StartTls => Transport::starttls_relay(&smtp.host).map_err(|e| e.to_string())?,
        Security::Tls => Transport::relay(&smtp.host).map_err(|e| e.to_string())?,
        Security::Plain => Transport::builder_dangerous(&smtp.host),
    };
    let mut builder = builder
        .port(smtp.port)
        .timeout(Some(Duration::from_secs(30)));
    if let Some((user, password)) = &smtp.credentials {
        builder = builder.credentials(Credentials::new(
            user.clone(),
            password.expose().to_string(),
        ));
    }
    Ok(builder.build())
}

/// Runs until `stop` resolves. Stopping mid-send leaves the message queued, to be sent again
/// (with the same `Message-ID`) after the restart.
pub async fn run(
    store: Store,
    sealer: Arc<Sealer>,
    mail: Arc<Mail>,
    metrics: Arc<Metrics>,
    stop: impl std::future::Future<Output = ()>,
) {
    tokio::pin!(stop);
    let transport = match mail.settings.smtp.as_ref().map(transport).transpose() {
        Ok(t) => t,
        Err(e) => {
            tracing::error!(error = %e, "cannot set up the SMTP transport; mail stays queued");
            None
        }
    };
    loop {
        if let (Some(transport), Some(smtp)) = (&transport, &mail.settings.smtp) {
            let sender = Sender {
                store: &store,
                sealer: &sealer,
                mail: &mail,
                metrics: &metrics,
                transport,
                from: &smtp.from,
            };
            tokio::select! {
                _ = sender.drain() => {}
                _ = &mut stop => return,
            }
        }
        let wait = next_wait(&store, transport.is_some()).await;
        tokio::select! {
            _ = mail.wake.notified() => {}
            _ = tokio::time::sleep(wait) => {}
            _ = &mut stop => return,
        }
    }
}

/// Until the next queued message is due (at most [`IDLE_POLL`]).
async fn next_wait(store: &Store, sending: bool) -> Duration {
    if !sending {
        return IDLE_POLL;
    }
    match store.read(db::outbox::next_due_at).await {
        Ok(Some(at)) => {
            Duration::from_millis((at - now_ms()).clamp(0, IDLE_POLL.as_millis() as i64) as u64)
        }
        _ => IDLE_POLL,
    }
}

struct Sender<'a> {
    store: &'a Store,
    sealer: &'a Sealer,
    mail: &'a Mail,
    metrics: &'a Metrics,
    transport: &'a Transport,
    from: &'a Mailbox,
}

impl Sender<'_> {
    async fn drain(&self) {
        loop {
            // A read first, so an idle sender writes nothing; then the claim, in a write.
            let any = self
                .store
                .read(move |c| Ok(!db::outbox::due(c, now_ms(), 1)?.is_empty()))
                .await;
            let due = match any {
                Ok(false) => return,
                Ok(true) => {
                    self.store
                        .write(move |tx| {
                            let now = now_ms();
                            db::outbox::claim_due(tx, now, now + CLAIM_MS, BATCH)
                        })
                        .await
                }
                Err(e) => Err(e),
            };
            let due = match due {
                Ok(due) => due,
                Err(e) => {
                    tracing::warn!(error = %e, "cannot read the outbox");
                    return;
                }
            };
            // Another replica's sender claimed them first.
            if due.is_empty() {
                return;
            }
            for m in due {
                self.attempt(m).await;
            }
        }
    }

    async fn attempt(&self, m: DueMessage) {
        let attempts = m.attempts + 1;
        let outcome = match self.build(&m).await {
            Ok(message) => self.transport.send(message).await.map_err(|e| {
                let permanent = e.is_permanent();
                (e.to_string(), permanent)
            }),
            Err(e) => Err((e, true)),
        };
        let (id, now) = (m.id, now_ms());
        let result = match outcome {
            Ok(_) => {
                self.metrics.mail_sent();
                tracing::info!(message_id = %m.message_id, attempts, "mail sent");
                self.store
                    .write(move |tx| db::outbox::mark_sent(tx, id, attempts, now))
                    .await
            }
            Err((error, permanent)) => {
                self.metrics.mail_attempt_failed();
                let last = permanent || attempts >= self.mail.settings.max_attempts;
                let next_at = (!last)
                    .then(|| now + self.mail.settings.retry_wait(attempts).as_millis() as i64);
                if last {
                    tracing::error!(message_id = %m.message_id, attempts, %error, "mail dead-lettered");
                } else {
                    tracing::warn!(message_id = %m.message_id, attempts, %error, "mail not sent; will retry");
                }
                self.store
                    .write(move |tx| db::outbox::mark_failed(tx, id, attempts, &error, next_at))
                    .await
            }
        };
        if let Err(e) = result {
            tracing::warn!(error = %e, "cannot record a delivery attempt");
        }
    }

    /// The message as sent: the body opened, the logo attached inline when the body shows it.
    async fn build(&self, m: &DueMessage) -> Result<Message, String> {
        let plain = self
            .sealer
            .open(&m.sealed, &m.key_id, &context(&m.id.to_string()))
            .map_err(|e| format!("cannot open the message body: {e}"))?;
        let body: SealedBody =
            serde_json::from_slice(&plain).map_err(|e| format!("unreadable body: {e}"))?;
        let to: Mailbox = m
            .recipient
            .parse()
            .map_err(|e| format!("not an address: {e}"))?;
        let text = SinglePart::plain(body.text);
        let html = SinglePart::html(body.html);
        let logo = if body.has_logo {
            self.logo(m.id).await
        } else {
            None
        };
        let alternative = match logo {
            Some((bytes, kind)) => MultiPart::alternative().singlepart(text).multipart(
                MultiPart::related()
                    .singlepart(html)
                    .singlepart(Attachment::new_inline(LOGO_CID.into()).body(bytes, kind)),
            ),
            None => MultiPart::alternative().singlepart(text).singlepart(html),
        };
        Message::builder()
            .message_id(Some(m.message_id.clone()))
            .from(self.from.clone())
            .to(to)
            .subject(m.subject.clone())
            .header(AutoSubmitted)
            .multipart(alternative)
            .map_err(|e| format!("cannot build the message: {e}"))
    }

    /// The company's logo, decoded from its `data:` URL.
    async fn logo(&self, row: i64) -> Option<(Vec<u8>, ContentType)> {
        let url = self
            .store
            .read(move |c| match db::outbox::company_of(c, row)? {
                Some(id) => db::companies::logo(c, &id),
                None => Ok(None),
            })
            .await
            .ok()??;
        let (meta, data) = url.strip_prefix("data:")?.split_once(',')?;
        let kind = meta.strip_suffix(";base64")?;
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(data)
            .ok()?;
        Some((bytes, ContentType::parse(kind).ok()?))
    }
}

/// `Auto-Submitted: auto-generated` (RFC 3834): out-of-office replies stay away.
#[derive(Clone)]
struct AutoSubmitted;

impl lettre::message::header::Header for AutoSubmitted {
    fn name() -> lettre::message::header::HeaderName {
        lettre::message::header::HeaderName::new_from_ascii_str("Auto-Submitted")
    }

    fn parse(_: &str) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        Ok(Self)
    }

    fn display(&self) -> lettre::message::header::HeaderValue {
        lettre::message::header::HeaderValue::new(Self::name(), "auto-generated".into())
    }
}
