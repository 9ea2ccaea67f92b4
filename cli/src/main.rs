//! `toolsmith`: the command line. A thin shell over the toolsmith crates.

mod account_ref;
mod accounts;
mod api_keys;
mod auth_configs;
mod bench;
mod bench_cluster;
mod bench_execute;
mod bench_generate;
mod bench_import;
mod bench_search;
mod bench_serve;
mod bench_session;
mod bench_startup;
mod bench_triggers;
mod bench_workbench;
mod catalog;
mod db;
mod execute;
mod export;
mod files;
mod generate;
mod home;
mod import;
mod import_out;
mod keys;
mod limit;
mod link;
mod logs;
mod out;
mod schema;
mod search;
mod serve;
mod tools;
mod trigger_deliveries;
mod trigger_listen;
mod triggers;
mod validate;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Toolkit catalog and tool runtime for AI agents.
#[derive(Parser)]
#[command(name = "toolsmith", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Check toolkit specs: syntax, unknown keys, slugs, paths, schemas, auth, provider rules.
    Validate(validate::Args),
    /// Import an API description as a toolkit.
    #[command(subcommand)]
    Import(import::Command),
    /// Generate typed Rust tools from specs.
    Generate(generate::Args),
    /// List or show the catalog's tools.
    #[command(subcommand)]
    Tools(tools::Command),
    /// Create, list, change and delete auth configs: how each toolkit authenticates in a
    /// project (its OAuth app, or the static scheme its accounts use).
    #[command(subcommand, name = "auth-configs")]
    AuthConfigs(auth_configs::Command),
    /// Connect, list and remove users' accounts (stored under TOOLSMITH_HOME, or in --database).
    Accounts {
        #[command(subcommand)]
        command: accounts::Command,
        #[command(flatten)]
        db: home::Database,
    },
    /// List trigger types; create, list, enable, disable and delete trigger instances.
    #[command(subcommand)]
    Triggers(triggers::Command),
    /// Run a tool for a user and print `{data, error, successful, log_id}`.
    Execute(execute::Args),
    /// Show the execution log.
    Logs(logs::Args),
    /// Create, list and revoke the API keys of `toolsmith serve`'s projects.
    ApiKeys {
        #[command(subcommand)]
        command: api_keys::Command,
        #[command(flatten)]
        db: home::Database,
    },
    /// Rotate the keys that encrypt secrets at rest.
    Keys {
        #[command(subcommand)]
        command: keys::Command,
        #[command(flatten)]
        db: home::Database,
    },
    /// Migrate the database's schema, or show it (PostgreSQL with --database, else the home's SQLite file).
    Db {
        #[command(subcommand)]
        command: db::Command,
        #[command(flatten)]
        db: home::Database,
    },
    /// Write (or check) the JSON Schemas of the spec format.
    Schema(schema::Args),
    /// Find the tools for a task, with the tools that produce the IDs they need.
    Search(search::Args),
    /// Serve the Composio-compatible REST API and MCP endpoints (SQLite under TOOLSMITH_HOME, or PostgreSQL with --database).
    Serve(serve::Args),
    /// Measure the hot paths.
    #[command(subcommand)]
    Bench(bench::Command),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Validate(args) => validate::run(args),
        Command::Generate(args) => generate::run(args),
        Command::Import(command) => import::run(command),
        Command::Tools(command) => tools::run(command),
        Command::Accounts { command, db } => accounts::run(command, &db),
        Command::AuthConfigs(command) => auth_configs::run(command),
        Command::Triggers(command) => triggers::run(command),
        Command::Execute(args) => execute::run(args),
        Command::Logs(args) => logs::run(args),
        Command::ApiKeys { command, db } => api_keys::run(command, &db),
        Command::Keys { command, db } => keys::run(command, &db),
        Command::Db { command, db } => db::run(command, &db),
        Command::Serve(args) => serve::run(args),
        Command::Schema(args) => schema::run(args),
        Command::Search(args) => search::run(args),
        Command::Bench(command) => bench::run(command),
    };
    out::flush();
    match result {
        Ok(code) => code,
        Err(report) => {
            eprintln!("{report:?}");
            ExitCode::from(1)
        }
    }
}
