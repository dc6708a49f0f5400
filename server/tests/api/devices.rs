//! Your account → Where you are signed in: each browser of the account, named from its
//! User-Agent at sign-in, and signing out one of the others, on every server at once.

use crate::hardening::sign_in;
use crate::helpers::{error_of, TestApp, PASSWORD};
use app::auth::{Account, Role};
use app::signed_in::SignedInDevice;
use reqwest::Client;

const FIREFOX_ON_WINDOWS: &str = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0";
const SAFARI_ON_IPHONE: &str = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1";

/// Two servers on one database, and a seller signed in on both: a laptop (Firefox on
/// Windows) on the first, a phone (Safari on an iPhone) on the second.
async fn signed_in_on_two_servers() -> (TestApp, TestApp, Account, Client, Client) {
    let first = TestApp::spawn().await;
    let second = TestApp::spawn_on(first.database_url.clone()).await;
    let account = first.account(Role::Seller).await;
    let laptop = first.client_of(FIREFOX_ON_WINDOWS);
    let phone = second.client_of(SAFARI_ON_IPHONE);
    assert_eq!(sign_in(&first, &laptop, &account.email, PASSWORD).await.status(), 200);
    assert_eq!(sign_in(&second, &phone, &account.email, PASSWORD).await.status(), 200);
    (first, second, account, laptop, phone)
}

#[tokio::test]
async fn an_account_lists_each_browser_it_is_signed_in_on_and_signs_out_another_on_every_server() {
    let (first, second, account, laptop, phone) = signed_in_on_two_servers().await;
    let (bystander_account, bystander) = first.signed_in(Role::Seller).await;

    let devices: Vec<SignedInDevice> = first.answer(&laptop, "session/devices", &[]).await;
    let mut named: Vec<(&str, bool)> = devices.iter().map(|d| (d.device.as_str(), d.this_device)).collect();
    named.sort();
    assert_eq!(named, [("Firefox on Windows", true), ("Safari on iPhone", false)]);
    // A page names a session by neither its token nor the hash it is stored by.
    let stored: Vec<String> = sqlx::query_scalar("SELECT token_hash FROM sessions WHERE account_id = $1")
        .bind(&account.id)
        .fetch_all(&first.db)
        .await
        .unwrap();
    for device in &devices {
        assert_eq!(device.id.len(), 16);
        assert!(stored.iter().all(|hash| !hash.contains(&device.id)), "{device:?}");
    }
    let page = first.get(&laptop, "/account").await.text().await.unwrap();
    assert!(page.contains("Safari on iPhone") && page.contains("This device"), "{page}");
    assert!(page.contains("aria-label=\"Sign out Safari on iPhone, signed in "), "{page}");
    let phone_id = devices.iter().find(|d| !d.this_device).unwrap().id.clone();
    let laptop_id = devices.iter().find(|d| d.this_device).unwrap().id.clone();

    // Another account cannot name this account's devices: to it they are signed out already.
    let refused = first.call(&bystander, "session/devices/sign-out", &[("id", &phone_id)]).await;
    assert_eq!(refused.status(), 409);
    assert_eq!(second.call(&phone, "drafts/list", &[]).await.status(), 200, "the phone is still signed in");
    // The device in use signs out with Sign out, not here.
    let refused = first.call(&laptop, "session/devices/sign-out", &[("id", &laptop_id)]).await;
    assert_eq!(refused.status(), 400);
    assert!(error_of(refused).await.to_string().contains("the device you are using"));

    assert_eq!(first.call(&laptop, "session/devices/sign-out", &[("id", &phone_id)]).await.status(), 200);
    assert_eq!(second.call(&phone, "drafts/list", &[]).await.status(), 401, "signed out on the other server too");
    assert_eq!(first.call(&laptop, "drafts/list", &[]).await.status(), 200);
    assert_eq!(first.call(&bystander, "drafts/list", &[]).await.status(), 200);
    let devices: Vec<SignedInDevice> = first.answer(&laptop, "session/devices", &[]).await;
    assert_eq!(devices.iter().map(|d| d.device.as_str()).collect::<Vec<_>>(), ["Firefox on Windows"]);

    let again = first.call(&laptop, "session/devices/sign-out", &[("id", &phone_id)]).await;
    assert_eq!(again.status(), 409);
    assert_eq!(error_of(again).await.to_string(), "That device is signed out already.");
    // A page drawn for another account (someone signed in again in another tab) does nothing.
    let tablet = first.client_of(SAFARI_ON_IPHONE);
    assert_eq!(sign_in(&first, &tablet, &account.email, PASSWORD).await.status(), 200);
    let devices: Vec<SignedInDevice> = first.answer(&laptop, "session/devices", &[]).await;
    let tablet_id = devices.iter().find(|d| !d.this_device).unwrap().id.clone();
    let refused = first.call(&laptop, "session/devices/sign-out", &[("id", &tablet_id), ("page_account", &bystander_account.id)]).await;
    assert_eq!(refused.status(), 409);
    assert!(error_of(refused).await.to_string().contains("another account"));
    assert_eq!(first.call(&tablet, "drafts/list", &[]).await.status(), 200, "nothing was done");
    let own_page = first.call(&laptop, "session/devices/sign-out", &[("id", &tablet_id), ("page_account", &account.id)]).await;
    assert_eq!(own_page.status(), 200);
    assert_eq!(first.call(&tablet, "drafts/list", &[]).await.status(), 401);

    let signed_out = first.client();
    assert_eq!(first.call(&signed_out, "session/devices", &[]).await.status(), 401);
    assert_eq!(first.call(&signed_out, "session/devices/sign-out", &[("id", &laptop_id)]).await.status(), 401);
}

#[tokio::test]
async fn sign_out_every_other_device_keeps_only_the_one_asking_on_every_server() {
    let (first, second, account, laptop, phone) = signed_in_on_two_servers().await;
    let tablet = first.client();
    assert_eq!(sign_in(&first, &tablet, &account.email, PASSWORD).await.status(), 200);
    let (bystander_account, bystander) = first.signed_in(Role::Seller).await;
    let page = first.get(&laptop, "/account").await.text().await.unwrap();
    assert!(page.contains("Sign out every other device"), "{page}");

    // From a page of another account: nothing is done.
    let refused = first.call(&laptop, "session/devices/sign-out-others", &[("page_account", &bystander_account.id)]).await;
    assert_eq!(refused.status(), 409);
    assert_eq!(second.call(&phone, "drafts/list", &[]).await.status(), 200);

    assert_eq!(first.call(&laptop, "session/devices/sign-out-others", &[("page_account", &account.id)]).await.status(), 200);
    assert_eq!(second.call(&phone, "drafts/list", &[]).await.status(), 401, "signed out on the other server too");
    assert_eq!(first.call(&tablet, "drafts/list", &[]).await.status(), 401);
    assert_eq!(first.call(&laptop, "drafts/list", &[]).await.status(), 200, "the one asking stays signed in");
    assert_eq!(first.call(&bystander, "drafts/list", &[]).await.status(), 200, "other accounts are untouched");
    let devices: Vec<SignedInDevice> = first.answer(&laptop, "session/devices", &[]).await;
    assert_eq!(devices.iter().map(|d| (d.device.as_str(), d.this_device)).collect::<Vec<_>>(), [("Firefox on Windows", true)]);
    let page = first.get(&laptop, "/account?ended=others").await.text().await.unwrap();
    assert!(page.contains("Every other device is signed out.") && !page.contains("Sign out every other device"), "{page}");
    assert_eq!(first.call(&first.client(), "session/devices/sign-out-others", &[]).await.status(), 401);
}

#[tokio::test]
async fn a_session_past_its_idle_time_or_its_lifetime_is_not_listed_and_cannot_be_signed_out_again() {
    let app = TestApp::spawn().await;
    let account = app.account(Role::Seller).await;
    let laptop = app.client_of(FIREFOX_ON_WINDOWS);
    assert_eq!(sign_in(&app, &laptop, &account.email, PASSWORD).await.status(), 200);
    for agent in [SAFARI_ON_IPHONE, SAFARI_ON_IPHONE] {
        assert_eq!(sign_in(&app, &app.client_of(agent), &account.email, PASSWORD).await.status(), 200);
    }
    let devices: Vec<SignedInDevice> = app.answer(&laptop, "session/devices", &[]).await;
    let phones: Vec<String> = devices.iter().filter(|d| !d.this_device).map(|d| d.id.clone()).collect();
    assert_eq!(phones.len(), 2);
    // One left unused past the idle limit, the other past its lifetime: both have ended.
    let stored: Vec<(String, String)> = sqlx::query_as("SELECT token_hash, device FROM sessions WHERE account_id = $1 AND device <> 'Firefox on Windows' ORDER BY token_hash")
        .bind(&account.id)
        .fetch_all(&app.db)
        .await
        .unwrap();
    let long_ago = app::store::now_ms() - 30 * 24 * 60 * 60 * 1000;
    sqlx::query("UPDATE sessions SET last_seen_at = $1 WHERE token_hash = $2").bind(long_ago).bind(&stored[0].0).execute(&app.db).await.unwrap();
    sqlx::query("UPDATE sessions SET expires_at = $1 WHERE token_hash = $2").bind(long_ago).bind(&stored[1].0).execute(&app.db).await.unwrap();

    let devices: Vec<SignedInDevice> = app.answer(&laptop, "session/devices", &[]).await;
    assert_eq!(devices.iter().map(|d| d.device.as_str()).collect::<Vec<_>>(), ["Firefox on Windows"]);
    for id in &phones {
        let refused = app.call(&laptop, "session/devices/sign-out", &[("id", id)]).await;
        assert_eq!(refused.status(), 409);
    }
}

#[tokio::test]
async fn a_device_is_named_in_the_servers_words_and_a_bad_name_is_refused() {
    let app = TestApp::spawn().await;
    let account = app.account(Role::Customer).await;
    let hostile = app.client_of("<script>alert(1)</script> Firefox/1.0");
    let nameless = app.client();
    assert_eq!(sign_in(&app, &hostile, &account.email, PASSWORD).await.status(), 200);
    assert_eq!(sign_in(&app, &nameless, &account.email, PASSWORD).await.status(), 200);
    let stored: Vec<String> = sqlx::query_scalar("SELECT device FROM sessions WHERE account_id = $1 ORDER BY device")
        .bind(&account.id)
        .fetch_all(&app.db)
        .await
        .unwrap();
    assert_eq!(stored, ["", "Firefox"]);
    let page = app.get(&nameless, "/account").await.text().await.unwrap();
    assert!(page.contains("Unknown device") && !page.contains("alert(1)"), "{page}");

    for id in ["", "0123", "0123456789abcdefa", "0123456789ABCDEF", "<script>alert(1)</", "0123456789abcdeg"] {
        let refused = app.call(&nameless, "session/devices/sign-out", &[("id", id)]).await;
        assert_eq!(refused.status(), 400, "{id:?}");
        assert_eq!(error_of(refused).await.to_string(), "That is not a device of this account.");
    }
    assert_eq!(app.call(&hostile, "session/devices", &[]).await.status(), 200, "nothing was signed out");
}

#[tokio::test]
async fn signing_out_a_device_works_without_the_pages_code() {
    let app = TestApp::spawn().await;
    let account = app.account(Role::Customer).await;
    let laptop = app.client_of(FIREFOX_ON_WINDOWS);
    let phone = app.client_of(SAFARI_ON_IPHONE);
    assert_eq!(sign_in(&app, &laptop, &account.email, PASSWORD).await.status(), 200);
    assert_eq!(sign_in(&app, &phone, &account.email, PASSWORD).await.status(), 200);
    let devices: Vec<SignedInDevice> = app.answer(&laptop, "session/devices", &[]).await;
    let phone_id = devices.iter().find(|d| !d.this_device).unwrap().id.clone();

    // Refused: back to the account page, which shows why.
    let (address, _) = app.failed_form(&laptop, "session/devices/sign-out", &[("id", "nonsense")], "/account").await;
    let page = app.get(&laptop, &address).await.text().await.unwrap();
    assert!(page.contains("That is not a device of this account."), "{page}");

    // Done: the account page again, saying so.
    let done = laptop
        .post(format!("{}/api/session/devices/sign-out", app.address))
        .header("accept", "text/html")
        .header("referer", format!("{}/account", app.address))
        .form(&[("id", phone_id.as_str())])
        .send()
        .await
        .unwrap();
    assert!(done.status().is_redirection(), "{}", done.status());
    assert_eq!(done.headers()["location"], "/account?ended=1");
    let page = app.get(&laptop, "/account?ended=1").await.text().await.unwrap();
    assert!(page.contains("That device is signed out."), "{page}");
    assert!(!page.contains("Safari on iPhone"), "{page}");
    assert_eq!(app.call(&phone, "session/devices", &[]).await.status(), 401);
}
