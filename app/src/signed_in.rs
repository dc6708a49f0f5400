//! Where an account is signed in (Your account): its live sessions, each named by the
//! browser it was started in, and signing out one of the others.

use crate::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// A browser where the account is signed in: one live session.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignedInDevice {
    /// The session's name on pages, derived from its stored hash: never its token.
    pub id: String,
    /// Such as "Firefox on Windows", or "Unknown device".
    pub device: String,
    pub signed_in_at: i64,
    /// Written at most once a minute while the session is used.
    pub last_used_at: i64,
    /// The session that asked.
    pub this_device: bool,
}

/// The live sessions of the signed-in account, the one used last first.
#[server(client = crate::page_account::PageAccountClient, endpoint = "session/devices", output = crate::codec::TextJson)]
pub async fn signed_in_devices() -> Result<Vec<SignedInDevice>, AppError> {
    use crate::auth::{devices::shown, ssr as auth};
    use crate::store::Context;
    let caller = auth::Caller::from_context()?;
    let account = caller.account().await?.ok_or(AppError::Unauthenticated)?;
    let this = caller.token.as_deref().map(auth::token_hash);
    let sessions = auth::live_sessions(&caller.state.db, &account.id, caller.state.settings.session_idle_ms)
        .await
        .context("listing where an account is signed in")?;
    Ok(sessions
        .into_iter()
        .map(|session| SignedInDevice {
            id: auth::public_id(&session.token_hash),
            device: shown(&session.device).to_owned(),
            signed_in_at: session.created_at,
            last_used_at: session.last_seen_at,
            this_device: this.as_deref() == Some(session.token_hash.as_str()),
        })
        .collect())
}

/// The address parameter of the page told that a device was signed out (`1`), or every
/// other one ([`OTHERS_SIGNED_OUT`]).
pub const SIGNED_OUT_PARAMETER: &str = "ended";
/// Its value when every other device was signed out.
pub const OTHERS_SIGNED_OUT: &str = "others";

/// Signs out one of the account's other devices (`id` from [`signed_in_devices`]); every
/// server forgets it at once. The device in use signs out with the header's Sign out.
/// `page_account`: the account the asking page was drawn for; a page of another account
/// than the one signed in now (a sign-in in another tab) is refused, and nothing is done.
/// A plain form sends no header, so the form sends it as a field (`PageAccountField`).
#[server(client = crate::page_account::PageAccountClient, endpoint = "session/devices/sign-out", output = crate::codec::TextJson)]
pub async fn sign_out_device(id: String, page_account: Option<String>) -> Result<(), AppError> {
    use crate::auth::ssr::{self as auth, PUBLIC_ID_LEN};
    use crate::store::Context;
    let caller = auth::Caller::from_context()?;
    let account = caller.account().await?.ok_or(AppError::Unauthenticated)?;
    crate::page_account::refuse_another_accounts_form(page_account.as_deref(), &account.id)?;
    if id.len() != PUBLIC_ID_LEN || !id.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')) {
        return Err(AppError::BadRequest("That is not a device of this account.".into()));
    }
    let db = &caller.state.db;
    let sessions = auth::live_sessions(db, &account.id, caller.state.settings.session_idle_ms)
        .await
        .context("listing where an account is signed in")?;
    let Some(found) = sessions.iter().find(|session| auth::public_id(&session.token_hash) == id) else {
        return Err(AppError::Conflict("That device is signed out already.".into()));
    };
    if caller.token.as_deref().map(auth::token_hash).as_deref() == Some(found.token_hash.as_str()) {
        return Err(AppError::BadRequest(
            "That is the device you are using: sign out of it with Sign out at the top of the page.".into(),
        ));
    }
    auth::delete_session_by_hash(db, &found.token_hash).await.context("signing a device out")?;
    // Reached over HTTP only (a form), where leptos_axum keeps the context for the whole call.
    leptos_axum::redirect(&format!("/account?{SIGNED_OUT_PARAMETER}=1"));
    Ok(())
}

/// Signs out every device of the account but the one asking (Your account → Sign out every
/// other device); every server forgets them at once. `page_account` as for
/// [`sign_out_device`].
#[server(client = crate::page_account::PageAccountClient, endpoint = "session/devices/sign-out-others", output = crate::codec::TextJson)]
pub async fn sign_out_other_devices(page_account: Option<String>) -> Result<(), AppError> {
    use crate::auth::ssr as auth;
    use crate::store::Context;
    let caller = auth::Caller::from_context()?;
    let account = caller.account().await?.ok_or(AppError::Unauthenticated)?;
    crate::page_account::refuse_another_accounts_form(page_account.as_deref(), &account.id)?;
    let this = caller.token.as_deref().map(auth::token_hash).ok_or(AppError::Unauthenticated)?;
    auth::delete_other_sessions(&caller.state.db, &account.id, &this).await.context("signing out the other devices")?;
    leptos_axum::redirect(&format!("/account?{SIGNED_OUT_PARAMETER}={OTHERS_SIGNED_OUT}"));
    Ok(())
}
