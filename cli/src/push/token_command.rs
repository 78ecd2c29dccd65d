//! `--token-command CMD`: a tenant's token from a command the user names (a secrets manager, a script that
//! refreshes Shopline's 10-hour tokens), run as `CMD TENANT` when the tenant's first request needs a token
//! and again whenever the platform refuses it (the library's [`TokenProvider`]).
//!
//! The command is run directly, not through a shell: `CMD` is split at spaces into the program and its first
//! arguments, and the tenant (a store handle, an account id) is the last argument, never interpreted. Its
//! standard output, trimmed, is the token; its standard error goes to ours (its own messages); a non-zero exit,
//! an empty output or no answer within the time limit is an error naming the command and the tenant, never
//! the output.

use std::process::Stdio;
use std::time::Duration;

use salesync::client::{Secret, TokenFuture, TokenProvider};

/// How long the command may take.
const TIME_LIMIT: Duration = Duration::from_secs(60);

/// The command, as given.
#[derive(Debug, Clone)]
pub struct TokenCommand {
    program: String,
    args: Vec<String>,
}

impl TokenCommand {
    /// Splits `CMD` at spaces.
    ///
    /// # Errors
    ///
    /// `CMD` is blank.
    pub fn parse(command: &str) -> Result<TokenCommand, String> {
        let mut words = command.split_whitespace().map(str::to_owned);
        let program = words
            .next()
            .ok_or("--token-command is empty: name the program that prints a tenant's token")?;
        Ok(TokenCommand {
            program,
            args: words.collect(),
        })
    }

    /// The provider of `tenant`'s token.
    pub fn for_tenant(&self, tenant: &str) -> CommandToken {
        CommandToken {
            command: self.clone(),
            tenant: tenant.to_owned(),
            time_limit: TIME_LIMIT,
        }
    }
}

/// One tenant's token, from the command.
#[derive(Debug)]
pub struct CommandToken {
    command: TokenCommand,
    tenant: String,
    time_limit: Duration,
}

impl CommandToken {
    async fn run(&self) -> Result<Secret, String> {
        let program = &self.command.program;
        let tenant = &self.tenant;
        let mut command = tokio::process::Command::new(program);
        command
            .args(&self.command.args)
            .arg(tenant)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .kill_on_drop(true);
        let what = format!("the token command `{program}` for tenant `{tenant}`");
        let output = tokio::time::timeout(self.time_limit, command.output())
            .await
            .map_err(|_| {
                format!(
                    "{what} gave no answer within {} s",
                    self.time_limit.as_secs()
                )
            })?
            .map_err(|err| format!("{what} cannot be run: {err}"))?;
        if !output.status.success() {
            return Err(format!("{what} failed ({})", output.status));
        }
        let text = String::from_utf8(output.stdout)
            .map_err(|_| format!("{what} printed something that is not UTF-8 text"))?;
        let token = text.trim();
        if token.is_empty() {
            return Err(format!("{what} printed no token"));
        }
        Ok(Secret::new(token))
    }
}

impl TokenProvider for CommandToken {
    fn token(&self) -> TokenFuture<'_> {
        Box::pin(async move { self.run().await.map_err(Into::into) })
    }
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    fn token(command: &str, tenant: &str) -> Result<String, String> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let provider = TokenCommand::parse(command).unwrap().for_tenant(tenant);
        runtime
            .block_on(provider.token())
            .map(|secret| secret.expose().to_owned())
            .map_err(|err| err.to_string())
    }

    #[test]
    fn the_tenant_is_the_last_argument_and_stdout_the_token() {
        assert_eq!(token("echo token-of", "shop-1").unwrap(), "token-of shop-1");
        // Never interpreted by a shell.
        assert_eq!(token("echo", "$(id); x").unwrap(), "$(id); x");
        assert!(TokenCommand::parse("  ").is_err());
    }

    #[test]
    fn failures_name_the_command_and_tenant_not_the_output() {
        let err = token("false", "shop-1").unwrap_err();
        assert!(err.contains("`false` for tenant `shop-1` failed"), "{err}");
        let err = token("true", "shop-1").unwrap_err();
        assert!(err.contains("printed no token"), "{err}");
        let err = token("/nonexistent/salesync-token", "shop-1").unwrap_err();
        assert!(err.contains("cannot be run"), "{err}");
        let mut slow = TokenCommand::parse("sleep").unwrap().for_tenant("5");
        slow.time_limit = Duration::from_millis(50);
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let err = runtime.block_on(slow.run()).unwrap_err();
        assert!(err.contains("no answer"), "{err}");
    }
}
