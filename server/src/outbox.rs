//! Delivers the notification outbox (R43, SPEC section 6): email through SMTP, SMS through
//! an HTTP gateway. Rows are written in the transaction of the decision they announce
//! (`app::notifications::ssr`); every server runs a worker that sends the due ones.
//!
//! Several workers, on several servers, share one database: a worker claims a row with a
//! conditional UPDATE that only succeeds while nobody else holds a live claim, sends it, and
//! records the result under its claim. A failure is retried with a doubling delay, forever:
//! a message waits while its gateway is down and goes out when it returns. A channel that
//! is not configured is left waiting in the outbox.
//!
//! Delivery is at least once: a server that dies between sending and recording the send
//! leaves a row that is sent again when its claim expires. Each email carries the row's id as
//! its Message-ID, and each SMS as an `Idempotency-Key` header, so receivers can drop that
//! rare repeat.

use app::notifications::Channel;
use app::store::{new_id, now_ms, Db};
use lettre::message::header::{ContentType, HeaderName, HeaderValue};
use lettre::message::{Mailbox, Message};
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};
use std::time::Duration;

/// How long a claim holds: longer than any one delivery may take (both time out sooner).
const CLAIM_MS: i64 = 120_000;
const SEND_TIMEOUT: Duration = Duration::from_secs(30);
/// The longest wait between two attempts.
const MAX_BACKOFF_MS: i64 = 15 * 60_000;
const BATCH: i64 = 20;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SmtpSecurity {
    /// Plain connection upgraded with STARTTLS (port 587).
    StartTls,
    /// TLS from the first byte (port 465).
    Tls,
    /// No encryption: only for a relay on the same machine or network.
    None,
}

#[derive(Debug, Clone)]
pub struct SmtpSettings {
    pub host: String,
    pub port: u16,
    pub security: SmtpSecurity,
    pub username: Option<String>,
    pub password: Option<String>,
    /// The sender, as "Name <address>" or a bare address.
    pub from: String,
}

#[derive(Debug, Clone)]
pub struct SmsGateway {
    /// Receives a POST of `{"to", "message", "id"}` as JSON.
    pub url: String,
    /// Sent as `Authorization: Bearer <token>` when set.
    pub token: Option<String>,
    /// `SMS_PER_NUMBER_PER_DAY`: SMS one number is sent in 24 hours at most; the rest are
    /// not sent (the internal message and the email still are). Each SMS costs the
    /// marketplace, and a number is only typed, never confirmed: without a bound, a seller
    /// could point the notices of a product they keep changing at a number that earns from
    /// each message.
    pub per_number_per_day: i64,
}

/// The channels this server can deliver.
#[derive(Debug, Clone, Default)]
pub struct Delivery {
    pub smtp: Option<SmtpSettings>,
    pub sms: Option<SmsGateway>,
}

/// One worker: its name in claims, its channels, and how it paces itself.
#[derive(Clone)]
pub struct Worker {
    pub id: String,
    pub db: Db,
    pub delivery: Delivery,
    pub poll: Duration,
    pub retry_base: Duration,
    http: reqwest::Client,
}

#[derive(sqlx::FromRow)]
struct Due {
    id: String,
    channel: String,
    recipient: String,
    subject: String,
    body: String,
    attempts: i64,
}

impl Worker {
    pub fn new(db: Db, delivery: Delivery, poll: Duration, retry_base: Duration) -> Self {
        let http = reqwest::Client::builder().timeout(SEND_TIMEOUT).build().unwrap_or_default();
        Worker { id: format!("worker-{}", new_id()), db, delivery, poll, retry_base, http }
    }

    /// Runs until the process ends: applies due price increases and delivers the outbox.
    pub fn spawn(self) -> tokio::task::JoinHandle<()> {
        tokio::spawn(async move {
            loop {
                // Price increases whose date has come take effect first (R70), so the
                // notices they write go out in this round.
                if let Err(error) = app::prices::ssr::apply_due(&self.db, now_ms()).await {
                    tracing::warn!(%error, "due price increases could not be applied; trying again");
                }
                match self.deliver_due().await {
                    // A full batch: there may be more waiting, so look again at once.
                    Ok(n) if n as i64 >= BATCH => continue,
                    Ok(_) => {}
                    Err(error) => tracing::warn!(%error, "the outbox could not be read; trying again"),
                }
                tokio::time::sleep(self.poll).await;
            }
        })
    }

    /// The channels this server can deliver: those whose settings it has.
    fn channels(&self) -> Vec<Channel> {
        Channel::ALL
            .into_iter()
            .filter(|c| match c {
                Channel::Email => self.delivery.smtp.is_some(),
                Channel::Sms => self.delivery.sms.is_some(),
            })
            .collect()
    }

    /// Sends what is due now; returns how many rows it looked at.
    pub async fn deliver_due(&self) -> Result<usize, sqlx::Error> {
        let channels = self.channels();
        if channels.is_empty() {
            return Ok(0);
        }
        let now = now_ms();
        // One bound parameter per channel this server delivers; the rest wait for a server
        // that has them configured.
        let placeholders: Vec<String> = (0..channels.len()).map(|i| format!("${}", i + 2)).collect();
        let query = format!(
            "SELECT id, channel, recipient, subject, body, attempts FROM outbox \
             WHERE sent_at IS NULL AND next_attempt_at <= $1 AND (claimed_until IS NULL OR claimed_until < $1) \
             AND channel IN ({}) ORDER BY next_attempt_at LIMIT {BATCH}",
            placeholders.join(", ")
        );
        let mut select = sqlx::query_as::<_, Due>(&query).bind(now);
        for channel in &channels {
            select = select.bind(channel.as_str());
        }
        let due = select.fetch_all(&self.db).await?;
        let looked_at = due.len();
        for item in due {
            if self.claim(&item.id).await? {
                if let Some(limit) = self.sms_limit_reached(&item).await? {
                    self.set_aside(&item, &limit).await?;
                    continue;
                }
                let result = self.send(&item).await;
                self.record(&item, result).await?;
            }
        }
        Ok(looked_at)
    }

    /// Takes the row for this worker; false if another worker holds it or it was sent.
    async fn claim(&self, id: &str) -> Result<bool, sqlx::Error> {
        let now = now_ms();
        let claimed = sqlx::query(
            "UPDATE outbox SET claimed_by = $1, claimed_until = $2 \
             WHERE id = $3 AND sent_at IS NULL AND (claimed_until IS NULL OR claimed_until < $4)",
        )
        .bind(&self.id)
        .bind(now + CLAIM_MS)
        .bind(id)
        .bind(now)
        .execute(&self.db)
        .await?;
        Ok(claimed.rows_affected() == 1)
    }

    /// Why SMS row `item` is not to be sent, if it is not: its number has had its SMS for
    /// the day. (Servers working one outbox at the same moment may send one more each.)
    async fn sms_limit_reached(&self, item: &Due) -> Result<Option<String>, sqlx::Error> {
        let Some(gateway) = self.delivery.sms.as_ref().filter(|_| item.channel == Channel::Sms.as_str()) else { return Ok(None) };
        let sent: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM outbox WHERE recipient = $1 AND channel = $2 AND sent_at > $3 AND last_error IS NULL",
        )
        .bind(&item.recipient)
        .bind(Channel::Sms.as_str())
        .bind(now_ms() - 86_400_000)
        .fetch_one(&self.db)
        .await?;
        Ok((sent >= gateway.per_number_per_day)
            .then(|| format!("not sent: this number had its {} SMS of the last 24 hours", gateway.per_number_per_day)))
    }

    /// Ends row `item` unsent, saying why (`sent_at` with `last_error`: done, not delivered).
    async fn set_aside(&self, item: &Due, why: &str) -> Result<(), sqlx::Error> {
        tracing::warn!(id = %item.id, channel = %item.channel, reason = why, "a notification was set aside");
        sqlx::query("UPDATE outbox SET sent_at = $1, claimed_until = NULL, last_error = $2 WHERE id = $3 AND claimed_by = $4")
            .bind(now_ms())
            .bind(why)
            .bind(&item.id)
            .bind(&self.id)
            .execute(&self.db)
            .await?;
        Ok(())
    }

    async fn record(&self, item: &Due, result: Result<(), String>) -> Result<(), sqlx::Error> {
        let now = now_ms();
        match result {
            Ok(()) => {
                sqlx::query(
                    "UPDATE outbox SET sent_at = $1, attempts = attempts + 1, claimed_until = NULL, last_error = NULL \
                     WHERE id = $2 AND claimed_by = $3",
                )
                .bind(now)
                .bind(&item.id)
                .bind(&self.id)
                .execute(&self.db)
                .await?;
            }
            Err(error) => {
                let delay = backoff_ms(self.retry_base.as_millis() as i64, item.attempts);
                tracing::warn!(id = %item.id, channel = %item.channel, attempt = item.attempts + 1, %error, retry_in_ms = delay, "a notification was not delivered");
                sqlx::query(
                    "UPDATE outbox SET attempts = attempts + 1, next_attempt_at = $1, claimed_until = NULL, last_error = $2 \
                     WHERE id = $3 AND claimed_by = $4",
                )
                .bind(now + delay)
                .bind(error.chars().take(500).collect::<String>())
                .bind(&item.id)
                .bind(&self.id)
                .execute(&self.db)
                .await?;
            }
        }
        Ok(())
    }

    async fn send(&self, item: &Due) -> Result<(), String> {
        match Channel::parse(&item.channel) {
            Some(Channel::Email) => match &self.delivery.smtp {
                Some(smtp) => send_email(smtp, item).await,
                None => Err("SMTP is not configured".into()),
            },
            Some(Channel::Sms) => match &self.delivery.sms {
                Some(gateway) => self.send_sms(gateway, item).await,
                None => Err("the SMS gateway is not configured".into()),
            },
            None => Err(format!("unknown channel {}", item.channel)),
        }
    }

    async fn send_sms(&self, gateway: &SmsGateway, item: &Due) -> Result<(), String> {
        let mut request = self
            .http
            .post(&gateway.url)
            .header("Idempotency-Key", &item.id)
            .json(&serde_json::json!({ "to": item.recipient, "message": item.body, "id": item.id }));
        if let Some(token) = &gateway.token {
            request = request.bearer_auth(token);
        }
        let response = request.send().await.map_err(|e| format!("SMS gateway unreachable: {e}"))?;
        if response.status().is_success() {
            Ok(())
        } else {
            Err(format!("SMS gateway answered {}", response.status()))
        }
    }
}

/// The delay before attempt `attempts + 1`: the base, doubled per failure, at most 15 minutes.
pub fn backoff_ms(base_ms: i64, attempts: i64) -> i64 {
    let factor = 1_i64 << attempts.clamp(0, 20);
    base_ms.saturating_mul(factor).min(MAX_BACKOFF_MS)
}

/// The email for outbox row `item`, from `from`.
fn email(from: &str, item: &Due) -> Result<Message, String> {
    let from: Mailbox = from.parse().map_err(|e| format!("sender address: {e}"))?;
    let to: Mailbox = item.recipient.parse().map_err(|e| format!("recipient address: {e}"))?;
    Message::builder()
        .from(from)
        .to(to)
        .raw_header(subject(&item.subject))
        .message_id(Some(format!("<{}@outbox.marketplace>", item.id)))
        .header(ContentType::TEXT_PLAIN)
        .body(item.body.clone())
        .map_err(|e| format!("building the email: {e}"))
}

/// The Subject header for `text`. lettre writes ASCII words as they are, so a product name
/// holding `=?utf-8?b?…?=` would reach the subject as an encoded word that mail programs
/// decode into any characters (a direction override, say), past R15's refusal of them. A
/// subject with such a word is sent wholly encoded (RFC 2047, base64), so it reads as typed.
fn subject(text: &str) -> HeaderValue {
    let name = HeaderName::new_from_ascii_str("Subject");
    if !text.contains("=?") {
        return HeaderValue::new(name, text.to_owned());
    }
    use base64::Engine;
    // Encoded words of at most 72 characters, 45 bytes of text each, cut between
    // characters; the first 30 bytes, so the line it shares with `Subject: ` stays within
    // 76 characters.
    let mut words = Vec::new();
    let mut rest = text;
    while !rest.is_empty() {
        let mut cut = rest.len().min(if words.is_empty() { 30 } else { 45 });
        while !rest.is_char_boundary(cut) {
            cut -= 1;
        }
        words.push(format!("=?utf-8?b?{}?=", base64::engine::general_purpose::STANDARD.encode(&rest[..cut])));
        rest = &rest[cut..];
    }
    HeaderValue::dangerous_new_pre_encoded(name, text.to_owned(), words.join("\r\n "))
}

async fn send_email(smtp: &SmtpSettings, item: &Due) -> Result<(), String> {
    let message = email(&smtp.from, item)?;
    let builder = match smtp.security {
        SmtpSecurity::StartTls => AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(&smtp.host).map_err(|e| e.to_string())?,
        SmtpSecurity::Tls => AsyncSmtpTransport::<Tokio1Executor>::relay(&smtp.host).map_err(|e| e.to_string())?,
        SmtpSecurity::None => AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&smtp.host),
    };
    let mut builder = builder.port(smtp.port).timeout(Some(SEND_TIMEOUT));
    if let (Some(user), Some(password)) = (&smtp.username, &smtp.password) {
        builder = builder.credentials(Credentials::new(user.clone(), password.clone()));
    }
    builder.build().send(message).await.map(|_| ()).map_err(|e| format!("SMTP: {e}"))
}

#[cfg(test)]
mod tests {
    use super::{backoff_ms, email, Due};

    fn subject_line(subject: &str) -> String {
        let due = Due {
            id: "row".into(),
            channel: "email".into(),
            recipient: "buyer@example.com".into(),
            subject: subject.into(),
            body: "Body".into(),
            attempts: 0,
        };
        let message = String::from_utf8(email("Marketplace <noreply@example.com>", &due).unwrap().formatted()).unwrap();
        let start = message.find("Subject: ").unwrap() + "Subject: ".len();
        let end = start + message[start..].find("\r\n").unwrap();
        let mut line = message[start..end].to_owned();
        // Folded lines continue with a space.
        let mut at = end;
        while message[at + 2..].starts_with(' ') {
            let next = at + 2 + message[at + 2..].find("\r\n").unwrap();
            line.push_str(&message[at + 2..next]);
            at = next;
        }
        line
    }

    /// The text of a subject of encoded words, as a mail program reads it.
    fn decoded(line: &str) -> String {
        use base64::Engine;
        let bytes: Vec<u8> = line
            .split_whitespace()
            .flat_map(|word| {
                let inner = word.strip_prefix("=?utf-8?b?").and_then(|w| w.strip_suffix("?=")).expect(word);
                base64::engine::general_purpose::STANDARD.decode(inner).unwrap()
            })
            .collect();
        String::from_utf8(bytes).unwrap()
    }

    #[test]
    fn r43_a_name_that_spells_an_encoded_word_reaches_the_subject_as_typed() {
        assert_eq!(subject_line("Approved: Tools"), "Approved: Tools");
        let typed = "Approved: Tools =?utf-8?b?4oCuZXZpbA==?= and a long name é 日本 to fold over lines";
        let line = subject_line(typed);
        assert!(!line.contains("4oCuZXZpbA==?= "), "the typed encoded word is not passed on as one: {line}");
        assert!(line.split_whitespace().all(|w| w.len() <= 75), "{line}");
        assert!(line.split_whitespace().next().unwrap().len() + "Subject: ".len() <= 76, "{line}");
        assert_eq!(decoded(&line), typed);
    }

    #[test]
    fn r43_retries_wait_twice_as_long_each_time_up_to_fifteen_minutes() {
        assert_eq!(backoff_ms(5_000, 0), 5_000);
        assert_eq!(backoff_ms(5_000, 1), 10_000);
        assert_eq!(backoff_ms(5_000, 3), 40_000);
        assert_eq!(backoff_ms(5_000, 50), 15 * 60_000);
    }
}
