//! Real local receivers for notifications: an SMTP server on loopback that records every
//! message it accepts, and an HTTP SMS gateway that records every request and can be told
//! to fail its first requests (a gateway that is down, then recovers).

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;

/// One email as received: envelope recipient and the raw message.
#[derive(Debug, Clone)]
pub struct ReceivedMail {
    pub to: String,
    pub data: String,
}

#[derive(Clone, Default)]
pub struct SmtpReceiver {
    pub port: u16,
    mails: Arc<Mutex<Vec<ReceivedMail>>>,
}

impl SmtpReceiver {
    /// Starts a minimal SMTP server (EHLO, MAIL, RCPT, DATA, RSET, NOOP, QUIT) on port 0.
    pub async fn start() -> SmtpReceiver {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let receiver = SmtpReceiver { port: listener.local_addr().unwrap().port(), ..Default::default() };
        let mails = receiver.mails.clone();
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let mails = mails.clone();
                tokio::spawn(async move {
                    let _ = session(stream, mails).await;
                });
            }
        });
        receiver
    }

    pub fn mails(&self) -> Vec<ReceivedMail> {
        self.mails.lock().unwrap().clone()
    }

    /// The settings that point a server at this receiver.
    pub fn settings(&self) -> Vec<(&'static str, String)> {
        vec![
            ("SMTP_HOST", "127.0.0.1".into()),
            ("SMTP_PORT", self.port.to_string()),
            ("SMTP_SECURITY", "none".into()),
            ("SMTP_FROM", "Marketplace <noreply@marketplace.test>".into()),
        ]
    }
}

async fn session(stream: tokio::net::TcpStream, mails: Arc<Mutex<Vec<ReceivedMail>>>) -> std::io::Result<()> {
    let (read, mut write) = stream.into_split();
    let mut lines = BufReader::new(read);
    write.write_all(b"220 receiver.test ESMTP\r\n").await?;
    let mut to = Vec::new();
    let mut line = String::new();
    loop {
        line.clear();
        if lines.read_line(&mut line).await? == 0 {
            return Ok(());
        }
        let command = line.trim_end().to_ascii_uppercase();
        let reply: &[u8] = if command.starts_with("EHLO") {
            b"250-receiver.test\r\n250 8BITMIME\r\n"
        } else if command.starts_with("HELO") || command.starts_with("MAIL FROM") || command.starts_with("NOOP") {
            b"250 OK\r\n"
        } else if command.starts_with("RSET") {
            to.clear();
            b"250 OK\r\n"
        } else if command.starts_with("RCPT TO") {
            to.push(line.trim_end()[8..].trim().trim_matches(|c| c == '<' || c == '>').to_owned());
            b"250 OK\r\n"
        } else if command == "DATA" {
            write.write_all(b"354 End data with <CR><LF>.<CR><LF>\r\n").await?;
            let mut data = String::new();
            loop {
                line.clear();
                if lines.read_line(&mut line).await? == 0 {
                    return Ok(());
                }
                if line.trim_end() == "." {
                    break;
                }
                data.push_str(&line);
            }
            let mut all = mails.lock().unwrap();
            for recipient in to.drain(..) {
                all.push(ReceivedMail { to: recipient, data: data.clone() });
            }
            b"250 OK queued\r\n"
        } else if command == "QUIT" {
            write.write_all(b"221 Bye\r\n").await?;
            return Ok(());
        } else {
            b"502 Command not implemented\r\n"
        };
        write.write_all(reply).await?;
    }
}

/// One SMS request as received.
#[derive(Debug, Clone)]
pub struct ReceivedSms {
    pub to: String,
    pub message: String,
    pub id: String,
    pub authorization: Option<String>,
}

#[derive(Clone)]
pub struct SmsGateway {
    pub url: String,
    received: Arc<Mutex<Vec<ReceivedSms>>>,
    /// Requests answered 503 before the gateway starts accepting.
    failures_left: Arc<AtomicUsize>,
    pub failed: Arc<AtomicUsize>,
}

impl SmsGateway {
    /// A gateway that answers its first `fail_first` requests with 503.
    pub async fn start(fail_first: usize) -> SmsGateway {
        use axum::{extract::State, http::HeaderMap, routing::post, Json, Router};
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let gateway = SmsGateway {
            url: format!("http://{}/send", listener.local_addr().unwrap()),
            received: Arc::default(),
            failures_left: Arc::new(AtomicUsize::new(fail_first)),
            failed: Arc::default(),
        };
        let state = gateway.clone();
        let app = Router::new()
            .route(
                "/send",
                post(|State(gw): State<SmsGateway>, headers: HeaderMap, Json(body): Json<serde_json::Value>| async move {
                    let down = gw.failures_left.fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1)).is_ok();
                    if down {
                        gw.failed.fetch_add(1, Ordering::SeqCst);
                        return axum::http::StatusCode::SERVICE_UNAVAILABLE;
                    }
                    let text = |k: &str| body[k].as_str().unwrap_or_default().to_owned();
                    gw.received.lock().unwrap().push(ReceivedSms {
                        to: text("to"),
                        message: text("message"),
                        id: text("id"),
                        authorization: headers.get("authorization").and_then(|v| v.to_str().ok()).map(str::to_owned),
                    });
                    axum::http::StatusCode::OK
                }),
            )
            .with_state(state);
        tokio::spawn(async move { axum::serve(listener, app).await });
        gateway
    }

    pub fn received(&self) -> Vec<ReceivedSms> {
        self.received.lock().unwrap().clone()
    }

    pub fn settings(&self) -> Vec<(&'static str, String)> {
        vec![("SMS_GATEWAY_URL", self.url.clone()), ("SMS_GATEWAY_TOKEN", "test-token".into())]
    }
}

/// Waits up to 20 s for `done` to hold, checking every 50 ms; false if it never did.
pub async fn eventually(mut done: impl FnMut() -> bool) -> bool {
    for _ in 0..400 {
        if done() {
            return true;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    done()
}
