//! GraphQL face of press requests.

use async_graphql::{Context, ID, InputObject, Object, SimpleObject};
use chrono::{DateTime, Utc};
use entity::{
    ids::{AgencyId, PressRequestId},
    press_request::{Model, PressRequestStatus as StoredStatus, RefusalReason as StoredReason},
};
use serde::Serialize;

use super::service::{self, NewRequest, RequestFilter, Response};
use crate::{
    agency::schema::Agency,
    error::AppResult,
    graphql::{
        context::{ContextExt, parse_id},
        mutation::{self, Mutation},
        pagination::{self, List, PageRequest},
    },
    mirror_enum,
    policy::Operation,
    text,
};

mirror_enum!(
    /// Where a press request stands.
    PressRequestStatus => StoredStatus {
        /// Waiting for an answer.
        Open,
        /// Answered.
        Answered,
        /// Refused with a legal reason.
        Refused,
    }
);

mirror_enum!(
    /// Legal grounds on which an agency may refuse information to the press.
    RefusalReason => StoredReason {
        /// The information is a state secret (bí mật nhà nước).
        StateSecret,
        /// A case under investigation or not yet tried (vụ án đang điều tra, chưa xét xử).
        UnderInvestigation,
        /// An inspection, or a complaint or denunciation, not yet concluded (thanh tra, khiếu
        /// nại, tố cáo chưa có kết luận).
        InspectionOrComplaintPending,
        /// A draft policy or document not yet cleared for release (chính sách, đề án đang dự
        /// thảo chưa được phép phát ngôn).
        DraftPolicyNotCleared,
    }
);

/// A press request as the API shows it.
pub struct PressRequest(Model);

impl From<Model> for PressRequest {
    fn from(model: Model) -> Self {
        Self(model)
    }
}

/// A press agency's question to an agency (yêu cầu cung cấp thông tin của báo chí).
#[Object]
impl PressRequest {
    /// Opaque global id.
    pub async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }

    /// The asking press agency.
    async fn press_agency(&self, ctx: &Context<'_>) -> AppResult<Option<Agency>> {
        Agency::load(ctx, self.0.press_agency_id).await
    }

    /// The agency asked.
    async fn addressed_agency(&self, ctx: &Context<'_>) -> AppResult<Option<Agency>> {
        Agency::load(ctx, self.0.addressed_agency_id).await
    }

    /// Subject.
    async fn subject(&self) -> &str {
        &self.0.subject
    }

    /// The question.
    async fn question(&self) -> &str {
        &self.0.question
    }

    /// When it was received.
    async fn received_at(&self) -> DateTime<Utc> {
        self.0.received_at
    }

    /// When the answer is due (by default the answer time in force for the agency asked when
    /// the request was received: the `PRESS_REQUEST_ANSWER_DAYS` legal setting, 30 days).
    async fn due_at(&self) -> DateTime<Utc> {
        self.0.due_at
    }

    /// Whether it is still open past its due time.
    async fn overdue(&self) -> bool {
        service::is_overdue(&self.0)
    }

    /// Status.
    async fn status(&self) -> PressRequestStatus {
        self.0.status.into()
    }

    /// The answer.
    async fn answer(&self) -> Option<&str> {
        self.0.answer.as_deref()
    }

    /// Legal ground of a refusal.
    async fn refusal_reason(&self) -> Option<RefusalReason> {
        self.0.refusal_reason.map(Into::into)
    }

    /// Explanation of a refusal.
    async fn refusal_explanation(&self) -> Option<&str> {
        self.0.refusal_explanation.as_deref()
    }

    /// When it was answered or refused.
    async fn answered_at(&self) -> Option<DateTime<Utc>> {
        self.0.answered_at
    }
}

/// Filters of the request list.
#[derive(InputObject, Default)]
pub struct PressRequestFilterInput {
    /// Requests addressed to this agency or below it.
    addressed_within: Option<ID>,
    /// Only these statuses.
    statuses: Option<Vec<PressRequestStatus>>,
    /// Only open requests past their due time.
    #[graphql(default = false)]
    overdue: bool,
    /// Only requests changed at or after this time, oldest change first: for systems that poll.
    updated_since: Option<DateTime<Utc>>,
}

/// Queries of press requests.
#[derive(Default)]
pub struct PressRequestQuery;

#[Object]
impl PressRequestQuery {
    /// One request.
    async fn press_request(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Request id.")] id: ID,
    ) -> AppResult<PressRequest> {
        let id = PressRequestId(parse_id("id", &id)?);
        Ok(service::get(ctx.db()?, ctx.actor()?, id).await?.into())
    }

    /// Requests by due time: the press its own agency's; agencies those addressed to them and
    /// below them (a province sees its communes' overdue requests).
    #[graphql(complexity = "pagination::cost(first, child_complexity)")]
    async fn press_requests(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Narrows the list.")] filter: Option<PressRequestFilterInput>,
        #[graphql(desc = "Page size: 0 to 100, default 20.")] first: Option<i32>,
        #[graphql(desc = "Cursor after which the page starts (`endCursor` of the previous page).")]
        after: Option<String>,
    ) -> AppResult<List<PressRequest>> {
        let filter = filter.unwrap_or_default();
        let filter = RequestFilter {
            addressed_within: filter
                .addressed_within
                .as_ref()
                .map(|id| parse_id("filter.addressedWithin", id).map(AgencyId))
                .transpose()?,
            statuses: filter
                .statuses
                .unwrap_or_default()
                .into_iter()
                .map(Into::into)
                .collect(),
            overdue: filter.overdue,
            updated_since: filter.updated_since,
        };
        let page = PageRequest::parse(first, after.as_deref())?;
        let (rows, total) = service::list(ctx.db()?, ctx.actor()?, &filter, &page).await?;
        Ok(rows.into_connection(total))
    }
}

/// A question to an agency.
#[derive(InputObject, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SendPressRequestInput {
    /// The agency asked.
    addressed_agency_id: ID,
    /// Subject, 1 to 500 characters.
    subject: String,
    /// The question (at most 20,000 characters).
    question: String,
    /// When the answer is due; when omitted, the answer time in force for the agency asked
    /// (`legalSettings`, `PRESS_REQUEST_ANSWER_DAYS`: 30 days unless changed).
    due_at: Option<DateTime<Utc>>,
}

/// An answer.
#[derive(InputObject, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AnswerPressRequestInput {
    /// The request.
    id: ID,
    /// The answer (at most 50,000 characters).
    answer: String,
}

/// A refusal.
#[derive(InputObject, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RefusePressRequestInput {
    /// The request.
    id: ID,
    /// The legal ground.
    reason: RefusalReason,
    /// The explanation given to the press.
    explanation: String,
}

/// Result of a press-request mutation.
#[derive(SimpleObject)]
pub struct PressRequestPayload {
    /// The request after the change.
    press_request: PressRequest,
}

impl From<Model> for PressRequestPayload {
    fn from(model: Model) -> Self {
        Self {
            press_request: model.into(),
        }
    }
}

fn request_id(model: &Model) -> uuid::Uuid {
    model.id
}

fn long_text(field: &'static str, raw: &str, max: usize) -> AppResult<String> {
    let value = raw.trim();
    if value.is_empty() || value.chars().count() > max {
        return Err(crate::error::AppError::bad_input(
            field,
            crate::error::Msg::new(
                format!("Từ 1 đến {max} ký tự"),
                format!("1 to {max} characters"),
            ),
        ));
    }
    Ok(value.to_owned())
}

/// Press requests.
#[derive(Default)]
pub struct PressRequestMutation;

#[Object]
impl PressRequestMutation {
    /// Sends a question on behalf of the caller's press agency.
    async fn send_press_request(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The question.")] input: SendPressRequestInput,
    ) -> AppResult<PressRequestPayload> {
        let mutation = Mutation::new(
            "pressRequest.send",
            Operation::PressRequestSend,
            "PressRequest",
        )
        .input(&input);
        mutation::run(ctx, mutation, request_id, move |txn, actor| {
            Box::pin(async move {
                let new = NewRequest {
                    addressed: AgencyId(parse_id("addressedAgencyId", &input.addressed_agency_id)?),
                    subject: text::required_line("subject", &input.subject, 500)?,
                    question: long_text("question", &input.question, 20_000)?,
                    due_at: input.due_at,
                };
                service::send(txn, actor, new).await
            })
        })
        .await
        .map(Into::into)
    }

    /// Answers a request.
    async fn answer_press_request(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The request and the answer.")] input: AnswerPressRequestInput,
    ) -> AppResult<PressRequestPayload> {
        let mutation = Mutation::new(
            "pressRequest.answer",
            Operation::PressRequestAnswer,
            "PressRequest",
        )
        .on(&input.id)
        .input(&input);
        mutation::run(ctx, mutation, request_id, move |txn, actor| {
            Box::pin(async move {
                let id = PressRequestId(parse_id("id", &input.id)?);
                let answer = long_text("answer", &input.answer, 50_000)?;
                service::respond(txn, actor, id, Response::Answer(answer)).await
            })
        })
        .await
        .map(Into::into)
    }

    /// Refuses a request on a legal ground, with an explanation.
    async fn refuse_press_request(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The request, the ground and the explanation.")]
        input: RefusePressRequestInput,
    ) -> AppResult<PressRequestPayload> {
        let mutation = Mutation::new(
            "pressRequest.refuse",
            Operation::PressRequestAnswer,
            "PressRequest",
        )
        .on(&input.id)
        .input(&input);
        mutation::run(ctx, mutation, request_id, move |txn, actor| {
            Box::pin(async move {
                let id = PressRequestId(parse_id("id", &input.id)?);
                let explanation = long_text("explanation", &input.explanation, 5_000)?;
                service::respond(
                    txn,
                    actor,
                    id,
                    Response::Refuse(input.reason.into(), explanation),
                )
                .await
            })
        })
        .await
        .map(Into::into)
    }
}
