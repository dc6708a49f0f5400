//! `marketplace`: checks product files on the seller's machine, offline, with the rule book
//! the server runs (R65), and releases them through `/api/v1` with an API token (R66).
//!
//! Exit codes: 0 done (every file valid), 1 rule violations or a refusal of what was sent
//! (a conflict, an unknown id), 2 a file that cannot be read, or the tool cannot go on (the
//! server cannot be reached, the token is refused, its budget is spent).

mod offline;
mod remote;

use clap::{Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser)]
#[command(name = "marketplace", version, about = "Check product files offline with the marketplace's rules, and release them through its API.")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

/// Where the API is and the token that opens it.
#[derive(clap::Args, Clone)]
pub struct Connection {
    /// The marketplace's address.
    #[arg(long = "server", env = "MARKETPLACE_URL", default_value = "http://127.0.0.1:3000")]
    pub server: String,
    /// An API token (Seller Console → API tokens).
    #[arg(long, env = "MARKETPLACE_TOKEN", hide_env_values = true)]
    pub token: Option<String>,
}

#[derive(Subcommand)]
enum Command {
    /// Write an example product file with every field filled.
    Init {
        #[arg(default_value = "product.json")]
        file: PathBuf,
        /// Replace the file if it exists.
        #[arg(long)]
        force: bool,
    },
    /// Print the product file's JSON Schema (for editors to complete and check fields).
    Schema,
    /// Check product files offline with the marketplace's rules.
    Validate {
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// One JSON object per file, for machines.
        #[arg(long)]
        json: bool,
    },
    /// List your private images, whether each can become an image asset, and your assets.
    Images {
        #[command(flatten)]
        connection: Connection,
    },
    /// Release a private image as an image asset.
    ReleaseAsset {
        image_id: String,
        #[command(flatten)]
        connection: Connection,
    },
    /// Your drafts.
    Drafts {
        #[command(subcommand)]
        action: remote::DraftAction,
        #[command(flatten)]
        connection: Connection,
    },
    /// Submit a product file for review; with --wait, follow the review until it is decided.
    Submit {
        file: PathBuf,
        #[arg(long)]
        wait: bool,
        /// An idempotency key, such as the pipeline's build id: the same key with the same file
        /// makes one request however often the step is retried (default: a new key each run).
        #[arg(long)]
        key: Option<String>,
        #[command(flatten)]
        connection: Connection,
    },
    /// A release request's status, timeline and review due date.
    Status {
        request_id: String,
        #[command(flatten)]
        connection: Connection,
    },
    /// Prices of a released product.
    Prices {
        #[command(subcommand)]
        action: remote::PriceAction,
        #[command(flatten)]
        connection: Connection,
    },
}

fn main() -> ExitCode {
    // Output piped into a reader that stops early (`marketplace drafts list | head`) ends
    // the tool quietly, as it ends `ls` or `cat`; Rust ignores SIGPIPE, so each print would
    // panic with a backtrace instead.
    #[cfg(unix)]
    // SAFETY: restores the default action of one signal, before any thread is started.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
    let cli = Cli::parse();
    let code = match cli.command {
        Command::Init { file, force } => offline::init(&file, force),
        Command::Schema => offline::schema(),
        Command::Validate { files, json } => offline::validate(&files, json),
        Command::Images { connection } => remote::run(&connection, remote::images),
        Command::ReleaseAsset { image_id, connection } => remote::run(&connection, |api| remote::release_asset(api, &image_id)),
        Command::Drafts { action, connection } => remote::run(&connection, |api| remote::drafts(api, &action)),
        Command::Submit { file, wait, key, connection } => remote::run(&connection, |api| remote::submit(api, &file, wait, key.as_deref())),
        Command::Status { request_id, connection } => remote::run(&connection, |api| remote::status(api, &request_id)),
        Command::Prices { action, connection } => remote::run(&connection, |api| remote::prices(api, &action)),
    };
    ExitCode::from(code)
}
