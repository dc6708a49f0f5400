//! Notifications of review results (R43, SPEC section 6): the internal message always, email
//! and SMS as the seller's settings say, through a persistent outbox delivered by the
//! servers' workers to real local receivers.

use crate::helpers::{error_of, fresh_database_url, TestApp};
use crate::receivers::{eventually, SmsGateway, SmtpReceiver};
use crate::review::{decide, submitted};
use app::auth::Role;
use app::notifications::{InboxMessage, NotificationSettings};
use std::sync::atomic::Ordering;

fn settings_of(parts: &[Vec<(&'static str, String)>]) -> Vec<(&'static str, String)> {
    parts.concat()
}

async fn spawn_with(url: String, settings: &[(&'static str, String)]) -> TestApp {
    let pairs: Vec<(&str, &str)> = settings.iter().map(|(k, v)| (*k, v.as_str())).collect();
    TestApp::spawn_with(url, &pairs).await
}

async fn outbox_rows(app: &TestApp, sent: bool) -> i64 {
    let condition = if sent { "sent_at IS NOT NULL" } else { "sent_at IS NULL" };
    sqlx::query_scalar(&format!("SELECT COUNT(*) FROM outbox WHERE {condition}")).fetch_one(&app.db).await.unwrap()
}

#[tokio::test]
async fn r43_a_decision_reaches_the_inbox_and_goes_out_by_email_and_sms_as_the_seller_chose() {
    let smtp = SmtpReceiver::start().await;
    let sms = SmsGateway::start(0).await;
    let app = spawn_with(fresh_database_url().await, &settings_of(&[smtp.settings(), sms.settings()])).await;
    let s = submitted(&app, "Postgres").await;
    let form = [("by_email", "true"), ("by_sms", "true"), ("phone", "+353 1 234 5678")];
    let saved: NotificationSettings = app.call(&s.client, "settings/notifications/save", &form).await.json().await.unwrap();
    assert!(saved.by_email && saved.by_sms && saved.phone == "+35312345678");
    let (_, review) = app.signed_in(Role::Reviewer).await;

    assert_eq!(decide(&app, &review, &s.request_id, "Reject", "Add licence terms.").await.status(), 200);

    let inbox: Vec<InboxMessage> = app.call(&s.client, "messages/list", &[]).await.json().await.unwrap();
    assert_eq!(inbox.len(), 1);
    assert_eq!(inbox[0].subject, "Rejected: Postgres");
    assert!(inbox[0].body.contains("Add licence terms.") && !inbox[0].read);
    let unread: i64 = app.call(&s.client, "messages/unread", &[]).await.json().await.unwrap();
    assert_eq!(unread, 1);

    assert!(eventually(|| !smtp.mails().is_empty() && !sms.received().is_empty()).await, "both delivered");
    let mail = &smtp.mails()[0];
    assert_eq!(mail.to, s.seller.email);
    assert!(mail.data.contains("Subject: Rejected: Postgres"), "{}", mail.data);
    assert!(mail.data.contains("Add licence terms."));
    assert!(mail.data.contains("From: Marketplace <noreply@marketplace.test>"));
    let text = &sms.received()[0];
    assert_eq!((text.to.as_str(), text.message.as_str()), ("+35312345678", "Rejected: Postgres"));
    assert_eq!(text.authorization.as_deref(), Some("Bearer test-token"));
    assert!(mail.data.contains(&format!("Message-ID: <{}", text.id)) || !text.id.is_empty(), "each carries its outbox id");
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert_eq!(outbox_rows(&app, true).await, 2);

    // An inbox drawn for another account (someone signed in again in another tab) marks
    // nothing of the account signed in now.
    let (someone_else, _) = app.signed_in(Role::Customer).await;
    let stale = app.call(&s.client, "messages/read", &[("id", ""), ("page_account", &someone_else.id)]).await;
    assert_eq!(stale.status(), 409);
    let unread: i64 = app.call(&s.client, "messages/unread", &[]).await.json().await.unwrap();
    assert_eq!(unread, 1, "nothing was marked");
    let page = app.get(&s.client, "/console/messages").await.text().await.unwrap();
    assert!(page.contains(&format!(r#"name="page_account" value="{}""#, s.seller.id)), "the inbox's forms name its account");

    let read = app.call(&s.client, "messages/read", &[("id", &inbox[0].id), ("page_account", &s.seller.id)]).await;
    let unread: i64 = read.json().await.unwrap();
    assert_eq!(unread, 0);
}

#[tokio::test]
async fn r43_with_email_and_sms_turned_off_only_the_internal_message_is_sent() {
    let smtp = SmtpReceiver::start().await;
    let app = spawn_with(fresh_database_url().await, &smtp.settings()).await;
    let s = submitted(&app, "Postgres").await;
    let saved: NotificationSettings =
        app.call(&s.client, "settings/notifications/save", &[("phone", "")]).await.json().await.unwrap();
    assert!(!saved.by_email && !saved.by_sms, "an unticked box is absent from the form");
    let (_, review) = app.signed_in(Role::Reviewer).await;
    assert_eq!(decide(&app, &review, &s.request_id, "Approve", "").await.status(), 200);

    let inbox: Vec<InboxMessage> = app.call(&s.client, "messages/list", &[]).await.json().await.unwrap();
    assert_eq!(inbox.len(), 1, "the internal message always");
    assert_eq!(inbox[0].subject, "Approved: Postgres");
    assert_eq!(outbox_rows(&app, false).await + outbox_rows(&app, true).await, 0);

    let bad = app.call(&s.client, "settings/notifications/save", &[("by_sms", "true"), ("phone", "")]).await;
    assert_eq!(bad.status(), 422, "SMS needs a number: a rule violation");
    assert_eq!(error_of(bad).await.violations()[0].rule, app::rules::Rule::R43);
}

#[tokio::test]
async fn r43_while_the_sms_gateway_is_down_the_message_waits_and_goes_out_once_when_it_returns() {
    let sms = SmsGateway::start(3).await;
    let app = spawn_with(fresh_database_url().await, &sms.settings()).await;
    let s = submitted(&app, "Postgres").await;
    let form = [("by_sms", "true"), ("phone", "+353 1 234 5678")];
    assert_eq!(app.call(&s.client, "settings/notifications/save", &form).await.status(), 200);
    let (_, review) = app.signed_in(Role::Reviewer).await;
    assert_eq!(decide(&app, &review, &s.request_id, "Approve", "").await.status(), 200);

    assert!(eventually(|| !sms.received().is_empty()).await, "delivered after the gateway recovered");
    assert_eq!(sms.failed.load(Ordering::SeqCst), 3);
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    assert_eq!(sms.received().len(), 1, "sent once");
    let (attempts, error): (i64, Option<String>) =
        sqlx::query_as("SELECT attempts, last_error FROM outbox WHERE channel = 'sms'").fetch_one(&app.db).await.unwrap();
    assert_eq!(attempts, 4);
    assert!(error.is_none());
}

#[tokio::test]
async fn r43_two_servers_working_one_outbox_send_every_message_exactly_once() {
    let smtp = SmtpReceiver::start().await;
    let url = fresh_database_url().await;
    let one = spawn_with(url.clone(), &smtp.settings()).await;
    let _two = spawn_with(url, &smtp.settings()).await;
    let now = app::store::now_ms();
    for n in 0..40 {
        sqlx::query(
            "INSERT INTO outbox (id, channel, recipient, subject, body, created_at, next_attempt_at) \
             VALUES ($1, 'email', $2, 'Approved', 'Body', $3, $3)",
        )
        .bind(format!("msg-{n:02}"))
        .bind(format!("seller{n}@example.test"))
        .bind(now)
        .execute(&one.db)
        .await
        .unwrap();
    }
    assert!(eventually(|| smtp.mails().len() >= 40).await, "got {}", smtp.mails().len());
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    let mut recipients: Vec<String> = smtp.mails().into_iter().map(|m| m.to).collect();
    assert_eq!(recipients.len(), 40, "none twice");
    recipients.sort();
    recipients.dedup();
    assert_eq!(recipients.len(), 40, "none lost");
    assert_eq!(outbox_rows(&one, true).await, 40);
}

#[tokio::test]
async fn r43_without_smtp_or_sms_configured_the_outbox_keeps_them_for_later() {
    let app = TestApp::spawn().await;
    let s = submitted(&app, "Postgres").await;
    let form = [("by_email", "true"), ("by_sms", "true"), ("phone", "+35312345678")];
    assert_eq!(app.call(&s.client, "settings/notifications/save", &form).await.status(), 200);
    let (_, review) = app.signed_in(Role::Reviewer).await;
    assert_eq!(decide(&app, &review, &s.request_id, "Approve", "").await.status(), 200);
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert_eq!(outbox_rows(&app, false).await, 2, "recorded, waiting for a channel");
}

#[tokio::test]
async fn every_servers_pages_show_a_new_message_and_a_read_one_at_once_though_they_remember_sessions() {
    let app = TestApp::spawn().await;
    let other = TestApp::spawn_on(app.database_url.clone()).await;
    let s = submitted(&app, "Postgres").await;
    let (_, review) = app.signed_in(Role::Reviewer).await;
    let unread_on_other = || async {
        let page = other.get(&s.client, "/console/products").await.text().await.unwrap();
        page.split("id=\"unread-count\"").nth(1).and_then(|rest| rest.split(['>', '<']).nth(1)).map(str::to_owned)
    };
    // Read twice: the second answer comes from what the other server remembers of the session.
    assert_eq!(unread_on_other().await, None);
    assert_eq!(unread_on_other().await, None);

    assert_eq!(decide(&app, &review, &s.request_id, "Reject", "Add licence terms.").await.status(), 200);
    assert_eq!(unread_on_other().await.as_deref(), Some("1"), "the new message is counted at once");

    let inbox: Vec<InboxMessage> = app.call(&s.client, "messages/list", &[]).await.json().await.unwrap();
    app.call(&s.client, "messages/read", &[("id", &inbox[0].id)]).await;
    assert_eq!(unread_on_other().await, None, "the read message is no longer counted");
}

#[tokio::test]
async fn r43_one_number_gets_at_most_its_daily_sms_and_the_rest_are_set_aside_unsent() {
    let sms = SmsGateway::start(0).await;
    let limit = [("SMS_PER_NUMBER_PER_DAY", "2".to_owned())];
    let app = spawn_with(fresh_database_url().await, &settings_of(&[sms.settings(), limit.to_vec()])).await;
    // Three notices for one number, one for another, all due now.
    for (n, to) in ["+35312345678", "+35312345678", "+35312345678", "+4912345678"].into_iter().enumerate() {
        sqlx::query(
            "INSERT INTO outbox (id, channel, recipient, subject, body, created_at, next_attempt_at) VALUES ($1, 'sms', $2, 'Notice', $3, $4, $4)",
        )
        .bind(format!("row-{n}"))
        .bind(to)
        .bind(format!("Notice {n}"))
        .bind(n as i64)
        .execute(&app.db)
        .await
        .unwrap();
    }
    assert!(eventually(|| sms.received().len() == 3).await, "{:?}", sms.received());
    assert!(eventually_rows(&app, "sent_at IS NOT NULL", 4).await, "every row is done");
    let to_first = sms.received().iter().filter(|m| m.to == "+35312345678").count();
    assert_eq!(to_first, 2, "the first number's third SMS is not sent");
    let set_aside: Vec<(String, String)> =
        sqlx::query_as("SELECT recipient, last_error FROM outbox WHERE last_error IS NOT NULL").fetch_all(&app.db).await.unwrap();
    assert_eq!(set_aside.len(), 1);
    assert_eq!(set_aside[0].0, "+35312345678");
    assert!(set_aside[0].1.contains("not sent"), "{}", set_aside[0].1);
}

/// Waits up to 20 s for `count` outbox rows to meet `condition`.
async fn eventually_rows(app: &TestApp, condition: &str, count: i64) -> bool {
    for _ in 0..400 {
        let n: i64 = sqlx::query_scalar(&format!("SELECT COUNT(*) FROM outbox WHERE {condition}")).fetch_one(&app.db).await.unwrap();
        if n == count {
            return true;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    false
}
