//! What the benchmarks share: a real server on a real database of their own (SQLite in a
//! temporary folder, or a new PostgreSQL database when `BENCH_DATABASE_URL` names a server),
//! removed again when they finish. `BENCH_KEEP=1` keeps it; `BENCH_REUSE=<database>` measures
//! a PostgreSQL database kept so again (on the server `BENCH_DATABASE_URL` names), and keeps it.

use app::store::Db;
use std::net::SocketAddr;
use std::path::PathBuf;

pub struct BenchServer {
    pub db: Db,
    pub addr: SocketAddr,
    pub backend: &'static str,
    folder: PathBuf,
    admin: Option<(String, String)>,
}

impl BenchServer {
    pub async fn start(name: &str) -> BenchServer {
        let folder = std::env::temp_dir().join(format!("{name}-{}", std::process::id()));
        let admin = std::env::var("BENCH_DATABASE_URL").ok();
        let reuse = std::env::var("BENCH_REUSE").ok().filter(|_| admin.is_some());
        let bench_db = reuse.clone().unwrap_or_else(|| format!("{}_{}", name.replace('-', "_"), std::process::id()));
        std::fs::create_dir_all(&folder).expect("create the benchmark's folder");
        let url = match (&reuse, &admin) {
            (Some(_), Some(admin)) => format!("{}/{bench_db}", admin.rsplit_once('/').map_or(admin.as_str(), |(base, _)| base)),
            _ => server::database::fresh(admin.as_deref(), &bench_db, &folder).await.expect("create the benchmark's database"),
        };
        // The pool's size as the operator would set it, to compare sizes.
        let connections = std::env::var("DATABASE_MAX_CONNECTIONS").ok();
        let settings: Vec<(&str, &str)> = connections.iter().map(|c| ("DATABASE_MAX_CONNECTIONS", c.as_str())).collect();
        let (db, addr) = server::start_local(&url, &folder, &settings).await.expect("start the server");
        let backend = if url.starts_with("postgres") { "PostgreSQL" } else { "SQLite" };
        BenchServer { db, addr, backend, folder, admin: admin.map(|a| (a, bench_db)) }
    }

    /// A client that sends `account_id`'s new session cookie with every request.
    #[allow(dead_code)]
    pub async fn client_for(&self, account_id: &str) -> reqwest::Client {
        let mut headers = reqwest::header::HeaderMap::new();
        headers.insert("cookie", self.session_cookie(account_id).await.parse().unwrap());
        reqwest::Client::builder().default_headers(headers).build().unwrap()
    }

    /// A `cookie` header's value that signs `account_id` in, with a new session.
    #[allow(dead_code)]
    pub async fn session_cookie(&self, account_id: &str) -> String {
        let token = app::auth::ssr::create_session(&self.db, account_id, "").await.unwrap();
        format!("mp_session={token}")
    }

    pub async fn finish(self) {
        self.db.close().await;
        let keep = std::env::var_os("BENCH_KEEP").is_some() || std::env::var_os("BENCH_REUSE").is_some();
        if let (true, Some((_, bench_db))) = (keep, &self.admin) {
            println!("kept the database {bench_db}");
        } else if let Some((admin_url, bench_db)) = self.admin {
            let admin = server::database::connect(&admin_url, 1).await.expect("connect to PostgreSQL");
            let _ = sqlx::Executor::execute(&admin, format!("DROP DATABASE {bench_db} WITH (FORCE)").as_str()).await;
        }
        if keep {
            println!("kept the database folder {}", self.folder.display());
        } else {
            let _ = std::fs::remove_dir_all(&self.folder);
        }
    }
}

/// The value at quantile `q` of sorted durations, in milliseconds.
pub fn quantile_ms(sorted: &[std::time::Duration], q: f64) -> f64 {
    sorted[((sorted.len() as f64 - 1.0) * q).round() as usize].as_secs_f64() * 1_000.0
}

/// Requests per second and latency of one page under load.
#[allow(dead_code)]
pub struct Figures {
    pub rps: f64,
    pub median: f64,
    pub p99: f64,
    pub errors: usize,
}

/// `clients` clients request `url` in a loop for `run`; a request counts when it answers 2xx
/// with its whole body.
#[allow(dead_code)]
pub async fn measure(client: &reqwest::Client, url: &str, clients: usize, run: std::time::Duration) -> Figures {
    let (client, url) = (client.clone(), url.to_owned());
    measure_requests(clients, run, move |_, _| client.get(&url).header("accept", "text/html")).await
}

/// `clients` clients send the requests `request(client, n)` makes (the `n`th of that client)
/// in a loop for `run`; a request counts when it answers 2xx with its whole body.
#[allow(dead_code)]
pub async fn measure_requests(
    clients: usize,
    run: std::time::Duration,
    request: impl Fn(usize, usize) -> reqwest::RequestBuilder + Send + Sync + 'static,
) -> Figures {
    use std::time::Instant;
    let started = Instant::now();
    let request = std::sync::Arc::new(request);
    let loops: Vec<_> = (0..clients)
        .map(|c| {
            let request = request.clone();
            tokio::spawn(async move {
                let (mut times, mut errors) = (Vec::new(), 0);
                let mut n = 0;
                while started.elapsed() < run {
                    let sent = Instant::now();
                    let ok = match request(c, n).send().await {
                        Ok(r) => r.status().is_success() && r.bytes().await.is_ok(),
                        Err(_) => false,
                    };
                    n += 1;
                    if ok {
                        times.push(sent.elapsed());
                    } else {
                        errors += 1;
                    }
                }
                (times, errors)
            })
        })
        .collect();
    let (mut times, mut errors) = (Vec::new(), 0);
    for handle in loops {
        let (t, e) = handle.await.unwrap();
        times.extend(t);
        errors += e;
    }
    let wall = started.elapsed().as_secs_f64();
    times.sort();
    if times.is_empty() {
        return Figures { rps: 0.0, median: f64::NAN, p99: f64::NAN, errors };
    }
    Figures { rps: times.len() as f64 / wall, median: quantile_ms(&times, 0.5), p99: quantile_ms(&times, 0.99), errors }
}

/// `connections` connections of `wrk` (a load generator of its own, in C, as a process of its
/// own: it takes far less of this machine than the server it measures) request `url` with
/// `headers` for `run`. wrk counts every answer in its requests per second: any answer that
/// is not 2xx or 3xx, or a broken connection, stops the benchmark rather than being counted.
#[allow(dead_code)]
pub async fn wrk(url: &str, headers: &[(&str, &str)], connections: usize, run: std::time::Duration) -> Figures {
    let mut command = tokio::process::Command::new("wrk");
    command.args(["--latency", "-t2", &format!("-c{connections}"), &format!("-d{}s", run.as_secs().max(1))]);
    for (name, value) in headers {
        command.args(["-H", &format!("{name}: {value}")]);
    }
    let output = command.arg(url).output().await.expect("run wrk (scripts/bench-pages installs it)");
    let report = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "wrk failed: {report}{}", String::from_utf8_lossy(&output.stderr));
    let figures = parse_wrk(&report).unwrap_or_else(|| panic!("wrk's report was not understood:\n{report}"));
    assert_eq!(figures.errors, 0, "{url} failed under load:\n{report}");
    figures
}

/// Requests per second, median and p99 (ms) and failed requests from `wrk --latency`'s report.
fn parse_wrk(report: &str) -> Option<Figures> {
    let after = |label: &str| report.lines().find_map(|l| l.trim().strip_prefix(label).map(str::trim));
    let latency = |quantile: &str| after(quantile).and_then(duration_ms);
    let rps = after("Requests/sec:")?.parse().ok()?;
    let non_2xx: usize = after("Non-2xx or 3xx responses:").map_or(Some(0), |n| n.parse().ok())?;
    // "Socket errors: connect 0, read 0, write 0, timeout 0"
    let socket: usize = after("Socket errors:").map_or(Some(0), |list| {
        list.split(',').map(|part| part.split_whitespace().last()?.parse::<usize>().ok()).sum()
    })?;
    Some(Figures { rps, median: latency("50%")?, p99: latency("99%")?, errors: non_2xx + socket })
}

/// "812.00us", "5.12ms", "1.02s" in milliseconds.
fn duration_ms(text: &str) -> Option<f64> {
    let split = text.find(|c: char| c.is_ascii_alphabetic())?;
    let (number, unit) = text.split_at(split);
    let number: f64 = number.parse().ok()?;
    match unit {
        "us" => Some(number / 1_000.0),
        "ms" => Some(number),
        "s" => Some(number * 1_000.0),
        "m" => Some(number * 60_000.0),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::parse_wrk;

    #[test]
    fn wrk_reports_are_read_with_their_units_and_errors() {
        let report = "Running 3s test @ http://127.0.0.1:3000/sign-in
  2 threads and 32 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     2.41ms    1.02ms  21.33ms   80.12%
    Req/Sec     6.48k   412.11     7.21k    71.67%
  Latency Distribution
     50%  812.00us
     75%    2.80ms
     90%    3.55ms
     99%    1.20s
  38716 requests in 3.00s, 210.43MB read
  Socket errors: connect 0, read 2, write 0, timeout 1
  Non-2xx or 3xx responses: 4
Requests/sec:  12903.27
Transfer/sec:     70.12MB
";
        let figures = parse_wrk(report).expect("a report");
        assert_eq!(figures.rps, 12903.27);
        assert_eq!(figures.median, 0.812);
        assert_eq!(figures.p99, 1200.0);
        assert_eq!(figures.errors, 7);
        let clean = report.lines().filter(|l| !l.contains("errors") && !l.contains("Non-2xx")).collect::<Vec<_>>().join("\n");
        assert_eq!(parse_wrk(&clean).expect("a report without errors").errors, 0);
        assert!(parse_wrk("Running 3s test").is_none(), "a report cut short is not read as figures");
    }
}
