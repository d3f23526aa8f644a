use std::io::{IsTerminal, Read};
use std::process::ExitCode;

use clap::Parser;

use armario::app;
use armario::cli::{AdminCommand, AuditCommand, BackupCommand, Cli, Command, KeysCommand};
use armario::config::{LogFormat, Settings};
use armario::crypto::SecretString;
use armario::service::setup;

fn main() -> ExitCode {
    armario::heap::bound();
    let sqlite_configured = armario::db::engine::configure();
    let cli = Cli::parse();
    let addr = match &cli.command {
        Command::Serve { addr } => addr.clone(),
        _ => None,
    };
    let settings = match Settings::load(&cli.global.overrides(addr), std::env::vars()) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("armario: {e}");
            return ExitCode::from(2);
        }
    };
    app::init_tracing(settings.log_format);
    if !sqlite_configured {
        tracing::warn!("SQLite refused its process-wide options (memory statistics off, statement journals in memory); it runs slower and writes statement journals past 64 KiB to temporary files");
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("tokio runtime");
    let result = runtime.block_on(run(cli.command, settings));
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("armario: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn run(command: Command, settings: Settings) -> Result<(), String> {
    match command {
        Command::Serve { .. } => app::serve(settings).await,
        Command::Openapi => {
            let state = openapi_state(settings)?;
            println!("{}", armario::api::spec_json(&state));
            Ok(())
        }
        Command::Backup { command } => match command {
            BackupCommand::Now { verify } => armario::backup_cli::now(settings, verify).await,
            BackupCommand::List => armario::backup_cli::list(settings).await,
            BackupCommand::Verify {
                backup,
                master_key_file,
            } => armario::backup_cli::verify(settings, &backup, master_key_file.as_deref()).await,
        },
        Command::Restore {
            backup,
            to,
            master_key_file,
        } => {
            armario::backup_cli::restore(
                settings,
                &backup,
                to.as_deref(),
                master_key_file.as_deref(),
            )
            .await
        }
        Command::MigrateStore { from, to, ca_file } => {
            armario::store_move_cli::run(&from, &to, ca_file).await
        }
        Command::Keys {
            command: KeysCommand::Rotate { new_key_file },
        } => armario::keys_cli::rotate(settings, &new_key_file).await,
        Command::Keys {
            command: KeysCommand::RotateSigning,
        } => armario::keys_cli::rotate_signing(settings).await,
        Command::Audit {
            command:
                AuditCommand::Verify {
                    against,
                    master_key_file,
                },
        } => {
            armario::audit_cli::verify(settings, against.as_deref(), master_key_file.as_deref())
                .await
        }
        Command::Mail { command } => armario::mail_cli::run(settings, command).await,
        Command::Admin {
            command: AdminCommand::Create { email, name },
        } => {
            // Refuse a missing key before asking for a password that would then be thrown away.
            armario::datadir::master_key(&settings)?;
            let password = read_password()?;
            let name =
                name.unwrap_or_else(|| email.split('@').next().unwrap_or("owner").to_string());
            let input = setup::new_owner(&email, &name, password).map_err(|e| e.to_string())?;
            let (state, operator) = app::open_as_operator(settings).await?;
            let user =
                setup::create_owner_as_operator(&operator, &state.store, &state.passwords, input)
                    .await
                    .map_err(|e| e.to_string())?;
            state.store.close().await;
            println!("created owner {} ({})", user.email, user.id);
            Ok(())
        }
        Command::Admin {
            command: AdminCommand::SetPassword { email },
        } => {
            // Refuse a missing key before asking for a password that would then be thrown away.
            armario::datadir::master_key(&settings)?;
            let password = read_password()?;
            armario::admin_cli::set_password(settings, &email, password).await
        }
        Command::Admin {
            command: AdminCommand::LoginLink { email },
        } => armario::admin_cli::login_link(settings, &email).await,
        Command::Admin {
            command: AdminCommand::ResetMfa { email },
        } => armario::admin_cli::reset_mfa(settings, &email).await,
    }
}

/// The spec needs a state value but touches no data: use a throwaway store.
fn openapi_state(mut settings: Settings) -> Result<armario::service::AppState, String> {
    let dir = std::env::temp_dir().join(format!("armario-openapi-{}", std::process::id()));
    settings.data_dir = dir.clone();
    settings.master_key = Some(SecretString::new(
        armario::crypto::MasterKey::generate().to_base64(),
    ));
    settings.log_format = LogFormat::Text;
    let state = app::open_state(settings);
    let _ = std::fs::remove_dir_all(&dir);
    state
}

fn read_password() -> Result<SecretString, String> {
    if std::io::stdin().is_terminal() {
        let first = rpassword::prompt_password("Password: ").map_err(|e| e.to_string())?;
        let again = rpassword::prompt_password("Repeat password: ").map_err(|e| e.to_string())?;
        if first != again {
            return Err("the passwords do not match".into());
        }
        Ok(SecretString::new(first))
    } else {
        let mut text = String::new();
        std::io::stdin()
            .read_to_string(&mut text)
            .map_err(|e| e.to_string())?;
        let line = text.lines().next().unwrap_or("").to_string();
        Ok(SecretString::new(line))
    }
}
