//! Drafting, publishing, withdrawing and correcting releases; the feed.
//!
//! - `DRAFT → PUBLISHED → WITHDRAWN`. A draft can be edited; published content never is: a
//!   correction is a new release of kind `CORRECTION` linked to the one it corrects. Withdrawal
//!   keeps the record, the reason and the time.
//! - Publishing needs the spokesperson the release is attributed to (the law requires the
//!   release to name them) serving for the issuer that day.
//! - The press sees a release once published, after its embargo, if addressed to all press
//!   (`PUBLIC`) or to its agency (`TARGETED`); never `INTERNAL` ones, never drafts.
//! - State secrets (Mật, Tối mật, Tuyệt mật) are never stored: anything marked so is refused.

use chrono::{DateTime, NaiveDate, Utc};
use entity::{
    agency::{self, AgencyKind},
    ids::{AgencyId, PressEventId, ReleaseId, SpokespersonId},
    information_release::{
        ActiveModel, Audience, Column, Entity as Release, Model, ReleaseKind, ReleaseStatus,
    },
    press_event, release_attachment as attachment, release_recipient as recipient, spokesperson,
};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, EntityTrait,
    Order, QueryFilter, Select, sea_query::Query,
};
use uuid::Uuid;

use crate::{
    agency::service as agency_service,
    auth::actor::{Actor, ActorRole},
    db,
    document::DocumentRef,
    error::{AppError, AppResult, Msg},
    graphql::pagination::{Page, PageRequest, SortKey, TotalCount, changed_since},
    policy::{self, Operation, Visibility},
    spokesperson::service as spokespersons,
    text, time,
};

const VERSIONED: db::Versioned<Release> = db::Versioned {
    id: Column::Id,
    version: Column::Version,
    updated_at: Column::UpdatedAt,
};

/// A security classification a document may carry (độ mật).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SecurityMarking {
    /// Not classified.
    Unclassified,
    /// Mật.
    Confidential,
    /// Tối mật.
    Secret,
    /// Tuyệt mật.
    TopSecret,
}

/// Refuses anything classified: state secrets are never stored in this system (only a
/// reference to an off-system document may be kept).
pub fn refuse_classified(field: &'static str, marking: SecurityMarking) -> AppResult<()> {
    if marking == SecurityMarking::Unclassified {
        return Ok(());
    }
    Err(AppError::bad_input(
        field,
        Msg::new(
            "Không được lưu thông tin thuộc bí mật nhà nước (Mật, Tối mật, Tuyệt mật) trên hệ thống này; chỉ ghi số hiệu văn bản lưu ngoài hệ thống",
            "State secrets (Mật, Tối mật, Tuyệt mật) are never stored in this system; keep only a reference to the off-system document",
        ),
    ))
}

fn not_found() -> AppError {
    AppError::NotFound(Msg::new(
        "Không tìm thấy văn bản cung cấp thông tin",
        "Release not found",
    ))
}

fn stale() -> AppError {
    AppError::conflict(
        "expectedVersion",
        Msg::new(
            "Văn bản vừa được người khác thay đổi; hãy tải lại rồi thử lại",
            "The release was changed by someone else; reload and try again",
        ),
    )
}

/// `|a|b|`: topics folded and fenced, so that a topic filter matches whole topics.
fn topic_keys(topics: &[String]) -> String {
    let mut keys = String::from("|");
    for topic in topics {
        keys.push_str(&text::fold(topic));
        keys.push('|');
    }
    keys
}

/// Releases `actor` may read.
fn visible(actor: &Actor) -> AppResult<Select<Release>> {
    let select = Release::find();
    if actor.role == ActorRole::Press {
        policy::require(actor, Operation::ReleaseRead)?;
        let agency = actor.agency_id().map_or(Uuid::nil(), |a| a.0);
        let addressed = Query::select()
            .column(recipient::Column::ReleaseId)
            .from(recipient::Entity)
            .and_where(recipient::Column::PressAgencyId.eq(agency))
            .to_owned();
        return Ok(select
            .filter(Column::Status.ne(ReleaseStatus::Draft))
            .filter(Column::PublishedAt.is_not_null())
            .filter(
                Condition::any()
                    .add(Column::Audience.eq(Audience::Public))
                    .add(
                        Condition::all()
                            .add(Column::Audience.eq(Audience::Targeted))
                            .add(Column::Id.in_subquery(addressed)),
                    ),
            )
            .filter(
                Condition::any()
                    .add(Column::EmbargoUntil.is_null())
                    .add(Column::EmbargoUntil.lte(Utc::now())),
            ));
    }
    // Service clients: their scope as granted, never drafts, and as the press past the
    // embargo (a system that republishes must not publish early).
    if actor.role == ActorRole::Integration {
        return Ok(match policy::visibility(actor, Operation::ReleaseRead)? {
            Visibility::All => select,
            Visibility::Subtree(path) => {
                select.filter(Column::IssuingAgencyId.in_subquery(agency_service::ids_under(&path)))
            }
            Visibility::Agency(id) => select.filter(Column::IssuingAgencyId.eq(id)),
        }
        .filter(Column::Status.ne(ReleaseStatus::Draft))
        .filter(
            Condition::any()
                .add(Column::EmbargoUntil.is_null())
                .add(Column::EmbargoUntil.lte(Utc::now())),
        ));
    }
    // Government: every release of its scope (drafts of its agency and those below); INTERNAL
    // releases issued in its own province; PUBLIC and TARGETED ones once out of draft,
    // anywhere.
    let in_scope = match policy::visibility(actor, Operation::ReleaseRead)? {
        Visibility::All => return Ok(select),
        Visibility::Subtree(path) => {
            Column::IssuingAgencyId.in_subquery(agency_service::ids_under(&path))
        }
        Visibility::Agency(id) => Column::IssuingAgencyId.eq(id),
    };
    let province = actor
        .agency
        .as_ref()
        .map(|agency| crate::auth::actor::province_path(&agency.path));
    let mut out_of_draft = Condition::any().add(Column::Audience.ne(Audience::Internal));
    if let Some(province) = province {
        out_of_draft = out_of_draft
            .add(Column::IssuingAgencyId.in_subquery(agency_service::ids_under(&province)));
    }
    Ok(select.filter(
        Condition::any().add(in_scope).add(
            Condition::all()
                .add(Column::Status.ne(ReleaseStatus::Draft))
                .add(out_of_draft),
        ),
    ))
}

/// One release, if visible.
pub async fn get<C: ConnectionTrait>(db: &C, actor: &Actor, id: ReleaseId) -> AppResult<Model> {
    visible(actor)?
        .filter(Column::Id.eq(id.0))
        .one(db)
        .await?
        .ok_or_else(not_found)
}

/// Filters of the release list and the press feed.
#[derive(Clone, Debug, Default)]
pub struct ReleaseFilter {
    /// Releases of this agency or below it.
    pub issuer_within: Option<AgencyId>,
    /// Releases with this topic (diacritics-insensitive, whole topic).
    pub topic: Option<String>,
    /// Only these kinds.
    pub kinds: Vec<ReleaseKind>,
    /// Only these statuses.
    pub statuses: Vec<ReleaseStatus>,
    /// Listed (published, or created for drafts) at or after.
    pub from: Option<DateTime<Utc>>,
    /// Listed before.
    pub to: Option<DateTime<Utc>>,
    /// Text in the title, summary or body (diacritics-insensitive).
    pub search: Option<String>,
    /// Changed at or after (for polling clients).
    pub updated_since: Option<DateTime<Utc>>,
}

/// One page of releases, newest first.
pub async fn list(
    db: &DatabaseConnection,
    actor: &Actor,
    filter: &ReleaseFilter,
    page: &PageRequest,
) -> AppResult<(Page<Model>, TotalCount)> {
    let mut select = visible(actor)?;
    if let Some(root) = filter.issuer_within {
        let root = agency_service::get(db, root).await?;
        select = select
            .filter(Column::IssuingAgencyId.in_subquery(agency_service::ids_under(&root.path)));
    }
    if let Some(topic) = filter
        .topic
        .as_deref()
        .map(text::fold)
        .filter(|t| !t.is_empty())
    {
        select = select.filter(text::column_contains(
            Column::TopicKeys,
            &format!("|{topic}|"),
        ));
    }
    if !filter.kinds.is_empty() {
        select = select.filter(Column::Kind.is_in(filter.kinds.iter().copied()));
    }
    if !filter.statuses.is_empty() {
        select = select.filter(Column::Status.is_in(filter.statuses.iter().copied()));
    }
    if let Some(from) = filter.from {
        select = select.filter(Column::ListedAt.gte(from));
    }
    if let Some(to) = filter.to {
        select = select.filter(Column::ListedAt.lt(to));
    }
    if let Some(search) = filter
        .search
        .as_deref()
        .map(text::fold)
        .filter(|s| !s.is_empty())
    {
        select = select.filter(text::column_contains(Column::SearchText, &search));
    }
    let select = changed_since(select, filter.updated_since);
    let total = TotalCount::of(db, select.clone());
    let rows = page
        .fetch_polled(
            db,
            select,
            filter.updated_since,
            (Column::ListedAt, Order::Desc),
            |m| (SortKey::Time(m.listed_at), m.id),
        )
        .await?;
    Ok((rows, total))
}

async fn recipient_ids<C: ConnectionTrait>(db: &C, release: ReleaseId) -> AppResult<Vec<Uuid>> {
    Ok(recipient::Entity::find()
        .filter(recipient::Column::ReleaseId.eq(release.0))
        .all(db)
        .await?
        .into_iter()
        .map(|r| r.press_agency_id)
        .collect())
}

/// An attachment, by reference.
#[derive(Clone, Debug)]
pub struct NewAttachment {
    /// File name.
    pub name: String,
    /// Media type.
    pub media_type: String,
    /// Size in bytes.
    pub size_bytes: i64,
    /// Hex SHA-256.
    pub checksum: String,
    /// Where it is.
    pub url: String,
}

/// The content of a draft.
#[derive(Clone, Debug)]
pub struct Content {
    /// Document number and date.
    pub document: Option<DocumentRef>,
    /// Kind.
    pub kind: ReleaseKind,
    /// Title.
    pub title: String,
    /// Summary.
    pub summary: Option<String>,
    /// Body (Markdown).
    pub body: String,
    /// Topics.
    pub topics: Vec<String>,
    /// Language.
    pub language: String,
    /// Attributed spokesperson.
    pub spokesperson: Option<SpokespersonId>,
    /// Event it was given out at.
    pub event: Option<PressEventId>,
    /// Audience.
    pub audience: Audience,
    /// Embargo.
    pub embargo_until: Option<DateTime<Utc>>,
    /// Press agencies of a TARGETED release.
    pub recipients: Vec<AgencyId>,
    /// Attachments.
    pub attachments: Vec<NewAttachment>,
    /// The release a correction corrects.
    pub corrects: Option<ReleaseId>,
}

/// Checks a draft's content against the issuer and the other records it names.
async fn check_content<C: ConnectionTrait>(
    db: &C,
    issuer: &agency::Model,
    content: &Content,
) -> AppResult<()> {
    if content.embargo_until.is_some_and(|t| t <= Utc::now()) {
        return Err(AppError::bad_input(
            "embargoUntil",
            Msg::new(
                "Thời điểm hết hạn cấm đăng phải ở tương lai",
                "The embargo must end in the future",
            ),
        ));
    }
    if content.audience != Audience::Targeted && !content.recipients.is_empty() {
        return Err(AppError::bad_input(
            "recipientIds",
            Msg::new(
                "Chỉ văn bản gửi cơ quan báo chí cụ thể (TARGETED) mới có danh sách nơi nhận",
                "Only a TARGETED release lists recipients",
            ),
        ));
    }
    for id in &content.recipients {
        let agency = agency::Entity::find_by_id(id.0).one(db).await?;
        if agency.is_none_or(|a| a.kind != AgencyKind::PressAgency || a.valid_to.is_some()) {
            return Err(AppError::bad_input(
                "recipientIds",
                Msg::new(
                    "Nơi nhận phải là cơ quan báo chí đang hoạt động",
                    "Recipients must be current press agencies",
                ),
            ));
        }
    }
    if let Some(person) = content.spokesperson {
        let person = spokesperson::Entity::find_by_id(person.0).one(db).await?;
        if person.is_none_or(|p| p.agency_id != issuer.id) {
            return Err(AppError::bad_input(
                "spokespersonId",
                Msg::new(
                    "Người phát ngôn phải thuộc cơ quan ban hành",
                    "The spokesperson must belong to the issuing agency",
                ),
            ));
        }
    }
    if let Some(event) = content.event
        && press_event::Entity::find_by_id(event.0)
            .one(db)
            .await?
            .is_none_or(|e| e.organizer_id != issuer.id)
    {
        return Err(AppError::bad_input(
            "eventId",
            Msg::new(
                "Sự kiện phải do cơ quan ban hành tổ chức",
                "The event must be organized by the issuer",
            ),
        ));
    }
    match (content.kind, content.corrects) {
        (ReleaseKind::Correction, Some(corrected)) => {
            let corrected = Release::find_by_id(corrected.0).one(db).await?;
            let valid = corrected
                .is_some_and(|c| c.issuing_agency_id == issuer.id && c.published_at.is_some());
            if !valid {
                return Err(AppError::bad_input(
                    "correctsId",
                    Msg::new(
                        "Văn bản đính chính phải gắn với một văn bản đã công bố của cùng cơ quan",
                        "A correction must link a published release of the same agency",
                    ),
                ));
            }
        }
        (ReleaseKind::Correction, None) | (_, Some(_)) => {
            return Err(AppError::bad_input(
                "correctsId",
                Msg::new(
                    "Văn bản đính chính (CORRECTION) và chỉ nó phải nêu văn bản được đính chính",
                    "A CORRECTION, and only a correction, names the release it corrects",
                ),
            ));
        }
        _ => {}
    }
    Ok(())
}

/// Registers the release's document number (unique per issuer and year).
async fn register_document<C: ConnectionTrait>(
    db: &C,
    id: Uuid,
    issuer: Uuid,
    content: &Content,
) -> AppResult<()> {
    crate::document::register(
        db,
        crate::document::Numbered::Release,
        id,
        issuer,
        content.document.as_ref(),
        "content.document",
    )
    .await
}

fn write_content(model: &mut ActiveModel, content: &Content) {
    model.doc_number = Set(content
        .document
        .as_ref()
        .map(|d| d.number.as_str().to_owned()));
    model.doc_date = Set(content.document.as_ref().map(|d| d.date));
    model.kind = Set(content.kind);
    model.title = Set(content.title.clone());
    model.summary = Set(content.summary.clone());
    model.body = Set(content.body.clone());
    model.topics = Set((!content.topics.is_empty()).then(|| content.topics.join("\n")));
    model.topic_keys = Set(topic_keys(&content.topics));
    model.language = Set(content.language.clone());
    model.spokesperson_id = Set(content.spokesperson.map(|s| s.0));
    model.event_id = Set(content.event.map(|e| e.0));
    model.audience = Set(content.audience);
    model.embargo_until = Set(content.embargo_until);
    model.corrects_id = Set(content.corrects.map(|c| c.0));
    model.search_text = Set(text::fold(&format!(
        "{} {} {}",
        content.title,
        content.summary.as_deref().unwrap_or_default(),
        content.body
    )));
}

/// Replaces the recipients and attachments of a release.
async fn write_children<C: ConnectionTrait>(db: &C, id: Uuid, content: &Content) -> AppResult<()> {
    recipient::Entity::delete_many()
        .filter(recipient::Column::ReleaseId.eq(id))
        .exec(db)
        .await?;
    attachment::Entity::delete_many()
        .filter(attachment::Column::ReleaseId.eq(id))
        .exec(db)
        .await?;
    let mut recipients = content.recipients.clone();
    recipients.sort();
    recipients.dedup();
    for agency in recipients {
        recipient::Entity::insert(recipient::ActiveModel {
            release_id: Set(id),
            press_agency_id: Set(agency.0),
        })
        .exec_without_returning(db)
        .await?;
    }
    for file in &content.attachments {
        attachment::Entity::insert(attachment::ActiveModel {
            id: Set(Uuid::now_v7()),
            release_id: Set(id),
            name: Set(file.name.clone()),
            media_type: Set(file.media_type.clone()),
            size_bytes: Set(file.size_bytes),
            checksum: Set(file.checksum.clone()),
            url: Set(file.url.clone()),
        })
        .exec_without_returning(db)
        .await?;
    }
    Ok(())
}

async fn issuer_in_scope<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    issuer: AgencyId,
) -> AppResult<agency::Model> {
    let agency = agency::Entity::find_by_id(issuer.0)
        .one(db)
        .await?
        .ok_or_else(|| {
            AppError::bad_input(
                "issuingAgencyId",
                Msg::new("Không có cơ quan này", "No such agency"),
            )
        })?;
    policy::require_at(actor, Operation::ReleaseManage, Some(&agency.path))?;
    Ok(agency)
}

/// Creates a draft.
#[tracing::instrument(skip_all, fields(agency.id = %issuer))]
pub async fn create<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    issuer: AgencyId,
    content: Content,
) -> AppResult<Model> {
    let agency = issuer_in_scope(db, actor, issuer).await?;
    if agency.kind == AgencyKind::PressAgency || agency.valid_to.is_some() {
        return Err(AppError::bad_input(
            "issuingAgencyId",
            Msg::new(
                "Cơ quan ban hành phải là cơ quan hành chính đang hoạt động",
                "The issuer must be a current government agency",
            ),
        ));
    }
    check_content(db, &agency, &content).await?;
    let now = Utc::now();
    let id = ReleaseId::new();
    let mut model = ActiveModel {
        id: Set(id.0),
        issuing_agency_id: Set(agency.id),
        status: Set(ReleaseStatus::Draft),
        published_at: Set(None),
        withdrawn_at: Set(None),
        withdrawal_reason: Set(None),
        listed_at: Set(now),
        version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    };
    write_content(&mut model, &content);
    Release::insert(model).exec_without_returning(db).await?;
    register_document(db, id.0, agency.id, &content).await?;
    write_children(db, id.0, &content).await?;
    get(db, actor, id).await
}

/// Loads a release the actor may manage, at the expected version.
async fn managed<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    id: ReleaseId,
    expected_version: Option<i32>,
) -> AppResult<(Model, agency::Model)> {
    let release = get(db, actor, id).await?;
    let agency = issuer_in_scope(db, actor, AgencyId(release.issuing_agency_id)).await?;
    if expected_version.is_some_and(|v| v != release.version) {
        return Err(stale());
    }
    Ok((release, agency))
}

fn not_draft() -> AppError {
    AppError::Conflict {
        field: None,
        msg: Msg::new(
            "Văn bản đã công bố không được sửa; hãy ban hành văn bản đính chính",
            "Published content is never edited; issue a correction instead",
        ),
    }
}

async fn save<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    release: &Model,
    changes: ActiveModel,
) -> AppResult<Model> {
    if !VERSIONED
        .update(db, release.id, release.version, changes)
        .await?
    {
        return Err(stale());
    }
    get(db, actor, ReleaseId(release.id)).await
}

/// Rewrites a draft's content (drafts only).
pub async fn update_draft<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    id: ReleaseId,
    content: Content,
    expected_version: Option<i32>,
) -> AppResult<Model> {
    let (release, agency) = managed(db, actor, id, expected_version).await?;
    if release.status != ReleaseStatus::Draft {
        return Err(not_draft());
    }
    check_content(db, &agency, &content).await?;
    let mut changes = ActiveModel::default();
    write_content(&mut changes, &content);
    register_document(db, release.id, agency.id, &content).await?;
    write_children(db, release.id, &content).await?;
    save(db, actor, &release, changes).await
}

/// Publishes a draft: it must be attributed to a spokesperson serving for the issuer today, and
/// a TARGETED release must name its recipients.
pub async fn publish<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    id: ReleaseId,
    expected_version: Option<i32>,
) -> AppResult<Model> {
    let (release, agency) = managed(db, actor, id, expected_version).await?;
    if release.status != ReleaseStatus::Draft {
        return Err(AppError::Conflict {
            field: None,
            msg: Msg::new(
                "Văn bản đã được công bố",
                "The release is already published",
            ),
        });
    }
    let person = match release.spokesperson_id {
        Some(person) => spokesperson::Entity::find_by_id(person).one(db).await?,
        None => None,
    };
    let today: NaiveDate = time::today();
    if person.is_none_or(|p| p.agency_id != agency.id || !spokespersons::serving_on(&p, today)) {
        return Err(AppError::bad_input(
            "spokespersonId",
            Msg::new(
                "Văn bản phải ghi rõ người phát ngôn đương nhiệm của cơ quan ban hành",
                "A release must be attributed to a spokesperson of the issuer serving today",
            ),
        ));
    }
    if release.embargo_until.is_some_and(|t| t <= Utc::now()) {
        return Err(AppError::bad_input(
            "embargoUntil",
            Msg::new(
                "Thời điểm cấm đăng đã qua; hãy bỏ hoặc đặt lại trước khi công bố",
                "The embargo has already passed; clear or reset it before publishing",
            ),
        ));
    }
    if release.audience == Audience::Targeted && recipient_ids(db, id).await?.is_empty() {
        return Err(AppError::bad_input(
            "recipientIds",
            Msg::new(
                "Văn bản gửi cơ quan báo chí cụ thể cần ít nhất một nơi nhận",
                "A TARGETED release needs at least one recipient",
            ),
        ));
    }
    let now = Utc::now();
    let changes = ActiveModel {
        status: Set(ReleaseStatus::Published),
        published_at: Set(Some(now)),
        listed_at: Set(now),
        ..Default::default()
    };
    save(db, actor, &release, changes).await
}

/// Withdraws a published release; the record, the reason and the time are kept.
pub async fn withdraw<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    id: ReleaseId,
    reason: String,
    expected_version: Option<i32>,
) -> AppResult<Model> {
    let (release, _) = managed(db, actor, id, expected_version).await?;
    if release.status != ReleaseStatus::Published {
        return Err(AppError::Conflict {
            field: None,
            msg: Msg::new(
                "Chỉ thu hồi được văn bản đã công bố",
                "Only a published release can be withdrawn",
            ),
        });
    }
    let changes = ActiveModel {
        status: Set(ReleaseStatus::Withdrawn),
        withdrawn_at: Set(Some(Utc::now())),
        withdrawal_reason: Set(Some(reason)),
        ..Default::default()
    };
    save(db, actor, &release, changes).await
}

/// Inserts a demo release with a fixed id, status and recipients unless present (no checks).
pub async fn insert_demo<C: ConnectionTrait>(
    db: &C,
    id: ReleaseId,
    issuer: AgencyId,
    content: Content,
    published_at: Option<DateTime<Utc>>,
) -> AppResult<bool> {
    if Release::find_by_id(id.0).one(db).await?.is_some() {
        return Ok(false);
    }
    let now = Utc::now();
    let mut model = ActiveModel {
        id: Set(id.0),
        issuing_agency_id: Set(issuer.0),
        status: Set(if published_at.is_some() {
            ReleaseStatus::Published
        } else {
            ReleaseStatus::Draft
        }),
        published_at: Set(published_at),
        withdrawn_at: Set(None),
        withdrawal_reason: Set(None),
        listed_at: Set(published_at.unwrap_or(now)),
        version: Set(1),
        created_at: Set(published_at.unwrap_or(now)),
        updated_at: Set(published_at.unwrap_or(now)),
        ..Default::default()
    };
    write_content(&mut model, &content);
    Release::insert(model).exec_without_returning(db).await?;
    register_document(db, id.0, issuer.0, &content).await?;
    write_children(db, id.0, &content).await?;
    Ok(true)
}

/// Ways to reach releases and their parts in batches (see `graphql::loaders`).
pub mod relations {
    use super::*;
    use crate::graphql::loaders::{Relation, signed_in};

    /// Releases by id, among those the caller may read.
    pub struct ById;

    impl Relation for ById {
        type Entity = Release;
        fn key() -> Column {
            Column::Id
        }
        fn select(actor: Option<&Actor>) -> AppResult<Select<Release>> {
            visible(signed_in(actor)?)
        }
    }

    /// The press agencies a release is addressed to (rows of the recipient table).
    pub struct Recipients;

    impl Relation for Recipients {
        type Entity = recipient::Entity;
        fn key() -> recipient::Column {
            recipient::Column::ReleaseId
        }
    }

    /// The attachments of a release.
    pub struct Attachments;

    impl Relation for Attachments {
        type Entity = attachment::Entity;
        fn key() -> attachment::Column {
            attachment::Column::ReleaseId
        }
    }
}
