//! What the servers under test log at ERROR, with the request each line was logged for, so
//! a test can show that a client's mistake is never an ERROR of ours.

use std::sync::Mutex;
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id};
use tracing::{Event, Level, Subscriber};
use tracing_subscriber::layer::Context;
use tracing_subscriber::registry::LookupSpan;
use tracing_subscriber::Layer;

/// One ERROR line: its message and the `x-request-id` of the request it was logged for.
#[derive(Debug, Clone)]
pub struct LoggedError {
    pub request_id: Option<String>,
    pub message: String,
}

static ERRORS: Mutex<Vec<LoggedError>> = Mutex::new(Vec::new());

/// The ERROR lines logged while serving the request with this id.
pub fn errors_for(request_id: &str) -> Vec<LoggedError> {
    ERRORS.lock().unwrap().iter().filter(|e| e.request_id.as_deref() == Some(request_id)).cloned().collect()
}

pub struct ErrorCapture;

struct RequestId(String);

#[derive(Default)]
struct Fields {
    id: Option<String>,
    message: String,
}

impl Visit for Fields {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        match field.name() {
            "id" => self.id = Some(format!("{value:?}")),
            "message" => self.message = format!("{value:?}"),
            other => self.message.push_str(&format!(" {other}={value:?}")),
        }
    }
    fn record_str(&mut self, field: &Field, value: &str) {
        match field.name() {
            "id" => self.id = Some(value.to_owned()),
            "message" => self.message = value.to_owned(),
            other => self.message.push_str(&format!(" {other}={value}")),
        }
    }
}

impl ErrorCapture {
    /// The layer, seeing only the request spans and ERROR events.
    pub fn layer<S: Subscriber + for<'a> LookupSpan<'a>>() -> impl Layer<S> {
        ErrorCapture.with_filter(tracing_subscriber::filter::filter_fn(|meta| {
            (meta.is_span() && meta.name() == "request") || (meta.is_event() && *meta.level() == Level::ERROR)
        }))
    }
}

impl<S: Subscriber + for<'a> LookupSpan<'a>> Layer<S> for ErrorCapture {
    fn on_new_span(&self, attrs: &Attributes<'_>, id: &Id, ctx: Context<'_, S>) {
        let mut fields = Fields::default();
        attrs.record(&mut fields);
        if let (Some(request_id), Some(span)) = (fields.id, ctx.span(id)) {
            span.extensions_mut().insert(RequestId(request_id));
        }
    }

    fn on_event(&self, event: &Event<'_>, ctx: Context<'_, S>) {
        let mut fields = Fields::default();
        event.record(&mut fields);
        let request_id = ctx
            .event_scope(event)
            .and_then(|scope| scope.from_root().find_map(|span| span.extensions().get::<RequestId>().map(|r| r.0.clone())));
        ERRORS.lock().unwrap().push(LoggedError { request_id, message: fields.message });
    }
}
