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
    /// Unread internal messages of a signed-in seller (R43), shown in the console's navigation.
    pub unread: i64,
}

impl Session {
    /// The session of the request being rendered (provided by `App`).
    pub fn current() -> Session {
        use_context::<Session>().unwrap_or(Session { account: Ok(None), unread: 0 })
    }

    /// The session as the server looked it up for this request.
    pub fn of_request() -> Session {
        Session { account: crate::auth::request_account(), unread: crate::notifications::request_unread() }
    }

    pub fn signed_in(&self) -> Option<&Account> {
        self.account.as_ref().ok().and_then(Option::as_ref)
    }

    pub fn role(&self) -> Option<Role> {
        self.signed_in().map(|a| a.role)
    }
}
