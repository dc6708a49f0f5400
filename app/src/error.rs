//! The one error type that crosses the wire between server functions and the browser.
//!
//! Each variant carries the HTTP status it is answered with (the server maps it in one
//! place, see `server::http_errors`), and a message written for the person using the
//! console. Internal failures never carry their cause: it is logged on the server instead.

use crate::rules::RuleViolation;
use serde::{Deserialize, Serialize};
use server_fn::{error::FromServerFnError, ServerFnError};
use server_fn::error::ServerFnErrorErr;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum AppError {
    /// No valid session: the visitor has to sign in.
    #[error("Please sign in to continue.")]
    Unauthenticated,
    /// The email or password did not match (the same message for an unknown account).
    #[error("The email or password is not correct.")]
    InvalidCredentials,
    /// Signed in, but the account's role may not do this.
    #[error("Your account cannot do this.")]
    Forbidden,
    /// An API token that is unknown, expired or revoked (R60); the message says which.
    #[error("{0}")]
    InvalidToken(String),
    /// An API token without the scope a request needs (R60).
    #[error("{0}")]
    MissingScope(String),
    /// The thing asked for does not exist for this account. Another seller's data is
    /// reported the same way, so ids cannot be probed.
    #[error("{0} was not found.")]
    NotFound(String),
    /// The request itself could not be read (malformed, missing or oversized fields).
    #[error("{0}")]
    BadRequest(String),
    /// The request was well formed but breaks rules of the spec; each names its rule.
    #[error("{}", summarize(.0))]
    Rules(Vec<RuleViolation>),
    /// The request conflicts with the current state (for example, done twice).
    #[error("{0}")]
    Conflict(String),
    /// The account has as many of something as it may keep (such as drafts).
    #[error("{0}")]
    LimitReached(String),
    /// Too many attempts in a short time; the message says when to try again, and the
    /// answer carries `Retry-After: retry_after` (seconds).
    #[error("{message}")]
    TooManyRequests { message: String, retry_after: u64 },
    /// The page that asked was drawn for another account than the one signed in now (a
    /// sign-in in another tab of the browser): nothing was done (`page_account`).
    #[error("This page was opened by another account than the one signed in now (someone signed in again in another tab). Nothing was changed. Reload the page to go on as the account signed in now.")]
    AccountChanged,
    /// The server is at capacity for this kind of work just now; try again shortly.
    #[error("{message}")]
    Busy { message: String, retry_after: u64 },
    /// The browser could not reach the server.
    #[error("The server could not be reached. Check your connection and try again.")]
    Unreachable,
    /// Anything unexpected. The cause is logged on the server, not shown.
    #[error("Something went wrong on our side. Please try again.")]
    Internal,
}

/// The violations in words, one sentence after another (the rules' ids are data).
fn summarize(violations: &[RuleViolation]) -> String {
    violations.iter().map(|v| v.message.as_str()).collect::<Vec<_>>().join(" ")
}

impl AppError {
    /// The HTTP status this error is answered with.
    pub fn status(&self) -> u16 {
        match self {
            AppError::Unauthenticated | AppError::InvalidCredentials | AppError::InvalidToken(_) => 401,
            AppError::Forbidden | AppError::MissingScope(_) | AppError::LimitReached(_) => 403,
            AppError::NotFound(_) => 404,
            AppError::BadRequest(_) => 400,
            AppError::Rules(_) => 422,
            AppError::Conflict(_) | AppError::AccountChanged => 409,
            AppError::TooManyRequests { .. } => 429,
            AppError::Busy { .. } | AppError::Unreachable => 503,
            AppError::Internal => 500,
        }
    }

    /// Seconds after which the request may be tried again, for a refusal that passes.
    pub fn retry_after(&self) -> Option<u64> {
        match self {
            AppError::TooManyRequests { retry_after, .. } | AppError::Busy { retry_after, .. } => Some(*retry_after),
            _ => None,
        }
    }

    /// The rule violations this error carries, if any.
    pub fn violations(&self) -> &[RuleViolation] {
        match self {
            AppError::Rules(v) => v,
            _ => &[],
        }
    }
}

impl FromServerFnError for AppError {
    type Encoder = crate::codec::TextJsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        match value {
            ServerFnErrorErr::Args(m) => {
                AppError::BadRequest(format!("The request could not be read: {m}"))
            }
            // On the server this is a JSON request body that did not parse; in the browser
            // it would be an answer that did not, which is no fault of the request.
            ServerFnErrorErr::Deserialization(m) if cfg!(feature = "ssr") => {
                AppError::BadRequest(format!("The request could not be read: {m}"))
            }
            ServerFnErrorErr::MissingArg(m) => {
                AppError::BadRequest(format!("The request is missing the field {m}."))
            }
            ServerFnErrorErr::Request(_) => AppError::Unreachable,
            _ => AppError::Internal,
        }
    }
}

impl From<ServerFnError> for AppError {
    fn from(_: ServerFnError) -> Self {
        AppError::Internal
    }
}
