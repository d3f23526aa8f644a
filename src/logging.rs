//! Log output. In JSON every line logged while serving a request starts with that request's
//! id as a top-level `request_id`, whichever span is current, so `jq 'select(.request_id=="…")'`
//! finds all of a request's lines (tracing-subscriber's own JSON names it only inside the
//! span that declared it).

use std::fmt;

use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id};
use tracing::{Event, Subscriber};
use tracing_subscriber::fmt::format::Writer;
use tracing_subscriber::fmt::{FmtContext, FormatEvent, FormatFields};
use tracing_subscriber::layer::Context;
use tracing_subscriber::registry::LookupSpan;
use tracing_subscriber::Layer;

/// The `request_id` field of a span, kept in the span's extensions.
struct RequestIdField(String);

/// Remembers the `request_id` of every span that declares one.
pub struct RequestIdLayer;

struct FindRequestId(Option<String>);

impl Visit for FindRequestId {
    fn record_str(&mut self, field: &Field, value: &str) {
        if field.name() == "request_id" {
            self.0 = Some(value.to_string());
        }
    }

    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        if field.name() == "request_id" {
            self.0 = Some(format!("{value:?}"));
        }
    }
}

impl<S: Subscriber + for<'a> LookupSpan<'a>> Layer<S> for RequestIdLayer {
    fn on_new_span(&self, attrs: &Attributes<'_>, id: &Id, ctx: Context<'_, S>) {
        let mut found = FindRequestId(None);
        attrs.record(&mut found);
        if let (Some(request_id), Some(span)) = (found.0, ctx.span(id)) {
            span.extensions_mut().insert(RequestIdField(request_id));
        }
    }
}

/// Wraps the JSON event format and puts the request id first.
pub struct WithRequestId<F>(pub F);

impl<S, N, F> FormatEvent<S, N> for WithRequestId<F>
where
    S: Subscriber + for<'a> LookupSpan<'a>,
    N: for<'a> FormatFields<'a> + 'static,
    F: FormatEvent<S, N>,
{
    fn format_event(
        &self,
        ctx: &FmtContext<'_, S, N>,
        mut writer: Writer<'_>,
        event: &Event<'_>,
    ) -> fmt::Result {
        let request_id = ctx.event_scope().and_then(|scope| {
            scope.from_root().find_map(|span| {
                span.extensions()
                    .get::<RequestIdField>()
                    .map(|f| f.0.clone())
            })
        });
        let Some(request_id) = request_id else {
            return self.0.format_event(ctx, writer, event);
        };
        let mut line = String::new();
        self.0.format_event(ctx, Writer::new(&mut line), event)?;
        match line.strip_prefix('{') {
            Some(rest) => {
                let id = serde_json::Value::String(request_id);
                write!(writer, "{{\"request_id\":{id},{rest}")
            }
            None => writer.write_str(&line),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex};

    use tracing_subscriber::fmt::{self, MakeWriter};
    use tracing_subscriber::prelude::*;

    use super::*;

    #[derive(Clone, Default)]
    struct Buffer(Arc<Mutex<Vec<u8>>>);

    impl std::io::Write for Buffer {
        fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(bytes);
            Ok(bytes.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    impl<'a> MakeWriter<'a> for Buffer {
        type Writer = Buffer;
        fn make_writer(&'a self) -> Self::Writer {
            self.clone()
        }
    }

    #[test]
    fn lines_inside_nested_spans_carry_the_request_id() {
        let buffer = Buffer::default();
        let json = fmt::format().json().with_current_span(true);
        let subscriber = tracing_subscriber::registry().with(RequestIdLayer).with(
            fmt::layer()
                .json()
                .event_format(WithRequestId(json))
                .with_writer(buffer.clone()),
        );
        tracing::subscriber::with_default(subscriber, || {
            tracing::info!("before any request");
            let request = tracing::info_span!("request", request_id = %"req-1");
            let _r = request.enter();
            let service = tracing::info_span!("service", company_id = "cmp_1");
            let _s = service.enter();
            tracing::warn!("inside the service");
        });
        let text = String::from_utf8(buffer.0.lock().unwrap().clone()).unwrap();
        let lines: Vec<serde_json::Value> = text
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert!(lines[0].get("request_id").is_none());
        assert_eq!(lines[1]["request_id"], "req-1");
        assert_eq!(lines[1]["span"]["company_id"], "cmp_1");
    }
}
