//! One tool: its input struct, its output type, its static definition and its
//! `toolsmith::Tool` impl.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use toolsmith_catalog::{Tool, Toolkit};

use crate::docs::doc_attrs;
use crate::names::pascal;
use crate::types::{Mode, Module, TypeSpace};

/// What one tool contributes to its toolkit's module.
pub(crate) struct GeneratedTool {
    /// Type definitions: the input struct, the output type, and what they use.
    pub items: Vec<TokenStream>,
    /// The `ToolDefinition` literal (an element of the module's `DEFINITIONS`).
    pub definition: TokenStream,
    /// The `impl ::toolsmith::Tool` block; `index` is the tool's place in `DEFINITIONS`.
    pub tool_impl: TokenStream,
    /// The input type, which implements `Tool`.
    pub ident: proc_macro2::Ident,
}

/// The Rust type name of a tool: its slug without the toolkit prefix, in Pascal case
/// (`GITHUB_CREATE_ISSUE` → `CreateIssue`).
pub(crate) fn type_name(toolkit: &Toolkit, tool: &Tool) -> String {
    let prefix = toolkit.slug.tool_prefix();
    let rest = tool.slug.as_str().strip_prefix(&prefix).unwrap_or(tool.slug.as_str());
    pascal(rest, "Tool")
}

pub(crate) fn generate(toolkit: &Toolkit, tool: &Tool, index: usize, module: &mut Module) -> GeneratedTool {
    let name = module.scope.claim(type_name(toolkit, tool));
    let output_name = module.scope.claim(format!("{name}Output"));
    let input_schema = tool.input.json_schema();

    let mut items = Vec::new();
    let mut input = TypeSpace::new(Mode::Input, &input_schema, &toolkit.definitions, module);
    input.convert_root(&name);
    let mut input_items = std::mem::take(&mut input.items);
    // The root struct's docs are the tool's description.
    if let Some(root) = input_items.first_mut() {
        let docs = doc_attrs(&tool.description, &tool.name);
        let title = format!(" {} (`{}`).", tool.name.trim_end_matches('.'), tool.slug);
        *root = quote! { #[doc = #title] #[doc = ""] #docs #root };
    }
    items.extend(input_items);

    let output = match &tool.output {
        Some(schema) => {
            let mut space = TypeSpace::new(Mode::Output, schema, &toolkit.definitions, module);
            space.convert_root(&output_name);
            let out_items = std::mem::take(&mut space.items);
            items.extend(out_items);
            format_ident!("{output_name}")
        }
        None => {
            let ident = format_ident!("{output_name}");
            let doc = format!(" What `{}` returns: the API's JSON response.", tool.slug);
            items.push(quote! { #[doc = #doc] pub type #ident = ::toolsmith::serde_json::Value; });
            ident
        }
    };

    let ident = format_ident!("{name}");
    let index = proc_macro2::Literal::usize_unsuffixed(index);
    let slug = tool.slug.as_str();
    let toolkit_slug = toolkit.slug.as_str();
    let tool_name = tool.name.as_str();
    let description = tool.description.trim();
    let tags: Vec<&str> = tool.tags.iter().map(|t| t.as_str()).collect();
    let method = tool.http.method.as_str();
    let path = tool.http.path.as_str();
    let definition = quote! {
        ::toolsmith::ToolDefinition {
            slug: #slug,
            toolkit: #toolkit_slug,
            name: #tool_name,
            description: ::std::borrow::Cow::Borrowed(#description),
            schemas: ::toolsmith::Schemas::Compiled { toolkit: &TOOLKIT, index: #index },
            tags: &[#(#tags),*],
            http: ::std::option::Option::Some(::toolsmith::HttpBinding { method: #method, path: #path }),
            local: ::std::option::Option::None,
        }
    };
    let tool_impl = quote! {
        impl ::toolsmith::Tool for #ident {
            const SLUG: &'static str = #slug;
            const TOOLKIT: &'static str = #toolkit_slug;
            type Output = #output;

            fn definition() -> &'static ::toolsmith::ToolDefinition {
                &DEFINITIONS[#index]
            }
        }
    };
    GeneratedTool { items, definition, tool_impl, ident }
}
