//! Input every request must respect before any page or server function reads it: no control
//! characters in any text (`app::rules::text`), bodies only as form fields or JSON, each to
//! the endpoints that read that format, and a bounded size.
//!
//! One layer instead of a check in each server function, so no text field can be missed:
//! a NUL byte reaching PostgreSQL is a 500 there, and one pasted into a draft made every
//! autosave fail. Line breaks and tabs are text; the rules refuse what else a field may not
//! hold (such as invisible characters in a name, R15) with their own messages.

use crate::http_errors::error_response;
use app::error::AppError;
use app::rules::text::{code_point, is_forbidden_control};
use axum::body::{to_bytes, Body};
use axum::extract::Request;
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Response};
use http::{header, Method, StatusCode};
use server_fn::ServerFn;

/// The largest body a server function accepts. The largest draft the storage bounds allow
/// (`rules::release::storage_bounds`) is about a fifth of this as JSON.
pub const MAX_BODY_BYTES: usize = 1 << 20;

/// Where in a request a control character was found.
#[derive(Debug, PartialEq, Eq)]
pub struct ControlCharacter {
    pub found: char,
    pub field: String,
}

fn first_control(field: &str, text: &str) -> Option<ControlCharacter> {
    text.chars().find(|c| is_forbidden_control(*c)).map(|found| ControlCharacter { found, field: field.to_owned() })
}

/// A control character in a URL's path or query (percent-decoded).
pub fn control_in_uri(uri: &http::Uri) -> Option<ControlCharacter> {
    let path = percent_encoding::percent_decode_str(uri.path()).decode_utf8_lossy();
    if let Some(found) = first_control("the address", &path) {
        return Some(found);
    }
    let query = uri.query().unwrap_or_default();
    form_urlencoded::parse(query.as_bytes()).find_map(|(name, value)| {
        first_control(&name, &name).or_else(|| first_control(&name, &value))
    })
}

/// A control character in a form-encoded body.
pub fn control_in_form(body: &[u8]) -> Option<ControlCharacter> {
    form_urlencoded::parse(body).find_map(|(name, value)| first_control(&name, &name).or_else(|| first_control(&name, &value)))
}

/// A control character anywhere in a JSON document's strings or keys, named by its path
/// (`content.specifications[0].regions[1]`).
pub fn control_in_json(value: &serde_json::Value, path: &str) -> Option<ControlCharacter> {
    use serde_json::Value;
    match value {
        Value::String(text) => first_control(path, text),
        Value::Array(items) => items.iter().enumerate().find_map(|(i, v)| control_in_json(v, &format!("{path}[{i}]"))),
        Value::Object(fields) => fields.iter().find_map(|(key, v)| {
            let at = if path.is_empty() { key.clone() } else { format!("{path}.{key}") };
            first_control(&at, key).or_else(|| control_in_json(v, &at))
        }),
        _ => None,
    }
}

/// The format an endpoint under `/api/` reads its body in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BodyFormat {
    Json,
    Form,
}

impl BodyFormat {
    fn content_type(self) -> &'static str {
        match self {
            BodyFormat::Json => "application/json",
            BodyFormat::Form => "application/x-www-form-urlencoded",
        }
    }
}

/// The server functions that take JSON (`input = Json`); every other one takes form fields.
const JSON_SERVER_FUNCTIONS: [&str; 5] = [
    <app::drafts::SaveDraft as ServerFn>::PATH,
    <app::release::SubmitRelease as ServerFn>::PATH,
    <app::tokens::CreateApiToken as ServerFn>::PATH,
    <app::products::ChangeTierPrices as ServerFn>::PATH,
    <app::purchases::BuyProduct as ServerFn>::PATH,
];

/// The format the endpoint at `path` reads. Its decoder (server_fn's codecs, the API's
/// `routes::body`) reads the bytes in that format whatever the request's type says, so the
/// check below must read them the same way: a body of the other type is refused (415), or JSON
/// sent as form fields would pass the form check and be decoded as JSON, control characters
/// and all. Should a JSON server function be missing from the list above, every call to it is
/// refused, never passed unchecked.
pub fn body_format(path: &str) -> BodyFormat {
    if path.starts_with("/api/v1/") || JSON_SERVER_FUNCTIONS.contains(&path) {
        BodyFormat::Json
    } else {
        BodyFormat::Form
    }
}

fn refused(found: &ControlCharacter) -> AppError {
    AppError::BadRequest(format!(
        "The {} holds a control character ({}), which no text may contain. Remove it and try again.",
        found.field,
        code_point(found.found)
    ))
}

/// The layer: checks the address of every request and the body of every server-function call.
pub async fn check_input(request: Request, next: Next) -> Response {
    let is_api = request.uri().path().starts_with("/api/");
    if let Some(found) = control_in_uri(request.uri()) {
        tracing::info!(field = %found.field, "refused a request holding a control character");
        return if is_api {
            error_response(&refused(&found))
        } else {
            bad_address_page()
        };
    }
    if !is_api || matches!(*request.method(), Method::GET | Method::HEAD | Method::OPTIONS) {
        return next.run(request).await;
    }
    let content_type = request
        .headers()
        .get(header::CONTENT_TYPE)
        .map(|v| v.to_str().unwrap_or("?").split(';').next().unwrap_or_default().trim().to_ascii_lowercase());
    let format = body_format(request.uri().path());
    // Only an empty body may come without a type (a server function without arguments).
    let typed = match content_type {
        None => false,
        Some(given) if given == format.content_type() => true,
        Some(_) => return unsupported_type(format),
    };
    let (parts, body) = request.into_parts();
    let bytes = match to_bytes(body, MAX_BODY_BYTES).await {
        Ok(bytes) => bytes,
        // Its deadline passed (`connections`): the client is told, and the connection closes,
        // as the rest of the body may still be on its way.
        Err(error) if crate::connections::BodyTooSlow::caused(&error) => {
            tracing::info!(path = %parts.uri.path(), "answered 408: the request body did not arrive in time");
            let mut response = error_response(&AppError::BadRequest("The request took too long to arrive. Try again.".into()));
            *response.status_mut() = StatusCode::REQUEST_TIMEOUT;
            response.headers_mut().insert(header::CONNECTION, http::HeaderValue::from_static("close"));
            return response;
        }
        Err(_) => {
            let mut response = error_response(&AppError::BadRequest(format!(
                "The request is too large ({} KiB at most).",
                MAX_BODY_BYTES / 1024
            )));
            *response.status_mut() = StatusCode::PAYLOAD_TOO_LARGE;
            return response;
        }
    };
    if !typed && !bytes.is_empty() {
        return unsupported_type(format);
    }
    let found = match format {
        BodyFormat::Json if bytes.is_empty() => None,
        // A body this check cannot read is refused, never left to the decoder: it reads into
        // typed fields and skips the others unread (a number out of range, nesting too deep,
        // a lone surrogate), so one such field would carry the rest past this check.
        BodyFormat::Json => match serde_json::from_slice::<serde_json::Value>(&bytes) {
            Ok(value) => control_in_json(&value, ""),
            Err(error) => {
                return error_response(&AppError::BadRequest(format!("The request body is not valid JSON: {error}.")));
            }
        },
        BodyFormat::Form => control_in_form(&bytes),
    };
    if let Some(found) = found {
        tracing::info!(field = %found.field, path = %parts.uri.path(), "refused a request holding a control character");
        return error_response(&refused(&found));
    }
    next.run(Request::from_parts(parts, Body::from(bytes))).await
}

/// A body only as the type its endpoint reads: JSON only as `application/json`, so no
/// plain-text body (which any site may send without asking) is ever read as JSON.
fn unsupported_type(format: BodyFormat) -> Response {
    let mut response =
        error_response(&AppError::BadRequest(format!("Send this request's body as {}.", format.content_type())));
    *response.status_mut() = StatusCode::UNSUPPORTED_MEDIA_TYPE;
    response
}

fn bad_address_page() -> Response {
    let page = "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Bad address · Marketplace</title></head>\
        <body><main><h1>This address cannot be opened</h1><p>It holds a control character, which no address on this site \
        contains. Check the link you followed.</p><p><a href=\"/\">Go to the marketplace</a></p></main></body></html>";
    (StatusCode::BAD_REQUEST, Html(page)).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_are_found_in_addresses_forms_and_json_with_their_field() {
        let uri: http::Uri = "/products/%00".parse().unwrap();
        assert_eq!(control_in_uri(&uri).unwrap().found, '\0');
        let uri: http::Uri = "/?q=ubuntu%1B".parse().unwrap();
        assert_eq!(control_in_uri(&uri).unwrap().field, "q");
        assert!(control_in_uri(&"/?q=caf%C3%A9+bar".parse().unwrap()).is_none());
        assert_eq!(control_in_form(b"email=a%00b&password=x").unwrap().field, "email");
        assert!(control_in_form(b"reason=line+one%0D%0Aline+two%09tab").is_none());
        let json: serde_json::Value =
            serde_json::from_str(r#"{"content":{"name":"ok","specifications":[{"regions":["eu","x\u0000"]}]}}"#).unwrap();
        assert_eq!(control_in_json(&json, "").unwrap().field, "content.specifications[0].regions[1]");
        let fine: serde_json::Value = serde_json::from_str(r#"{"description":"a\nb\tc"}"#).unwrap();
        assert!(control_in_json(&fine, "").is_none());
    }

    #[test]
    fn each_endpoint_reads_one_format_the_api_and_five_server_functions_json() {
        assert_eq!(body_format("/api/v1/drafts"), BodyFormat::Json);
        assert_eq!(body_format("/api/drafts/save"), BodyFormat::Json);
        assert_eq!(body_format("/api/purchases/buy"), BodyFormat::Json);
        assert_eq!(body_format("/api/session/sign-in"), BodyFormat::Form);
        assert_eq!(body_format("/api/review/decide"), BodyFormat::Form);
    }
}
