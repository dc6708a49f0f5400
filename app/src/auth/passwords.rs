//! Passwords: Argon2 hashes, checked on the hashing threads with memory kept per thread, and
//! the same cost for an unknown email as for a wrong password.

use super::{Account, Role};
use crate::error::AppError;
use crate::store::{new_id, now_ms, Context, Db};
use argon2::password_hash::{rand_core::OsRng, PasswordHash, PasswordHasher, SaltString};
use argon2::Argon2;

/// The account for `email` if `password` is its password. An unknown email costs the
/// same hashing work as a wrong password, so the two cannot be told apart.
pub async fn verify_credentials(db: &Db, email: &str, password: &str) -> Result<Account, AppError> {
    #[derive(sqlx::FromRow)]
    struct CredentialRow {
        #[sqlx(flatten)]
        account: Account,
        password_hash: String,
    }
    let row: Option<CredentialRow> = sqlx::query_as(
        "SELECT id, email, display_name, role, password_hash FROM accounts WHERE lower(email) = lower($1)",
    )
    .bind(email)
    .fetch_optional(db)
    .await
    .context("looking up an account")?;
    // Only the address as the throttle knows it (`throttle::key`): another that the
    // database's `lower()` alone matches is an unknown account, at the same cost.
    let row = row.filter(|r| crate::throttle::key(&r.account.email) == crate::throttle::key(email));
    let (account, hash) = row.map(|r| (r.account, r.password_hash)).unzip();
    let matches = verify_password(hash, password.to_owned()).await?;
    match account {
        Some(account) if matches => Ok(account),
        _ => Err(AppError::InvalidCredentials),
    }
}

fn unknown_account_hash() -> &'static str {
    static HASH: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    HASH.get_or_init(|| hash_password_blocking("no account has this password"))
}

/// Whether `password` matches `hash`; with no hash (no such account), it is checked
/// against a hash nobody's password matches, at the same cost. Argon2 is deliberately
/// slow, so it runs off the async workers, on the hashing threads.
pub async fn verify_password(hash: Option<String>, password: String) -> Result<bool, AppError> {
    crate::throttle::on_hashing_thread(move || {
        let hash: &str = match hash.as_deref() {
            Some(hash) => hash,
            None => unknown_account_hash(),
        };
        verify_with_kept_memory(hash, password.as_bytes())
    })
    .await
}

thread_local! {
    /// The Argon2 memory (19 MiB) of one hashing thread, kept for the thread's life and
    /// used by every check it runs. Allocated and freed per check, the allocator kept
    /// what it was given: a storm of 256 sign-ins left a server at 390 MiB, with two
    /// checks at a time. Kept, it is a fixed 19 MiB per hashing thread.
    static ARGON2_MEMORY: std::cell::RefCell<Vec<argon2::Block>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// Whether `password` is the one `hash` (a PHC string) was made from, computed in this
/// thread's kept Argon2 memory. The comparison is constant-time (`password_hash::Output`).
fn verify_with_kept_memory(hash: &str, password: &[u8]) -> bool {
    use argon2::{Algorithm, Params, Version};
    let Ok(parsed) = PasswordHash::new(hash) else { return false };
    let (Ok(params), Ok(algorithm)) = (Params::try_from(&parsed), Algorithm::try_from(parsed.algorithm)) else {
        return false;
    };
    let version = match parsed.version.map(Version::try_from) {
        None => Version::default(),
        Some(Ok(version)) => version,
        Some(Err(_)) => return false,
    };
    let (Some(salt), Some(expected)) = (parsed.salt, parsed.hash) else { return false };
    let mut salt_bytes = [0u8; 64];
    let Ok(salt) = salt.decode_b64(&mut salt_bytes) else { return false };
    let mut out = vec![0u8; expected.len()];
    let blocks = params.block_count();
    let argon2 = Argon2::new(algorithm, version, params);
    let hashed = ARGON2_MEMORY.with(|memory| {
        let mut memory = memory.borrow_mut();
        if memory.len() < blocks {
            memory.resize(blocks, argon2::Block::default());
        }
        argon2.hash_password_into_with_memory(password, salt, &mut out, &mut memory[..blocks])
    });
    hashed.is_ok() && argon2::password_hash::Output::new(&out).is_ok_and(|out| out == expected)
}

pub fn hash_password_blocking(password: &str) -> String {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .expect("argon2 hashing with default parameters cannot fail")
}

/// Creates an account with a hashed password (demo data, tests, operator tooling).
pub async fn create_account(
    db: &Db,
    email: &str,
    display_name: &str,
    role: Role,
    password: &str,
) -> Result<Account, AppError> {
    let password = password.to_owned();
    let hash = crate::throttle::on_hashing_thread(move || hash_password_blocking(&password)).await?;
    let account = Account {
        id: new_id(),
        email: email.to_owned(),
        display_name: display_name.to_owned(),
        role,
    };
    sqlx::query(
        "INSERT INTO accounts (id, email, display_name, role, password_hash, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(&account.id)
    .bind(&account.email)
    .bind(&account.display_name)
    .bind(role.as_str())
    .bind(hash)
    .bind(now_ms())
    .execute(db)
    .await
    .context("creating an account")?;
    Ok(account)
}
