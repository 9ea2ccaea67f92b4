//! One toolkit: a module with its tools, their definitions and the compiled toolkit.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use toolsmith_catalog::Toolkit;

use crate::docs::{doc_attrs, raw_str};
use crate::tool;
use crate::types::Module;

/// Names every toolkit module declares besides its types.
const RESERVED: &[&str] = &["TOOLKIT", "DEFINITIONS", "SPEC", "visit_tools"];

/// `pub mod <slug> { … }` for one toolkit.
pub(crate) fn generate(toolkit: &Toolkit, module: &str) -> TokenStream {
    let mut types_of_module = Module::with_reserved(RESERVED);
    let mut items = Vec::new();
    let mut definitions = Vec::new();
    let mut impls = Vec::new();
    let mut types = Vec::new();
    for (index, t) in toolkit.tools.iter().enumerate() {
        let generated = tool::generate(toolkit, t, index, &mut types_of_module);
        items.extend(generated.items);
        definitions.push(generated.definition);
        impls.push(generated.tool_impl);
        types.push(generated.ident);
    }
    let module = format_ident!("{module}");
    let slug = toolkit.slug.as_str();
    // The spec, as JSON: what the runtime needs to call the tools (base URL, auth,
    // parameter placement). Serializing a validated `Toolkit` cannot fail.
    let spec = raw_str(&serde_json::to_string(toolkit).unwrap_or_default());
    let count = proc_macro2::Literal::usize_unsuffixed(definitions.len());
    let docs = doc_attrs(&toolkit.description, &toolkit.name);
    let title = format!(" {} toolkit (`{slug}`, version {}).", toolkit.name, toolkit.version);
    quote! {
        #[doc = #title]
        #[doc = ""]
        #docs
        pub mod #module {
            /// This toolkit, compiled in: its spec and its tools' definitions.
            pub static TOOLKIT: ::toolsmith::CompiledToolkit = ::toolsmith::CompiledToolkit::new(#slug, SPEC, &DEFINITIONS);

            const SPEC: &str = #spec;

            static DEFINITIONS: [::toolsmith::ToolDefinition; #count] = [#(#definitions),*];

            /// Calls `visitor.visit::<T>()` for each tool type of this toolkit.
            pub fn visit_tools<V: ::toolsmith::ToolVisitor>(visitor: &mut V) {
                #(visitor.visit::<#types>();)*
            }

            #(#items)*

            #(#impls)*
        }
    }
}
