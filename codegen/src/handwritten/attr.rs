//! `#[toolsmith::tool]`: turns an async fn into a hand-written tool. The fn stays as
//! written; beside it come a struct of its arguments (`fn add` → `struct Add`), its
//! `Handler` impl (which calls the fn) and its `Tool` impl (shared with the derive).

use heck::{ToShoutySnakeCase, ToUpperCamelCase};
use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote, quote_spanned};
use syn::ext::IdentExt;
use syn::parse::Parser;
use syn::spanned::Spanned;
use syn::{Attribute, FnArg, GenericArgument, Ident, Item, ItemFn, Pat, PathArguments, ReturnType, Type};

use super::args::{Defaults, ToolArgs};
use super::ctxt::Ctxt;
use super::docs::Docs;
use super::emit::impl_tool;

/// Expands `#[toolsmith::tool(...)]`: `attr` is what the parentheses hold, `item` the
/// function.
///
/// ```
/// let attr = quote::quote!(slug = "MATH_ADD");
/// let item = quote::quote! {
///     /// Adds two numbers and returns their sum.
///     async fn add(a: f64, b: f64) -> Result<f64, toolsmith::Error> { Ok(a + b) }
/// };
/// let code = toolsmith_codegen::handwritten::tool_attribute(attr, item).unwrap().to_string();
/// assert!(code.contains("struct Add"));
/// assert!(code.contains("impl :: toolsmith :: Handler for Add"));
/// ```
pub fn tool_attribute(attr: TokenStream, item: TokenStream) -> syn::Result<TokenStream> {
    let mut func = match syn::parse2::<Item>(item)? {
        Item::Fn(func) => func,
        Item::Struct(s) => {
            return Err(syn::Error::new_spanned(
                &s.ident,
                "`#[toolsmith::tool]` goes on an `async fn`; for a struct, use `#[derive(toolsmith::Tool)]` and \
                 implement `toolsmith::Handler`",
            ))
        }
        other => return Err(syn::Error::new(other.span(), "`#[toolsmith::tool]` goes on an `async fn`")),
    };

    let mut cx = Ctxt::default();
    let mut args = ToolArgs::default();
    if let Err(e) = syn::meta::parser(|meta| args.parse_meta(meta, &mut cx)).parse2(attr) {
        cx.syn_error(e);
    }

    check_signature(&func, &mut cx);
    let context = context_param(&mut func, &mut cx);
    let fields = fields(&mut func, context.is_some(), &mut cx);
    let output = output_type(&func, &mut cx);
    // A mismatched error type is reported at the return type.
    let into_error = match &func.sig.output {
        ReturnType::Type(_, ty) => ty.span().resolved_at(Span::call_site()),
        ReturnType::Default => Span::call_site(),
    };
    let result = quote_spanned!(into_error=> ::std::result::Result::map_err(call.await, ::std::convert::Into::into));
    // `#[serde(...)]` and `#[schemars(...)]` on the fn are for the struct.
    let container_attrs = take_attrs(&mut func.attrs, |a| a.path().is_ident("serde") || a.path().is_ident("schemars"));

    let fn_name = func.sig.ident.unraw().to_string();
    let defaults = Defaults {
        ident: &func.sig.ident,
        slug: Some(fn_name.to_shouty_snake_case()),
        docs: Docs::from_attrs(&func.attrs),
        what: "function",
    };
    let resolved = args.resolve(&defaults, &mut cx);

    if let Err(errors) = cx.check() {
        let errors = errors.into_compile_error();
        return Ok(quote!(#func #errors));
    }
    let (Some(resolved), Some(output)) = (resolved, output) else {
        return Err(syn::Error::new_spanned(&func.sig.ident, "invalid `#[toolsmith::tool]`"));
    };

    let fn_ident = &func.sig.ident;
    let vis = &func.vis;
    let struct_ident = format_ident!("{}", fn_name.to_upper_camel_case(), span = fn_ident.span());
    let docs = func.attrs.iter().filter(|a| a.path().is_ident("doc"));
    let field_defs = fields.iter().map(|Field { attrs, ident, ty }| quote!(#(#attrs)* pub #ident: #ty));
    let call_args = fields
        .iter()
        .map(|Field { ident, ty, .. }| {
            quote_spanned!(ty.span().resolved_at(Span::call_site())=> ::std::clone::Clone::clone(&self.#ident))
        });
    let (cx_param, cx_arg) = match context {
        Some(Context::ByRef) => (quote!(cx), quote!(cx,)),
        Some(Context::ByValue) => (quote!(cx), quote!(*cx,)),
        None => (quote!(_cx), quote!()),
    };
    let tool_impl = impl_tool(&struct_ident, &resolved);

    Ok(quote! {
        #func

        #(#docs)*
        #[derive(
            ::std::clone::Clone,
            ::std::fmt::Debug,
            ::toolsmith::serde::Serialize,
            ::toolsmith::serde::Deserialize,
            ::toolsmith::schemars::JsonSchema,
        )]
        #[serde(crate = "::toolsmith::serde")]
        #[schemars(crate = "::toolsmith::schemars")]
        #(#container_attrs)*
        #vis struct #struct_ident {
            #(#field_defs,)*
        }

        #[automatically_derived]
        impl ::toolsmith::Handler for #struct_ident {
            type Output = #output;

            fn call(
                &self,
                #cx_param: &::toolsmith::Context<'_>,
            ) -> impl ::std::future::Future<Output = ::std::result::Result<Self::Output, ::toolsmith::Error>> + ::std::marker::Send {
                let call = #fn_ident(#cx_arg #(#call_args),*);
                async move { #result }
            }
        }

        #tool_impl
    })
}

/// An argument of the fn, which becomes a field of the struct.
struct Field {
    attrs: Vec<Attribute>,
    ident: Ident,
    ty: Type,
}

/// How the fn takes the `toolsmith::Context`, when it does.
#[derive(Clone, Copy)]
enum Context {
    ByRef,
    ByValue,
}

fn check_signature(func: &ItemFn, cx: &mut Ctxt) {
    let sig = &func.sig;
    if sig.asyncness.is_none() {
        cx.error(
            sig.fn_token,
            format!("`#[toolsmith::tool]` needs an `async fn`: write `async fn {}`", sig.ident.unraw()),
        );
    }
    if let Some(unsafety) = &sig.unsafety {
        cx.error(unsafety, "a tool function cannot be `unsafe`");
    }
    if let Some(abi) = &sig.abi {
        cx.error(abi, "a tool function cannot have an ABI");
    }
    if sig.generics.lt_token.is_some() || sig.generics.where_clause.is_some() {
        cx.error(&sig.generics, "a tool function cannot be generic: a tool has one slug and one schema");
    }
    if let Some(variadic) = &sig.variadic {
        cx.error(variadic, "a tool function cannot be variadic");
    }
}

/// Takes the first parameter when it is the context: `cx: &toolsmith::Context<'_>`.
fn context_param(func: &mut ItemFn, cx: &mut Ctxt) -> Option<Context> {
    for (i, input) in func.sig.inputs.iter().enumerate() {
        let FnArg::Typed(arg) = input else { continue };
        let Some(kind) = context_kind(&arg.ty) else { continue };
        if i == 0 {
            return Some(kind);
        }
        cx.error(&arg.ty, "the `toolsmith::Context` must be the first parameter of a tool function");
    }
    None
}

fn context_kind(ty: &Type) -> Option<Context> {
    match ty {
        Type::Reference(r) if is_context_path(&r.elem) => Some(Context::ByRef),
        ty if is_context_path(ty) => Some(Context::ByValue),
        _ => None,
    }
}

fn is_context_type(ty: &Type) -> bool {
    context_kind(ty).is_some()
}

fn is_context_path(ty: &Type) -> bool {
    matches!(ty, Type::Path(p) if p.qself.is_none() && p.path.segments.last().is_some_and(|s| s.ident == "Context"))
}

/// The arguments (every parameter but the context), checked, their attributes moved
/// to the struct's fields (lint attributes stay on the fn).
fn fields(func: &mut ItemFn, has_context: bool, cx: &mut Ctxt) -> Vec<Field> {
    let mut fields = Vec::new();
    for input in func.sig.inputs.iter_mut().skip(usize::from(has_context)) {
        let arg = match input {
            // Out of place: `context_param` said so.
            FnArg::Typed(arg) if is_context_type(&arg.ty) => continue,
            FnArg::Receiver(receiver) => {
                cx.error(
                    receiver,
                    "a tool function cannot take `self`: its parameters are the tool's arguments; for a tool with \
                     state, use `#[derive(toolsmith::Tool)]` on a struct and implement `toolsmith::Handler`",
                );
                continue;
            }
            FnArg::Typed(arg) => arg,
        };
        let attrs = take_attrs(&mut arg.attrs, |a| {
            !["allow", "warn", "deny", "forbid", "expect"].iter().any(|lint| a.path().is_ident(lint))
        });
        let ident = match &*arg.pat {
            Pat::Ident(p) if p.by_ref.is_none() && p.subpat.is_none() => p.ident.clone(),
            pat => {
                cx.error(
                    pat,
                    "a tool argument must be a plain name (`count: u32`): the name is the argument's name in the \
                     tool's JSON input",
                );
                continue;
            }
        };
        if let Some(problem) = borrowed(&arg.ty) {
            cx.error(&arg.ty, problem);
            continue;
        }
        fields.push(Field { attrs, ident, ty: (*arg.ty).clone() });
    }
    fields
}

/// Why a parameter type cannot be a field of a deserialized struct.
fn borrowed(ty: &Type) -> Option<&'static str> {
    match ty {
        Type::Reference(_) => Some(
            "a tool argument must be an owned type (`String`, not `&str`; `Vec<T>`, not `&[T]`): it is \
             deserialized from the JSON input",
        ),
        Type::ImplTrait(_) => Some("a tool argument cannot be `impl Trait`: it is deserialized from the JSON input"),
        Type::Paren(p) => borrowed(&p.elem),
        Type::Group(g) => borrowed(&g.elem),
        _ => None,
    }
}

/// `T` of `-> Result<T, E>`.
fn output_type(func: &ItemFn, cx: &mut Ctxt) -> Option<Type> {
    const MESSAGE: &str = "a tool function returns `Result<T, toolsmith::Error>` (or an error type that converts \
                           into `toolsmith::Error`), where `T` is the tool's output";
    let ty = match &func.sig.output {
        ReturnType::Type(_, ty) => ty,
        ReturnType::Default => {
            cx.error_at(func.sig.paren_token.span.join(), MESSAGE);
            return None;
        }
    };
    let ok = match &**ty {
        Type::Path(p) if p.qself.is_none() => p.path.segments.last().and_then(|last| match &last.arguments {
            PathArguments::AngleBracketed(args) if last.ident == "Result" && (1..=2).contains(&args.args.len()) => {
                match args.args.first() {
                    Some(GenericArgument::Type(ok)) => Some(ok.clone()),
                    _ => None,
                }
            }
            _ => None,
        }),
        _ => None,
    };
    if ok.is_none() {
        cx.error(ty, MESSAGE);
    }
    ok
}

/// Removes the attributes that `moved` selects from `attrs` and returns them.
fn take_attrs(attrs: &mut Vec<Attribute>, moved: impl Fn(&Attribute) -> bool) -> Vec<Attribute> {
    let (taken, kept) = std::mem::take(attrs).into_iter().partition(|a| moved(a));
    *attrs = kept;
    taken
}

#[cfg(test)]
mod tests {
    use quote::quote;

    use super::super::assert_contains_all;
    use super::tool_attribute;

    #[test]
    fn a_struct_of_the_arguments() {
        let item = quote! {
            /// Adds two numbers and returns their sum.
            async fn add_numbers(cx: &toolsmith::Context<'_>, a: f64, b: f64) -> Result<f64, toolsmith::Error> {
                Ok(a + b)
            }
        };
        let code = tool_attribute(quote!(toolkit = "math"), item).unwrap().to_string();
        assert_contains_all(
            &code,
            &[
                "struct AddNumbers { pub a : f64 , pub b : f64 , }",
                "type Output = f64 ;",
                "const SLUG : & 'static str = \"MATH_ADD_NUMBERS\"",
                "add_numbers (cx ,",
            ],
        );
    }

    #[test]
    fn the_fn_stays_when_the_arguments_are_wrong() {
        let item = quote! {
            /// Adds two numbers and returns their sum.
            fn add(a: &str) -> f64 { 0.0 }
        };
        let code = tool_attribute(quote!(slug = "add"), item).unwrap().to_string();
        assert!(code.starts_with("# [doc = r\" Adds two numbers and returns their sum.\"] fn add"), "{code}");
        assert_contains_all(
            &code,
            &[
                "needs an `async fn`",
                "must be an owned type",
                "returns `Result<T, toolsmith::Error>`",
                "tool slug `add` is not upper snake case",
            ],
        );
    }
}
