//! The whole built-in catalog rendered for every provider, strict and not: every
//! rendered tool passes the lint. `cargo test -p toolsmith-providers --test catalog --
//! --nocapture` prints the counts and the fallbacks per provider.

#![allow(clippy::unwrap_used)]

mod common;

use toolsmith_providers::{lint, render, Provider, RenderOptions};

#[test]
fn every_catalog_tool_renders_lint_clean_for_every_provider() {
    let tools = common::catalog();
    assert_eq!(tools.len(), toolsmith_builtin::tool_count());
    let mut failures = Vec::new();
    for provider in Provider::ALL {
        for strict in [false, true] {
            let options = RenderOptions { strict: Some(strict) };
            // Anthropic compiles at most 20 strict tools per request: render requests of 20.
            let rendered = if provider == Provider::Anthropic && strict {
                let mut all = render(provider, &[], &options);
                for chunk in tools.chunks(20) {
                    let part = render(provider, chunk, &options);
                    all.tools.extend(part.tools);
                    all.fallbacks.extend(part.fallbacks);
                }
                all
            } else {
                render(provider, &tools, &options)
            };
            assert_eq!(rendered.tools.len(), tools.len());
            let mut issues = 0;
            for (tool, value) in tools.iter().zip(&rendered.tools) {
                for issue in lint(provider, value) {
                    issues += 1;
                    if failures.len() < 40 {
                        failures.push(format!("{provider} strict={strict} {}: {issue}", tool.name));
                    }
                }
            }
            println!(
                "{provider:<16} strict={strict:<5} {} tools, {issues} lint issues, {} fallbacks",
                rendered.tools.len(),
                rendered.fallbacks.len()
            );
            let mut reasons = std::collections::BTreeMap::<String, usize>::new();
            for f in &rendered.fallbacks {
                let kind: String =
                    f.reason.split(" at ").next().unwrap_or(&f.reason).replace(|c: char| c.is_ascii_digit(), "#");
                *reasons.entry(kind).or_default() += 1;
            }
            for (reason, n) in reasons {
                println!("    {n:>5} × {reason}");
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
