//! The signed-in account of the request being rendered, and its unread message count.
//!
//! Looked up once per page request by the server, before the page renders
//! (`auth::ssr::SessionAccount`), and provided to every server-rendered component. Islands
//! never read it: what an island needs of it reaches it as props.

use crate::auth::{Account, Role};
use crate::error::AppError;
use leptos::prelude::*;

#[derive(Debug, Clone)]
pub struct Session {
    pub account: Result<Option<Account>, AppError>,
    /// Unread internal messages of a signed-in seller or customer (R43, R72), shown in the
    /// console's navigation or, for a customer, the header.
    pub unread: i64,
    /// The credit balance of a signed-in customer or seller, in cents, shown in the header
    /// and on the purchase form (R53).
    pub credit_cents: Option<i64>,
}

impl Session {
    /// The session of the request being rendered (provided by `App`).
    pub fn current() -> Session {
        use_context::<Session>().unwrap_or(Session { account: Ok(None), unread: 0, credit_cents: None })
    }

    /// The session as the server looked it up for this request.
    pub fn of_request() -> Session {
        let figures = crate::auth::request_figures();
        Session { account: crate::auth::request_account(), unread: figures.unread.unwrap_or(0), credit_cents: figures.credit_cents }
    }

    pub fn signed_in(&self) -> Option<&Account> {
        self.account.as_ref().ok().and_then(Option::as_ref)
    }

    pub fn role(&self) -> Option<Role> {
        self.signed_in().map(|a| a.role)
    }
}
