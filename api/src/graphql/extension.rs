//! Finishes every GraphQL error the same way, wherever it came from: a stable `extensions.code`
//! (parse and validation failures get theirs here), the message in the caller's language, and
//! the request id. It also tells the HTTP layer which operation ran ([`OperationName`]), for the
//! metrics.

use std::{
    any::{Any, TypeId},
    sync::{Arc, OnceLock},
};

use async_graphql::{
    Request, Response, ServerError, ServerResult, ValidationResult, Value, Variables,
    extensions::{
        Extension, ExtensionContext, ExtensionFactory, NextExecute, NextParseQuery,
        NextPrepareRequest, NextRequest, NextValidation,
    },
    parser::types::ExecutableDocument,
};

use crate::error::{ErrorCode, MESSAGE_EN_KEY};

/// Language of the messages of one request, from `Accept-Language`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Locale {
    /// Vietnamese (default).
    #[default]
    Vi,
    /// English.
    En,
}

impl Locale {
    /// Picks the preferred of Vietnamese and English from an `Accept-Language` header
    /// (`en-US,en;q=0.9`, `vi;q=0.5, en;q=0.8`); Vietnamese when neither is named or on a tie.
    pub fn from_accept_language(header: Option<&str>) -> Self {
        let mut best = (Locale::Vi, 0.0_f32);
        for part in header.unwrap_or_default().split(',') {
            let mut pieces = part.split(';');
            let tag = pieces
                .next()
                .unwrap_or_default()
                .trim()
                .to_ascii_lowercase();
            let quality = pieces
                .find_map(|p| {
                    p.trim()
                        .strip_prefix("q=")
                        .and_then(|q| q.parse::<f32>().ok())
                })
                .unwrap_or(1.0);
            let locale = if tag == "en" || tag.starts_with("en-") {
                Locale::En
            } else if tag == "vi" || tag.starts_with("vi-") {
                Locale::Vi
            } else {
                continue;
            };
            if quality > best.1 {
                best = (locale, quality);
            }
        }
        best.0
    }
}

/// The request id of the HTTP request a GraphQL request came in.
#[derive(Clone, Debug)]
pub struct RequestId(pub String);

/// Where the name of the operation a request executes is written (request data), once the
/// document is parsed; empty for an anonymous operation or a document that never ran.
#[derive(Clone, Debug, Default)]
pub struct OperationName(pub Arc<OnceLock<String>>);

/// The extension factory to register on the schema.
pub struct ErrorShaping;

impl ExtensionFactory for ErrorShaping {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(ErrorShapingExtension::default())
    }
}

/// One instance per request. The request's data is not reachable from the `request` hook (it
/// runs before the request is prepared), so `prepare_request` copies what is needed here.
#[derive(Default)]
struct ErrorShapingExtension {
    locale: OnceLock<Locale>,
    request_id: OnceLock<String>,
    operation_name: OnceLock<OperationName>,
}

fn request_data<T: Any + Clone>(request: &Request) -> Option<T> {
    request
        .data
        .get(&TypeId::of::<T>())
        .and_then(|value| value.downcast_ref::<T>())
        .cloned()
}

fn set_code(error: &mut ServerError, code: ErrorCode) {
    error
        .extensions
        .get_or_insert_with(Default::default)
        .set("code", code.as_str());
}

fn has_code(error: &ServerError) -> bool {
    error
        .extensions
        .as_ref()
        .and_then(|e| e.get("code"))
        .is_some()
}

#[async_trait::async_trait]
impl Extension for ErrorShapingExtension {
    async fn request(&self, ctx: &ExtensionContext<'_>, next: NextRequest<'_>) -> Response {
        let mut response = next.run(ctx).await;
        let locale = self.locale.get().copied().unwrap_or_default();
        let request_id = self.request_id.get();
        for error in &mut response.errors {
            if !has_code(error) {
                // Our resolvers always set a code; what arrives without one is async-graphql
                // refusing an argument value at execution time.
                set_code(error, ErrorCode::BadUserInput);
            }
            let extensions = error.extensions.get_or_insert_with(Default::default);
            if let Some(Value::String(english)) = extensions.get(MESSAGE_EN_KEY).cloned() {
                if locale == Locale::En {
                    error.message = english;
                }
                extensions.unset(MESSAGE_EN_KEY);
            }
            if let Some(id) = &request_id {
                extensions.set("requestId", id.as_str());
            }
        }
        response
    }

    async fn prepare_request(
        &self,
        ctx: &ExtensionContext<'_>,
        request: Request,
        next: NextPrepareRequest<'_>,
    ) -> ServerResult<Request> {
        if let Some(locale) = request_data::<Locale>(&request) {
            let _ = self.locale.set(locale);
        }
        if let Some(RequestId(id)) = request_data::<RequestId>(&request) {
            let _ = self.request_id.set(id);
        }
        if let Some(slot) = request_data::<OperationName>(&request) {
            let _ = self.operation_name.set(slot);
        }
        next.run(ctx, request).await
    }

    async fn execute(
        &self,
        ctx: &ExtensionContext<'_>,
        operation_name: Option<&str>,
        next: NextExecute<'_>,
    ) -> Response {
        if let (Some(slot), Some(name)) = (self.operation_name.get(), operation_name) {
            let _ = slot.0.set(name.to_owned());
        }
        next.run(ctx, operation_name).await
    }

    async fn parse_query(
        &self,
        ctx: &ExtensionContext<'_>,
        query: &str,
        variables: &Variables,
        next: NextParseQuery<'_>,
    ) -> ServerResult<ExecutableDocument> {
        next.run(ctx, query, variables).await.map_err(|mut error| {
            // The parser's recursion guard trips on absurdly deep documents: that is a limit.
            let code = if error.message.contains("recursion depth") {
                ErrorCode::QueryTooComplex
            } else {
                ErrorCode::GraphqlParseFailed
            };
            set_code(&mut error, code);
            error
        })
    }

    async fn validation(
        &self,
        ctx: &ExtensionContext<'_>,
        next: NextValidation<'_>,
    ) -> Result<ValidationResult, Vec<ServerError>> {
        next.run(ctx).await.map_err(|mut errors| {
            for error in &mut errors {
                let code = if error.message == "Query is too complex."
                    || error.message == "Query is nested too deep."
                {
                    ErrorCode::QueryTooComplex
                } else {
                    ErrorCode::GraphqlValidationFailed
                };
                set_code(error, code);
            }
            errors
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accept_language_picks_the_preferred_supported_language() {
        assert_eq!(Locale::from_accept_language(None), Locale::Vi);
        assert_eq!(Locale::from_accept_language(Some("en")), Locale::En);
        assert_eq!(
            Locale::from_accept_language(Some("en-US,en;q=0.9")),
            Locale::En
        );
        assert_eq!(
            Locale::from_accept_language(Some("vi;q=0.9, en;q=0.8")),
            Locale::Vi
        );
        assert_eq!(
            Locale::from_accept_language(Some("fr, en;q=0.5")),
            Locale::En
        );
        assert_eq!(Locale::from_accept_language(Some("fr")), Locale::Vi);
    }
}
