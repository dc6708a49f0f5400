//! Rebuilds the server when a migration is added or changed: `sqlx::migrate!` embeds the
//! files of `migrations/` (database.rs), and cargo does not watch that folder by itself on
//! stable Rust, so a new migration alone left the old set in the binary.
fn main() {
    println!("cargo:rerun-if-changed=../migrations");
}
