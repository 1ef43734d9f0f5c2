//! `nanobanana credits`: the account's and this key's remaining and used credits.

use crate::connection::connect;
use crate::error::CliError;
use crate::output;
use crate::settings::Settings;

/// `nanobanana credits`.
pub async fn credits(settings: &Settings) -> Result<(), CliError> {
    let connection = connect(settings, false).await?;
    let client = connection.client.observe(crate::notices::retries_only());
    let credits = connection
        .query("the credit balance", &connection.base_url, client.credits())
        .await?;
    if settings.json {
        return output::print_json(&credits);
    }
    let mut out = String::new();
    let show = |v: Option<f64>| v.map(|v| format!("{v}")).unwrap_or_else(|| "?".into());
    if let Some(user) = &credits.data.user {
        out.push_str(&format!(
            "account: {} credits remaining, {} used\n",
            show(user.remaining_credits),
            show(user.used_credits)
        ));
    }
    if let Some(token) = &credits.data.token {
        let limit = if token.unlimited_credits == Some(true) {
            " (unlimited)"
        } else {
            ""
        };
        out.push_str(&format!(
            "this key: {} credits remaining{limit}, {} used\n",
            show(token.remaining_credits),
            show(token.used_credits)
        ));
    }
    output::print(&out)
}
