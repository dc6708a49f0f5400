use app::auth::{ssr::create_account, Account, Role};
use app::store::Db;
use reqwest::{redirect::Policy, Client, Response};
use server::config::Config;
use std::net::SocketAddr;

/// A running server on its own fresh database.
pub struct TestApp {
    pub address: String,
    pub db: Db,
    pub database_url: String,
    /// The server and its outbox worker, stopped when the test is done with them.
    tasks: Vec<tokio::task::AbortHandle>,
}

impl Drop for TestApp {
    /// Stops the server and its worker and closes its pool, so that tests that have finished
    /// do not hold PostgreSQL connections while the rest run.
    fn drop(&mut self) {
        for task in &self.tasks {
            task.abort();
        }
        let db = self.db.clone();
        server_runtime().spawn(async move { db.close().await });
    }
}

pub const PASSWORD: &str = "correct horse battery staple";

/// A fresh, empty database URL on the backend under test.
pub async fn fresh_database_url() -> String {
    let admin = std::env::var("TEST_DATABASE_URL").ok().filter(|u| u.starts_with("postgres"));
    let dir = std::env::temp_dir().join("marketplace-tests");
    std::fs::create_dir_all(&dir).expect("create the test database folder");
    server::database::fresh(admin.as_deref(), &format!("t_{}", hex_id()), &dir).await.expect("create a test database")
}

/// The runtime all test servers run on. It lives for the whole test process.
fn server_runtime() -> &'static tokio::runtime::Runtime {
    static RUNTIME: std::sync::OnceLock<tokio::runtime::Runtime> = std::sync::OnceLock::new();
    RUNTIME.get_or_init(|| {
        use tracing_subscriber::layer::SubscriberExt;
        use tracing_subscriber::Layer;
        let printed = tracing_subscriber::fmt::layer()
            .with_writer(std::io::stderr)
            .with_filter(tracing_subscriber::EnvFilter::from_env("TEST_LOG"));
        let subscriber = tracing_subscriber::registry().with(printed).with(crate::logs::ErrorCapture::layer());
        let _ = tracing::subscriber::set_global_default(subscriber);
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(4)
            .enable_all()
            .build()
            .expect("build the test servers' runtime")
    })
}

fn hex_id() -> String {
    (0..12).map(|_| format!("{:x}", rand::random::<u8>() % 16)).collect()
}

impl TestApp {
    pub async fn spawn() -> TestApp {
        Self::spawn_on(fresh_database_url().await).await
    }

    /// A server on an existing database (a second server behind the same load balancer).
    ///
    /// Every test's server runs on one shared multi-threaded runtime, as in production,
    /// instead of on the test's own runtime.
    pub async fn spawn_on(database_url: String) -> TestApp {
        Self::spawn_with(database_url, &[]).await
    }

    /// A server on `database_url` with more configuration, such as where email goes. Its
    /// outbox worker runs as in production, looking for due notifications every 50 ms.
    pub async fn spawn_with(database_url: String, settings: &[(&str, &str)]) -> TestApp {
        let url = database_url.clone();
        let settings: Vec<(String, String)> = settings.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        server_runtime()
            .spawn(async move {
                let config = Config::from_lookup(|name| match name {
                    "DATABASE_URL" => Some(url.clone()),
                    "DEMO_DATA" => Some("off".into()),
                    "OUTBOX_POLL_MS" => Some("50".into()),
                    "OUTBOX_RETRY_BASE_MS" => Some("100".into()),
                    _ => settings.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone()),
                })
                .expect("test configuration");
                let db = server::prepare_database(&config).await.expect("prepare the test database");
                let worker = server::start_outbox_worker(db.clone(), &config).abort_handle();
                let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind port 0");
                let addr: SocketAddr = listener.local_addr().unwrap();
                let router = server::router(server::app_state(db.clone(), &config, server::local_options(addr)));
                let server = tokio::spawn(server::serve(listener, router, config.connections.clone(), std::future::pending()));
                let mut tasks = vec![worker, server.abort_handle()];
                tasks.extend(server::start_session_listener(&db).map(|l| l.abort_handle()));
                TestApp { address: format!("http://{addr}"), db, database_url: url, tasks }
            })
            .await
            .expect("start the test server")
    }

    /// A browser-like client that keeps cookies and does not follow redirects. Its timeout
    /// turns a response that never finishes into a failed test instead of a stuck run.
    pub fn client(&self) -> Client {
        self.client_of("")
    }

    /// [`Self::client`], sending `user_agent` as its User-Agent (none when empty).
    pub fn client_of(&self, user_agent: &str) -> Client {
        let builder = Client::builder();
        let builder = if user_agent.is_empty() { builder } else { builder.user_agent(user_agent) };
        builder
            .cookie_store(true)
            .redirect(Policy::none())
            .timeout(std::time::Duration::from_secs(60))
            .build()
            .unwrap()
    }

    pub async fn account(&self, role: Role) -> Account {
        let email = format!("{}-{}@example.test", role.as_str(), hex_id());
        create_account(&self.db, &email, "Test account", role, PASSWORD).await.expect("create an account")
    }

    /// A new account of `role`, and a client signed in as it.
    pub async fn signed_in(&self, role: Role) -> (Account, Client) {
        let account = self.account(role).await;
        let client = self.client();
        let response = self.call(&client, "session/sign-in", &[("email", &account.email), ("password", PASSWORD)]).await;
        assert_eq!(response.status(), 200, "sign-in failed: {}", response.text().await.unwrap_or_default());
        (account, client)
    }

    /// Calls a server function the way the browser does: a form-encoded POST.
    pub async fn call(&self, client: &Client, endpoint: &str, form: &[(&str, &str)]) -> Response {
        client
            .post(format!("{}/api/{endpoint}", self.address))
            .form(form)
            .send()
            .await
            .expect("request to the test server")
    }

    /// A server function's answer, which must be a success, read as `T`.
    pub async fn answer<T: serde::de::DeserializeOwned>(&self, client: &Client, endpoint: &str, form: &[(&str, &str)]) -> T {
        let response = self.call(client, endpoint, form).await;
        assert_eq!(response.status(), 200, "{endpoint}");
        response.json().await.unwrap()
    }

    /// A signed-in customer with a credit balance of `cents`, ready to buy.
    pub async fn customer_with_credit(&self, cents: i64) -> (Account, Client) {
        let (customer, client) = self.signed_in(Role::Customer).await;
        self.set_credit(&customer, cents).await;
        (customer, client)
    }

    /// Gives `account` a credit balance of `cents`, as a top-up would.
    pub async fn set_credit(&self, account: &Account, cents: i64) {
        sqlx::query("UPDATE accounts SET credit_cents = $1 WHERE id = $2").bind(cents).bind(&account.id).execute(&self.db).await.unwrap();
    }

    /// A form sent without script (the browser asks for HTML) from the page at `page`, whose
    /// server function fails: it answers with a redirect back to `page`, the error in the
    /// address. Returns that address (path and query) and its `__err`, percent-encoded.
    pub async fn failed_form(&self, client: &Client, endpoint: &str, form: &[(&str, &str)], page: &str) -> (String, String) {
        let response = client
            .post(format!("{}/api/{endpoint}", self.address))
            .header("accept", "text/html")
            .header("referer", format!("{}{page}", self.address))
            .form(form)
            .send()
            .await
            .expect("request to the test server");
        assert!(response.status().is_redirection(), "{}", response.status());
        let location = response.headers()["location"].to_str().unwrap();
        let address = location.strip_prefix(&self.address).unwrap_or(location).to_owned();
        let (_, error) = address.split_once("__err=").expect("the error in the address");
        let error = error.split('&').next().unwrap().to_owned();
        (address, error)
    }

    pub async fn get(&self, client: &Client, path: &str) -> Response {
        client
            .get(format!("{}{path}", self.address))
            .header("accept", "text/html")
            .send()
            .await
            .expect("request to the test server")
    }
}

/// The JSON error body of a failed server function call.
pub async fn error_of(response: Response) -> app::error::AppError {
    let text = response.text().await.unwrap();
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("not an AppError ({e}): {text}"))
}

/// A private image that breaks none of R1–R8, named "image <id>".
pub fn eligible_image(id: &str) -> app::rules::asset::PrivateImage {
    app::rules::asset::PrivateImage::eligible(id, &format!("image {id}"))
}
