//! Connections (`server/src/connections.rs`): a client that is slow to send its headers or
//! its body, or that holds a connection idle, holds it for no longer than the server's
//! limits, and beyond the connection limit a client waits for a connection to end.

use crate::helpers::{fresh_database_url, TestApp};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// A test server with `settings`, and its `host:port`.
async fn server(settings: &[(&str, &str)]) -> (TestApp, String) {
    let app = TestApp::spawn_with(fresh_database_url().await, settings).await;
    let host = app.address.trim_start_matches("http://").to_owned();
    (app, host)
}

/// A connection to `host` that has sent `text`.
async fn sent(host: &str, text: &str) -> TcpStream {
    let mut stream = TcpStream::connect(host).await.unwrap();
    stream.write_all(text.as_bytes()).await.unwrap();
    stream
}

/// Reads from `stream` until the server closes it, at most 20 s (far beyond the limits of
/// the server it is given): what the server sent before closing.
async fn until_closed(stream: &mut TcpStream) -> String {
    let mut received = Vec::new();
    let read = tokio::time::timeout(Duration::from_secs(20), stream.read_to_end(&mut received)).await;
    assert!(read.is_ok(), "the server still held the connection after 20 s; it had sent {:?}", String::from_utf8_lossy(&received));
    String::from_utf8_lossy(&received).into_owned()
}

#[tokio::test]
async fn a_client_that_sends_nothing_half_a_request_or_a_trickle_of_body_is_cut_off() {
    let (app, host) = server(&[("HTTP_HEADER_TIMEOUT_MS", "1000"), ("HTTP_REQUEST_TIMEOUT_MS", "2000")]).await;

    // Connected, nothing sent: closed without an answer.
    assert_eq!(until_closed(&mut sent(&host, "").await).await, "");

    // Half a request's headers: closed too (hyper answers nothing).
    let half = format!("GET / HTTP/1.1\r\nHost: {host}\r\nAccept: text/html\r\n");
    assert_eq!(until_closed(&mut sent(&host, &half).await).await, "");

    // A whole request is answered, and the connection stays open for the next until it
    // has been idle too long.
    let answer = until_closed(&mut sent(&host, &format!("GET /health HTTP/1.1\r\nHost: {host}\r\n\r\n")).await).await;
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert!(!answer.contains("408"), "an idle connection after an answer is closed, not answered: {answer}");

    // A body announced as 100 bytes that never arrives: 408 once the body's deadline has
    // passed, and the connection closes.
    let trickle = format!(
        "POST /api/session/sign-in HTTP/1.1\r\nHost: {host}\r\nOrigin: http://{host}\r\n\
         Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 100\r\n\r\nemail=a"
    );
    let answer = until_closed(&mut sent(&host, &trickle).await).await;
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(answer.contains("The request took too long to arrive."), "{answer}");
    assert!(answer.to_ascii_lowercase().contains("x-request-id"), "answered by the app's layers, headers and all: {answer}");

    // The server still answers everyone else.
    assert_eq!(app.client().get(format!("{}/health", app.address)).send().await.unwrap().status(), 200);
}

#[tokio::test]
async fn beyond_the_connection_limit_a_client_waits_for_a_connection_to_end() {
    let (_app, host) = server(&[("HTTP_MAX_CONNECTIONS", "1"), ("HTTP_HEADER_TIMEOUT_MS", "1000")]).await;
    // The one connection, idle; a second client's request is answered only once the
    // server has closed the first.
    let mut holder = sent(&host, "").await;
    tokio::time::sleep(Duration::from_millis(100)).await;
    let mut waiting = sent(&host, &format!("GET /health HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n")).await;
    let mut first = [0u8; 12];
    tokio::time::timeout(Duration::from_secs(20), waiting.read_exact(&mut first)).await.unwrap().unwrap();
    assert_eq!(&first, b"HTTP/1.1 200");
    let mut rest = [0u8; 1];
    let holder_state = tokio::time::timeout(Duration::from_millis(100), holder.read(&mut rest)).await;
    assert!(matches!(holder_state, Ok(Ok(0))), "the first connection was closed before the second was served: {holder_state:?}");
}
