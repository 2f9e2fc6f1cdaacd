//! Sending, answering, refusing and following up press requests.

use chrono::{DateTime, Utc};
use entity::{
    agency::{self, AgencyKind},
    ids::{AgencyId, PressRequestId},
    legal_setting::LegalKey,
    press_request::{
        ActiveModel, Column, Entity as PressRequest, Model, PressRequestStatus, RefusalReason,
    },
};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, Order,
    QueryFilter, Select,
};

use crate::{
    agency::service as agency_service,
    auth::actor::{Actor, ActorRole},
    db,
    error::{AppError, AppResult, Msg},
    graphql::pagination::{Page, PageRequest, SortKey, TotalCount, changed_since},
    legal::service as legal,
    policy::{self, Operation},
};

const VERSIONED: db::Versioned<PressRequest> = db::Versioned {
    id: Column::Id,
    version: Column::Version,
    updated_at: Column::UpdatedAt,
};

fn not_found() -> AppError {
    AppError::NotFound(Msg::new(
        "Không tìm thấy yêu cầu của báo chí",
        "Press request not found",
    ))
}

/// Whether an open request is past its due time.
pub fn is_overdue(model: &Model) -> bool {
    model.status == PressRequestStatus::Open && model.due_at < Utc::now()
}

/// Requests `actor` may see: the press its own agency's; agencies those addressed to their
/// scope (so a province and a district see their communes' overdue requests).
fn visible(actor: &Actor) -> AppResult<Select<PressRequest>> {
    let select = PressRequest::find();
    if actor.role == ActorRole::Press {
        policy::require(actor, Operation::PressRequestRead)?;
        let agency = actor.agency_id().map_or(uuid::Uuid::nil(), |a| a.0);
        return Ok(select.filter(Column::PressAgencyId.eq(agency)));
    }
    let visibility = policy::visibility(actor, Operation::PressRequestRead)?;
    Ok(agency_service::visible_to(
        select,
        Column::AddressedAgencyId,
        &visibility,
    ))
}

/// One request, if visible.
pub async fn get<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    id: PressRequestId,
) -> AppResult<Model> {
    visible(actor)?
        .filter(Column::Id.eq(id.0))
        .one(db)
        .await?
        .ok_or_else(not_found)
}

/// Filters of the request list.
#[derive(Clone, Debug, Default)]
pub struct RequestFilter {
    /// Addressed to this agency or below it.
    pub addressed_within: Option<AgencyId>,
    /// Only these statuses.
    pub statuses: Vec<PressRequestStatus>,
    /// Only open requests past their due time.
    pub overdue: bool,
    /// Only those changed at or after, in the order of the change (for clients that poll).
    pub updated_since: Option<DateTime<Utc>>,
}

/// One page of requests, by due time (soonest first).
pub async fn list(
    db: &DatabaseConnection,
    actor: &Actor,
    filter: &RequestFilter,
    page: &PageRequest,
) -> AppResult<(Page<Model>, TotalCount)> {
    let mut select = changed_since(visible(actor)?, filter.updated_since);
    if let Some(root) = filter.addressed_within {
        let root = agency_service::get(db, root).await?;
        select = select
            .filter(Column::AddressedAgencyId.in_subquery(agency_service::ids_under(&root.path)));
    }
    if !filter.statuses.is_empty() {
        select = select.filter(Column::Status.is_in(filter.statuses.iter().copied()));
    }
    if filter.overdue {
        select = select
            .filter(Column::Status.eq(PressRequestStatus::Open))
            .filter(Column::DueAt.lt(Utc::now()));
    }
    let total = TotalCount::of(db, select.clone());
    let rows = page
        .fetch_polled(
            db,
            select,
            filter.updated_since,
            (Column::DueAt, Order::Asc),
            |m| (SortKey::Time(m.due_at), m.id),
        )
        .await?;
    Ok((rows, total))
}

/// A question from the caller's press agency.
pub struct NewRequest {
    /// The agency asked.
    pub addressed: AgencyId,
    /// Subject.
    pub subject: String,
    /// The question.
    pub question: String,
    /// Due time (default: the answer time in force for the agency asked, the
    /// `PRESS_REQUEST_ANSWER_DAYS` legal setting, 30 days unless changed).
    pub due_at: Option<DateTime<Utc>>,
}

/// Sends a question on behalf of the caller's press agency.
pub async fn send<C: ConnectionTrait>(db: &C, actor: &Actor, new: NewRequest) -> AppResult<Model> {
    policy::require(actor, Operation::PressRequestSend)?;
    let press = actor.agency_id().ok_or_else(|| {
        AppError::Forbidden(Msg::new(
            "Chỉ tài khoản cơ quan báo chí mới gửi được câu hỏi",
            "Only a press agency's account can send a question",
        ))
    })?;
    let addressed = agency::Entity::find_by_id(new.addressed.0)
        .one(db)
        .await?
        .filter(|a| a.kind != AgencyKind::PressAgency && a.valid_to.is_none());
    let Some(addressed) = addressed else {
        return Err(AppError::bad_input(
            "addressedAgencyId",
            Msg::new(
                "Câu hỏi gửi tới một cơ quan hành chính đang hoạt động",
                "A question goes to a current government agency",
            ),
        ));
    };
    let now = Utc::now();
    let due_at = match new.due_at {
        Some(due_at) => due_at,
        None => {
            now + legal::window(db, LegalKey::PressRequestAnswerDays, &addressed.path, now).await?
        }
    };
    if due_at <= now {
        return Err(AppError::bad_input(
            "dueAt",
            Msg::new(
                "Hạn trả lời phải ở tương lai",
                "The due time must be in the future",
            ),
        ));
    }
    let id = PressRequestId::new();
    PressRequest::insert(ActiveModel {
        id: Set(id.0),
        press_agency_id: Set(press.0),
        addressed_agency_id: Set(new.addressed.0),
        subject: Set(new.subject),
        question: Set(new.question),
        received_at: Set(now),
        due_at: Set(due_at),
        status: Set(PressRequestStatus::Open),
        answer: Set(None),
        refusal_reason: Set(None),
        refusal_explanation: Set(None),
        answered_at: Set(None),
        answered_by: Set(None),
        version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
    })
    .exec_without_returning(db)
    .await?;
    get(db, actor, id).await
}

/// How an agency closes a request.
pub enum Response {
    /// The answer.
    Answer(String),
    /// A refusal on legal grounds, explained.
    Refuse(RefusalReason, String),
}

/// Answers or refuses an open request addressed to an agency in the caller's scope.
pub async fn respond<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    id: PressRequestId,
    response: Response,
) -> AppResult<Model> {
    let request = get(db, actor, id).await?;
    let addressed = agency_service::get(db, AgencyId(request.addressed_agency_id)).await?;
    policy::require_at(actor, Operation::PressRequestAnswer, Some(&addressed.path))?;
    if request.status != PressRequestStatus::Open {
        return Err(AppError::Conflict {
            field: None,
            msg: Msg::new(
                "Yêu cầu đã được trả lời",
                "The request has already been answered",
            ),
        });
    }
    let mut changes = ActiveModel {
        answered_at: Set(Some(Utc::now())),
        answered_by: Set(Some(actor.id())),
        ..Default::default()
    };
    match response {
        Response::Answer(answer) => {
            changes.status = Set(PressRequestStatus::Answered);
            changes.answer = Set(Some(answer));
        }
        Response::Refuse(reason, explanation) => {
            changes.status = Set(PressRequestStatus::Refused);
            changes.refusal_reason = Set(Some(reason));
            changes.refusal_explanation = Set(Some(explanation));
        }
    }
    if !VERSIONED
        .update(db, request.id, request.version, changes)
        .await?
    {
        return Err(AppError::Conflict {
            field: None,
            msg: Msg::new(
                "Yêu cầu vừa được người khác trả lời",
                "The request was answered concurrently",
            ),
        });
    }
    get(db, actor, id).await
}

/// Inserts a demo request unless present.
pub async fn insert_demo<C: ConnectionTrait>(
    db: &C,
    id: PressRequestId,
    press: AgencyId,
    new: NewRequest,
    received_at: DateTime<Utc>,
) -> AppResult<bool> {
    if PressRequest::find_by_id(id.0).one(db).await?.is_some() {
        return Ok(false);
    }
    PressRequest::insert(ActiveModel {
        id: Set(id.0),
        press_agency_id: Set(press.0),
        addressed_agency_id: Set(new.addressed.0),
        subject: Set(new.subject),
        question: Set(new.question),
        received_at: Set(received_at),
        due_at: Set(new
            .due_at
            .unwrap_or(received_at + legal::default_window(LegalKey::PressRequestAnswerDays))),
        status: Set(PressRequestStatus::Open),
        answer: Set(None),
        refusal_reason: Set(None),
        refusal_explanation: Set(None),
        answered_at: Set(None),
        answered_by: Set(None),
        version: Set(1),
        created_at: Set(received_at),
        updated_at: Set(received_at),
    })
    .exec_without_returning(db)
    .await?;
    Ok(true)
}

/// Ways to reach press requests in batches (see `graphql::loaders`).
pub mod relations {
    use super::*;
    use crate::graphql::loaders::{Relation, signed_in};

    /// Press requests by id, among those the caller may see.
    pub struct ById;

    impl Relation for ById {
        type Entity = PressRequest;
        fn key() -> Column {
            Column::Id
        }
        fn select(actor: Option<&Actor>) -> AppResult<Select<PressRequest>> {
            visible(signed_in(actor)?)
        }
    }
}
