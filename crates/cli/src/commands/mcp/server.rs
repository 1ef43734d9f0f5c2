//! The protocol handler: who the server is, its instructions, its tools, and each call sent to
//! its tool with arguments checked against the tool's schema (a mistake is an `isError` answer
//! naming the argument, which an agent reads, rather than a protocol error it may not).

use std::path::{Path, PathBuf};
use std::sync::Arc;

use nanobanana_api::NanoBanana;
use rmcp::model::{
    CallToolRequestParams, CallToolResponse, CallToolResult, Implementation, ListToolsResult,
    PaginatedRequestParams, ServerCapabilities, ServerConfig, Tool,
};
use rmcp::service::RequestContext;
use rmcp::{ErrorData, RoleServer, ServerHandler};
use serde::de::DeserializeOwned;

use super::answer::{self, refused};
use super::instructions::{self, Mode};
use super::schema::{self, NoArgs};
use super::session::Session;
use super::{generate, tools};
use crate::connection::Connection;

/// What every call shares.
pub struct State {
    /// The SDK client, and the embedded sandbox it talks to when there is no key.
    pub connection: Connection,
    /// Where requests go, for every answer.
    pub mode: Mode,
    /// Where images go when a call names no folder (absolute).
    pub output_dir: PathBuf,
    /// Tasks created and idempotency keys.
    pub session: Session,
}

impl State {
    /// The SDK client.
    pub fn client(&self) -> &NanoBanana {
        &self.connection.client
    }

    /// The folder a call asks for (relative to the server's directory), or the default one.
    pub fn output_dir_for(&self, asked: Option<&str>) -> PathBuf {
        match asked.map(str::trim).filter(|a| !a.is_empty()) {
            Some(dir) => std::path::absolute(dir).unwrap_or_else(|_| PathBuf::from(dir)),
            None => self.output_dir.clone(),
        }
    }
}

/// The MCP server of `nanobanana mcp`.
#[derive(Clone)]
pub struct Server {
    state: Arc<State>,
    tools: Arc<Vec<Tool>>,
}

impl Server {
    /// A server sending requests through `connection`, saving images in `output_dir` by
    /// default. One-answer queries give up after `--timeout` (`Connection::query`).
    pub fn new(connection: Connection, output_dir: PathBuf) -> Self {
        let mode = match &connection.sandbox {
            Some(_) => Mode::Sandbox {
                base_url: connection.base_url.clone(),
            },
            None => Mode::Api {
                base_url: connection.base_url.clone(),
            },
        };
        Self {
            state: Arc::new(State {
                connection,
                mode,
                output_dir,
                session: Session::default(),
            }),
            tools: Arc::new(schema::tools()),
        }
    }

    /// Where requests go.
    pub fn mode(&self) -> &Mode {
        &self.state.mode
    }

    /// Where images go by default.
    pub fn output_dir(&self) -> &Path {
        &self.state.output_dir
    }

    /// Runs tool `name` with `arguments`.
    async fn call(
        &self,
        name: &str,
        arguments: Option<rmcp::model::JsonObject>,
        context: RequestContext<RoleServer>,
    ) -> Result<CallToolResult, ErrorData> {
        let state = &*self.state;
        let result = match name {
            "generate_image" => match parse(arguments) {
                Ok(args) => generate::generate_image(state, args, context).await,
                Err(refused) => refused.answer(state),
            },
            "get_task" => match parse(arguments) {
                Ok(args) => tools::get_task(state, args).await,
                Err(refused) => refused.answer(state),
            },
            "wait_task" => match parse(arguments) {
                Ok(args) => tools::wait_task(state, args, context).await,
                Err(refused) => refused.answer(state),
            },
            "list_tasks" => match parse(arguments) {
                Ok(args) => tools::list_tasks(state, args).await,
                Err(refused) => refused.answer(state),
            },
            "list_models" => match parse::<NoArgs>(arguments) {
                Ok(_) => tools::list_models(state),
                Err(refused) => refused.answer(state),
            },
            "credits" => match parse::<NoArgs>(arguments) {
                Ok(_) => tools::credits(state).await,
                Err(refused) => refused.answer(state),
            },
            "files_quota" => match parse::<NoArgs>(arguments) {
                Ok(_) => tools::files_quota(state).await,
                Err(refused) => refused.answer(state),
            },
            other => {
                return Err(ErrorData::invalid_params(
                    format!(
                        "no tool `{other}`; this server has {} (tools/list describes them)",
                        self.tools
                            .iter()
                            .map(|t| t.name.as_ref())
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                    None,
                ))
            }
        };
        Ok(result)
    }
}

/// Arguments that do not fit the tool's schema.
struct BadArguments(String);

impl BadArguments {
    fn answer(self, state: &State) -> CallToolResult {
        answer::failure(
            &state.mode,
            &refused(
                "arguments",
                self.0,
                "the tool's input schema (tools/list); nothing was sent",
            ),
        )
    }
}

/// The arguments as the tool's type (none given: an empty object).
fn parse<T: DeserializeOwned>(
    arguments: Option<rmcp::model::JsonObject>,
) -> Result<T, BadArguments> {
    let value = serde_json::Value::Object(arguments.unwrap_or_default());
    serde_json::from_value(value).map_err(|e| BadArguments(e.to_string()))
}

impl ServerHandler for Server {
    fn get_info(&self) -> ServerConfig {
        ServerConfig::new(ServerCapabilities::builder().enable_tools().build())
            .with_server_info(
                Implementation::new("nanobanana", env!("CARGO_PKG_VERSION"))
                    .with_title("Nano Banana image generation (Evolink)"),
            )
            .with_instructions(instructions::text(&self.state.mode, &self.state.output_dir))
    }

    async fn list_tools(
        &self,
        _request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListToolsResult, ErrorData> {
        Ok(ListToolsResult::with_all_items(self.tools.to_vec()))
    }

    fn get_tool(&self, name: &str) -> Option<Tool> {
        self.tools.iter().find(|t| t.name == name).cloned()
    }

    async fn call_tool(
        &self,
        request: CallToolRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<CallToolResponse, ErrorData> {
        let name = request.name.to_string();
        self.call(&name, request.arguments, context)
            .await
            .map(CallToolResponse::from)
    }
}
