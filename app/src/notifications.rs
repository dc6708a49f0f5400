//! Notifications (R43, SPEC section 6): the internal inbox with its unread count, the
//! seller's settings for email and SMS, and writing a notification into the outbox in the
//! transaction of the decision it announces (the server's worker delivers it).

use crate::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InboxMessage {
    pub id: String,
    pub subject: String,
    pub body: String,
    /// A console page the message is about.
    pub link: Option<String>,
    pub created_at: i64,
    pub read: bool,
}

/// How a seller wants to hear about review results, besides the internal message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NotificationSettings {
    pub email: String,
    pub by_email: bool,
    pub by_sms: bool,
    pub phone: String,
}

/// The inbox of a seller (review results, R43) or customer (price notices, R72).
#[server(client = crate::page_account::PageAccountClient, endpoint = "messages/list", output = crate::codec::TextJson)]
pub async fn list_messages() -> Result<Vec<InboxMessage>, AppError> {
    let caller = crate::auth::ssr::Caller::from_context()?;
    let reader = crate::purchases::ssr::buyer(&caller).await?;
    ssr::list(&caller.state.db, &reader.id).await
}

#[server(client = crate::page_account::PageAccountClient, endpoint = "messages/unread", output = crate::codec::TextJson)]
pub async fn unread_count() -> Result<i64, AppError> {
    let caller = crate::auth::ssr::Caller::from_context()?;
    let reader = crate::purchases::ssr::buyer(&caller).await?;
    ssr::unread(&caller.state.db, &reader.id).await
}

/// Marks one message read, or all of them when `id` is empty. Returns the unread count.
/// `page_account`: the account the inbox was drawn for (a plain form's `PageAccountField`);
/// a page of another account than the one signed in now marks nothing.
#[server(client = crate::page_account::PageAccountClient, endpoint = "messages/read", output = crate::codec::TextJson)]
pub async fn mark_read(id: String, page_account: Option<String>) -> Result<i64, AppError> {
    use crate::store::Context;
    let caller = crate::auth::ssr::Caller::from_context()?;
    let seller = crate::purchases::ssr::buyer(&caller).await?;
    crate::page_account::refuse_another_accounts_form(page_account.as_deref(), &seller.id)?;
    let db = &caller.state.db;
    let now = crate::store::now_ms();
    let query = if id.is_empty() {
        sqlx::query("UPDATE messages SET read_at = $1 WHERE account_id = $2 AND read_at IS NULL").bind(now).bind(&seller.id)
    } else {
        sqlx::query("UPDATE messages SET read_at = $1 WHERE account_id = $2 AND read_at IS NULL AND id = $3")
            .bind(now)
            .bind(&seller.id)
            .bind(id)
    };
    query.execute(db).await.context("marking messages read")?;
    crate::auth::cache::changed_in(db, crate::auth::cache::Forget::Account(&seller.id)).await.context("marking messages read")?;
    ssr::unread(db, &seller.id).await
}

/// The settings of a seller (review results) or customer (price notices of products bought).
#[server(client = crate::page_account::PageAccountClient, endpoint = "settings/notifications", output = crate::codec::TextJson)]
pub async fn load_notification_settings() -> Result<NotificationSettings, AppError> {
    let caller = crate::auth::ssr::Caller::from_context()?;
    let reader = crate::purchases::ssr::buyer(&caller).await?;
    ssr::settings(&caller.state.db, &reader.id).await
}

#[server(client = crate::page_account::PageAccountClient, endpoint = "settings/notifications/save", output = crate::codec::TextJson)]
/// A checkbox left unticked is absent from the form, hence the `Option`s.
pub async fn save_notification_settings(
    by_email: Option<bool>,
    by_sms: Option<bool>,
    phone: String,
) -> Result<NotificationSettings, AppError> {
    use crate::store::Context;
    let caller = crate::auth::ssr::Caller::from_context()?;
    let seller = crate::purchases::ssr::buyer(&caller).await?;
    let (by_email, by_sms) = (by_email.unwrap_or(false), by_sms.unwrap_or(false));
    let phone = crate::rules::request::check_phone(&phone, by_sms).map_err(|v| AppError::Rules(vec![v]))?;
    let db = &caller.state.db;
    sqlx::query("UPDATE accounts SET notify_email = $1, notify_sms = $2, phone = $3 WHERE id = $4")
        .bind(i32::from(by_email))
        .bind(i32::from(by_sms))
        .bind(phone)
        .bind(&seller.id)
        .execute(db)
        .await
        .context("saving notification settings")?;
    ssr::settings(db, &seller.id).await
}

/// How a notification leaves the console besides the internal message (R43). Stored in
/// the outbox by its name; the server's outbox worker delivers each channel.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Channel {
    Email,
    Sms,
}

impl Channel {
    pub const ALL: [Channel; 2] = [Channel::Email, Channel::Sms];

    /// As stored in the outbox's `channel` column.
    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Email => "email",
            Channel::Sms => "sms",
        }
    }

    pub fn parse(name: &str) -> Option<Channel> {
        Self::ALL.into_iter().find(|c| c.as_str() == name)
    }
}

#[cfg(feature = "ssr")]
pub mod ssr {
    use super::{Channel, InboxMessage, NotificationSettings};
    use crate::error::AppError;
    use crate::store::{now_ms, Context, Db};
    use crate::auth::cache::{changed, Forget};

    #[derive(sqlx::FromRow)]
    struct MessageRow {
        id: String,
        subject: String,
        body: String,
        link: Option<String>,
        created_at: i64,
        read_at: Option<i64>,
    }

    pub async fn list(db: &Db, account_id: &str) -> Result<Vec<InboxMessage>, AppError> {
        let rows: Vec<MessageRow> = sqlx::query_as(
            "SELECT id, subject, body, link, created_at, read_at FROM messages \
             WHERE account_id = $1 ORDER BY created_at DESC, id LIMIT 200",
        )
        .bind(account_id)
        .fetch_all(db)
        .await
        .context("listing messages")?;
        Ok(rows
            .into_iter()
            .map(|r| InboxMessage { id: r.id, subject: r.subject, body: r.body, link: r.link, created_at: r.created_at, read: r.read_at.is_some() })
            .collect())
    }

    pub async fn unread(db: &Db, account_id: &str) -> Result<i64, AppError> {
        sqlx::query_scalar("SELECT COUNT(*) FROM messages WHERE account_id = $1 AND read_at IS NULL")
            .bind(account_id)
            .fetch_one(db)
            .await
            .context("counting unread messages")
    }

    /// An account's choices of channels, as stored.
    #[derive(sqlx::FromRow)]
    struct ChoiceRow {
        email: String,
        notify_email: i32,
        notify_sms: i32,
        phone: Option<String>,
    }

    const CHOICES: &str = "SELECT email, notify_email, notify_sms, phone FROM accounts WHERE id = $1";

    pub async fn settings(db: &Db, account_id: &str) -> Result<NotificationSettings, AppError> {
        let row: ChoiceRow = sqlx::query_as(CHOICES).bind(account_id).fetch_one(db).await.context("loading notification settings")?;
        Ok(NotificationSettings {
            email: row.email,
            by_email: row.notify_email != 0,
            by_sms: row.notify_sms != 0,
            phone: row.phone.unwrap_or_default(),
        })
    }

    /// A notice for one account: the internal message always, and email and SMS as the
    /// account's settings say, written to the outbox within `tx` (R43).
    pub async fn notify(
        tx: &mut sqlx::AnyConnection,
        account_id: &str,
        subject: &str,
        body: &str,
        link: &str,
    ) -> Result<(), sqlx::Error> {
        notify_all(tx, Recipients::Account(account_id), subject, body, link).await
    }

    /// Who a notice goes to.
    #[derive(Debug, Clone, Copy)]
    pub enum Recipients<'a> {
        Account(&'a str),
        /// Every account that bought the product with this id (R72).
        BuyersOf(&'a str),
    }

    /// The same notice for every account of `to`, in three statements however many they
    /// are: the internal messages, then the emails and SMS their settings ask for (R43, R72).
    pub async fn notify_all(tx: &mut sqlx::AnyConnection, to: Recipients<'_>, subject: &str, body: &str, link: &str) -> Result<(), sqlx::Error> {
        // A new row's id as `new_id` makes them (32 hex digits), made by the database.
        let id = if tx.backend_name().eq_ignore_ascii_case("sqlite") { "lower(hex(randomblob(16)))" } else { "replace(gen_random_uuid()::text, '-', '')" };
        let accounts = |param: &str| match to {
            Recipients::Account(_) => format!("SELECT id FROM accounts WHERE id = {param}"),
            Recipients::BuyersOf(_) => format!("SELECT buyer_id FROM purchases WHERE product_id = {param}"),
        };
        let (Recipients::Account(key) | Recipients::BuyersOf(key)) = to;
        let now = now_ms();
        sqlx::query(&format!(
            "INSERT INTO messages (id, account_id, subject, body, link, created_at) \
             SELECT {id}, a.id, $1, $2, $3, $4 FROM accounts a WHERE a.id IN ({})",
            accounts("$5")
        ))
        .bind(subject)
        .bind(body)
        .bind(link)
        .bind(now)
        .bind(key)
        .execute(&mut *tx)
        .await?;
        // The unread counts the servers remember change with it.
        let forget = match to {
            Recipients::Account(id) => Forget::Account(id),
            Recipients::BuyersOf(_) => Forget::All,
        };
        changed(&mut *tx, forget).await?;
        // Email carries the body; SMS, being short, the subject.
        let channels = [
            (Channel::Email, "a.email", body, "a.notify_email <> 0"),
            (Channel::Sms, "a.phone", subject, "a.notify_sms <> 0 AND a.phone IS NOT NULL"),
        ];
        for (channel, recipient, text, chosen) in channels {
            sqlx::query(&format!(
                "INSERT INTO outbox (id, channel, recipient, subject, body, created_at, next_attempt_at) \
                 SELECT {id}, '{}', {recipient}, $1, $2, $3, $3 FROM accounts a WHERE {chosen} AND a.id IN ({})",
                channel.as_str(),
                accounts("$4")
            ))
            .bind(subject)
            .bind(text)
            .bind(now)
            .bind(key)
            .execute(&mut *tx)
            .await?;
        }
        Ok(())
    }
}
