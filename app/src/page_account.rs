//! The account a page was drawn for, sent with every server function the page calls: a
//! page left open while another account signs in (in another tab, which shares the
//! browser's cookie) must not save, buy or decide as that account. The page names its
//! account in `<meta name="signed-in-as">`; [`PageAccountClient`] sends it as
//! [`PAGE_ACCOUNT_HEADER`], and the server refuses a call whose session is now another
//! account's (409, [`crate::error::AppError::AccountChanged`]).

use leptos::prelude::*;
use server_fn::client::{browser::BrowserClient, Client};
use server_fn::error::FromServerFnError;
use server_fn::request::browser::BrowserRequest;
use server_fn::response::browser::BrowserResponse;
use server_fn::Bytes;
use std::future::Future;

/// The header naming the account the calling page was drawn for.
pub const PAGE_ACCOUNT_HEADER: &str = "x-page-account";
/// The name of the page's `<meta>` that holds it.
pub const PAGE_ACCOUNT_META: &str = "signed-in-as";

/// Names the signed-in account in the page's head, for [`PageAccountClient`].
#[component]
pub fn PageAccountMeta() -> impl IntoView {
    crate::session::Session::current()
        .signed_in()
        .map(|account| view! { <leptos_meta::Meta name=PAGE_ACCOUNT_META content=account.id.clone() /> })
}

/// The page's account as a field of a plain form, which cannot send a header: the server
/// function checks it with [`refuse_another_accounts_form`].
#[component]
pub fn PageAccountField() -> impl IntoView {
    crate::session::Session::current()
        .signed_in()
        .map(|account| view! { <input type="hidden" name="page_account" value=account.id.clone() /> })
}

/// Refuses a plain form sent from a page drawn for another account than `account_id`, the
/// one signed in now (a sign-in in another tab): nothing is done. A form without the field
/// (a client of its own) is not refused.
pub fn refuse_another_accounts_form(drawn_for: Option<&str>, account_id: &str) -> Result<(), crate::error::AppError> {
    match drawn_for {
        Some(drawn_for) if !drawn_for.is_empty() && drawn_for != account_id => Err(crate::error::AppError::AccountChanged),
        _ => Ok(()),
    }
}

/// The browser's `fetch` client, sending the page's account with each call.
pub struct PageAccountClient;

impl<E, IS, OS> Client<E, IS, OS> for PageAccountClient
where
    E: FromServerFnError,
    IS: FromServerFnError,
    OS: FromServerFnError,
{
    type Request = BrowserRequest;
    type Response = BrowserResponse;

    fn send(req: Self::Request) -> impl Future<Output = Result<Self::Response, E>> + Send {
        #[cfg(feature = "hydrate")]
        if let Some(account) = page_account() {
            req.headers().set(PAGE_ACCOUNT_HEADER, &account);
        }
        <BrowserClient as Client<E, IS, OS>>::send(req)
    }

    #[allow(clippy::type_complexity)]
    fn open_websocket(
        path: &str,
    ) -> impl Future<
        Output = Result<
            (impl futures::Stream<Item = Result<Bytes, Bytes>> + Send + 'static, impl futures::Sink<Bytes> + Send + 'static),
            E,
        >,
    > + Send {
        <BrowserClient as Client<E, IS, OS>>::open_websocket(path)
    }

    fn spawn(future: impl Future<Output = ()> + Send + 'static) {
        <BrowserClient as Client<E, IS, OS>>::spawn(future)
    }
}

/// The account the page was drawn for, from its head.
#[cfg(feature = "hydrate")]
pub fn page_account() -> Option<String> {
    let meta = document().query_selector(&format!("meta[name=\"{PAGE_ACCOUNT_META}\"]")).ok().flatten()?;
    meta.get_attribute("content").filter(|id| !id.is_empty())
}
