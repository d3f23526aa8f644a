//! `armario keys rotate` and `keys rotate-signing`: the operator's side of a master key
//! rotation and of an OpenID signing key rotation.

use std::path::Path;

use crate::access::Operator;
use crate::config::Settings;
use crate::crypto::MasterKey;
use crate::datadir;
use crate::service::keys;

fn load_or_create(path: &Path) -> Result<MasterKey, String> {
    if path.exists() {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        MasterKey::parse(&text).map_err(|e| format!("{}: {e}", path.display()))
    } else {
        MasterKey::write_new_file(path).map_err(|e| format!("cannot write {}: {e}", path.display()))
    }
}

pub async fn rotate(settings: Settings, new_key_file: &Path) -> Result<(), String> {
    // The current key first: without it nothing can be re-sealed, and nothing is written.
    let current = datadir::master_key(&settings)?;
    datadir::ensure(&settings.data_dir)?;
    let _lock = datadir::lock(&settings.data_dir)?;
    let new_key = load_or_create(new_key_file)?;
    let from_data_dir = settings.master_key.is_none();
    if current.id() == new_key.id() {
        return Err("the new key is the current key".into());
    }
    let operator = Operator::holding(&current);
    let state = crate::app::open_state(settings.clone())?;
    let count = keys::rotate(
        &operator,
        &state.store,
        &state.sealer,
        &new_key,
        current.id(),
    )
    .await
    .map_err(|e| format!("rotation stopped, nothing changed: {e}"))?;
    state.store.close().await;
    println!(
        "re-sealed {count} values under key {} (was {})",
        new_key.id(),
        current.id()
    );
    if from_data_dir {
        let key_path = settings.data_dir.join(datadir::KEY_FILE);
        let old_path =
            settings
                .data_dir
                .join(format!("{}.previous-{}", datadir::KEY_FILE, current.id()));
        std::fs::rename(&key_path, &old_path)
            .map_err(|e| format!("cannot move the old key aside: {e}"))?;
        std::fs::copy(new_key_file, &key_path)
            .map_err(|e| format!("cannot install the new key: {e}"))?;
        println!(
            "installed the new key in {}; the old one is {}",
            key_path.display(),
            old_path.display()
        );
    } else {
        println!("now set ARMARIO_MASTER_KEY (or ARMARIO_MASTER_KEY_FILE) to the new key before starting armario");
    }
    println!(
        "keep the old key: backups taken before now were sealed with it (key id {}) and need it to restore",
        current.id()
    );
    Ok(())
}

/// `armario keys rotate-signing`. Unlike a master key rotation it runs beside a live server:
/// one row is added and the others retired in one transaction, and the server reloads its keys
/// on its next check.
pub async fn rotate_signing(settings: Settings) -> Result<(), String> {
    let check_secs = settings.signing_key_check_secs;
    let (state, operator) = crate::app::open_as_operator(settings).await?;
    let result =
        crate::service::oidc::keys::rotate_as_operator(&operator, &state.store, &state.sealer)
            .await;
    state.store.close().await;
    let rotation = result.map_err(|e| format!("the signing key was not rotated: {e}"))?;
    println!("new signing key {}", rotation.kid);
    if rotation.retired > 0 {
        println!(
            "the previous key stops signing and stays published until {}",
            crate::clock::to_datetime(rotation.publish_until).to_rfc3339()
        );
    }
    eprintln!("a running server switches to the new key within {check_secs} seconds");
    Ok(())
}
