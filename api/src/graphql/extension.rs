//! Finishes every GraphQL error the same way, wherever it came from: a stable `extensions.code`,
//! the message in the caller's language, and the request id. Errors raised by async-graphql
//! itself get their code from the stage that raised them, never from their English text: the
//! parser (`GRAPHQL_PARSE_FAILED`, or `QUERY_TOO_COMPLEX` for its nesting guard), validation
//! (`GRAPHQL_VALIDATION_FAILED`, or `BAD_USER_INPUT` when the offending argument holds a
//! variable: the client sent a wrong value), execution (`BAD_USER_INPUT`). The depth and cost
//! limits are checked here too, after validation has measured the document, and the cost is
//! charged to the caller's budget ([`super::budget`]). It also tells the HTTP layer which
//! operation ran and whether execution started ([`OperationName`]).
//!
//! Validation is done once for a query like one validated before: the same document,
//! operation and variables. Its result depends on nothing else (the schema is the process's
//! own), so the process keeps the measures of the last [`VALIDATED_CAPACITY`] queries that
//! passed ([`Kept`]), under the key the HTTP layer gives ([`ValidationKey`]); the limits and
//! the budget are applied to them at every request all the same. Such a query then runs
//! without this extension ([`super::schema::Lean`]), finished by [`finish`] as the `request`
//! hook finishes the others.

use std::{
    any::{Any, TypeId},
    collections::HashSet,
    sync::{Arc, Mutex, OnceLock},
};

use async_graphql::{
    Name, Pos, Positioned, Request, Response, ServerError, ServerResult, ValidationResult, Value,
    Variables,
    extensions::{
        Extension, ExtensionContext, ExtensionFactory, NextExecute, NextParseQuery,
        NextPrepareRequest, NextRequest, NextValidation,
    },
    parser::{
        parse_query,
        types::{Directive, ExecutableDocument, OperationType, Selection, SelectionSet},
    },
};
use async_graphql_value::Value as GqlValue;
use sha2::{Digest, Sha256};

use super::{
    budget::{Budgets, Charge},
    schema::Limits,
};
use crate::{
    auth::actor::Authentication,
    error::{AppError, ErrorCode, MESSAGE_EN_KEY, Msg},
};

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

/// Where the extension tells the HTTP layer about a request once it is done (request data):
/// the name of the operation executed (empty for an anonymous operation or a document that
/// never ran), and whether execution started at all (a document refused while parsing or
/// validating did not).
#[derive(Clone, Debug, Default)]
pub struct OperationName(pub Arc<OnceLock<String>>, pub Arc<OnceLock<()>>);

impl OperationName {
    /// Whether the document got as far as execution.
    pub fn executed(&self) -> bool {
        self.1.get().is_some()
    }
}

/// Most validated queries whose measures the process keeps; the least recently used goes
/// first.
pub const VALIDATED_CAPACITY: usize = 4_096;

/// The measures of the queries that passed validation, by their key.
type Validated = lru::LruCache<ValidationKey, ValidationResult>;

/// The extension factory to register on the schema, with the limits it enforces.
pub struct ErrorShaping {
    kept: Kept,
}

impl ErrorShaping {
    /// The extension, enforcing `limits`.
    pub fn new(limits: Limits) -> Self {
        let capacity =
            std::num::NonZeroUsize::new(VALIDATED_CAPACITY).unwrap_or(std::num::NonZeroUsize::MIN);
        Self {
            kept: Kept {
                limits,
                validated: Arc::new(Mutex::new(lru::LruCache::new(capacity))),
            },
        }
    }

    /// The queries this extension validated, shared with it.
    pub fn kept(&self) -> Kept {
        self.kept.clone()
    }
}

/// The measures of the queries that passed validation, and the limits they are held to: what
/// a query like one validated before needs to run without the extension
/// ([`super::schema::Lean`]).
#[derive(Clone)]
pub struct Kept {
    limits: Limits,
    validated: Arc<Mutex<Validated>>,
}

impl Kept {
    fn validated(&self) -> std::sync::MutexGuard<'_, Validated> {
        self.validated
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The measures of a query like one validated before.
    pub fn measures(&self, key: ValidationKey) -> Option<ValidationResult> {
        self.validated().get(&key).copied()
    }

    /// Keeps the measures of a query that passed validation.
    fn keep(&self, key: ValidationKey, result: ValidationResult) {
        self.validated().put(key, result);
    }

    /// The depth and cost limits, and the caller's budget, applied to a validated request;
    /// what the budget says goes to `charge`, refused or not.
    pub fn admit(
        &self,
        result: ValidationResult,
        budgets: Option<&Budgets>,
        authentication: Option<&Authentication>,
        charge: &OnceLock<Charge>,
    ) -> Result<ValidationResult, Vec<ServerError>> {
        let limits = self.limits;
        if result.depth > limits.depth {
            return Err(vec![limit_error(
                ErrorCode::QueryTooComplex,
                Msg::new(
                    format!(
                        "Truy vấn lồng quá sâu ({} tầng, tối đa {})",
                        result.depth, limits.depth
                    ),
                    format!(
                        "The query is nested too deep ({} levels, at most {})",
                        result.depth, limits.depth
                    ),
                ),
            )]);
        }
        if result.complexity > limits.complexity {
            return Err(vec![limit_error(
                ErrorCode::QueryTooComplex,
                Msg::new(
                    format!(
                        "Truy vấn quá tốn kém (chi phí {}, tối đa {}); hãy giảm first hoặc số trường",
                        result.complexity, limits.complexity
                    ),
                    format!(
                        "The query is too complex (cost {}, at most {}); lower first or select fewer fields",
                        result.complexity, limits.complexity
                    ),
                ),
            )]);
        }
        if let (Some(budgets), Some(Authentication::Actor(actor))) = (budgets, authentication) {
            let charged = budgets.charge(actor.id(), actor.role, result.complexity);
            if charged.maximum > 0 {
                let _ = charge.set(charged.clone());
            }
            if let Some(retry_after_secs) = charged.retry_after_secs {
                let error: async_graphql::Error = AppError::RateLimited { retry_after_secs }.into();
                return Err(vec![error.into_server_error(Pos::default())]);
            }
        }
        Ok(result)
    }
}

/// Finishes a response's errors (a code on each, the message in the caller's language, the
/// request id) and reports what the request cost.
pub fn finish(
    response: &mut Response,
    locale: Locale,
    request_id: Option<&str>,
    charge: Option<&Charge>,
) {
    for error in &mut response.errors {
        if !has_code(error) {
            // Our resolvers always set a code; what arrives without one is async-graphql
            // refusing an argument value at execution time.
            classify(
                error,
                ErrorCode::BadUserInput,
                "Giá trị đầu vào không hợp lệ",
            );
        }
        let extensions = error.extensions.get_or_insert_with(Default::default);
        if let Some(Value::String(english)) = extensions.get(MESSAGE_EN_KEY).cloned() {
            if locale == Locale::En {
                error.message = english;
            }
            extensions.unset(MESSAGE_EN_KEY);
        }
        if let Some(id) = request_id {
            extensions.set("requestId", id);
        }
    }
    if let Some(charge) = charge {
        response
            .extensions
            .insert("cost".to_owned(), charge.to_value());
    }
}

impl ExtensionFactory for ErrorShaping {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(ErrorShapingExtension {
            kept: self.kept.clone(),
            locale: OnceLock::new(),
            request_id: OnceLock::new(),
            operation_name: OnceLock::new(),
            query: OnceLock::new(),
            charge: OnceLock::new(),
            validation_key: OnceLock::new(),
        })
    }
}

/// A query's key among the validated ones: what validation's result depends on besides the
/// schema, the document, the operation and the variables' values (a page size given as a
/// variable counts in the cost). Given by the HTTP layer as request data; a request without one
/// is validated and its measures are not kept.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ValidationKey([u8; 32]);

impl ValidationKey {
    /// The key of `request`, whose document's text has the SHA-256 `document` and whose
    /// operation is `operation`, when that is a query. A mutation's measures are not kept: its
    /// variables may carry a password (`login`, `changePassword`), whose hash the process would
    /// then hold, and no client repeats a mutation often enough for its validation to weigh.
    pub fn of(document: [u8; 32], request: &Request, operation: OperationType) -> Option<Self> {
        if operation != OperationType::Query {
            return None;
        }
        let variables = serde_json::to_vec(&request.variables).ok()?;
        let mut hasher = Sha256::new();
        hasher.update(document);
        for part in [
            request
                .operation_name
                .as_deref()
                .unwrap_or_default()
                .as_bytes(),
            &variables,
        ] {
            // Each part's length first, so that no two requests run together into one text.
            hasher.update((part.len() as u64).to_le_bytes());
            hasher.update(part);
        }
        Some(Self(hasher.finalize().into()))
    }
}

/// One instance per request. The request's data is not reachable from the `request` hook (it
/// runs before the request is prepared), so `prepare_request` copies what is needed here.
struct ErrorShapingExtension {
    /// The process's validated queries and the limits.
    kept: Kept,
    locale: OnceLock<Locale>,
    request_id: OnceLock<String>,
    operation_name: OnceLock<OperationName>,
    /// The document's text, parsed again only when validation fails, to tell errors on
    /// arguments that hold a variable (the client sent a wrong value) from the others.
    query: OnceLock<String>,
    /// What the request cost against the caller's budget.
    charge: OnceLock<Charge>,
    /// This request's key among the validated ones, when it has one.
    validation_key: OnceLock<ValidationKey>,
}

fn request_data<T: Any + Clone>(request: &Request) -> Option<T> {
    request
        .data
        .get(&TypeId::of::<T>())
        .and_then(|value| value.downcast_ref::<T>())
        .cloned()
}

/// Marks an error raised by async-graphql itself: `code`, and the message in both languages
/// (the English one is async-graphql's own text, kept as the detail).
fn classify(error: &mut ServerError, code: ErrorCode, vi: &str) {
    let english = std::mem::take(&mut error.message);
    error.message = format!("{vi}: {english}");
    let extensions = error.extensions.get_or_insert_with(Default::default);
    extensions.set("code", code.as_str());
    extensions.set(MESSAGE_EN_KEY, english);
}

/// An error of our own limits, in both languages.
fn limit_error(code: ErrorCode, msg: Msg) -> ServerError {
    let mut error = ServerError::new(msg.vi, None);
    let extensions = error.extensions.get_or_insert_with(Default::default);
    extensions.set("code", code.as_str());
    extensions.set(MESSAGE_EN_KEY, msg.en.as_ref());
    error
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
        finish(
            &mut response,
            self.locale.get().copied().unwrap_or_default(),
            self.request_id.get().map(String::as_str),
            self.charge.get(),
        );
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
        if let Some(key) = request_data::<ValidationKey>(&request) {
            let _ = self.validation_key.set(key);
        }
        next.run(ctx, request).await
    }

    async fn execute(
        &self,
        ctx: &ExtensionContext<'_>,
        operation_name: Option<&str>,
        next: NextExecute<'_>,
    ) -> Response {
        if let Some(slot) = self.operation_name.get() {
            let _ = slot.1.set(());
            if let Some(name) = operation_name {
                let _ = slot.0.set(name.to_owned());
            }
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
        match next.run(ctx, query, variables).await {
            Ok(document) => {
                let _ = self.query.set(query.to_owned());
                Ok(document)
            }
            Err(mut error) => {
                // The document parses but async-graphql refused it: its nesting passed the
                // recursion guard (a limit). Or the parser itself gave up on the nesting.
                let too_deep = match parse_query(query) {
                    Ok(_) => true,
                    Err(err) => matches!(err, async_graphql::parser::Error::RecursionLimitExceeded),
                };
                if too_deep {
                    classify(
                        &mut error,
                        ErrorCode::QueryTooComplex,
                        "Truy vấn lồng quá sâu",
                    );
                } else {
                    classify(
                        &mut error,
                        ErrorCode::GraphqlParseFailed,
                        "Không phân tích được văn bản truy vấn GraphQL",
                    );
                }
                Err(error)
            }
        }
    }

    async fn validation(
        &self,
        ctx: &ExtensionContext<'_>,
        next: NextValidation<'_>,
    ) -> Result<ValidationResult, Vec<ServerError>> {
        let key = self.validation_key.get();
        let kept = key.and_then(|key| self.kept.validated().get(key).copied());
        let result = match kept {
            Some(result) => result,
            None => {
                let result = self.validate(ctx, next).await?;
                if let Some(key) = key {
                    self.kept.keep(*key, result);
                }
                result
            }
        };
        self.kept.admit(
            result,
            ctx.data_opt::<Budgets>(),
            ctx.data_opt::<Authentication>(),
            &self.charge,
        )
    }
}

impl ErrorShapingExtension {
    /// Validation itself, its errors coded.
    async fn validate(
        &self,
        ctx: &ExtensionContext<'_>,
        next: NextValidation<'_>,
    ) -> Result<ValidationResult, Vec<ServerError>> {
        next.run(ctx).await.map_err(|mut errors| {
            let variables = self
                .query
                .get()
                .and_then(|query| parse_query(query).ok())
                .map(|document| variable_arguments(&document))
                .unwrap_or_default();
            for error in &mut errors {
                let on_variable = error
                    .locations
                    .first()
                    .is_some_and(|pos| variables.contains(pos));
                if on_variable {
                    classify(
                        error,
                        ErrorCode::BadUserInput,
                        "Giá trị của biến không hợp lệ",
                    );
                } else {
                    classify(
                        error,
                        ErrorCode::GraphqlValidationFailed,
                        "Truy vấn không khớp với lược đồ",
                    );
                }
            }
            errors
        })
    }
}

/// Positions of the arguments (of fields and directives, in operations and fragments) whose
/// value holds a variable somewhere.
fn variable_arguments(document: &ExecutableDocument) -> HashSet<Pos> {
    fn holds_variable(value: &GqlValue) -> bool {
        match value {
            GqlValue::Variable(_) => true,
            GqlValue::List(items) => items.iter().any(holds_variable),
            GqlValue::Object(fields) => fields.values().any(holds_variable),
            _ => false,
        }
    }
    fn arguments(
        args: &[(Positioned<Name>, Positioned<GqlValue>)],
        directives: &[Positioned<Directive>],
        out: &mut HashSet<Pos>,
    ) {
        let directive_args = directives.iter().flat_map(|d| d.node.arguments.iter());
        for (name, value) in args.iter().chain(directive_args) {
            if holds_variable(&value.node) {
                out.insert(name.pos);
            }
        }
    }
    fn selections(set: &SelectionSet, out: &mut HashSet<Pos>) {
        for selection in &set.items {
            match &selection.node {
                Selection::Field(field) => {
                    arguments(&field.node.arguments, &field.node.directives, out);
                    selections(&field.node.selection_set.node, out);
                }
                Selection::FragmentSpread(spread) => {
                    arguments(&[], &spread.node.directives, out);
                }
                Selection::InlineFragment(fragment) => {
                    arguments(&[], &fragment.node.directives, out);
                    selections(&fragment.node.selection_set.node, out);
                }
            }
        }
    }
    let mut out = HashSet::new();
    for (_, operation) in document.operations.iter() {
        arguments(&[], &operation.node.directives, &mut out);
        selections(&operation.node.selection_set.node, &mut out);
    }
    for fragment in document.fragments.values() {
        arguments(&[], &fragment.node.directives, &mut out);
        selections(&fragment.node.selection_set.node, &mut out);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn digest(query: &str) -> [u8; 32] {
        Sha256::digest(query.as_bytes()).into()
    }

    #[test]
    fn a_request_is_kept_validated_under_its_document_operation_and_variables() {
        let request = |query: &str, operation: Option<&str>, variables: serde_json::Value| {
            let mut request = Request::new(query).variables(Variables::from_json(variables));
            request.operation_name = operation.map(str::to_owned);
            ValidationKey::of(digest(query), &request, OperationType::Query).expect("a key")
        };
        let page = "query P($n: Int) { agencies(first: $n) { totalCount } }";
        let key = request(page, None, serde_json::json!({ "n": 2 }));
        assert_eq!(key, request(page, None, serde_json::json!({ "n": 2 })));
        assert_ne!(key, request(page, None, serde_json::json!({ "n": 100 })));
        assert_ne!(key, request(page, Some("P"), serde_json::json!({ "n": 2 })));
        assert_ne!(
            key,
            request(&format!("{page} "), None, serde_json::json!({ "n": 2 }))
        );
        // The parts are told apart: moving text from the document to the operation name is
        // another request.
        assert_ne!(
            request("{ a }b", None, serde_json::json!({})),
            request("{ a }", Some("b"), serde_json::json!({}))
        );
    }

    #[test]
    fn a_mutation_has_no_key_so_its_variables_are_not_kept() {
        let login = Request::new(
            "mutation($email: String!, $password: String!) { login(email: $email, password: $password) { accessToken } }",
        )
        .variables(Variables::from_json(
            serde_json::json!({ "email": "a@b.vn", "password": "secret" }),
        ));
        let document = digest(&login.query);
        assert_eq!(
            ValidationKey::of(document, &login, OperationType::Mutation),
            None
        );
        assert_eq!(
            ValidationKey::of(document, &login, OperationType::Subscription),
            None
        );
        assert!(ValidationKey::of(document, &login, OperationType::Query).is_some());
    }

    #[test]
    fn the_measures_of_the_last_queries_are_kept_and_no_more() {
        let kept = ErrorShaping::new(Limits {
            depth: 10,
            complexity: 1_000,
        })
        .kept();
        let key = |n: usize| {
            let request = Request::new(format!("{{ q{n} }}"));
            ValidationKey::of(digest(&request.query), &request, OperationType::Query)
                .expect("a key")
        };
        let measures = |n: usize| ValidationResult {
            cache_control: Default::default(),
            complexity: n,
            depth: 1,
        };
        for n in 0..=VALIDATED_CAPACITY {
            kept.keep(key(n), measures(n));
        }
        assert_eq!(kept.validated().len(), VALIDATED_CAPACITY);
        assert!(kept.measures(key(0)).is_none(), "the oldest went");
        let last = kept.measures(key(VALIDATED_CAPACITY)).expect("kept");
        assert_eq!(last.complexity, VALIDATED_CAPACITY);
    }

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
