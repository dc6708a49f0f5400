//! Accounts, roles, sign-in and sessions.

use crate::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// What an account may do (SPEC "People").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Role {
    Seller,
    Reviewer,
    Customer,
}

impl Role {
    pub const ALL: [Role; 3] = [Role::Seller, Role::Reviewer, Role::Customer];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Seller => "seller",
            Role::Reviewer => "reviewer",
            Role::Customer => "customer",
        }
    }

    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.as_str() == name)
    }

    /// Where the account lands after signing in.
    pub fn home_path(self) -> &'static str {
        match self {
            Role::Seller => "/console/products",
            Role::Reviewer => "/review",
            Role::Customer => "/",
        }
    }
}

/// A role as stored: its name.
impl TryFrom<String> for Role {
    type Error = String;

    fn try_from(name: String) -> Result<Self, Self::Error> {
        Self::parse(&name).ok_or_else(|| format!("unknown role {name:?}"))
    }
}

/// A signed-in account, as the browser sees it (no secrets).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct Account {
    pub id: String,
    pub email: String,
    pub display_name: String,
    #[cfg_attr(feature = "ssr", sqlx(try_from = "String"))]
    pub role: Role,
}

/// The account of the request being rendered, as the server looked it up before rendering
/// (see `ssr::SessionAccount`). In the browser this is only called during hydration's
/// first render, whose value `SharedValue` takes from the server instead.
pub fn request_account() -> Result<Option<Account>, AppError> {
    #[cfg(feature = "ssr")]
    {
        use_context::<http::request::Parts>()
            .and_then(|parts| parts.extensions.get::<ssr::SessionAccount>().cloned())
            .map(|found| found.0)
            .unwrap_or(Ok(None))
    }
    #[cfg(not(feature = "ssr"))]
    {
        Ok(None)
    }
}

/// What every page of a signed-in account shows besides who it is: unread messages
/// (sellers) and the credit balance (buyers).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SessionFigures {
    pub unread: Option<i64>,
    pub credit_cents: Option<i64>,
}

/// The unread count and credit balance the server looked up with the session before
/// rendering this page (none for a visitor).
pub fn request_figures() -> SessionFigures {
    #[cfg(feature = "ssr")]
    {
        use_context::<http::request::Parts>()
            .and_then(|parts| parts.extensions.get::<SessionFigures>().copied())
            .unwrap_or_default()
    }
    #[cfg(not(feature = "ssr"))]
    {
        SessionFigures::default()
    }
}

/// The account of the current session, if any.
#[server(client = crate::page_account::PageAccountClient, endpoint = "session/current", output = crate::codec::TextJson)]
pub async fn current_account() -> Result<Option<Account>, AppError> {
    ssr::Caller::from_context()?.account().await
}

/// Signs in with email and password, starts a session and sends the browser to the page
/// it was sent from to sign in (`next`, when it is one of this site's), or to the account's
/// home page.
#[server(client = crate::page_account::PageAccountClient, endpoint = "session/sign-in", output = crate::codec::TextJson)]
pub async fn sign_in(email: String, password: String, next: Option<String>) -> Result<Account, AppError> {
    use crate::store::Context;
    use crate::throttle::{claim, record, release};
    use ssr::MAX_EMAIL_LEN;
    const MAX_PASSWORD_LEN: usize = 1024;
    if email.len() > MAX_EMAIL_LEN || password.len() > MAX_PASSWORD_LEN {
        return Err(AppError::BadRequest("The email or password is too long.".into()));
    }
    let state = crate::state::state()?;
    let email = email.trim().to_owned();
    let secure = state.settings.secure_cookies;
    let address = ssr::client_address(state.settings.client_address_header.as_deref());
    let device = ssr::device_of_request();
    // The check runs in a task of its own, to its end: a client that hangs up mid-check
    // (which drops this function's future) leaves no email address held, no turn counted
    // and no hashing job running past its bound, and its failure counts as any other.
    use tracing::Instrument;
    let checked = tokio::spawn({
        let (state, email) = (state.clone(), email.clone());
        async move {
            let guard = &state.sign_in;
            guard.check_address(address)?;
            let keys = crate::throttle::Keys::new(&email, address);
            let failures = claim(&state.db, &keys, &guard.limits).await?;
            let checked = match guard.turn().await {
                Ok(_turn) => ssr::verify_credentials(&state.db, &email, &password).await,
                Err(busy) => Err(busy),
            };
            match checked {
                Ok(account) => {
                    record(&state.db, &keys, true, failures, &guard.limits).await?;
                    Ok(account)
                }
                Err(AppError::InvalidCredentials) => {
                    guard.record_address_failure(address);
                    record(&state.db, &keys, false, failures, &guard.limits).await?;
                    Err(AppError::InvalidCredentials)
                }
                Err(other) => {
                    release(&state.db, &keys).await?;
                    Err(other)
                }
            }
        }
        // Its log lines carry the request's id, as the rest of the request's do.
        .instrument(tracing::Span::current())
    });
    let checked = checked.await.unwrap_or_else(|error| {
        tracing::error!(%error, "a sign-in check ended without an answer");
        Err(AppError::Internal)
    });
    // Whatever the reason an attempt fails, the form is drawn again with the email typed.
    let account = checked.inspect_err(|_| ssr::keep_typed_email(&email, secure))?;
    let token = ssr::create_session(&state.db, &account.id, &device)
        .await
        .context("creating a session")?;
    // Setting the cookie and the redirect reads the Leptos context after awaits; that is
    // safe here because sign-in is only reached over HTTP, where leptos_axum keeps the
    // context for the whole call (unlike a server function called while a page renders).
    ssr::set_session_cookie(&token, secure);
    ssr::forget_typed_email(secure);
    let next = next.as_deref().and_then(return_path).filter(|n| may_open(account.role, n));
    leptos_axum::redirect(next.unwrap_or(account.role.home_path()));
    Ok(account)
}

/// Ends every session of the signed-in account, on every device (Account → Sign out
/// everywhere), and this one with them.
#[server(client = crate::page_account::PageAccountClient, endpoint = "session/sign-out-everywhere", output = crate::codec::TextJson)]
pub async fn sign_out_everywhere() -> Result<(), AppError> {
    use crate::store::Context;
    let caller = ssr::Caller::from_context()?;
    let account = caller.account().await?.ok_or(AppError::Unauthenticated)?;
    let state = &caller.state;
    ssr::delete_sessions_of(&state.db, &account.id).await.context("ending every session of an account")?;
    ssr::clear_session_cookie(state.settings.secure_cookies);
    leptos_axum::redirect("/sign-in");
    Ok(())
}

/// Ends the current session.
#[server(client = crate::page_account::PageAccountClient, endpoint = "session/sign-out", output = crate::codec::TextJson)]
pub async fn sign_out() -> Result<(), AppError> {
    use crate::store::Context;
    let caller = ssr::Caller::from_context()?;
    let state = &caller.state;
    if let Some(token) = &caller.token {
        ssr::delete_session(&state.db, token)
            .await
            .context("deleting a session")?;
    }
    ssr::clear_session_cookie(state.settings.secure_cookies);
    leptos_axum::redirect("/");
    Ok(())
}

#[cfg(feature = "ssr")]
pub mod cache;
#[cfg(feature = "ssr")]
mod passwords;
mod return_to;
pub use return_to::{may_open, return_path};
#[cfg(feature = "ssr")]
pub mod devices;
#[cfg(feature = "ssr")]
mod sessions;

#[cfg(feature = "ssr")]
pub mod ssr {
    use crate::store::Context;
    use super::{Account, Role, SessionFigures};
    use crate::error::AppError;
    use crate::store::Db;
    use crate::state::{state, AppState};
    use http::{header, HeaderValue};
    use leptos::prelude::*;
    use leptos_axum::ResponseOptions;

    pub const SESSION_COOKIE: &str = "mp_session";
    /// The longest email a sign-in takes.
    pub const MAX_EMAIL_LEN: usize = 254;

    /// Who is calling a server function, and the state it runs with. Taken from the Leptos
    /// context before the function's first `.await`: when a server function runs inside a
    /// page being rendered on the server, the context is not guaranteed after that.
    pub struct Caller {
        pub state: AppState,
        pub token: Option<String>,
        /// The account the page request already looked up, when this server function runs
        /// inside a page being rendered; it is not looked up a second time.
        preloaded: Option<SessionAccount>,
    }

    impl Caller {
        pub fn from_context() -> Result<Self, AppError> {
            let parts = use_context::<http::request::Parts>();
            Ok(Caller {
                state: state()?,
                token: parts.as_ref().and_then(|p| token_in(&p.headers)),
                preloaded: parts.and_then(|p| p.extensions.get::<SessionAccount>().cloned()),
            })
        }

        /// The caller and their account, if they are a signed-in seller: the guard that opens
        /// every seller-only server function. Awaited first, so the context is still there.
        pub async fn seller() -> Result<(Self, Account), AppError> {
            let caller = Self::from_context()?;
            let account = caller.require_role(Role::Seller).await?;
            Ok((caller, account))
        }

        /// The session's account, if the request has a live session.
        pub async fn account(&self) -> Result<Option<Account>, AppError> {
            if let Some(SessionAccount(found)) = &self.preloaded {
                return found.clone();
            }
            let Some(token) = &self.token else { return Ok(None) };
            account_for_token(&self.state.db, token, self.state.settings.session_idle_ms)
                .await
                .context("loading a session")
        }

        /// The session's account if it has `role`: the guard at the top of every server
        /// function that a role owns.
        pub async fn require_role(&self, role: Role) -> Result<Account, AppError> {
            match self.account().await? {
                None => Err(AppError::Unauthenticated),
                Some(account) if account.role == role => Ok(account),
                Some(_) => Err(AppError::Forbidden),
            }
        }
    }

    /// The session's account, looked up once per page request before the page renders.
    #[derive(Debug, Clone)]
    pub struct SessionAccount(pub Result<Option<Account>, AppError>);

    impl SessionAccount {
        /// The session's account with, for a buyer (customer or seller), the unread message
        /// count and the credit balance, in one query.
        pub async fn load(db: &Db, idle_ms: i64, headers: &http::HeaderMap) -> (Self, SessionFigures) {
            match token_in(headers) {
                None => (SessionAccount(Ok(None)), SessionFigures::default()),
                Some(token) => match session_with_figures(db, &token, idle_ms).await {
                    Ok(Some((account, figures))) => {
                        let figures = SessionFigures {
                            unread: figures.unread.filter(|_| account.role != Role::Reviewer),
                            credit_cents: figures.credit_cents.filter(|_| account.role != Role::Reviewer),
                        };
                        (SessionAccount(Ok(Some(account))), figures)
                    }
                    Ok(None) => (SessionAccount(Ok(None)), SessionFigures::default()),
                    Err(error) => {
                        (SessionAccount(Err(crate::store::failure(error, "loading a session"))), SessionFigures::default())
                    }
                },
            }
        }
    }

    /// The address of the client making the current request: the TCP peer, or, behind a
    /// proxy the operator named (`CLIENT_ADDRESS_HEADER`), the last address in that header,
    /// which the proxy appends.
    pub fn client_address(header: Option<&str>) -> Option<std::net::IpAddr> {
        let parts = use_context::<http::request::Parts>()?;
        let forwarded = header
            .and_then(|name| parts.headers.get_all(name).iter().last())
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.rsplit(',').next())
            .and_then(|v| v.trim().parse().ok());
        forwarded.or_else(|| {
            parts
                .extensions
                .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
                .map(|info| info.0.ip())
        })
    }

    /// The name of the browser making the current request, for the account page's list of
    /// where the account is signed in.
    pub fn device_of_request() -> String {
        use_context::<http::request::Parts>()
            .and_then(|parts| parts.headers.get(header::USER_AGENT).and_then(|v| v.to_str().ok()).map(super::devices::device_label))
            .unwrap_or_default()
    }

    /// The session token from a request's cookie header.
    fn token_in(headers: &http::HeaderMap) -> Option<String> {
        cookie(headers, SESSION_COOKIE).map(str::to_owned)
    }

    /// The value of the cookie `name` in a request's cookie headers.
    pub fn cookie<'a>(headers: &'a http::HeaderMap, name: &str) -> Option<&'a str> {
        headers
            .get_all(header::COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(';'))
            .filter_map(|pair| pair.trim().split_once('='))
            .find(|(found, _)| *found == name)
            .map(|(_, value)| value)
    }

    pub fn set_session_cookie(token: &str, secure: bool) {
        let max_age = SESSION_LIFETIME_MS / 1000;
        set_cookie(&format!("{SESSION_COOKIE}={token}; Max-Age={max_age}; Path=/"), secure);
    }

    pub fn clear_session_cookie(secure: bool) {
        set_cookie(&format!("{SESSION_COOKIE}=; Max-Age=0; Path=/"), secure);
    }

    /// The cookie that keeps the email of a failed sign-in for the form drawn again, so the
    /// visitor types only the password: hex-encoded, sent to the sign-in page alone, for
    /// ten minutes (a form posted without script comes back by a redirect, which carries
    /// no form fields, and an email in the address would stay in the history).
    const TYPED_EMAIL_COOKIE: &str = "sign_in_email";

    /// Keeps `email` (already bounded by the caller) for the sign-in form drawn again.
    pub fn keep_typed_email(email: &str, secure: bool) {
        set_cookie(&format!("{TYPED_EMAIL_COOKIE}={}; Max-Age=600; Path=/sign-in", hex::encode(email)), secure);
    }

    /// Forgets the email of a failed sign-in (after one that succeeds).
    pub fn forget_typed_email(secure: bool) {
        set_cookie(&format!("{TYPED_EMAIL_COOKIE}=; Max-Age=0; Path=/sign-in"), secure);
    }

    /// The email of this browser's last failed sign-in, for the form drawn for this request.
    pub fn typed_email() -> Option<String> {
        let parts = use_context::<http::request::Parts>()?;
        let bytes = hex::decode(cookie(&parts.headers, TYPED_EMAIL_COOKIE)?).ok()?;
        String::from_utf8(bytes).ok().filter(|email| email.len() <= MAX_EMAIL_LEN)
    }

    fn set_cookie(value: &str, secure: bool) {
        let secure = if secure { "; Secure" } else { "" };
        let cookie = format!("{value}; HttpOnly; SameSite=Lax{secure}");
        if let (Some(response), Ok(cookie)) =
            (use_context::<ResponseOptions>(), HeaderValue::from_str(&cookie))
        {
            response.append_header(header::SET_COOKIE, cookie);
        }
    }

    pub use super::passwords::{create_account, hash_password_blocking, verify_credentials, verify_password};
    pub use super::sessions::{
        account_for_token, create_session, delete_other_sessions, delete_session, delete_session_by_hash, delete_sessions_of, live_sessions, public_id,
        session_with_figures, token_hash, touch_every, LiveSession, PUBLIC_ID_LEN, SESSIONS_PER_ACCOUNT, SESSION_LIFETIME_MS,
    };
}
