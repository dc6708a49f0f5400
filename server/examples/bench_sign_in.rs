//! `scripts/bench-sign-in`: what a storm of wrong sign-ins does to a server. Starts the
//! release server binary as a process of its own (so its memory is its own), fires 256
//! concurrent sign-ins with wrong passwords at it, then 256 more, while one client keeps
//! loading the public home page; prints the server's memory before and at its peak, how the
//! sign-ins were answered, and the page's latency meanwhile. Prints figures; asserts nothing.
//!
//! Each sign-in names a different unknown address and the per-address limit is raised out
//! of the way, so every request asks for a password check: what is measured is the bound
//! on concurrent Argon2 checks, not the guessing limits in front of it.

use std::collections::BTreeMap;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const STORM: usize = 256;

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// A field of `/proc/<pid>/status`, in MiB.
fn status_mib(pid: u32, field: &str) -> f64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find(|l| l.starts_with(field))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|kb| kb.parse::<f64>().ok())
        .map_or(f64::NAN, |kb| kb / 1024.0)
}

struct Server {
    child: Child,
    base: String,
    folder: std::path::PathBuf,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.folder);
    }
}

async fn start(binary: &str) -> Server {
    let folder = std::env::temp_dir().join(format!("bench-sign-in-{}", std::process::id()));
    std::fs::create_dir_all(&folder).unwrap();
    let port = free_port();
    let child = Command::new(binary)
        .env_remove("DATABASE_URL")
        .env("DATA_DIR", &folder)
        .env("DEMO_DATA", "off")
        .env("LEPTOS_SITE_ADDR", format!("127.0.0.1:{port}"))
        .env("LEPTOS_OUTPUT_NAME", "marketplace")
        .env("LEPTOS_SITE_ROOT", &folder)
        .env("RUST_LOG", "error")
        .env("SIGN_IN_ADDRESS_FAILURES", "1000000")
        .stdout(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("start {binary}: {e}"));
    let base = format!("http://127.0.0.1:{port}");
    let client = reqwest::Client::new();
    for _ in 0..200 {
        if client.get(format!("{base}/health")).send().await.is_ok_and(|r| r.status() == 200) {
            return Server { child, base, folder };
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the server did not answer /health");
}

async fn storm(server: &Server, round: usize) -> BTreeMap<u16, usize> {
    let client = reqwest::Client::builder().pool_max_idle_per_host(0).build().unwrap();
    let attempts = (0..STORM).map(|n| {
        let (client, url) = (client.clone(), format!("{}/api/session/sign-in", server.base));
        async move {
            let form = [("email", format!("nobody-{round}-{n}@example.test")), ("password", "wrong".to_owned())];
            match client.post(url).form(&form).send().await {
                Ok(response) => response.status().as_u16(),
                Err(_) => 0,
            }
        }
    });
    let mut statuses = BTreeMap::new();
    for status in futures::future::join_all(attempts).await {
        *statuses.entry(status).or_insert(0) += 1;
    }
    statuses
}

fn quantile(sorted: &[Duration], q: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    sorted[((sorted.len() as f64 - 1.0) * q).round() as usize].as_secs_f64() * 1000.0
}

#[tokio::main]
async fn main() {
    let binary = std::env::var("BENCH_SERVER_BINARY").unwrap_or_else(|_| "target/release/server".into());
    let server = start(&binary).await;
    let pid = server.child.id();
    let idle = status_mib(pid, "VmRSS:");
    println!("sign-in storm against {binary} (SQLite, {} cores):", std::thread::available_parallelism().map_or(0, |n| n.get()));
    println!("  server memory at rest: {idle:.0} MiB");
    for round in 1..=2 {
        let done = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let pages = {
            let (done, url) = (done.clone(), format!("{}/", server.base));
            tokio::spawn(async move {
                let client = reqwest::Client::new();
                let (mut times, mut failures) = (Vec::new(), 0usize);
                while !done.load(std::sync::atomic::Ordering::Relaxed) {
                    let sent = Instant::now();
                    let ok = match client.get(&url).send().await {
                        Ok(r) => r.status() == 200 && r.bytes().await.is_ok(),
                        Err(_) => false,
                    };
                    if ok {
                        times.push(sent.elapsed());
                    } else {
                        failures += 1;
                    }
                }
                (times, failures)
            })
        };
        let started = Instant::now();
        let statuses = storm(&server, round).await;
        let wall = started.elapsed();
        done.store(true, std::sync::atomic::Ordering::Relaxed);
        let (mut times, failures) = pages.await.unwrap();
        times.sort();
        println!(
            "  {} wrong sign-ins at once (round {round}): answered in {:.1} s, statuses {statuses:?}",
            STORM,
            wall.as_secs_f64()
        );
        println!(
            "    the home page meanwhile: {} loads, median {:.1} ms, p99 {:.1} ms, {failures} failed",
            times.len(),
            quantile(&times, 0.5),
            quantile(&times, 0.99)
        );
        println!(
            "    server memory after: {:.0} MiB; peak so far (VmHWM): {:.0} MiB",
            status_mib(pid, "VmRSS:"),
            status_mib(pid, "VmHWM:")
        );
    }
}
