//! `armario admin set-password`, `login-link` and `reset-mfa`: account recovery from the
//! server's console. Both open the data directory like every other command, so they refuse to
//! run without the master key the same way.

use crate::app;
use crate::config::Settings;
use crate::crypto::SecretString;
use crate::service::recovery;

pub async fn set_password(
    settings: Settings,
    email: &str,
    password: SecretString,
) -> Result<(), String> {
    crate::crypto::password::validate("password", &password).map_err(|e| e.to_string())?;
    let (state, operator) = app::open_as_operator(settings).await?;
    let result = recovery::set_password_as_operator(
        &operator,
        &state.store,
        &state.passwords,
        email,
        &password,
    )
    .await;
    state.store.close().await;
    let user = result.map_err(|e| e.to_string())?;
    println!(
        "password set for {} ({}); their sessions were revoked",
        user.email, user.id
    );
    Ok(())
}

pub async fn login_link(settings: Settings, email: &str) -> Result<(), String> {
    let base = settings
        .public_url
        .clone()
        .unwrap_or_else(|| format!("http://{}", settings.addr));
    let (state, operator) = app::open_as_operator(settings).await?;
    let result = recovery::issue_login_link(&operator, &state.store, email).await;
    state.store.close().await;
    let (user, token) = result.map_err(|e| e.to_string())?;
    let minutes = recovery::LOGIN_LINK_TTL_MS / 60_000;
    eprintln!(
        "one-time sign-in link for {} ({}), valid {minutes} minutes:",
        user.email, user.id
    );
    println!("{base}/admin/link#token={token}");
    Ok(())
}

/// `armario admin reset-mfa`: removes a user's second factor from the console.
pub async fn reset_mfa(settings: Settings, email: &str) -> Result<(), String> {
    let (state, operator) = app::open_as_operator(settings).await?;
    let result = crate::service::mfa_admin::reset_as_operator(&operator, &state.store, email).await;
    state.store.close().await;
    let user = result.map_err(|e| e.to_string())?;
    println!(
        "two-factor sign-in reset for {} ({}); they sign in with their password alone",
        user.email, user.id
    );
    Ok(())
}
